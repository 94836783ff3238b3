// Variational inference building blocks: guide families, the Laplace start, ELBO estimators and
// posterior summaries. The orchestration (a program's guide, results) is compiler/running/infer.ts.
export { fullRankTril, gaussianFamily, lowRank, type GaussianFamily, type GuideName } from './gaussian.js';
export { laplacePath, type PathCandidate, type PathResult } from './laplace.js';
export {
  gaussianWhitening,
  plainWhitening,
  unwhiten,
  type AffineT,
  type StartGaussian,
  type Whitening,
} from './whitening.js';
export { monteCarlo, gaussianDraw, gaussianElbo } from './elbo.js';
export { summarize, summarizeWeighted, type Summary } from './summary.js';
