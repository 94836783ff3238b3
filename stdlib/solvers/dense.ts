// Small dense float64 linear algebra for the constrained solvers: Gaussian elimination with
// partial pivoting (square systems) and least squares by the normal equations with a tiny ridge.

/** Solves A x = b (A row-major k x k, copied); null when singular. */
export function solveSquare(A: ArrayLike<number>, b: ArrayLike<number>, k: number): Float64Array | null {
  const M = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(M[r * k + c]!) > Math.abs(M[p * k + c]!)) p = r;
    if (!(Math.abs(M[p * k + c]!) > 1e-300)) return null;
    if (p !== c) {
      for (let j = 0; j < k; j++) [M[c * k + j], M[p * k + j]] = [M[p * k + j]!, M[c * k + j]!];
      [x[c], x[p]] = [x[p]!, x[c]!];
    }
    for (let r = c + 1; r < k; r++) {
      const f = M[r * k + c]! / M[c * k + c]!;
      if (f === 0) continue;
      for (let j = c; j < k; j++) M[r * k + j] -= f * M[c * k + j]!;
      x[r] -= f * x[c]!;
    }
  }
  for (let r = k - 1; r >= 0; r--) {
    let s = x[r]!;
    for (let j = r + 1; j < k; j++) s -= M[r * k + j]! * x[j]!;
    x[r] = s / M[r * k + r]!;
  }
  return x;
}

/** argmin_y ||J' y - g|| for J (m x n): (J J' + eps I) y = J g. */
export function leastSquaresMultipliers(J: Float64Array, g: ArrayLike<number>, m: number, n: number): Float64Array {
  const JJ = new Float64Array(m * m);
  const Jg = new Float64Array(m);
  let tr = 0;
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += J[i * n + j]! * J[k * n + j]!;
      JJ[i * m + k] = s;
    }
    tr += JJ[i * m + i]!;
    for (let j = 0; j < n; j++) Jg[i] += J[i * n + j]! * g[j]!;
  }
  for (let i = 0; i < m; i++) JJ[i * m + i] += 1e-12 * Math.max(tr, 1);
  return solveSquare(JJ, Jg, m) ?? new Float64Array(m);
}
