// log Gamma(x) for x > 0, a composition of primitives (derivatives of every order come from the
// primitive rules; the first derivative is digamma to the same accuracy, see digamma.ts).
//
// Method, by range (each branch guarded by the double where):
//   x <  0.5        lgamma(x) = S(x) - log1p(x) - log(x)
//   0.5 <= x < 1.5  lgamma(x) = S(x - 1) - log1p(x - 1)
//   1.5 <= x < 10   down-recurrence to y in [1.5, 2.5]: lgamma(x) = S(y - 2) + log prod (y_i - 1)
//   x >= 10         Stirling series with B_2 .. B_16 (truncation < 1e-18)
// where S(z) = lgamma(2 + z) = (1 - gamma) z + sum_{k>=2} (-1)^k (zeta(k) - 1)/k z^k, |z| <= 0.5,
// truncated at k = 28 (tail < 1e-18). Every branch adds terms of one sign near the zeros of
// lgamma at 1 and 2, so the relative error stays ~1e-15 there too (measured in
// tests/stdlib/special.test.ts; table in docs/inference.md).
// x <= 0 is outside the domain (x = 0 gives +inf; negative x gives NaN).

import { ops as P, type Tracer } from '../../runtime/index.js';
import { fl, horner, EULER_GAMMA, LOG_SQRT_2PI, type TLike } from './series.js';
import { ZM1, BERNOULLI_2K } from './zeta.js';

export const SERIES_TERMS = 28;

/** S(z) = lgamma(2 + z) for |z| <= 0.5. */
export function lgamma2Series(z: Tracer): Tracer {
  // Coefficients of z^K .. z^1 (highest first), then a final multiply by z.
  const c: number[] = [];
  for (let k = SERIES_TERMS; k >= 2; k--) c.push(((k % 2 === 0 ? 1 : -1) * ZM1[k]!) / k);
  c.push(1 - EULER_GAMMA);
  return P.mul(horner(z, c), z);
}

/** lgamma(x) for x >= 10 by the Stirling series (x must already be safe). */
export function stirlingLgamma(x: Tracer): Tracer {
  const w = P.div(1, P.mul(x, x));
  const c = BERNOULLI_2K.map((b, i) => b / ((2 * i + 2) * (2 * i + 1))).reverse();
  const corr = P.div(horner(w, c), x);
  return P.add(P.add(P.sub(P.mul(P.sub(x, 0.5), P.log(x)), x), LOG_SQRT_2PI), corr);
}

/** The down-recurrence of the 1.5 <= x < 10 branch: y in [1.5, 2.5] and prod (y_i - 1). */
export function reduceTo2(x: Tracer): { y: Tracer; prods: Tracer[] } {
  let y = x;
  const prods: Tracer[] = [];
  for (let i = 0; i < 8; i++) {
    const c = P.gt(y, 2.5);
    prods.push(P.where(c, P.sub(y, 1), 1));
    y = P.where(c, P.sub(y, 1), y);
  }
  return { y, prods };
}

/**
 * The branches lgamma and digamma share: a (x < 0.5), b (0.5 <= x < 1.5), c (1.5 <= x < 10, the
 * down-recurrence to [1.5, 2.5]) and d (x >= 10, asymptotic); z is the series argument around 2,
 * xa the branch-a input kept finite elsewhere (double where).
 */
export function gammaBranches(x: Tracer) {
  const a = P.lt(x, 0.5);
  const b = P.and(P.ge(x, 0.5), P.lt(x, 1.5));
  const d = P.ge(x, 10);
  // Branch C input, kept inside [1.5, 10).
  const xc = P.where(P.or(P.or(a, b), d), 2, x);
  const { y, prods } = reduceTo2(xc);
  const z = P.where(d, 0, P.where(a, x, P.where(b, P.sub(x, 1), P.sub(y, 2))));
  return { a, b, d, z, xa: P.where(a, x, 0.25), prods };
}

export function lgamma(xIn: TLike): Tracer {
  const x = fl(xIn);
  const { a, b, d, z, xa, prods } = gammaBranches(x);
  const s = lgamma2Series(z);
  const corrA = P.neg(P.add(P.log1p(xa), P.log(xa)));
  const corrB = P.neg(P.log1p(P.where(b, P.sub(x, 1), 0)));
  const corrC = P.log(prods.reduce((p, q) => P.mul(p, q)));
  const small = P.add(s, P.where(a, corrA, P.where(b, corrB, corrC)));
  return P.where(d, stirlingLgamma(P.where(d, x, 10)), small);
}
