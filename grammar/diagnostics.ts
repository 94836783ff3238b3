// Diagnostics shared by every stage (lexer, parser, later the compiler): one type, one
// collector, one renderer. A diagnostic's position is a Span; its text form is
//   file:line:col: severity: message
//      3 | source line
//        |   ^~~~
//   hint: optional advice
// and its JSON form flattens the span into {file, line, col, endLine, endCol}, end exclusive.
// Rendering needs the source text only to show the excerpt; the Diagnostic itself is plain data.

import { LineMap, type Span } from './span.js';

export type Severity = 'error' | 'warning' | 'note';

export interface Diagnostic {
  severity: Severity;
  message: string;
  span: Span;
  /** One sentence of advice, shown on its own `hint:` line. */
  hint?: string;
}

export interface DiagnosticJSON {
  severity: Severity;
  message: string;
  file: string;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  hint?: string;
}

/** Collects diagnostics for one file; stages append, callers read `items` or `sorted()`. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  add(d: Diagnostic): void {
    this.items.push(d);
  }

  error(span: Span, message: string, hint?: string): void {
    this.push('error', span, message, hint);
  }

  warning(span: Span, message: string, hint?: string): void {
    this.push('warning', span, message, hint);
  }

  note(span: Span, message: string, hint?: string): void {
    this.push('note', span, message, hint);
  }

  hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }

  /** Diagnostics in source order; the sort is stable, so same-position ones keep report order. */
  sorted(): Diagnostic[] {
    return [...this.items].sort(compareDiagnostics);
  }

  private push(severity: Severity, span: Span, message: string, hint?: string): void {
    this.items.push(hint === undefined ? { severity, message, span } : { severity, message, span, hint });
  }
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.span.start - b.span.start || a.span.end - b.span.end;
}

export function diagnosticToJSON(d: Diagnostic): DiagnosticJSON {
  const json: DiagnosticJSON = {
    severity: d.severity,
    message: d.message,
    file: d.span.file,
    line: d.span.line,
    col: d.span.col,
    endLine: d.span.endLine,
    endCol: d.span.endCol,
  };
  if (d.hint !== undefined) json.hint = d.hint;
  return json;
}

/** Renders one diagnostic with its source excerpt. `source` is the text of `d.span.file`. */
export function formatDiagnostic(d: Diagnostic, source: string): string {
  return renderWith(d, new LineMap(d.span.file, source));
}

/** Renders several diagnostics of one file, separated by blank lines. */
export function formatDiagnostics(ds: readonly Diagnostic[], source: string): string {
  const map = new LineMap('', source);
  return ds.map((d) => renderWith(d, map)).join('\n\n');
}

function renderWith(d: Diagnostic, map: LineMap): string {
  const { span } = d;
  const head = `${span.file}:${span.line}:${span.col}: ${d.severity}: ${d.message}`;
  const text = map.lineText(span.line);
  const gutter = String(span.line);
  const pad = ' '.repeat(gutter.length);
  // Keep tabs in the caret line's indentation so the caret lines up however tabs render.
  const before = text.slice(0, Math.max(0, span.col - 1)).replace(/[^\t]/g, ' ');
  const lastCol = span.endLine === span.line ? span.endCol : text.length + 1;
  const width = Math.max(1, lastCol - span.col);
  const lines = [head, ` ${gutter} | ${text}`.trimEnd(), ` ${pad} | ${before}^${'~'.repeat(width - 1)}`];
  if (d.hint !== undefined) lines.push(`  hint: ${d.hint}`);
  return lines.join('\n');
}
