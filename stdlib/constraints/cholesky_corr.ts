// cholesky_corr[K]: the Cholesky factor L of a K x K correlation matrix (lower triangular,
// positive diagonal, unit-length rows), from K(K-1)/2 unconstrained values (Stan's transform).
// z = tanh(u) are canonical partial correlations, placed row-major in the strict lower
// triangle; then L_ij = z_ij sqrt(1 - sum_{l<j} L_il^2) and L_ii = sqrt(1 - sum_{l<i} L_il^2).
// Since 1 - sum_{l<j} L_il^2 = prod_{l<j} (1 - z_il^2), the square roots are an exclusive
// cumulative sum of 0.5 log(1 - z^2) along each row, so no loop is needed.
//   log J = sum log(1 - z^2)                    (tanh)
//         + sum_{i, 0<j<i} 0.5 log(1 - sum_{l<j} L_il^2).
// log(1 - tanh(u)^2) is computed as 2 (log 2 - u - softplus(-2u)), finite for every u.

import { ops as P } from '../../runtime/index.js';
import { eye, fillLower, readLower, rowExclusiveCumsum, strictLowerMask, triangleSize } from './triangle.js';
import type { ConstraintTransform } from './types.js';

export const choleskyCorr: ConstraintTransform = {
  name: 'cholesky_corr',
  bounds: 0,
  size: (shape) => triangleSize(shape[0]!, true),
  forward: (u, shape) => {
    const k = shape[0]!;
    if (k === 1) return { value: P.ones([1, 1]), logJac: P.zeros([]) };
    const z = P.tanh(u);
    const logSech2 = P.mul(2, P.sub(P.sub(Math.LN2, u), P.softplus(P.mul(-2, u))));
    const Z = fillLower(z, k, true);
    const cum = rowExclusiveCumsum(fillLower(P.mul(0.5, logSech2), k, true));
    const value = P.mul(P.add(Z, eye(k)), P.exp(cum));
    const logJac = P.add(P.sum(logSech2), P.sum(P.mul(cum, strictLowerMask(k))));
    return { value, logJac };
  },
  inverse: (L, shape) => {
    const k = shape[0]!;
    if (k === 1) return P.zeros([0]);
    const sq = P.mul(P.square(L), strictLowerMask(k));
    const z = P.div(L, P.sqrt(P.sub(1, rowExclusiveCumsum(sq))));
    const atanh = P.mul(0.5, P.sub(P.log1p(z), P.log1p(P.neg(z))));
    return readLower(atanh, k, true);
  },
};
