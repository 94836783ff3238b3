// Sparsity-controlling envelopes. S_k(x) is the convex envelope of 0.5 ||x||^2 restricted to
// k-sparse x (half the squared k-support norm): with z = |x| sorted in decreasing order,
//   S_k(x) = 0.5 sum_{i<k-r} z_i^2 + (1 / (2 (r+1))) (sum_{i>=k-r} z_i)^2,
// r in {0..k-1} the unique integer with z_{k-r-1} > (1/(r+1)) sum_{i>=k-r} z_i >= z_{k-r}
// (1-based, z_0 = +inf). Its prox is Argyriou, Foygel & Srebro (2012), Algorithm 1: sort, then
// search the pair (r, l) that satisfies the four interval conditions (done here as an argmax of
// the smallest slack over the k x (d-k+1) grid, so rounding at ties still picks a valid pair).
// WGSEF (weighted group sparse envelope) applies S_k to v_j = w_j ||x_{G_j}||_2 over user groups;
// its prox is computed exactly from the variational form S_k(v) = min_{theta in [0,1]^G,
// sum theta = k} 0.5 sum v_j^2 / theta_j: each group is scaled by theta_j / (t lam w_j^2 + theta_j)
// with theta_j = clip(n_j w_j c - t lam w_j^2, 0, 1), and c solves sum theta = k, found by sorting
// the 2G breakpoints of that piecewise-linear sum and a search (O(G log G)).

import { ops as P } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/index.js';
import type { TLike } from '../../runtime/index.js';
import type { ProxFn, ValueFn } from './types.js';
import { flat, sz, tmul } from './common.js';
import { groupIds, groupNorms, scaleGroups } from './projections.js';

const ints = (xs: number[]) => P.constant(xs, 'int32', [xs.length]);
/** v[i] for a scalar int32 tracer i. */
const at = (v: Tracer, i: Tracer): Tracer => P.reshape(P.take(v, P.reshape(i, [1]), 0), []);

/** S_k of z = sorted |x| (descending, flat, length d > k): the value, as a scalar. */
function envelopeSorted(z: Tracer, k: number): Tracer {
  const d = sz(z);
  const C = P.concat([P.zeros([1], z.dtype), P.cumsum(z, 0)]); // C[j] = sum_{i<=j} z_i
  const rs = Array.from({ length: k }, (_, r) => r);
  const Ca = P.take(C, ints(rs.map((r) => k - r - 1)), 0);
  const T = P.sub(P.index(C, d), Ca);
  const m = P.div(
    T,
    P.constant(
      rs.map((r) => r + 1),
      z.dtype,
      [k],
    ),
  );
  const zs = P.stopGradient(z);
  const zpS = P.concat([P.full([1], Infinity, z.dtype), zs]);
  const Cs = P.stopGradient(C);
  const mS = P.div(
    P.sub(P.index(Cs, d), P.take(Cs, ints(rs.map((r) => k - r - 1)), 0)),
    P.constant(
      rs.map((r) => r + 1),
      z.dtype,
      [k],
    ),
  );
  const score = P.minimum(
    P.sub(P.take(zpS, ints(rs.map((r) => k - r - 1)), 0), mS),
    P.sub(mS, P.take(zpS, ints(rs.map((r) => k - r)), 0)),
  );
  const ri = P.argmax(score, 0);
  // head = sum_{i < k-r} z_i^2 = cumsum of squares at k-r-1
  const C2 = P.concat([P.zeros([1], z.dtype), P.cumsum(P.square(z), 0)]);
  const head = at(P.take(C2, ints(rs.map((r) => k - r - 1)), 0), ri);
  const Tr = at(T, ri);
  return P.mul(0.5, P.add(head, P.mul(Tr, at(m, ri))));
}

/** S_k(x) (x treated flat). */
export const valueSparseEnvelope =
  (k: number, lambda = 1): ValueFn =>
  (x) => {
    const d = sz(x);
    if (k >= d) return P.mul(lambda / 2, P.sumsq(x));
    return P.mul(lambda, envelopeSorted(P.sort(P.abs(flat(x)), true).values, k));
  };

