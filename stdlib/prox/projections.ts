// Projections onto simple sets, as prox builders (the prox of an indicator is the projection; the
// step t is ignored). Sets: nonnegative orthant, box, simplex, l1 / l2 / linf balls, hyperplane,
// halfspace, affine set, the k-sparse set (nonconvex), and two used as conjugates: the group-norm
// ball and the spectral-norm ball. Vectors are treated flat; the result has x's shape.
// Simplex and l1 ball use the sort-based threshold tau = max_j (sum_{i<=j} u_(i) - r) / j
// (Held et al.; Duchi et al. 2008), which is a max over a cumsum, hence differentiable.

import { ops as P } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/index.js';
import type { ProxFn, Weights } from './types.js';
import { flat, soft, sz, weightsLike } from './common.js';

/** The simplex threshold of a flat nonnegative vector u for radius r: max_j (cumsum_j - r) / j. */
export function simplexThreshold(u: Tracer, r: number): Tracer {
  const n = sz(u);
  const desc = P.sort(flat(u), true).values;
  const cs = P.cumsum(desc, 0);
  const j = P.add(P.iota([n], 0, u.dtype), 1);
  return P.max(P.div(P.sub(cs, r), j));
}

export const projNonneg = (): ProxFn => (x) => P.maximum(x, 0);

export const projBox =
  (lo: Weights, hi: Weights): ProxFn =>
  (x) =>
    P.minimum(P.maximum(x, weightsLike(lo, x)), weightsLike(hi, x));

/** {x >= 0, sum x = r}. */
export const projSimplex =
  (r = 1): ProxFn =>
  (x) =>
    P.maximum(P.sub(x, simplexThreshold(x, r)), 0);

/** {||x||_1 <= r}: soft thresholding at max(tau, 0). */
export const projL1Ball =
  (r = 1): ProxFn =>
  (x) =>
    soft(x, P.maximum(simplexThreshold(P.abs(x), r), 0));

/** {||x||_2 <= r}. */
export const projL2Ball =
  (r = 1): ProxFn =>
  (x) => {
    const nrm = P.safeSqrt(P.sumsq(x));
    return P.mul(x, P.minimum(1, P.safeDiv(r, nrm, 1)));
  };

/** {||x||_inf <= r}. */
export const projLinfBall =
  (r = 1): ProxFn =>
  (x) =>
    P.minimum(P.maximum(x, -r), r);

function vecConst(a: readonly number[], x: Tracer): Tracer {
  if (a.length !== sz(x)) throw new Error(`a has ${a.length} entries, x has ${sz(x)}`);
  return P.constant(a, x.dtype, [a.length]);
}
const aNorm2 = (a: readonly number[]) => a.reduce((s, v) => s + v * v, 0);

/** {a'x = b}. */
export const projHyperplane =
  (a: readonly number[], b: number): ProxFn =>
  (x) => {
    const av = vecConst(a, x);
    const r = P.div(P.sub(P.sum(P.mul(av, flat(x))), b), aNorm2(a));
    return P.reshape(P.sub(flat(x), P.mul(r, av)), x.shape);
  };

/** {a'x <= b}. */
export const projHalfspace =
  (a: readonly number[], b: number): ProxFn =>
  (x) => {
    const av = vecConst(a, x);
    const r = P.div(P.maximum(P.sub(P.sum(P.mul(av, flat(x))), b), 0), aNorm2(a));
    return P.reshape(P.sub(flat(x), P.mul(r, av)), x.shape);
  };

/** {A x = b} for A of full row rank (m x n): x - A' (A A')^{-1} (A x - b), by a Cholesky factor. */
export const projAffine =
  (A: readonly (readonly number[])[], b: readonly number[]): ProxFn =>
  (x) => {
    const m = A.length,
      n = sz(x);
    if (b.length !== m || A.some((row) => row.length !== n))
      throw new Error(`affine: A must be ${m} x ${n} and b of length ${m}`);
    const Am = P.constant(A.flat(), x.dtype, [m, n]);
    const L = P.cholesky(P.matmul(Am, Am, false, true));
    const res = P.sub(P.matmul(Am, flat(x)), P.constant(b, x.dtype, [m]));
    const y = P.triangularSolve(L, P.triangularSolve(L, res, true, false), true, true);
    return P.reshape(P.sub(flat(x), P.matmul(Am, y, true, false)), x.shape);
  };

/** {||x||_0 <= k} (nonconvex): keeps the k entries largest in magnitude (ties: the first). */
export const projSparse =
  (k: number): ProxFn =>
  (x) => {
    const n = sz(x);
    if (k >= n) return x;
    const { indices } = P.topK(P.abs(flat(x)), k);
    const kept = P.take(flat(x), indices, 0);
    return P.reshape(P.scatterAdd(kept, indices, 0, n), x.shape);
  };

/** Group ids of a flat vector of n entries from user groups (index lists); -> int array, `G` = none. */
export function groupIds(groups: readonly (readonly number[])[], n: number): Int32Array {
  const ids = new Int32Array(n).fill(groups.length);
  groups.forEach((g, j) => {
    for (const i of g) {
      if (!(i >= 0 && i < n && Number.isInteger(i)))
        throw new Error(`group ${j}: index ${i} out of range for ${n} entries`);
      if (ids[i] !== groups.length)
        throw new Error(
          `groups overlap at index ${i} (groups ${ids[i]} and ${j}); overlapping groups are not supported`,
        );
      ids[i] = j;
    }
  });
  return ids;
}

/** Per-group Euclidean norms of a flat vector: [G] (entries outside every group are ignored). */
export function groupNorms(xf: Tracer, ids: Int32Array, G: number): Tracer {
  const idx = P.constant(ids, 'int32', [ids.length]);
  const s = P.scatterAdd(P.square(xf), idx, 0, G + 1);
  return P.safeSqrt(P.slice(s, [0], [G]));
}

/** Scales each group of a flat vector by factor[j] (entries outside every group by 1). */
export function scaleGroups(xf: Tracer, factor: Tracer, ids: Int32Array): Tracer {
  const idx = P.constant(ids, 'int32', [ids.length]);
  const f = P.concat([factor, P.ones([1], factor.dtype)]);
  return P.mul(xf, P.take(f, idx, 0));
}

/** {||x_g||_2 <= r w_g for every group g}. */
export const projGroupBall =
  (groups: readonly (readonly number[])[], r: number, weights?: readonly number[]): ProxFn =>
  (x) => {
    const n = sz(x),
      G = groups.length;
    const ids = groupIds(groups, n);
    const nr = groupNorms(flat(x), ids, G);
    const rad = weights ? P.mul(r, P.constant(weights, x.dtype, [G])) : P.fullLike(nr, r);
    return P.reshape(scaleGroups(flat(x), P.minimum(1, P.safeDiv(rad, nr, 1)), ids), x.shape);
  };

/** {X : ||X||_2 (largest singular value) <= r}, for a matrix: U min(s, r) V'. */
export const projSpectralBall =
  (r: number): ProxFn =>
  (x) => {
    const { u, s, v } = P.svd(x);
    return P.matmul(P.mul(u, P.minimum(s, r)), v, false, true);
  };
