// Forward mode as a graph-to-graph transform: re-emits every equation and, where an input carries
// a tangent, the primitive's JVP rule. Tangents exist only for float values; null means zero.
// Invariant: the result is an ordinary graph, so it can be transformed again (any order).

import type { Graph, Var } from '../ir/graph.js';
import { currentBuilder, traceSub, type Tracer, TraceError } from '../ir/tracer.js';
import { isFloat } from '../ir/types.js';
import { ruleOf } from '../prims/table.js';
import * as P from '../ops/index.js';

export type Tangent = Tracer | null;

/** Emits g's primal and tangent computation into the current builder. */
export function jvpTrace(g: Graph, primals: readonly Tracer[], tangents: readonly Tangent[]): [Tracer[], Tangent[]] {
  const b = currentBuilder();
  const env = new Map<number, Tracer>();
  const tenv = new Map<number, Tracer>();
  g.inputs.forEach((v, i) => {
    env.set(v.id, primals[i]!);
    const t = tangents[i];
    if (t && isFloat(v.aval.dtype)) tenv.set(v.id, t);
  });
  const get = (v: Var): Tracer => {
    const t = env.get(v.id);
    if (!t) throw new TraceError(`jvp: variable ${v.id} used before definition`);
    return t;
  };
  for (const e of g.eqns) {
    const ins = e.inputs.map(get);
    const outs = b.emit(e.prim, ins, e.params);
    e.outputs.forEach((v, i) => env.set(v.id, outs[i]!));
    const tins = e.inputs.map((v) => tenv.get(v.id) ?? null);
    if (tins.every((t) => t === null)) continue;
    const rule = ruleOf(e.prim);
    const touts = rule.jvp(ins, tins, e.params, outs);
    e.outputs.forEach((v, i) => {
      const t = touts[i];
      if (t && isFloat(v.aval.dtype)) tenv.set(v.id, t);
    });
  }
  return [g.outputs.map(get), g.outputs.map((v) => tenv.get(v.id) ?? null)];
}

/**
 * jvpGraph(g, active): a graph from [primals..., tangents of the active inputs...] to
 * [primal outputs..., output tangents...] (zeros where an output has no tangent).
 */
export function jvpGraph(g: Graph, active: readonly boolean[]): Graph {
  const tanAvals = g.inputs.filter((_, i) => active[i]).map((v) => v.aval);
  const n = g.inputs.length;
  return traceSub(
    (...args: Tracer[]) => {
      let k = n;
      const tins = g.inputs.map((_, i) => (active[i] ? args[k++]! : null));
      const [outs, touts] = jvpTrace(g, args.slice(0, n), tins);
      return [...outs, ...touts.map((t, i) => t ?? P.zerosLike(outs[i]!))];
    },
    [...g.inAvals, ...tanAvals],
  ).graph;
}
