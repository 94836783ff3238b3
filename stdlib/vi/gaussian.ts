// The automatic guides: Gaussian families over the unconstrained parameter vector (mean-field,
// full-rank, low-rank plus diagonal) and Delta (a point mass: MAP), as graph builders.
//
// Each family is written in *whitened* coordinates w, with z = shift + A w for a fixed affine map
// (see whitening.ts) chosen from the Laplace approximation. The map is a change of
// parameterization of the family, not of the family itself: it keeps each family's structure
// (A is diagonal for mean-field and low-rank, so z stays mean-field / low-rank plus diagonal),
// and it makes every variational parameter O(1) at the start, so one Adam learning rate suits
// parameters whose posterior sds differ by orders of magnitude.
//
// Invariants: `size(n)` variational parameters in a flat vector phi; `noise(n)` standard normal
// draws make one sample; `sample(phi, eps)` is pathwise differentiable in phi; `entropy(phi)` is
// the closed-form entropy of q(w) (the ELBO uses it instead of -log q(w): lower variance).

import { ops as P, type Tracer } from '../../runtime/index.js';
import { eigh } from '../../runtime/index.js';

export type GuideName = 'mean_field' | 'full_rank' | 'low_rank' | 'delta';

export interface GaussianFamily {
  name: GuideName;
  /** Number of variational parameters for an n-dimensional latent. */
  size(n: number): number;
  /** Standard normal draws per sample. */
  noise(n: number): number;
  /** One draw w [n] from eps [noise(n)]. */
  sample(phi: Tracer, eps: Tracer, n: number): Tracer;
  /** Entropy of q(w) (0 for delta, by convention: its ELBO is the log density at the point). */
  entropy(phi: Tracer, n: number): Tracer;
  /** The mean of w. */
  mean(phi: Tracer, n: number): Tracer;
  /**
   * log q(w), where the family has a cheap one. The ELBO then uses the "sticking the landing"
   * estimator (Roeder et al. 2017): log q with phi held fixed, so the gradient flows only through
   * the draw, and its variance vanishes as q approaches the posterior. Adam then settles instead
   * of jittering around the optimum (the Laplace start is exact for a Gaussian posterior).
   */
  logq?(phi: Tracer, w: Tracer, n: number): Tracer;
  /**
   * The start phi when the start Gaussian has covariance C and precision P in whitened
   * coordinates (row-major [n, n]; both the identity when the whitening is its full factor).
   */
  init(n: number, start: { C: Float64Array; P: Float64Array }): Float64Array;
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const HALF_LOG_2PI_E = 0.5 + HALF_LOG_2PI;

const meanField: GaussianFamily = {
  name: 'mean_field',
  size: (n) => 2 * n,
  noise: (n) => n,
  sample: (phi, eps, n) => P.add(P.slice(phi, [0], [n]), P.mul(P.exp(P.slice(phi, [n], [2 * n])), eps)),
  entropy: (phi, n) => P.add(P.sum(P.slice(phi, [n], [2 * n])), n * HALF_LOG_2PI_E),
  mean: (phi, n) => P.slice(phi, [0], [n]),
  logq: (phi, w, n) => {
    const s = P.slice(phi, [n], [2 * n]);
    const u = P.mul(P.sub(w, P.slice(phi, [0], [n])), P.exp(P.neg(s)));
    return P.sub(P.mul(-0.5, P.sum(P.square(u))), P.add(P.sum(s), n * HALF_LOG_2PI));
  },
  // The mean-field optimum against a Gaussian: the conditional variances 1 / diag(P).
  init: (n, { P: Pw }) => {
    const phi = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) phi[n + i] = -0.5 * Math.log(Pw[i * n + i]!);
    return phi;
  },
};

/** Lower-triangular packing, row by row: entry (i, j <= i) at i (i + 1) / 2 + j. */
const tri = (n: number) => (n * (n + 1)) / 2;

