// Property: any well-formed AST, printed and parsed again, comes back unchanged (ignoring
// spans). This pins the printer's parenthesisation to the parser's precedence and the
// layout pass's newline rules to what the printer emits.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, printExpr, printProgram } from '../../grammar/index.js';
import type { Expr } from '../../grammar/ast.js';
import { expr, program, stripSpans } from './arbitrary.js';

function reparseExpr(e: Expr): unknown {
  const text = `let probe = ${printExpr(e)}\n`;
  const r = parse(text, 'probe.opt');
  if (r.program === null) throw new Error(`did not parse:\n${text}\n${r.diagnostics.map((d) => d.message).join('\n')}`);
  const first = r.program.body[0];
  return first?.kind === 'Let' ? stripSpans(first.value) : first;
}

describe('print -> parse round trip', () => {
  it('expressions', () => {
    fc.assert(
      fc.property(expr, (e) => {
        expect(reparseExpr(e)).toEqual(stripSpans(e));
      }),
      { numRuns: 1000 },
    );
  });

  it('programs', () => {
    fc.assert(
      fc.property(program, (p) => {
        const text = printProgram(p);
        const r = parse(text, 'probe.opt');
        if (r.program === null)
          throw new Error(
            `did not parse:\n${text}\n${r.diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.message}`).join('\n')}`,
          );
        expect(stripSpans(r.program)).toEqual(stripSpans(p));
        // Printing is a fixed point: the reparsed program prints to the same text.
        expect(printProgram(r.program)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});
