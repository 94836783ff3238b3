// Conformance in a real browser: headless Chromium (Debian's, via playwright-core) with WebGL 2
// and WebGPU on SwiftShader. Every primitive-table row runs on webgl and webgpu, fused and
// unfused, and agrees with the float64 ref backend within the float32 tolerance; three `.opt`
// programs (an optimization, a prox method, variational inference) run through the library's
// run() in the page and agree with ref.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { openWorkerPage, type TestPage } from './browser_support.js';
import type { ProgramCase, RowReport } from './conformance_worker.js';
import type { RunResult } from '../../index.js';
import { PRIM_ROWS } from '../runtime/conformance_cases.js';

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

describe.each(GPU)('random graphs (values and gradients) on %s agree with ref', (backend) => {
  const N = 4;
  let reports: RowReport[] = [];
  beforeAll(async () => {
    reports = await page.call<RowReport[]>('graphs', backend, N);
  }, 300_000);
  for (let i = 1; i <= N; i++) {
    it(`graph ${i}`, () => {
      const r = reports.find((x) => x.name === `graph ${i}`)!;
      expect(r.errors, r.errors.join('\n')).toEqual([]);
    });
  }
});

// Whole programs through the library's run() in the browser, against ref in the same worker. The
// step budgets are cut so SwiftShader finishes quickly; both backends run the same steps from the
// same seed (the random draws are identical bits on every backend), so the float32 results stay
// close to float64 ones.
const example = (name: string) => ({
  file: `examples/${name}.opt`,
  source: readFileSync(`examples/${name}.opt`, 'utf8'),
  data: JSON.parse(readFileSync(`examples/${name}.json`, 'utf8')) as Record<string, unknown>,
});
const programs: (ProgramCase & { tol: number; value: (r: RunResult) => number[] })[] = [
  {
    name: 'an optimization (quickstart: logistic regression, L-BFGS)',
    ...example('quickstart'),
    steps: 30,
    tol: 2e-3,
    value: (r) => [...(r.values.w as number[]), r.values.b as number],
  },
  {
    name: 'a prox method (lasso: FISTA)',
    ...example('lasso'),
    steps: 25,
    tol: 2e-3,
    value: (r) => r.values.x as number[],
  },
  {
    name: 'variational inference (normal_mean: mean-field ELBO, Adam)',
    ...example('normal_mean'),
    steps: 20,
    draws: 50,
    tol: 2e-3,
    value: (r) => Object.values(r.posterior!).flatMap((p) => [p.mean].flat(2) as number[]),
  },
];

const refs: Record<string, RunResult> = {};
describe.each(GPU)('.opt programs on %s agree with ref', (backend) => {
  for (const c of programs) {
    it(
      c.name,
      async () => {
        const { tol, value, ...wire } = c;
        const ref = (refs[c.name] ??= await page.call<RunResult>('program', wire, 'ref'));
        const got = await page.call<RunResult>('program', wire, backend);
        expect(ref.status, JSON.stringify(ref.messages)).not.toBe('error');
        expect(got.status, JSON.stringify(got.messages)).not.toBe('error');
        expect(got.backend).toBe(backend);
        const a = value(got),
          e = value(ref);
        expect(a.length).toBe(e.length);
        const worst = Math.max(...a.map((v, i) => Math.abs(v - e[i]!) / (1 + Math.abs(e[i]!))));
        expect(worst, `largest relative difference from ref: ${worst}`).toBeLessThan(tol);
      },
      180_000,
    );
  }
});
