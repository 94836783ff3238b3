// The formatter: canonical layout, idempotent, comments preserved (same texts, same order).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { format, parse, printProgram } from '../../grammar/index.js';
import { program } from './arbitrary.js';

const goodDir = fileURLToPath(new URL('./good', import.meta.url));
const goods = readdirSync(goodDir).filter((f) => f.endsWith('.opt'));

function commentTexts(source: string): string[] {
  return parse(source, 'c.opt').program!.comments.map((c) => c.text);
}

function formatted(source: string): string {
  const r = format(source, 'f.opt');
  if (r.text === null) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.text;
}

/** Puts a comment at the end of some lines and on lines of its own, as people do. */
function sprinkleComments(text: string, picks: number[]): string {
  const lines = text.split('\n');
  picks.forEach((p, k) => {
    const i = p % Math.max(1, lines.length);
    if (k % 3 === 0) lines.splice(i, 0, `// note ${k}`);
    else if (k % 3 === 1) lines[i] = `${lines[i]} // tail ${k}`;
    else lines[i] = `${lines[i]} /* b${k} */`;
  });
  return lines.join('\n');
}

describe('formatter', () => {
  for (const file of goods) {
    it(`is idempotent and keeps comments: ${file}`, () => {
      const source = readFileSync(join(goodDir, file), 'utf8');
      const once = formatted(source);
      expect(formatted(once)).toBe(once);
      expect(commentTexts(once)).toEqual(commentTexts(source));
      expect(parse(once, 'f.opt').program).not.toBeNull();
    });
  }

  it('lays out a compact file canonically', () => {
    const src =
      'data{J:int;y:real[J]}\nparam   mu : real\nmodel{mu~Normal(0,5)\n\n\n  y~Normal(mu,1)}\nminimize (a+b)*c^(2)   over x,y\n';
    expect(formatted(src)).toBe(
      'data {\n  J: int\n  y: real[J]\n}\nparam mu: real\nmodel {\n  mu ~ Normal(0, 5)\n\n  y ~ Normal(mu, 1)\n}\nminimize (a + b) * c^2 over x, y\n',
    );
  });

  it('keeps a comment after a block opener on that line', () => {
    const src = 'data from "d.json" {   // default source\n  A: real[m, n]   // shape\n}\n';
    expect(formatted(src)).toBe('data from "d.json" { // default source\n  A: real[m, n] // shape\n}\n');
  });

  it('does not reformat a file with errors', () => {
    const r = format('minimise x', 'f.opt');
    expect(r.text).toBeNull();
    expect(r.diagnostics.length).toBeGreaterThan(0);
  });

  it('is idempotent and keeps comments on random programs', () => {
    fc.assert(
      fc.property(program, fc.array(fc.nat(), { maxLength: 6 }), (p, picks) => {
        const source = sprinkleComments(printProgram(p), picks);
        const r = parse(source, 'r.opt');
        // A comment spliced into a line that ends inside an expression can make it invalid
        // (`a // x` then `+ b`); such inputs say nothing about the formatter.
        fc.pre(r.program !== null);
        const once = formatted(source);
        expect(formatted(once)).toBe(once);
        expect(commentTexts(once)).toEqual(commentTexts(source));
      }),
      { numRuns: 300 },
    );
  });
});
