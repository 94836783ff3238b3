// Shared types of the prox toolbox. A prox builder takes the operator's options once and returns
// a graph function prox(x, t) = argmin_z t f(z) + 0.5 ||z - x||^2 (t > 0 is the step size, a
// tracer or a number); a value builder returns f(x) as a scalar tracer. Both are written with
// the runtime's tracing ops only, so they run on every backend and can be differentiated.

import type { Tracer } from '../../runtime/index.js';
import type { TLike } from '../../runtime/index.js';

export type ProxFn = (x: Tracer, t: TLike) => Tracer;
export type ValueFn = (x: Tracer) => Tracer;

/** A scalar or a per-coordinate vector (flat, same length as x). */
export type Weights = number | readonly number[];

/** One option of an operator, for the compiler's checks and `proxima check` messages. */
export interface ProxOptionSpec {
  type: 'number' | 'weights' | 'int' | 'groups' | 'vector' | 'matrix';
  required: boolean;
  default?: number;
  doc: string;
}

export type Kind = 'norm' | 'penalty' | 'indicator' | 'nonconvex';

export interface ProxEntry<O = Record<string, unknown>> {
  name: string;
  kind: Kind;
  /** One line: the function, in the options' names. */
  doc: string;
  /** 'vector' (any shape, treated flat) or 'matrix' (rank 2). */
  domain: 'vector' | 'matrix';
  options: Record<string, ProxOptionSpec>;
  prox(o: O): ProxFn;
  value(o: O): ValueFn;
  /** Optional: the prox and f at it from one computation (e.g. one SVD for the nuclear norm). */
  proxAndValue?(o: O): (x: Tracer, t: TLike) => [Tracer, Tracer];
  /** The convex conjugate as another registry entry, where it is one (used by the Moreau laws). */
  conjugate?(o: O): { name: string; options: Record<string, unknown> };
}
