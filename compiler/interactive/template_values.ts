// What a tagged template's interpolations may be, and what each becomes: data, with an element
// kind and a shape. Numbers and booleans are scalars; nested arrays, typed arrays (a flat one is
// a vector), arrays of typed arrays (rows), tf.Tensors (any object with `shape`, `dtype` and
// `dataSync()`) and `{ data, shape }` arrays are tensors. Int8/16/32 and Uint8/16/32 arrays and
// int32 tensors are `int`, bool tensors and arrays of booleans `bool`, the rest `real`; a plain
// number is `int` only where the program needs an int (a dimension, an index, a range). Strings
// are not data: the source handles them (template_source.ts). Values are never copied here: a
// matrix in a flat typed array becomes nested views of it, which the data binder reads.

import type { Elem } from '../front/static_types.js';

/** A tf.Tensor as far as Proxima needs one. */
export interface TensorLike {
  readonly shape: readonly number[];
  readonly dtype: string;
  dataSync(): ArrayLike<number>;
}

/** A dense row-major array with its shape. */
export interface ShapedArray {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
}

export type NumericArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint32Array
  | Uint16Array
  | Uint8Array
  | Uint8ClampedArray;

export type NestedData = number | boolean | NumericArray | readonly NestedData[];

/** What may appear inside `${...}` in an `opt` template. */
export type Interpolation = NestedData | string | TensorLike | ShapedArray;

/** An interpolation as data: its kind, shape and the value the data binder reads. */
export interface DataHole {
  kind: 'data';
  elem: Elem;
  shape: number[];
  value: NestedData;
  /** How messages describe it: `a Float64Array of length 5`. */
  what: string;
}

export type Classified = DataHole | { kind: 'string'; value: string };

const INT_ARRAYS = [Int32Array, Int16Array, Int8Array, Uint32Array, Uint16Array, Uint8Array, Uint8ClampedArray];

const isTensorLike = (v: object): v is TensorLike =>
  'dataSync' in v && typeof (v as TensorLike).dataSync === 'function' && Array.isArray((v as TensorLike).shape);

const isShaped = (v: object): v is ShapedArray =>
  'data' in v &&
  'shape' in v &&
  Array.isArray((v as ShapedArray).shape) &&
  (ArrayBuffer.isView((v as ShapedArray).data) || Array.isArray((v as ShapedArray).data));

/**
 * The interpolation as data, or a message saying why it cannot be. `intContext`: the program uses
 * it where an int is needed, so plain numbers are ints there.
 */
export function classify(v: unknown, intContext: boolean): Classified | string {
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (typeof v === 'number')
    return { kind: 'data', elem: intContext ? 'int' : 'real', shape: [], value: v, what: `the number ${v}` };
  if (typeof v === 'boolean') return { kind: 'data', elem: 'bool', shape: [], value: v, what: `the boolean ${v}` };
  if (v === null || v === undefined) return `it is ${v}, not a value`;
  if (typeof v === 'bigint') return 'it is a bigint; pass a number';
  if (typeof v !== 'object') return `it is a ${typeof v}, not a value`;
  if (ArrayBuffer.isView(v)) {
    if (v instanceof DataView || v instanceof BigInt64Array || v instanceof BigUint64Array)
      return `it is a ${v.constructor.name}; pass a Float64Array, Float32Array or an int typed array`;
    const a = v as NumericArray;
    return {
      kind: 'data',
      elem: INT_ARRAYS.some((C) => a instanceof C) ? 'int' : 'real',
      shape: [a.length],
      value: a,
      what: `a ${a.constructor.name} of length ${a.length}`,
    };
  }
  if (isTensorLike(v)) {
    const elem: Elem = v.dtype === 'int32' ? 'int' : v.dtype === 'bool' ? 'bool' : 'real';
    if (!['int32', 'bool', 'float32', 'float64'].includes(v.dtype)) return `it is a tensor of dtype ${v.dtype}`;
    return shaped(v.dataSync(), [...v.shape], elem, `a ${v.dtype} tensor of shape [${v.shape.join(', ')}]`);
  }
  if (isShaped(v)) {
    const d = v.data;
    const elem: Elem = INT_ARRAYS.some((C) => d instanceof C)
      ? 'int'
      : intContext && !ArrayBuffer.isView(d)
        ? 'int'
        : 'real';
    return shaped(d, [...v.shape], elem, `an array of shape [${v.shape.join(', ')}]`);
  }
  if (Array.isArray(v)) {
    const shape = nestedShape(v);
    const elem: Elem = leafKind(v);
    return {
      kind: 'data',
      elem: elem === 'real' && intContext ? 'int' : elem,
      shape,
      value: v as NestedData,
      what: `${shape.length === 1 ? `an array of length ${shape[0]}` : `a nested array of shape [${shape.join(', ')}]`}${elem === 'bool' ? ' (booleans)' : ''}`,
    };
  }
  return 'it is an object; pass a number, an array, a typed array, a tf.Tensor or { data, shape }';
}

function shaped(data: ArrayLike<number>, shape: number[], elem: Elem, what: string): DataHole | string {
  const size = shape.reduce((a, b) => a * b, 1);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) return `its shape [${shape.join(', ')}] is not a shape`;
  if (data.length !== size) return `its shape [${shape.join(', ')}] needs ${size} values but it holds ${data.length}`;
  return { kind: 'data', elem, shape, value: nest(data, shape), what };
}

/** Nested views (subarrays) of a flat row-major array: no copy for typed arrays. */
function nest(data: ArrayLike<number>, shape: readonly number[]): NestedData {
  if (shape.length === 0) return data[0]!;
  const flat: NumericArray | number[] = ArrayBuffer.isView(data) ? (data as NumericArray) : Array.from(data);
  const build = (off: number, d: number): NestedData => {
    const inner = shape.slice(d + 1).reduce((a, b) => a * b, 1);
    if (d === shape.length - 1) return sub(flat, off, off + shape[d]!);
    return Array.from({ length: shape[d]! }, (_, i) => build(off + i * inner, d + 1));
  };
  return build(0, 0);
}

const sub = (a: NumericArray | number[], lo: number, hi: number): NumericArray | number[] =>
  Array.isArray(a) ? a.slice(lo, hi) : (a as Float64Array).subarray(lo, hi);

/** The shape of nested arrays along their first elements (the binder reports raggedness). */
function nestedShape(v: unknown): number[] {
  const shape: number[] = [];
  let x: unknown = v;
  while (Array.isArray(x) || ArrayBuffer.isView(x)) {
    const a = x as ArrayLike<unknown>;
    shape.push(a.length);
    if (a.length === 0) break;
    x = a[0];
  }
  return shape;
}

/** bool when every leaf is a boolean, int when the leaves are int typed arrays, else real. */
function leafKind(v: unknown): Elem {
  let sawBool = false;
  let sawOther = false;
  let intArrays = true;
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) for (const e of x) walk(e);
    else if (ArrayBuffer.isView(x)) {
      sawOther = true;
      if (!INT_ARRAYS.some((C) => x instanceof C)) intArrays = false;
    } else if (typeof x === 'boolean') sawBool = true;
    else {
      sawOther = true;
      intArrays = false;
    }
  };
  walk(v);
  if (sawBool && !sawOther) return 'bool';
  return sawOther && intArrays ? 'int' : 'real';
}
