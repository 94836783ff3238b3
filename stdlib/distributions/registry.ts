// The distribution registry: name -> DistSpec, one line per distribution. The compiler resolves a
// call `Name(args)` with resolveDistribution (positional and named arguments, alternative
// parameterizations of one family), checks a `~` target's constraint against `support` with
// supportIncludes, and lowers `y ~ D(theta)` to `target += sum(spec.logProb(theta, y))`.

import type { Shape, Tracer } from '../../runtime/index.js';
import type { DistSpec, SampleOptions } from './types.js';
import {
  Normal,
  HalfNormal,
  LogNormal,
  StudentT,
  Cauchy,
  HalfCauchy,
  Laplace,
  Logistic,
  Exponential,
  Gamma,
  InverseGamma,
  Beta,
  Uniform,
  Weibull,
  Gumbel,
} from './continuous.js';
import { Dirichlet, MultivariateNormal, MultivariateNormalCholesky, LKJCholesky } from './multivariate.js';
import {
  Bernoulli,
  BernoulliLogits,
  Binomial,
  BinomialLogits,
  Poisson,
  PoissonLog,
  Categorical,
  CategoricalLogits,
  OrderedLogistic,
  Geometric,
  NegativeBinomial,
  NegativeBinomial2,
} from './discrete.js';
import { bind, type BoundDist } from './mixture.js';

type TLike = Tracer | number;

export const distributions: Readonly<Record<string, DistSpec>> = {
  Normal, // (mu, sigma)
  HalfNormal, // (sigma)
  LogNormal, // (mu, sigma)
  StudentT, // (nu, mu, sigma)
  Cauchy, // (mu, sigma)
  HalfCauchy, // (sigma)
  Laplace, // (mu, b)
  Logistic, // (mu, s)
  Exponential, // (rate)
  Gamma, // (alpha, beta) shape, rate
  InverseGamma, // (alpha, beta) shape, scale
  Beta, // (alpha, beta)
  Uniform, // (lower, upper)
  Weibull, // (alpha, sigma) shape, scale
  Gumbel, // (mu, beta)
  Dirichlet, // (alpha[K])
  MultivariateNormal, // (mu[K], Sigma[K,K])
  MultivariateNormalCholesky, // (mu[K], L[K,K])
  LKJCholesky, // (eta), values [K,K]
  Bernoulli, // (probs)
  BernoulliLogits, // (logits)
  Binomial, // (n, probs)
  BinomialLogits, // (n, logits)
  Poisson, // (rate)
  PoissonLog, // (log_rate)
  Categorical, // (probs[K])
  CategoricalLogits, // (logits[K])
  OrderedLogistic, // (eta, c[K-1])
  Geometric, // (probs)
  NegativeBinomial, // (alpha, beta)
  NegativeBinomial2, // (mu, phi)
};

/** Family name -> its parameterizations, the default (positional) one first. */
export const families: Readonly<Record<string, readonly string[]>> = (() => {
  const f: Record<string, string[]> = {};
  for (const s of Object.values(distributions)) (f[s.family] ??= []).push(s.name);
  return f;
})();

/** Other spellings of distribution names (Stan-style singular `Logit`, Stan's names). */
export const distributionAliases: Readonly<Record<string, string>> = {
  BernoulliLogit: 'BernoulliLogits',
  BinomialLogit: 'BinomialLogits',
  CategoricalLogit: 'CategoricalLogits',
  DoubleExponential: 'Laplace',
  NegBinomial: 'NegativeBinomial',
  NegBinomial2: 'NegativeBinomial2',
  MultiNormal: 'MultivariateNormal',
  MultiNormalCholesky: 'MultivariateNormalCholesky',
  LkjCorrCholesky: 'LKJCholesky',
};

export class DistributionError extends Error {}

export function lookupDistribution(name: string): DistSpec | undefined {
  const n = Object.prototype.hasOwnProperty.call(distributionAliases, name) ? distributionAliases[name]! : name;
  return Object.prototype.hasOwnProperty.call(distributions, n) ? distributions[n] : undefined;
}

/**
 * Resolves a call `name(args)`: `argNames[i]` is the keyword of argument i, or null when
 * positional (positional arguments come first). Candidates are `name` itself and, when `name` is a
 * family, its other parameterizations, tried in registry order (so `Bernoulli(logits = x)` is BernoulliLogits and
 * `NegativeBinomial(mu = m, phi = f)` is NegativeBinomial2). Returns the spec and `order`, where
 * order[j] is the index of the argument that supplies the spec's parameter j.
 * Throws DistributionError with a readable message.
 */
export function resolveDistribution(
  name: string,
  argNames: readonly (string | null)[],
): { spec: DistSpec; order: number[] } {
  const cands: DistSpec[] = [];
  const own = lookupDistribution(name);
  if (own) cands.push(own);
  for (const n of families[name] ?? []) if (n !== own?.name) cands.push(distributions[n]!);
  if (cands.length === 0) {
    throw new DistributionError(`unknown distribution '${name}'; known: ${Object.keys(distributions).join(', ')}`);
  }
  const firstNamed = argNames.findIndex((a) => a !== null);
  if (firstNamed >= 0 && argNames.slice(firstNamed).some((a) => a === null)) {
    throw new DistributionError(`${name}: positional arguments must come before named ones`);
  }
  for (const spec of cands) {
    const names = spec.params.map((p) => p.name);
    if (argNames.length !== names.length) continue;
    const order: number[] = new Array(names.length).fill(-1);
    let ok = true;
    argNames.forEach((a, i) => {
      const j = a === null ? i : spec.params.findIndex((p) => p.name === a || p.aliases.includes(a));
      if (j < 0 || order[j] !== -1) ok = false;
      else order[j] = i;
    });
    if (ok && order.every((o) => o >= 0)) return { spec, order };
  }
  const sigs = cands.map((s) => `${s.name}(${s.params.map((p) => p.name).join(', ')})`).join(' or ');
  const got = argNames.map((a, i) => a ?? `#${i + 1}`).join(', ');
  throw new DistributionError(`${name} expects ${sigs}; got (${got})`);
}

const spec = (name: string): DistSpec => {
  const s = lookupDistribution(name);
  if (!s) throw new DistributionError(`unknown distribution '${name}'`);
  return s;
};

/** The elementwise log-density of `x` under distribution `name` with parameters in spec order. */
export const logProb = (name: string, params: readonly TLike[], x: TLike): Tracer =>
  bind(spec(name), params).logProb(x);

/** Draws from `name`: shape [...sampleShape, ...batchShape, ...eventShape]. */
export const sample = (
  name: string,
  params: readonly TLike[],
  key: Tracer,
  sampleShape: Shape = [],
  opts?: SampleOptions,
): Tracer => bind(spec(name), params).sample(key, sampleShape, opts);

/** A distribution with bound parameters (also the component type of Mixture). */
export const dist = (name: string, params: readonly TLike[]): BoundDist => bind(spec(name), params);
