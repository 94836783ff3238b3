// Higher-order derivatives: grad of grad of grad through tanh, exp, sigmoid, logsumexp and scan
// (closed forms and finite differences of AD second derivatives), jacobian and hessian against
// finite differences, and the graph-level transforms jvpGraph/vjpGraph (also composed).

import { describe, expect, it } from 'vitest';
import { ops as P, grad, hvp, jacobian, hessian, jvpGraph, vjpGraph, runRef, trace } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/ir/tracer.js';
import { compile } from '../helpers/run.js';
import { assertClose, derivative1, directional, gradient, jacobianColumns, rng, uniformVec } from '../helpers/fd.js';

type S = (x: Tracer) => Tracer;
/** The n-th derivative of a scalar function, elementwise over a vector (f is elementwise). */
const nth = (f: S, n: number): S => (n === 0 ? f : nth((x) => grad((u) => P.sum(f(u)))(x), n - 1));

const xs = Float64Array.of(-1.7, -0.4, 0.05, 0.9, 2.2);
const sig = (x: number) => 1 / (1 + Math.exp(-x));

const cases: [string, S, (x: number) => number[]][] = [
  [
    'tanh',
    (x) => P.tanh(x),
    (x) => {
      const t = Math.tanh(x),
        s = 1 - t * t;
      return [s, -2 * t * s, -2 * s * (1 - 3 * t * t)];
    },
  ],
  ['exp', (x) => P.exp(x), (x) => [Math.exp(x), Math.exp(x), Math.exp(x)]],
  [
    'sigmoid',
    (x) => P.sigmoid(x),
    (x) => {
      const s = sig(x),
        d = s * (1 - s);
      return [d, d * (1 - 2 * s), d * (1 - 6 * s + 6 * s * s)];
    },
  ],
  [
    'softplus',
    (x) => P.softplus(x),
    (x) => {
      const s = sig(x),
        d = s * (1 - s);
      return [s, d, d * (1 - 2 * s)];
    },
  ],
  ['sin', (x) => P.sin(x), (x) => [Math.cos(x), -Math.sin(x), -Math.cos(x)]],
];

describe('grad of grad of grad', () => {
  it.each(cases)(
    '%s: first, second and third derivatives = closed form; third = FD of the AD second',
    (_n, f, want) => {
      for (let order = 1; order <= 3; order++) {
        const d = compile(nth(f, order), [[5]]).run(xs)[0]!;
        assertClose(
          d,
          xs.map((x) => want(x)[order - 1]!),
          `order ${order} vs closed form`,
          1e-12,
          1e-10,
        );
      }
      const d2 = compile(nth(f, 2), [[5]]);
      const d3 = compile(nth(f, 3), [[5]]).run(xs)[0]!;
      assertClose(
        d3,
        directional((x) => d2.run(x)[0]!, xs, new Float64Array(5).fill(1)),
        'third derivative vs FD of the second',
      );
    },
  );

  it('sin to fourth order', () => {
    assertClose(
      compile(
        nth((x) => P.sin(x), 4),
        [[5]],
      ).run(xs)[0]!,
      xs.map(Math.sin),
      'd4 sin',
      1e-12,
      1e-10,
    );
  });

  it('logsumexp: third directional derivative = sum p (v - <p, v>)^3, and its gradient = FD of the AD second', () => {
    const r = rng(3);
    const x = uniformVec(r, 4, -2, 2),
      v = uniformVec(r, 4, -1, 1);
    // q(x) = v^T H(x) v by grad of grad; g3(x) = grad q (third order).
    const q = (vv: Tracer) => (u: Tracer) =>
      P.sum(P.mul(grad((w) => P.sum(P.mul(grad((z: Tracer) => P.logsumexp(z))(w), vv)))(u), vv));
    const qG = compile((a, vv) => q(vv!)(a!), [[4], [4]]);
    const g3 = compile((a, vv) => grad(q(vv!))(a!), [[4], [4]]).run(x, v)[0]!;
    assertClose(
      g3,
      gradient((y) => qG.run(y, v)[0]![0]!, x),
      'grad of v^T H v vs finite differences',
    );
    const m = Math.max(...x),
      e = x.map((xi) => Math.exp(xi - m)),
      z = e.reduce((a, b) => a + b);
    const p = e.map((ei) => ei / z),
      mean = p.reduce((a, pi, i) => a + pi * v[i]!, 0);
    const d3 = p.reduce((a, pi, i) => a + pi * (v[i]! - mean) ** 3, 0);
    assertClose([g3.reduce((a, gi, i) => a + gi * v[i]!, 0)], [d3], 'D^3 lse [v, v, v] vs closed form', 1e-12, 1e-10);
  });

  it('scan: third derivative of a recursion in its parameter = FD of the AD second derivative', () => {
    const data = Float64Array.of(0.5, -0.3, 0.8, 0.1, -0.6, 0.4);
    const f = (a: Tracer) =>
      P.scan(([c], [x]) => [[P.tanh(P.add(P.mul(a, c!), x!))], []], [P.constant(0.2)], [P.constant(data)]).carry[0]!;
    const d1 = (a: Tracer) => grad(f)(a);
    const d2 = (a: Tracer) => grad(d1)(a);
    const d3 = (a: Tracer) => grad(d2)(a);
    const a0 = Float64Array.of(0.7);
    const val = compile(f, [[]]);
    const D2 = compile(d2, [[]]);
    assertClose(
      compile(d1, [[]]).run(a0)[0]!,
      derivative1((t) => val.run([0.7 + t])[0]!),
      'scan d1 vs FD',
    );
    assertClose(
      D2.run(a0)[0]!,
      derivative1((t) => compile(d1, [[]]).run([0.7 + t])[0]!),
      'scan d2 vs FD of d1',
    );
    assertClose(
      compile(d3, [[]]).run(a0)[0]!,
      derivative1((t) => D2.run([0.7 + t])[0]!),
      'scan d3 vs FD of d2',
    );
  });
});

