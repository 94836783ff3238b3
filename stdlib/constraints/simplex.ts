// simplex[K]: K non-negative entries summing to 1, from K - 1 unconstrained ones by Stan's
// stick-breaking transform. With z_k = sigmoid(u_k - log(K - 1 - k)) (0-based, so u = 0 maps
// to the uniform simplex), the stick left before piece k is r_k = prod_{j<k} (1 - z_j), and
// x_k = r_k z_k for k < K - 1, x_{K-1} = r_{K-1}. In logs, r is an exclusive cumulative sum,
// so the whole map is vectorized (no loop in the graph). Leading axes are independent simplexes
// (arrays: `simplex[K][m]`), all along the last axis.
//   log J = sum_k log z_k + log(1 - z_k) + log r_k.

import { ops as P, type Tracer } from '../../runtime/index.js';
import type { ConstraintTransform } from './types.js';

const offsets = (k: number): Tracer => P.constant(Array.from({ length: k - 1 }, (_, i) => Math.log(k - 1 - i)));

/** Exclusive cumulative sum along the last axis: [0, x0, x0 + x1, ...] without the total. */
const exclusiveCumsum = (x: Tracer): Tracer => P.sub(P.cumsum(x, -1), x);

const lead = (shape: readonly number[]) => shape.slice(0, -1);
const count = (shape: readonly number[]) => lead(shape).reduce((a, b) => a * b, 1);

/** u (any shape holding count x (K - 1) values) -> simplexes of `shape` [..., K] and log J. */
export function simplexForward(u: Tracer, shape: readonly number[]): { value: Tracer; logJac: Tracer } {
  const k = shape[shape.length - 1]!;
  if (k === 1) return { value: P.ones([...shape]), logJac: P.zeros([]) };
  const v = P.sub(P.reshape(u, [...lead(shape), k - 1]), offsets(k));
  const logZ = P.logSigmoid(v);
  const log1mZ = P.logSigmoid(P.neg(v));
  const logR = exclusiveCumsum(log1mZ);
  const head = P.exp(P.add(logR, logZ));
  const last = P.exp(P.sum(log1mZ, -1, true));
  const value = P.concat([head, last], -1);
  const logJac = P.sum(P.add(P.add(logZ, log1mZ), logR));
  return { value, logJac };
}

/** Simplexes of `shape` [..., K] -> the flat unconstrained values. */
export function simplexInverse(x: Tracer, shape: readonly number[]): Tracer {
  const k = shape[shape.length - 1]!;
  if (k === 1) return P.zeros([0]);
  const starts = shape.map(() => 0);
  const head = P.slice(x, starts, [...lead(shape), k - 1]);
  const r = P.sub(1, exclusiveCumsum(head));
  const z = P.div(head, r);
  return P.flatten(P.add(P.sub(P.log(z), P.log1p(P.neg(z))), offsets(k)));
}

export const simplex: ConstraintTransform = {
  name: 'simplex',
  bounds: 0,
  batched: true,
  size: (shape) => count(shape) * (shape[shape.length - 1]! - 1),
  forward: (u, shape) => simplexForward(u, shape),
  inverse: (x, shape) => simplexInverse(x, shape),
};