/** The full-rank family's Cholesky factor L [n, n] from phi (= m, then the packed triangle). */
export function fullRankTril(phi: Tracer, n: number): Tracer {
  return unpackTril(P.slice(phi, [n], [n + tri(n)]), n);
}

/** L [n, n] from its packed lower triangle with a log-diagonal (a gather from constant indices). */
function unpackTril(packed: Tracer, n: number): Tracer {
  const m = tri(n);
  const diag: number[] = new Array(m).fill(0);
  const where: number[] = new Array(n * n).fill(m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) where[i * n + j] = tri(i) + j;
    diag[tri(i) + i] = 1;
  }
  const mask = P.constant(
    diag.map((d) => d === 1),
    'bool',
  );
  const vals = P.concat([P.where(mask, P.exp(packed), packed), P.zeros([1])]);
  return P.reshape(P.take(vals, P.constant(where, 'int32')), [n, n]);
}

function logDiagSum(packed: Tracer, n: number): Tracer {
  const idx = Array.from({ length: n }, (_, i) => tri(i) + i);
  return P.sum(P.take(packed, P.constant(idx, 'int32')));
}

const fullRank: GaussianFamily = {
  name: 'full_rank',
  size: (n) => n + tri(n),
  noise: (n) => n,
  sample: (phi, eps, n) => {
    const L = unpackTril(P.slice(phi, [n], [n + tri(n)]), n);
    return P.add(P.slice(phi, [0], [n]), P.matmul(L, eps));
  },
  entropy: (phi, n) => P.add(logDiagSum(P.slice(phi, [n], [n + tri(n)]), n), n * HALF_LOG_2PI_E),
  mean: (phi, n) => P.slice(phi, [0], [n]),
  logq: (phi, w, n) => {
    const packed = P.slice(phi, [n], [n + tri(n)]);
    const u = P.triangularSolve(unpackTril(packed, n), P.sub(w, P.slice(phi, [0], [n])), true);
    return P.sub(P.mul(-0.5, P.sum(P.square(u))), P.add(logDiagSum(packed, n), n * HALF_LOG_2PI));
  },
  init: (n, { C }) => {
    // L0 = chol(C), log-diagonal; C is the identity under the full whitening.
    const phi = new Float64Array(n + tri(n));
    const L = choleskyHost(C, n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j <= i; j++) phi[n + tri(i) + j] = i === j ? Math.log(L[i * n + i]!) : L[i * n + j]!;
    return phi;
  },
};

