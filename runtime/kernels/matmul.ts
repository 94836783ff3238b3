// Batched float64 matrix products written into a caller's buffer: C[q] = op(A[q]) op(B[q]) for
// A [batch, m, k] (or [batch, k, m] when transposed), B [batch, k, n] (or [batch, n, k]).
// Invariants: every element of C is written (C need not be zeroed); no allocation; A, B and C
// must not overlap. Summation order: each element sums l = 0, 1, ... in order, as the ref rule
// does, except A^T x (matrix-vector with a transposed matrix), which adds eight (then four) rows
// of A at a time and so may differ from ref in the last bits.
// Speed in plain JavaScript (no SIMD) comes from register blocking: a 4 x 4 block of C is
// accumulated in locals, so each loaded element of A or B feeds four multiply-adds; A x keeps
// four rows' sums in flight (independent add chains; four partial sums of one row measured 0.7x
// at k = 1,000); A^T x makes one pass over A's rows, eight per update of c (c is read and
// written once per eight rows: 1.2-1.3x over four, N = 10^3..10^5, D = 10..1,000).

type F64 = Float64Array;

export function matmul(
  a: F64,
  b: F64,
  c: F64,
  batch: number,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
): void {
  // op(A)[i, l] = a[ao + i * ai + l * al]; op(B)[l, j] = b[bo + l * bl + j * bj].
  const ai = transA ? 1 : k,
    al = transA ? m : 1;
  const bl = transB ? 1 : n,
    bj = transB ? k : 1;
  for (let q = 0; q < batch; q++) {
    const ao = q * m * k,
      bo = q * k * n,
      co = q * m * n;
    if (n === 1 && !transA) matVec(a, ao, b, bo, c, co, m, k);
    else if (n === 1) vecMat(a, ao, b, bo, c, co, m, k);
    else if (m === 1 && transB) matVec(b, bo, a, ao, c, co, n, k);
    else gemm(a, ao, ai, al, b, bo, bl, bj, c, co, m, n, k);
  }
}

/** c[i] = A[i, :] . x for A [m, k] row-major: four rows at a time, one ordered sum per row. */
function matVec(a: F64, ao: number, x: F64, xo: number, c: F64, co: number, m: number, k: number): void {
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const r0 = ao + i * k,
      r1 = r0 + k,
      r2 = r1 + k,
      r3 = r2 + k;
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (let l = 0; l < k; l++) {
      const v = x[xo + l]!;
      s0 += a[r0 + l]! * v;
      s1 += a[r1 + l]! * v;
      s2 += a[r2 + l]! * v;
      s3 += a[r3 + l]! * v;
    }
    c[co + i] = s0;
    c[co + i + 1] = s1;
    c[co + i + 2] = s2;
    c[co + i + 3] = s3;
  }
  for (; i < m; i++) {
    const r = ao + i * k;
    let s = 0;
    for (let l = 0; l < k; l++) s += a[r + l]! * x[xo + l]!;
    c[co + i] = s;
  }
}

/** c = A^T x for A [k, m] row-major: one pass over A, eight (then four) of its rows per update of c. */
function vecMat(a: F64, ao: number, x: F64, xo: number, c: F64, co: number, m: number, k: number): void {
  c.fill(0, co, co + m);
  let l = 0;
  for (; l + 7 < k; l += 8) {
    const v0 = x[xo + l]!,
      v1 = x[xo + l + 1]!,
      v2 = x[xo + l + 2]!,
      v3 = x[xo + l + 3]!,
      v4 = x[xo + l + 4]!,
      v5 = x[xo + l + 5]!,
      v6 = x[xo + l + 6]!,
      v7 = x[xo + l + 7]!;
    const r0 = ao + l * m,
      r1 = r0 + m,
      r2 = r1 + m,
      r3 = r2 + m,
      r4 = r3 + m,
      r5 = r4 + m,
      r6 = r5 + m,
      r7 = r6 + m;
    for (let i = 0; i < m; i++)
      c[co + i] +=
        v0 * a[r0 + i]! +
        v1 * a[r1 + i]! +
        (v2 * a[r2 + i]! + v3 * a[r3 + i]!) +
        (v4 * a[r4 + i]! + v5 * a[r5 + i]! + (v6 * a[r6 + i]! + v7 * a[r7 + i]!));
  }
  for (; l + 3 < k; l += 4) {
    const v0 = x[xo + l]!,
      v1 = x[xo + l + 1]!,
      v2 = x[xo + l + 2]!,
      v3 = x[xo + l + 3]!;
    const r0 = ao + l * m,
      r1 = r0 + m,
      r2 = r1 + m,
      r3 = r2 + m;
    for (let i = 0; i < m; i++) c[co + i] += v0 * a[r0 + i]! + v1 * a[r1 + i]! + (v2 * a[r2 + i]! + v3 * a[r3 + i]!);
  }
  for (; l < k; l++) {
    const v = x[xo + l]!;
    const r = ao + l * m;
    for (let i = 0; i < m; i++) c[co + i] += v * a[r + i]!;
  }
}

