// What the special functions are built from: float promotion of arguments, Horner evaluation of
// series and rational approximations, and the mathematical constants they share.

import { ops as P, isFloat, type Tracer } from '../../runtime/index.js';

export type TLike = Tracer | number;

/** A float tensor: numbers become float64 scalars, int32/bool tensors are cast to float64. */
export function fl(x: TLike): Tracer {
  const t = P.asTracer(x);
  return isFloat(t.dtype) ? t : P.cast(t, 'float64');
}

/** Polynomial sum_i c[i] x^(n-1-i) (highest degree first) by Horner's rule. */
export function horner(x: Tracer, c: readonly number[]): Tracer {
  let acc: Tracer = P.fullLike(x, c[0]!);
  for (let i = 1; i < c.length; i++) acc = P.add(P.mul(acc, x), c[i]!);
  return acc;
}

export const LOG_2 = Math.LN2;
export const LOG_PI = Math.log(Math.PI);
export const LOG_2PI = Math.log(2 * Math.PI);
export const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
export const SQRT_2 = Math.SQRT2;
export const EULER_GAMMA = 0.5772156649015329;
