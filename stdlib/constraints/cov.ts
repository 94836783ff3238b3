// cov[K]: a K x K symmetric positive-definite matrix S = L L^T, from K(K+1)/2 unconstrained
// values: the lower triangle of L row-major, with the diagonal on the log scale (Stan's
// cov_matrix transform). log J = K log 2 + sum_k (K - k + 1) log L_kk for 0-based k, the
// Jacobian of u -> the lower triangle of S (which determines S).

import { ops as P } from '../../runtime/index.js';
import { eye, fillLower, readLower, strictLowerMask, triangleSize } from './triangle.js';
import type { ConstraintTransform } from './types.js';

export const cov: ConstraintTransform = {
  name: 'cov',
  bounds: 0,
  size: (shape) => triangleSize(shape[0]!, false),
  forward: (u, shape) => {
    const k = shape[0]!;
    const raw = fillLower(u, k, false);
    const I = eye(k);
    const logDiag = P.mul(raw, I);
    // exp only sees the diagonal (zeros elsewhere), so large off-diagonal entries cannot overflow.
    const L = P.add(P.mul(raw, strictLowerMask(k)), P.mul(P.exp(logDiag), I));
    const value = P.matmul(L, P.transpose(L));
    const weights = P.constant(Array.from({ length: k }, (_, i) => k - i + 1));
    const logJac = P.add(k * Math.LN2, P.sum(P.mul(P.sum(logDiag, 1), weights)));
    return { value, logJac };
  },
  inverse: (S, shape) => {
    const k = shape[0]!;
    const L = P.cholesky(S);
    const I = eye(k);
    const off = strictLowerMask(k);
    const raw = P.add(P.mul(L, off), P.mul(P.log(P.add(P.mul(L, I), P.sub(1, I))), I));
    return readLower(raw, k, false);
  },
};
