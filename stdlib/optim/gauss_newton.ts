// Gauss-Newton and Levenberg-Marquardt for minimize 0.5 ||r(x)||^2 (the problem's residual),
// matrix-free: the step solves (J'J + mu I) d = -J'r by conjugate gradients on J-vector and
// vector-J products. gauss_newton: mu = 0 (a tiny floor) with Armijo backtracking; lm: the
// damping mu follows the gain ratio (Madsen, Nielsen & Tingleff 2004, section 3.2). State: plain
// JSON. `g` is J'r, so the test is ||J'r||_inf <= tol * scale.

import { normInf, scaledTest } from '../methods/driver.js';
import { int, real, stepsOption, tolOption } from '../methods/options.js';
import { defineMethod, type Problem, type StateBase } from '../methods/rule.js';
import { axpy, cg, dot } from './linalg_host.js';

export interface LmState extends StateBase {
  method: 'gauss_newton' | 'lm';
  g: number[];
  r: number[];
  mu: number;
  nu: number;
  evals: number;
  cgIters: number;
}

function lmInit(name: 'gauss_newton' | 'lm', p: Problem, x0: Float64Array, damping: number): LmState {
  const R = p.residual;
  if (!R) throw new Error(`${name} needs a problem with a residual (r, jvp, vjp)`);
  const r = R.r(x0);
  const g = R.vjp(x0, r);
  return {
    method: name,
    step: 0,
    x: Array.from(x0),
    f: 0.5 * dot(r, r),
    g: Array.from(g),
    r: Array.from(r),
    mu: damping,
    nu: 2,
    evals: 1,
    cgIters: 0,
  };
}

function lmStep(p: Problem, st: LmState, cgSteps: number | undefined): string | null {
  const R = p.residual!;
  const x = Float64Array.from(st.x);
  const g = Float64Array.from(st.g);
  const gn = Math.sqrt(dot(g, g));
  const mu = st.method === 'lm' ? st.mu : 1e-14 * Math.max(1, gn);
  const sol = cg(
    (v) => axpy(R.vjp(x, R.jvp(x, v)), mu, v),
    g.map((v) => -v),
    1e-10,
    cgSteps ?? Math.min(500, Math.max(2 * st.x.length, 20)),
  );
  st.cgIters += sol.iters;
  const d = sol.x;
  const tryAt = (a: number) => {
    const xa = x.map((v, i) => v + a * d[i]!);
    const ra = R.r(xa);
    st.evals++;
    return { xa, ra, fa: 0.5 * dot(ra, ra) };
  };
  const accept = (q: { xa: Float64Array; ra: Float64Array; fa: number }) => {
    st.x = Array.from(q.xa);
    st.r = Array.from(q.ra);
    st.f = q.fa;
    st.g = Array.from(R.vjp(q.xa, q.ra));
  };
  st.step++;
  if (st.method === 'lm') {
    const q = tryAt(1);
    const pred =
      0.5 *
      dot(
        d,
        d.map((v, i) => mu * v - g[i]!),
      );
    const rho = (st.f - q.fa) / pred;
    if (pred > 0 && rho > 0 && Number.isFinite(q.fa)) {
      accept(q);
      st.mu = mu * Math.max(1 / 3, 1 - (2 * rho - 1) ** 3);
      st.nu = 2;
    } else {
      st.mu = mu * st.nu;
      st.nu *= 2;
      if (st.mu > 1e16 * Math.max(1, gn)) return 'the damping grew without a decrease';
    }
    return null;
  }
  const slope = dot(g, d);
  for (let a = 1, k = 0; k < 60; k++, a *= 0.5) {
    const q = tryAt(a);
    if (Number.isFinite(q.fa) && q.fa <= st.f + 1e-4 * a * slope) {
      accept(q);
      return null;
    }
  }
  return 'the line search could not decrease the objective further';
}

const test = "iterations / ‖J'r‖∞ <= tol max(1, min(f, f0))";
const cgSteps = int({ min: 1, doc: 'CG iterations per step (default min(500, max(2n, 20)))' });

export const gaussNewton = defineMethod({
  name: 'gauss_newton',
  kind: 'solve',
  family: 'least_squares',
  available: true,
  summary: "Gauss-Newton for `minimize c * sumsq(r)` (CG on J v / J' u products)",
  test,
  takes: { allows: [], requires: ['least_squares'] },
  options: { steps: stepsOption(200), tol: tolOption(1e-10), cg_steps: cgSteps },
  needs: () => ['residual'],
  init: (p, x0) => lmInit('gauss_newton', p, x0, 0),
  step: (p, st, o) => lmStep(p, st, o.cg_steps),
  measure: 'gradient_norm',
  criterion: (_p, st, o, scale) => scaledTest("‖J'r‖", normInf(st.g), o.tol, scale),
  diagnostics: (_p, st) => ({ evaluations: st.evals, cg_iterations: st.cgIters }),
});

export const lm = defineMethod({
  name: 'lm',
  kind: 'solve',
  family: 'least_squares',
  available: true,
  summary: 'Levenberg-Marquardt for `minimize c * sumsq(r)`',
  test,
  takes: { allows: [], requires: ['least_squares'] },
  options: {
    steps: stepsOption(200),
    tol: tolOption(1e-10),
    damping: real({ default: 1e-3, positive: true, doc: 'the initial damping' }),
    cg_steps: cgSteps,
  },
  needs: () => ['residual'],
  init: (p, x0, o) => lmInit('lm', p, x0, o.damping),
  step: (p, st, o) => lmStep(p, st, o.cg_steps),
  measure: 'gradient_norm',
  criterion: (_p, st, o, scale) => scaledTest("‖J'r‖", normInf(st.g), o.tol, scale),
  diagnostics: (_p, st) => ({ evaluations: st.evals, cg_iterations: st.cgIters, damping: st.mu }),
});
