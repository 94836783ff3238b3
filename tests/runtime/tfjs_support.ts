// Shared by the tfjs tests: deterministic inputs of a given kind, the float32 agreement check
// against ref (|error| <= 1e-4 + 1e-3 |value|), and running one graph on ref, cpu and wasm.

import { expect } from 'vitest';
import type { Graph } from '../../runtime/ir/graph.js';
import { sizeOf, type AVal } from '../../runtime/ir/types.js';
import { compile } from '../../runtime/backends/index.js';
import type { HostArray } from '../../runtime/backends/types.js';

export type Gen = 'normal' | 'pos' | 'int' | 'nonzeroInt' | 'bool' | 'key' | 'offgrid' | { idx: number };

export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

export function makeInput(a: AVal, gen: Gen, r: () => number): HostArray {
  const n = sizeOf(a.shape);
  const f = (): number => {
    if (typeof gen === 'object') return Math.floor(r() * gen.idx);
    switch (gen) {
      case 'normal':
        return r() * 4 - 2;
      case 'pos':
        return 0.5 + r() * 2.5;
      case 'int':
        return Math.floor(r() * 11) - 5;
      case 'nonzeroInt': {
        const v = Math.floor(r() * 9) + 1;
        return r() < 0.5 ? -v : v;
      }
      case 'bool':
        return r() < 0.5 ? 1 : 0;
      case 'key':
        return Math.floor(r() * 1000);
      case 'offgrid':
        return Math.floor(r() * 8) - 4 + 0.25 + r() * 0.5;
    }
  };
  const vals = Array.from({ length: n }, f);
  const data =
    a.dtype === 'int32'
      ? Int32Array.from(vals)
      : a.dtype === 'bool'
        ? Uint8Array.from(vals)
        : a.dtype === 'float32'
          ? Float32Array.from(vals)
          : Float64Array.from(vals);
  return { data, shape: a.shape };
}

export function expectAgree(actual: HostArray, expected: HostArray, what: string): void {
  expect(actual.shape, `${what}: shape`).toEqual(expected.shape);
  expect(actual.data.length, `${what}: length`).toBe(expected.data.length);
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i]!,
      a = actual.data[i]!;
    if (Number.isNaN(e)) {
      expect(Number.isNaN(a), `${what}[${i}]: expected NaN, got ${a}`).toBe(true);
      continue;
    }
    if (e === a) continue;
    const err = Math.abs(a - e);
    if (!(err <= 1e-4 + 1e-3 * Math.abs(e))) expect.fail(`${what}[${i}]: ${a} vs ref ${e} (|error| ${err})`);
  }
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
