// Batched symmetric eigendecomposition A = V diag(w) V^T.
// Method: Householder tridiagonalisation followed by the implicit QL algorithm
// (EISPACK tred2/tql2, as in JAMA): O(n^3), backward stable, ~1e-14 relative
// residuals for the sizes Proxima meets (n <= a few hundred).
// Invariants and conventions:
//   - input is [batch, n, n]; (A + A^T)/2 is decomposed, so slight asymmetry
//     from rounding is harmless;
//   - w is [batch, n] in ascending order; v is [batch, n, n] with column i
//     (v[:, i]) the unit eigenvector for w[i];
//   - sign: each eigenvector is flipped so its largest-magnitude component
//     (lowest index on exact ties) is positive, making results reproducible
//     across runs and backends (up to genuine near-ties);
//   - entries below 2^-480 * max|A| are treated as zero (far below rounding
//     error, and it keeps intermediate squares clear of underflow);
//   - a slice with a non-finite entry gets NaN in both w and v.
// Implementation note: the algorithm is written on W = V^T so that every
// O(n^3) inner loop walks a contiguous row of the row-major buffer.

export interface EighResult {
  /** [batch, n] eigenvalues, ascending. */
  w: Float64Array;
  /** [batch, n, n] eigenvectors as columns. */
  v: Float64Array;
}

export function eigh(a: Float64Array, batch: number, n: number): EighResult {
  const nn = n * n;
  const wOut = new Float64Array(batch * n);
  const vOut = new Float64Array(batch * nn);
  const W = new Float64Array(nn);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  for (let b = 0; b < batch; b++) {
    const off = b * nn;
    let finite = true;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const x = 0.5 * (a[off + i * n + j] + a[off + j * n + i]);
        if (!Number.isFinite(x)) finite = false;
        W[i * n + j] = x;
      }
    }
    if (!finite) {
      wOut.fill(NaN, b * n, (b + 1) * n);
      vOut.fill(NaN, off, off + nn);
      continue;
    }
    const unscale = normalise(W, nn);
    if (n > 0) {
      tred2(W, d, e, n);
      tql2(W, d, e, n);
    }
    for (let c = 0; c < n; c++) {
      wOut[b * n + c] = d[c] * unscale;
      const row = c * n;
      let best = 0;
      let bestAbs = -1;
      for (let r = 0; r < n; r++) {
        const ab = Math.abs(W[row + r]);
        if (ab > bestAbs) {
          bestAbs = ab;
          best = r;
        }
      }
      const sgn = W[row + best] < 0 ? -1 : 1;
      for (let r = 0; r < n; r++) vOut[off + r * n + c] = sgn * W[row + r];
    }
  }
  return { w: wOut, v: vOut };
}

// Scale by a power of two (exact) so the largest entry is near 1, and flush
// entries below 2^-480 of it to zero: a perturbation far below rounding error
// that keeps squares in the Householder and QL steps clear of underflow.
// Returns the factor that maps eigenvalues back.
function normalise(W: Float64Array, len: number): number {
  let mx = 0;
  for (let i = 0; i < len; i++) mx = Math.max(mx, Math.abs(W[i]));
  if (mx === 0) return 1;
  const e = Math.round(Math.log2(mx));
  // Two steps: 2^e alone can overflow/underflow for extreme e.
  const f1 = 2 ** -Math.trunc(e / 2);
  const f2 = 2 ** -(e - Math.trunc(e / 2));
  const flush = 2 ** -480;
  for (let i = 0; i < len; i++) {
    const x = W[i] * f1 * f2;
    W[i] = Math.abs(x) < flush ? 0 : x;
  }
  return 1 / f1 / f2;
}

// Householder reduction to tridiagonal form. On entry W holds the symmetric
// matrix; on exit W holds the transposed orthogonal transform, d the diagonal
// and e the sub-diagonal (e[0] = 0). JAMA's V[x][y] is W[y * n + x] here.
function tred2(W: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = W[j * n + (n - 1)];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = W[j * n + (i - 1)];
        W[j * n + i] = 0;
        W[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        W[i * n + j] = f;
        const rj = j * n;
        g = e[j] + W[rj + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          const vkj = W[rj + k];
          g += vkj * d[k];
          e[k] += vkj * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        const rj = j * n;
        for (let k = j; k <= i - 1; k++) W[rj + k] -= f * e[k] + g * d[k];
        d[j] = W[rj + (i - 1)];
        W[rj + i] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    W[i * n + (n - 1)] = W[i * n + i];
    W[i * n + i] = 1;
    const h = d[i + 1];
    const ri1 = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = W[ri1 + k] / h;
      for (let j = 0; j <= i; j++) {
        const rj = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += W[ri1 + k] * W[rj + k];
        for (let k = 0; k <= i; k++) W[rj + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) W[ri1 + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = W[j * n + (n - 1)];
    W[j * n + (n - 1)] = 0;
  }
  W[(n - 1) * n + (n - 1)] = 1;
  e[0] = 0;
}

function hypot(a: number, b: number): number {
  // Math.hypot is slow in V8; this scaled form avoids overflow just as well.
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) {
    const r = y / x;
    return x * Math.sqrt(1 + r * r);
  }
  if (y === 0) return 0;
  const r = x / y;
  return y * Math.sqrt(1 + r * r);
}

// Implicit QL iterations on the tridiagonal (d, e); rotations are applied to
// the rows of W, so on exit row i of W is the eigenvector for d[i]. Finishes
// with a selection sort into ascending order.
function tql2(W: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        iter++;
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const ri = i * n;
          const ri1 = ri + n;
          for (let k = 0; k < n; k++) {
            const t = W[ri1 + k];
            const u = W[ri + k];
            W[ri1 + k] = s * u + c * t;
            W[ri + k] = c * u - s * t;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        // The iteration cap only guards against pathological non-convergence;
        // QL normally needs 1-2 iterations per eigenvalue.
      } while (Math.abs(e[l]) > eps * tst1 && iter < 100);
    }
    d[l] += f;
    e[l] = 0;
  }
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i];
    for (let j = i + 1; j < n; j++) {
      if (d[j] < p) {
        k = j;
        p = d[j];
      }
    }
    if (k !== i) {
      d[k] = d[i];
      d[i] = p;
      const ri = i * n;
      const rk = k * n;
      for (let j = 0; j < n; j++) {
        const t = W[ri + j];
        W[ri + j] = W[rk + j];
        W[rk + j] = t;
      }
    }
  }
}
