// Properties of the parser on arbitrary input: it never throws, every error comes back as a
// diagnostic with a position inside the file, a program is returned exactly when there is no
// error, and time grows linearly with input size (checked with a wide margin, since a
// quadratic parser would be 64x slower at 8x the size; the bound allows 24x).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, type Diagnostic } from '../../grammar/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const goodDir = join(here, 'good');
const corpus = readdirSync(goodDir)
  .filter((f) => f.endsWith('.opt'))
  .map((f) => readFileSync(join(goodDir, f), 'utf8'));

function lineCount(s: string): number {
  let n = 1;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

/** The invariants every parse result must satisfy, whatever the input. */
function checkResult(source: string): Diagnostic[] {
  const r = parse(source, 'fuzz.opt');
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  expect(r.program === null).toBe(errors.length > 0);
  const lines = lineCount(source);
  for (const d of r.diagnostics) {
    expect(d.message).not.toMatch(/internal error/);
    expect(d.span.file).toBe('fuzz.opt');
    expect(d.span.line).toBeGreaterThanOrEqual(1);
    expect(d.span.col).toBeGreaterThanOrEqual(1);
    expect(d.span.line).toBeLessThanOrEqual(lines);
    expect(d.span.start).toBeLessThanOrEqual(d.span.end);
    expect(d.span.end).toBeLessThanOrEqual(source.length);
  }
  return r.diagnostics;
}

const SNIPPETS = [
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  '=',
  '==',
  '~',
  '-',
  '"',
  '/*',
  '*/',
  '//',
  '\n',
  ';',
  ',',
  ':',
  '..',
  '^',
  'model',
  'subject to',
  'where',
  'for i in',
  'let',
  'state',
  'if',
  'then',
  'else',
  '@',
  'param',
  '∼',
  '\t',
  'via',
];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({ maxLength: 4 })),
  }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
);

interface Mutation {
  kind: 'delete' | 'insert' | 'duplicate';
  at: number;
  len?: number;
  text?: string;
}

function mutate(source: string, ms: Mutation[]): string {
  let s = source;
  for (const m of ms) {
    const at = s.length === 0 ? 0 : m.at % (s.length + 1);
    if (m.kind === 'delete') s = s.slice(0, at) + s.slice(at + (m.len ?? 1));
    else if (m.kind === 'insert') s = s.slice(0, at) + (m.text ?? '') + s.slice(at);
    else s = s.slice(0, at) + s.slice(at, at + (m.len ?? 1)) + s.slice(at);
  }
  return s;
}

describe('parser robustness', () => {
  it('never throws on random strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => void checkResult(s)),
      { numRuns: 400 },
    );
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        (bytes) => void checkResult(Buffer.from(bytes).toString('latin1')),
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on token soup', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...SNIPPETS, 'x', '1', ' '), { maxLength: 80 }),
        (parts) => void checkResult(parts.join(' ')),
      ),
      { numRuns: 400 },
    );
  });

  it('reports diagnostics for mutated good files, never throws', () => {
    fc.assert(
      fc.property(fc.constantFrom(...corpus), fc.array(mutation, { minLength: 1, maxLength: 4 }), (source, ms) => {
        checkResult(mutate(source, ms));
      }),
      { numRuns: 400 },
    );
  });

  it('reports several errors in one file', () => {
    const src = 'var x: real\nminimise x\nlet a = (1, 2)\nsubject to { x = 1 }\nlet b = 1 +\n';
    const errors = checkResult(src).filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.span.line)).toEqual([2, 3, 4, 5]);
  });
});

/** Deterministic pseudo-random text, so the timing inputs are the same on every run. */
function garbage(n: number, seed: number): string {
  const alphabet = 'abc xyz_019 (){}[]=~-+*/^<>!&|.,;:"\n\t#@%model let for in if then else subject to minimize ';
  let s = seed;
  let out = '';
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    out += alphabet[s % alphabet.length];
  }
  return out;
}

/** Best-of-3 times for two inputs, measured alternately so both see the same machine load. */
function bestTimes(a: string, b: string): [number, number] {
  let ta = Number.POSITIVE_INFINITY;
  let tb = Number.POSITIVE_INFINITY;
  for (let k = 0; k < 3; k++) {
    let t0 = performance.now();
    parse(a, 'size.opt');
    ta = Math.min(ta, performance.now() - t0);
    t0 = performance.now();
    parse(b, 'size.opt');
    tb = Math.min(tb, performance.now() - t0);
  }
  return [ta, tb];
}

function repeatTo(unit: string, n: number): string {
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
}

describe('parser time is linear in input size', () => {
  const good = corpus.join('\n');
  const inputs: [string, (n: number) => string][] = [
    ['random text', (n) => garbage(n, 42)],
    ['mutated good files', (n) => repeatTo(good.replace(/\)/g, '').replace(/=/g, '= ='), n)],
    ['unclosed calls inside blocks', (n) => repeatTo(`model { ${'f('.repeat(30)} }\n`, n)],
    ['stray closers', (n) => repeatTo(')) ]] }} ;\n', n)],
    ['one long line of names', (n) => repeatTo('a b ', n)],
    ['sampling soup', (n) => repeatTo('x ~ ~ = == [1, 2; ', n)],
    ['unterminated strings', (n) => repeatTo('let s = "abc\n', n)],
    ['top-level lines starting with -', (n) => repeatTo('- x\n', n)],
    ['junk inside blocks', (n) => repeatTo('model { = = = ; ) ] = }\n', n)],
    ['deep unclosed brackets at the end', (n) => repeatTo('let a = 1\n', n - 60) + 'let b = ' + '[('.repeat(15)],
  ];
  for (const [name, make] of inputs) {
    // Retried: a timing can lose to a burst of load from other processes; a parser that is
    // really quadratic fails every attempt.
    it(name, { retry: 2 }, () => {
      const small = make(16_000);
      const large = make(128_000);
      parse(small, 'warmup.opt');
      const [ts, tl] = bestTimes(small, large);
      // 8x the input: linear takes ~8x the time, quadratic ~64x. Allow 24x for noise (garbage
      // collection, other processes on the machine) and a floor for inputs too fast to time.
      expect(tl).toBeLessThan(Math.max(24 * ts, 200));
    });
  }
});