describe('jacobian and hessian', () => {
  const r = rng(11);
  const f = (x: Tracer, A: Tracer) => P.tanh(P.matmul(A, P.sin(x))); // R^3 -> R^2 (A is [2, 3])
  const x = uniformVec(r, 3, -1, 1),
    A = uniformVec(r, 6, -1, 1);

  it('jacobian with respect to each argument matches finite differences', () => {
    const J0 = compile((a, b) => jacobian(f, 0)(a!, b!), [[3], [2, 3]]);
    const J1 = compile((a, b) => jacobian(f, 1)(a!, b!), [[3], [2, 3]]);
    expect(J0.graph.outAvals[0]!.shape).toEqual([2, 3]);
    expect(J1.graph.outAvals[0]!.shape).toEqual([2, 2, 3]);
    const val = compile(f, [[3], [2, 3]]);
    const cols0 = jacobianColumns((y) => val.run(y, A)[0]!, x);
    const cols1 = jacobianColumns((B) => val.run(x, B)[0]!, A);
    // Columns are per input coordinate; the jacobian is [out..., in...] row-major.
    assertClose(
      J0.run(x, A)[0]!,
      Float64Array.from({ length: 6 }, (_, k) => cols0[k % 3]![Math.floor(k / 3)]!),
      'jacobian wrt x',
    );
    assertClose(
      J1.run(x, A)[0]!,
      Float64Array.from({ length: 12 }, (_, k) => cols1[k % 6]![Math.floor(k / 6)]!),
      'jacobian wrt A',
    );
  });

  it('hessian matches finite differences of the AD gradient and the closed form of a quadratic-plus-logsumexp', () => {
    const F = (y: Tracer) =>
      P.add(P.logsumexp(P.mul(y, P.constant([1, -2, 0.5]))), P.sum(P.mul(P.square(y), P.constant([0.5, 1, 1.5]))));
    const H = compile((y) => hessian(F)(y!), [[3]]).run(x)[0]!;
    const g = compile((y) => grad(F)(y!), [[3]]);
    const cols = jacobianColumns((y) => g.run(y)[0]!, x);
    assertClose(
      H,
      Float64Array.from({ length: 9 }, (_, k) => cols[k % 3]![Math.floor(k / 3)]!),
      'hessian vs FD of gradient',
    );
    const c = [1, -2, 0.5],
      d = [1, 2, 3];
    const e = x.map((xi, i) => Math.exp(c[i]! * xi)),
      z = e.reduce((a, b) => a + b),
      p = e.map((ei) => ei / z);
    const want = Float64Array.from({ length: 9 }, (_, k) => {
      const i = Math.floor(k / 3),
        j = k % 3;
      return c[i]! * c[j]! * ((i === j ? p[i]! : 0) - p[i]! * p[j]!) + (i === j ? d[i]! : 0);
    });
    assertClose(H, want, 'hessian vs closed form', 1e-12, 1e-12);
    // Symmetric, and consistent with hvp.
    const hv = compile((y, v) => hvp(F, [y!], [v!])[0]!, [[3], [3]]).run(x, [0.3, -1, 2])[0]!;
    assertClose(
      hv,
      [0, 1, 2].map((i) => H[3 * i]! * 0.3 - H[3 * i + 1]! + 2 * H[3 * i + 2]!),
      'hvp vs hessian rows',
      1e-13,
      1e-13,
    );
  });
});

