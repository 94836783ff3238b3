// Shape and indexing ops: reshape, transpose, slicing, concatenation, padding, gather/scatter,
// iota. Negative axes and indices count from the end, as in numpy.

import { emit1, constant, type Tracer } from './core.js';
import { normAxis, sizeOf, type DType, type Shape } from '../ir/types.js';
import { TraceError } from '../ir/tracer.js';

export function reshape(x: Tracer, shape: readonly number[]): Tracer {
  const s = [...shape];
  const neg = s.indexOf(-1);
  if (neg >= 0) s[neg] = sizeOf(x.shape) / sizeOf(s.filter((d) => d !== -1));
  if (s.length === x.rank && s.every((d, i) => d === x.shape[i])) return x;
  return emit1('reshape', [x], { shape: s });
}

export function transpose(x: Tracer, perm?: readonly number[]): Tracer {
  const p = perm ? perm.map((a) => normAxis(a, x.rank)) : x.shape.map((_, i) => x.rank - 1 - i);
  if (p.every((a, i) => a === i)) return x;
  return emit1('transpose', [x], { perm: p });
}

/** Swaps the last two axes (matrix transpose, batched). */
export function mT(x: Tracer): Tracer {
  const p = x.shape.map((_, i) => i);
  [p[x.rank - 2], p[x.rank - 1]] = [p[x.rank - 1]!, p[x.rank - 2]!];
  return transpose(x, p);
}

export const expandDims = (x: Tracer, axis: number): Tracer => {
  const a = normAxis(axis, x.rank + 1);
  const s = [...x.shape];
  s.splice(a, 0, 1);
  return reshape(x, s);
};

export const squeeze = (x: Tracer, axis?: number): Tracer =>
  reshape(
    x,
    x.shape.filter((d, i) => (axis === undefined ? d !== 1 : i !== normAxis(axis, x.rank))),
  );

export const flatten = (x: Tracer): Tracer => reshape(x, [sizeOf(x.shape)]);

/** slice(x, starts, limits, strides?) with explicit bounds per axis (missing axes are whole). */
export function slice(
  x: Tracer,
  starts: readonly number[],
  limits?: readonly number[],
  strides?: readonly number[],
): Tracer {
  const st = x.shape.map((d, i) => clampIdx(starts[i] ?? 0, d));
  const li = x.shape.map((d, i) => clampIdx(limits?.[i] ?? d, d));
  const sr = x.shape.map((_, i) => strides?.[i] ?? 1);
  if (st.every((s, i) => s === 0 && li[i] === x.shape[i] && sr[i] === 1)) return x;
  return emit1('slice', [x], { starts: st, limits: li, strides: sr });
}

function clampIdx(i: number, d: number): number {
  const j = i < 0 ? i + d : i;
  return Math.max(0, Math.min(d, j));
}

/** x[i] along an axis, for a static index (negative counts from the end); drops the axis. */
export function index(x: Tracer, i: number, axis = 0): Tracer {
  const a = normAxis(axis, x.rank);
  const d = x.shape[a]!;
  const j = i < 0 ? i + d : i;
  if (j < 0 || j >= d) throw new TraceError(`index ${i} out of range for axis ${a} of size ${d}`);
  const starts = x.shape.map(() => 0);
  const limits = [...x.shape];
  starts[a] = j;
  limits[a] = j + 1;
  return squeeze(slice(x, starts, limits), a);
}

export function concat(xs: readonly Tracer[], axis = 0): Tracer {
  if (xs.length === 1) return xs[0]!;
  return emit1('concatenate', xs, { axis: normAxis(axis, xs[0]!.rank) });
}

export const stack = (xs: readonly Tracer[], axis = 0): Tracer =>
  concat(
    xs.map((x) => expandDims(x, axis)),
    axis,
  );

export const pad = (x: Tracer, lo: readonly number[], hi: readonly number[]): Tracer =>
  emit1('pad', [x], { lo: [...lo], hi: [...hi] });

/** take(x, idx, axis): gathers slices along an axis with an int32 index tensor. */
export const take = (x: Tracer, idx: Tracer | number | number[], axis = 0): Tracer =>
  emit1('gather', [x, typeof idx === 'object' && !Array.isArray(idx) ? idx : constant(idx, 'int32')], {
    axis: normAxis(axis, x.rank),
  });

/** The transpose of take: adds the rows of `upd` into a zero tensor of `size` along the axis. */
export const scatterAdd = (upd: Tracer, idx: Tracer, axis: number, size: number): Tracer =>
  emit1('scatter_add', [upd, idx], { axis, size });

export const iota = (shape: Shape, axis = 0, dtype: DType = 'int32'): Tracer =>
  emit1('iota', [], { shape: [...shape], axis: normAxis(axis, shape.length), dtype });

export const arange = (n: number, dtype: DType = 'int32'): Tracer => iota([n], 0, dtype);