/** prox of t lambda S_k (Argyriou et al. 2012, Algorithm 1 with beta = 1 / (t lambda)). */
export const proxSparseEnvelope =
  (k: number, lambda = 1): ProxFn =>
  (x, t) => {
    const d = sz(x);
    const lam = tmul(t, lambda);
    if (k >= d) return P.div(x, typeof lam === 'number' ? 1 + lam : P.add(1, lam));
    const xf = flat(x);
    const { values: z, indices } = P.sort(P.abs(xf), true);
    const bp1 = typeof lam === 'number' ? (1 + lam) / lam : P.div(P.add(1, lam), lam); // beta + 1
    const C = P.concat([P.zeros([1], z.dtype), P.cumsum(z, 0)]);
    const R = k,
      L = d - k + 1;
    const rGrid: number[] = [],
      lGrid: number[] = [];
    for (let r = 0; r < R; r++) for (let l = k; l <= d; l++) (rGrid.push(r), lGrid.push(l));
    const rs = Array.from({ length: R }, (_, r) => r);
    const ls = Array.from({ length: L }, (_, j) => k + j);
    // T_{r,l} = C[l] - C[k-r-1]; den = l - k + (beta+1)(r+1)
    const Cl = P.reshape(P.take(C, ints(ls), 0), [1, L]);
    const Ca = P.reshape(P.take(C, ints(rs.map((r) => k - r - 1)), 0), [R, 1]);
    const den = P.add(
      P.reshape(
        P.constant(
          ls.map((l) => l - k),
          z.dtype,
          [L],
        ),
        [1, L],
      ),
      P.mul(
        bp1,
        P.reshape(
          P.constant(
            rs.map((r) => r + 1),
            z.dtype,
            [R],
          ),
          [R, 1],
        ),
      ),
    );
    const m = P.div(P.sub(Cl, Ca), den); // [R, L]
    // Slacks of the four conditions (computed without gradient; only the argmax is used).
    const zs = P.stopGradient(z);
    const ms = P.stopGradient(m);
    const zp = P.concat([P.full([1], Infinity, z.dtype), zs, P.full([1], -Infinity, z.dtype)]);
    const bs = typeof bp1 === 'number' ? bp1 : P.stopGradient(bp1);
    const zA = P.reshape(P.div(P.take(zp, ints(rs.map((r) => k - r - 1)), 0), bs), [R, 1]);
    const zB = P.reshape(P.div(P.take(zp, ints(rs.map((r) => k - r)), 0), bs), [R, 1]);
    const zl = P.reshape(P.take(zp, ints(ls), 0), [1, L]);
    const zl1 = P.reshape(P.take(zp, ints(ls.map((l) => l + 1)), 0), [1, L]);
    const score = P.minimum(P.minimum(P.sub(zA, ms), P.sub(ms, zB)), P.minimum(P.sub(zl, ms), P.sub(ms, zl1)));
    const best = P.argmax(P.reshape(score, [R * L]), 0);
    const r = at(ints(rGrid), best),
      l = at(ints(lGrid), best);
    const mStar = at(P.reshape(m, [R * L]), best);
    const pos = P.add(P.iota([d], 0, 'int32'), 1); // 1-based positions in sorted order
    const top = P.lt(pos, P.sub(k, r)); // i <= k - r - 1
    const mid = P.le(pos, l);
    const q = P.where(
      top,
      P.div(z, typeof lam === 'number' ? 1 + lam : P.add(1, lam)),
      P.where(mid, P.sub(z, mStar), 0),
    ); // top: beta/(beta+1) z
    return P.reshape(P.mul(P.sign(xf), P.scatterAdd(q, indices, 0, d)), x.shape);
  };

/** WGSEF(x) = S_k(v), v_j = w_j ||x_{G_j}||_2. */
export const valueWgsef =
  (groups: readonly (readonly number[])[], k: number, lambda = 1, weights?: readonly number[]): ValueFn =>
  (x) => {
    const G = groups.length;
    let v = groupNorms(flat(x), groupIds(groups, sz(x)), G);
    if (weights) v = P.mul(v, P.constant(weights, x.dtype, [G]));
    return valueSparseEnvelope(k, lambda)(v);
  };

