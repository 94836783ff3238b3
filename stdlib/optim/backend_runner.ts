// A GraphRunner on one of the runtime's backends: each traced graph is compiled once with
// `compileSync` (the backend must be initialized: `await initBackend(name)` first) and run from
// host arrays. Constants in the graph (a program's data) live in the plan's constant stage, so
// they are uploaded and preprocessed once per graph, not per call. Outputs come back as
// Float64Arrays (widened from float32 on the tfjs backends). `ref` gives undefined: hostFn's
// own float64 path (runRef), so float64 results do not change with this seam.

import { compileSync, type BackendName } from '../../runtime/index.js';
import type { GraphRunner } from './graph_fn.js';

export function backendRunner(backend: BackendName): GraphRunner | undefined {
  if (backend === 'ref') return undefined;
  return (graph) => {
    const exe = compileSync(graph, { backend });
    return (inputs) =>
      exe
        .run(inputs.map((a) => ({ data: a.data, shape: a.shape })))
        .map((o) => (o.data instanceof Float64Array ? o.data : Float64Array.from(o.data)));
  };
}
