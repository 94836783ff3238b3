// The correlation check of a mean-field fit: the Laplace approximation at the fitted mean gives a
// covariance (the inverse of the negative Hessian of the log density); pairs of parameters with
// |rho| > 0.9 there are strongly dependent a posteriori, which a mean-field guide cannot
// represent: it then underestimates their variances (by about 1 - rho^2) and can stall. Each such
// pair becomes a warning suggesting `guide = full_rank`. Host-side float64; coordinates are the
// unconstrained ones the guide lives in.

import { eigh } from '../../runtime/index.js';

export interface CorrelatedPair {
  i: number;
  j: number;
  rho: number;
  message: string;
}

/** Covariance from a symmetric precision matrix (row-major [n, n]), eigenvalues floored at `floor`. */
export function covarianceFromPrecision(prec: Float64Array, n: number, floor = 1e-10): Float64Array {
  const { w, v } = eigh(prec, 1, n);
  const cov = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += (v[i * n + k]! * v[j * n + k]!) / Math.max(w[k]!, floor);
      cov[i * n + j] = s;
    }
  }
  return cov;
}

/** Pairs with |rho| > threshold, strongest first, named by `names` (coordinate indices otherwise). */
export function correlatedPairs(
  cov: Float64Array,
  n: number,
  names?: readonly string[],
  threshold = 0.9,
): CorrelatedPair[] {
  const name = (i: number) => names?.[i] ?? `#${i}`;
  const out: CorrelatedPair[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const rho = cov[i * n + j]! / Math.sqrt(cov[i * n + i]! * cov[j * n + j]!);
      if (Math.abs(rho) > threshold) {
        out.push({
          i,
          j,
          rho,
          message: `${name(i)} and ${name(j)} have posterior correlation ${rho.toFixed(3)} (Laplace approximation at the fitted mean), which a mean-field guide treats as independent; use guide = full_rank`,
        });
      }
    }
  }
  return out.sort((a, b) => Math.abs(b.rho) - Math.abs(a.rho));
}
