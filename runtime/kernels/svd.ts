// Batched thin SVD A = U diag(s) V^T of A [batch, m, n], k = min(m, n).
// Method: one-sided (Hestenes) Jacobi on the columns of A (or of A^T when
// m < n, swapping the roles of U and V). It is slower than bidiagonalisation
// + QR but gives singular values and vectors to high relative accuracy and is
// simple enough to trust.
// Conventions:
//   - u [batch, m, k], s [batch, k] descending (ties keep column order),
//     v [batch, n, k] (V itself, not V^T);
//   - entries, and singular values, below 2^-480 * max|A| are treated as
//     zero (far below rounding error; it keeps every intermediate product
//     clear of underflow, which the rotations rely on);
//   - zero singular values: the corresponding columns of U (and of V in the
//     m < n case) are orthonormal completions, chosen deterministically from
//     the standard basis by Gram-Schmidt, so U^T U = I_k and V^T V = I_k
//     always hold;
//   - sign: each pair (u_i, v_i) is flipped so the largest-magnitude
//     component of u_i (lowest index on exact ties) is positive;
//   - a slice with a non-finite entry gets NaN in u, s and v.

export interface SvdResult {
  /** [batch, m, k] left singular vectors as columns. */
  u: Float64Array;
  /** [batch, k] singular values, descending. */
  s: Float64Array;
  /** [batch, n, k] right singular vectors as columns. */
  v: Float64Array;
}

const EPS = 2 ** -52;
const MAX_SWEEPS = 80;
// Relative size below which entries and final columns count as zero.
const FLUSH = 2 ** -480;

export function svd(a: Float64Array, batch: number, m: number, n: number): SvdResult {
  const k = Math.min(m, n);
  const uOut = new Float64Array(batch * m * k);
  const sOut = new Float64Array(batch * k);
  const vOut = new Float64Array(batch * n * k);
  // Work on a tall problem p x q (p >= q): G holds its q columns as rows, so
  // every rotation touches two contiguous rows.
  const tall = m >= n;
  const p = tall ? m : n;
  const q = k;
  const G = new Float64Array(q * p);
  const R = new Float64Array(q * q); // rows = right vectors of the tall problem
  const sv = new Float64Array(q);
  const order = new Int32Array(q);
  const U = new Float64Array(q * p); // rows = left vectors of the tall problem
  for (let b = 0; b < batch; b++) {
    const off = b * m * n;
    let finite = true;
    // Tall problem T = A (m >= n) or A^T (m < n); G[j, i] = T[i, j].
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const x = a[off + i * n + j];
        if (!Number.isFinite(x)) finite = false;
        if (tall) G[j * p + i] = x;
        else G[i * p + j] = x;
      }
    }
    if (!finite) {
      uOut.fill(NaN, b * m * k, (b + 1) * m * k);
      sOut.fill(NaN, b * k, (b + 1) * k);
      vOut.fill(NaN, b * n * k, (b + 1) * n * k);
      continue;
    }
    const unscale = normalise(G, p * q);
    R.fill(0);
    for (let i = 0; i < q; i++) R[i * q + i] = 1;
    jacobiSweeps(G, R, p, q);

    for (let j = 0; j < q; j++) {
      // Columns that ended below the flush threshold are cancellation noise
      // left parallel to another column once products underflowed; calling
      // them zero keeps U orthonormal at a cost far below rounding error.
      const c = columnNorm(G, j * p, p);
      sv[j] = c < FLUSH ? 0 : c * unscale;
      order[j] = j;
    }
    sortDescending(sv, order, q);

    // Left vectors: normalised columns; zero columns are completed afterwards.
    let missing = 0;
    for (let r = 0; r < q; r++) {
      const j = order[r];
      const sj = sv[j];
      const ur = r * p;
      const gj = j * p;
      if (sj > 0) {
        const nrm = columnNorm(G, gj, p);
        for (let i = 0; i < p; i++) U[ur + i] = G[gj + i] / nrm;
      } else {
        missing++;
        U.fill(0, ur, ur + p);
      }
    }
    if (missing > 0) {
      for (let r = 0; r < q; r++) {
        if (!(sv[order[r]] > 0)) completeBasis(U, r, p, q, sv, order);
      }
    }

    // Scatter with the sign convention applied to the left vector.
    const tallLeft = tall ? uOut : vOut;
    const tallRight = tall ? vOut : uOut;
    const lOff = b * p * k;
    const rOff = b * q * k;
    for (let r = 0; r < q; r++) {
      const j = order[r];
      sOut[b * k + r] = sv[j];
      const ur = r * p;
      let best = 0;
      let bestAbs = -1;
      // Sign is fixed by the left vector of A: U of the tall problem when
      // m >= n, its right vector otherwise.
      const signRow = tall ? U : R;
      const signOff = tall ? ur : j * q;
      const signLen = tall ? p : q;
      for (let i = 0; i < signLen; i++) {
        const ab = Math.abs(signRow[signOff + i]);
        if (ab > bestAbs) {
          bestAbs = ab;
          best = i;
        }
      }
      const sgn = signRow[signOff + best] < 0 ? -1 : 1;
      for (let i = 0; i < p; i++) tallLeft[lOff + i * k + r] = sgn * U[ur + i];
      const rr = j * q;
      for (let i = 0; i < q; i++) tallRight[rOff + i * k + r] = sgn * R[rr + i];
    }
  }
  return { u: uOut, s: sOut, v: vOut };
}

