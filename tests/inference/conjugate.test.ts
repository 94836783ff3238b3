// VI against closed-form posteriors (float64 ref): Normal-Normal, where the Gaussian family is
// exact (mean and sd within 1 %), and Beta-Bernoulli and Gamma-Poisson with >= 100 observations,
// near-Gaussian on the unconstrained scale (mean within 0.05 sd, sd within 5 %). Each uses the
// default budget. Many draws (10,000 to 20,000 per half of the importance pool) keep the Monte
// Carlo error of the summaries well inside the bounds.

import { describe, expect, it } from 'vitest';
import { run } from '../../index.js';

async function fit(source: string, data: Record<string, unknown>, guide = 'full_rank', draws = 10000) {
  const r = await run({ source: source.replace('GUIDE', guide), file: 'conj.opt' }, { data, backend: 'ref', draws });
  expect(r.status, JSON.stringify(r.messages)).not.toBe('error');
  return r;
}

/** Deterministic pseudo-data (a fixed LCG), so the tests need no files. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

describe('conjugate posteriors', () => {
  it('Normal-Normal: mean and sd within 1 %', async () => {
    const u = lcg(7);
    const y = Array.from({ length: 20 }, () => 3 + 2 * (u() - 0.5));
    const src = `data { N: int; y: real[N] }\nparam mu: real\nmodel {\n  mu ~ Normal(1, 2)\n  y ~ Normal(mu, 1.5)\n}\ninfer vi(guide = GUIDE)\n`;
    const prec = 1 / 4 + y.length / 2.25;
    const mean = (1 / 4 + y.reduce((a, b) => a + b, 0) / 2.25) / prec;
    const sd = Math.sqrt(1 / prec);
    // Every Gaussian family is exact here, and every one has the sticking-the-landing gradient.
    for (const [guide, tol] of [
      ['full_rank', 0.01],
      ['mean_field', 0.01],
      ['low_rank', 0.01],
    ] as const) {
      const r = await fit(src, { N: y.length, y }, guide, 20000);
      const p = r.posterior!.mu!;
      expect(Math.abs((p.mean as number) / mean - 1), guide).toBeLessThan(tol);
      expect(Math.abs((p.sd as number) / sd - 1), guide).toBeLessThan(tol);
      expect(r.values.mu).toBe(p.mean);
      expect(r.objective).not.toBeNull();
    }
  }, 180_000);

  it('Beta-Bernoulli (N = 200): mean within 0.05 sd, sd within 5 %', async () => {
    const u = lcg(11);
    const y: number[] = Array.from({ length: 200 }, () => (u() < 0.3 ? 1 : 0));
    const k = y.reduce((a, b) => a + b, 0);
    const [a, b] = [2 + k, 3 + y.length - k];
    const mean = a / (a + b);
    const sd = Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
    const r = await fit(
      `data { N: int; y: int[N] }\nparam p: real in [0, 1]\nmodel {\n  p ~ Beta(2, 3)\n  y ~ Bernoulli(p)\n}\ninfer vi(guide = GUIDE)\n`,
      { N: y.length, y },
    );
    const s = r.posterior!.p!;
    expect(Math.abs((s.mean as number) - mean) / sd).toBeLessThan(0.05);
    expect(Math.abs((s.sd as number) / sd - 1)).toBeLessThan(0.05);
  }, 180_000);

  it('Gamma-Poisson (N = 150): mean within 0.05 sd, sd within 5 %', async () => {
    const u = lcg(5);
    const y = Array.from({ length: 150 }, () => Math.floor(-Math.log(1 - u()) * 4));
    const [a, b] = [2 + y.reduce((s, x) => s + x, 0), 0.5 + y.length];
    const r = await fit(
      `data { N: int; y: int[N] }\nparam lambda: real > 0\nmodel {\n  lambda ~ Gamma(2, 0.5)\n  y ~ Poisson(lambda)\n}\ninfer vi(guide = GUIDE)\n`,
      { N: y.length, y },
    );
    const s = r.posterior!.lambda!;
    const sd = Math.sqrt(a) / b;
    expect(Math.abs((s.mean as number) - a / b) / sd).toBeLessThan(0.05);
    expect(Math.abs((s.sd as number) / sd - 1)).toBeLessThan(0.05);
  }, 180_000);

  it('delta guide gives the unconstrained MAP with sd 0', async () => {
    const r = await fit(
      `data { N: int; y: real[N] }\nparam mu: real\nmodel {\n  mu ~ Normal(0, 10)\n  y ~ Normal(mu, 1)\n}\ninfer vi(guide = GUIDE)\n`,
      { N: 3, y: [1, 2, 3] },
      'delta',
    );
    expect(r.posterior!.mu!.sd as number).toBeLessThan(1e-9);
    expect(r.values.mu as number).toBeCloseTo(6 / (3 + 0.01), 4);
  });
});
