// Markov chain Monte Carlo: the multinomial NUTS of current Stan and static HMC on a host log
// density with its gradient, Stan's windowed warmup (dual averaging, diagonal or dense metric),
// chains as JSON state machines, and the convergence diagnostics (rank-normalized split R-hat,
// bulk and tail ESS, E-BFMI). Running chains for a program (threads, results) is
// compiler/running's.
export { Stream } from './rng.js';
export { unitMetric, metricFrom, kinetic, velocity, sampleMomentum, type Metric, type MetricKind } from './metric.js';
export {
  leapfrog,
  hamiltonian,
  newPoint,
  copyPoint,
  evaluate,
  type LogDensity,
  type PhasePoint,
} from './hamiltonian.js';
export { nutsTransition, nutsWorkspace, logSumExp, type TransitionStats, type NutsWorkspace } from './nuts.js';
export { hmcTransition, hmcWorkspace, type HmcWorkspace } from './static_hmc.js';
export {
  DUAL_AVERAGING_DEFAULTS,
  dualAveragingInit,
  dualAveragingLearn,
  dualAveragingFinal,
  windowPlan,
  windowInit,
  inSlowWindow,
  endOfSlowWindow,
  nextWindow,
  welfordInit,
  welfordAdd,
  welfordEstimate,
  type DualAveraging,
  type DualAveragingSettings,
  type WindowPlan,
  type WindowState,
  type Welford,
} from './adaptation.js';
export {
  Chain,
  SamplerError,
  chainKey,
  MCMC_STREAM,
  MAX_INIT_TRIES,
  type ChainState,
  type SamplerSettings,
  type SamplerStats,
} from './chain.js';
export {
  convergence,
  rhat,
  essBulk,
  essTail,
  essQuantile,
  essBasic,
  rhatBasic,
  rankNormalize,
  splitChains,
  quantileOf,
  normalQuantile,
  ebfmi,
  type Chains,
  type ConvergenceDiagnostics,
} from './convergence.js';
export { autocovariance } from './fft.js';
