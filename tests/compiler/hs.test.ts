// The Hock-Schittkowski problems of the optimization issue as users write them
// (examples/hs/hsN.opt), compiled and run end to end through the library API on float64 `ref`:
// the augmented Lagrangian (the automatic choice) for all eight, and sketch_newton (named by a
// `solve` line) for the equality-only ones with both sketches. Required:
// |f - f*| <= 1e-6 max(1, |f*|) and a maximum violation <= 1e-6. Also: multipliers keyed by
// constraint label (else index), the projected-start warning of HS21, and the real CLI.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, run } from '../../index.js';

export const HS: { n: number; fStar: number; xStar: number[]; eqOnly: boolean }[] = [
  { n: 6, fStar: 0, xStar: [1, 1], eqOnly: true },
  { n: 7, fStar: -Math.sqrt(3), xStar: [0, Math.sqrt(3)], eqOnly: true },
  { n: 14, fStar: 9 - 2.875 * Math.sqrt(7), xStar: [(Math.sqrt(7) - 1) / 2, (Math.sqrt(7) + 1) / 4], eqOnly: false },
  { n: 21, fStar: -99.96, xStar: [2, 0], eqOnly: false },
  { n: 28, fStar: 0, xStar: [0.5, -0.5, 0.5], eqOnly: true },
  { n: 35, fStar: 1 / 9, xStar: [4 / 3, 7 / 9, 4 / 9], eqOnly: false },
  { n: 48, fStar: 0, xStar: [1, 1, 1, 1, 1], eqOnly: true },
  { n: 71, fStar: 17.0140173, xStar: [1, 4.7429994, 3.8211503, 1.3794082], eqOnly: false },
];

const file = (n: number) => `examples/hs/hs${n}.opt`;
const relErr = (f: number, fStar: number) => Math.abs(f - fStar) / Math.max(1, Math.abs(fStar));

describe('Hock-Schittkowski through the compiler (float64)', () => {
  it.each(HS)('HS$n: the augmented Lagrangian reaches f* and feasibility', async ({ n, fStar, xStar }) => {
    expect(check(file(n)).algorithm!.name).toBe('auglag');
    const r = await run(file(n), { backend: 'ref' });
    expect(r.status).toBe('converged');
    expect(r.backend).toBe('ref');
    expect(r.options.method).toBe('auglag');
    expect(relErr(r.objective!, fStar)).toBeLessThanOrEqual(1e-6);
    expect(r.diagnostics.max_violation as number).toBeLessThanOrEqual(1e-6);
    expect(r.diagnostics.kkt as number).toBeLessThanOrEqual(1e-6);
    (r.values.x as number[]).forEach((v, i) => expect(Math.abs(v - xStar[i]!)).toBeLessThan(1e-4));
  });

  it.each(HS.filter((h) => h.eqOnly).flatMap((h) => ['kaczmarz', 'gaussian'].map((sketch) => ({ ...h, sketch }))))(
    'HS$n: sketch_newton ($sketch) reaches f* and feasibility',
    async ({ n, fStar, sketch }) => {
      const source =
        readFileSync(file(n), 'utf8').replace(/^solve .*$/m, '') +
        `\nsolve sketch_newton(sketch = ${sketch}, tol = 1e-10)\n`;
      const r = await run({ source, file: file(n) }, { backend: 'ref' });
      expect(r.status).toBe('converged');
      expect(r.options).toMatchObject({ method: 'sketch_newton', sketch });
      expect(relErr(r.objective!, fStar)).toBeLessThanOrEqual(1e-6);
      expect(r.diagnostics.max_violation as number).toBeLessThanOrEqual(1e-6);
      expect(r.diagnostics.sketch_iterations as number).toBeGreaterThan(0);
    },
  );

  it('multipliers are keyed by constraint label, else by index as written', async () => {
    const hs7 = await run(file(7));
    // grad f = lambda grad c at x* = (0, sqrt 3): -1 = lambda * 2 sqrt 3.
    expect(hs7.diagnostics.multipliers).toEqual({ circle: expect.closeTo(-1 / (2 * Math.sqrt(3)), 7) });
    const hs14 = await run(file(14));
    expect(Object.keys(hs14.diagnostics.multipliers as object)).toEqual(['line', 'ellipse']);
    expect((hs14.diagnostics.multipliers as Record<string, number>).ellipse).toBeGreaterThan(0);
    const hs21 = await run(file(21));
    // 10 x0 - x1 - 10 >= 0 is inactive; the lower bound x0 >= 2 holds x0 with multiplier 0.02 x0 * 2 = 0.04.
    expect(hs21.diagnostics.multipliers).toEqual({ 0: 0, 1: expect.closeTo(0.04, 9), 2: 0 });
    const hs71 = await run(file(71));
    expect(Object.keys(hs71.diagnostics.multipliers as object).sort()).toEqual(['product', 'sphere', 'x (domain)']);
  });

  it('HS21 starts outside its bounds: the start is projected, with a warning at the start', async () => {
    const r = await run(file(21));
    const w = r.messages.filter((m) => m.severity === 'warning');
    expect(w).toHaveLength(1);
    expect(w[0]!.message).toBe(
      'the start lies outside the bounds at x[0] = -1 (below its lower bound 2); projected onto them',
    );
    expect(w[0]!.line).toBe(4);
  });

  it('through the real CLI: hs7 as JSON, exit 0', () => {
    const bin = join(import.meta.dirname, '../../cli/proxima.js');
    const p = spawnSync(process.execPath, [bin, 'run', file(7), '--json'], { encoding: 'utf8', timeout: 60_000 });
    expect(p.status).toBe(0);
    const r = JSON.parse(p.stdout);
    expect(r.status).toBe('converged');
    expect(relErr(r.objective, -Math.sqrt(3))).toBeLessThan(1e-6);
    expect(Object.keys(r.diagnostics.multipliers)).toEqual(['circle']);
  });
});
