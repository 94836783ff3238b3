// Shared by the tfjs tests: deterministic inputs of a given kind and the float32 agreement check
// against ref (both from conformance_cases.ts), and running one graph on ref, cpu and wasm.

import { expect } from 'vitest';
import type { Graph } from '../../runtime/ir/graph.js';
import { compile } from '../../runtime/backends/index.js';
import type { HostArray } from '../../runtime/backends/types.js';
import { disagreement } from './conformance_cases.js';

export { makeInput, seeded, type Gen } from './conformance_cases.js';

export function expectAgree(actual: HostArray, expected: HostArray, what: string): void {
  const d = disagreement(actual, expected, what);
  if (d) expect.fail(d);
}

/** Runs `g` on ref and on each tfjs backend; asserts agreement; returns the ref outputs. */
export async function checkBackends(
  g: Graph,
  inputs: HostArray[],
  what: string,
  backends: readonly ('cpu' | 'wasm')[] = ['cpu', 'wasm'],
): Promise<HostArray[]> {
  const ref = (await compile(g, { backend: 'ref' })).run(inputs);
  for (const b of backends) {
    for (const fuse of [true, false]) {
      const exe = await compile(g, { backend: b, fuse });
      const out = exe.run(inputs);
      out.forEach((o, k) => expectAgree(o, ref[k]!, `${what} on ${b}${fuse ? '' : ' (unfused)'}, output ${k}`));
      exe.dispose();
    }
  }
  return ref;
}
