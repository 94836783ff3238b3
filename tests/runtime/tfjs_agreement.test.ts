// The whole primitive table on tfjs cpu and wasm against the float64 ref backend: one row per
// primitive (the test fails when a primitive has no row), each a tiny graph exercising it. The
// rows live in conformance_cases.ts; the browser suite runs the same rows on webgl and webgpu.

import { describe, it, expect, beforeAll } from 'vitest';
import { primNames } from '../../runtime/index.js';
import { initBackend } from '../../runtime/backends/index.js';
import { checkBackends } from './tfjs_support.js';
import { PRIM_ROWS, rowCase } from './conformance_cases.js';

beforeAll(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
}, 60_000);

describe('the primitive table on tfjs cpu and wasm agrees with ref', () => {
  it('has one row per primitive', () => {
    expect(Object.keys(PRIM_ROWS).sort()).toEqual([...primNames].sort());
  });
  for (const name of Object.keys(PRIM_ROWS)) {
    it(name, async () => {
      const { graph, inputs } = rowCase(name);
      await checkBackends(graph, inputs, name);
    });
  }
});
