// fixed_point, while_loop and custom_vjp. A contraction's fixed point is differentiated by the
// implicit function theorem in both modes and matches finite differences; the derivative graphs
// hold no unrolled iteration (their size is independent of maxIter and tol, and their only loops
// are fixed_point equations). while_loop: forward mode vs finite differences, and reverse mode
// fails with a clear error. custom_vjp: the user's bwd rule is what reverse mode uses, also under
// a second differentiation.

import { describe, expect, it } from 'vitest';
import { ops as P, grad, grads, jvp, hvp, trace } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/ir/tracer.js';
import { checkDerivatives } from '../helpers/ad_check.js';
import { compile, countEqns, primCounts } from '../helpers/run.js';
import { assertClose, directional, gradient, rng, uniformVec } from '../helpers/fd.js';

const r = rng(17);

/** x = 0.5 cos(x) + theta, elementwise (a contraction with constant 1/2). */
const cosFp =
  (opts: { tol?: number; maxIter?: number } = { tol: 1e-15 }) =>
  (th: Tracer) =>
    P.fixedPoint((x, t) => P.add(P.mul(0.5, P.cos(x)), t!), P.zerosLike(th), [th], opts);

/** x = tanh(W x + theta) with W captured by closure and ||W|| < 1 (a contraction). */
const tanhFp =
  (opts: { tol?: number; maxIter?: number } = { tol: 1e-15 }) =>
  (W: Tracer, th: Tracer) =>
    P.fixedPoint((x, t) => P.tanh(P.add(P.matmul(W, x), t!)), P.zerosLike(th), [th], opts);

describe('fixed_point', () => {
  it('scalar contraction: value, closed-form derivative and finite differences in both modes', () => {
    const th = Float64Array.of(0.3, -0.8, 1.1);
    const x = compile(cosFp(), [[3]]).run(th)[0]!;
    x.forEach((xi, i) => expect(Math.abs(xi - 0.5 * Math.cos(xi) - th[i]!)).toBeLessThan(1e-14));
    // dx/dtheta = 1 / (1 + 0.5 sin x): the implicit function theorem, elementwise.
    const g = compile((t) => grad((u) => P.sum(cosFp()(u)))(t), [[3]]).run(th)[0]!;
    assertClose(
      g,
      x.map((xi) => 1 / (1 + 0.5 * Math.sin(xi))),
      'grad vs closed form',
      1e-12,
      1e-12,
    );
    checkDerivatives(cosFp(), [[3]], [th]);
  });

  it('vector contraction x = tanh(W x + theta): derivatives in W and theta, both modes and second order', () => {
    const W = uniformVec(r, 9, -0.25, 0.25),
      th = uniformVec(r, 3, -1, 1);
    checkDerivatives(tanhFp(), [[3, 3], [3]], [W, th]);
  });

  it('the starting point gets no derivative', () => {
    const f = (x0: Tracer, th: Tracer) =>
      P.fixedPoint((x, t) => P.add(P.mul(0.5, P.cos(x)), t!), x0, [th], { tol: 1e-15 });
    const [g0, gth] = compile((a, b) => grads((u, v) => P.sum(f(u!, v!)))(a!, b!), [[2], [2]]).run(
      [0.1, 2],
      [0.4, -0.2],
    );
    expect(Array.from(g0!)).toEqual([0, 0]);
    assertClose(
      gth!,
      gradient(
        (t) => compile((a, b) => P.sum(f(a!, b!)), [[2], [2]]).run([0.1, 2], t)[0]![0]!,
        Float64Array.of(0.4, -0.2),
      ),
      'd/dtheta vs FD',
    );
  });

  it('no iteration is unrolled: derivative graphs do not depend on maxIter or tol, and their only loops are fixed points', () => {
    const graphs = (opts: { tol: number; maxIter: number }) => {
      const f = tanhFp(opts);
      return [
        compile((W, th) => grads((a, b) => P.sum(f(a!, b!)))(W!, th!), [[3, 3], [3]]).graph,
        compile((W, th, dW, dth) => jvp(f, [W!, th!], [dW!, dth!])[1][0]!, [[3, 3], [3], [3, 3], [3]]).graph,
        compile((W, th, v) => hvp((a, b) => P.sum(f(a!, b!)), [W!, th!], [P.zerosLike(W!), v!])[1]!, [[3, 3], [3], [3]])
          .graph,
      ];
    };
    const a = graphs({ tol: 1e-6, maxIter: 5 }),
      b = graphs({ tol: 1e-15, maxIter: 5000 });
    expect(a.map(countEqns)).toEqual(b.map(countEqns));
    for (const g of [...a, ...b]) {
      const prims = primCounts(g);
      expect(prims.has('scan')).toBe(false);
      expect(prims.has('while_loop')).toBe(false);
      expect(prims.get('fixed_point')).toBeGreaterThanOrEqual(2); // the primal and its linearized one
    }
    // maxIter is honoured at run time: 5 iterations from 0 are far from converged.
    const W = uniformVec(r, 9, -0.25, 0.25),
      th = uniformVec(r, 3, -1, 1);
    const x5 = compile(tanhFp({ tol: 1e-15, maxIter: 5 }), [[3, 3], [3]]).run(W, th)[0]!;
    const xInf = compile(tanhFp(), [[3, 3], [3]]).run(W, th)[0]!;
    expect(Math.max(...x5.map((v, i) => Math.abs(v - xInf[i]!)))).toBeGreaterThan(1e-6);
  });
});

