// The seam between compiled graphs and the runtime's backends. A program's graphs take the
// decision vector first and the data arrays after it; the data are bound once as the plan's
// data inputs, so everything that depends only on data (preprocessing) runs once per binding,
// in the plan's data stage, and each solver step runs only the step stage. Nothing else in the
// compiler names a backend.

import { chooseExact, compile as compileGraph, type BackendName, type Executable } from '../../runtime/index.js';
import type { Graph } from '../../runtime/index.js';
import type { DataArray } from '../front/data_binding.js';

export const BACKENDS = ['auto', 'ref', 'js', 'cpu', 'wasm', 'webgl', 'webgpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

export function isBackend(name: string): name is BackendChoice {
  return (BACKENDS as readonly string[]).includes(name);
}

/** Compiles `graph` whose first `numStep` inputs change per call and whose rest are `data`. */
export async function prepare(
  graph: Graph,
  backend: BackendChoice,
  numStep: number,
  data: readonly DataArray[],
  float64Only = false,
): Promise<Executable> {
  const dataInputs = data.map((_, i) => numStep + i);
  // Decide `auto` here, from the same cost model, so that a small problem does not pay for
  // loading a tfjs backend it will not use; `float64Only` (a tolerance float32 cannot reach)
  // leaves the float32 tfjs-wasm out of the choice.
  const chosen: BackendName = backend === 'auto' ? autoBackend(graph, float64Only) : backend;
  return compileGraph(graph, { backend: chosen, dataInputs, data: data as DataArray[] });
}

/** `auto` for a program: the runtime's exact-first choice (float64 js unless wasm is clearly faster). */
export function autoBackend(graph: Graph, float64Only = false): BackendName {
  return chooseExact(graph, float64Only ? ['js'] : ['js', 'wasm']);
}

/** Backends that compute in float32 (tfjs). */
export const FLOAT32_BACKENDS: ReadonlySet<string> = new Set(['cpu', 'wasm']);

/**
 * The smallest relative tolerance float32 evaluations reach (docs/cli.md): float32 resolves about
 * 1e-7 relative; a gradient or KKT residual summed from terms of the objective's size is resolved
 * to about 1e-6 of it. `auto` keeps a solve with a smaller `tol` (or `tol_feas`) on float64, and an
 * explicit float32 backend with one gets a warning and inner solves that ask no less.
 */
export const FLOAT32_REACH = 1e-6;

/** The tolerances of a solve's options below float32's reach, by option name. */
export function belowFloat32(options: Record<string, unknown>): [string, number][] {
  return (['tol', 'tol_feas'] as const)
    .map((k) => [k, options[k]] as [string, unknown])
    .filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0 && e[1] < FLOAT32_REACH);
}

export type { Executable, BackendName };
