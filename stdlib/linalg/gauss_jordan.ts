// Dense linear solves composed from primitives: Gauss-Jordan elimination with partial pivoting
// as one scan over the columns, so every derivative (of any order) is the traced algorithm's own.
// The pivot choice is piecewise constant in A (an argmax of stopped magnitudes), so the derivative
// of the algorithm is the derivative of A^-1 B wherever A is nonsingular. The row swap and the
// elimination are rank-one updates through one-hot vectors (no gather), O(n (n + m)) per column.
// A singular A gives inf or NaN, as a zero pivot divides.

import { ops as P, type Tracer } from '../../runtime/index.js';

const hot = (n: number, i: Tracer): Tracer => P.cast(P.eq(P.arange(n), i), 'float64');

/** X = A^-1 B for a square A [n, n] and B [n, m], and the n pivots (their product is +-det A). */
export function gaussJordan(a: Tracer, b: Tracer): { x: Tracer; pivots: Tracer } {
  const n = a.shape[0]!;
  const w = n + b.shape[1]!;
  const { carry, ys } = P.scan(
    (c, [k]) => {
      let m = c[0]!;
      const ek = hot(n, k!);
      const ekw = hot(w, k!);
      // The largest magnitude at or below the diagonal in column k is the pivot row.
      const col0 = P.matmul(m, ekw);
      const score = P.where(P.ge(P.arange(n), k!), P.abs(P.stopGradient(col0)), -1);
      const ep = hot(n, P.argmax(score));
      const rowK = P.matmul(ek, m);
      const rowP = P.matmul(ep, m);
      m = P.add(m, P.outer(P.sub(ek, ep), P.sub(rowP, rowK)));
      // Row k becomes row / pivot; every other row i loses col_i / pivot times row k. A select,
      // not a rank-one update of row k too, which would cancel (row - (piv - 1) row / piv).
      const col = P.matmul(m, ekw);
      const piv = P.dot(rowP, ekw);
      const scaled = P.div(rowP, piv);
      m = P.where(P.reshape(P.eq(P.arange(n), k!), [n, 1]), P.reshape(scaled, [1, w]), P.sub(m, P.outer(col, scaled)));
      return [[m], [piv]];
    },
    [P.concat([a, b], 1)],
    [P.arange(n)],
  );
  const x = P.slice(carry[0]!, [0, n], [n, w]);
  return { x, pivots: ys[0]! };
}

/** The solution x of A x = b, b a vector [n] or a matrix [n, m]. */
export function solve(a: Tracer, b: Tracer): Tracer {
  if (b.rank === 1) return P.reshape(gaussJordan(a, P.reshape(b, [-1, 1])).x, [-1]);
  return gaussJordan(a, b).x;
}

/** The identity matrix [n, n], float64. */
export const eye = (n: number): Tracer => P.cast(P.eq(P.iota([n, n], 0), P.iota([n, n], 1)), 'float64');

/** A^-1 of a square matrix. */
export const inverse = (a: Tracer): Tracer => gaussJordan(a, eye(a.shape[0]!)).x;

/** log |det A|: the sum of the log magnitudes of the pivots (a zero-column B costs nothing). */
export const logAbsDet = (a: Tracer): Tracer => P.sum(P.log(P.abs(gaussJordan(a, P.zeros([a.shape[0]!, 0])).pivots)));
