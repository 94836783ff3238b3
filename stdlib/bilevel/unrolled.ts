// The `unrolled` hypergradient: reverse mode through K steps of gradient descent on the inner
// objective, w_{k+1} = w_k - lr grad_w g(x, w_k), traced as one `scan` (the graph does not grow
// with K; the reverse scan recomputes each step). The K steps start from the inner method's
// solution (warm-started across outer steps), held constant, so the hypergradient is that of
// F(x, w_K(x)): with a contraction (0 < lr < 2 / L on a strongly convex g) it approaches the
// implicit one geometrically in K (truncated back-propagation, Shaban et al. AISTATS 2019).
// lr defaults to 1 / L, L the inner Hessian's largest eigenvalue at the solution, estimated by 30
// power iterations on Hessian-vector products.
// Cost per outer step: one inner solve, then K gradient steps forward and K backward (each
// backward step a Hessian-vector product), in one compiled graph.

import { int, real } from '../methods/options.js';
import { defineHypergrad } from '../methods/rule.js';
import { BilevelError, type BilevelKit } from './kit.js';

/** The largest eigenvalue of a symmetric H (given by products) by power iteration, from a fixed start. */
export function powerIteration(hv: (v: Float64Array) => Float64Array, n: number, iters = 30): number {
  let v: Float64Array = Float64Array.from({ length: n }, (_, i) => 1 + ((i * 0.6180339887) % 1));
  let lam = 0;
  for (let k = 0; k < iters; k++) {
    let nv = 0;
    for (const a of v) nv += a * a;
    nv = Math.sqrt(nv);
    if (!(nv > 0)) return lam;
    v = v.map((a) => a / nv);
    const hvv = hv(v);
    let num = 0;
    for (let i = 0; i < n; i++) num += v[i]! * hvv[i]!;
    lam = num;
    v = hvv;
  }
  return lam;
}

export const unrolled = defineHypergrad({
  name: 'unrolled',
  kind: 'hypergrad',
  family: 'hypergradient',
  available: true,
  summary: 'reverse mode through K unrolled gradient steps on the inner objective (a scan)',
  test: 'steps counts the unrolled inner gradient steps (the graph holds one scan of them)',
  // What a hypergradient takes is what `bilevel` takes; none is chosen by problem shape.
  takes: { allows: [] },
  options: {
    steps: int({ default: 50, min: 1, doc: 'the unrolled inner gradient steps K' }),
    lr: real({
      positive: true,
      doc: 'the unrolled step size (default: 1 / L, L by power iteration at the inner solution)',
    }),
  },
  evaluate(kit: BilevelKit, x, warm, o) {
    const s = kit.solveInner(x, warm.w!);
    warm.w = Array.from(s.w);
    let lr = o.lr;
    let L = NaN;
    if (lr === undefined) {
      const z = kit.merge(x, s.w);
      L = powerIteration((v) => kit.hvpW('g', z, v).w, kit.nw);
      if (!(L > 0))
        throw new BilevelError(
          `unrolled: the inner objective's curvature at the solution is ${L} (not positive); give the step size, unrolled(lr = ...)`,
        );
      lr = 1 / L;
    }
    const u = kit.unrolled(x, s.w, lr, o.steps);
    // The residual of what the hypergradient differentiates: the unrolled iterate w_K.
    const gw = kit.valueGrad('g', kit.merge(x, u.w)).gw;
    let res = 0;
    for (const v of gw) res = Math.max(res, Math.abs(v));
    return {
      f: u.f,
      g: u.gx,
      w: u.w,
      residual: res,
      innerSteps: s.steps,
      innerConverged: s.status === 'converged',
      extra: { unrolled_lr: lr, ...(Number.isNaN(L) ? {} : { inner_curvature: L }) },
    };
  },
});
