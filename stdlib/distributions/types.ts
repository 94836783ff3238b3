// The shared vocabulary of the distributions: supports and parameter constraints (named like the
// language's constrained types), parameter specs, and one distribution's entry in the registry.
//
// Conventions (every distribution):
// - logProb(params, x) is the elementwise log-density/mass with every normalizing constant (like
//   Stan's `_lpdf`/`_lpmf`, not the `~` form that drops constants). Values and parameters broadcast
//   numpy-style over the batch dimensions; the result has the broadcast batch shape (the event
//   dimensions of a multivariate value are reduced). The caller sums. Values outside the support
//   give -inf (not an error), so a ~ statement on a wider support is harmless.
// - sample(params, key, sampleShape, opts) draws from explicit keys; the result has shape
//   [...sampleShape, ...batchShape, ...eventShape]. Continuous draws are float, discrete draws are
//   int32. Gradients flow through the draw to the parameters listed in `reparamParams`.
// - mean/variance (where closed-form) have the batch (+ event) shape; variance is the marginal
//   (elementwise) variance for multivariate families.

import type { Shape, Tracer } from '../../runtime/index.js';

export type TLike = Tracer | number;

/**
 * Supports and parameter constraints. Continuous: real, positive (> 0), nonnegative (>= 0),
 * unit_interval ([0, 1]), interval (between two parameters, Uniform), real_vector, simplex,
 * cov (symmetric positive definite), cholesky_cov (lower triangular, positive diagonal),
 * cholesky_corr (lower triangular, unit-norm rows). Discrete: boolean ({0, 1}), nonnegative_integer,
 * bounded_integer ({0..n}, n a parameter), category ({0..K-1}, K the last dimension of a
 * parameter).
 */
export type SupportKind =
  | 'real'
  | 'positive'
  | 'nonnegative'
  | 'unit_interval'
  | 'interval'
  | 'real_vector'
  | 'simplex'
  | 'cov'
  | 'cholesky_cov'
  | 'cholesky_corr'
  | 'boolean'
  | 'nonnegative_integer'
  | 'bounded_integer'
  | 'category';

export interface Support {
  kind: SupportKind;
  /** Rank of one value: 0 scalar, 1 vector, 2 matrix. */
  eventRank: number;
  discrete: boolean;
  /** For `interval` and `bounded_integer`: the parameter names (or numbers) of the bounds. */
  lower?: string | number;
  upper?: string | number;
}

export interface ParamSpec {
  name: string;
  constraint: SupportKind;
  /** Rank of the parameter's event part (0 scalar, 1 vector, 2 matrix); the rest is batch. */
  eventRank: number;
  /** Other accepted spellings of a named argument (`p` for `probs`, `lo` for `lower`, ...). */
  aliases: readonly string[];
}

export interface SampleOptions {
  /** The event shape, for families whose parameters do not determine it (LKJCholesky: [K, K]). */
  eventShape?: Shape;
}

export interface DistSpec {
  /** Registry name, e.g. 'Normal', 'BernoulliLogits'. */
  name: string;
  /** The family a parameterization belongs to ('Bernoulli' for Bernoulli and BernoulliLogits). */
  family: string;
  /** The ordered parameters (positional order of a call). */
  params: readonly ParamSpec[];
  support: Support;
  /** False when the log-density is not differentiable in the value everywhere (Laplace at mu). */
  smooth: boolean;
  /** True when the sampler's draw is differentiable in every (float) parameter. */
  reparameterizable: boolean;
  /** The parameters a pathwise gradient reaches through `sample`. */
  reparamParams: readonly string[];
  /** Stan's function with the same density (for documentation and cross-checks). */
  stan: string;
  /** The base name of the density functions in the language: `${fn}_lpdf` (continuous) or
   *  `${fn}_lpmf` (discrete), `_lcdf`, `_lccdf`, `_cdf`. Stan's name where Stan has the family. */
  fn: string;
  /** log F(x) and log(1 - F(x)) (univariate families; parameters in `params` order). */
  cdf?: {
    lcdf(params: readonly TLike[], x: TLike): Tracer;
    lccdf(params: readonly TLike[], x: TLike): Tracer;
  };
  /** Parameters in `params` order; numbers and int/bool tensors are promoted to float. */
  logProb(params: readonly TLike[], x: TLike): Tracer;
  sample(params: readonly TLike[], key: Tracer, sampleShape?: Shape, opts?: SampleOptions): Tracer;
  mean?(params: readonly TLike[]): Tracer;
  variance?(params: readonly TLike[]): Tracer;
  /** For finite supports of a fixed size: the support values [K] (int32), for enumeration. */
  enumerate?(params: readonly TLike[]): Tracer;
  /** One-line documentation of the parameterization. */
  doc: string;
}

/** Whether every value of support `inner` lies in support `outer` (constraint checks of `~`). */
export function supportIncludes(outer: SupportKind, inner: SupportKind): boolean {
  if (outer === inner) return true;
  const up: Record<SupportKind, SupportKind[]> = {
    real: [],
    positive: ['nonnegative', 'real'],
    nonnegative: ['real'],
    unit_interval: ['nonnegative', 'real'],
    interval: ['real'],
    real_vector: [],
    simplex: ['real_vector'],
    cov: [],
    cholesky_cov: [],
    cholesky_corr: ['cholesky_cov'],
    boolean: ['bounded_integer', 'nonnegative_integer', 'category', 'unit_interval', 'nonnegative', 'real'],
    bounded_integer: ['nonnegative_integer', 'nonnegative', 'real'],
    category: ['nonnegative_integer', 'nonnegative', 'real'],
    nonnegative_integer: ['nonnegative', 'real'],
  };
  const seen = new Set<SupportKind>();
  const stack = [...up[inner]];
  while (stack.length) {
    const s = stack.pop()!;
    if (s === outer) return true;
    if (!seen.has(s)) {
      seen.add(s);
      stack.push(...up[s]);
    }
  }
  return false;
}
