// Gauss-Newton and Levenberg-Marquardt for minimize 0.5 ||r(x)||^2 (objective.residual), matrix-
// free: the step solves (J'J + mu I) d = -J'r by conjugate gradients on J-vector and
// vector-J products. gauss_newton: mu = 0 (a tiny floor) with Armijo backtracking; lm: the damping
// mu follows the gain ratio (Madsen, Nielsen & Tingleff 2004, section 3.2). State: plain JSON.
// `g` is J'r, so the driver's tol measures ||J'r||_inf <= tol * max(1, f).

import type { Objective, SolveOptions } from './driver.js';
import { axpy, cg, dot } from './linalg_host.js';

export interface LmState {
  method: 'gauss_newton' | 'lm';
  step: number;
  x: number[];
  f: number;
  g: number[];
  r: number[];
  mu: number;
  nu: number;
  evals: number;
  cgIters: number;
}

export function lmInit(obj: Objective, x0: Float64Array, o: SolveOptions): LmState {
  const R = obj.residual;
  if (!R) throw new Error(`${o.method} needs an objective with a residual (r, jvp, vjp)`);
  const r = R.r(x0);
  const g = R.vjp(x0, r);
  return {
    method: o.method as 'gauss_newton' | 'lm',
    step: 0,
    x: Array.from(x0),
    f: 0.5 * dot(r, r),
    g: Array.from(g),
    r: Array.from(r),
    mu: o.damping ?? 1e-3,
    nu: 2,
    evals: 1,
    cgIters: 0,
  };
}

export function lmStep(obj: Objective, st: LmState, o: SolveOptions): string | null {
  const R = obj.residual!;
  const x = Float64Array.from(st.x);
  const g = Float64Array.from(st.g);
  const gn = Math.sqrt(dot(g, g));
  const mu = st.method === 'lm' ? st.mu : 1e-14 * Math.max(1, gn);
  const sol = cg(
    (v) => axpy(R.vjp(x, R.jvp(x, v)), mu, v),
    g.map((v) => -v),
    1e-10,
    o.cgIters ?? Math.min(500, Math.max(2 * st.x.length, 20)),
  );
  st.cgIters += sol.iters;
  const d = sol.x;
  const tryAt = (a: number) => {
    const xa = x.map((v, i) => v + a * d[i]!);
    const ra = R.r(xa);
    st.evals++;
    return { xa, ra, fa: 0.5 * dot(ra, ra) };
  };
  const accept = (p: { xa: Float64Array; ra: Float64Array; fa: number }) => {
    st.x = Array.from(p.xa);
    st.r = Array.from(p.ra);
    st.f = p.fa;
    st.g = Array.from(R.vjp(p.xa, p.ra));
  };
  st.step++;
  if (st.method === 'lm') {
    const p = tryAt(1);
    const pred =
      0.5 *
      dot(
        d,
        d.map((v, i) => mu * v - g[i]!),
      );
    const rho = (st.f - p.fa) / pred;
    if (pred > 0 && rho > 0 && Number.isFinite(p.fa)) {
      accept(p);
      st.mu = mu * Math.max(1 / 3, 1 - (2 * rho - 1) ** 3);
      st.nu = 2;
    } else {
      st.mu = mu * st.nu;
      st.nu *= 2;
      if (st.mu > 1e16 * Math.max(1, gn)) return 'the damping grew without a decrease (converged to machine precision)';
    }
    return null;
  }
  const slope = dot(g, d);
  for (let a = 1, k = 0; k < 60; k++, a *= 0.5) {
    const p = tryAt(a);
    if (Number.isFinite(p.fa) && p.fa <= st.f + 1e-4 * a * slope) {
      accept(p);
      return null;
    }
  }
  return 'the line search could not decrease the objective further (converged to machine precision)';
}
