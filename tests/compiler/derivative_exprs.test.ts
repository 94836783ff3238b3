// Derivatives as expressions (compiler/front/builtins_derivative.ts): grad, jvp, hvp, jacobian
// and hessian written in `.opt` against the runtime's TypeScript transforms applied to the same
// function, and against float64 central differences, on a table of expressions; a grad inside a
// minimized objective (the solver differentiates it again); stop and straight_through; the
// checker's refusals. Points are evaluated through the REPL's point graphs.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { grad, hessian, hvp, jacobian, jvp, ops as P, runRef, trace, type Tracer } from '../../runtime/index.js';
import { check, compile, evaluateAt, letValue, pointGraph, run } from '../../index.js';

const A = [
  [1, 0.5, 0],
  [0.2, -1, 0.3],
  [0, 0.4, 2],
];
const X0 = [0.1, -0.2, 0.3];
const T0 = [0.7, -0.4, 1.1];
const At = P.constant; // (for the TS references below)

/** The program's helpers and, for each case, the same function of x in TypeScript. */
const HEAD = `data { A: real[3, 3]; t: real[3] }
var x: real[3]
fn f(z) = sum(exp(z)) + 0.5 * sumsq(z)
let y = A @ x
`;
const Af = () => At(A.flat(), 'float64', [3, 3]);
const fTs = (z: Tracer) => P.add(P.sum(P.exp(z)), P.mul(0.5, P.sumsq(z)));
const yTs = (x: Tracer) => P.matmul(Af(), x);

interface Case {
  expr: string;
  /** The same quantity from the TypeScript API, at x (and the direction t). */
  ts: (x: Tracer, t: Tracer) => Tracer;
  /** The quantity by central differences of the underlying function, from plain JS. */
  fd: (x: number[], t: number[]) => number[];
  /** Relative tolerance against the differences: differences of differences (second order) carry
   *  about 1e-6 of error (default 1e-6). */
  tol?: number;
}

const fJs = (z: number[]) => z.reduce((s, v) => s + Math.exp(v) + 0.5 * v * v, 0);
const yJs = (x: number[]) => A.map((r) => r.reduce((s, a, i) => s + a * x[i]!, 0));
const h = 1e-5;
const bump = (x: number[], i: number, d: number) => x.map((v, k) => (k === i ? v + d : v));
/** Central-difference gradient of a scalar function. */
const fdGrad = (F: (x: number[]) => number) => (x: number[]) =>
  x.map((_, i) => (F(bump(x, i, h)) - F(bump(x, i, -h))) / (2 * h));
/** Central-difference Jacobian (rows: outputs, columns: inputs), flat row-major. */
const fdJac = (F: (x: number[]) => number[]) => (x: number[]) => {
  const cols = x.map((_, i) => F(bump(x, i, h)).map((a, k) => (a - F(bump(x, i, -h))[k]!) / (2 * h)));
  return cols[0]!.flatMap((_, k) => cols.map((c) => c[k]!));
};
const gradF = (x: number[]) => fdGrad((z) => fJs(yJs(z)))(x);

