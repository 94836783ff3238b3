// Small graph helpers shared by the prox operators: soft thresholding, weights, option numbers.
// (The safe square root and division are runtime ops: P.safeSqrt, P.safeDiv.)

import { ops as P } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/index.js';
import type { TLike } from '../../runtime/index.js';
import type { Weights } from './types.js';
import { sizeOf } from '../../runtime/index.js';

export const sz = (x: Tracer): number => sizeOf(x.shape);

/** A constant for a scalar or a flat per-coordinate vector, shaped like x (broadcastable). */
export function weightsLike(w: Weights, x: Tracer): Tracer | number {
  if (typeof w === 'number') return w;
  if (w.length !== sz(x)) throw new Error(`weights: ${w.length} values for an argument of ${sz(x)} entries`);
  return P.constant(w, x.dtype, x.shape);
}

/** sign(x) max(|x| - tau, 0). */
export const soft = (x: Tracer, tau: TLike): Tracer => P.mul(P.sign(x), P.maximum(P.sub(P.abs(x), tau), 0));

export const flat = (x: Tracer): Tracer => P.reshape(x, [sz(x)]);

export const num = (o: Record<string, unknown>, k: string, d?: number): number => {
  const v = o[k];
  if (v === undefined) {
    if (d === undefined) throw new Error(`missing option '${k}'`);
    return d;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`option '${k}' must be a finite number`);
  return v;
};

/** t * c, staying a JS number (weakly typed, so it takes x's dtype) when t is one. */
export const tmul = (t: TLike, c: number): TLike => (typeof t === 'number' ? t * c : P.mul(t, c));
/** sqrt of a TLike. */
export const tsqrt = (t: TLike): TLike => (typeof t === 'number' ? Math.sqrt(t) : P.sqrt(t));
