// Well-formed input: every good/*.opt and every examples/**/*.opt parses without a single
// diagnostic, operators bind as documented, and the AST carries the spans and shapes the
// compiler relies on.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, type Expr, type Program, type Stmt } from '../../grammar/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function optFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return optFiles(p);
    return name.endsWith('.opt') ? [p] : [];
  });
}

function parseOk(source: string, file = 'test.opt'): Program {
  const r = parse(source, file);
  expect(r.diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.message}`)).toEqual([]);
  return r.program!;
}

describe('good files parse without diagnostics', () => {
  const files = [...optFiles(join(root, 'tests/grammar/good')), ...optFiles(join(root, 'examples'))];
  it('finds the corpus', () => {
    expect(files.length).toBeGreaterThanOrEqual(14);
  });
  for (const file of files) {
    it(relative(root, file), () => {
      parseOk(readFileSync(file, 'utf8'), relative(root, file));
    });
  }
});

/** Fully parenthesised rendering, to state precedence and associativity in tests. */
function sexpr(e: Expr): string {
  switch (e.kind) {
    case 'Number':
      return e.raw;
    case 'Ident':
      return e.name;
    case 'Bool':
      return String(e.value);
    case 'String':
      return JSON.stringify(e.value);
    case 'Unary':
      return `(${e.op}${sexpr(e.operand)})`;
    case 'Binary':
      return `(${sexpr(e.left)} ${e.op} ${sexpr(e.right)})`;
    case 'Compare':
      return `(${e.operands.map((o, i) => (i === 0 ? '' : ` ${e.ops[i - 1]} `) + sexpr(o)).join('')})`;
    case 'Range':
      return `(${sexpr(e.start)}${e.inclusive ? '..=' : '..'}${sexpr(e.end)})`;
    case 'If':
      return `(if ${sexpr(e.cond)} ${sexpr(e.then)} ${sexpr(e.else)})`;
    case 'Call':
      return `${e.callee.name}(${e.args.map((a) => (a.name ? `${a.name.name}=` : '') + sexpr(a.value)).join(', ')})`;
    case 'Index':
      return `${sexpr(e.target)}[${e.indices.map((i) => (i.kind === 'Slice' ? `${i.start ? sexpr(i.start) : ''}:${i.end ? sexpr(i.end) : ''}` : sexpr(i))).join(', ')}]`;
    case 'Vector':
      return `[${e.elements.map(sexpr).join(', ')}]`;
    case 'Matrix':
      return `[${e.rows.map((r) => r.map(sexpr).join(', ')).join('; ')}]`;
    case 'Block':
      return `{${sexpr(e.result)}}`;
  }
}

function expr(text: string): Expr {
  const p = parseOk(`let e = ${text}\n`);
  const s = p.body[0]!;
  if (s.kind !== 'Let') throw new Error('expected a let');
  return s.value;
}

describe('operator precedence and associativity', () => {
  const table: [string, string][] = [
    ['-x^2', '(-(x ^ 2))'],
    ['2^3^2', '(2 ^ (3 ^ 2))'],
    ['x^-1', '(x ^ (-1))'],
    ['(-x)^2', '((-x) ^ 2)'],
    ['!a && b', '((!a) && b)'],
    ['a - b - c', '((a - b) - c)'],
    ['a / b * c', '((a / b) * c)'],
    ['A @ x - b', '((A @ x) - b)'],
    ['a + b * c % d', '(a + ((b * c) % d))'],
    ['0..n-1', '(0..(n - 1))'],
    ['1..=n', '(1..=n)'],
    ['a + 1 < b * 2', '((a + 1) < (b * 2))'],
    ['0 <= x <= 10', '(0 <= x <= 10)'],
    ['a < b && c > d || e', '(((a < b) && (c > d)) || e)'],
    ['a || b && c', '(a || (b && c))'],
    ['if a then b else c + 1', '(if a b (c + 1))'],
    ['if a then b else if c then d else e', '(if a b (if c d e))'],
    ['x[0]^2', '(x[0] ^ 2)'],
    ['X[:, 0]', 'X[:, 0]'],
    ['x[1:]', 'x[1:]'],
    ['x[:n-1]', 'x[:(n - 1)]'],
    ['x[-1]', 'x[(-1)]'],
    ['[1, 2; 3, 4]', '[1, 2; 3, 4]'],
    ['[a, -b]', '[a, (-b)]'],
    ['f(x)[0]', 'f(x)[0]'],
    ['adam(lr = 0.02)', 'adam(lr=0.02)'],
    ['sum(x, axis = 0)', 'sum(x, axis=0)'],
    ['1e-8 + .5', '(1e-8 + .5)'],
    ['a != b', '(a != b)'],
  ];
  for (const [src, want] of table) {
    it(src, () => {
      expect(sexpr(expr(src))).toBe(want);
    });
  }
});

describe('newlines', () => {
  it('continue an expression across a line break after an operator or before most operators', () => {
    const p = parseOk('minimize a +\n  b\n  * c\n  + d\n');
    const s = p.body[0]!;
    expect(s.kind === 'Optimize' && sexpr(s.objective)).toBe('((a + (b * c)) + d)');
  });
  it('ignore line breaks inside parentheses and brackets', () => {
    const p = parseOk('infer vi(\n  steps = 10,\n  tol = 1e-6,\n)\nlet M = [1, 2;\n  3, 4]\n');
    expect(p.body.map((s) => s.kind)).toEqual(['Infer', 'Let']);
  });
  it('end the statement before a line that starts with -', () => {
    const p = parseOk('subject to {\n  x <= 1\n  -x <= 0\n}\n');
    const s = p.body[0]!;
    expect(s.kind === 'SubjectTo' && s.constraints.length).toBe(2);
  });
  it('accept ; as a separator', () => {
    expect(parseOk('let a = 1; let b = 2').body).toHaveLength(2);
  });
});

describe('AST shape', () => {
  function first(src: string): Stmt {
    return parseOk(src).body[0]!;
  }

  it('puts 1-based, end-exclusive spans on nodes', () => {
    const s = first('var x: real[n] >= 0\n');
    expect(s.span).toMatchObject({ line: 1, col: 1, endLine: 1, endCol: 20, start: 0, end: 19 });
    if (s.kind !== 'Var') throw new Error();
    const d = s.decls[0]!;
    expect(d.name).toMatchObject({ kind: 'Ident', name: 'x', span: { col: 5, endCol: 6 } });
    expect(d.type.domain).toMatchObject({ kind: 'Bound', op: '>=' });
  });

  it('turns target += into TargetAdd and keeps other assignments', () => {
    const s = first('model {\n  target += f(x)\n  state h = 0\n  h += 1\n}\n');
    expect(s.kind === 'Model' && s.body.map((b) => b.kind)).toEqual(['TargetAdd', 'State', 'Assign']);
  });

  it('reads sampling statements with estimator annotations', () => {
    const s = first('guide {\n  z ~ Bernoulli(p) via reinforce(baseline = mean)\n}\n');
    if (s.kind !== 'Guide') throw new Error();
    const z = s.body[0]!;
    expect(z.kind).toBe('Sample');
    if (z.kind === 'Sample') expect(z.via && sexpr(z.via)).toBe('reinforce(baseline=mean)');
  });

  it('reads a where clause with its own constraints', () => {
    const s = first('where w = argmin(w) { let r = A @ w; sumsq(r) } subject to { w >= 0 }\n');
    if (s.kind !== 'Where') throw new Error();
    expect(s.body.body.map((b) => b.kind)).toEqual(['Let']);
    expect(sexpr(s.body.result)).toBe('sumsq(r)');
    expect(s.constraints).toHaveLength(1);
  });

  it('treats contextual keywords as names where no keyword is expected', () => {
    const s = first('infer vi(guide = full_rank, objective = elbo, model = m, data = d)\n');
    expect(s.kind === 'Infer' && s.args?.map((a) => a.name?.name)).toEqual(['guide', 'objective', 'model', 'data']);
  });

  it('distinguishes `solve m` from `solve m()`', () => {
    const p = parseOk('solve lbfgs\nsolve lbfgs()\n');
    expect(p.body.map((s) => (s.kind === 'Solve' ? s.args : 'x'))).toEqual([null, []]);
  });

  it('keeps number spellings and decodes strings', () => {
    const s = first('import "a\\"b\\\\c.opt"\n');
    expect(s.kind === 'Import' && s.path).toBe('a"b\\c.opt');
    const n = expr('1e-9');
    expect(n).toMatchObject({ kind: 'Number', raw: '1e-9', value: 1e-9, isInt: false });
  });

  it('collects comments', () => {
    const p = parseOk('// one\nlet a = 1 /* two */\n');
    expect(p.comments.map((c) => [c.text, c.block])).toEqual([
      ['// one', false],
      ['/* two */', true],
    ]);
  });
});