describe('graph-level transforms', () => {
  const r = rng(23);
  const g = trace((x, y) => [P.mul(P.sin(x), P.exp(P.sum(y))), P.logsumexp(P.add(x, y))], [[3], [3]]);
  const run = (graph: ReturnType<typeof trace>, ...ins: Float64Array[]) =>
    runRef(
      graph,
      ins.map((d, i) => ({ data: d, shape: graph.inputs[i]!.aval.shape })),
    ).map((o) => Float64Array.from(o.data));
  const x = uniformVec(r, 3, -1, 1),
    y = uniformVec(r, 3, -1, 1);
  const flat = (o: Float64Array[]) => Float64Array.from(o.flatMap((a) => [...a]));

  it('jvpGraph: [primals, tangents of active inputs] -> [outputs, tangents] matches finite differences', () => {
    const jg = jvpGraph(g, [true, false]);
    expect(jg.inputs.length).toBe(3);
    expect(jg.outputs.length).toBe(4);
    const v = uniformVec(r, 3, -1, 1);
    const outs = run(jg, x, y, v);
    assertClose(flat(outs.slice(0, 2)), flat(run(g, x, y)), 'primal outputs', 1e-15, 1e-15);
    assertClose(
      flat(outs.slice(2)),
      directional((u) => flat(run(g, u, y)), x, v),
      'tangents vs finite differences',
    );
  });

  it('vjpGraph: [primals, output cotangents] -> [outputs, input cotangents] matches finite differences', () => {
    const vg = vjpGraph(g, [true, true]);
    const c0 = uniformVec(r, 3, -1, 1),
      c1 = Float64Array.of(0.7);
    const outs = run(vg, x, y, c0, c1);
    const F = (u: Float64Array, w: Float64Array) => {
      const [a, b] = run(g, u, w);
      return a!.reduce((s, ai, i) => s + ai * c0[i]!, 0) + b![0]! * 0.7;
    };
    assertClose(
      outs[2]!,
      gradient((u) => F(u, y), x),
      'cotangent of x vs FD',
    );
    assertClose(
      outs[3]!,
      gradient((w) => F(x, w), y),
      'cotangent of y vs FD',
    );
  });

  it('composed: vjpGraph of jvpGraph gives second derivatives (Hessian-vector products) matching FD', () => {
    const s = trace((u) => P.logsumexp(P.mul(P.sin(u), 2)), [[3]]);
    const jg = jvpGraph(s, [true]); // (u, du) -> (f, df)
    const vg = vjpGraph(jg, [true, false]); // (u, du, cf, cdf) -> (f, df, u_bar)
    const du = uniformVec(r, 3, -1, 1);
    const outs = run(vg, x, du, Float64Array.of(0), Float64Array.of(1));
    const gradG = vjpGraph(s, [true]);
    const gradAt = (u: Float64Array) => run(gradG, u, Float64Array.of(1))[1]!;
    assertClose(outs[2]!, directional(gradAt, x, du), 'H du via vjpGraph(jvpGraph) vs FD of the gradient');
    // And jvpGraph of jvpGraph: the second directional derivative.
    const jj = jvpGraph(jg, [true, false]); // (u, du, ddu) -> (f, df, df', ddf)
    const o2 = run(jj, x, du, du);
    const hdu = outs[2]!;
    assertClose(o2[3]!, [hdu.reduce((a, h, i) => a + h * du[i]!, 0)], 'du^T H du via jvpGraph(jvpGraph)', 1e-12, 1e-12);
  });
});
