// The automatic estimator choice and its reasons.

import { describe, it, expect } from 'vitest';
import { chooseEstimator, ENUM_MAX_SUPPORT } from '../../stdlib/vi/estimator_plan.js';
import { lookupDistribution } from '../../stdlib/distributions/index.js';
import { objectiveInfo } from '../../stdlib/vi/estimate.js';
import { elbo, iwae, rwsWakeQ } from '../../stdlib/vi/objectives.js';

const d = (n: string) => lookupDistribution(n)!;

describe('chooseEstimator', () => {
  const lin = objectiveInfo(elbo(1));
  it('reparam for continuous reparameterizable sites', () => {
    expect(chooseEstimator({ site: 'u', dist: d('Normal'), supportSize: null, batchSize: 1 }, lin).estimator).toEqual({
      kind: 'reparam',
    });
  });
  it('enum for small finite supports, in plates too, under the ELBO', () => {
    const e = chooseEstimator({ site: 'z', dist: d('Bernoulli'), supportSize: 2, batchSize: 100 }, lin);
    expect(e.estimator).toEqual({ kind: 'enum' });
    expect(e.reason).toContain('enumerated');
  });
  it('reinforce for large or unbounded supports and non-reparameterizable continuous sites', () => {
    expect(
      chooseEstimator({ site: 'c', dist: d('Categorical'), supportSize: ENUM_MAX_SUPPORT + 1, batchSize: 1 }, lin)
        .estimator,
    ).toEqual({ kind: 'reinforce', baseline: 'mean' });
    expect(chooseEstimator({ site: 'n', dist: d('Poisson'), supportSize: null, batchSize: 1 }, lin).reason).toContain(
      'unbounded',
    );
    expect(chooseEstimator({ site: 'b', dist: d('Beta'), supportSize: null, batchSize: 1 }, lin).estimator.kind).toBe(
      'reinforce',
    );
  });
  it('nonlinear objectives: joint enumeration only for lone small sites; else leave-one-out', () => {
    const iw = objectiveInfo(iwae(5));
    expect(chooseEstimator({ site: 'z', dist: d('Bernoulli'), supportSize: 2, batchSize: 1 }, iw).estimator).toEqual({
      kind: 'enum',
    });
    expect(chooseEstimator({ site: 'z', dist: d('Bernoulli'), supportSize: 2, batchSize: 8 }, iw).estimator).toEqual({
      kind: 'reinforce',
      baseline: 'loo',
    });
  });
  it('via overrides; wake-sleep detaches', () => {
    expect(
      chooseEstimator({ site: 'z', dist: d('Bernoulli'), supportSize: 2, batchSize: 1, via: { kind: 'mvd' } }, lin)
        .reason,
    ).toBe('via mvd');
    expect(
      chooseEstimator({ site: 'u', dist: d('Normal'), supportSize: null, batchSize: 1 }, objectiveInfo(rwsWakeQ(4)))
        .estimator,
    ).toEqual({ kind: 'detach' });
  });
});
