// Reparameterized sites: ELBO (plain and sticking-the-landing) against its closed form, and
// IWAE(2) (plain and doubly reparameterized) against a quadrature of the bound, on
// u ~ Normal(theta0, 1), x ~ Normal(u, 1) with the guide u ~ Normal(phi0, exp(phi1)).

import { describe, it, expect } from 'vitest';
import { ops as P, type Tracer } from '../../runtime/index.js';
import { estimator, exactGrad, expectUnbiased, meanSd } from './harness.js';
import { elbo, iwae, evaluate } from '../../stdlib/vi/objectives.js';
import type { VIProgram } from '../../stdlib/vi/estimate.js';

const X = 1.3;
const LOG2PI = Math.log(2 * Math.PI);
const prog: VIProgram = {
  guide: (ctx, [phi]) => {
    ctx.sample('u', 'Normal', [P.index(phi!, 0), P.exp(P.index(phi!, 1))]);
  },
  model: (ctx, [theta]) => {
    const u = ctx.sample('u', 'Normal', [P.index(theta!, 0), 1]);
    ctx.observe('x', 'Normal', [u, 1], X);
  },
};
const lw = (theta: Tracer, phi: Tracer, eps: Tracer): [Tracer, Tracer] => {
  const s = P.exp(P.index(phi, 1));
  const u = P.add(P.index(phi, 0), P.mul(s, eps));
  const lp = P.sub(P.mul(-0.5, P.add(P.square(P.sub(u, P.index(theta, 0))), P.square(P.sub(X, u)))), LOG2PI);
  const lq = P.sub(P.sub(P.mul(-0.5, P.square(eps)), P.index(phi, 1)), 0.5 * LOG2PI);
  return [lp, lq];
};
/** IWAE(2) by the trapezoid rule on a grid of standard-normal noise (spectrally accurate here). */
function iwae2(theta: Tracer, phi: Tracer): Tracer {
  const G = 97;
  const h = 16 / (G - 1);
  const e = Array.from({ length: G }, (_, i) => -8 + i * h);
  const e1 = P.constant(e.flatMap((a) => e.map(() => a)));
  const e2 = P.constant(e.flatMap(() => e));
  const wts = P.constant(e.flatMap((a) => e.map((b) => (h * h * Math.exp(-0.5 * (a * a + b * b))) / (2 * Math.PI))));
  const [p1, q1] = lw(theta, phi, e1);
  const [p2, q2] = lw(theta, phi, e2);
  const f = evaluate(iwae(2).body, P.stack([p1, p2], -1), P.stack([q1, q2], -1));
  return P.sum(P.mul(wts, f));
}
function elboExact(theta: Tracer, phi: Tracer): Tracer {
  const m = P.index(phi, 0);
  const s2 = P.exp(P.mul(2, P.index(phi, 1)));
  const ell = P.mul(-0.5, P.add(P.add(P.square(P.sub(m, P.index(theta, 0))), P.square(P.sub(X, m))), P.mul(2, s2)));
  return P.add(P.sub(ell, LOG2PI), P.add(P.index(phi, 1), 0.5 * (1 + LOG2PI)));
}

const TH = [0.4];
const PH = [0.2, -0.1];

describe('reparameterization gradients', () => {
  it('ELBO: plain and sticking-the-landing are unbiased', () => {
    const ex = exactGrad(elboExact, TH, PH);
    expectUnbiased(estimator(prog, elbo(1), 1, 2)(TH, PH, 2000), ex.grad, 'elbo reparam');
    expectUnbiased(estimator(prog, elbo(1, 'stl'), 1, 2)(TH, PH, 2000), ex.grad, 'elbo stl');
  });

  it('IWAE(2): plain and DReG are unbiased for the quadrature gradient; DReG has lower phi variance', () => {
    const ex = exactGrad(iwae2, TH, PH);
    const plain = estimator(prog, iwae(2), 1, 2)(TH, PH, 3000);
    const dreg = estimator(prog, iwae(2, 'dreg'), 1, 2)(TH, PH, 3000);
    expectUnbiased(plain, ex.grad, 'iwae reparam');
    expectUnbiased(dreg, ex.grad, 'iwae dreg');
    const vp = meanSd(plain).sd;
    const vd = meanSd(dreg).sd;
    console.log('IWAE(2) gradient sd, plain vs DReG (theta0, phi0, phi1):', Array.from(vp), Array.from(vd));
    expect(vd[2]!).toBeLessThan(vp[2]!);
  });

  it('DReG: zero guide gradient, with zero variance, at the exact posterior', () => {
    // The posterior of u is Normal((theta0 + x) / 2, 1/2).
    const ph = [(TH[0]! + X) / 2, 0.5 * Math.log(0.5)];
    const d = meanSd(estimator(prog, iwae(3, 'dreg'), 1, 2)(TH, ph, 200));
    expect(Math.abs(d.mean[1]!)).toBeLessThan(1e-10);
    expect(Math.abs(d.mean[2]!)).toBeLessThan(1e-10);
    expect(d.sd[1]!).toBeLessThan(1e-10);
  });
});
