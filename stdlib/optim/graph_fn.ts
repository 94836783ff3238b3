// Host access to graph-built functions: a function written with the runtime's tracing ops is
// traced once per input signature and then run on the float64 `ref` backend from plain
// Float64Arrays. This is how the host-side solver loops use the prox operators and update rules
// of stdlib (one definition per rule: the graph), and how tests call them.

import { trace, runRef, type Graph, type DType } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/index.js';
import type { RefArray } from '../../runtime/index.js';

export type GraphFn = (...xs: Tracer[]) => Tracer | Tracer[];

/** A signature entry: a shape, or a shape with a dtype (float64 unless said). */
export type Sig = readonly number[] | { shape: readonly number[]; dtype: DType };

export type HostIn = ArrayLike<number> | number;

/**
 * Where a traced graph runs: given the graph, a function from host arrays (the graph's inputs, in
 * order) to its outputs as Float64Arrays. Omitted: float64 `ref` (runRef). The compiler passes
 * `backendRunner(name)` (stdlib/optim/backend_runner.ts) to run on the program's backend.
 */
export type GraphRunner = (graph: Graph) => (inputs: RefArray[]) => Float64Array[];

export interface HostFn {
  readonly graph: Graph;
  /** Runs on ref; every output comes back as a Float64Array. */
  (...inputs: HostIn[]): Float64Array[];
}

const shapeOf = (s: Sig) => (Array.isArray(s) ? (s as readonly number[]) : (s as { shape: readonly number[] }).shape);
const dtypeOf = (s: Sig): DType => (Array.isArray(s) ? 'float64' : (s as { dtype: DType }).dtype);

/** Traces `f` once on the signature and returns a host function running it on `ref` (or on `runner`'s backend). */
export function hostFn(f: GraphFn, sig: readonly Sig[], runner?: GraphRunner): HostFn {
  const graph = trace(
    f,
    sig.map((s) => ({ shape: shapeOf(s), dtype: dtypeOf(s) })),
  );
  const ins = graph.inputs.map((v) => v.aval);
  const exec = runner
    ? runner(graph)
    : (arrs: RefArray[]) =>
        runRef(graph, arrs).map((o) => (o.data instanceof Float64Array ? o.data : Float64Array.from(o.data)));
  const run = (...inputs: HostIn[]): Float64Array[] => {
    const arrs: RefArray[] = inputs.map((x, i) => {
      const a = ins[i]!;
      const vals = typeof x === 'number' ? [x] : x;
      const data =
        a.dtype === 'int32'
          ? Int32Array.from(vals)
          : a.dtype === 'bool'
            ? Uint8Array.from(vals)
            : vals instanceof Float64Array
              ? vals
              : Float64Array.from(vals);
      return { data, shape: a.shape };
    });
    return exec(arrs);
  };
  return Object.assign(run, { graph }) as HostFn;
}

/** A small cache of host functions keyed by a caller-chosen string (rule name, options, shapes). */
export class HostFnCache {
  private readonly m = new Map<string, HostFn>();
  get(key: string, make: () => HostFn): HostFn {
    let f = this.m.get(key);
    if (!f) {
      f = make();
      if (this.m.size > 256) this.m.clear();
      this.m.set(key, f);
    }
    return f;
  }
}
