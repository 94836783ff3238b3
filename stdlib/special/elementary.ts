// Elementary functions Stan users expect that the runtime composes rather than provides:
// inverse trigonometric and hyperbolic functions, logit and friends, tgamma, the probit
// inv_Phi, atan2 and hypot. Each is a composition of primitives written so that neither branch of
// a `where` feeds NaN or inf into a derivative (the double-where pattern), so derivatives of
// every order are finite wherever the function is differentiable.

import { ops as P, type Tracer } from '../../runtime/index.js';
import { fl, horner, LOG_2, type TLike } from './series.js';
import { lgamma } from './lgamma.js';
import { erfc } from './erf.js';

const HALF_PI = Math.PI / 2;

/** log(x / (1 - x)). */
export const logit = (xIn: TLike): Tracer => {
  const x = fl(xIn);
  return P.sub(P.log(x), P.log1p(P.neg(x)));
};

/** log(1 - x), accurate for small x. */
export const log1m = (x: TLike): Tracer => P.log1p(P.neg(fl(x)));

/** log(1 - inv_logit(x)) = -softplus(x). */
export const log1mInvLogit = (x: TLike): Tracer => P.neg(P.softplus(fl(x)));

/** 1 - exp(-exp(x)), the inverse of the complementary log-log link. */
export const invCloglog = (x: TLike): Tracer => P.neg(P.expm1(P.neg(P.exp(fl(x)))));

/** Stan's Phi_approx: inv_logit(0.07056 x^3 + 1.5976 x). */
export const phiApprox = (xIn: TLike): Tracer => {
  const x = fl(xIn);
  return P.sigmoid(P.mul(x, P.add(P.mul(0.07056, P.square(x)), 1.5976)));
};

/** tan x = sin x / cos x. */
export const tan = (xIn: TLike): Tracer => {
  const x = fl(xIn);
  return P.div(P.sin(x), P.cos(x));
};

/** asin x = atan(x / sqrt(1 - x^2)) for |x| < 1, +-pi/2 at the ends. */
export const asin = (xIn: TLike): Tracer => {
  const x = fl(xIn);
  const inner = P.lt(P.abs(x), 1);
  const xs = P.where(inner, x, 0);
  const v = P.atan(P.div(xs, P.sqrt(P.sub(1, P.square(xs)))));
  return P.where(inner, v, P.where(P.le(P.abs(x), 1), P.mul(HALF_PI, P.sign(x)), NaN));
};

/** acos x = pi/2 - asin x. */
export const acos = (x: TLike): Tracer => P.sub(HALF_PI, asin(x));

export const sinh = (xIn: TLike): Tracer => {
  const x = fl(xIn);
  // expm1 keeps sinh(x) ~ x accurate near 0
  return P.mul(0.5, P.sub(P.expm1(x), P.expm1(P.neg(x))));
};

export const cosh = (xIn: TLike): Tracer => {
  const x = fl(xIn);
  return P.mul(0.5, P.add(P.exp(x), P.exp(P.neg(x))));
};

/** asinh x = sign(x) log1p(|x| + x^2 / (1 + sqrt(1 + x^2))), accurate near 0 and odd. */
export const asinh = (xIn: TLike): Tracer => {
  const x = fl(xIn);
  const a = P.abs(x);
  const v = P.log1p(P.add(a, P.div(P.square(a), P.add(1, P.sqrt(P.add(1, P.square(a)))))));
  // sign(x) * v, written without sign() so the derivative at 0 is 1, not 0.
  return P.where(P.lt(x, 0), P.neg(v), v);
};

/** acosh x = log(x + sqrt(x^2 - 1)), x >= 1. */
export const acosh = (xIn: TLike): Tracer => {
  const x = fl(xIn);
  const ok = P.ge(x, 1);
  const xs = P.where(ok, x, 2);
  // log1p(t + sqrt(t (t + 2))) with t = x - 1, accurate near 1
  const t = P.sub(xs, 1);
  return P.where(ok, P.log1p(P.add(t, P.sqrt(P.mul(t, P.add(t, 2))))), NaN);
};

/** atanh x = 0.5 log1p(2x / (1 - x)). */
export const atanh = (xIn: TLike): Tracer => {
  const x = fl(xIn);
  return P.mul(0.5, P.log1p(P.div(P.mul(2, x), P.sub(1, x))));
};

/** log2 and log10. */
export const log2 = (x: TLike): Tracer => P.div(P.log(fl(x)), LOG_2);
export const log10 = (x: TLike): Tracer => P.div(P.log(fl(x)), Math.LN10);
/** 2^x. */
export const exp2 = (x: TLike): Tracer => P.exp(P.mul(fl(x), LOG_2));

