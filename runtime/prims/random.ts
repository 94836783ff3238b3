// Table entries of the random-number primitives. Keys are int32[2] (Threefry-2x32 key words);
// the bits are computed by the host kernel on every backend, so a seed gives the same numbers
// everywhere (float32 results are the float64 ones rounded).

import { aval, avalString, isFloat, sizeOf } from '../ir/types.js';
import type { AVal } from '../ir/types.js';
import type { PartialTable, PrimRule } from './rule.js';
import { ShapeError } from './rule.js';
import * as K from '../kernels/index.js';

function checkKey(name: string, k: AVal): void {
  if (k.dtype !== 'int32' || k.shape.length !== 1 || k.shape[0] !== 2) {
    throw new ShapeError(`${name} needs a key of type i32[2], got ${avalString(k)}`);
  }
}

export const randomRules = {
  rng_uniform: {
    shape: ([k], p) => {
      checkKey('rng_uniform', k!);
      if (!isFloat(p.dtype)) throw new ShapeError(`rng_uniform draws floats, not ${p.dtype}`);
      return [aval(p.shape, p.dtype)];
    },
    jvp: () => [null],
    vjp: () => [null],
    ref: ([k], p) => {
      const n = sizeOf(p.shape);
      const key = k!.data as Int32Array;
      const bits = p.dtype === 'float64' ? K.randomBits64(key, n) : K.randomBits(key, n);
      return [{ data: K.uniform01(bits, p.dtype === 'float64' ? 'float64' : 'float32'), shape: p.shape }];
    },
    tfjs: 'host',
    js: {
      emit: ([k], [o], p, _i, _o, ctx) =>
        `${ctx.ref(K.uniformInto)}(${k}, ${sizeOf(p.shape)}, '${p.dtype === 'float64' ? 'float64' : 'float32'}', ${o});`,
    },
  } satisfies PrimRule<'rng_uniform'>,
  rng_split: {
    shape: ([k], p) => {
      checkKey('rng_split', k!);
      return [aval([p.n, 2], 'int32')];
    },
    jvp: () => [null],
    vjp: () => [null],
    ref: ([k], p) => [{ data: K.split(k!.data as Int32Array, p.n), shape: [p.n, 2] }],
    tfjs: 'host',
    js: { emit: ([k], [o], p, _i, _o, ctx) => `${ctx.ref(K.splitInto)}(${k}, ${p.n}, ${o});` },
  } satisfies PrimRule<'rng_split'>,
} satisfies PartialTable<'rng_uniform' | 'rng_split'>;
