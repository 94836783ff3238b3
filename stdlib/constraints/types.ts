// The contract of a constraint transform (Stan's change of variables for constrained params):
// an unconstrained flat vector u of `size(shape)` entries maps to a constrained value of
// `shape`, with log|det J| of the map (for densities over the unconstrained space), and an
// inverse for `start` values. Everything is built from runtime ops, so it traces, differentiates
// and runs on any backend. Bounds are tensors broadcastable to the value's shape; they may be
// traced values (parameter-dependent bounds), and then derivatives flow through them too.
// Invariant: inverse(forward(u)) == u, and forward(inverse(x)) == x for x in the support.

import type { Tracer } from '../../runtime/index.js';

export interface ConstraintTransform {
  name: string;
  /** How many bound tensors the transform takes (lower; upper; lower and upper; none). */
  bounds: number;
  /** True when forward and inverse treat leading axes of `shape` as independent copies (arrays of
   *  the type, e.g. `simplex[k][m]`); array.ts maps the others element by element. */
  batched?: boolean;
  /** Unconstrained size for a constrained value of this shape. */
  size(shape: readonly number[]): number;
  /** u (flat, [size]) -> the constrained value and log|det J|, a scalar. */
  forward(u: Tracer, shape: readonly number[], bounds: readonly Tracer[]): { value: Tracer; logJac: Tracer };
  /** A constrained value -> u (flat, [size]). */
  inverse(x: Tracer, shape: readonly number[], bounds: readonly Tracer[]): Tracer;
}
