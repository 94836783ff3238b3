// Small programs whose objectives and gradients are known exactly, for the unbiasedness tests.
//
// `single`: one Bernoulli latent (logits phi[0] in the guide, theta[0] in the prior) and one
// observation x ~ Normal(2 z - 1 + theta[1], 1): every objective is a finite sum.
// `mixed`: a reparameterized Normal u, a 3-way Categorical c and a plate of 3 Bernoullis z_i,
// with x_i ~ Normal(mus[c] z_i + u, 1): the ELBO is a finite sum over c and each z_i with the u
// part in closed form (Gaussian expectations of Gaussian log densities).

import { ops as P, type Tracer } from '../../runtime/index.js';
import type { VIProgram } from '../../stdlib/vi/estimate.js';
import type { Estimator } from '../../stdlib/vi/estimator_plan.js';
import { evaluate, type Objective } from '../../stdlib/vi/objectives.js';

const LOG2PI = Math.log(2 * Math.PI);
const at = (t: Tracer, i: number) => P.index(t, i);

export const X1 = 0.7;
export function single(via?: Estimator): VIProgram {
  return {
    guide: (ctx, [phi]) => {
      ctx.sample('z', 'BernoulliLogits', [at(phi!, 0)], { via });
    },
    model: (ctx, [theta]) => {
      const z = ctx.sample('z', 'BernoulliLogits', [at(theta!, 0)]);
      ctx.observe('x', 'Normal', [P.add(P.sub(P.mul(2, P.cast(z, 'float64')), 1), at(theta!, 1)), 1], X1);
    },
  };
}

/** The exact objective of `single`: a sum over the 2^K joint configurations of the particles. */
export function singleExact(obj: Objective) {
  return (theta: Tracer, phi: Tracer): Tracer => {
    const K = obj.samples;
    let total: Tracer = P.zeros([]);
    for (let c = 0; c < 2 ** K; c++) {
      const zs = Array.from({ length: K }, (_, k) => (c >> k) & 1);
      const lq = zs.map((z) => P.logSigmoid(z ? at(phi, 0) : P.neg(at(phi, 0))));
      const lp = zs.map((z) => {
        const prior = P.logSigmoid(z ? at(theta, 0) : P.neg(at(theta, 0)));
        const r = P.sub(X1, P.add(2 * z - 1, at(theta, 1)));
        return P.add(prior, P.sub(P.mul(-0.5, P.square(r)), 0.5 * LOG2PI));
      });
      const weight = P.exp(lq.reduce((a, b) => P.add(a, b)));
      const f = evaluate(obj.body, P.stack(lp), P.stack(lq));
      total = P.add(total, P.mul(weight, f));
    }
    return total;
  };
}

export const XS = [0.5, -1, 2];
export const MUS = [-1, 0, 1.5];
export function mixed(viaC?: Estimator, viaZ?: Estimator): VIProgram {
  return {
    guide: (ctx, [phi]) => {
      ctx.sample('u', 'Normal', [at(phi!, 0), P.exp(at(phi!, 1))]);
      ctx.sample('c', 'CategoricalLogits', [P.slice(phi!, [2], [5])], { via: viaC });
      ctx.sample('z', 'BernoulliLogits', [P.slice(phi!, [5], [8])], { via: viaZ });
    },
    model: (ctx, [theta]) => {
      const u = ctx.sample('u', 'Normal', [at(theta!, 0), 1]);
      const c = ctx.sample('c', 'CategoricalLogits', [P.slice(theta!, [1], [4])]);
      const z = ctx.sample('z', 'BernoulliLogits', [at(theta!, 4)]);
      const mu = P.take(P.constant(MUS), c);
      ctx.observe('x', 'Normal', [P.add(P.mul(mu, P.cast(z, 'float64')), u), 1], P.constant(XS));
    },
  };
}

/** The exact ELBO of `mixed`. */
export function mixedElbo(theta: Tracer, phi: Tracer): Tracer {
  const m = at(phi, 0);
  const s2 = P.exp(P.mul(2, at(phi, 1)));
  // E log N(u | theta0, 1) + H[q(u)]
  let total = P.add(
    P.mul(-0.5, P.add(P.add(P.square(P.sub(m, at(theta, 0))), s2), LOG2PI)),
    P.add(at(phi, 1), 0.5 * (1 + LOG2PI)),
  );
  const qc = P.softmax(P.slice(phi, [2], [5]));
  const lqc = P.logSoftmax(P.slice(phi, [2], [5]));
  const lpc = P.logSoftmax(P.slice(theta, [1], [4]));
  total = P.add(total, P.sum(P.mul(qc, P.sub(lpc, lqc))));
  for (let i = 0; i < 3; i++) {
    const l = at(phi, 5 + i);
    for (const z of [0, 1]) {
      const lqz = P.logSigmoid(z ? l : P.neg(l));
      const qz = P.exp(lqz);
      const lpz = P.logSigmoid(z ? at(theta, 4) : P.neg(at(theta, 4)));
      total = P.add(total, P.mul(qz, P.sub(lpz, lqz)));
      for (let c = 0; c < 3; c++) {
        // E_u log N(x_i | mus[c] z + u, 1) = -(log 2 pi + (x - a - m)^2 + s^2) / 2
        const r = P.sub(XS[i]! - MUS[c]! * z, m);
        const ell = P.mul(-0.5, P.add(P.add(P.square(r), s2), LOG2PI));
        total = P.add(total, P.mul(P.mul(qz, at(qc, c)), ell));
      }
    }
  }
  return total;
}
