// Bilevel programs through the one run path: every example under examples/bilevel runs from its
// .opt to the closed-form outer optimum (quadratic problems: x* solves
// (B'A^-2 B + lam I) x = B'A^-1 (t - A^-1 c)); the result holds the outer and inner vars and, per
// outer step, the hypergradient norm and the inner optimality residual; `check` prints the plan;
// progress, Ctrl-C and checkpoints work, and a resumed run is bit-identical.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check, run } from '../../index.js';
import { validate, type Schema } from '../compiler/json_schema.js';
import { matVec, maxAbsDiff, solve, type Mat } from './helpers.js';

const D = JSON.parse(readFileSync('examples/bilevel/quadratic.json', 'utf8')) as {
  A: Mat;
  B: Mat;
  c: number[];
  t: number[];
  lam: number;
};
const m = D.B[0]!.length;
// Columns of A^-1 B, then the normal equations of min 0.5 ||A^-1 (Bx + c) - t||^2 + 0.5 lam ||x||^2.
const AiB = Array.from({ length: m }, (_, j) =>
  solve(
    D.A,
    D.B.map((r) => r[j]!),
  ),
);
const Aic = solve(D.A, D.c);
const rhs = AiB.map((col) => col.reduce((s, v, i) => s + v * (D.t[i]! - Aic[i]!), 0));
const N = AiB.map((ci, i) => AiB.map((cj, j) => ci.reduce((s, v, k) => s + v * cj[k]!, 0) + (i === j ? D.lam : 0)));
const xStar = solve(N, rhs);
const wStar = solve(
  D.A,
  matVec(D.B, xStar).map((v, i) => v + D.c[i]!),
);

describe('bilevel programs run end to end', () => {
  it('implicit and unrolled reach the closed-form optimum; the result holds x, w and per-step diagnostics', async () => {
    for (const f of ['quadratic_implicit', 'quadratic_unrolled']) {
      const r = await run(`examples/bilevel/${f}.opt`);
      expect(r.status, f).toBe('converged');
      expect(maxAbsDiff(r.values!.x as number[], xStar), f).toBeLessThan(1e-5);
      expect(maxAbsDiff(r.values!.w as number[], wStar), f).toBeLessThan(1e-5);
      const d = r.diagnostics as Record<string, unknown> & {
        per_step: { hypergrad_norm: number[]; inner_residual: number[]; inner_steps: number[] };
      };
      expect(d.hypergrad).toBe(f.replace('quadratic_', ''));
      expect(d.per_step.hypergrad_norm.length).toBe(r.steps);
      expect(d.per_step.inner_residual.length).toBe(r.steps);
      expect(Math.max(...d.per_step.inner_residual)).toBeLessThan(1e-9);
      expect(d.hypergrad_norm).toBeLessThan(1e-6);
    }
  });

  it('penalty reaches the optimum within its O(sigma) bias', async () => {
    const r = await run('examples/bilevel/quadratic_penalty.opt');
    expect(['converged', 'stopped']).toContain(r.status);
    expect(maxAbsDiff(r.values!.x as number[], xStar)).toBeLessThan(1e-3);
  });

  it('argmax over several inner vars: b* = sum(x) and the optimum of the extended problem', async () => {
    const r = await run('examples/bilevel/two_inner_argmax.opt', { steps: 60 });
    const x = r.values!.x as number[];
    expect(Math.abs((r.values!.b as number) - x.reduce((s, v) => s + v, 0))).toBeLessThan(1e-8);
    expect(
      maxAbsDiff(
        r.values!.w as number[],
        solve(
          D.A,
          matVec(D.B, x).map((v, i) => v + D.c[i]!),
        ),
      ),
    ).toBeLessThan(1e-8);
    expect(r.objective!).toBeLessThan((await run('examples/bilevel/two_inner_argmax.opt', { steps: 1 })).objective!);
  });

  it('check prints the plan: inner method, hypergradient method and why, outer method', () => {
    const c = check('examples/bilevel/quadratic_unrolled.opt');
    expect(c.ok).toBe(true);
    expect(c.decomposition!.bilevel).toMatchObject({
      inner: ['w'],
      outer: ['x'],
      hypergrad: 'unrolled',
      inner_method: 'lbfgs',
      outer_method: 'lbfgs',
    });
    expect(c.decomposition!.bilevel!.plan).toMatch(/hypergradient unrolled \(as given: reverse mode through unrolled/);
  });

  it('progress, stop on request, and a bit-identical resume from a JSON checkpoint', async () => {
    const prog = 'examples/bilevel/ridge_implicit.opt';
    const full = await run(prog, { steps: 12 });
    const seen: number[] = [];
    const saved: unknown[] = [];
    let calls = 0;
    const part = await run(prog, {
      steps: 12,
      onProgress: (p) => seen.push(p.step),
      shouldStop: () => ++calls > 8,
      checkpoint: { every: 4, save: (s) => saved.push(JSON.parse(JSON.stringify(s))) },
    });
    expect(part.status).toBe('stopped');
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(saved.length).toBe(2);
    const resumed = await run(prog, {
      steps: 12,
      checkpoint: { every: 1000, save: () => {}, resume: saved[0] as never },
    });
    expect(resumed.steps).toBe(full.steps);
    expect(resumed.objective).toBe(full.objective);
    expect(resumed.values).toEqual(full.values);
    expect(resumed.diagnostics.per_step).toEqual(full.diagnostics.per_step);
  });

  it('an inexact inner solve or linear solve is a warning naming cause and remedy; the result fits the schema', async () => {
    const source = readFileSync('examples/bilevel/quadratic_implicit.opt', 'utf8')
      .replace('implicit(cg_steps = 50, tol = 1e-12)', 'implicit(cg_steps = 1)')
      .replace('inner = lbfgs(steps = 500, tol = 1e-12)', 'inner = lbfgs(steps = 2)');
    const r = await run({ source, file: 'examples/bilevel/inexact.opt' }, { steps: 3 });
    const warnings = r.messages.filter((m) => m.severity === 'warning').map((m) => m.message);
    expect(
      warnings.some((w) =>
        /the inner solve \(lbfgs\) missed its test at \d+ of \d+ outer evaluations \(the last: reached the step budget \(2\).*give the inner method more steps/.test(
          w,
        ),
      ),
    ).toBe(true);
    expect(warnings.some((w) => /cg_steps = 1 with relative residual .*raise cg_steps/.test(w))).toBe(true);
    expect(r.status).not.toBe('converged');
    const schema = JSON.parse(readFileSync('docs/result.schema.json', 'utf8')) as Schema;
    const defs = schema.$defs as Record<string, Schema>;
    expect(validate(schema, JSON.parse(JSON.stringify(r)), defs.runResult!)).toBeNull();
  });
});
