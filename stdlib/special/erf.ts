// erf, erfc and the scaled erfcx(x) = exp(x^2) erfc(x), from W. J. Cody's rational Chebyshev
// approximations (Math. Comp. 23 (1969), the coefficients of netlib specfun CALERF):
//   |x| <= 0.46875      erf(x) = x R1(x^2)
//   0.46875 < |x| <= 4  erfcx(|x|) = R2(|x|)
//   |x| > 4             erfcx(|x|) = (1/sqrt(pi) - R3(1/x^2)/x^2) / |x|
// erfc(|x|) = exp(-x^2) erfcx(|x|), with exp(-x^2) split as exp(-s^2) exp(-(|x|-s)(|x|+s)),
// s = floor(16|x|)/16, as Cody does to keep the exponent exact. s is piecewise constant, so the
// derivative of the product is exactly that of exp(-x^2).
// Measured relative error on float64: see tests/stdlib/special.test.ts and docs/inference.md.

import { ops as P, type Tracer } from '../../runtime/index.js';
import { fl, type TLike } from './series.js';

const A = [3.1611237438705656, 113.864154151050156, 377.485237685302021, 3209.37758913846947, 0.185777706184603153];
const B = [23.6012909523441209, 244.024637934444173, 1282.61652607737228, 2844.23683343917062];
const C = [
  0.564188496988670089, 8.88314979438837594, 66.1191906371416295, 298.635138197400131, 881.95222124176909,
  1712.04761263407058, 2051.07837782607147, 1230.33935479799725, 2.15311535474403846e-8,
];
const D = [
  15.7449261107098347, 117.693950891312499, 537.181101862009858, 1621.38957456669019, 3290.79923573345963,
  4362.61909014324716, 3439.36767414372164, 1230.33935480374942,
];
const PP = [
  0.305326634961232344, 0.360344899949804439, 0.125781726111229246, 0.0160837851487422766, 6.58749161529837803e-4,
  0.0163153871373020978,
];
const Q = [
  2.56852019228982242, 1.87295284992346047, 0.527905102951428412, 0.0605183413124413191, 0.00233520497626869185,
];
const SQRPI = 0.56418958354775628695; // 1/sqrt(pi)
export const ERF_THRESH = 0.46875;

/** erf(x) for |x| <= 0.46875 (x must already be safe). */
function erfSmall(x: Tracer): Tracer {
  const ysq = P.mul(x, x);
  let num: Tracer = P.mul(A[4]!, ysq);
  let den: Tracer = ysq;
  for (let i = 0; i < 3; i++) {
    num = P.mul(P.add(num, A[i]!), ysq);
    den = P.mul(P.add(den, B[i]!), ysq);
  }
  return P.div(P.mul(x, P.add(num, A[3]!)), P.add(den, B[3]!));
}

/** erfcx(y) = exp(y^2) erfc(y) for y > 0.46875 (y must already be safe). */
export function erfcxLarge(y: Tracer): Tracer {
  const mid = P.le(y, 4);
  // 0.46875 < y <= 4
  const ym = P.where(mid, y, 1);
  let num: Tracer = P.mul(C[8]!, ym);
  let den: Tracer = ym;
  for (let i = 0; i < 7; i++) {
    num = P.mul(P.add(num, C[i]!), ym);
    den = P.mul(P.add(den, D[i]!), ym);
  }
  const rMid = P.div(P.add(num, C[7]!), P.add(den, D[7]!));
  // y > 4
  const yt = P.where(mid, 5, y);
  const z = P.div(1, P.mul(yt, yt));
  let n2: Tracer = P.mul(PP[5]!, z);
  let d2: Tracer = z;
  for (let i = 0; i < 4; i++) {
    n2 = P.mul(P.add(n2, PP[i]!), z);
    d2 = P.mul(P.add(d2, Q[i]!), z);
  }
  const r = P.div(P.mul(z, P.add(n2, PP[4]!)), P.add(d2, Q[4]!));
  const rTail = P.div(P.sub(SQRPI, r), yt);
  return P.where(mid, rMid, rTail);
}

/** exp(-y^2) with Cody's split of the exponent. */
export function expNegSq(y: Tracer): Tracer {
  const s = P.div(P.floor(P.mul(y, 16)), 16);
  const del = P.mul(P.sub(y, s), P.add(y, s));
  return P.mul(P.exp(P.neg(P.mul(s, s))), P.exp(P.neg(del)));
}

/** erfc(y) for y > 0.46875 (y must already be safe). */
const erfcLarge = (y: Tracer): Tracer => P.mul(expNegSq(y), erfcxLarge(y));

export function erf(xIn: TLike): Tracer {
  const x = fl(xIn);
  const small = P.le(P.abs(x), ERF_THRESH);
  const xs = P.where(small, x, 0);
  const y = P.where(small, 1, P.abs(x));
  const big = P.sub(1, erfcLarge(y));
  return P.where(small, erfSmall(xs), P.where(P.lt(x, 0), P.neg(big), big));
}

export function erfc(xIn: TLike): Tracer {
  const x = fl(xIn);
  const small = P.le(P.abs(x), ERF_THRESH);
  const xs = P.where(small, x, 0);
  const y = P.where(small, 1, P.abs(x));
  const e = erfcLarge(y);
  return P.where(small, P.sub(1, erfSmall(xs)), P.where(P.lt(x, 0), P.sub(2, e), e));
}

/** erfcx(x) = exp(x^2) erfc(x); for very negative x it overflows to inf like exp(x^2). */
export function erfcx(xIn: TLike): Tracer {
  const x = fl(xIn);
  const small = P.le(P.abs(x), ERF_THRESH);
  const xs = P.where(small, x, 0);
  const pos = P.gt(x, ERF_THRESH);
  const yp = P.where(pos, x, 1);
  const negBig = P.lt(x, -ERF_THRESH);
  const yn = P.where(negBig, P.neg(x), 1);
  const ex2 = (t: Tracer) => P.exp(P.mul(t, t));
  const vSmall = P.mul(ex2(xs), P.sub(1, erfSmall(xs)));
  // erfcx(-y) = 2 exp(y^2) - erfcx(y)
  const vNeg = P.sub(P.mul(2, ex2(yn)), erfcxLarge(yn));
  return P.where(small, vSmall, P.where(pos, erfcxLarge(yp), vNeg));
}
