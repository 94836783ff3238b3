// The quadratic bilevel problem of examples/bilevel/quadratic_*.opt, whose hypergradient has a
// closed form: w*(x) = A^-1 (Bx + c), dF/dx = B' A^-1 (w* - t) + lam x. implicit and unrolled
// (enough steps) match it to 1e-6; penalty's error is within its O(sigma) bound (the first-order
// term sigma ||B' A^-2 (w* - t)||, derived from the Neumann series of (A + sigma I)^-1), and a
// log-log fit of the error over three sigmas has slope in [0.8, 1.2].

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hypergradAt, kitOf, matVec, maxAbsDiff, normInf, solve, tMatVec, type Mat } from './helpers.js';

const data = JSON.parse(readFileSync('examples/bilevel/quadratic.json', 'utf8')) as {
  A: Mat;
  B: Mat;
  c: number[];
  t: number[];
  lam: number;
};
const x = [0.3, -0.2, 0.5];
const wStar = solve(
  data.A,
  matVec(data.B, x).map((v, i) => v + data.c[i]!),
);
const r = wStar.map((v, i) => v - data.t[i]!);
const exact = tMatVec(data.B, solve(data.A, r)).map((v, i) => v + data.lam * x[i]!);
const inner = { method: 'lbfgs', steps: 500, tol: 1e-13 };

describe('bilevel hypergradients on a quadratic problem with a closed form', () => {
  it('implicit matches the closed form to 1e-6, and reports the inner solution and residual', async () => {
    const { kit } = await kitOf('examples/bilevel/quadratic_implicit.opt', inner);
    const h = hypergradAt(kit, x, { method: 'implicit', cg_steps: 50, tol: 1e-12 });
    expect(maxAbsDiff(h.g, exact)).toBeLessThan(1e-6);
    expect(maxAbsDiff(h.w, wStar)).toBeLessThan(1e-8);
    expect(h.residual).toBeLessThan(1e-10);
    expect(h.innerConverged).toBe(true);
    expect(h.extra!.cg_residual).toBeLessThan(1e-12);
    // Too few CG steps: the result says so.
    const short = hypergradAt(kit, x, { method: 'implicit', cg_steps: 1, tol: 1e-12 });
    expect(short.inexact).toMatch(/cg_steps = 1 .*raise cg_steps/);
  });

  it('unrolled matches it to 1e-6 with enough steps, and its error shrinks with K', async () => {
    const { kit } = await kitOf('examples/bilevel/quadratic_unrolled.opt', inner);
    const errs = [5, 200].map((K) => maxAbsDiff(hypergradAt(kit, x, { method: 'unrolled', steps: K }).g, exact));
    expect(errs[1]).toBeLessThan(1e-6);
    expect(errs[0]).toBeGreaterThan(errs[1]! * 10);
  });

  it('penalty is within its O(sigma) bound, and halving sigma halves the error', async () => {
    const { kit } = await kitOf('examples/bilevel/quadratic_penalty.opt', inner);
    const c1 = normInf(tMatVec(data.B, solve(data.A, solve(data.A, r))));
    const sigmas = [0.04, 0.02, 0.01];
    const errs = sigmas.map((sigma) => maxAbsDiff(hypergradAt(kit, x, { method: 'penalty', sigma }).g, exact));
    sigmas.forEach((s, i) => expect(errs[i]).toBeLessThanOrEqual(1.1 * c1 * s));
    // least-squares slope of log(err) against log(sigma)
    const lx = sigmas.map(Math.log),
      ly = errs.map(Math.log);
    const mx = lx.reduce((a, b) => a + b) / 3,
      my = ly.reduce((a, b) => a + b) / 3;
    const slope = lx.reduce((s, v, i) => s + (v - mx) * (ly[i]! - my), 0) / lx.reduce((s, v) => s + (v - mx) ** 2, 0);
    expect(slope).toBeGreaterThan(0.8);
    expect(slope).toBeLessThan(1.2);
  });
});
