// Line-search Newton-CG (Nocedal & Wright, algorithm 7.1) on matrix-free Hessian-vector products
// (the problem's hvp): CG on H d = -g to the forcing tolerance min(0.5, sqrt(||g||)) ||g||,
// stopping at negative curvature (steepest descent if that happens at once), then an Armijo
// backtracking line search from the unit step: the `newton_cg` entry. The state is plain JSON.

import { normInf, scaledTest } from '../methods/driver.js';
import { int, stepsOption, tolOption } from '../methods/options.js';
import { defineMethod, type StateBase } from '../methods/rule.js';
import { cg, dot, nrm2 } from './linalg_host.js';

export interface NewtonCgState extends StateBase {
  method: 'newton_cg';
  g: number[];
  evals: number;
  hvps: number;
  cgIters: number;
}

export const newtonCg = defineMethod({
  name: 'newton_cg',
  kind: 'solve',
  family: 'newton',
  available: true,
  summary: 'Newton-CG on Hessian-vector products (smooth problems)',
  test: 'iterations / ‖∇f‖∞ <= tol max(1, min(|f|, |f0|))',
  takes: { allows: [] },
  options: {
    steps: stepsOption(200),
    tol: tolOption(1e-8),
    cg_steps: int({ min: 1, doc: 'CG iterations per step (default min(200, max(n, 10)))' }),
  },
  needs: () => ['hvp'],
  init(p, x0): NewtonCgState {
    if (!p.hvp) throw new Error('newton_cg needs a problem with hvp(x, v)');
    const { f, g } = p.evaluate(x0, 0);
    return { method: 'newton_cg', step: 0, x: Array.from(x0), f, g: Array.from(g), evals: 1, hvps: 0, cgIters: 0 };
  },
  step(p, st, o) {
    const x = Float64Array.from(st.x);
    const g = Float64Array.from(st.g);
    const gn = nrm2(g);
    const eta = Math.min(0.5, Math.sqrt(gn));
    const r = cg(
      (v) => (st.hvps++, p.hvp!(x, v)),
      g.map((v) => -v),
      eta,
      o.cg_steps ?? Math.min(200, Math.max(st.x.length, 10)),
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
      const { f, g: ga } = p.evaluate(xa, st.step + 1);
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
    return 'the line search could not decrease the objective further';
  },
  measure: 'gradient_norm',
  criterion: (_p, st, o, scale) => scaledTest('gradient norm', normInf(st.g), o.tol, scale),
  diagnostics: (_p, st) => ({ evaluations: st.evals, hvps: st.hvps, cg_iterations: st.cgIters }),
});
