// The Laplace approximation, the robust start of the Gaussian guides: the mode of the
// unconstrained log density (L-BFGS, through the solver driver) and the inverse of the negative
// Hessian there (the Hessian comes from the caller, by autodiff). Host-side float64.
//
// A Hessian that is not positive definite (a saddle, a flat direction of an improper posterior,
// an unfinished MAP) is repaired by flooring its eigenvalues, so the start is always a proper
// Gaussian; the caller still compares its ELBO with the plain start's (whitening.ts) and keeps
// the better one, so a bad Laplace step can cost time but not the result.

import { eigh } from '../../runtime/index.js';
import { solve } from '../methods/solve.js';
import type { Problem } from '../methods/rule.js';

export interface LaplaceResult {
  /** True when the MAP search ended at a finite point with a finite Hessian. */
  ok: boolean;
  mode: Float64Array;
  /** Eigen-decomposition of the (floored) precision -H: eigenvalues and eigenvectors as columns. */
  precision: { w: Float64Array; v: Float64Array } | null;
  /** L-BFGS steps and why it stopped. */
  steps: number;
  message: string;
}

/** Relative and absolute floors on the precision's eigenvalues (relative: eigh is accurate to ~1e-16 of the largest; absolute: sd at most 1e4). */
const REL_FLOOR = 1e-13;
const ABS_FLOOR = 1e-8;

/**
 * `negLogDensity` is -log p on the unconstrained scale (value and gradient); `hessian(x)` its
 * Hessian, row-major [n, n].
 */
export function laplace(
  negLogDensity: Problem,
  x0: Float64Array,
  hessian: (x: Float64Array) => Float64Array,
  steps = 1000,
): LaplaceResult {
  const n = negLogDensity.n;
  const r = solve(negLogDensity, x0, { method: 'lbfgs', steps, tol: 1e-10 });
  const fail = (message: string): LaplaceResult => ({ ok: false, mode: r.x, precision: null, steps: r.steps, message });
  if (r.status === 'diverged' || !r.x.every(Number.isFinite)) return fail(`the MAP search diverged: ${r.message}`);
  let H: Float64Array;
  try {
    H = hessian(r.x);
  } catch (e) {
    return fail(`the Hessian could not be computed: ${(e as Error).message}`);
  }
  if (!H.every(Number.isFinite)) return fail('the Hessian at the mode is not finite');
  const { w, v } = eigh(H, 1, n);
  let top = 0;
  for (const x of w) top = Math.max(top, Math.abs(x));
  const floor = Math.max(ABS_FLOOR, REL_FLOOR * top);
  const wf = w.map((x) => Math.max(x, floor));
  return { ok: true, mode: r.x, precision: { w: wf, v }, steps: r.steps, message: r.message };
}