describe('while_loop', () => {
  /** Newton's iteration for sqrt(a), run until converged (a data-dependent trip count). */
  const newtonSqrt = (a: Tracer) =>
    P.whileLoop(
      ([y]) => P.gt(P.max(P.abs(P.sub(P.square(y!), a))), 1e-15),
      ([y]) => [P.mul(0.5, P.add(y!, P.div(a, y!)))],
      [P.add(a, 1)],
      100,
    )[0]!;

  it('forward mode through a converged, data-dependent loop matches the derivative and finite differences', () => {
    const a = Float64Array.of(0.7, 2, 5.5),
      v = Float64Array.of(1, -0.5, 2);
    const y = compile(newtonSqrt, [[3]]).run(a)[0]!;
    assertClose(y, a.map(Math.sqrt), 'Newton sqrt value', 1e-14, 1e-14);
    const t = compile((x, dx) => jvp(newtonSqrt, [x!], [dx!])[1][0]!, [[3], [3]]).run(a, v)[0]!;
    assertClose(
      t,
      a.map((ai, i) => v[i]! / (2 * Math.sqrt(ai))),
      'jvp vs d sqrt',
      1e-12,
      1e-12,
    );
    assertClose(
      t,
      directional((x) => compile(newtonSqrt, [[3]]).run(x)[0]!, a, v),
      'jvp vs finite differences',
    );
  });

  it('forward mode through a counted loop with a captured parameter', () => {
    const f = (x: Tracer, c: Tracer) =>
      P.whileLoop(
        ([i]) => P.lt(i!, 7),
        ([i, y]) => [P.add(i!, 1), P.add(P.mul(c, P.sin(y!)), x)],
        [P.constant(0, 'int32'), P.zerosLike(x)],
        50,
      )[1]!;
    checkDerivatives(f, [[3], []], [uniformVec(r, 3, -1, 1), Float64Array.of(0.8)], {
      modes: { rev: false, fwd: true, order2: false },
    });
  });

  it('reverse mode is refused with a clear error', () => {
    expect(() => trace((a) => grad((x) => P.sum(newtonSqrt(x)))(a), [[3]])).toThrow(
      /while_loop has no reverse-mode derivative; use scan .* or fixed_point/,
    );
  });
});

