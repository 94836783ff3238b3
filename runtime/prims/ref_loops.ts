// Dense-array loops shared by the float64 reference rules: allocation per dtype and elementwise
// maps. Float dtypes are always computed in float64 here; int32 and bool stay exact.

import type { AVal, DType } from '../ir/types.js';
import { sizeOf } from '../ir/types.js';
import type { RefArray } from './rule.js';

export function allocData(dtype: DType, n: number): Float64Array | Int32Array | Uint8Array {
  return dtype === 'int32' ? new Int32Array(n) : dtype === 'bool' ? new Uint8Array(n) : new Float64Array(n);
}

export const alloc = (a: AVal): RefArray => ({ data: allocData(a.dtype, sizeOf(a.shape)), shape: a.shape });

export function map1(x: RefArray, out: AVal, f: (v: number) => number): RefArray {
  const r = alloc(out);
  const xd = x.data;
  const od = r.data;
  for (let i = 0; i < od.length; i++) od[i] = f(xd[i]!);
  return r;
}

export function map2(a: RefArray, b: RefArray, out: AVal, f: (x: number, y: number) => number): RefArray {
  const r = alloc(out);
  const ad = a.data;
  const bd = b.data;
  const od = r.data;
  for (let i = 0; i < od.length; i++) od[i] = f(ad[i]!, bd[i]!);
  return r;
}
