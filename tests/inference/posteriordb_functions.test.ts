// VI on five more posteriordb posteriors, each needing the modelling functions of issue #11
// (examples/posteriordb/README.md): an ODE (Lotka-Volterra, ode_rk45), a Poisson Gaussian process
// (gp_exp_quad_cov, add_diag, PoissonLog), a mixture likelihood with its indicator summed out
// (capture-recapture M0: lpmf functions, log_sum_exp, to_real), and two regressions on
// transformed data (log10, sd). The rule of the issue: with the default `infer vi`, every
// parameter's mean within 0.15 reference sd and sd within 25 %, or a warning (never silently
// outside); with guide = full_rank, within tolerance. gp_pois_regr's posterior is not Gaussian
// on the unconstrained scale: the KL-optimal full-rank Gaussian, computed apart to convergence
// (bench/peers/gp_pois_kl_optimal.py), has rho's and alpha's sds ~60 % too small, so no
// full-rank fit can be within tolerance; there full_rank must warn, naming the cause and the
// remedy (docs/inference.md has the numbers). Seeds 1-3 run for the fast posteriors; the ODE
// model runs seed 1 here (seeds 2 and 3 with PROXIMA_SLOW=1; measured in docs/inference.md).

import { describe, expect, it } from 'vitest';
import { compare, fitWarnings } from './posteriordb.js';

const SLOW = process.env['PROXIMA_SLOW'] === '1';
/** The ODE fits take tens of seconds on a loaded machine. */
const TIMEOUT = 600_000;

interface Case {
  folder: string;
  seeds: number[];
  /** The seeds of the full_rank test (the 1-3; the slow ODE model: seed 1 in CI). */
  fullRankSeeds: number[];
  /** full_rank: within tolerance, or (the Gaussian family's limit, shown apart) warned. */
  fullRank: 'within' | 'warned';
}

const CASES: Case[] = [
  {
    folder: 'hudson_lynx_hare-lotka_volterra',
    seeds: SLOW ? [1, 2, 3] : [1],
    fullRankSeeds: SLOW ? [1, 2, 3] : [1],
    fullRank: 'within',
  },
  { folder: 'gp_pois_regr-gp_pois_regr', seeds: [1, 2, 3], fullRankSeeds: [1, 2, 3], fullRank: 'warned' },
  { folder: 'M0_data-M0_model', seeds: [1, 2, 3], fullRankSeeds: [1, 2, 3], fullRank: 'within' },
  { folder: 'earnings-log10earn_height', seeds: [1, 2, 3], fullRankSeeds: [1, 2, 3], fullRank: 'within' },
  { folder: 'earnings-logearn_interaction_z', seeds: [1, 2, 3], fullRankSeeds: [1, 2, 3], fullRank: 'within' },
];

interface Fit {
  mean: number;
  sd: number;
  warnings: string[];
  /** The hints (remedies) of the warnings that name a problem of the fit. */
  remedies: string[];
  rows: string[];
}

/** The shared comparison with Stan's reference (posteriordb.ts), and the run's warnings. */
async function fit(folder: string, seed: number, guide?: string): Promise<Fit> {
  const c = await compare(folder, seed, guide);
  const warnings = c.result.messages
    .filter((m) => m.severity === 'warning' && !/data keys/.test(m.message))
    .map((m) => m.message);
  const remedies = fitWarnings(c.result).map((w) => w.hint!);
  return { mean: c.mean, sd: c.sd, warnings, remedies, rows: c.rows };
}

const within = (f: Fit) => f.mean < 0.15 && f.sd < 0.25;

describe('VI on posteriordb posteriors that need the modelling functions', () => {
  for (const c of CASES) {
    for (const seed of c.seeds) {
      it(
        `${c.folder}, default infer vi, seed ${seed}: within tolerance or warned`,
        async () => {
          const f = await fit(c.folder, seed);
          console.log(
            `${c.folder} seed ${seed}: max mean err ${f.mean.toFixed(3)}, max sd err ${(100 * f.sd).toFixed(1)} %, warnings ${f.warnings.length}`,
          );
          if (!within(f)) expect(f.warnings.length, f.rows.join('\n')).toBeGreaterThan(0);
        },
        TIMEOUT,
      );
    }
    for (const seed of c.fullRankSeeds) {
      it(
        `${c.folder}, guide = full_rank, seed ${seed}: ${c.fullRank === 'within' ? 'within tolerance' : 'warned, naming the non-Gaussian posterior and a remedy'}`,
        async () => {
          const f = await fit(c.folder, seed, 'full_rank');
          console.log(
            `${c.folder} full_rank seed ${seed}: max mean err ${f.mean.toFixed(3)}, max sd err ${(100 * f.sd).toFixed(1)} %, remedies ${f.remedies.length}`,
          );
          if (c.fullRank === 'within') {
            expect(f.mean, f.rows.join('\n')).toBeLessThan(0.15);
            expect(f.sd, f.rows.join('\n')).toBeLessThan(0.25);
          } else if (!within(f))
            expect(
              f.remedies.some((r) => /not Gaussian/.test(r) && /infer nuts/.test(r)),
              f.rows.join('\n'),
            ).toBe(true);
        },
        TIMEOUT,
      );
    }
  }
});
