// The core of the tracing API: emitting primitives, constants, dtype promotion and numpy-style
// broadcasting. Every other op module builds on these. Numbers are weakly typed: a JS number takes
// the dtype of the tensor it meets (float64 when alone).

import { currentBuilder, Tracer, TraceError } from '../ir/tracer.js';
import type { DType, Shape } from '../ir/types.js';
import { broadcastShapes, isFloat, sameShape, sizeOf } from '../ir/types.js';
import type { PrimName, PrimParams } from '../prims/params.js';

export type TLike = Tracer | number;
export { Tracer };

export function emit<P extends PrimName>(prim: P, inputs: readonly Tracer[], params: PrimParams[P]): Tracer[] {
  return currentBuilder().emit(prim, inputs, params);
}

export function emit1<P extends PrimName>(prim: P, inputs: readonly Tracer[], params: PrimParams[P]): Tracer {
  return currentBuilder().emit(prim, inputs, params)[0]!;
}

export const NONE = {} as Record<string, never>;

export type Nested = number | boolean | Nested[];

function flatten(x: Nested, shape: number[], out: number[], depth: number): void {
  if (Array.isArray(x)) {
    if (shape.length === depth) shape.push(x.length);
    else if (shape[depth] !== x.length) throw new TraceError('ragged nested array in constant');
    for (const e of x) flatten(e, shape, out, depth + 1);
  } else {
    if (shape.length !== depth) throw new TraceError('ragged nested array in constant');
    out.push(typeof x === 'boolean' ? (x ? 1 : 0) : x);
  }
}

export function typedFor(dtype: DType, n: number): Float64Array | Int32Array | Uint8Array {
  return dtype === 'int32' ? new Int32Array(n) : dtype === 'bool' ? new Uint8Array(n) : new Float64Array(n);
}

/** A constant tensor from a number, nested arrays or a flat array with an explicit shape. */
export function constant(
  value: Nested | ArrayLike<number>,
  dtype: DType = 'float64',
  shape?: readonly number[],
): Tracer {
  let flat: number[];
  let shp: number[];
  // A typed array without a shape is a vector (the nested-array walk would take it for a scalar).
  if (!shape && ArrayBuffer.isView(value)) shape = [(value as ArrayLike<number>).length];
  if (shape) {
    shp = [...shape];
    flat = typeof value === 'number' ? new Array(sizeOf(shp)).fill(value) : Array.from(value as ArrayLike<number>);
    if (flat.length !== sizeOf(shp)) throw new TraceError(`constant: ${flat.length} values for shape [${shp}]`);
  } else {
    shp = [];
    flat = [];
    flatten(value as Nested, shp, flat, 0);
  }
  const data = typedFor(dtype, flat.length);
  data.set(flat);
  return emit1('constant', [], { value: data, shape: shp, dtype });
}

export const full = (shape: Shape, v: number, dtype: DType = 'float64'): Tracer => {
  const data = typedFor(dtype, 1);
  data[0] = v;
  const s = emit1('constant', [], { value: data, shape: [], dtype });
  return shape.length === 0 ? s : emit1('broadcast_in_dim', [s], { shape: [...shape], dims: [] });
};
export const zeros = (shape: Shape, dtype: DType = 'float64') => full(shape, 0, dtype);
export const ones = (shape: Shape, dtype: DType = 'float64') => full(shape, 1, dtype);
export const zerosLike = (x: Tracer) => full(x.shape, 0, x.dtype);
export const onesLike = (x: Tracer) => full(x.shape, 1, x.dtype);
export const fullLike = (x: Tracer, v: number) => full(x.shape, v, x.dtype);

const rank: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

export function cast(x: Tracer, dtype: DType): Tracer {
  return x.dtype === dtype ? x : emit1('convert', [x], { dtype });
}

/** numpy broadcasting to a target shape via broadcast_in_dim (no-op when already that shape). */
export function broadcastTo(x: Tracer, shape: Shape): Tracer {
  if (sameShape(x.shape, shape)) return x;
  const off = shape.length - x.rank;
  if (off < 0) throw new TraceError(`cannot broadcast [${x.shape}] to [${shape}]`);
  const dims = x.shape.map((_, i) => i + off);
  return emit1('broadcast_in_dim', [x], { shape: [...shape], dims });
}

/** Brings two operands to a common dtype and shape (weak typing for numbers). */
export function lift2(a: TLike, b: TLike): [Tracer, Tracer] {
  if (typeof a === 'number' && typeof b === 'number') return [full([], a), full([], b)];
  if (typeof a === 'number')
    a = full(
      [],
      a,
      isFloat((b as Tracer).dtype) ? (b as Tracer).dtype : Number.isInteger(a) ? (b as Tracer).dtype : 'float64',
    );
  if (typeof b === 'number') b = full([], b, isFloat(a.dtype) ? a.dtype : Number.isInteger(b) ? a.dtype : 'float64');
  if (a.dtype !== b.dtype) {
    const d = rank[a.dtype] > rank[b.dtype] ? a.dtype : b.dtype;
    a = cast(a, d);
    b = cast(b, d);
  }
  const shape = broadcastShapes(a.shape, b.shape);
  if (!shape) throw new TraceError(`shapes [${a.shape}] and [${b.shape}] cannot be broadcast together`);
  return [broadcastTo(a, shape), broadcastTo(b, shape)];
}

export function asTracer(x: TLike, like?: Tracer): Tracer {
  if (typeof x !== 'number') return x;
  return full([], x, like && isFloat(like.dtype) ? like.dtype : 'float64');
}
