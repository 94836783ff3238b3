// Tracing and running functions on the float64 reference backend from plain numbers, plus graph
// statistics the tests assert on (equation counts and primitives, sub-graphs included).

import { trace, runRef, type Graph, type Shape, type DType } from '../../runtime/index.js';
import type { AnyEqn } from '../../runtime/ir/graph.js';
import type { PrimName } from '../../runtime/prims/params.js';
import type { Tracer } from '../../runtime/ir/tracer.js';
import type { ArgSpec } from '../../runtime/transforms/api.js';
import type { RefArray } from '../../runtime/prims/rule.js';

export type Fn = (...xs: Tracer[]) => Tracer | Tracer[];

export interface Compiled {
  graph: Graph;
  /** Runs on ref; every output comes back as a Float64Array (ints and bools converted). */
  run(...inputs: ArrayLike<number>[]): Float64Array[];
  /** Runs on ref and returns the raw arrays (dtype-preserving). */
  raw(...inputs: ArrayLike<number>[]): RefArray[];
}

function toRef(x: ArrayLike<number>, shape: Shape, dtype: DType): RefArray {
  const data = dtype === 'int32' ? Int32Array.from(x) : dtype === 'bool' ? Uint8Array.from(x) : Float64Array.from(x);
  return { data, shape };
}

/** Traces f once on inputs of the given shapes (float64 unless an ArgSpec says otherwise). */
export function compile(f: Fn, args: readonly ArgSpec[]): Compiled {
  const graph = trace(f, args);
  const raw = (...inputs: ArrayLike<number>[]) =>
    runRef(
      graph,
      inputs.map((x, i) => toRef(x, graph.inputs[i]!.aval.shape, graph.inputs[i]!.aval.dtype)),
    );
  return { graph, raw, run: (...inputs) => raw(...inputs).map((o) => Float64Array.from(o.data)) };
}

/** Traces and runs f once. */
export const runOnce = (f: Fn, args: readonly ArgSpec[], ...inputs: ArrayLike<number>[]): Float64Array[] =>
  compile(f, args).run(...inputs);

/** The sub-graphs an equation carries (control flow). */
export function subGraphs(e: AnyEqn): Graph[] {
  switch (e.prim) {
    case 'scan':
    case 'fixed_point':
      return [e.params.body];
    case 'while_loop':
      return [e.params.cond, e.params.body];
    case 'custom_vjp':
      return [e.params.fun, e.params.fwd, e.params.bwd];
    default:
      return [];
  }
}

/** Equations of a graph, counting those of every nested sub-graph. */
export function countEqns(g: Graph): number {
  let n = 0;
  for (const e of g.eqns) n += 1 + subGraphs(e).reduce((a, s) => a + countEqns(s), 0);
  return n;
}

/** Every primitive a graph uses, sub-graphs included. */
export function primsOf(g: Graph, into = new Set<PrimName>()): Set<PrimName> {
  for (const e of g.eqns) {
    into.add(e.prim);
    for (const s of subGraphs(e)) primsOf(s, into);
  }
  return into;
}

/** How many equations of each primitive a graph holds, sub-graphs included. */
export function primCounts(g: Graph, into = new Map<PrimName, number>()): Map<PrimName, number> {
  for (const e of g.eqns) {
    into.set(e.prim, (into.get(e.prim) ?? 0) + 1);
    for (const s of subGraphs(e)) primCounts(s, into);
  }
  return into;
}