describe('custom_vjp', () => {
  /** Identity forward, with a backward rule that clips cotangents to [-1, 1]. */
  const clipGrad = P.customVjp(
    (x) => [P.mul(x, 1)],
    (x) => ({ outs: [P.mul(x, 1)], residuals: [] }),
    (_res, [ct]) => [P.maximum(P.minimum(ct!, 1), -1)],
  );

  it('reverse mode uses the bwd rule (clipped gradient); forward mode differentiates fun', () => {
    const w = P.constant;
    const f = (x: Tracer) => P.sum(P.mul(clipGrad(x)[0]!, w([3, -0.5, -2])));
    const x = Float64Array.of(0.2, 0.4, -1);
    expect(Array.from(compile(f, [[3]]).run(x)[0]!)).toEqual([0.6 - 0.2 + 2]);
    expect(Array.from(compile((a) => grad(f)(a!), [[3]]).run(x)[0]!)).toEqual([1, -0.5, -1]);
    const t = compile((a, v) => jvp(f, [a!], [v!])[1][0]!, [[3], [3]]).run(x, [1, 1, 1])[0]!;
    expect(Array.from(t)).toEqual([3 - 0.5 - 2]);
  });

  /** fun = x^3 but bwd claims the derivative is s * cos(x), with s captured from the caller. */
  const fake = (s: Tracer) =>
    P.customVjp(
      (x) => [P.mul(x, P.square(x))],
      (x) => ({ outs: [P.mul(x, P.square(x))], residuals: [x] }),
      ([x], [ct]) => [P.mul(ct!, P.mul(s, P.cos(x!)))],
    );

  it('grad of grad goes through a differentiable bwd, including values it captures', () => {
    const x = Float64Array.of(0.3, -1.2),
      s = Float64Array.of(1.7);
    const g1 = (a: Tracer, sv: Tracer) => grad((u) => P.sum(fake(sv)(u)[0]!))(a);
    assertClose(
      compile(g1, [[2], []]).run(x, s)[0]!,
      x.map((v) => 1.7 * Math.cos(v)),
      'grad = bwd',
      1e-15,
      1e-15,
    );
    // d/dx of sum(grad): -s sin(x); d/ds of sum(grad): sum cos(x).
    const [gx, gs] = compile((a, sv) => grads((u, w) => P.sum(g1(u!, w!)))(a!, sv!), [[2], []]).run(x, s);
    assertClose(
      gx!,
      x.map((v) => -1.7 * Math.sin(v)),
      'grad of grad in x',
      1e-14,
      1e-14,
    );
    assertClose(gs!, [Math.cos(0.3) + Math.cos(-1.2)], 'grad of grad in the captured s', 1e-14, 1e-14);
    // Forward over reverse agrees.
    const hv = compile((a, v) => hvp((u) => P.sum(fake(P.constant(1.7))(u)[0]!), [a!], [v!])[0]!, [[2], [2]]).run(
      x,
      [1, 2],
    )[0]!;
    assertClose(hv, [-1.7 * Math.sin(0.3), -2 * 1.7 * Math.sin(-1.2)], 'hvp through custom_vjp', 1e-14, 1e-14);
  });

  it('values fun closes over are differentiated through fun, so both modes agree', () => {
    // bwd covers x only; s reaches fun by closure. d/ds sum(x * s^2) = 2 s sum(x) in both modes.
    const f = (x: Tracer, s: Tracer) =>
      P.sum(
        P.customVjp(
          (u) => [P.mul(u, P.square(s))],
          (u) => ({ outs: [P.mul(u, P.square(s))], residuals: [] }),
          (_r, [c]) => [P.mul(c!, P.square(s))],
        )(x)[0]!,
      );
    const x = Float64Array.of(1, 2.5),
      s = Float64Array.of(0.7);
    const [gx, gs] = compile((a, b) => grads(f)(a!, b!), [[2], []]).run(x, s);
    assertClose(gx!, [0.49, 0.49], 'd/dx through bwd', 1e-15, 1e-15);
    assertClose(gs!, [2 * 0.7 * 3.5], 'd/ds through fun (reverse)', 1e-14, 1e-14);
    const t = compile((a, b) => jvp(f, [a!, b!], [P.zerosLike(a!), P.onesLike(b!)])[1][0]!, [[2], []]).run(x, s)[0]!;
    assertClose(t, gs!, 'd/ds forward = reverse', 1e-14, 1e-14);
    checkDerivatives(f, [[2], []], [x, s]);
  });

  it('a correct bwd rule agrees with finite differences in every mode (several args, residuals)', () => {
    const logistic = P.customVjp(
      (a, b) => [P.div(1, P.add(1, P.exp(P.neg(P.mul(a, b)))))],
      (a, b) => {
        const y = P.div(1, P.add(1, P.exp(P.neg(P.mul(a, b)))));
        return { outs: [y], residuals: [a, b, y] };
      },
      ([a, b, y], [ct]) => {
        const d = P.mul(ct!, P.mul(y!, P.sub(1, y!)));
        return [P.mul(d, b!), P.mul(d, a!)];
      },
    );
    checkDerivatives((a, b) => logistic(a, b)[0]!, [[4], [4]], [uniformVec(r, 4, -2, 2), uniformVec(r, 4, -2, 2)]);
  });
});
