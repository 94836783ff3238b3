// Bounded reals, elementwise (Stan's lower, upper and lower-upper transforms):
//   lower:    x = lb + exp(u),               log J = sum(u)
//   upper:    x = ub - exp(u),               log J = sum(u)
//   interval: x = lo + (hi - lo) sigmoid(u), log J = sum(log(hi - lo) + log_sigmoid(u) + log_sigmoid(-u))
// `positive` is `lower` with lb = 0. The bounds broadcast to the value's shape and may be traced
// (parameter-dependent): then the value and log J depend on them, as the density needs.

import { ops as P, type Tracer } from '../../runtime/index.js';
import type { ConstraintTransform } from './types.js';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const shaped = (u: Tracer, shape: readonly number[]) => P.reshape(u, shape);
const bcast = (b: Tracer, shape: readonly number[]) => P.broadcastTo(P.cast(b, 'float64'), shape);

export const lower: ConstraintTransform = {
  name: 'lower',
  bounds: 1,
  size,
  forward: (u, shape, [lb]) => ({ value: P.add(bcast(lb!, shape), P.exp(shaped(u, shape))), logJac: P.sum(u) }),
  inverse: (x, shape, [lb]) => P.flatten(P.log(P.sub(x, bcast(lb!, shape)))),
};

export const upper: ConstraintTransform = {
  name: 'upper',
  bounds: 1,
  size,
  forward: (u, shape, [ub]) => ({ value: P.sub(bcast(ub!, shape), P.exp(shaped(u, shape))), logJac: P.sum(u) }),
  inverse: (x, shape, [ub]) => P.flatten(P.log(P.sub(bcast(ub!, shape), x))),
};

export const interval: ConstraintTransform = {
  name: 'interval',
  bounds: 2,
  size,
  forward: (u, shape, [lo, hi]) => {
    const l = bcast(lo!, shape);
    const w = P.sub(bcast(hi!, shape), l);
    const v = shaped(u, shape);
    const value = P.add(l, P.mul(w, P.sigmoid(v)));
    const logJac = P.sum(P.add(P.log(w), P.add(P.logSigmoid(v), P.logSigmoid(P.neg(v)))));
    return { value, logJac };
  },
  inverse: (x, shape, [lo, hi]) => {
    const l = bcast(lo!, shape);
    const p = P.div(P.sub(x, l), P.sub(bcast(hi!, shape), l));
    return P.flatten(P.sub(P.log(p), P.log1p(P.neg(p))));
  },
};

export const positive: ConstraintTransform = {
  name: 'positive',
  bounds: 0,
  size,
  forward: (u, shape) => lower.forward(u, shape, [P.zeros([])]),
  inverse: (x, shape) => lower.inverse(x, shape, [P.zeros([])]),
};

/** The identity, for unconstrained reals: log J = 0. */
export const identity: ConstraintTransform = {
  name: 'identity',
  bounds: 0,
  size,
  forward: (u, shape) => ({ value: shaped(u, shape), logJac: P.zeros([]) }),
  inverse: (x) => P.flatten(x),
};