/** The scale factors theta_j / (lam w_j^2 + theta_j) of the WGSEF prox, from group norms n. */
export function wgsefFactors(n: Tracer, w: Tracer, k: number, lam: TLike): Tracer {
  const G = sz(n);
  const BIG = 1e30;
  const pos = P.gt(n, 0);
  const nw = P.mul(n, w);
  const lw2 = P.mul(lam, P.square(w));
  const a = P.where(pos, P.safeDiv(P.mul(lam, w), n, BIG), BIG);
  const b = P.where(pos, P.safeDiv(P.add(1, lw2), nw, BIG), BIG);
  const e = P.concat([a, b]);
  const dS = P.concat([nw, P.neg(nw)]);
  const posF = P.cast(pos, n.dtype);
  const dI = P.concat([P.neg(P.mul(lw2, posF)), P.mul(P.add(lw2, 1), posF)]);
  const { values: es, indices } = P.sort(e, false);
  const slope = P.cumsum(P.take(dS, indices, 0), 0);
  const icpt = P.cumsum(P.take(dI, indices, 0), 0);
  // S at each event (continuous, so before = after); events of zero groups sit at BIG and never
  // count (the slopes' rounding residue times BIG would be noise).
  const S = P.where(P.lt(es, BIG), P.add(P.mul(slope, es), icpt), Infinity);
  const count = P.sum(P.cast(P.le(P.stopGradient(S), k), 'int32'));
  const i = P.minimum(P.maximum(P.sub(count, 1), 0), 2 * G - 1);
  const saturated = P.le(P.sum(posF), k);
  // On a plateau (slope 0, S = k up to rounding) any c in it works: take its left end. Clamping
  // into [e_i, e_{i+1}] keeps rounding from leaving the interval.
  const ei = at(P.stopGradient(es), i),
    ej = at(P.stopGradient(es), P.minimum(P.add(i, 1), 2 * G - 1));
  const si = at(slope, i);
  const c = P.where(P.gt(si, 0), P.minimum(P.maximum(P.safeDiv(P.sub(k, at(icpt, i)), si, 0), ei), ej), ei);
  const th = P.minimum(P.maximum(P.sub(P.mul(nw, c), lw2), 0), 1);
  // Rounding in c can leave 1e-16 where theta is exactly 0: snap it (exact group zeros).
  const theta = P.where(saturated, posF, P.where(P.lt(th, 1e-12), 0, th));
  return P.safeDiv(theta, P.add(lw2, theta), 0);
}

/** prox of t lambda WGSEF: each group scaled by its factor (groups not listed are left alone). */
export const proxWgsef =
  (groups: readonly (readonly number[])[], k: number, lambda = 1, weights?: readonly number[]): ProxFn =>
  (x, t) => {
    const G = groups.length;
    const ids = groupIds(groups, sz(x));
    const xf = flat(x);
    const n = groupNorms(xf, ids, G);
    const w = weights ? P.constant(weights, x.dtype, [G]) : P.onesLike(n);
    if (k >= G)
      return P.reshape(scaleGroups(xf, P.div(1, P.add(1, P.mul(tmul(t, lambda), P.square(w)))), ids), x.shape);
    return P.reshape(scaleGroups(xf, wgsefFactors(n, w, k, tmul(t, lambda)), ids), x.shape);
  };

/**
 * The sparse-envelope gap lambda (WGSEF_k(x) - 0.5 sum_g ||x_g||^2) (unit weights): nonnegative,
 * zero exactly when at most k groups are nonzero (the k-support norm equals the l2 norm only on
 * k-sparse vectors), so as a penalty it forces k-group sparsity (the bidualization view of
 * Beck & Refael). Nonconvex (a difference of convex functions); its prox for t lambda < 1 is the
 * envelope prox of a rescaled point: prox_{mu WGSEF}(x / (1 - t lambda)), mu = t lambda / (1 - t lambda).
 * Use prox methods with a step below 1 / lambda (e.g. fista with lipschitz >= lambda).
 */
export const proxWgsefGap =
  (groups: readonly (readonly number[])[], k: number, lambda = 1): ProxFn =>
  (x, t) => {
    const tl = tmul(t, lambda);
    const a = typeof tl === 'number' ? Math.max(1 - tl, 1e-12) : P.maximum(P.sub(1, tl), 1e-12);
    const mu = typeof tl === 'number' ? tl / (a as number) : P.div(tl, a);
    return proxWgsef(groups, k, 1)(P.div(x, a), mu);
  };
export const valueWgsefGap =
  (groups: readonly (readonly number[])[], k: number, lambda = 1): ValueFn =>
  (x) =>
    P.mul(lambda, P.maximum(P.sub(valueWgsef(groups, k, 1)(x), P.mul(0.5, P.sumsq(x))), 0));
