// Diagnostics: Pareto k-hat on weights with a known tail and on a deliberately bad guide, the
// correlation check of a mean-field fit, and the short ELBO trace (the stopping rule: tests/inference/stopping.test.ts).

import { describe, it, expect } from 'vitest';
import { boxMuller, ops as P, trace, runRef, type Tracer } from '../../runtime/index.js';
import { paretoKHat } from '../../stdlib/vi/psis.js';
import { correlatedPairs, covarianceFromPrecision } from '../../stdlib/vi/correlation.js';
import { shortTrace } from '../../stdlib/vi/elbo_trace.js';
import { rng as mulberry32 } from '../helpers/fd.js';
import { logWeight, type VIProgram } from '../../stdlib/vi/estimate.js';

/** A deterministic uniform stream in (0, 1) (the shared mulberry32, kept off 0 for logs). */
function rng(seed: number): () => number {
  const u = mulberry32(seed);
  return () => u() + 1e-12;
}

describe('Pareto k-hat', () => {
  it('recovers the shape of Pareto-tailed weights', () => {
    for (const k of [0.3, 0.6, 0.9]) {
      const u = rng(17 + Math.round(10 * k));
      // W = U^-k has P(W > w) = w^(-1/k): a generalized Pareto tail of shape k.
      const lw = Array.from({ length: 10000 }, () => -k * Math.log(u()));
      const r = paretoKHat(lw);
      console.log(`k = ${k}: k-hat ${r.khat.toFixed(3)} (tail ${r.tail})`);
      expect(Math.abs(r.khat - k)).toBeLessThan(0.12);
    }
  });

  it('a light tail (a good guide) has k-hat < 0.5', () => {
    const u = rng(3);
    const lw = Array.from({ length: 4000 }, () => 0.1 * boxMuller(u(), u()));
    expect(paretoKHat(lw).khat).toBeLessThan(0.5);
  });

  it('a deliberately bad (too narrow) guide gives k-hat > 0.7; a good one < 0.5', () => {
    // Model u ~ Normal(0, 1), guide u ~ Normal(0, sd): weights have tail shape 1 - sd^2 when sd < 1.
    const prog = (sd: number): VIProgram => ({
      guide: (ctx) => {
        ctx.sample('u', 'Normal', [0, sd]);
      },
      model: (ctx) => {
        ctx.sample('u', 'Normal', [0, 1]);
      },
    });
    const draws = (sd: number) => {
      const g = trace(
        (key: Tracer) => P.stack(P.splitKey(key, 4000).map((k) => logWeight(prog(sd), [], [], k))),
        [{ shape: [2], dtype: 'int32' }],
      );
      return Array.from(runRef(g, [{ data: Int32Array.from([0, 5]), shape: [2] }])[0]!.data);
    };
    const bad = paretoKHat(draws(0.25));
    const good = paretoKHat(draws(1.3));
    console.log(`bad guide k-hat ${bad.khat.toFixed(3)}, good guide k-hat ${good.khat.toFixed(3)}`);
    expect(bad.khat).toBeGreaterThan(0.7);
    expect(bad.verdict).toBe('bad');
    expect(good.khat).toBeLessThan(0.5);
  });
});

describe('correlation check', () => {
  it('flags a correlated Gaussian and only the correlated pair', () => {
    // Precision of a 3-d Gaussian with corr(a, b) = 0.95, c independent.
    const r = 0.95;
    const cov = [1, r * 2, 0, r * 2, 4, 0, 0, 0, 0.5];
    const det = 1 * 4 - (r * 2) ** 2;
    const prec = Float64Array.from([4 / det, (-r * 2) / det, 0, (-r * 2) / det, 1 / det, 0, 0, 0, 2]);
    const back = covarianceFromPrecision(prec, 3);
    back.forEach((v, i) => expect(v).toBeCloseTo(cov[i]!, 10));
    const pairs = correlatedPairs(back, 3, ['a', 'b', 'c']);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]!.rho).toBeCloseTo(0.95, 10);
    expect(pairs[0]!.message).toContain('full_rank');
    expect(correlatedPairs(covarianceFromPrecision(Float64Array.from([1, -0.5, -0.5, 1]), 2), 2)).toHaveLength(0);
  });
});

describe('ELBO trace', () => {
  it('the short form keeps at most n window means', () => {
    const u = rng(9);
    const trace = Array.from({ length: 3000 }, (_, t) => -100 + 90 * (1 - Math.exp(-t / 150)) + (u() - 0.5));
    const short = shortTrace(trace, 50);
    expect(short).toHaveLength(50);
    expect(short[0]!).toBeCloseTo(trace.slice(0, 60).reduce((a, b) => a + b, 0) / 60, 10);
    expect(shortTrace([1, 2, 3], 50)).toEqual([1, 2, 3]);
  });
});
