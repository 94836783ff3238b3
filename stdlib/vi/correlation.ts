// The collinearity check of a mean-field fit. The Laplace approximation at the fitted mean gives
// a precision P (the negative Hessian of the log density) and a covariance S = P^-1. A mean-field
// Gaussian fitted to it gets each coordinate's *conditional* variance 1 / P_ii, not the marginal
// S_ii, so its sd is too small by the factor 1 / sqrt(S_ii P_ii). S_ii P_ii >= 1 is the variance
// inflation factor (VIF) of coordinate i: 1 / (1 - R_i^2), R_i^2 the squared multiple
// correlation of i with all the others, so it sees collinearity among several parameters that no
// pair shows. Coordinates whose mean-field sd would be too small by more than a threshold
// become a warning with the remedy (a full-rank or low-rank guide). Pairs with |rho| > 0.9 are
// listed too. Host-side float64; coordinates are the unconstrained ones the guide lives in.

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

export interface Collinearity {
  /** Per coordinate: the mean-field sd over the marginal sd, 1 / sqrt(VIF) (<= 1). */
  sdRatio: Float64Array;
  /** Coordinates whose ratio is below the threshold, worst first. */
  flagged: { i: number; ratio: number }[];
  /** Condition number of the Laplace correlation matrix. */
  condition: number;
}

/** The check from a precision matrix (row-major [n, n], positive definite). */
export function collinearity(prec: Float64Array, n: number, threshold = 0.8): Collinearity {
  const cov = covarianceFromPrecision(prec, n);
  const sdRatio = new Float64Array(n);
  for (let i = 0; i < n; i++) sdRatio[i] = Math.min(1, 1 / Math.sqrt(cov[i * n + i]! * prec[i * n + i]!));
  const flagged = Array.from(sdRatio, (ratio, i) => ({ i, ratio }))
    .filter((x) => x.ratio < threshold)
    .sort((a, b) => a.ratio - b.ratio);
  const corr = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) corr[i * n + j] = cov[i * n + j]! / Math.sqrt(cov[i * n + i]! * cov[j * n + j]!);
  const { w } = eigh(corr, 1, n);
  const lo = Math.max(Math.min(...w), 0);
  return { sdRatio, flagged, condition: lo > 0 ? Math.max(...w) / lo : Infinity };
}