/** The real cube root (negative for negative x). */
export const cbrt = (xIn: TLike): Tracer => {
  const x = fl(xIn);
  const nz = P.ne(x, 0);
  const a = P.where(nz, P.abs(x), 1);
  const r = P.exp(P.div(P.log(a), 3));
  return P.where(nz, P.where(P.lt(x, 0), P.neg(r), r), 0);
};

/** atan2(y, x): the angle of (x, y) in (-pi, pi]; the ratio is always the smaller over the larger. */
export function atan2(yIn: TLike, xIn: TLike): Tracer {
  const [y, x] = P.lift2(fl(yIn), fl(xIn));
  const wide = P.ge(P.abs(x), P.abs(y)); // |y / x| <= 1
  const both0 = P.and(P.eq(x, 0), P.eq(y, 0));
  const xs = P.where(P.and(wide, P.not(both0)), x, 1);
  const ys = P.where(P.and(P.not(wide), P.not(both0)), y, 1);
  const a = P.atan(P.div(P.where(wide, y, 0), xs)); // |y| <= |x|
  const fromX = P.where(P.ge(x, 0), a, P.where(P.ge(y, 0), P.add(a, Math.PI), P.sub(a, Math.PI)));
  const b = P.atan(P.div(P.where(wide, 0, x), ys)); // |x| < |y|
  const fromY = P.sub(P.where(P.gt(y, 0), HALF_PI, -HALF_PI), b);
  return P.where(both0, 0, P.where(wide, fromX, fromY));
}

/** hypot(a, b) = sqrt(a^2 + b^2) without overflow. */
export function hypot(aIn: TLike, bIn: TLike): Tracer {
  const [a, b] = P.lift2(P.abs(fl(aIn)), P.abs(fl(bIn)));
  const m = P.maximum(a, b);
  const pos = P.gt(m, 0);
  const ms = P.where(pos, m, 1);
  const r = P.div(P.minimum(a, b), ms);
  return P.where(pos, P.mul(ms, P.sqrt(P.add(1, P.square(r)))), 0);
}

/** The gamma function: exp(lgamma(x)) for x > 0, by reflection for x < 0 (poles at 0, -1, ...). */
export function tgamma(xIn: TLike): Tracer {
  const x = fl(xIn);
  const pos = P.gt(x, 0);
  const xp = P.where(pos, x, 1);
  const xn = P.where(pos, 0.5, x);
  const neg = P.div(Math.PI, P.mul(P.sin(P.mul(Math.PI, xn)), P.exp(lgamma(P.sub(1, xn)))));
  return P.where(pos, P.exp(lgamma(xp)), neg);
}

// Acklam's rational approximation of the normal quantile (relative error 1.15e-9), refined by
// one Halley step on Phi(x) - p, which brings it to double precision.
const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
];
const B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1, 1,
];
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416, 1];
const P_LOW = 0.02425;

/** The standard normal quantile Phi^-1(p), 0 < p < 1 (-inf at 0, inf at 1). */
export function invPhi(pIn: TLike): Tracer {
  const p = fl(pIn);
  const inside = P.and(P.gt(p, 0), P.lt(p, 1));
  const ps = P.where(inside, p, 0.5);
  const low = P.lt(ps, P_LOW);
  const high = P.gt(ps, 1 - P_LOW);
  const mid = P.not(P.or(low, high));
  // central region
  const qm = P.sub(P.where(mid, ps, 0.5), 0.5);
  const r = P.square(qm);
  const xMid = P.div(P.mul(horner(r, A), qm), horner(r, B));
  // tails: q = sqrt(-2 log(p)) with p the smaller tail probability
  const tail = P.where(low, ps, P.where(high, P.sub(1, ps), 0.01));
  const qt = P.sqrt(P.mul(-2, P.log(tail)));
  const xTail = P.div(horner(qt, C), horner(qt, D));
  const x0 = P.where(mid, xMid, P.where(low, xTail, P.neg(xTail)));
  // Halley: e = Phi(x) - p, u = e sqrt(2 pi) exp(x^2 / 2), x -= u / (1 + x u / 2); in the upper
  // tail e = (1 - p) - Phi(-x), which avoids the cancellation of two numbers near 1.
  const eLow = P.sub(P.mul(0.5, erfc(P.div(P.neg(x0), Math.SQRT2))), ps);
  const eHigh = P.sub(P.sub(1, ps), P.mul(0.5, erfc(P.div(x0, Math.SQRT2))));
  const e = P.where(high, eHigh, eLow);
  const u = P.mul(P.mul(e, Math.sqrt(2 * Math.PI)), P.exp(P.mul(0.5, P.square(x0))));
  const x = P.sub(x0, P.div(u, P.add(1, P.mul(0.5, P.mul(x0, u)))));
  return P.where(inside, x, P.where(P.le(p, 0), -Infinity, P.where(P.ge(p, 1), Infinity, NaN)));
}
