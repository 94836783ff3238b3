// Constrained solvers on the Hock-Schittkowski set: the augmented Lagrangian on all eight, and
// sketch_newton on the equality-only ones, each to |f - f*| <= 1e-6 max(1, |f*|) and a largest
// violation <= 1e-6; statuses (infeasible), the HS21 start projection warning, and resume.
import { describe, expect, it } from 'vitest';
import { ops as P } from '../../runtime/index.js';
import { graphProblem, solve, type Problem, type RunHooks } from '../../stdlib/index.js';
import { hsCases, hsProblem } from './hs_problems.js';

const ok = (f: number, fStar: number) => Math.abs(f - fStar) <= 1e-6 * Math.max(1, Math.abs(fStar));
const augLag = (p: Problem, x0: number[], o: Record<string, number> = {}, hooks: RunHooks = {}) =>
  solve(p, Float64Array.from(x0), { method: 'auglag', ...o }, hooks);
const viol = (r: { diagnostics: Record<string, unknown> }) => r.diagnostics.max_violation as number;

describe('augmented Lagrangian on Hock-Schittkowski', () => {
  it.each(hsCases.map((c) => [c.id, c] as const))('HS%i', (_id, c) => {
    const r = augLag(hsProblem(c), c.x0, { tol: 1e-9, tol_feas: 1e-9 });
    expect(r.status).toBe('converged');
    expect(ok(r.f, c.fStar)).toBe(true);
    expect(viol(r)).toBeLessThanOrEqual(1e-6);
    for (let i = 0; i < c.xStar.length; i++) expect(Math.abs(r.x[i]! - c.xStar[i]!)).toBeLessThan(1e-5);
    console.log(
      `HS${c.id} auglag: |f-f*| ${Math.abs(r.f - c.fStar).toExponential(1)}, viol ${viol(r).toExponential(1)}, kkt ${r.measure.toExponential(1)}, outer ${r.steps}, inner ${r.diagnostics.inner_iterations as number}`,
    );
  });

  it('HS21 starts outside its bounds: projected with a warning', () => {
    const c = hsCases.find((h) => h.id === 21)!;
    const r = augLag(hsProblem(c), c.x0);
    expect(r.warnings).toEqual([expect.stringContaining('outside the bounds at x[0] = -1')]);
  });

  it('reports infeasible constraints', () => {
    const p = graphProblem({
      n: 2,
      f: (x) => P.sumsq(x),
      eq: (x) => P.stack([P.sub(P.index(x, 0), 1), P.sub(P.index(x, 0), 2)]),
    });
    const r = augLag(p, [0, 0], { steps: 60 });
    expect(r.status).toBe('infeasible');
  });

  it('resumes bit-identically from an outer-iteration checkpoint', () => {
    const c = hsCases.find((h) => h.id === 71)!;
    const full = augLag(hsProblem(c), c.x0, { tol: 1e-9, tol_feas: 1e-9 });
    let saved: unknown = null;
    augLag(
      hsProblem(c),
      c.x0,
      { tol: 1e-9, tol_feas: 1e-9, steps: 3 },
      { checkpointEvery: 1, saveCheckpoint: (s) => (saved = JSON.parse(JSON.stringify(s))) },
    );
    const res = augLag(hsProblem(c), c.x0, { tol: 1e-9, tol_feas: 1e-9 }, { resume: saved as never });
    expect(Array.from(res.x)).toEqual(Array.from(full.x));
  });
});

describe('sketch_newton on the equality-only problems', () => {
  it.each(hsCases.filter((c) => c.equalityOnly).map((c) => [c.id, c] as const))('HS%i', (_id, c) => {
    for (const sketch of ['kaczmarz', 'gaussian'] as const) {
      const r = solve(hsProblem(c), Float64Array.from(c.x0), { method: 'sketch_newton', tol: 1e-10, sketch });
      expect(r.status).toBe('converged');
      expect(ok(r.f, c.fStar)).toBe(true);
      expect(viol(r)).toBeLessThanOrEqual(1e-6);
      expect(r.diagnostics.sketch_iterations as number).toBeGreaterThan(0);
      console.log(
        `HS${c.id} sketch_newton/${sketch}: |f-f*| ${Math.abs(r.f - c.fStar).toExponential(1)}, viol ${viol(r).toExponential(1)}, iters ${r.steps}, sketch iters ${r.diagnostics.sketch_iterations as number}`,
      );
    }
  });
});