/** Low-rank plus diagonal: w = m + B e1 + exp(s) e2, Cov = B B' + diag(exp(2 s)). */
export function lowRank(rank: number): GaussianFamily {
  const r = rank;
  const parts = (phi: Tracer, n: number) => ({
    m: P.slice(phi, [0], [n]),
    B: P.reshape(P.slice(phi, [n], [n + n * r]), [n, r]),
    s: P.slice(phi, [n + n * r], [2 * n + n * r]),
  });
  return {
    name: 'low_rank',
    size: (n) => 2 * n + n * r,
    noise: (n) => n + r,
    sample: (phi, eps, n) => {
      const { m, B, s } = parts(phi, n);
      return P.add(P.add(m, P.matmul(B, P.slice(eps, [0], [r]))), P.mul(P.exp(s), P.slice(eps, [r], [r + n])));
    },
    entropy: (phi, n) => {
      // log det(BB' + D^2) = 2 sum s + log det(I_r + B' D^-2 B) (the matrix determinant lemma).
      const { B, s } = parts(phi, n);
      const Bs = P.mul(B, P.reshape(P.exp(P.neg(s)), [n, 1]));
      const M = P.add(P.matmul(Bs, Bs, true, false), P.constant(eye(r), 'float64', [r, r]));
      const ld = P.mul(
        2,
        P.sum(
          P.log(
            P.take(
              P.reshape(P.cholesky(M), [r * r]),
              P.constant(
                Array.from({ length: r }, (_, i) => i * r + i),
                'int32',
              ),
            ),
          ),
        ),
      );
      return P.add(P.add(P.sum(s), P.mul(0.5, ld)), n * HALF_LOG_2PI_E);
    },
    mean: (phi, n) => P.slice(phi, [0], [n]),
    // Woodbury: with D = diag(exp(s)), Bs = D^-1 B, M = I + Bs' Bs = L L', the quadratic form is
    // |D^-1 u|^2 - |L^-1 Bs' D^-1 u|^2 and log det Cov = 2 sum s + 2 sum log diag L.
    logq: (phi, w, n) => {
      const { m, B, s } = parts(phi, n);
      const inv = P.exp(P.neg(s));
      const ud = P.mul(P.sub(w, m), inv);
      const Bs = P.mul(B, P.reshape(inv, [n, 1]));
      const L = P.cholesky(P.add(P.matmul(Bs, Bs, true, false), P.constant(eye(r), 'float64', [r, r])));
      const v = P.triangularSolve(L, P.matmul(ud, Bs), true);
      const quad = P.sub(P.sum(P.square(ud)), P.sum(P.square(v)));
      const logDiagL = P.sum(
        P.log(
          P.take(
            P.reshape(L, [r * r]),
            P.constant(
              Array.from({ length: r }, (_, i) => i * r + i),
              'int32',
            ),
          ),
        ),
      );
      return P.sub(P.mul(-0.5, quad), P.add(P.add(P.sum(s), logDiagL), n * HALF_LOG_2PI));
    },
    init: (n, { C }) => {
      // Probabilistic PCA of C: the leading eigenvectors carry the correlated directions, and
      // the diagonal takes the variance they leave.
      const k = Math.min(r, n);
      const { w, v } = eigh(C, 1, n);
      const phi = new Float64Array(2 * n + n * r);
      const rest = n > k ? Array.from(w.subarray(0, n - k)).reduce((a, b) => a + b, 0) / (n - k) : 0;
      for (let c = 0; c < k; c++) {
        const col = n - 1 - c;
        const scale = Math.sqrt(Math.max(w[col]! - rest, 0));
        for (let i = 0; i < n; i++) phi[n + i * r + c] = v[i * n + col]! * scale;
      }
      // Each coordinate keeps its variance: the diagonal takes at least 5 % of it (so it stays
      // identifiable), and the row of B is shrunk to leave room for that.
      for (let i = 0; i < n; i++) {
        const cii = C[i * n + i]!;
        let b2 = 0;
        for (let c = 0; c < r; c++) b2 += phi[n + i * r + c]! ** 2;
        const d2 = Math.max(cii - b2, 0.05 * cii);
        if (b2 > 0 && b2 + d2 > cii) for (let c = 0; c < r; c++) phi[n + i * r + c]! *= Math.sqrt((cii - d2) / b2);
        phi[n + n * r + i] = 0.5 * Math.log(d2);
      }
      return phi;
    },
  };
}

const delta: GaussianFamily = {
  name: 'delta',
  size: (n) => n,
  noise: () => 0,
  sample: (phi) => phi,
  entropy: () => P.zeros([]),
  mean: (phi) => phi,
  init: (n) => new Float64Array(n),
};

export function gaussianFamily(name: GuideName, rank = 2): GaussianFamily {
  switch (name) {
    case 'mean_field':
      return meanField;
    case 'full_rank':
      return fullRank;
    case 'low_rank':
      return lowRank(rank);
    case 'delta':
      return delta;
  }
}

function eye(n: number): number[] {
  const a = new Array(n * n).fill(0);
  for (let i = 0; i < n; i++) a[i * n + i] = 1;
  return a;
}

/** Cholesky of a small SPD matrix on the host (rows of C), with a jitter floor on the pivots. */
function choleskyHost(C: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = C[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / L[j * n + j]!;
    }
  }
  return L;
}
