// Batched triangular solve, the workhorse behind Cholesky-based solves and
// log-densities of multivariate normals.
//   leftSide (default): op(A) X = B, A [batch, n, n], B/X [batch, n, m]
//   right side:         X op(A) = B, A [batch, n, n], B/X [batch, m, n]
// op(A) = A or A^T. Only the triangle named by `lower` is read; with
// `unitDiagonal` the diagonal is not read at all and taken as 1. A zero
// diagonal entry yields Inf/NaN rather than an exception (IEEE semantics, the
// same as BLAS trsm).
//
// Both sides reduce to one strided kernel: the right-side problem is
// op(A)^T X^T = B^T, i.e. a left solve on the transposed views, which only
// changes strides, so no transposed copies are made.

export interface TriangularSolveOptions {
  /** A is lower triangular (otherwise upper). Default true. */
  lower?: boolean;
  /** Use A^T in place of A. Default false. */
  transposeA?: boolean;
  /** Assume ones on the diagonal of A. Default false. */
  unitDiagonal?: boolean;
  /** Solve op(A) X = B (true, default) or X op(A) = B (false). */
  leftSide?: boolean;
}

export function triangularSolve(
  a: Float64Array,
  b: Float64Array,
  batch: number,
  n: number,
  m: number,
  options: TriangularSolveOptions = {},
): Float64Array {
  const x = new Float64Array(b.length);
  triangularSolveInto(a, b, x, batch, n, m, options);
  return x;
}

/** The same solve written into `x` (which must not overlap `a`; it may be `b` itself). */
export function triangularSolveInto(
  a: Float64Array,
  b: Float64Array,
  x: Float64Array,
  batch: number,
  n: number,
  m: number,
  options: TriangularSolveOptions = {},
): void {
  const lower = options.lower ?? true;
  const transposeA = options.transposeA ?? false;
  const unit = options.unitDiagonal ?? false;
  const left = options.leftSide ?? true;

  // M is the matrix actually applied to the (possibly transposed) unknowns:
  // M = op(A) on the left, op(A)^T on the right. M[i,k] = A[i*as + k*ac].
  const useT = left ? transposeA : !transposeA;
  const as = useT ? 1 : n;
  const ac = useT ? n : 1;
  const mLower = lower !== useT;
  // Y[i,j] = X[i*ys + j*yc] is the n x m unknown of M Y = C.
  const ys = left ? m : 1;
  const yc = left ? 1 : n;

  if (x !== b) x.set(b.length === x.length ? b : b.subarray(0, x.length));
  const nn = n * n;
  const nm = n * m;
  for (let bt = 0; bt < batch; bt++) {
    const ao = bt * nn;
    const xo = bt * nm;
    for (let step = 0; step < n; step++) {
      const i = mLower ? step : n - 1 - step;
      const yi = xo + i * ys;
      // Subtract contributions of already-solved rows k (k < i when lower).
      const kStart = mLower ? 0 : i + 1;
      const kEnd = mLower ? i : n;
      for (let k = kStart; k < kEnd; k++) {
        const mik = a[ao + i * as + k * ac];
        if (mik === 0) continue;
        const yk = xo + k * ys;
        for (let j = 0; j < m; j++) x[yi + j * yc] -= mik * x[yk + j * yc];
      }
      if (!unit) {
        // Divide rather than multiply by a reciprocal: one rounding, not two.
        const d = a[ao + i * as + i * ac];
        for (let j = 0; j < m; j++) x[yi + j * yc] /= d;
      }
    }
  }
}
