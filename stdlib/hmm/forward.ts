// Hidden Markov models with a finite state space, marginalized exactly (Stan's hmm_marginal and
// hmm_hidden_state_prob). Conventions as in Stan:
//   logOmega [K, N]  log p(y_t | z_t = k), the emission log densities
//   Gamma    [K, K]  Gamma[i, j] = P(z_t = j | z_{t-1} = i) (rows are simplexes)
//   rho      [K]     P(z_0 = k)
// The forward recursion runs in probability space with per-step normalization (the scaled
// forward algorithm), each step's emissions shifted by their maximum first (a constant held out
// of the derivative: the value does not depend on it), so zeros in Gamma or rho are exact and
// nothing under- or overflows. One `scan` over t: the graph does not grow with N, and every
// derivative (of any order, in all three arguments) comes from the scan rules.

import { ops as P, type Tracer } from '../../runtime/index.js';

/** Emissions per step as scaled probabilities [N, K], and the shifts [N]. */
function scaledEmissions(logOmega: Tracer): { omega: Tracer; shift: Tracer } {
  const lo = P.transpose(logOmega); // [N, K]
  const m = P.stopGradient(P.max(lo, 1, true));
  const shift = P.where(P.lt(P.abs(m), Infinity), m, 0);
  return { omega: P.exp(P.sub(lo, shift)), shift: P.reshape(shift, [-1]) };
}

/** The normalized forward variables [N, K] and the log normalizers [N] (sum: log p(y) less the shifts). */
function forward(logOmega: Tracer, Gamma: Tracer, rho: Tracer): { alphas: Tracer; logC: Tracer; shift: Tracer } {
  const { omega, shift } = scaledEmissions(logOmega);
  const n = omega.shape[0]!;
  const a0 = P.mul(rho, P.index(omega, 0));
  const c0 = P.sum(a0);
  const first = P.div(a0, c0);
  if (n === 1) return { alphas: P.reshape(first, [1, -1]), logC: P.reshape(P.log(c0), [1]), shift };
  const rest = P.slice(omega, [1, 0], [n, omega.shape[1]!]);
  const { ys } = P.scan(
    (c, [w]) => {
      const a = P.mul(P.matmul(c[0]!, Gamma), w!);
      const s = P.sum(a);
      const next = P.div(a, s);
      return [[next], [next, P.log(s)]];
    },
    [first],
    [rest],
  );
  return {
    alphas: P.concat([P.reshape(first, [1, -1]), ys[0]!]),
    logC: P.concat([P.reshape(P.log(c0), [1]), ys[1]!]),
    shift,
  };
}

/** log p(y_0, ..., y_{N-1}), the states summed out. */
export function hmmMarginal(logOmega: Tracer, Gamma: Tracer, rho: Tracer): Tracer {
  const { logC, shift } = forward(logOmega, Gamma, rho);
  return P.add(P.sum(logC), P.sum(shift));
}

/** P(z_t = k | y) for every t, [K, N] (forward-backward, both passes scaled). */
export function hmmHiddenStateProb(logOmega: Tracer, Gamma: Tracer, rho: Tracer): Tracer {
  const { alphas, logC } = forward(logOmega, Gamma, rho);
  const { omega } = scaledEmissions(logOmega);
  const n = omega.shape[0]!;
  const K = omega.shape[1]!;
  if (n === 1) return P.transpose(alphas);
  // beta_{N-1} = 1; beta_t = Gamma (omega_{t+1} * beta_{t+1}) / c_{t+1}, run backwards.
  const next = P.slice(omega, [1, 0], [n, K]);
  const cNext = P.exp(P.slice(logC, [1], [n]));
  const { ys } = P.scan(
    (c, [w, cn]) => {
      const b = P.div(P.matmul(Gamma, P.mul(w!, c[0]!)), cn!);
      return [[b], [b]];
    },
    [P.ones([K])],
    [next, cNext],
    { reverse: true },
  );
  const betas = P.concat([ys[0]!, P.ones([1, K])]);
  const post = P.mul(alphas, betas);
  return P.transpose(P.div(post, P.sum(post, 1, true)));
}
