// Expressions of a compiled program evaluated at a point: every var and param at a given value
// (constrained, as a result's `values` holds them), the data bound. The REPL's bare expressions
// and its :graph, :grad and :time, and a template's grad(), are made of these. A point graph
// takes one input per var and param (the layout's order) and then the data inputs; a gradient
// is taken with respect to one var's or param's value with the others held fixed. Discrete
// latents are 0 (their values are draws, not a point).

import type { Expr } from '../../grammar/index.js';
import { ops as P, printGraph, simplify, trace, valueAndGrad, type Graph, type Tracer } from '../../runtime/index.js';
import { CompileError } from '../messages.js';
import { LowerError } from '../lower/lower.js';
import type { CompiledProgram } from '../compile.js';
import type { DataArray } from '../front/data_binding.js';
import type { Env, Lowerer } from '../lower/lower.js';
import { prepare, type BackendChoice } from '../running/backend_seam.js';

/** The value of each var and param, flat row-major, by name. */
export type Point = ReadonlyMap<string, Float64Array>;

/** What to evaluate: an expression of the program, or a piece built from the lowering scope. */
export type PointTarget = Expr | ((env: Env, low: Lowerer) => Tracer);

export interface PointValue {
  value: DataArray;
  /** d value / d wrt, in wrt's shape (when asked). */
  grad?: DataArray;
}

/** The graph of `target` over (each var and param, ...data); with `wrt`, also its gradient. */
export function pointGraph(c: CompiledProgram, target: PointTarget, wrt?: string): Graph {
  const { kit, layout } = c.internals;
  const entries = layout.entries;
  const k = wrt === undefined ? -1 : entries.findIndex((e) => e.name === wrt);
  if (wrt !== undefined && k < 0) throw new Error(`\`${wrt}\` is not a var or param of the program`);
  const specs = [...entries.map((e) => e.shape), ...kit.specs.slice(1)];
  const evaluate = (vals: Tracer[], data: Tracer[], real: boolean): Tracer => {
    const { env, low } = kit.setup(data);
    entries.forEach((e, i) => env.set(e.name, { kind: 'value', v: vals[i]! }));
    for (const l of kit.latentShapes(env, low)) env.set(l.name, { kind: 'value', v: P.zeros(l.shape) });
    kit.bindLets(env, low);
    if (typeof target === 'function') return target(env, low);
    const v = low.expr(target, env);
    return real ? low.real(v, target.span) : low.tensor(v, target.span);
  };
  try {
    return traceTarget(specs, entries.length, k, evaluate);
  } catch (e) {
    // A construct that checks but has no value here (a range, a distribution) is the user's error.
    if (e instanceof LowerError) throw new CompileError([{ severity: 'error', message: e.message, span: e.span }]);
    throw e;
  }
}

function traceTarget(
  specs: (number[] | { shape: number[]; dtype: 'float64' | 'int32' | 'bool' })[],
  nv: number,
  k: number,
  evaluate: (vals: Tracer[], data: Tracer[], real: boolean) => Tracer,
): Graph {
  return simplify(
    trace((...ins: Tracer[]) => {
      const vals = ins.slice(0, nv);
      const data = ins.slice(nv);
      if (k < 0) return [evaluate(vals, data, false)];
      // Lets are bound per scope, so the differentiated function builds its own scope around x.
      const [v, [g]] = valueAndGrad((x: Tracer) =>
        evaluate([...vals.slice(0, k), x, ...vals.slice(k + 1)], data, true),
      )(vals[k]!);
      return [v, g!];
    }, specs),
  );
}

/** Runs a point graph at `at` (missing names: zeros) on `backend`. */
export async function evaluateAt(
  c: CompiledProgram,
  graph: Graph,
  at: Point,
  backend: BackendChoice = 'ref',
): Promise<PointValue> {
  const entries = c.internals.layout.entries;
  const exe = await prepare(graph, backend, entries.length, c.internals.dataArrays);
  try {
    const outs = exe.run(entries.map((e) => ({ data: at.get(e.name) ?? new Float64Array(e.size), shape: e.shape })));
    const copy = (o: { data: ArrayLike<number>; shape: readonly number[] }): DataArray => ({
      data: o.data instanceof Int32Array || o.data instanceof Uint8Array ? o.data : Float64Array.from(o.data),
      shape: [...o.shape],
    });
    return outs.length > 1 ? { value: copy(outs[0]!), grad: copy(outs[1]!) } : { value: copy(outs[0]!) };
  } finally {
    exe.dispose();
  }
}

/** The program's start point (`start` values, else the seeded draw), as a Point. */
export function startPoint(c: CompiledProgram, seed = c.seed): Map<string, Float64Array> {
  return pointOf(c, c.valuesAt(c.initialPoint(seed)));
}

/** Nested values by name (a result's `values`) as a Point; entries that are missing or null stay out. */
export function pointOf(c: CompiledProgram, values: Readonly<Record<string, unknown>>): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const e of c.internals.layout.entries) {
    const v = values[e.name];
    if (v === undefined) continue;
    const flat = (Array.isArray(v) ? (v as unknown[]).flat(Infinity) : [v]) as (number | null)[];
    if (flat.length !== e.size || flat.some((x) => typeof x !== 'number')) continue;
    out.set(e.name, Float64Array.from(flat as number[]));
  }
  return out;
}

/** A point graph as text: the runtime's printer under a header naming the inputs. */
export function pointGraphText(c: CompiledProgram, graph: Graph): string {
  const entries = c.internals.layout.entries.map((e) => `${e.name} (${e.kind})`);
  const inputs = [...entries, ...c.graphs.dataInputs.map((d) => `${d} (data)`)];
  return `// inputs: ${inputs.join(', ') || 'none'}\n${printGraph(graph)}\n`;
}
