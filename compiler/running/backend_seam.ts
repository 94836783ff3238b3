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
): Promise<Executable> {
  const dataInputs = data.map((_, i) => numStep + i);
  // Decide `auto` here, from the same cost model, so that a small problem does not pay for
  // loading a tfjs backend it will not use.
  const chosen: BackendName = backend === 'auto' ? autoBackend(graph) : backend;
  return compileGraph(graph, { backend: chosen, dataInputs, data: data as DataArray[] });
}

/** `auto` for a program: the runtime's exact-first choice (float64 js unless wasm is clearly faster). */
export function autoBackend(graph: Graph): BackendName {
  return chooseExact(graph, ['js', 'wasm']);
}

export type { Executable, BackendName };
