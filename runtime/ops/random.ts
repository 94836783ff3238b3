// Random numbers from explicit keys (int32[2]): uniform, normal (Box-Muller), splitting.
// The bits come from Threefry-2x32 in runtime/kernels, the same on every backend.

import { emit1, constant, type Tracer } from './core.js';
import type { DType, Shape } from '../ir/types.js';
import { index } from './shape.js';
import { mul, sqrt, log, cos, sub } from './elementwise.js';

export const keyConstant = (seed: number): Tracer => constant([0, seed | 0], 'int32');

export const uniform = (key: Tracer, shape: Shape, dtype: DType = 'float64'): Tracer =>
  emit1('rng_uniform', [key], { shape: [...shape], dtype });

export const splitKey = (key: Tracer, n = 2): Tracer[] => {
  const ks = emit1('rng_split', [key], { n });
  return Array.from({ length: n }, (_, i) => index(ks, i));
};

/** n keys split from one, as one int32[n, 2] array (for scanning over per-iteration keys). */
export const splitKeys = (key: Tracer, n: number): Tracer => emit1('rng_split', [key], { n });

/** Standard normal draws by Box-Muller on two independent uniform streams. */
export function normal(key: Tracer, shape: Shape, dtype: DType = 'float64'): Tracer {
  const [k1, k2] = splitKey(key, 2);
  const u1 = uniform(k1!, shape, dtype);
  const u2 = uniform(k2!, shape, dtype);
  // 1 - u lies in (0, 1], so the log is finite.
  const r = sqrt(mul(-2, log(sub(1, u1))));
  return mul(r, cos(mul(2 * Math.PI, u2)));
}
