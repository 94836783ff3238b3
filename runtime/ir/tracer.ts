// Tracing: building graphs by running TypeScript functions on Tracers. A Builder collects the
// equations of one graph; builders nest (a scan body is traced inside its caller), and a tracer
// of an enclosing builder used inside a nested one is lifted to an extra graph input (a capture),
// so sub-graphs are always closed. Shape rules run at emission, so errors surface at trace time.
// Invariant: exactly one builder is current while ops run; tracers never escape their builder.

import { Graph, Var, type AnyEqn } from './graph.js';
import type { AVal } from './types.js';
import type { PrimName, PrimParams } from '../prims/params.js';
import { primTable } from '../prims/table.js';

export class Tracer {
  constructor(
    readonly builder: Builder,
    readonly v: Var,
  ) {}
  get aval(): AVal {
    return this.v.aval;
  }
  get shape(): readonly number[] {
    return this.v.aval.shape;
  }
  get dtype() {
    return this.v.aval.dtype;
  }
  get rank(): number {
    return this.v.aval.shape.length;
  }
}

export class TraceError extends Error {}

export class Builder {
  readonly inputs: Var[] = [];
  readonly eqns: AnyEqn[] = [];
  /** Outer tracers (in the parent builder) captured by this builder, with their inner input. */
  readonly captures: { outer: Tracer; inner: Var }[] = [];
  private readonly captured = new Map<number, Var>();

  constructor(readonly parent: Builder | null) {}

  addInput(aval: AVal): Tracer {
    const v = new Var(aval);
    this.inputs.push(v);
    return new Tracer(this, v);
  }

  private isAncestor(b: Builder): boolean {
    for (let p = this.parent; p; p = p.parent) if (p === b) return true;
    return false;
  }

  /** The Var that stands for `t` inside this builder, capturing it from an ancestor if needed. */
  lift(t: Tracer): Var {
    if (t.builder === this) return t.v;
    if (!this.isAncestor(t.builder)) {
      throw new TraceError('a traced value escaped the function that produced it (it is used outside its trace)');
    }
    const parentVar = this.parent!.lift(t);
    const seen = this.captured.get(parentVar.id);
    if (seen) return seen;
    const inner = new Var(parentVar.aval);
    this.captured.set(parentVar.id, inner);
    this.captures.push({ outer: new Tracer(this.parent!, parentVar), inner });
    return inner;
  }

  emit<P extends PrimName>(prim: P, inputs: readonly Tracer[], params: PrimParams[P]): Tracer[] {
    const ins = inputs.map((t) => this.lift(t));
    const rule = primTable[prim];
    const outAvals = rule.shape(
      ins.map((v) => v.aval),
      params,
    );
    const outs = outAvals.map((a) => new Var(a));
    this.eqns.push({ prim, params, inputs: ins, outputs: outs } as unknown as AnyEqn);
    return outs.map((v) => new Tracer(this, v));
  }

  /** Finishes the graph; captured values become trailing inputs. */
  build(outputs: readonly Tracer[]): Graph {
    const outs = outputs.map((t) => this.lift(t));
    return new Graph([...this.inputs, ...this.captures.map((c) => c.inner)], [...this.eqns], outs);
  }
}

let current: Builder | null = null;

export function currentBuilder(): Builder {
  if (!current) throw new TraceError('Proxima ops can only be called while tracing (inside trace(...))');
  return current;
}

export function hasBuilder(): boolean {
  return current !== null;
}

export function withBuilder<T>(b: Builder, fn: () => T): T {
  const prev = current;
  current = b;
  try {
    return fn();
  } finally {
    current = prev;
  }
}

export interface SubTrace {
  graph: Graph;
  /** Tracers of the enclosing builder, one per trailing capture input of `graph`. */
  captures: Tracer[];
}

/** Traces `fn` on fresh inputs of the given avals, nested in the current builder if any. */
export function traceSub(fn: (...args: Tracer[]) => Tracer | Tracer[], avals: readonly AVal[]): SubTrace {
  const b = new Builder(current);
  const graph = withBuilder(b, () => {
    const args = avals.map((a) => b.addInput(a));
    const out = fn(...args);
    return b.build(Array.isArray(out) ? out : [out]);
  });
  return { graph, captures: b.captures.map((c) => c.outer) };
}

/** Emits a closed graph's equations into the current builder; returns its outputs. */
export function inline(graph: Graph, inputs: readonly Tracer[]): Tracer[] {
  const b = currentBuilder();
  if (inputs.length !== graph.inputs.length) {
    throw new TraceError(`inline: graph takes ${graph.inputs.length} inputs, got ${inputs.length}`);
  }
  const env = new Map<number, Tracer>();
  graph.inputs.forEach((v, i) => env.set(v.id, inputs[i]!));
  const get = (v: Var): Tracer => {
    const t = env.get(v.id);
    if (!t) throw new TraceError(`inline: variable ${v.id} used before definition`);
    return t;
  };
  for (const e of graph.eqns) {
    const outs = b.emit(e.prim, e.inputs.map(get), e.params);
    e.outputs.forEach((v, i) => env.set(v.id, outs[i]!));
  }
  return graph.outputs.map(get);
}