// Scale the working copy by a power of two (exact) so its largest entry is
// near 1, and flush entries below 2^-480 of it to zero: that perturbs A far
// below rounding error but guarantees that squares and products of entries
// never underflow, which the Jacobi angle and convergence test rely on.
// Returns the factor that maps singular values back.
function normalise(G: Float64Array, len: number): number {
  let mx = 0;
  for (let i = 0; i < len; i++) mx = Math.max(mx, Math.abs(G[i]));
  if (mx === 0) return 1;
  const e = Math.round(Math.log2(mx));
  // Two steps: 2^e alone can overflow/underflow for extreme e.
  const f1 = 2 ** -Math.trunc(e / 2);
  const f2 = 2 ** -(e - Math.trunc(e / 2));
  for (let i = 0; i < len; i++) {
    const x = G[i] * f1 * f2;
    G[i] = Math.abs(x) < FLUSH ? 0 : x;
  }
  return 1 / f1 / f2;
}

// Euclidean norm that cannot underflow or overflow (scaled by the max entry).
function columnNorm(G: Float64Array, off: number, p: number): number {
  let mx = 0;
  for (let i = 0; i < p; i++) mx = Math.max(mx, Math.abs(G[off + i]));
  if (mx === 0) return 0;
  let ss = 0;
  for (let i = 0; i < p; i++) {
    const x = G[off + i] / mx;
    ss += x * x;
  }
  return mx * Math.sqrt(ss);
}

// Cyclic sweeps of plane rotations until every pair of columns is orthogonal
// to working precision (|cos angle| <= tol); R accumulates the rotations.
function jacobiSweeps(G: Float64Array, R: Float64Array, p: number, q: number): void {
  const tol = EPS * Math.max(p, 4);
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let i = 0; i < q - 1; i++) {
      const gi = i * p;
      const ri = i * q;
      for (let j = i + 1; j < q; j++) {
        const gj = j * p;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let t = 0; t < p; t++) {
          const x = G[gi + t];
          const y = G[gj + t];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= tol * Math.sqrt(alpha) * Math.sqrt(beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const tt = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + tt * tt);
        const s = c * tt;
        for (let t = 0; t < p; t++) {
          const x = G[gi + t];
          const y = G[gj + t];
          G[gi + t] = c * x - s * y;
          G[gj + t] = s * x + c * y;
        }
        const rj = j * q;
        for (let t = 0; t < q; t++) {
          const x = R[ri + t];
          const y = R[rj + t];
          R[ri + t] = c * x - s * y;
          R[rj + t] = s * x + c * y;
        }
      }
    }
    if (!rotated) return;
  }
}

// Insertion sort of `order` by sv descending; stable, q is small.
function sortDescending(sv: Float64Array, order: Int32Array, q: number): void {
  for (let i = 1; i < q; i++) {
    const o = order[i];
    const val = sv[o];
    let j = i - 1;
    while (j >= 0 && sv[order[j]] < val) {
      order[j + 1] = order[j];
      j--;
    }
    order[j + 1] = o;
  }
}

// Fill row r of U with a unit vector orthogonal to every other row that is
// already set (non-zero singular value, or completed earlier). Candidates are
// the standard basis vectors in index order; the first whose residual after
// two Gram-Schmidt passes has squared norm >= 1/2 wins, falling back to the
// best candidate (some e_i always leaves >= 1/p, since the residuals sum to
// p minus the number of rows already set).
function completeBasis(U: Float64Array, r: number, p: number, q: number, sv: Float64Array, order: Int32Array): void {
  const ur = r * p;
  let bestNorm = -1;
  let bestIdx = 0;
  const isSet = (row: number): boolean => {
    if (row === r) return false;
    if (sv[order[row]] > 0) return true;
    // Rows before r with zero singular value were completed already.
    return row < r;
  };
  const tryCandidate = (idx: number): number => {
    U.fill(0, ur, ur + p);
    U[ur + idx] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (let o = 0; o < q; o++) {
        if (!isSet(o)) continue;
        const uo = o * p;
        let dot = 0;
        for (let t = 0; t < p; t++) dot += U[uo + t] * U[ur + t];
        for (let t = 0; t < p; t++) U[ur + t] -= dot * U[uo + t];
      }
    }
    let nrm = 0;
    for (let t = 0; t < p; t++) nrm += U[ur + t] * U[ur + t];
    return nrm;
  };
  let chosen = -1;
  for (let idx = 0; idx < p; idx++) {
    const nrm = tryCandidate(idx);
    if (nrm >= 0.5) {
      chosen = idx;
      bestNorm = nrm;
      break;
    }
    if (nrm > bestNorm) {
      bestNorm = nrm;
      bestIdx = idx;
    }
  }
  // When a candidate was accepted, U already holds its residual.
  const nrm = chosen >= 0 ? bestNorm : tryCandidate(bestIdx);
  const inv = 1 / Math.sqrt(nrm);
  for (let t = 0; t < p; t++) U[ur + t] *= inv;
}
