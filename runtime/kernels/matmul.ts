// Batched float64 matrix products written into a caller's buffer: C[q] = op(A[q]) op(B[q]) for
// A [batch, m, k] (or [batch, k, m] when transposed), B [batch, k, n] (or [batch, n, k]).
// Invariants: every element of C is written (C need not be zeroed); no allocation; A, B and C
// must not overlap. Summation order: products that accumulate along rows of B (C += a_il B_l)
// add l = 0, 1, ... in order, as the ref rule does; dot products (op(B) = B^T, and
// matrix-vector products) keep four partial sums, so they may differ from ref in the last bits.
// Cache blocking: rows of op(A) are taken four at a time (each B element loaded once per four
// rows) and the shared dimension is cut into blocks whose rows of B stay in the L2 cache.

/** Elements of B per block of the shared dimension (about 256 KiB of float64). */
const BLOCK_ELEMS = 1 << 15;

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
  for (let q = 0; q < batch; q++) {
    const ao = q * m * k,
      bo = q * k * n,
      co = q * m * n;
    if (k === 0) c.fill(0, co, co + m * n);
    else if (n === 1 && !transA) matVec(a, ao, b, bo, c, co, m, k);
    else if (n === 1) vecMat(a, ao, b, bo, c, co, m, k);
    else if (m === 1 && transB) matVec(b, bo, a, ao, c, co, n, k);
    else if (transB && !transA) dots(a, ao, b, bo, c, co, m, n, k);
    else rows(a, ao, b, bo, c, co, m, n, k, transA, transB);
  }
}

/** c[i] = A[i, :] . x for A [m, k] row-major: four partial sums per row. */
function matVec(a: F64, ao: number, x: F64, xo: number, c: F64, co: number, m: number, k: number): void {
  const k4 = k & ~3;
  for (let i = 0; i < m; i++) {
    const r = ao + i * k;
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    let l = 0;
    for (; l < k4; l += 4) {
      s0 += a[r + l]! * x[xo + l]!;
      s1 += a[r + l + 1]! * x[xo + l + 1]!;
      s2 += a[r + l + 2]! * x[xo + l + 2]!;
      s3 += a[r + l + 3]! * x[xo + l + 3]!;
    }
    for (; l < k; l++) s0 += a[r + l]! * x[xo + l]!;
    c[co + i] = s0 + s1 + (s2 + s3);
  }
}

/** c = A^T x for A [k, m] row-major: one pass over A's rows (c += x_l A[l, :], l in order). */
function vecMat(a: F64, ao: number, x: F64, xo: number, c: F64, co: number, m: number, k: number): void {
  c.fill(0, co, co + m);
  for (let l = 0; l < k; l++) {
    const v = x[xo + l]!;
    const r = ao + l * m;
    for (let i = 0; i < m; i++) c[co + i] += v * a[r + i]!;
  }
}

/** C = A B^T with A [m, k], B [n, k]: contiguous dot products, two rows of B at a time. */
function dots(a: F64, ao: number, b: F64, bo: number, c: F64, co: number, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i++) {
    const ra = ao + i * k;
    const rc = co + i * n;
    let j = 0;
    for (; j + 1 < n; j += 2) {
      const rb0 = bo + j * k,
        rb1 = rb0 + k;
      let s0 = 0,
        s1 = 0,
        t0 = 0,
        t1 = 0;
      let l = 0;
      for (; l + 1 < k; l += 2) {
        const a0 = a[ra + l]!,
          a1 = a[ra + l + 1]!;
        s0 += a0 * b[rb0 + l]!;
        s1 += a1 * b[rb0 + l + 1]!;
        t0 += a0 * b[rb1 + l]!;
        t1 += a1 * b[rb1 + l + 1]!;
      }
      if (l < k) {
        s0 += a[ra + l]! * b[rb0 + l]!;
        t0 += a[ra + l]! * b[rb1 + l]!;
      }
      c[rc + j] = s0 + s1;
      c[rc + j + 1] = t0 + t1;
    }
    if (j < n) {
      const rb = bo + j * k;
      let s = 0;
      for (let l = 0; l < k; l++) s += a[ra + l]! * b[rb + l]!;
      c[rc + j] = s;
    }
  }
}

/**
 * The general case by rows: C[i, :] += op(A)[i, l] * op(B)[l, :] for l in order, four rows of C
 * at a time, with the shared dimension blocked. op(B)'s rows are contiguous unless transB.
 */
function rows(
  a: F64,
  ao: number,
  b: F64,
  bo: number,
  c: F64,
  co: number,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
): void {
  c.fill(0, co, co + m * n);
  // op(A)[i, l] = a[ao + i * ai + l * al]; op(B)[l, j] = b[bo + l * bl + j * bj].
  const ai = transA ? 1 : k,
    al = transA ? m : 1;
  const bl = transB ? 1 : n,
    bj = transB ? k : 1;
  const kb = Math.max(1, Math.min(k, Math.floor(BLOCK_ELEMS / Math.max(n, 1))));
  for (let l0 = 0; l0 < k; l0 += kb) {
    const l1 = Math.min(k, l0 + kb);
    let i = 0;
    for (; i + 3 < m; i += 4) {
      const r0 = co + i * n,
        r1 = r0 + n,
        r2 = r1 + n,
        r3 = r2 + n;
      const p = ao + i * ai;
      for (let l = l0; l < l1; l++) {
        const pa = p + l * al;
        const a0 = a[pa]!,
          a1 = a[pa + ai]!,
          a2 = a[pa + 2 * ai]!,
          a3 = a[pa + 3 * ai]!;
        const rb = bo + l * bl;
        if (bj === 1) {
          for (let j = 0; j < n; j++) {
            const v = b[rb + j]!;
            c[r0 + j] += a0 * v;
            c[r1 + j] += a1 * v;
            c[r2 + j] += a2 * v;
            c[r3 + j] += a3 * v;
          }
        } else {
          for (let j = 0; j < n; j++) {
            const v = b[rb + j * bj]!;
            c[r0 + j] += a0 * v;
            c[r1 + j] += a1 * v;
            c[r2 + j] += a2 * v;
            c[r3 + j] += a3 * v;
          }
        }
      }
    }
    for (; i < m; i++) {
      const r = co + i * n;
      const p = ao + i * ai;
      for (let l = l0; l < l1; l++) {
        const av = a[p + l * al]!;
        const rb = bo + l * bl;
        if (bj === 1) for (let j = 0; j < n; j++) c[r + j] += av * b[rb + j]!;
        else for (let j = 0; j < n; j++) c[r + j] += av * b[rb + j * bj]!;
      }
    }
  }
}
