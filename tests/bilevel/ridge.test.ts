// Ridge regression with one penalty per feature (d = 20, examples/bilevel/ridge_implicit.opt):
// implicit's hypergradient matches the closed-form derivative of the ridge solution to 1e-6, and
// the bilevel run (from the .opt, through the one run path) lowers the validation loss below the
// best single shared penalty (a grid of step 0.05 over log lambda in [-20, 4], each solved in closed form).
// Closed form: w(lam) = H^-1 X'y / n, H = X'X / n + diag(lam); with F = mean((Xva w - yva)^2),
// dF/dlog_lam_i = -lam_i w_i (H^-1 grad_w F)_i.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run } from '../../index.js';
import { hypergradAt, kitOf, matVec, maxAbsDiff, normInf, solve, tMatVec, type Mat } from './helpers.js';

const D = JSON.parse(readFileSync('examples/bilevel/ridge.json', 'utf8')) as {
  Xtr: Mat;
  ytr: number[];
  Xva: Mat;
  yva: number[];
};
const d = 20;
const n = D.Xtr.length;

function ridge(lam: number[]) {
  const H = Array.from({ length: d }, (_, i) =>
    Array.from({ length: d }, (_, j) => D.Xtr.reduce((s, r) => s + r[i]! * r[j]!, 0) / n + (i === j ? lam[i]! : 0)),
  );
  const w = solve(
    H,
    tMatVec(D.Xtr, D.ytr).map((v) => v / n),
  );
  const res = matVec(D.Xva, w).map((v, i) => v - D.yva[i]!);
  const loss = res.reduce((s, v) => s + v * v, 0) / res.length;
  return { H, w, res, loss };
}

describe('bilevel: ridge with one penalty per feature', () => {
  it("implicit's hypergradient matches the closed-form derivative to 1e-6", async () => {
    const { kit } = await kitOf('examples/bilevel/ridge_implicit.opt', { method: 'lbfgs', steps: 500, tol: 1e-13 });
    const logLam = Array.from({ length: d }, (_, i) => -2 + 0.15 * i);
    const lam = logLam.map(Math.exp);
    const { H, w, res } = ridge(lam);
    const gF = tMatVec(D.Xva, res).map((v) => (2 * v) / res.length);
    const v = solve(H, gF);
    const exact = lam.map((l, i) => -l * w[i]! * v[i]!);
    const h = hypergradAt(kit, logLam, { method: 'implicit', cg_steps: 40, tol: 1e-12 });
    expect(maxAbsDiff(h.g, exact)).toBeLessThan(1e-6 * Math.max(1, normInf(exact)));
    expect(maxAbsDiff(h.w, w)).toBeLessThan(1e-7);
  });

  it('tuning the penalties lowers the validation loss below the best shared penalty', async () => {
    let best = Infinity;
    for (let l = -20; l <= 4; l += 0.05) best = Math.min(best, ridge(new Array(d).fill(Math.exp(l))).loss);
    const r = await run('examples/bilevel/ridge_implicit.opt', { steps: 100 });
    expect(r.status).toBe('max_steps');
    expect(r.objective!).toBeLessThan(best);
    // the reported w is the inner solution at the reported penalties
    const lam = (r.values!.log_lam as number[]).map(Math.exp);
    expect(maxAbsDiff(r.values!.w as number[], ridge(lam).w)).toBeLessThan(1e-6);
    expect(Math.abs(ridge(lam).loss - r.objective!)).toBeLessThan(1e-8);
  });

  it('unrolled and penalty (examples/bilevel/ridge_*.opt) lower the validation loss from the start, w the ridge solution', async () => {
    const start = ridge(new Array(d).fill(1)).loss;
    for (const h of ['unrolled', 'penalty']) {
      const r = await run(`examples/bilevel/ridge_${h}.opt`, { steps: 20 });
      expect(r.status, h).toBe('max_steps');
      const lam = (r.values!.log_lam as number[]).map(Math.exp);
      expect(ridge(lam).loss, h).toBeLessThan(start - 0.1);
      expect(maxAbsDiff(r.values!.w as number[], ridge(lam).w), h).toBeLessThan(1e-6);
      expect((r.diagnostics as { hypergrad: string }).hypergrad).toBe(h);
    }
  });
});
