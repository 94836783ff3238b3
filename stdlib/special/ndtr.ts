// The standard normal CDF Phi(x) = ndtr(x) and log Phi(x) = logNdtr(x), from erf.ts.
// logNdtr never underflows: with t = -x/sqrt(2),
//   t > 0.46875 (x < -0.663):  log Phi(x) = log erfcx(t) - t^2 - log 2  (Cody's erfcx, whose
//                              |t| > 4 branch is the asymptotic expansion in 1/t^2; exact in
//                              floating point down to x = -1e150 and beyond)
//   |t| <= 0.46875:            log(erfc(t) / 2)
//   t < -0.46875 (x > 0.663):  log1p(-erfc(-t) / 2), with erfc(-t) = exp(-t^2) erfcx(-t)
// Its derivative (the inverse Mills ratio phi/Phi) follows by AD without cancellation.

import { ops as P, type Tracer } from '../../runtime/index.js';
import { fl, SQRT_2, LOG_2, type TLike } from './series.js';
import { erfc, erfcxLarge, expNegSq, ERF_THRESH } from './erf.js';

export function ndtr(xIn: TLike): Tracer {
  const x = fl(xIn);
  return P.mul(0.5, erfc(P.div(P.neg(x), SQRT_2)));
}

export function logNdtr(xIn: TLike): Tracer {
  const x = fl(xIn);
  const t = P.div(P.neg(x), SQRT_2);
  const lower = P.gt(t, ERF_THRESH);
  const upper = P.lt(t, -ERF_THRESH);
  const tl = P.where(lower, t, 1);
  const vLower = P.sub(P.sub(P.log(erfcxLarge(tl)), P.mul(tl, tl)), LOG_2);
  const tm = P.where(P.or(lower, upper), 0, t);
  const vMid = P.log(P.mul(0.5, erfc(tm)));
  const tu = P.where(upper, P.neg(t), 1);
  const vUpper = P.log1p(P.mul(-0.5, P.mul(expNegSq(tu), erfcxLarge(tu))));
  return P.where(lower, vLower, P.where(upper, vUpper, vMid));
}

/** The standard normal log-density. */
export function logNormalPdf(zIn: TLike): Tracer {
  const z = fl(zIn);
  return P.sub(P.mul(-0.5, P.mul(z, z)), 0.5 * Math.log(2 * Math.PI));
}
