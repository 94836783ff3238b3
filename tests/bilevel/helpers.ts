// Shared by the bilevel tests: a compiled example's hypergradient at a chosen outer point, by any
// hypergradient entry of the table (what one outer evaluation of a run computes), and small dense
// linear algebra for the closed forms.

import { compileProgram } from '../../compiler/compile.js';
import { bilevelFacet } from '../../compiler/running/bilevel_problem.js';
import { buildProblem } from '../../compiler/running/solve_problem.js';
import { solveDense } from '../stdlib/prox_refs.js';
import {
  BilevelKit,
  contextFor,
  hypergradOf,
  runnableOf,
  withDefaults,
  type HypergradEval,
} from '../../stdlib/index.js';

export type Mat = number[][];

/** The kit of a compiled bilevel example, with the inner method `inner` ({ method, ...options }). */
export async function kitOf(file: string, inner: { method: string } & Record<string, unknown>) {
  const compiled = await compileProgram(file, { backend: 'ref' });
  const facet = bilevelFacet(compiled, buildProblem(compiled));
  const m = runnableOf(inner.method)!;
  return {
    compiled,
    kit: new BilevelKit(facet, { m, options: withDefaults(m.options, inner) as never }, contextFor(1)),
  };
}

/** One hypergradient evaluation at x from a zero warm start. */
export function hypergradAt(
  kit: BilevelKit,
  x: ArrayLike<number>,
  call: { method: string } & Record<string, unknown>,
): HypergradEval {
  const m = hypergradOf(call.method)!;
  return m.evaluate(
    kit,
    Float64Array.from(x),
    { w: new Array(kit.nw).fill(0) },
    withDefaults(m.options, call) as never,
  );
}

/** Solves A x = b: the dense reference solver the prox tests use (one definition). */
export const solve: (A: Mat, b: number[]) => number[] = solveDense;

export const matVec = (A: Mat, v: number[]) => A.map((r) => r.reduce((s, a, j) => s + a * v[j]!, 0));
export const tMatVec = (A: Mat, v: number[]) => A[0]!.map((_, j) => A.reduce((s, r, i) => s + r[j]! * v[i]!, 0));
export const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
export const normInf = (a: ArrayLike<number>) => maxAbsDiff(a, new Array(a.length).fill(0));
