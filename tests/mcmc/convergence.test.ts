// Convergence diagnostics against the posterior package (R, version 1.4.0: rhat, ess_bulk,
// ess_tail, ess_basic, rhat_basic) on fixed chains: iid, autocorrelated with an odd length,
// antithetic, a shifted chain, Cauchy draws, ties, unequal scales, one chain. The fixture was
// written by `Rscript` from the chains it holds; the values agree to rounding.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  autocovariance,
  ebfmi,
  essBasic,
  essBulk,
  essTail,
  normalQuantile,
  rhat,
  rhatBasic,
  splitChains,
} from '../../stdlib/mcmc/index.js';

interface Case {
  name: string;
  chains: number[][];
  rhat: number;
  ess_bulk: number;
  ess_tail: number;
  ess_basic: number;
  rhat_basic: number;
}
const cases = JSON.parse(
  readFileSync(new URL('./fixtures/diagnostics_posterior.json', import.meta.url), 'utf8'),
) as Case[];

const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));

describe('convergence diagnostics match the posterior package', () => {
  for (const c of cases)
    it(c.name, () => {
      close(rhat(c.chains), c.rhat);
      close(essBulk(c.chains), c.ess_bulk);
      close(essTail(c.chains), c.ess_tail);
      close(essBasic(splitChains(c.chains)), c.ess_basic);
      close(rhatBasic(splitChains(c.chains)), c.rhat_basic);
    });
});

describe('diagnostic building blocks', () => {
  it('autocovariance by FFT equals the direct sum', () => {
    const x = Array.from({ length: 37 }, (_, i) => Math.sin(i * 1.3) + 0.1 * i);
    const a = autocovariance(x);
    const m = x.reduce((s, v) => s + v, 0) / x.length;
    for (const t of [0, 1, 5, 36]) {
      let s = 0;
      for (let i = 0; i + t < x.length; i++) s += (x[i]! - m) * (x[i + t]! - m);
      expect(a[t]).toBeCloseTo(s / x.length, 12);
    }
  });

  it('the normal quantile inverts the normal CDF', () => {
    // Reference values: qnorm in R.
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 12);
    expect(normalQuantile(0.3)).toBeCloseTo(-0.5244005127080407, 14);
  });

  it('constant or non-finite draws have no R-hat or ESS', () => {
    expect(
      rhat([
        [1, 1, 1, 1],
        [1, 1, 1, 1],
      ]),
    ).toBeNaN();
    expect(essBulk([[1, 2, NaN, 4, 5, 6]])).toBeNaN();
  });

  it('E-BFMI: near 2 for independent energies, small for a random walk', () => {
    let s = 1;
    const u = () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5;
    const iid = Array.from({ length: 4000 }, u);
    expect(ebfmi(iid)).toBeGreaterThan(1.8);
    let w = 0;
    const walk = Array.from({ length: 4000 }, () => (w += u()));
    expect(ebfmi(walk)).toBeLessThan(0.05);
  });
});
