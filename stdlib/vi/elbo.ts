// ELBO estimators with reparameterization gradients. A draw is a differentiable function of the
// variational parameters and standard noise, so differentiating the Monte Carlo average gives
// an unbiased gradient. K draws per estimate run as one scan over K keys (never unrolled), so
// the graph does not grow with K. Keys are explicit inputs: the caller derives them from the
// run's seed and the step counter, which makes a resumed run bit-identical.

import { ops as P, type Tracer } from '../../runtime/index.js';
import type { GaussianFamily } from './gaussian.js';
import { unwhiten, type AffineT } from './whitening.js';

/** The mean over K independent keys of term(key_k). */
export function monteCarlo(term: (key: Tracer) => Tracer, key: Tracer, K: number): Tracer {
  if (K === 1) return term(key);
  const { carry } = P.scan((c, [k]) => [[P.add(c[0]!, term(k!))], []], [P.zeros([])], [P.splitKeys(key, K)]);
  return P.div(carry[0]!, K);
}

/** One draw z of an automatic guide (unconstrained coordinates) from a key. */
export function gaussianDraw(family: GaussianFamily, W: AffineT, phi: Tracer, key: Tracer): Tracer {
  const n = W.shift.shape[0]!;
  const m = family.noise(n);
  const eps = m ? P.normal(key, [m]) : P.zeros([0]);
  return unwhiten(W, family.sample(phi, eps, n));
}

/**
 * The ELBO of an automatic guide less the constant log|det A|, where log p is the unconstrained
 * log density (Jacobians included) and `logDensity` gets its own key per draw (for minibatched
 * plates). With a family's log q: E[log p(z) - log q(w)] with log q's parameters held fixed
 * (the sticking-the-landing gradient); otherwise E[log p(z)] + H[q] with the exact entropy.
 * Both have the ELBO as expectation.
 */
export function gaussianElbo(
  logDensity: (z: Tracer, key: Tracer) => Tracer,
  family: GaussianFamily,
  W: AffineT,
  phi: Tracer,
  key: Tracer,
  K: number,
): Tracer {
  const n = W.shift.shape[0]!;
  const m = family.noise(n);
  const logq = family.logq;
  const fixed = P.stopGradient(phi);
  const expected = monteCarlo(
    (k) => {
      const [kq, kp] = P.splitKey(k, 2);
      const w = family.sample(phi, m ? P.normal(kq!, [m]) : P.zeros([0]), n);
      const lp = logDensity(unwhiten(W, w), kp!);
      return logq ? P.sub(lp, logq(fixed, w, n)) : lp;
    },
    key,
    K,
  );
  return logq ? expected : P.add(expected, family.entropy(phi, n));
}
