// Public API of the .opt front end. Everything the CLI and the compiler need from the syntax
// layer is re-exported here; the other modules of grammar/ are internal.

export type * from './ast.js';
export type { Span } from './span.js';
export { joinSpans, LineMap } from './span.js';
export {
  DiagnosticBag,
  compareDiagnostics,
  diagnosticToJSON,
  formatDiagnostic,
  formatDiagnostics,
  type Diagnostic,
  type DiagnosticJSON,
  type Severity,
} from './diagnostics.js';
export { parse, MAX_ERRORS, type ParseResult } from './parse.js';
export { format, type FormatResult } from './format.js';
export { printProgram } from './printer.js';
export { printExpr, printType } from './print-expr.js';
export { RESERVED_WORDS, CONTEXTUAL_WORDS } from './tokens.js';
export { closest, editDistance } from './suggest.js';
export { leftSpine, isLeftChain, namesIn, dependencyOrder, MAX_DEPTH, type LeftChain } from './spine.js';