const CASES: Case[] = [
  {
    expr: 'grad(f(y), x)',
    ts: (x) => grad((v: Tracer) => fTs(yTs(v)))(x),
    fd: (x) => gradF(x),
  },
  {
    expr: 'grad(f(y), y)',
    ts: (x) => grad(fTs)(yTs(x)),
    fd: (x) => fdGrad(fJs)(yJs(x)),
  },
  {
    expr: 'jvp(sin(y), x, t)',
    ts: (x, t) => jvp((v: Tracer) => P.sin(yTs(v)), [x], [t])[1][0]!,
    fd: (x, t) => {
      const F = (s: number) => yJs(x.map((v, i) => v + s * t[i]!)).map(Math.sin);
      return F(h).map((a, k) => (a - F(-h)[k]!) / (2 * h));
    },
  },
  {
    expr: 'hvp(f(y), x, t)',
    ts: (x, t) => hvp((v: Tracer) => fTs(yTs(v)), [x], [t])[0]!,
    fd: (x, t) => {
      const g = (s: number) => gradF(x.map((v, i) => v + s * t[i]!));
      return g(1e-4).map((a, k) => (a - g(-1e-4)[k]!) / 2e-4);
    },
    tol: 1e-5,
  },
  {
    expr: 'jacobian(sin(y) * x[0], x)',
    ts: (x) => jacobian((v: Tracer) => P.mul(P.sin(yTs(v)), P.index(v, 0, 0)))(x),
    fd: (x) => fdJac((z) => yJs(z).map((v) => Math.sin(v) * z[0]!))(x),
  },
  {
    expr: 'hessian(f(y), x)',
    ts: (x) => hessian((v: Tracer) => fTs(yTs(v)))(x),
    fd: (x) => fdJac(gradF)(x),
    tol: 1e-5,
  },
  {
    // several variables: one flat vector, x's gradient then y's (y held fixed for x, x for y)
    expr: 'grad(f(y) + dot(x, y), x, y)',
    ts: (x) => grad((v: Tracer, w: Tracer) => P.add(fTs(w), P.dot(v, w)), [0, 1])(x, yTs(x)),
    fd: (x) => [...yJs(x), ...fdGrad((w) => fJs(w) + w.reduce((s, v, i) => s + v * x[i]!, 0))(yJs(x))],
  },
  {
    // second order through nesting: the gradient of |grad f|^2
    expr: 'grad(sumsq(grad(f(y), x)), x)',
    ts: (x) => grad((v: Tracer) => P.sumsq(grad((u: Tracer) => fTs(yTs(u)))(v)))(x),
    fd: (x) => fdGrad((z) => gradF(z).reduce((s, v) => s + v * v, 0))(x),
    tol: 1e-5,
  },
];

describe('derivative expressions from .opt', () => {
  it('every case checks', () => {
    const src = HEAD + CASES.map((c, i) => `let c${i} = ${c.expr}`).join('\n') + '\nminimize sumsq(x)';
    expect(check({ source: src, file: 'd.opt' }).messages.map((m) => m.message)).toEqual([]);
  });

  it('match the TypeScript API and central differences', async () => {
    const src = HEAD + CASES.map((c, i) => `let c${i} = ${c.expr}`).join('\n') + '\nminimize sumsq(x)';
    const c = await compile({ source: src, file: 'd.opt' }, { data: { A, t: T0 } });
    const at = new Map([['x', Float64Array.from(X0)]]);
    for (const [i, k] of CASES.entries()) {
      const r = await evaluateAt(c, pointGraph(c, letValue(c.checked, `c${i}`)!), at);
      const g = trace((x: Tracer, t: Tracer) => k.ts(x, t), [[3], [3]]);
      const [ts] = runRef(g, [
        { data: Float64Array.from(X0), shape: [3] },
        { data: Float64Array.from(T0), shape: [3] },
      ]);
      expect([...r.value.shape], k.expr).toEqual([...ts!.shape]);
      Array.from(r.value.data).forEach((v, j) =>
        expect(v, `${k.expr} [${j}] vs the TS API`).toBeCloseTo(ts!.data[j]!, 12),
      );
      const fd = k.fd(X0, T0);
      Array.from(r.value.data).forEach((v, j) =>
        expect(Math.abs(v - fd[j]!) / Math.max(1, Math.abs(fd[j]!)), `${k.expr} [${j}] vs FD`).toBeLessThan(
          k.tol ?? 1e-6,
        ),
      );
    }
  });

  it('a grad inside a minimized objective: the solver differentiates it again', async () => {
    // |grad(sum(exp(x)) - b'x)|^2 is zero exactly at x = log(b); its gradient needs the Hessian.
    const b = [0.5, 2, 3];
    const r = await run(
      {
        source:
          'data { b: real[3] }\nvar x: real[3]\nminimize sumsq(grad(sum(exp(x)) - dot(b, x), x))\nsolve lbfgs(tol = 1e-12)',
        file: 'g.opt',
      },
      { data: { b } },
    );
    expect(r.status).toBe('converged');
    (r.values.x as number[]).forEach((v, i) => expect(v).toBeCloseTo(Math.log(b[i]!), 6));
  });

  it('stop has a zero gradient; straight_through has the value of its forward, the gradient of its surrogate', async () => {
    const src = `var x: real[3]
let s = grad(sum(stop(x) * x), x)
let v = straight_through(round(3 * x), 3 * x)
let g = grad(sum(straight_through(round(3 * x), 3 * x)^2), x)
minimize sumsq(x)`;
    const c = await compile({ source: src, file: 's.opt' });
    const at = new Map([['x', Float64Array.from([0.4, -0.45, 1.1])]]);
    const ev = async (n: string) =>
      Array.from((await evaluateAt(c, pointGraph(c, letValue(c.checked, n)!), at)).value.data);
    expect(await ev('s')).toEqual([0.4, -0.45, 1.1]);
    expect(await ev('v')).toEqual([1, -1, 3]);
    // d/dx (round(3x))^2 through the surrogate 3x: 2 round(3x) * 3
    expect(await ev('g')).toEqual([6, -6, 18]);
  });
});

