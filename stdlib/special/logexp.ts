// Small stable log-space helpers: log1mexp, logAddExp, logSubExp, xlogy, xlog1py, log1pexp.
// All are guarded with the double where so derivatives stay finite where the value is.

import { ops as P, type Tracer } from '../../runtime/index.js';
import { fl, type TLike } from './series.js';

/** log(1 - exp(x)) for x <= 0 (Maechler's switch at -log 2). log1mexp(0) = -inf. */
export function log1mexp(xIn: TLike): Tracer {
  const x = fl(xIn);
  const near = P.gt(x, -Math.LN2);
  const xn = P.where(near, x, -1);
  const xf = P.where(near, -1, x);
  return P.where(near, P.log(P.neg(P.expm1(xn))), P.log1p(P.neg(P.exp(xf))));
}

/** log(exp(a) + exp(b)), elementwise with broadcasting; -inf when both are -inf. */
export function logAddExp(aIn: TLike, bIn: TLike): Tracer {
  const a0 = fl(aIn);
  const b0 = fl(bIn);
  const [a, b] = P.lift2(a0, b0);
  const m = P.where(P.gt(a, b), a, b);
  const fin = P.lt(P.abs(m), Infinity);
  const as = P.where(fin, a, 0);
  const bs = P.where(fin, b, 0);
  // max + log1p(exp(min - max)); at a == b this is b + log1p(exp(a - b)), whose derivative is
  // 1/2 in each argument (an abs() here would give 0 and 1 at the tie).
  const gt = P.gt(as, bs);
  const ms = P.where(gt, as, bs);
  const d = P.where(gt, P.sub(bs, as), P.sub(as, bs));
  return P.where(fin, P.add(ms, P.log1p(P.exp(d))), m);
}

/** log(exp(a) - exp(b)) for a >= b (-inf when a == b). */
export function logSubExp(aIn: TLike, bIn: TLike): Tracer {
  const [a, b] = P.lift2(fl(aIn), fl(bIn));
  const fin = P.lt(P.abs(a), Infinity);
  const as = P.where(fin, a, 0);
  const bs = P.where(fin, b, -1);
  return P.where(fin, P.add(as, log1mexp(P.minimum(P.sub(bs, as), 0))), a);
}

/** x log y, with 0 log y = 0 for every y (including 0). */
export function xlogy(xIn: TLike, yIn: TLike): Tracer {
  const [x, y] = P.lift2(fl(xIn), fl(yIn));
  const z = P.eq(x, 0);
  return P.where(z, 0, P.mul(x, P.log(P.where(z, 1, y))));
}

/** x log1p(y), with 0 log1p(y) = 0 for every y (including -1). */
export function xlog1py(xIn: TLike, yIn: TLike): Tracer {
  const [x, y] = P.lift2(fl(xIn), fl(yIn));
  const z = P.eq(x, 0);
  return P.where(z, 0, P.mul(x, P.log1p(P.where(z, 0, y))));
}

/** Stan's log_mix(theta, lp1, lp2) = log(theta exp(lp1) + (1 - theta) exp(lp2)), elementwise. */
export function logMix(theta: TLike, lp1: TLike, lp2: TLike): Tracer {
  const t = fl(theta);
  return logAddExp(P.add(P.log(t), fl(lp1)), P.add(P.log1p(P.neg(t)), fl(lp2)));
}

/** log(1 + exp(x)) (the runtime's softplus). */
export const log1pexp = (x: TLike): Tracer => P.softplus(fl(x));
