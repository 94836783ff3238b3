// Programmable variational inference (Inference II), the public surface: the site API for model
// and guide programs, objectives as combinators, the estimator transformation and its automatic
// plan, and the fit diagnostics (Pareto k-hat, correlation check, ELBO trace). See
// docs/inference.md, "Programmable variational inference".
export { type SiteCtx, type SiteOptions, type Program, runGuide, scoreGuide, scoreModel } from './sites.js';
export {
  estimate,
  expectation,
  logWeight,
  objectiveInfo,
  type VIProgram,
  type EstimateOptions,
  type Estimate,
} from './estimate.js';
export {
  chooseEstimator,
  estimatorName,
  ENUM_MAX_SUPPORT,
  ENUM_MAX_JOINT,
  type Estimator,
  type PlanEntry,
  type SiteInfo,
  type ObjectiveInfo,
} from './estimator_plan.js';
export * as objectives from './objectives.js';
export type { Objective, Expr, Gradient } from './objectives.js';
export { DimLayout, type EnumDim } from './enum_dims.js';
export { paretoKHat, psisWeights, gpdFit, type KHat } from './psis.js';
export {
  collinearity,
  correlatedPairs,
  covarianceFromPrecision,
  type Collinearity,
  type CorrelatedPair,
} from './correlation.js';
export { shortTrace } from './elbo_trace.js';
export {
  stopInit,
  stopPush,
  stopCheck,
  windowAverage,
  stageFactor,
  stillRising,
  pairedGain,
  type StopState,
  type StopCheck,
} from './stopping.js';
