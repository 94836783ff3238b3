// The compiler's face: the library API (parse, check, compile, run and their types) and what the
// CLI needs beside it (the checkpoint fingerprint, graph rendering, messages, result and draw
// helpers). The CLI and the package's index.ts import the compiler only through this file.

export { parse, check, compile, run, dataSources, type CheckOptions } from './api.js';
export { fingerprint } from './running/run_program.js';
export type { RunOptions, Progress, CheckpointHooks } from './running/run_options.js';
export type {
  CompileOptions,
  CompiledProgram,
  CompiledObjective,
  LayoutEntry,
  NestedNumber,
  ProgramInput,
  SourceInput,
} from './compile.js';
export {
  runResult,
  checkResult,
  type RunResult,
  type RunStatus,
  type CheckResult,
  type NestedValue,
  type PosteriorSummary,
} from './running/result.js';
export type { Decomposition, AlgorithmChoice, ProxTerm, SetTerm, ConstraintTerm } from './analysis/analyze.js';
export { CompileError, formatMessages, fileMessage, type Message } from './messages.js';
export { compiledGraphText, type GraphTextOptions } from './graph_text.js';
export { exportTorch, ExportError, type TorchExportOptions, type TorchPackage } from './export/torch_package.js';
export { BACKENDS } from './running/backend_seam.js';
export { BUILTINS } from './front/builtins.js';
export { nest, scalarNames, type DrawTable } from './running/draws.js';
export { PROXIMA_VERSION, RESULT_SCHEMA } from './version.js';
export { DEFAULT_SEED } from './default_seed.js';
// The method table, for `proxima methods` and REPL completion (stdlib/methods), and the distributions' names.
export { distributions as DISTRIBUTIONS } from '../stdlib/index.js';
export { methodList as METHOD_LIST, optionsTable } from '../stdlib/index.js';
// The formatter, for `proxima fmt` (grammar/).
export { format, formatDiagnostics, type FormatResult, type Diagnostic, type Program } from '../grammar/index.js';
// Data files (JSON and CSV), for the REPL's `:data`.
export { readDataFile, parseCsv, parseJsonData, DataError, type DataObject } from './front/data_files.js';
// Tagged templates and expressions at a point, for the package and the REPL (compiler/interactive).
export * from './interactive/index.js';
