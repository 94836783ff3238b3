// Variational inference building blocks: guide families, the Laplace start, ELBO estimators and
// posterior summaries. The orchestration (a program's guide, results) is compiler/running/infer.ts.
export { gaussianFamily, lowRank, type GaussianFamily, type GuideName } from './gaussian.js';
export { laplace, type LaplaceResult } from './laplace.js';
export { laplaceWhitening, plainWhitening, unwhiten, type AffineT, type Whitening } from './whitening.js';
export { monteCarlo, gaussianDraw, gaussianElbo } from './elbo.js';
export { summarize, type Summary } from './summary.js';
export { plateauInit, plateauPush, type PlateauState } from './plateau.js';
