// The shared diagnostics module: text rendering (position, excerpt, caret, hint) and the JSON
// form, independent of the parser so the compiler can rely on it.

import { describe, expect, it } from 'vitest';
import { DiagnosticBag, diagnosticToJSON, formatDiagnostic, LineMap, parse } from '../../grammar/index.js';

const source = 'var x: real\nminimize\tx ^ 2\n';
const map = new LineMap('f.opt', source);

describe('diagnostics', () => {
  it('renders file:line:col, the line, a caret under the span and the hint', () => {
    const bag = new DiagnosticBag();
    bag.warning(map.span(21, 26), 'unused power', 'drop it');
    expect(formatDiagnostic(bag.items[0]!, source)).toBe(
      [
        'f.opt:2:10: warning: unused power',
        ' 2 | minimize\tx ^ 2',
        ' \u0020 | \u0020       \t^~~~~',
        '  hint: drop it',
      ].join('\n'),
    );
  });

  it('renders a zero-width span as a single caret', () => {
    const bag = new DiagnosticBag();
    bag.error(map.span(11, 11), 'here');
    expect(formatDiagnostic(bag.items[0]!, source).split('\n')[2]).toBe('   |            ^');
  });

  it('gives JSON with exclusive ends and the hint only when present', () => {
    const bag = new DiagnosticBag();
    bag.note(map.span(4, 5), 'declared here');
    bag.error(map.span(12, 20), 'bad', 'fix');
    expect(bag.items.map(diagnosticToJSON)).toEqual([
      { severity: 'note', message: 'declared here', file: 'f.opt', line: 1, col: 5, endLine: 1, endCol: 6 },
      { severity: 'error', message: 'bad', file: 'f.opt', line: 2, col: 1, endLine: 2, endCol: 9, hint: 'fix' },
    ]);
    expect(bag.hasErrors()).toBe(true);
  });

  it('sorts by position', () => {
    const bag = new DiagnosticBag();
    bag.error(map.span(12, 13), 'second');
    bag.error(map.span(0, 1), 'first');
    expect(bag.sorted().map((d) => d.message)).toEqual(['first', 'second']);
  });

  it('is what the parser returns, with the file name as given', () => {
    const r = parse('let a = (1 + 2\n', 'dir/my file.opt');
    expect(r.diagnostics.map(diagnosticToJSON)).toEqual([
      {
        severity: 'error',
        message: 'expected `)` to close the parenthesis opened at 1:9',
        file: 'dir/my file.opt',
        line: 1,
        col: 15,
        endLine: 1,
        endCol: 15,
      },
    ]);
  });
});
