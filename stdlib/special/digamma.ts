// digamma(x) = d/dx lgamma(x) for x > 0, with the same branches as lgamma.ts:
//   x <  0.5        psi(x) = S'(x) - 1/(1 + x) - 1/x
//   0.5 <= x < 1.5  psi(x) = S'(x - 1) - 1/x
//   1.5 <= x < 10   down-recurrence to y in [1.5, 2.5]: psi(x) = S'(y - 2) + sum 1/(y_i - 1)
//   x >= 10         asymptotic series log x - 1/(2x) - sum B_2k / (2k x^2k), k <= 8
// with S'(z) = psi(2 + z) = (1 - gamma) + sum_{k>=2} (-1)^k (zeta(k) - 1) z^(k-1).
// trigamma is the elementwise forward-mode derivative of digamma (exact for this composition).

import { ops as P, jvp, type Tracer } from '../../runtime/index.js';
import { fl, horner, EULER_GAMMA, type TLike } from './series.js';
import { ZM1, BERNOULLI_2K } from './zeta.js';
import { SERIES_TERMS, gammaBranches } from './lgamma.js';

/** S'(z) = digamma(2 + z) for |z| <= 0.5. */
export function digamma2Series(z: Tracer): Tracer {
  const c: number[] = [];
  for (let k = SERIES_TERMS; k >= 2; k--) c.push((k % 2 === 0 ? 1 : -1) * ZM1[k]!);
  c.push(1 - EULER_GAMMA);
  return horner(z, c);
}

function asymptotic(x: Tracer): Tracer {
  const w = P.div(1, P.mul(x, x));
  const c = BERNOULLI_2K.map((b, i) => b / (2 * i + 2)).reverse();
  return P.sub(P.sub(P.log(x), P.div(0.5, x)), P.mul(horner(w, c), w));
}

export function digamma(xIn: TLike): Tracer {
  const x = fl(xIn);
  const { a, b, d, z, xa, prods } = gammaBranches(x);
  const s = digamma2Series(z);
  const corrA = P.neg(P.add(P.div(1, P.add(1, xa)), P.div(1, xa)));
  const corrB = P.neg(P.div(1, P.where(b, x, 1)));
  // prods are y_i - 1 where the step was taken and 1 otherwise; count only the steps taken.
  let corrC: Tracer = P.zerosLike(x);
  for (const p of prods) corrC = P.add(corrC, P.where(P.ne(p, 1), P.div(1, p), 0));
  const small = P.add(s, P.where(a, corrA, P.where(b, corrB, corrC)));
  return P.where(d, asymptotic(P.where(d, x, 10)), small);
}

/** trigamma(x) = d/dx digamma(x), elementwise, by forward mode through digamma's composition. */
export function trigamma(xIn: TLike): Tracer {
  const x = fl(xIn);
  return jvp((t: Tracer) => digamma(t), [x], [P.onesLike(x)])[1][0]!;
}
