// Unbiasedness of every estimator: the mean of N gradient draws matches the exact gradient
// (finite sums and closed forms, differentiated by autodiff) within 4 standard errors.

import { describe, it, expect } from 'vitest';
import { estimator, exactGrad, expectUnbiased } from './harness.js';
import { single, singleExact, mixed, mixedElbo } from './programs.js';
import { elbo, iwae, renyi, expect as expectation, logmeanexp, logw, mul, div } from '../../stdlib/vi/objectives.js';
import type { Estimator } from '../../stdlib/vi/estimator_plan.js';

const TH = [0.3, -0.2];
const PH = [-0.4];
const reinforce = (baseline: 'none' | 'mean' | 'loo'): Estimator => ({ kind: 'reinforce', baseline });

describe('single Bernoulli latent', () => {
  const cases: [string, Estimator, ReturnType<typeof elbo>][] = [
    ['elbo + reinforce', reinforce('none'), elbo(1)],
    ['elbo + reinforce(loo), K = 3', reinforce('loo'), elbo(3)],
    ['elbo + enum', { kind: 'enum' }, elbo(1)],
    ['elbo + mvd', { kind: 'mvd' }, elbo(1)],
    ['iwae(3) + reinforce(loo) (VIMCO)', reinforce('loo'), iwae(3)],
    ['iwae(3) + reinforce', reinforce('none'), iwae(3)],
    ['iwae(3) + enum (joint)', { kind: 'enum' }, iwae(3)],
    ['iwae(3) + mvd', { kind: 'mvd' }, iwae(3)],
    ['renyi(0.5, 2) + mvd', { kind: 'mvd' }, renyi(0.5, 2)],
    [
      'user-defined expect(0.5 logmeanexp(2 logw)) + reinforce(loo)',
      reinforce('loo'),
      expectation(div(logmeanexp(mul(2, logw)), 2), { samples: 2 }),
    ],
  ];
  for (const [label, via, obj] of cases) {
    it(label, () => {
      const exact = exactGrad(singleExact(obj), TH, PH);
      const d = estimator(single(via), obj, 2, 1)(TH, PH, 3000);
      const r = expectUnbiased(d, exact.grad, label);
      expect(r.maxZ).toBeLessThan(4);
    });
  }
});

describe('mixed program: reparam u, Categorical c, plate of Bernoulli z', () => {
  const th = [0.2, 0.1, -0.3, 0.4, -0.5];
  const ph = [0.3, -0.6, 0.2, -0.1, 0.5, 0.4, -0.8, 0.1];
  const exact = exactGrad(mixedElbo, th, ph);
  const combos: [string, Estimator, Estimator][] = [
    ['c enum, z enum', { kind: 'enum' }, { kind: 'enum' }],
    ['c mvd, z enum', { kind: 'mvd' }, { kind: 'enum' }],
    ['c enum, z mvd', { kind: 'enum' }, { kind: 'mvd' }],
    ['c reinforce, z enum', reinforce('none'), { kind: 'enum' }],
    ['c enum, z reinforce', { kind: 'enum' }, reinforce('none')],
    ['c mvd, z reinforce', { kind: 'mvd' }, reinforce('none')],
  ];
  for (const [label, vc, vz] of combos) {
    it(label, () => {
      const d = estimator(mixed(vc, vz), elbo(1), 5, 8)(th, ph, 2000);
      expectUnbiased(d, exact.grad, label);
    });
  }
});
