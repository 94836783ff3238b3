// Increasing vectors along the last axis (leading axes are independent copies, for arrays):
//   ordered:          x_0 = u_0, x_k = x_{k-1} + exp(u_k)           log J = sum_{k>=1} u_k
//   positive_ordered: x_k = sum_{j<=k} exp(u_j) (ordered with x_0 > 0)   log J = sum u
//   ordered > lo:     x = lo + cumsum(exp(u))                          log J = sum u
//   ordered < hi:     x_k = hi - sum_{j>=k} exp(u_j)                    log J = sum u
//   ordered in [lo, hi]: x = lo + (hi - lo) cumsum(s)[0..K), s the stick-breaking simplex of
//                    K + 1 entries from u (simplex.ts); the cumulative sum has unit Jacobian, so
//                    log J = log J_simplex + K log(hi - lo).
// The bounds are scalars (one bound for the whole vector); they may be traced values.

import { ops as P, type Tracer } from '../../runtime/index.js';
import { simplexForward, simplexInverse } from './simplex.js';
import type { ConstraintTransform } from './types.js';

const lastDim = (shape: readonly number[]) => shape[shape.length - 1]!;
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const shaped = (u: Tracer, shape: readonly number[]) => P.reshape(u, shape);
const f64 = (b: Tracer) => P.cast(b, 'float64');

/** x[..., a:b] along the last axis. */
function lastSlice(x: Tracer, a: number, b: number): Tracer {
  const starts = x.shape.map((_, i) => (i === x.rank - 1 ? a : 0));
  const limits = x.shape.map((d, i) => (i === x.rank - 1 ? b : d));
  return P.slice(x, starts, limits);
}

export const ordered: ConstraintTransform = {
  name: 'ordered',
  bounds: 0,
  batched: true,
  size,
  forward: (u0, shape) => {
    const u = shaped(u0, shape);
    const k = lastDim(shape);
    if (k === 1) return { value: u, logJac: P.zeros([]) };
    const rest = lastSlice(u, 1, k);
    return { value: P.cumsum(P.concat([lastSlice(u, 0, 1), P.exp(rest)], -1), -1), logJac: P.sum(rest) };
  },
  inverse: (x, shape) => {
    const k = lastDim(shape);
    if (k === 1) return P.flatten(x);
    const gaps = P.sub(lastSlice(x, 1, k), lastSlice(x, 0, k - 1));
    return P.flatten(P.concat([lastSlice(x, 0, 1), P.log(gaps)], -1));
  },
};

export const positiveOrdered: ConstraintTransform = {
  name: 'positive_ordered',
  bounds: 0,
  batched: true,
  size,
  forward: (u, shape) => orderedLower.forward(u, shape, [P.zeros([])]),
  inverse: (x, shape) => orderedLower.inverse(x, shape, [P.zeros([])]),
};

export const orderedLower: ConstraintTransform = {
  name: 'ordered_lower',
  bounds: 1,
  batched: true,
  size,
  forward: (u0, shape, [lo]) => {
    const u = shaped(u0, shape);
    return { value: P.add(f64(lo!), P.cumsum(P.exp(u), -1)), logJac: P.sum(u) };
  },
  inverse: (x, shape, [lo]) => {
    const k = lastDim(shape);
    const prev = P.concat([P.broadcastTo(f64(lo!), [...shape.slice(0, -1), 1]), lastSlice(x, 0, k - 1)], -1);
    return P.flatten(P.log(P.sub(x, prev)));
  },
};

export const orderedUpper: ConstraintTransform = {
  name: 'ordered_upper',
  bounds: 1,
  batched: true,
  size,
  forward: (u0, shape, [hi]) => {
    const u = shaped(u0, shape);
    return { value: P.sub(f64(hi!), P.cumsum(P.exp(u), -1, true)), logJac: P.sum(u) };
  },
  inverse: (x, shape, [hi]) => {
    const k = lastDim(shape);
    const next = P.concat([lastSlice(x, 1, k), P.broadcastTo(f64(hi!), [...shape.slice(0, -1), 1])], -1);
    return P.flatten(P.log(P.sub(next, x)));
  },
};

export const orderedInterval: ConstraintTransform = {
  name: 'ordered_interval',
  bounds: 2,
  batched: true,
  size,
  forward: (u0, shape, [lo, hi]) => {
    const k = lastDim(shape);
    const sshape = [...shape.slice(0, -1), k + 1];
    const { value: s, logJac } = simplexForward(shaped(u0, shape), sshape);
    const w = P.sub(f64(hi!), f64(lo!));
    const value = P.add(f64(lo!), P.mul(w, lastSlice(P.cumsum(s, -1), 0, k)));
    return { value, logJac: P.add(logJac, P.mul(size(shape), P.log(w))) };
  },
  inverse: (x, shape, [lo, hi]) => {
    const k = lastDim(shape);
    const p = P.div(P.sub(x, f64(lo!)), P.sub(f64(hi!), f64(lo!)));
    const prev = P.concat([P.zeros([...shape.slice(0, -1), 1]), lastSlice(p, 0, k - 1)], -1);
    const head = P.sub(p, prev);
    const s = P.concat([head, P.sub(1, lastSlice(p, k - 1, k))], -1);
    return simplexInverse(s, [...shape.slice(0, -1), k + 1]);
  },
};
