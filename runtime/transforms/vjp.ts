// Reverse mode as a graph-to-graph transform: a forward sweep re-emits the equations (through a
// primitive's `forward` hook when it needs residuals, as scan and custom_vjp do), and a backward
// sweep emits the VJP rules in reverse order, summing cotangents. Only float values that depend
// on a differentiated input are "active"; everything else is skipped in the backward sweep.

import type { Graph, Var, AnyEqn } from '../ir/graph.js';
import { currentBuilder, traceSub, type Tracer, TraceError } from '../ir/tracer.js';
import { isFloat } from '../ir/types.js';
import { ruleOf } from '../prims/table.js';
import * as P from '../ops/index.js';

export type Cotangent = Tracer | null;

export interface VjpResult {
  outs: Tracer[];
  /** Emits the backward sweep; returns one cotangent per graph input (null where zero/inactive). */
  backward(cts: readonly Cotangent[]): Cotangent[];
}

export function vjpTrace(g: Graph, primals: readonly Tracer[], wrt: readonly boolean[]): VjpResult {
  const b = currentBuilder();
  const env = new Map<number, Tracer>();
  const active = new Set<number>();
  g.inputs.forEach((v, i) => {
    env.set(v.id, primals[i]!);
    if (wrt[i] && isFloat(v.aval.dtype)) active.add(v.id);
  });
  const get = (v: Var): Tracer => {
    const t = env.get(v.id);
    if (!t) throw new TraceError(`vjp: variable ${v.id} used before definition`);
    return t;
  };
  const tape: { e: AnyEqn; ins: Tracer[]; outs: Tracer[]; residuals: Tracer[] }[] = [];
  for (const e of g.eqns) {
    const ins = e.inputs.map(get);
    const isActive = e.inputs.some((v) => active.has(v.id));
    const rule = ruleOf(e.prim);
    let outs: Tracer[];
    let residuals: Tracer[] = [];
    if (isActive && rule.forward) {
      ({ outs, residuals } = rule.forward(ins, e.params));
    } else {
      outs = b.emit(e.prim, ins, e.params);
    }
    e.outputs.forEach((v, i) => env.set(v.id, outs[i]!));
    if (isActive) {
      e.outputs.forEach((v) => isFloat(v.aval.dtype) && active.add(v.id));
      tape.push({ e, ins, outs, residuals });
    }
  }
  const outs = g.outputs.map(get);
  return {
    outs,
    backward(cts) {
      const ctEnv = new Map<number, Tracer>();
      const addCt = (v: Var, c: Tracer | null | undefined) => {
        if (!c || !active.has(v.id)) return;
        const prev = ctEnv.get(v.id);
        ctEnv.set(v.id, prev ? P.add(prev, c) : c);
      };
      g.outputs.forEach((v, i) => addCt(v, cts[i]));
      for (let k = tape.length - 1; k >= 0; k--) {
        const { e, ins, outs: eo, residuals } = tape[k]!;
        const octs = e.outputs.map((v) => ctEnv.get(v.id) ?? null);
        if (octs.every((c) => c === null)) continue;
        const rule = ruleOf(e.prim);
        const icts = rule.vjp(octs, ins, eo, e.params, residuals);
        e.inputs.forEach((v, i) => addCt(v, icts[i]));
      }
      return g.inputs.map((v) => ctEnv.get(v.id) ?? null);
    },
  };
}

/**
 * vjpGraph(g, wrt): a graph from [primals..., output cotangents...] to
 * [primal outputs..., cotangents of the wrt inputs...] (zeros where none flows).
 */
export function vjpGraph(g: Graph, wrt: readonly boolean[]): Graph {
  const n = g.inputs.length;
  return traceSub(
    (...args: Tracer[]) => {
      const r = vjpTrace(g, args.slice(0, n), wrt);
      const cts = r.backward(args.slice(n));
      const prim = args.slice(0, n);
      return [...r.outs, ...cts.flatMap((c, i) => (wrt[i] ? [c ?? P.zerosLike(prim[i]!)] : []))];
    },
    [...g.inAvals, ...g.outAvals],
  ).graph;
}
