// Closed-form prox operators of norms and penalties: weighted l1, elastic net, ridge, l2 norm,
// linf norm (by the Moreau decomposition with the l1-ball projection), group lasso over
// user-defined (non-overlapping) groups, nuclear norm (SVD soft-threshold) and l0 (hard
// threshold). Each prox(x, t) is argmin_z t f(z) + 0.5 ||z - x||^2.

import { ops as P } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/index.js';
import type { ProxFn, ValueFn, Weights } from './types.js';
import type { TLike } from '../../runtime/index.js';
import { flat, soft, sz, tmul, tsqrt, weightsLike } from './common.js';
import { groupIds, groupNorms, projL1Ball, scaleGroups } from './projections.js';

/** f = lambda sum_i w_i |x_i|. */
export const proxL1 =
  (lambda: number, w: Weights = 1): ProxFn =>
  (x, t) =>
    soft(x, typeof w === 'number' ? tmul(t, lambda * w) : P.mul(tmul(t, lambda), weightsLike(w, x)));
export const valueL1 =
  (lambda: number, w: Weights = 1): ValueFn =>
  (x) =>
    P.mul(lambda, P.sum(P.mul(P.abs(x), weightsLike(w, x))));

/** f = l1 ||x||_1 + (l2 / 2) ||x||^2. */
export const proxElasticNet =
  (l1: number, l2: number): ProxFn =>
  (x, t) =>
    P.div(soft(x, tmul(t, l1)), typeof t === 'number' ? 1 + t * l2 : P.add(1, P.mul(t, l2)));
export const valueElasticNet =
  (l1: number, l2: number): ValueFn =>
  (x) =>
    P.add(P.mul(l1, P.norm1(x)), P.mul(l2 / 2, P.sumsq(x)));

/** f = (lambda / 2) ||x||^2. */
export const proxRidge =
  (lambda: number): ProxFn =>
  (x, t) =>
    P.div(x, typeof t === 'number' ? 1 + t * lambda : P.add(1, P.mul(t, lambda)));
export const valueRidge =
  (lambda: number): ValueFn =>
  (x) =>
    P.mul(lambda / 2, P.sumsq(x));

/** f = lambda ||x||_2 (block soft-threshold). */
export const proxL2 =
  (lambda: number): ProxFn =>
  (x, t) => {
    const nrm = P.safeSqrt(P.sumsq(x));
    return P.mul(x, P.maximum(0, P.sub(1, P.safeDiv(tmul(t, lambda), nrm, 1))));
  };
export const valueL2 =
  (lambda: number): ValueFn =>
  (x) =>
    P.mul(lambda, P.safeSqrt(P.sumsq(x)));

/** f = lambda ||x||_inf: x - t proj_{||.||_1 <= lambda}(x / t). */
export const proxLinf =
  (lambda: number): ProxFn =>
  (x, t) =>
    P.sub(x, P.mul(t, projL1Ball(lambda)(P.div(x, t), 1)));
export const valueLinf =
  (lambda: number): ValueFn =>
  (x) =>
    P.mul(lambda, P.max(P.abs(x)));

/** f = lambda sum_g w_g ||x_g||_2 over groups of flat indices (w_g = 1 unless given). */
export const proxGroupLasso =
  (groups: readonly (readonly number[])[], lambda: number, weights?: readonly number[]): ProxFn =>
  (x, t) => {
    const G = groups.length;
    const ids = groupIds(groups, sz(x));
    const nr = groupNorms(flat(x), ids, G);
    const thr = weights
      ? P.mul(tmul(t, lambda), P.constant(weights, x.dtype, [G]))
      : P.add(P.zerosLike(nr), tmul(t, lambda));
    const factor = P.maximum(0, P.sub(1, P.safeDiv(thr, nr, 1)));
    return P.reshape(scaleGroups(flat(x), factor, ids), x.shape);
  };
export const valueGroupLasso =
  (groups: readonly (readonly number[])[], lambda: number, weights?: readonly number[]): ValueFn =>
  (x) => {
    const G = groups.length;
    const nr = groupNorms(flat(x), groupIds(groups, sz(x)), G);
    return P.mul(lambda, P.sum(weights ? P.mul(nr, P.constant(weights, x.dtype, [G])) : nr));
  };

/** f = lambda ||X||_* (sum of singular values), X a matrix: U max(s - t lambda, 0) V'. */
export const proxNuclear =
  (lambda: number): ProxFn =>
  (x, t) => {
    const { u, s, v } = P.svd(x);
    return P.matmul(P.mul(u, P.maximum(P.sub(s, tmul(t, lambda)), 0)), v, false, true);
  };
export const proxValueNuclear =
  (lambda: number) =>
  (x: Tracer, t: TLike): [Tracer, Tracer] => {
    const { u, s, v } = P.svd(x);
    const sh = P.maximum(P.sub(s, tmul(t, lambda)), 0);
    return [P.matmul(P.mul(u, sh), v, false, true), P.mul(lambda, P.sum(sh))];
  };
export const valueNuclear =
  (lambda: number): ValueFn =>
  (x) =>
    P.mul(lambda, P.sum(P.svd(x).s));

/** f = lambda ||x||_0 (nonconvex): keeps x_i where |x_i| > sqrt(2 t lambda) (a global minimizer). */
export const proxL0 =
  (lambda: number): ProxFn =>
  (x, t) =>
    P.where(P.gt(P.abs(x), tsqrt(tmul(t, 2 * lambda))), x, 0);
export const valueL0 =
  (lambda: number): ValueFn =>
  (x) =>
    P.mul(lambda, P.sum(P.cast(P.ne(x, 0), x.dtype)));

export type { Tracer };
