// Random expression graphs (values and reverse-mode gradients) on tfjs cpu and wasm against ref
// (the generator is in conformance_cases.ts; the browser suite runs the same graphs on webgl and
// webgpu, where their elementwise chains become fused shaders).

import { describe, it, beforeAll } from 'vitest';
import { initBackend } from '../../runtime/backends/index.js';
import { checkBackends } from './tfjs_support.js';
import { randomGraphCase } from './conformance_cases.js';

beforeAll(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
}, 60_000);

describe('random graphs on tfjs agree with ref', () => {
  for (let seed = 1; seed <= 24; seed++) {
    it(`graph ${seed}: value and gradients`, async () => {
      const { graph, inputs } = randomGraphCase(seed);
      await checkBackends(graph, inputs, `graph ${seed}`);
    });
  }
});
