// Host values handed to and from users: nested arrays or typed arrays plus a shape, converted to
// the reference backend's dense arrays and back.

import type { AVal } from '../ir/types.js';
import { sizeOf } from '../ir/types.js';
import type { RefArray } from '../prims/rule.js';

export type HostValue = number | boolean | HostValue[] | Float64Array | Float32Array | Int32Array;

function flattenInto(x: HostValue, out: number[]): void {
  if (Array.isArray(x)) for (const e of x) flattenInto(e, out);
  else if (typeof x === 'number') out.push(x);
  else if (typeof x === 'boolean') out.push(x ? 1 : 0);
  else for (const v of x) out.push(v);
}

export function toRefArray(x: HostValue, a: AVal): RefArray {
  const flat: number[] = [];
  flattenInto(x, flat);
  const n = sizeOf(a.shape);
  if (flat.length !== n) throw new Error(`expected ${n} values for shape [${a.shape}], got ${flat.length}`);
  const data =
    a.dtype === 'int32' ? Int32Array.from(flat) : a.dtype === 'bool' ? Uint8Array.from(flat) : Float64Array.from(flat);
  return { data, shape: a.shape };
}

/** Nested JS arrays in the array's shape (a number for a scalar). */
export function toNested(x: { data: ArrayLike<number>; shape: readonly number[] }): HostValue {
  const build = (off: number, d: number): HostValue => {
    if (d === x.shape.length) return x.data[off]!;
    const inner = sizeOf(x.shape.slice(d + 1));
    return Array.from({ length: x.shape[d]! }, (_, i) => build(off + i * inner, d + 1));
  };
  return build(0, 0);
}