/** The general product by 4 x 4 blocks of C held in locals (edges by narrower blocks). */
function gemm(
  a: F64,
  ao: number,
  ai: number,
  al: number,
  b: F64,
  bo: number,
  bl: number,
  bj: number,
  c: F64,
  co: number,
  m: number,
  n: number,
  k: number,
): void {
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const p0 = ao + i * ai,
      p1 = p0 + ai,
      p2 = p1 + ai,
      p3 = p2 + ai;
    const r0 = co + i * n,
      r1 = r0 + n,
      r2 = r1 + n,
      r3 = r2 + n;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const q0 = bo + j * bj,
        q1 = q0 + bj,
        q2 = q1 + bj,
        q3 = q2 + bj;
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0,
        c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0,
        c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0,
        c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      for (let l = 0; l < k; l++) {
        const ol = l * al,
          lb = l * bl;
        const a0 = a[p0 + ol]!,
          a1 = a[p1 + ol]!,
          a2 = a[p2 + ol]!,
          a3 = a[p3 + ol]!;
        const b0 = b[q0 + lb]!,
          b1 = b[q1 + lb]!,
          b2 = b[q2 + lb]!,
          b3 = b[q3 + lb]!;
        c00 += a0 * b0;
        c01 += a0 * b1;
        c02 += a0 * b2;
        c03 += a0 * b3;
        c10 += a1 * b0;
        c11 += a1 * b1;
        c12 += a1 * b2;
        c13 += a1 * b3;
        c20 += a2 * b0;
        c21 += a2 * b1;
        c22 += a2 * b2;
        c23 += a2 * b3;
        c30 += a3 * b0;
        c31 += a3 * b1;
        c32 += a3 * b2;
        c33 += a3 * b3;
      }
      c[r0 + j] = c00;
      c[r0 + j + 1] = c01;
      c[r0 + j + 2] = c02;
      c[r0 + j + 3] = c03;
      c[r1 + j] = c10;
      c[r1 + j + 1] = c11;
      c[r1 + j + 2] = c12;
      c[r1 + j + 3] = c13;
      c[r2 + j] = c20;
      c[r2 + j + 1] = c21;
      c[r2 + j + 2] = c22;
      c[r2 + j + 3] = c23;
      c[r3 + j] = c30;
      c[r3 + j + 1] = c31;
      c[r3 + j + 2] = c32;
      c[r3 + j + 3] = c33;
    }
    for (; j < n; j++) {
      const q = bo + j * bj;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let l = 0; l < k; l++) {
        const v = b[q + l * bl]!;
        const ol = l * al;
        s0 += a[p0 + ol]! * v;
        s1 += a[p1 + ol]! * v;
        s2 += a[p2 + ol]! * v;
        s3 += a[p3 + ol]! * v;
      }
      c[r0 + j] = s0;
      c[r1 + j] = s1;
      c[r2 + j] = s2;
      c[r3 + j] = s3;
    }
  }
  for (; i < m; i++) {
    const p = ao + i * ai;
    const r = co + i * n;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const q0 = bo + j * bj,
        q1 = q0 + bj,
        q2 = q1 + bj,
        q3 = q2 + bj;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let l = 0; l < k; l++) {
        const v = a[p + l * al]!;
        const lb = l * bl;
        s0 += v * b[q0 + lb]!;
        s1 += v * b[q1 + lb]!;
        s2 += v * b[q2 + lb]!;
        s3 += v * b[q3 + lb]!;
      }
      c[r + j] = s0;
      c[r + j + 1] = s1;
      c[r + j + 2] = s2;
      c[r + j + 3] = s3;
    }
    for (; j < n; j++) {
      const q = bo + j * bj;
      let s = 0;
      for (let l = 0; l < k; l++) s += a[p + l * al]! * b[q + l * bl]!;
      c[r + j] = s;
    }
  }
}
