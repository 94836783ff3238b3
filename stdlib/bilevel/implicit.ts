// The `implicit` hypergradient: the implicit function theorem at the inner solution. With
// grad_w g(x, w*(x)) = 0, dF/dx = grad_x F - H_xw v where H_ww v = grad_w F (H the Hessian of the
// inner objective g at (x, w*)). The linear system is solved by conjugate gradients on
// Hessian-vector products (kit.hvpW: forward over reverse, never a dense Hessian), and the same
// product gives H_xw v. Cost per outer step: one inner solve (warm-started), one gradient of F and
// cg_steps + 1 Hessian-vector products of g.
// Invariant: CG stops at cg_steps or when ||H v - b||_2 <= tol ||b||_2; the residual it reached is
// in the step's numbers (`cg_residual`), so an inexact solve is visible, never silent.

import { int, real } from '../methods/options.js';
import { defineHypergrad } from '../methods/rule.js';
import type { BilevelKit } from './kit.js';

export interface CgResult {
  v: Float64Array;
  /** ||H v - b||_2 / max(||b||_2, tiny). */
  relResidual: number;
  iters: number;
  /** A direction of nonpositive curvature was met (the inner Hessian is not positive definite). */
  indefinite: boolean;
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/** Conjugate gradients for H v = b from v = 0, H given by its products. */
export function conjugateGradient(
  hv: (v: Float64Array) => Float64Array,
  b: Float64Array,
  steps: number,
  tol: number,
): CgResult {
  const n = b.length;
  const v = new Float64Array(n);
  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  const bn = Math.sqrt(dot(b, b));
  let rr = dot(r, r);
  let iters = 0;
  let indefinite = false;
  while (iters < steps && Math.sqrt(rr) > tol * bn && bn > 0) {
    const hp = hv(p);
    const php = dot(p, hp);
    if (!(php > 0)) {
      indefinite = true;
      break;
    }
    const a = rr / php;
    for (let i = 0; i < n; i++) {
      v[i]! += a * p[i]!;
      r[i]! -= a * hp[i]!;
    }
    const rr2 = dot(r, r);
    for (let i = 0; i < n; i++) p[i] = r[i]! + (rr2 / rr) * p[i]!;
    rr = rr2;
    iters++;
  }
  return { v, relResidual: bn > 0 ? Math.sqrt(rr) / bn : 0, iters, indefinite };
}

export const implicit = defineHypergrad({
  name: 'implicit',
  kind: 'hypergrad',
  family: 'hypergradient',
  available: true,
  summary: 'implicit differentiation at the inner solution: conjugate gradients on Hessian-vector products',
  test: 'cg_steps counts conjugate-gradient steps; tol: ||H v - grad_w F||_2 <= tol ||grad_w F||_2',
  // What a hypergradient takes is what `bilevel` takes; none is chosen by problem shape.
  takes: { allows: [] },
  options: {
    cg_steps: int({ default: 20, min: 1, doc: 'the conjugate-gradient step budget' }),
    tol: real({ default: 1e-10, min: 0, doc: 'CG stops when ||H v - grad_w F||_2 <= tol ||grad_w F||_2' }),
  },
  evaluate(kit: BilevelKit, x, warm, o) {
    const s = kit.solveInner(x, warm.w!);
    warm.w = Array.from(s.w);
    const z = kit.merge(x, s.w);
    const F = kit.valueGrad('F', z);
    const cg = conjugateGradient((v) => kit.hvpW('g', z, v).w, F.gw, o.cg_steps, o.tol);
    const cross = kit.hvpW('g', z, cg.v).x;
    const g = F.gx.map((v, i) => v - cross[i]!);
    return {
      f: F.f,
      g,
      w: s.w,
      residual: s.residual,
      innerSteps: s.steps,
      innerConverged: s.status === 'converged',
      ...(cg.indefinite
        ? {
            inexact: `conjugate gradients met nonpositive curvature: the inner Hessian is not positive definite at the inner solution (is the inner problem strongly convex there?)`,
          }
        : cg.relResidual > Math.max(o.tol, 1e-6)
          ? {
              inexact: `conjugate gradients ended at cg_steps = ${o.cg_steps} with relative residual ${cg.relResidual.toExponential(2)}; raise cg_steps`,
            }
          : {}),
      extra: { cg_residual: cg.relResidual, cg_steps: cg.iters, ...(cg.indefinite ? { cg_indefinite: 1 } : {}) },
    };
  },
});
