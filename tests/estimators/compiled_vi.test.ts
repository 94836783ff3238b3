// Inference II through the compiler: objectives and `via` from .opt source, the estimator plan in
// `check`, and the fit diagnostics `run` reports (k-hat, the correlation warning).
// Every program here runs on ref with fixed seeds, so the numbers are reproducible.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check, run } from '../../index.js';

const KILPISJARVI = 'examples/posteriordb/kilpisjarvi_mod-kilpisjarvi/model.opt';
const kilpisjarvi = (guide: string) => ({
  source: readFileSync(KILPISJARVI, 'utf8').replace(/^infer vi.*$/m, `infer vi(guide = ${guide})`),
  file: KILPISJARVI,
});
const correlationWarnings = (ms: { severity: string; message: string; hint?: string }[]) =>
  ms.filter((m) => m.severity === 'warning' && /collinear/.test(m.message));

const NORMAL_MODEL = `
data { y: real[3] }
param mu: real
model {
  mu ~ Normal(0, 5)
  y ~ Normal(mu, 1)
}
`;
const src = (body: string) => ({ source: NORMAL_MODEL + body, file: 'compiled_vi.opt' });
const data = { y: [0.5, 1.5, 1.0] };

describe('diagnostics through run()', () => {
  it('kilpisjarvi: mean-field raises the collinearity warning, full-rank does not', async () => {
    const mf = await run(kilpisjarvi('mean_field'), { backend: 'ref' });
    expect(mf.status).not.toBe('error');
    const w = correlationWarnings(mf.messages);
    console.log(`kilpisjarvi mean_field: ${w.map((m) => m.message).join(' | ')}`);
    expect(w.length).toBe(1);
    expect(w[0]!.message).toMatch(/underestimates the sd of (alpha|beta) .*the strongest pair is alpha, beta/);
    expect(w[0]!.hint).toMatch(/guide = full_rank/);
    const corr = mf.diagnostics.correlations as { a: string; b: string; rho: number }[];
    expect(Math.abs(corr[0]!.rho)).toBeGreaterThan(0.9);
    const fr = await run(kilpisjarvi('full_rank'), { backend: 'ref' });
    expect(fr.status).not.toBe('error');
    expect(correlationWarnings(fr.messages)).toEqual([]);
    expect(fr.diagnostics.correlations).toBeUndefined();
    expect(typeof fr.diagnostics.khat).toBe('number');
  }, 120_000);

  it('a deliberately bad guide (far too narrow, heavy-tailed weights) gives k-hat > 0.7 and a warning', async () => {
    const r = await run(
      src(`
guide {
  param m: real = 0
  mu ~ Normal(m, 0.02)
}
infer vi(guide = guide, steps = 300)
`),
      { backend: 'ref', data },
    );
    expect(r.status, JSON.stringify(r.messages)).not.toBe('error');
    console.log(`bad guide k-hat ${r.diagnostics.khat as number}`);
    expect(r.diagnostics.khat as number).toBeGreaterThan(0.7);
    expect(r.messages.some((m) => m.severity === 'warning' && /k-hat/.test(m.message))).toBe(true);
  }, 60_000);

  it('the ELBO trace is short and the stopping rule says why it stopped', async () => {
    const r = await run(src('infer vi(steps = 3000)'), { backend: 'ref', data });
    expect((r.diagnostics.elbo_trace as number[]).length).toBeLessThanOrEqual(50);
    expect(r.status).toBe('converged');
    // A Gaussian posterior is fitted exactly (STL gradient 0); otherwise the stage test stops it.
    expect(r.diagnostics.stop_reason).toMatch(/gain \+ 2 se <= tol|the guide is exact/);
  }, 60_000);
});

describe('objectives from the language', () => {
  // The posterior is Normal(mean, sd) exactly: every objective's optimum has q = posterior.
  const post = { mean: (3 * 1.0) / (3 + 1 / 25), sd: Math.sqrt(1 / (3 + 1 / 25)) };
  for (const obj of ['iwae(k = 5)', 'renyi(alpha = 0.5, k = 4)', 'vimco(k = 3)', 'rws', 'mine']) {
    it(`objective = ${obj} fits the exact posterior`, async () => {
      const r = await run(
        src(`objective mine = expect(logmeanexp(logp - logq), samples = 3)
infer vi(objective = ${obj}, steps = 1500, tol = 0, optimizer = adam(lr = 0.02))`),
        { backend: 'ref', data },
      );
      expect(r.status, JSON.stringify(r.messages)).not.toBe('error');
      const p = r.posterior!.mu!;
      expect(Math.abs((p.mean as number) - post.mean)).toBeLessThan(0.15);
      expect(Math.abs((p.sd as number) / post.sd - 1)).toBeLessThan(0.2);
      expect(r.diagnostics.objective).toMatch(/expect\(/);
    }, 60_000);
  }

  it('check: objective calls, user objectives and via, with errors at the piece', () => {
    const ok = check(src('objective mine = expect(logmeanexp(logp - logq), samples = 3)\ninfer vi(objective = mine)'));
    expect(ok.ok, JSON.stringify(ok.messages)).toBe(true);
    expect(ok.estimators).toEqual([
      {
        site: 'mu',
        estimator: 'reparam',
        reason: 'the automatic guide draws it from a Gaussian on its unconstrained scale (reparameterizable)',
      },
    ]);
    const badBody = check(src('objective mine = expect(logp - foo)\ninfer vi(objective = mine)'));
    expect(badBody.messages.map((m) => m.message).join()).toMatch(/`foo` is not part of an objective/);
    const badOpt = check(src('infer vi(objective = iwae(j = 5))'));
    expect(badOpt.messages.map((m) => m.message).join()).toMatch(/iwae has no option `j`/);
    const unknown = check(src('infer vi(objective = nope)'));
    expect(unknown.ok).toBe(false);
    const badVia = check({
      source:
        NORMAL_MODEL.replace('mu ~ Normal(0, 5)', 'mu ~ Normal(0, 5) via reinforce(baseline = avg)') + 'infer vi()',
      file: 'v.opt',
    });
    expect(badVia.messages.map((m) => m.message).join()).toMatch(/unknown baseline `avg`/);
    const via = check({
      source:
        NORMAL_MODEL.replace('mu ~ Normal(0, 5)', 'mu ~ Normal(0, 5) via reparam') +
        'infer vi(objective = iwae(k = 5))',
      file: 'v.opt',
    });
    expect(via.estimators).toEqual([{ site: 'mu', estimator: 'reparam', reason: 'via reparam', via: 'reparam' }]);
  });
});
