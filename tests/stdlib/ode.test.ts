// The ODE solver (stdlib/ode): solutions against closed forms and scipy (DOP853 at 1e-12,
// scripted), every derivative mode against finite differences (reverse = forward sensitivities,
// forward = the differentiated steps, both second orders = nested sensitivities), captured data,
// and a failed solve (step budget) giving NaN rather than a number.

import { describe, expect, it } from 'vitest';
import { ops as P, type Tracer } from '../../runtime/index.js';
import { odeRk45 } from '../../stdlib/ode/index.js';
import { checkDerivatives } from '../helpers/ad_check.js';
import { compile } from '../helpers/run.js';

const lv = (t: Tracer, z: Tracer, [th]: readonly Tracer[]) => {
  const [u, v] = [P.index(z, 0), P.index(z, 1)];
  const [a, b, g, d] = [0, 1, 2, 3].map((i) => P.index(th!, i));
  return P.stack([P.mul(P.sub(a!, P.mul(b!, v)), u), P.mul(P.add(P.neg(g!), P.mul(d!, u)), v)]);
};

describe('ode_rk45', () => {
  it('matches exp(-k t) and a rotation (closed forms)', () => {
    const ts = [0.5, 1, 2, 4];
    const decay = compile(
      (y0: Tracer, k: Tracer) =>
        odeRk45((t, y, [kk]) => P.mul(P.neg(kk!), y), y0, 0, P.constant(ts), [k], { relTol: 1e-10, absTol: 1e-12 }),
      [[1], []],
    );
    const [y] = decay.run([1.5], [0.7]);
    ts.forEach((t, i) => expect(y![i]).toBeCloseTo(1.5 * Math.exp(-0.7 * t), 9));
    // y'' = -y as a system: (cos t, -sin t) from (1, 0)
    const rot = compile(
      (y0: Tracer) =>
        odeRk45((t, y) => P.stack([P.index(y, 1), P.neg(P.index(y, 0))]), y0, 0, P.constant([1, 3, 10]), [], {
          relTol: 1e-10,
          absTol: 1e-12,
        }),
      [[2]],
    );
    const [r] = rot.run([1, 0]);
    [1, 3, 10].forEach((t, i) => {
      expect(r![2 * i]).toBeCloseTo(Math.cos(t), 8);
      expect(r![2 * i + 1]).toBeCloseTo(-Math.sin(t), 8);
    });
  });

  it('matches scipy on Lotka-Volterra, within the tolerances asked', () => {
    const scipy = [
      49.25696814538499, 7.129006736427948, 69.22856351681047, 19.431465661251465, 18.841588134161956,
      39.24804272492285, 31.950577545118183, 5.909112528067673,
    ];
    for (const [rel, abs, tol] of [
      [1e-10, 1e-10, 1e-7],
      [1e-5, 1e-3, 2e-3],
    ] as const) {
      const c = compile(
        (z0: Tracer, th: Tracer) => odeRk45(lv, z0, 0, P.constant([1, 2.5, 5, 10]), [th], { relTol: rel, absTol: abs }),
        [[2], [4]],
      );
      const [y] = c.run([33.9, 5.9], [0.55, 0.028, 0.8, 0.024]);
      y!.forEach((v, i) => expect(Math.abs(v - scipy[i]!) / scipy[i]!).toBeLessThan(tol));
    }
  });

  it('every derivative (reverse, forward, both second orders) matches finite differences', () => {
    // the logistic equation y' = r y (1 - y / cap): nonlinear in the state and in both arguments
    const logistic = (t: Tracer, y: Tracer, [r, cap]: readonly Tracer[]) =>
      P.mul(P.mul(r!, y), P.sub(1, P.div(y, cap!)));
    const f = (y0: Tracer, r: Tracer, cap: Tracer) =>
      odeRk45(logistic, y0, 0, P.constant([0.5, 2]), [r, cap], { relTol: 1e-11, absTol: 1e-12 });
    checkDerivatives(f, [[1], [], []], [Float64Array.of(0.3), Float64Array.of(1.4), Float64Array.of(2.5)], { seed: 3 });
  }, 300_000);

  it('reverse mode on a system with several states and parameters (Lotka-Volterra)', () => {
    const f = (z0: Tracer, th: Tracer) =>
      odeRk45(lv, z0, 0, P.constant([1, 2.5]), [th], { relTol: 1e-10, absTol: 1e-10 });
    checkDerivatives(f, [[2], [4]], [Float64Array.of(33.9, 5.9), Float64Array.of(0.55, 0.028, 0.8, 0.024)], {
      directions: 2,
      seed: 3,
      modes: { rev: true, fwd: true, order2: false },
    });
  }, 300_000);

  it('a right-hand side may close over data', () => {
    const c = compile(
      (y0: Tracer, rate: Tracer) =>
        odeRk45((t, y) => P.mul(P.neg(rate), y), y0, 0, P.constant([2]), [], { relTol: 1e-10, absTol: 1e-12 }),
      [[1], []],
    );
    expect(c.run([2], [0.5])[0]![0]).toBeCloseTo(2 * Math.exp(-1), 9);
  });

  it('outputs the step budget does not reach are NaN, not numbers', () => {
    const c = compile(
      (y0: Tracer) => odeRk45((t, y) => P.mul(-50, y), y0, 0, P.constant([0.01, 100]), [], { maxSteps: 20 }),
      [[1]],
    );
    const [y] = c.run([1]);
    expect(Number.isFinite(y![0])).toBe(true);
    expect(Number.isNaN(y![1])).toBe(true);
  });

  it('an output time equal to t0 is the initial state', () => {
    const c = compile((y0: Tracer) => odeRk45((t, y) => P.neg(y), y0, 0, P.constant([0, 1]), []), [[1]]);
    const [y] = c.run([3]);
    expect(y![0]).toBe(3);
    expect(y![1]).toBeCloseTo(3 * Math.exp(-1), 6);
  });
});
