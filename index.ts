// Proxima's library API: what `import ... from 'proxima'` gives. The CLI (cli/) is a thin layer
// over exactly these functions and types.

export { parse, check, compile, run, dataSources, type CheckOptions } from './compiler/api.js';
export { fingerprint, type RunOptions, type Progress, type CheckpointHooks } from './compiler/running/run_program.js';
export type {
  CompileOptions,
  CompiledProgram,
  CompiledObjective,
  LayoutEntry,
  NestedNumber,
  ProgramInput,
  SourceInput,
} from './compiler/compile.js';
export type { RunResult, RunStatus, CheckResult, NestedValue, PosteriorSummary } from './compiler/running/result.js';
export type { Decomposition, AlgorithmChoice, ProxTerm, SetTerm, ConstraintTerm } from './compiler/analysis/analyze.js';
export { CompileError, formatMessages, type Message } from './compiler/messages.js';
export { compiledGraphText, type GraphTextOptions } from './compiler/graph_text.js';
export { BACKENDS } from './compiler/running/backend_seam.js';
export { BUILTINS } from './compiler/front/builtins.js';
export { distributions as DISTRIBUTIONS } from './stdlib/distributions/index.js';
export { SOLVERS, INFER_METHODS } from './compiler/analysis/method_options.js';
export { PROXIMA_VERSION, RESULT_SCHEMA } from './compiler/version.js';
export type { ParseResult, Program, Diagnostic, DiagnosticJSON } from './grammar/index.js';
export type { SolverState } from './stdlib/optim/driver.js';
export * from './compiler/interactive/index.js';
