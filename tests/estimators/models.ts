// The discrete-latent model of examples/discrete_latents.opt in the site API: a two-component
// Gaussian mixture, y_i ~ Normal(mu[z_i], 1) with z_i ~ Bernoulli(sigmoid(logit_pi)) per point;
// theta = [mu0, mu1, logit_pi], and the guide's phi = per-point assignment logits.

import { ops as P, type Tracer } from '../../runtime/index.js';
import type { VIProgram } from '../../stdlib/vi/estimate.js';
import type { Estimator } from '../../stdlib/vi/estimator_plan.js';

/** The data of examples/discrete_latents.json. */
export const Y = [-2.1, -1.7, -2.6, -1.2, 1.9, 2.4, 1.6, 2.8];

export function mixture(via?: Estimator): VIProgram {
  return {
    guide: (ctx, [phi]) => {
      ctx.sample('z', 'BernoulliLogits', [phi!], { via });
    },
    model: (ctx, [theta]) => {
      const z = ctx.sample('z', 'BernoulliLogits', [P.index(theta!, 2)]);
      const mu = P.where(P.eq(z, 1), P.index(theta!, 1), P.index(theta!, 0));
      ctx.observe('y', 'Normal', [mu, 1], P.constant(Y));
    },
  };
}
