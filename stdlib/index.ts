// The stdlib's face: what the compiler (and library users) import from stdlib/. Every import
// from another top folder goes through this file (dependency-cruiser's `faces` rule).

// the method table, the one driver, option specs, the automatic choice, the library's solve
export * from './methods/index.js';
// bilevel optimization: the kit the hypergradient entries share, and the method-fit check
export { bilevelMisfit, type BilevelState } from './bilevel/method.js';
export { BilevelError, BilevelKit, type InnerSolve } from './bilevel/kit.js';
export { conjugateGradient } from './bilevel/implicit.js';
export { powerIteration } from './bilevel/unrolled.js';
// problems from graph functions, host access to graphs, backends
export { graphObjective, graphResidual, leastSquaresObjective } from './optim/graph_objective.js';
export { hostFn, HostFnCache, type HostFn, type GraphRunner, type Sig, type GraphFn } from './optim/graph_fn.js';
export { backendRunner } from './optim/backend_runner.js';
export type { Multipliers } from './solvers/problem.js';
export { constraintBlock, lagrangianHvp, graphProblem, type GraphProblemSpec } from './solvers/graph_problem.js';
export { scheduleFactor, scheduleOf, SCHEDULE_OPTION, type Schedule } from './optim/schedules.js';
export { BATCH_OPTION, sampleBatch, batchTest, type FirstOrderState } from './optim/first_order.js';
export { fistaStep, fistaScan, proxGradStep, proxGradSolution } from './optim/prox_graph.js';
// prox operators and projections
export { blockProx, hostProx, hostProxFrom, zeroProx, type HostProx, type ProxBlock } from './prox/host.js';
// variational inference
export {
  fullRankTril,
  gaussianDraw,
  gaussianElbo,
  gaussianFamily,
  gaussianWhitening,
  laplacePath,
  monteCarlo,
  plainWhitening,
  summarize,
  summarizeWeighted,
  unwhiten,
  type GaussianFamily,
  type GuideName,
  type PathCandidate,
  type Whitening,
  type AffineT,
  type Summary,
} from './vi/index.js';
export { viPoint, viTrace, VI_WINDOW, type ViState } from './vi/method.js';
export { stillRising, type StopState } from './vi/stopping.js';
export { paretoKHat, psisWeights } from './vi/psis.js';
export { shortTrace } from './vi/elbo_trace.js';
export { chooseEstimator, estimatorName, type Estimator } from './vi/estimator_plan.js';
export { affine, evaluate, show, type Expr, type Gradient, type Objective } from './vi/objectives.js';
/** The objective algebra as one namespace (the compiler lowers `objective name = ...` onto it). */
export * as viObjectives from './vi/objectives.js';
export { objectiveInfo } from './vi/estimate.js';
export { estimate, logWeight, type Program, type VIProgram } from './vi/programmable.js';
export { runGuide, scoreModel } from './vi/sites.js';
export { DimLayout } from './vi/enum_dims.js';
export { collinearity, correlatedPairs, covarianceFromPrecision } from './vi/correlation.js';
// MCMC: the chains behind the `nuts` / `hmc` entries and the convergence diagnostics
export {
  chainKey,
  convergence,
  ebfmi,
  MAX_INIT_TRIES,
  SamplerError,
  Stream,
  type ChainState,
  type SamplerSettings,
  type SamplerStats,
} from './mcmc/index.js';
export { driverOptions, samplerSettings, type McmcState, type SamplerOptions } from './mcmc/method.js';
// constraint transforms, distributions, special functions
export { arrayOf, transforms, type ConstraintTransform } from './constraints/index.js';
export {
  DistributionError,
  distributionAliases,
  distributions,
  families,
  lookupDistribution,
  resolveDistribution,
  supportIncludes,
  type DistSpec,
  type SupportKind,
} from './distributions/index.js';
export { valueSparseEnvelope } from './prox/envelope.js';
/** The special functions (log-space helpers, incomplete gamma and beta, ...) as one namespace. */
export * as special from './special/index.js';
// modelling functions: the HMM forward algorithm and the adaptive Runge-Kutta ODE solver
export { hmmHiddenStateProb, hmmMarginal } from './hmm/index.js';
export { odeRk45, ODE_DEFAULTS } from './ode/index.js';
/** Dense linear algebra composed from primitives (solves, inverse, log |det|, expm) as one namespace. */
export * as linalg from './linalg/index.js';
