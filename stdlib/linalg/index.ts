// Dense linear algebra composed from primitives: solves, inverse, log |det| and the matrix
// exponential, each differentiable to any order through its traced algorithm.

export { gaussJordan, solve, inverse, logAbsDet, eye } from './gauss_jordan.js';
export { expm, MAX_SQUARINGS } from './expm.js';
