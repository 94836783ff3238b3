// ordered[K]: a strictly increasing vector. x_0 = u_0 and x_k = x_{k-1} + exp(u_k), i.e. a
// cumulative sum of [u_0, exp(u_1), ...]; log J = sum_{k>=1} u_k.

import { ops as P } from '../../runtime/index.js';
import type { ConstraintTransform } from './types.js';

export const ordered: ConstraintTransform = {
  name: 'ordered',
  bounds: 0,
  size: (shape) => shape[0]!,
  forward: (u, shape) => {
    const k = shape[0]!;
    if (k === 1) return { value: u, logJac: P.zeros([]) };
    const first = P.slice(u, [0], [1]);
    const rest = P.slice(u, [1], [k]);
    return { value: P.cumsum(P.concat([first, P.exp(rest)])), logJac: P.sum(rest) };
  },
  inverse: (x, shape) => {
    const k = shape[0]!;
    if (k === 1) return x;
    const gaps = P.sub(P.slice(x, [1], [k]), P.slice(x, [0], [k - 1]));
    return P.concat([P.slice(x, [0], [1]), P.log(gaps)]);
  },
};
