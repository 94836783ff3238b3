// Placing a flat vector into the lower triangle of a K x K matrix and reading it back, in
// row-major order ((1,0), (2,0), (2,1), ... for the strict triangle; with the diagonal,
// (0,0), (1,0), (1,1), ...), which is Stan's order. Both are one gather, so they differentiate
// and vectorize; the entries outside the triangle come from a zero appended to the vector.

import { ops as P, type Tracer } from '../../runtime/index.js';

function positions(k: number, strict: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < k; i++) for (let j = 0; j < (strict ? i : i + 1); j++) out.push(i * k + j);
  return out;
}

export const triangleSize = (k: number, strict: boolean): number => (strict ? (k * (k - 1)) / 2 : (k * (k + 1)) / 2);

/** The K x K matrix with `v` in its (strict) lower triangle and zeros elsewhere. */
export function fillLower(v: Tracer, k: number, strict: boolean): Tracer {
  const pos = positions(k, strict);
  const map = new Array<number>(k * k).fill(pos.length);
  pos.forEach((p, i) => (map[p] = i));
  return P.reshape(P.take(P.concat([v, P.zeros([1])]), map), [k, k]);
}

/** The (strict) lower triangle of a K x K matrix as a flat vector. */
export const readLower = (m: Tracer, k: number, strict: boolean): Tracer => P.take(P.flatten(m), positions(k, strict));

export const eye = (k: number): Tracer => P.cast(P.eq(P.iota([k, k], 0), P.iota([k, k], 1)), 'float64');
export const strictLowerMask = (k: number): Tracer => P.cast(P.gt(P.iota([k, k], 0), P.iota([k, k], 1)), 'float64');

/** Exclusive cumulative sum along the rows. */
export const rowExclusiveCumsum = (m: Tracer): Tracer => P.sub(P.cumsum(m, 1), m);
