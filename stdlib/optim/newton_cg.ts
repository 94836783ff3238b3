// Line-search Newton-CG (Nocedal & Wright, algorithm 7.1) on matrix-free Hessian-vector products
// (objective.hvp): CG on H d = -g to the forcing tolerance min(0.5, sqrt(||g||)) ||g||, stopping
// at negative curvature (steepest descent if that happens at once), then an Armijo backtracking
// line search from the unit step. The state is plain JSON.

import type { Objective, SolveOptions } from './driver.js';
import { cg, dot, nrm2 } from './linalg_host.js';

export interface NewtonCgState {
  method: 'newton_cg';
  step: number;
  x: number[];
  f: number;
  g: number[];
  evals: number;
  hvps: number;
  cgIters: number;
}

export function newtonCgInit(obj: Objective, x0: Float64Array): NewtonCgState {
  if (!obj.hvp) throw new Error('newton_cg needs an objective with hvp(x, v)');
  const { f, g } = obj.evaluate(x0, 0);
  return { method: 'newton_cg', step: 0, x: Array.from(x0), f, g: Array.from(g), evals: 1, hvps: 0, cgIters: 0 };
}

export function newtonCgStep(obj: Objective, st: NewtonCgState, o: SolveOptions): string | null {
  const x = Float64Array.from(st.x);
  const g = Float64Array.from(st.g);
  const gn = nrm2(g);
  const eta = Math.min(0.5, Math.sqrt(gn));
  const r = cg(
    (v) => (st.hvps++, obj.hvp!(x, v)),
    g.map((v) => -v),
    eta,
    o.cgIters ?? Math.min(200, Math.max(st.x.length, 10)),
  );
  st.cgIters += r.iters;
  let d = r.x;
  let slope = dot(g, d);
  if (!(slope < 0)) {
    d = g.map((v) => -v);
    slope = -gn * gn;
  }
  let a = 1;
  for (let k = 0; k < 60; k++) {
    const xa = x.map((v, i) => v + a * d[i]!);
    const { f, g: ga } = obj.evaluate(xa, st.step + 1);
    st.evals++;
    if (Number.isFinite(f) && f <= st.f + 1e-4 * a * slope) {
      st.x = Array.from(xa);
      st.f = f;
      st.g = Array.from(ga);
      st.step++;
      return null;
    }
    a *= 0.5;
  }
  st.step++;
  return 'the line search could not decrease the objective further (converged to machine precision)';
}
