// simplex[K]: K non-negative entries summing to 1, from K - 1 unconstrained ones by Stan's
// stick-breaking transform. With z_k = sigmoid(u_k - log(K - 1 - k)) (0-based, so u = 0 maps
// to the uniform simplex), the stick left before piece k is r_k = prod_{j<k} (1 - z_j), and
// x_k = r_k z_k for k < K - 1, x_{K-1} = r_{K-1}. In logs, r is an exclusive cumulative sum,
// so the whole map is vectorized (no loop in the graph).
//   log J = sum_k log z_k + log(1 - z_k) + log r_k.

import { ops as P, type Tracer } from '../../runtime/index.js';
import type { ConstraintTransform } from './types.js';

const offsets = (k: number): Tracer => P.constant(Array.from({ length: k - 1 }, (_, i) => Math.log(k - 1 - i)));

/** Exclusive cumulative sum of a vector: [0, x0, x0 + x1, ...] without the total. */
const exclusiveCumsum = (x: Tracer): Tracer => P.sub(P.cumsum(x), x);

export const simplex: ConstraintTransform = {
  name: 'simplex',
  bounds: 0,
  size: (shape) => shape[0]! - 1,
  forward: (u, shape) => {
    const k = shape[0]!;
    if (k === 1) return { value: P.ones([1]), logJac: P.zeros([]) };
    const v = P.sub(u, offsets(k));
    const logZ = P.logSigmoid(v);
    const log1mZ = P.logSigmoid(P.neg(v));
    const logR = exclusiveCumsum(log1mZ);
    const head = P.exp(P.add(logR, logZ));
    const last = P.exp(P.reshape(P.sum(log1mZ), [1]));
    const value = P.concat([head, last]);
    const logJac = P.sum(P.add(P.add(logZ, log1mZ), logR));
    return { value, logJac };
  },
  inverse: (x, shape) => {
    const k = shape[0]!;
    if (k === 1) return P.zeros([0]);
    const head = P.slice(x, [0], [k - 1]);
    const r = P.sub(1, exclusiveCumsum(head));
    const z = P.div(head, r);
    return P.add(P.sub(P.log(z), P.log1p(P.neg(z))), offsets(k));
  },
};
