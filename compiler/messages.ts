// Messages in the result JSON: the grammar's diagnostics flattened (severity, message, file,
// line, col, endLine, endCol, optional hint). A CompileError carries the messages of a program
// that cannot run (a user error, exit code 1); any other exception is internal.

import {
  diagnosticToJSON,
  formatDiagnostic,
  type Diagnostic,
  type DiagnosticJSON,
  type Span,
} from '../grammar/index.js';
import { platform } from '../runtime/index.js';

export type Message = DiagnosticJSON;

export const toMessages = (ds: readonly Diagnostic[]): Message[] => ds.map(diagnosticToJSON);

export class CompileError extends Error {
  readonly messages: Message[];
  constructor(readonly diagnostics: Diagnostic[]) {
    super(
      diagnostics
        .filter((d) => d.severity === 'error')
        .map((d) => `${d.span.file}:${d.span.line}:${d.span.col}: ${d.message}`)
        .join('\n') || 'compile error',
    );
    this.name = 'CompileError';
    this.messages = toMessages(diagnostics);
  }
}

/** A diagnostic about a whole file (no better position), at its first character. */
export function fileDiagnostic(file: string, message: string, hint?: string): Diagnostic {
  const span: Span = { file, start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
  return hint === undefined ? { severity: 'error', message, span } : { severity: 'error', message, span, hint };
}

/** A message at a span (for runtime messages that belong to a statement). */
export function messageAt(severity: Message['severity'], span: Span, message: string, hint?: string): Message {
  return diagnosticToJSON(hint === undefined ? { severity, message, span } : { severity, message, span, hint });
}

/** A message about the whole file, at its first character. */
export function fileMessage(severity: Message['severity'], file: string, message: string, hint?: string): Message {
  const m: Message = { severity, message, file, line: 1, col: 1, endLine: 1, endCol: 1 };
  if (hint !== undefined) m.hint = hint;
  return m;
}

/**
 * Renders messages as `file:line:col: severity: message` with the source line and a caret.
 * Sources come from `sources` when given (in-memory programs), else from disk.
 */
export function formatMessages(
  messages: readonly Message[],
  sources?: ReadonlyMap<string, string> | Record<string, string>,
): string {
  const get = (f: string): string => {
    const s = sources instanceof Map ? sources.get(f) : (sources as Record<string, string> | undefined)?.[f];
    if (s !== undefined) return s;
    try {
      return platform.readText(f);
    } catch {
      return '';
    }
  };
  return messages
    .map((m) => {
      // A message about a whole file (no position), or one whose source is gone, has no excerpt.
      const whole = m.line === 1 && m.col === 1 && m.endLine === 1 && m.endCol === 1;
      const source = whole ? '' : get(m.file);
      if (source === '') return `${m.file}: ${m.severity}: ${m.message}${m.hint ? `\n  hint: ${m.hint}` : ''}`;
      const span: Span = {
        file: m.file,
        start: 0,
        end: 0,
        line: m.line,
        col: m.col,
        endLine: m.endLine,
        endCol: m.endCol,
      };
      const d: Diagnostic =
        m.hint === undefined
          ? { severity: m.severity, message: m.message, span }
          : { severity: m.severity, message: m.message, span, hint: m.hint };
      return formatDiagnostic(d, source);
    })
    .join('\n\n');
}
