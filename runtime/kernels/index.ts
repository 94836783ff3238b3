// Float64 host-side numeric kernels used by the primitive table: the whole
// implementation for the float64 reference backend, and declared host kernels
// for backends (tfjs) that lack these ops.
export { cholesky, choleskyInto } from './cholesky.js';
export { triangularSolve, triangularSolveInto, type TriangularSolveOptions } from './triangular_solve.js';
export { eigh, type EighResult } from './eigh.js';
export { svd, type SvdResult } from './svd.js';
export { sort, topK, type SortResult } from './sort.js';
export {
  threefry2x32,
  keyFromSeed,
  split,
  splitInto,
  foldIn,
  randomBits,
  randomBits64,
  uniform01,
  uniformInto,
} from './threefry.js';
export { matmul } from './matmul.js';
