// Arrays of a constrained type (`simplex[k][m]`, `cov[k][m]`): the value's shape is
// [...array, ...element], each element transformed independently, log J the sum over elements.
// Batched transforms (simplex, the ordered family) take the whole array at once; the others
// (cholesky_corr, cov) are applied element by element and stacked.

import { ops as P, type Tracer } from '../../runtime/index.js';
import type { ConstraintTransform } from './types.js';

export function arrayOf(t: ConstraintTransform, arrayRank: number): ConstraintTransform {
  if (arrayRank === 0 || t.batched) return t;
  const split = (shape: readonly number[]) => {
    const arr = shape.slice(0, arrayRank);
    return { arr, elem: shape.slice(arrayRank), count: arr.reduce((a, b) => a * b, 1) };
  };
  return {
    name: `${t.name}[]`,
    bounds: t.bounds,
    size: (shape) => {
      const { elem, count } = split(shape);
      return count * t.size(elem);
    },
    forward: (u, shape, bounds) => {
      const { arr, elem, count } = split(shape);
      const n = t.size(elem);
      const parts = Array.from({ length: count }, (_, i) =>
        t.forward(P.slice(P.reshape(u, [-1]), [i * n], [(i + 1) * n]), elem, bounds),
      );
      const value = P.reshape(P.stack(parts.map((p) => p.value)), [...arr, ...elem]);
      const logJac = parts.reduce<Tracer>((a, p) => P.add(a, p.logJac), P.zeros([]));
      return { value, logJac };
    },
    inverse: (x, shape, bounds) => {
      const { elem, count } = split(shape);
      const flat = P.reshape(x, [count, ...elem]);
      return P.concat(Array.from({ length: count }, (_, i) => P.flatten(t.inverse(P.index(flat, i), elem, bounds))));
    },
  };
}
