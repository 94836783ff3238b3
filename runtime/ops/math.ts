// Elementary functions composed from primitives (not primitives themselves, so every order of
// derivative comes from the primitive rules). Branches use the "double where" pattern: each
// branch only sees inputs where it is finite, so the unselected branch never feeds NaN or inf
// into a derivative.

import { type Tracer, type TLike, asTracer } from './core.js';
import {
  add,
  sub,
  mul,
  div,
  exp,
  log,
  log1p,
  expm1,
  neg,
  where,
  ge,
  gt,
  lt,
  abs,
  maximum,
  stopGradient,
  square,
  sqrt,
} from './elementwise.js';
import { max, sum, type Axes } from './reduce.js';
import { reshape } from './shape.js';

/**
 * -|x| written as a `where`, so its derivative at 0 is 1 (the x <= 0 branch) rather than
 * sign(0) = 0: the one-sided formulas below then give the right derivatives of every order at 0.
 * exp of it never overflows, and each function needs a single exponential.
 */
const negAbs = (x: Tracer, c: Tracer) => where(c, neg(x), x);

export function sigmoid(x: TLike): Tracer {
  const t = asTracer(x);
  const c = ge(t, 0);
  const e = exp(negAbs(t, c));
  return where(c, div(1, add(1, e)), div(e, add(1, e)));
}

export function tanh(x: TLike): Tracer {
  const t = asTracer(x);
  const c = ge(t, 0);
  const m = expm1(mul(2, negAbs(t, c))); // exp(-2|x|) - 1
  const r = div(m, add(2, m));
  return where(c, neg(r), r);
}

/** log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|)). */
export function softplus(x: TLike): Tracer {
  const t = asTracer(x);
  const c = gt(t, 0);
  const l = log1p(exp(negAbs(t, c)));
  return where(c, add(t, l), l);
}

export const logSigmoid = (x: TLike): Tracer => neg(softplus(neg(asTracer(x))));
export const relu = (x: TLike): Tracer => maximum(asTracer(x), 0);
export const isFinite = (x: Tracer): Tracer => lt(abs(x), Infinity);

/** log(sum(exp(x))) over axes, shifted by the (gradient-free) maximum for stability. */
export function logsumexp(x: Tracer, axes?: Axes, keepdims = false): Tracer {
  const m0 = stopGradient(max(x, axes, true));
  const m = where(isFinite(m0), m0, 0);
  const s = add(log(sum(exp(sub(x, m)), axes, true)), m);
  return keepdims ? s : reshape(s, sum(x, axes).shape);
}

export const logSoftmax = (x: Tracer, axis = -1): Tracer => sub(x, logsumexp(x, axis, true));
export const softmax = (x: Tracer, axis = -1): Tracer => exp(logSoftmax(x, axis));
export const sumsq = (x: Tracer, axes?: Axes): Tracer => sum(square(x), axes);
export const norm2 = (x: Tracer, axes?: Axes): Tracer => sqrt(sumsq(x, axes));
export const norm1 = (x: Tracer, axes?: Axes): Tracer => sum(abs(x), axes);

/** sqrt(s) where s > 0, else 0, with finite derivatives everywhere. */
export function safeSqrt(s: Tracer): Tracer {
  const p = gt(s, 0);
  return where(p, sqrt(where(p, s, 1)), 0);
}

/** a / b where b > 0, else `dflt`, with finite derivatives. */
export function safeDiv(a: TLike, b: Tracer, dflt: TLike): Tracer {
  const p = gt(b, 0);
  return where(p, div(a, where(p, b, 1)), dflt);
}
