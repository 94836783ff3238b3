// Initial points, as Stan draws them: every unconstrained coordinate uniform in (-2, 2), from
// the run's seed through the runtime's Threefry kernels, so a seed gives the same point on
// every machine. `start` values then replace their slices (program_graphs.ts, `init`).

import { keyFromSeed, randomBits64, uniform01 } from '../../runtime/index.js';

export function uniformInit(n: number, seed: number): Float64Array {
  if (n === 0) return new Float64Array(0);
  const u = uniform01(randomBits64(keyFromSeed(seed), n), 'float64');
  return u.map((x) => -2 + 4 * x);
}
