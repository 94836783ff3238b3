// Conversion of user arguments into dense host arrays of a given aval, and of host arrays into
// the typed-array class the aval calls for. Kept apart from the executable so every backend
// validates inputs the same way.

import type { AVal } from '../ir/types.js';
import { avalString, sizeOf } from '../ir/types.js';
import { toRefArray } from '../values/host.js';
import type { Arg, DeviceArray, HostArray, HostData } from './types.js';

export const isDeviceArray = (x: Arg): x is DeviceArray =>
  typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x) && 'release' in (x as object);

const isHostArray = (x: Arg): x is HostArray =>
  typeof x === 'object' &&
  x !== null &&
  !Array.isArray(x) &&
  !ArrayBuffer.isView(x) &&
  'data' in (x as object) &&
  'shape' in (x as object);

/** A host array for `a` from a user argument; typed arrays of the right length are not copied. */
export function toHostArray(x: Exclude<Arg, DeviceArray>, a: AVal, what: string): HostArray {
  const n = sizeOf(a.shape);
  if (isHostArray(x)) {
    if (x.data.length !== n || x.shape.length !== a.shape.length || x.shape.some((d, i) => d !== a.shape[i])) {
      throw new Error(`${what}: expected ${avalString(a)}, got an array of shape [${x.shape}]`);
    }
    return x;
  }
  if (ArrayBuffer.isView(x)) {
    if ((x as HostData).length !== n)
      throw new Error(`${what}: expected ${n} values for ${avalString(a)}, got ${(x as HostData).length}`);
    return { data: x as HostData, shape: a.shape };
  }
  return toRefArray(x, a);
}

/** The aval's array class, always a fresh copy (the constructor copies an array-like without an iterator). */
export function typedCopy(src: ArrayLike<number>, a: AVal): HostData {
  switch (a.dtype) {
    case 'float64':
      return new Float64Array(src);
    case 'float32':
      return new Float32Array(src);
    case 'int32':
      return new Int32Array(src);
    case 'bool':
      return Uint8Array.from(src, (v) => (v ? 1 : 0));
  }
}