describe('refusals', () => {
  const messages = (body: string) =>
    check({ source: `data { D: real[3]; n: int }\nvar x: real[3]\nlet k = 2\n${body}`, file: 'r.opt' }).messages.map(
      (m) => m.message,
    );
  const cases: [string, RegExp][] = [
    ['minimize sumsq(grad(x, x))', /`grad\(x, x\)`: x is \[3\], not a scalar; grad differentiates a scalar expression/],
    ['minimize sumsq(grad(sum(D * x), D))', /D is data; grad differentiates with respect to a var, a param/],
    [
      'minimize sumsq(grad(sum(x), 2 * x))',
      /grad differentiates with respect to a name, and `2 \* x` is an expression/,
    ],
    ['minimize sumsq(grad(sum(x), k))', /k is int; grad differentiates with respect to reals/],
    ['minimize sumsq(grad(sum(x), z))', /unknown name `z`/],
    ['minimize sumsq(hessian(x, x))', /x is \[3\], not a scalar; hessian/],
    ['minimize sum(jvp(x, x, [1, 2]))', /\[1, 2\]/],
  ];
  for (const [src, re] of cases)
    it(src, () => {
      expect(messages(src).join('\n')).toMatch(re);
    });
});

describe('docs/language.md: the derivative examples run', () => {
  const doc = readFileSync(fileURLToPath(new URL('../../docs/language.md', import.meta.url)), 'utf8');
  const examples = [...doc.matchAll(/```opt\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const find = (first: string) => {
    const e = examples.find((x) => x.startsWith(first));
    if (!e) throw new Error(`no example starting ${first}`);
    return e;
  };
  const b = [0.5, 2, 3];
  const s = Array.from({ length: 40 }, (_, i) => Math.sin(3.1 * i) * 2);

  it('a grad inside the objective reaches x = log(b)', async () => {
    const r = await run({ source: find('// |grad f|^2 is zero'), file: 'doc.opt' }, { data: { b } });
    expect(r.status).toBe('converged');
    (r.values.x as number[]).forEach((v, i) => expect(v).toBeCloseTo(Math.log(b[i]!), 6));
  });

  it('the prox example and the quantizer run without diagnostics', async () => {
    for (const [first, data] of [
      ['// a prox as the gradient', { y: [1.5, -0.3, 0.8, -2], u: [1, -1, 0.5, 0.2] }],
      ['// a learnable 1-d quantizer', { s }],
    ] as const) {
      const r = await run({ source: find(first), file: 'doc.opt' }, { data, seed: 1 });
      expect(
        r.messages.map((m) => m.message),
        first,
      ).toEqual([]);
      expect(['converged', 'max_steps'], first).toContain(r.status);
      expect(Number.isFinite(r.objective), first).toBe(true);
    }
  });
});
