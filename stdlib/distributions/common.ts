// Helpers shared by the distribution files: dtypes, batch shapes, open uniforms, out-of-support
// masking, one-hot selection.

import { ops as P, isFloat, broadcastShapes, type DType, type Shape, type Tracer } from '../../runtime/index.js';

/** The float dtype of a draw: float32 only when every float parameter is float32. */
export function floatDtype(ps: readonly Tracer[]): DType {
  const fs = ps.filter((p) => isFloat(p.dtype));
  return fs.length > 0 && fs.every((p) => p.dtype === 'float32') ? 'float32' : 'float64';
}

/** Broadcast batch shape of parameters, each with its event rank dropped from the end. */
export function batchShape(ps: readonly Tracer[], eventRanks: readonly number[]): Shape {
  let s: Shape = [];
  ps.forEach((p, i) => {
    const b = p.shape.slice(0, p.rank - (eventRanks[i] ?? 0));
    const r = broadcastShapes(s, b);
    if (!r) throw new Error(`parameter batch shapes [${s}] and [${b}] do not broadcast`);
    s = r;
  });
  return s;
}

/** Uniform draws on the open interval (0, 1) (the raw draws are multiples of 2^-52 in [0, 1)). */
export const openUniform = (key: Tracer, shape: Shape, dtype: DType = 'float64'): Tracer =>
  P.add(P.uniform(key, shape, dtype), dtype === 'float32' ? 2 ** -25 : 2 ** -53);

/** lp where `ok` holds, -inf elsewhere. */
export const inSupport = (ok: Tracer, lp: Tracer): Tracer => P.where(ok, lp, -Infinity);

/** Whether x is an integer value (x == floor(x)). */
export const isInt = (x: Tracer): Tracer => P.eq(x, P.floor(x));

/** A mask [..., K] that is true at index x (a scalar-per-batch category value) along the last axis. */
export function oneHot(x: Tracer, K: number): Tracer {
  const xi = P.expandDims(x, -1);
  const ks = P.iota([K], 0, isFloat(x.dtype) ? x.dtype : 'int32');
  return P.eq(xi, ks);
}

/** Broadcasts t to `shape` (numpy rules). */
export const bcast = (t: Tracer, shape: Shape): Tracer => {
  const s = broadcastShapes(t.shape, shape);
  if (!s) throw new Error(`cannot broadcast [${t.shape}] to [${shape}]`);
  return P.broadcastTo(t, s);
};

/** The diagonal of a batch of square matrices [..., K, K] -> [..., K] (as a masked sum). */
export function diag(L: Tracer): Tracer {
  const K = L.shape[L.rank - 1]!;
  const eye = P.eq(P.iota([K, K], 0), P.iota([K, K], 1));
  return P.sum(P.where(eye, L, 0), -1);
}

/** The identity [K, K] in a dtype. */
export const eye = (K: number, dtype: DType = 'float64'): Tracer =>
  P.cast(P.eq(P.iota([K, K], 0), P.iota([K, K], 1)), dtype);
