// The distributions `~` accepts in this issue: parameter names (positional order, and the
// spelling of named arguments), the support of the variate, and the log density as an
// elementwise composition of ops (normalizing constants included, so values compare with
// closed forms). Inference arrives later; this table is what `model` blocks lower against.
// Distributions whose density needs lgamma (Gamma, Beta, StudentT, Poisson) wait for that op.

import { ops as P, type Tracer } from '../runtime/index.js';

export type Support = 'real' | 'nonnegative' | 'positive' | 'unit' | 'binary' | 'interval';

export interface Distribution {
  name: string;
  params: string[];
  support: Support;
  /** False when the density is not differentiable in the variate (Laplace at its mode). */
  smooth: boolean;
  logpdf(x: Tracer, ...theta: Tracer[]): Tracer;
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

const normal = (x: Tracer, mu: Tracer, s: Tracer): Tracer => {
  const z = P.div(P.sub(x, mu), s);
  return P.sub(P.sub(P.mul(-0.5, P.square(z)), P.log(s)), HALF_LOG_2PI);
};
const cauchy = (x: Tracer, mu: Tracer, s: Tracer): Tracer => {
  const z = P.div(P.sub(x, mu), s);
  return P.sub(P.sub(P.neg(P.log1p(P.square(z))), P.log(s)), Math.log(Math.PI));
};

export const DISTRIBUTIONS: readonly Distribution[] = [
  { name: 'Normal', params: ['mu', 'sigma'], support: 'real', smooth: true, logpdf: (x, mu, s) => normal(x, mu!, s!) },
  { name: 'HalfNormal', params: ['sigma'], support: 'nonnegative', smooth: true, logpdf: (x, s) => P.add(normal(x, P.zerosLike(x), s!), Math.LN2) },
  { name: 'Cauchy', params: ['mu', 'sigma'], support: 'real', smooth: true, logpdf: (x, mu, s) => cauchy(x, mu!, s!) },
  { name: 'HalfCauchy', params: ['sigma'], support: 'nonnegative', smooth: true, logpdf: (x, s) => P.add(cauchy(x, P.zerosLike(x), s!), Math.LN2) },
  { name: 'Exponential', params: ['rate'], support: 'nonnegative', smooth: true, logpdf: (x, r) => P.sub(P.log(r!), P.mul(r!, x)) },
  {
    name: 'LogNormal', params: ['mu', 'sigma'], support: 'positive', smooth: true,
    logpdf: (x, mu, s) => P.sub(normal(P.log(x), mu!, s!), P.log(x)),
  },
  {
    name: 'Laplace', params: ['mu', 'b'], support: 'real', smooth: false,
    logpdf: (x, mu, b) => P.sub(P.neg(P.div(P.abs(P.sub(x, mu!)), b!)), P.log(P.mul(2, b!))),
  },
  {
    name: 'Logistic', params: ['mu', 's'], support: 'real', smooth: true,
    logpdf: (x, mu, s) => {
      const z = P.div(P.sub(x, mu!), s!);
      return P.sub(P.sub(P.neg(z), P.log(s!)), P.mul(2, P.softplus(P.neg(z))));
    },
  },
  { name: 'Uniform', params: ['lo', 'hi'], support: 'interval', smooth: true, logpdf: (x, lo, hi) => P.sub(P.zerosLike(x), P.log(P.sub(hi!, lo!))) },
  {
    name: 'Bernoulli', params: ['p'], support: 'binary', smooth: true,
    logpdf: (x, p) => P.add(P.mul(x, P.log(p!)), P.mul(P.sub(1, x), P.log1p(P.neg(p!)))),
  },
  {
    name: 'BernoulliLogit', params: ['logit'], support: 'binary', smooth: true,
    logpdf: (x, l) => P.sub(P.mul(x, l!), P.softplus(l!)),
  },
];

export const distributionTable: ReadonlyMap<string, Distribution> = new Map(DISTRIBUTIONS.map((d) => [d.name, d]));
