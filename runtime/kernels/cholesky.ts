// Batched Cholesky factorisation A = L L^T for symmetric positive-definite A.
// Invariants: input is row-major [batch, n, n] and only its lower triangle is
// read (like LAPACK's 'L' mode), so callers that want symmetrisation must do it
// themselves. The upper triangle of L is exactly zero. A matrix that is not
// numerically positive definite gets its whole slice filled with NaN instead of
// throwing, so a batched caller can report which element failed.

export function cholesky(a: Float64Array, batch: number, n: number): Float64Array {
  const l = new Float64Array(batch * n * n);
  choleskyInto(a, l, batch, n);
  return l;
}

/** The same factorization written into `l` (every element; `l` must not overlap `a`). */
export function choleskyInto(a: Float64Array, l: Float64Array, batch: number, n: number): void {
  const nn = n * n;
  l.fill(0, 0, batch * nn);
  for (let b = 0; b < batch; b++) {
    const off = b * nn;
    if (!choleskyOne(a, l, off, n)) l.fill(NaN, off, off + nn);
  }
}

// Cholesky–Banachiewicz (row by row): both operands of each inner dot product
// are contiguous rows of L, which keeps the O(n^3) loop cache-friendly.
function choleskyOne(a: Float64Array, l: Float64Array, off: number, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const ri = off + i * n;
    for (let j = 0; j <= i; j++) {
      const rj = off + j * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= l[ri + k] * l[rj + k];
      if (i === j) {
        // `!(s > 0)` also rejects NaN input.
        if (!(s > 0) || s === Infinity) return false;
        l[ri + i] = Math.sqrt(s);
      } else {
        l[ri + j] = s / l[rj + j];
      }
    }
  }
  return true;
}
