// Golden-file harness shared by tests/grammar/bad and (later) tests/compiler/bad.
// For every NAME.opt in a folder, the diagnostics that `check` reports, rendered in their
// text form (position, message, excerpt, caret, hint), must equal NAME.expected byte for
// byte. Run with UPDATE_GOLDEN=1 to (re)write the .expected files, then read every changed
// file: a golden is only as good as the message it freezes.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics, type Diagnostic } from '../../grammar/index.js';

export type GoldenCheck = (source: string, file: string) => Diagnostic[];

const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

/** The text a golden file holds for these diagnostics. */
export function renderGolden(diagnostics: readonly Diagnostic[], source: string): string {
  return diagnostics.length === 0 ? '(no diagnostics)\n' : `${formatDiagnostics(diagnostics, source)}\n`;
}

export interface GoldenOptions {
  /** Require at least this many cases in the folder (guards against an empty glob). */
  minCases?: number;
  /** Require every case to report at least one error (true for bad/ folders). */
  expectErrors?: boolean;
}

/**
 * Registers one vitest test per NAME.opt in `dir`. Diagnostics name the file by its base
 * name, so goldens do not depend on where the repository is checked out.
 */
export function runGoldenDir(dir: string, check: GoldenCheck, options: GoldenOptions = {}): void {
  const cases = readdirSync(dir)
    .filter((f) => f.endsWith('.opt'))
    .sort();
  describe(`golden ${basename(dir)}`, () => {
    it('has enough cases', () => {
      expect(cases.length).toBeGreaterThanOrEqual(options.minCases ?? 1);
    });
    for (const file of cases) {
      it(file, () => {
        const source = readFileSync(join(dir, file), 'utf8');
        const diagnostics = check(source, file);
        if (options.expectErrors === true) expect(diagnostics.some((d) => d.severity === 'error')).toBe(true);
        const actual = renderGolden(diagnostics, source);
        const expectedPath = join(dir, file.replace(/\.opt$/, '.expected'));
        if (UPDATE || !existsSync(expectedPath)) {
          if (!UPDATE) throw new Error(`${expectedPath} is missing; run with UPDATE_GOLDEN=1 to create it`);
          writeFileSync(expectedPath, actual);
          return;
        }
        expect(actual).toBe(readFileSync(expectedPath, 'utf8'));
      });
    }
  });
}
