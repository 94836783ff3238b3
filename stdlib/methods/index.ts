// The method table's face: the table and its types, the one driver and hooks, option specs and
// checks, the automatic choice, and the library's `solve`.
export { methodTable, methodList, methodOf, runnableOf, hypergradOf } from './table.js';
export type { MethodTable, MethodName, RunnableName } from './table.js';
export {
  runSteps,
  drain,
  drainAsync,
  scaledTest,
  scaleOf,
  normInf,
  divergenceText,
  fmt as formatNumber,
  CheckpointMismatch,
  FALL_FACTOR,
  OVERFLOW_LEVEL,
  RISE_FACTOR,
  ITERATE_FACTOR,
} from './driver.js';
export type { StepInfo, RunHooks, Checkpoint, StartScale, MethodStatus, MethodResult, Divergence } from './driver.js';
export { solve, solveAsync, solveSteps, resolve, contextFor, OptionError, type SolveRequest } from './solve.js';
export { chooseMethod, refusal, takes, misfit, FEATURES } from './choose.js';
export { checkValue, choicesOf, missingRequired, withDefaults, validateOptions, describeOptions } from './options.js';
export type {
  OptionSpec,
  OptionSpecs,
  OptionsOf,
  GivenOptions,
  CallValue,
  MethodOption,
  NameOption,
} from './options.js';
export type {
  Problem,
  Evaluation,
  Residual,
  BatchObjective,
  ConstraintBlock,
  ConstraintEval,
  Facet,
  Feature,
  ProblemShape,
  Takes,
  AutoChoice,
  MethodKind,
  MethodFamily,
  StateBase,
  RunContext,
  Criterion,
  StepNote,
  GraphStep,
  RunnableMethod,
  PlannedMethod,
  MethodRule,
  AnyMethod,
  AnyRunnable,
  AnyHypergrad,
  HypergradMethod,
  HypergradEval,
  BilevelFacet,
} from './rule.js';
export { RESTRICTING, defineMethod, declareMethod, defineHypergrad } from './rule.js';
export { optionsTable, takesText } from './options_table.js';
