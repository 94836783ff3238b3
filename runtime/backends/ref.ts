// The `ref` backend: a float64 JavaScript interpreter of the IR, the ground truth for tests and a
// fast path for small problems (no tensor dispatch). Float dtypes compute in float64; int32 and
// bool are exact. Arrays are treated as immutable, so equations may share buffers (reshape).

import type { Graph } from '../ir/graph.js';
import { sizeOf } from '../ir/types.js';
import { ruleOf } from '../prims/table.js';
import type { RefArray, RefContext } from '../prims/rule.js';

const ctx: RefContext = { run: runRef };

export function runRef(graph: Graph, inputs: readonly RefArray[]): RefArray[] {
  if (inputs.length !== graph.inputs.length) {
    throw new Error(`ref: graph takes ${graph.inputs.length} inputs, got ${inputs.length}`);
  }
  const env = new Map<number, RefArray>();
  graph.inputs.forEach((v, i) => {
    const x = inputs[i]!;
    if (x.data.length !== sizeOf(v.aval.shape)) {
      throw new Error(`ref: input ${i} has ${x.data.length} values, expected shape [${v.aval.shape}]`);
    }
    env.set(v.id, x);
  });
  for (const e of graph.eqns) {
    const ins = e.inputs.map((v) => env.get(v.id)!);
    const rule = ruleOf(e.prim);
    const outs = rule.ref(
      ins,
      e.params,
      e.outputs.map((v) => v.aval),
      ctx,
    );
    e.outputs.forEach((v, i) => env.set(v.id, outs[i]!));
  }
  return graph.outputs.map((v) => env.get(v.id)!);
}
