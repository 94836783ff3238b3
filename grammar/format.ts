// The formatter: parse, then print in canonical layout with comments preserved. Source with
// errors is not reformatted (a best guess at broken code would be worse than none); the
// caller gets the diagnostics instead.

import type { Diagnostic } from './diagnostics.js';
import { parse } from './parse.js';
import { printProgram } from './printer.js';

export interface FormatResult {
  /** The formatted text, or null when the source has errors. */
  text: string | null;
  diagnostics: Diagnostic[];
}

export function format(source: string, file: string): FormatResult {
  const { program, diagnostics } = parse(source, file);
  return { text: program === null ? null : printProgram(program), diagnostics };
}
