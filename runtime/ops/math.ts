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

const pos = (x: Tracer) => where(ge(x, 0), x, 0);
const negPart = (x: Tracer) => where(lt(x, 0), x, 0);

export function sigmoid(x: TLike): Tracer {
  const t = asTracer(x);
  const en = exp(negPart(t));
  return where(ge(t, 0), div(1, add(1, exp(neg(pos(t))))), div(en, add(1, en)));
}

export function tanh(x: TLike): Tracer {
  const t = asTracer(x);
  const p = mul(-2, pos(t));
  const n = mul(2, negPart(t));
  return where(ge(t, 0), div(neg(expm1(p)), add(1, exp(p))), div(expm1(n), add(1, exp(n))));
}

/** log(1 + exp(x)) without overflow. */
export function softplus(x: TLike): Tracer {
  const t = asTracer(x);
  return where(gt(t, 0), add(t, log1p(exp(neg(where(gt(t, 0), t, 0))))), log1p(exp(where(gt(t, 0), 0, t))));
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
