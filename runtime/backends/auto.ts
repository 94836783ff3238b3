// The `auto` backend choice: a cost model over the graph, one row of coefficients per backend:
// a cost per kernel dispatch, per element of elementwise-like work and per matmul-like flop.
// The float64 ref interpreter pays per element; the js backend's generated loops pay almost
// nothing per dispatch and little per element; tfjs wasm/cpu pay a fixed cost per dispatch;
// the GPU backends pay a costly dispatch and read-back and are very fast per element.
// The coefficients are a least-squares fit to bench/auto_crossover.ts on the benchmark machine
// (CPU time per call, docs/benchmarks.md); only their ratios matter for the choice.

import type { AnyEqn, Graph } from '../ir/graph.js';
import { sizeOf } from '../ir/types.js';
import type { BackendName } from './types.js';

/** Seconds per call, per dispatch and per unit of work, per backend. */
export interface CostCoefficients {
  /** Fixed cost of one call: on a GPU, waiting for the results to come back (a pipeline stall). */
  call: number;
  dispatch: number;
  elementwise: number;
  flop: number;
}

/**
 * The GPU rows are typical figures for a discrete GPU in Chromium (a kernel launch of tens of
 * microseconds, a synchronous read-back of about a millisecond, hundreds of GFLOP/s), not yet
 * measured on one: `bench/gpu.ts` measures them on the machine it runs on and prints the row to
 * put here (docs/benchmarks.md). A GPU backend is a candidate only once it is initialized.
 */
export const COSTS: Record<BackendName, CostCoefficients> = {
  ref: { call: 0, dispatch: 2.3e-6, elementwise: 6.7e-9, flop: 1.0e-9 },
  js: { call: 0, dispatch: 0.05e-6, elementwise: 0.4e-9, flop: 0.27e-9 },
  wasm: { call: 0, dispatch: 4.6e-6, elementwise: 1.9e-9, flop: 0.32e-9 },
  cpu: { call: 0, dispatch: 2.8e-6, elementwise: 1e-9, flop: 1.3e-9 },
  webgl: { call: 1e-3, dispatch: 30e-6, elementwise: 0.05e-9, flop: 0.005e-9 },
  webgpu: { call: 0.5e-3, dispatch: 15e-6, elementwise: 0.03e-9, flop: 0.003e-9 },
};

/**
 * The backend a program runs on under `auto`: float64 `js` unless a float32 tfjs backend among
 * `available` is estimated at least 3x faster per call (float64 results and no module to load
 * are worth that much).
 */
export function chooseExact(g: Graph, available: readonly BackendName[]): BackendName {
  const js = estimateCost(g, 'js');
  const best = chooseBackend(g, available);
  return best === 'js' || best === 'ref' || estimateCost(g, best) * 3 > js ? 'js' : best;
}

/** Work of one equation: [elementwise-like element count, matmul-like flops, dispatches]. */
function work(e: AnyEqn): [number, number, number] {
  const out = e.outputs.reduce((s, v) => s + sizeOf(v.aval.shape), 0);
  const inp = e.inputs.reduce((s, v) => s + sizeOf(v.aval.shape), 0);
  switch (e.prim) {
    case 'matmul': {
      const a = e.inputs[0]!.aval.shape;
      const k = e.params.transA ? a[a.length - 2]! : a[a.length - 1]!;
      return [0, 2 * out * k, 1];
    }
    case 'cholesky':
    case 'triangular_solve':
    case 'eigh':
    case 'svd': {
      const n = e.inputs[0]!.aval.shape.at(-1) ?? 1;
      return [0, inp * n * (e.prim === 'eigh' || e.prim === 'svd' ? 10 : 1), 1];
    }
    case 'scan': {
      const [el, fl, d] = graphWork(e.params.body);
      return [el * e.params.length, fl * e.params.length, d * e.params.length];
    }
    case 'fixed_point':
    case 'while_loop': {
      // Unknown trip counts: assume a modest number of iterations.
      const [el, fl, d] = graphWork(e.params.body);
      return [el * 20, fl * 20, d * 20];
    }
    case 'custom_vjp':
      return graphWork(e.params.fun);
    default:
      return [Math.max(out, inp), 0, 1];
  }
}

export function graphWork(g: Graph): [number, number, number] {
  let el = 0,
    fl = 0,
    d = 0;
  for (const e of g.eqns) {
    const [a, b, c] = work(e);
    el += a;
    fl += b;
    d += c;
  }
  return [el, fl, d];
}

/** Estimated seconds per call of `g` on a backend. */
export function estimateCost(g: Graph, backend: BackendName): number {
  const [el, fl, d] = graphWork(g);
  const c = COSTS[backend];
  return c.call + d * c.dispatch + el * c.elementwise + fl * c.flop;
}

/** The cheapest backend among those available. */
export function chooseBackend(g: Graph, available: readonly BackendName[]): BackendName {
  let best: BackendName = 'ref';
  let bestCost = Infinity;
  for (const b of available) {
    const c = estimateCost(g, b);
    if (c < bestCost) {
      bestCost = c;
      best = b;
    }
  }
  return best;
}
