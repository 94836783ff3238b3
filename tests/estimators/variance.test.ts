// Gradient variance on the discrete-latent mixture (examples/discrete_latents.opt) at a fixed
// parameter: ELBO + REINFORCE (no baseline, running-mean baseline), ELBO + enumeration, ELBO + MVD,
// and IWAE(5) (VIMCO's leave-one-out REINFORCE). Enumeration must beat REINFORCE, and the
// baseline must lower REINFORCE's variance. The numbers are printed (docs/inference.md).

import { describe, it, expect } from 'vitest';
import { estimator, totalVariance, meanSd } from './harness.js';
import { mixture } from './models.js';
import { elbo, iwae } from '../../stdlib/vi/objectives.js';

const TH = [-1.5, 1.5, 0.2];
const PH = [-1, -1, -0.5, 0.5, 1, 0.5, 1, 2];
const N = 1500;

describe('gradient variance, discrete-latent mixture', () => {
  it('enumeration < REINFORCE with a baseline < REINFORCE without', () => {
    const none = estimator(mixture({ kind: 'reinforce', baseline: 'none' }), elbo(1), 3, 8)(TH, PH, N);
    // The running mean converges, at a fixed parameter, to the expected ELBO: use that state.
    const b = none.values.reduce((a, v) => a + v, 0) / N;
    const mean = estimator(mixture({ kind: 'reinforce', baseline: 'mean' }), elbo(1), 3, 8, { baselines: { z: b } })(
      TH,
      PH,
      N,
    );
    const en = estimator(mixture({ kind: 'enum' }), elbo(1), 3, 8)(TH, PH, 50);
    const mvd = estimator(mixture({ kind: 'mvd' }), elbo(1), 3, 8)(TH, PH, N);
    const vimco = estimator(mixture(), iwae(5), 3, 8)(TH, PH, 400);
    const v = {
      reinforce: totalVariance(none),
      reinforceMean: totalVariance(mean),
      enum: totalVariance(en),
      mvd: totalVariance(mvd),
      iwae5Vimco: totalVariance(vimco),
    };
    console.log('gradient variance (sum over the 11 coordinates):', JSON.stringify(v));
    expect(v.enum).toBeLessThan(1e-12);
    expect(v.enum).toBeLessThan(v.reinforce);
    expect(v.reinforceMean).toBeLessThan(v.reinforce);
    expect(v.mvd).toBeLessThan(v.reinforceMean);
    // Same expectation: the baseline changes the variance, not the mean.
    const a = meanSd(none);
    const c = meanSd(mean);
    for (let j = 0; j < 11; j++)
      expect(Math.abs(a.mean[j]! - c.mean[j]!)).toBeLessThan(
        (4 * Math.hypot(a.sd[j]!, c.sd[j]!)) / Math.sqrt(N) + 1e-9,
      );
  });
});
