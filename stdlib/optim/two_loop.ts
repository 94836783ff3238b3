// The L-BFGS two-loop recursion (Nocedal & Wright, algorithm 7.4), shared by L-BFGS and the
// projected L-BFGS of the bound-constrained solver: H q for the inverse-Hessian approximation of
// the correction pairs (s_i, y_i), oldest first, with H0 = gamma I, gamma = s'y / y'y of the
// newest pair. Pairs whose curvature s'y is not positive (to rounding) are skipped, and a
// non-positive gamma is not applied, so the result is a descent direction's negative.

import { dot } from './linalg_host.js';

export function twoLoop(
  q0: ArrayLike<number>,
  S: readonly ArrayLike<number>[],
  Y: readonly ArrayLike<number>[],
): Float64Array {
  const q = Float64Array.from(q0);
  const n = q.length;
  const k = S.length;
  const alpha = new Float64Array(k);
  const rho = new Float64Array(k);
  for (let j = k - 1; j >= 0; j--) {
    const s = S[j]!,
      y = Y[j]!;
    const sy = dot(s, y);
    rho[j] = sy > 1e-16 * Math.sqrt(dot(s, s) * dot(y, y)) ? 1 / sy : 0;
    alpha[j] = rho[j]! * dot(s, q);
    for (let i = 0; i < n; i++) q[i] -= alpha[j]! * y[i]!;
  }
  if (k > 0) {
    const yy = dot(Y[k - 1]!, Y[k - 1]!);
    const gamma = yy > 0 ? dot(S[k - 1]!, Y[k - 1]!) / yy : 1;
    if (gamma > 0) for (let i = 0; i < n; i++) q[i] *= gamma;
  }
  for (let j = 0; j < k; j++) {
    const s = S[j]!;
    const b = rho[j]! * dot(Y[j]!, q);
    for (let i = 0; i < n; i++) q[i] += s[i]! * (alpha[j]! - b);
  }
  return q;
}
