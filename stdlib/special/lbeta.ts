// log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b), and log binomial coefficients.
// The plain difference loses absolute accuracy ~1e-16 * lgamma(a + b) when a + b is large
// (measured in the tests); that is below what any density here needs.

import { ops as P, type Tracer } from '../../runtime/index.js';
import { fl, type TLike } from './series.js';
import { lgamma } from './lgamma.js';

export function lbeta(aIn: TLike, bIn: TLike): Tracer {
  const [a, b] = P.lift2(fl(aIn), fl(bIn));
  return P.sub(P.add(lgamma(a), lgamma(b)), lgamma(P.add(a, b)));
}

/** Alias (scipy's name). */
export const betaln = lbeta;

/** log C(n, k) = lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) for 0 <= k <= n (real n, k). */
export function lchoose(nIn: TLike, kIn: TLike): Tracer {
  const [n, k] = P.lift2(fl(nIn), fl(kIn));
  return P.sub(P.sub(lgamma(P.add(n, 1)), lgamma(P.add(k, 1))), lgamma(P.add(P.sub(n, k), 1)));
}
