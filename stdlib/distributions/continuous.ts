// Scalar continuous distributions. Location-scale families sample by transforming standard
// draws (pathwise in every parameter); the gamma-based ones are pathwise in their scale/rate only
// (see samplers.ts). Parameter names and orders follow Stan's functions, listed in `stan`.

import { ops as P, type Shape, type Tracer } from '../../runtime/index.js';
import { lgamma, lbeta, xlogy, xlog1py } from '../special/index.js';
import { LOG_SQRT_2PI, LOG_PI } from '../special/series.js';
import { batchShape, floatDtype, inSupport, openUniform } from './common.js';
import { define } from './define.js';
import {
  normalCdf,
  halfNormalCdf,
  logNormalCdf,
  studentTCdf,
  cauchyCdf,
  halfCauchyCdf,
  laplaceCdf,
  logisticCdf,
  exponentialCdf,
  gammaCdf,
  inverseGammaCdf,
  betaCdf,
  uniformCdf,
  weibullCdf,
  gumbelCdf,
} from './cdfs.js';
import { logStdGamma } from './samplers.js';

const LOG2 = Math.LN2;
const sq = (x: Tracer) => P.mul(x, x);
const outShape = (ps: readonly Tracer[], s: Shape): Shape => [
  ...s,
  ...batchShape(
    ps,
    ps.map(() => 0),
  ),
];
const normalLp = (x: Tracer, mu: Tracer, sigma: Tracer) =>
  P.sub(P.sub(P.mul(-0.5, sq(P.div(P.sub(x, mu), sigma))), P.log(sigma)), LOG_SQRT_2PI);
const stdNormal = (ps: readonly Tracer[], key: Tracer, s: Shape) => P.normal(key, outShape(ps, s), floatDtype(ps));
const unif = (ps: readonly Tracer[], key: Tracer, s: Shape) => openUniform(key, outShape(ps, s), floatDtype(ps));
const nanUnless = (c: Tracer, v: Tracer, otherwise = NaN) => P.where(c, v, otherwise);
const bc = (v: Tracer, ps: readonly Tracer[]) =>
  P.add(
    v,
    P.zeros(
      batchShape(
        ps,
        ps.map(() => 0),
      ),
      v.dtype,
    ),
  );

export const Normal = define({
  name: 'Normal',
  fn: 'normal',
  cdf: normalCdf,
  family: 'Normal',
  stan: 'normal_lpdf',
  doc: 'location mu, scale sigma > 0',
  params: [
    ['mu', 'real'],
    ['sigma', 'positive'],
  ],
  support: 'real',
  reparamParams: ['mu', 'sigma'],
  logProb: ([mu, sigma], x) => normalLp(x, mu!, sigma!),
  sample: (ps, key, s = []) => P.add(ps[0]!, P.mul(ps[1]!, stdNormal(ps, key, s!))),
  mean: (ps) => bc(ps[0]!, ps),
  variance: (ps) => bc(sq(ps[1]!), ps),
});

export const HalfNormal = define({
  name: 'HalfNormal',
  fn: 'half_normal',
  cdf: halfNormalCdf,
  family: 'HalfNormal',
  stan: 'normal_lpdf(x | 0, sigma) + log 2, x >= 0',
  doc: 'scale sigma > 0; the normal folded at 0',
  params: [['sigma', 'positive']],
  support: 'nonnegative',
  reparamParams: ['sigma'],
  logProb: ([sigma], x) => inSupport(P.ge(x, 0), P.add(normalLp(x, P.zerosLike(sigma!), sigma!), LOG2)),
  sample: (ps, key, s = []) => P.mul(ps[0]!, P.abs(stdNormal(ps, key, s!))),
  mean: ([sigma]) => P.mul(sigma!, Math.sqrt(2 / Math.PI)),
  variance: ([sigma]) => P.mul(sq(sigma!), 1 - 2 / Math.PI),
});

export const LogNormal = define({
  name: 'LogNormal',
  fn: 'lognormal',
  cdf: logNormalCdf,
  family: 'LogNormal',
  stan: 'lognormal_lpdf',
  doc: 'log x ~ Normal(mu, sigma)',
  params: [
    ['mu', 'real'],
    ['sigma', 'positive'],
  ],
  support: 'positive',
  reparamParams: ['mu', 'sigma'],
  logProb: ([mu, sigma], x) => {
    const pos = P.gt(x, 0);
    const lx = P.log(P.where(pos, x, 1));
    return inSupport(pos, P.sub(normalLp(lx, mu!, sigma!), lx));
  },
  sample: (ps, key, s = []) => P.exp(P.add(ps[0]!, P.mul(ps[1]!, stdNormal(ps, key, s!)))),
  mean: ([mu, sigma]) => P.exp(P.add(mu!, P.mul(0.5, sq(sigma!)))),
  variance: ([mu, sigma]) => P.mul(P.expm1(sq(sigma!)), P.exp(P.add(P.mul(2, mu!), sq(sigma!)))),
});

export const StudentT = define({
  name: 'StudentT',
  fn: 'student_t',
  cdf: studentTCdf,
  family: 'StudentT',
  stan: 'student_t_lpdf',
  doc: 'degrees of freedom nu > 0, location mu, scale sigma > 0 (Stan order)',
  params: [
    ['nu', 'positive'],
    ['mu', 'real'],
    ['sigma', 'positive'],
  ],
  support: 'real',
  reparamParams: ['mu', 'sigma'],
  logProb: ([nu, mu, sigma], x) => {
    const z = P.div(P.sub(x, mu!), sigma!);
    const h = P.mul(0.5, P.add(nu!, 1));
    const c = P.sub(P.sub(lgamma(h), lgamma(P.mul(0.5, nu!))), P.mul(0.5, P.add(P.log(nu!), LOG_PI)));
    return P.sub(P.sub(c, P.log(sigma!)), P.mul(h, P.log1p(P.div(sq(z), nu!))));
  },
  sample: (ps, key, s = []) => {
    const [nu, mu, sigma] = ps;
    const [k1, k2] = P.splitKey(key, 2);
    const shape = outShape(ps, s!);
    const z = P.normal(k1!, shape, floatDtype(ps));
    // chi2(nu)/nu = 2 G / nu with G ~ Gamma(nu/2, 1)
    const lg = logStdGamma(k2!, P.mul(0.5, nu!), shape, floatDtype(ps));
    const scale = P.exp(P.mul(-0.5, P.sub(P.add(lg, LOG2), P.log(P.stopGradient(nu!)))));
    return P.add(mu!, P.mul(sigma!, P.mul(z, scale)));
  },
  mean: (ps) => nanUnless(P.gt(ps[0]!, 1), bc(ps[1]!, ps)),
  variance: ([nu, mu, sigma]) => {
    const v = P.div(P.mul(sq(sigma!), nu!), P.sub(nu!, 2));
    return bc(P.where(P.gt(nu!, 2), v, P.where(P.gt(nu!, 1), Infinity, NaN)), [nu!, mu!, sigma!]);
  },
});

export const Cauchy = define({
  name: 'Cauchy',
  fn: 'cauchy',
  cdf: cauchyCdf,
  family: 'Cauchy',
  stan: 'cauchy_lpdf',
  doc: 'location mu, scale sigma > 0; no mean or variance',
  params: [
    ['mu', 'real'],
    ['sigma', 'positive'],
  ],
  support: 'real',
  reparamParams: ['mu', 'sigma'],
  logProb: ([mu, sigma], x) => P.sub(P.sub(P.neg(P.log(sigma!)), LOG_PI), P.log1p(sq(P.div(P.sub(x, mu!), sigma!)))),
  sample: (ps, key, s = []) => {
    const t = P.mul(Math.PI, P.sub(unif(ps, key, s!), 0.5));
    return P.add(ps[0]!, P.mul(ps[1]!, P.div(P.sin(t), P.cos(t))));
  },
});

export const HalfCauchy = define({
  name: 'HalfCauchy',
  fn: 'half_cauchy',
  cdf: halfCauchyCdf,
  family: 'HalfCauchy',
  stan: 'cauchy_lpdf(x | 0, sigma) + log 2, x >= 0',
  doc: 'scale sigma > 0; the Cauchy folded at 0; no mean or variance',
  params: [['sigma', 'positive']],
  support: 'nonnegative',
  reparamParams: ['sigma'],
  logProb: ([sigma], x) =>
    inSupport(P.ge(x, 0), P.sub(P.sub(P.sub(LOG2, P.log(sigma!)), LOG_PI), P.log1p(sq(P.div(x, sigma!))))),
  sample: (ps, key, s = []) => {
    const t = P.mul(0.5 * Math.PI, unif(ps, key, s!));
    return P.mul(ps[0]!, P.div(P.sin(t), P.cos(t)));
  },
});

export const Laplace = define({
  name: 'Laplace',
  fn: 'double_exponential',
  cdf: laplaceCdf,
  family: 'Laplace',
  stan: 'double_exponential_lpdf',
  doc: 'location mu, scale b > 0',
  params: [
    ['mu', 'real'],
    ['b', 'positive'],
  ],
  support: 'real',
  smooth: false,
  reparamParams: ['mu', 'b'],
  logProb: ([mu, b], x) => P.sub(P.neg(P.log(P.mul(2, b!))), P.div(P.abs(P.sub(x, mu!)), b!)),
  sample: (ps, key, s = []) => {
    const u = P.sub(unif(ps, key, s!), 0.5);
    return P.sub(ps[0]!, P.mul(P.mul(ps[1]!, P.sign(u)), P.log1p(P.mul(-2, P.abs(u)))));
  },
  mean: (ps) => bc(ps[0]!, ps),
  variance: (ps) => bc(P.mul(2, sq(ps[1]!)), ps),
});

export const Logistic = define({
  name: 'Logistic',
  fn: 'logistic',
  cdf: logisticCdf,
  family: 'Logistic',
  stan: 'logistic_lpdf',
  doc: 'location mu, scale s > 0',
  params: [
    ['mu', 'real'],
    ['s', 'positive'],
  ],
  support: 'real',
  reparamParams: ['mu', 's'],
  logProb: ([mu, s], x) => {
    const z = P.div(P.sub(x, mu!), s!);
    return P.sub(P.sub(P.neg(z), P.log(s!)), P.mul(2, P.softplus(P.neg(z))));
  },
  sample: (ps, key, s = []) => {
    const u = unif(ps, key, s!);
    return P.add(ps[0]!, P.mul(ps[1]!, P.sub(P.log(u), P.log1p(P.neg(u)))));
  },
  mean: (ps) => bc(ps[0]!, ps),
  variance: (ps) => bc(P.mul((Math.PI * Math.PI) / 3, sq(ps[1]!)), ps),
});

export const Exponential = define({
  name: 'Exponential',
  fn: 'exponential',
  cdf: exponentialCdf,
  family: 'Exponential',
  stan: 'exponential_lpdf',
  doc: 'rate lambda > 0 (mean 1/lambda)',
  params: [['rate', 'positive']],
  support: 'nonnegative',
  reparamParams: ['rate'],
  logProb: ([rate], x) => inSupport(P.ge(x, 0), P.sub(P.log(rate!), P.mul(rate!, x))),
  sample: (ps, key, s = []) => P.div(P.neg(P.log(unif(ps, key, s!))), ps[0]!),
  mean: ([rate]) => P.div(1, rate!),
  variance: ([rate]) => P.div(1, sq(rate!)),
});

export const Gamma = define({
  name: 'Gamma',
  fn: 'gamma',
  cdf: gammaCdf,
  family: 'Gamma',
  stan: 'gamma_lpdf',
  doc: 'shape alpha > 0, rate beta > 0 (Stan convention: mean alpha/beta)',
  params: [
    ['alpha', 'positive'],
    ['beta', 'positive'],
  ],
  support: 'positive',
  reparamParams: ['beta'],
  logProb: ([alpha, beta], x) => {
    const pos = P.gt(x, 0);
    const xs = P.where(pos, x, 1);
    const lp = P.sub(
      P.add(P.sub(P.mul(alpha!, P.log(beta!)), lgamma(alpha!)), xlogy(P.sub(alpha!, 1), xs)),
      P.mul(beta!, xs),
    );
    return inSupport(pos, lp);
  },
  sample: (ps, key, s = []) => P.div(P.exp(logStdGamma(key, ps[0]!, outShape(ps, s!), floatDtype(ps))), ps[1]!),
  mean: ([a, b]) => P.div(a!, b!),
  variance: ([a, b]) => P.div(a!, sq(b!)),
});

export const InverseGamma = define({
  name: 'InverseGamma',
  fn: 'inv_gamma',
  cdf: inverseGammaCdf,
  family: 'InverseGamma',
  stan: 'inv_gamma_lpdf',
  doc: 'shape alpha > 0, scale beta > 0 (1/x ~ Gamma(alpha, rate beta))',
  params: [
    ['alpha', 'positive'],
    ['beta', 'positive'],
  ],
  support: 'positive',
  reparamParams: ['beta'],
  logProb: ([alpha, beta], x) => {
    const pos = P.gt(x, 0);
    const xs = P.where(pos, x, 1);
    const lp = P.sub(
      P.sub(P.sub(P.mul(alpha!, P.log(beta!)), lgamma(alpha!)), P.mul(P.add(alpha!, 1), P.log(xs))),
      P.div(beta!, xs),
    );
    return inSupport(pos, lp);
  },
  sample: (ps, key, s = []) => P.mul(ps[1]!, P.exp(P.neg(logStdGamma(key, ps[0]!, outShape(ps, s!), floatDtype(ps))))),
  mean: ([a, b]) => nanUnless(P.gt(a!, 1), P.div(b!, P.sub(a!, 1))),
  variance: ([a, b]) => {
    const am1 = P.sub(a!, 1);
    return P.where(P.gt(a!, 2), P.div(sq(b!), P.mul(sq(am1), P.sub(a!, 2))), P.where(P.gt(a!, 1), Infinity, NaN));
  },
});

/** log of a Beta(a, b) draw and of its complement, from two log-gammas (no underflow). */
export function logBetaDraw(
  key: Tracer,
  a: Tracer,
  b: Tracer,
  shape: Shape,
  dtype: 'float32' | 'float64' = 'float64',
): [Tracer, Tracer] {
  const [k1, k2] = P.splitKey(key, 2);
  const la = logStdGamma(k1!, a, shape, dtype);
  const lb = logStdGamma(k2!, b, shape, dtype);
  const m = P.maximum(la, lb);
  const lse = P.add(m, P.log(P.add(P.exp(P.sub(la, m)), P.exp(P.sub(lb, m)))));
  return [P.sub(la, lse), P.sub(lb, lse)];
}

export const Beta = define({
  name: 'Beta',
  fn: 'beta',
  cdf: betaCdf,
  family: 'Beta',
  stan: 'beta_lpdf',
  doc: 'shapes alpha > 0, beta > 0 (mean alpha/(alpha+beta))',
  params: [
    ['alpha', 'positive'],
    ['beta', 'positive'],
  ],
  support: 'unit_interval',
  reparamParams: [],
  logProb: ([a, b], x) => {
    const ok = P.and(P.ge(x, 0), P.le(x, 1));
    const xs = P.where(ok, x, 0.5);
    return inSupport(ok, P.sub(P.add(xlogy(P.sub(a!, 1), xs), xlog1py(P.sub(b!, 1), P.neg(xs))), lbeta(a!, b!)));
  },
  sample: (ps, key, s = []) =>
    P.exp(logBetaDraw(key, ps[0]!, ps[1]!, outShape(ps, s!), floatDtype(ps) as 'float64')[0]),
  mean: ([a, b]) => P.div(a!, P.add(a!, b!)),
  variance: ([a, b]) => {
    const t = P.add(a!, b!);
    return P.div(P.mul(a!, b!), P.mul(sq(t), P.add(t, 1)));
  },
});

export const Uniform = define({
  name: 'Uniform',
  fn: 'uniform',
  cdf: uniformCdf,
  family: 'Uniform',
  stan: 'uniform_lpdf',
  doc: 'bounds lower < upper',
  params: [
    ['lower', 'real'],
    ['upper', 'real'],
  ],
  support: { kind: 'interval', eventRank: 0, discrete: false, lower: 'lower', upper: 'upper' },
  reparamParams: ['lower', 'upper'],
  logProb: ([lo, hi], x) =>
    inSupport(P.and(P.ge(x, lo!), P.le(x, hi!)), P.add(P.neg(P.log(P.sub(hi!, lo!))), P.mul(0, x))),
  sample: (ps, key, s = []) =>
    P.add(ps[0]!, P.mul(P.sub(ps[1]!, ps[0]!), P.uniform(key, outShape(ps, s!), floatDtype(ps)))),
  mean: ([lo, hi]) => P.mul(0.5, P.add(lo!, hi!)),
  variance: ([lo, hi]) => P.div(sq(P.sub(hi!, lo!)), 12),
});

export const Weibull = define({
  name: 'Weibull',
  fn: 'weibull',
  cdf: weibullCdf,
  family: 'Weibull',
  stan: 'weibull_lpdf',
  doc: 'shape alpha > 0, scale sigma > 0',
  params: [
    ['alpha', 'positive'],
    ['sigma', 'positive'],
  ],
  support: 'nonnegative',
  reparamParams: ['alpha', 'sigma'],
  logProb: ([alpha, sigma], x) => {
    const ok = P.ge(x, 0);
    const z = P.div(P.where(ok, x, 1), sigma!);
    const lp = P.sub(P.add(P.sub(P.log(alpha!), P.log(sigma!)), xlogy(P.sub(alpha!, 1), z)), P.pow(z, alpha!));
    return inSupport(ok, lp);
  },
  // the inverse CDF: sigma (-log U)^(1 / alpha), pathwise in both parameters
  sample: (ps, key, s = []) => P.mul(ps[1]!, P.pow(P.neg(P.log(unif(ps, key, s!))), P.div(1, ps[0]!))),
  mean: ([a, sg]) => P.mul(sg!, P.exp(lgamma(P.add(1, P.div(1, a!))))),
  variance: ([a, sg]) =>
    P.mul(sq(sg!), P.sub(P.exp(lgamma(P.add(1, P.div(2, a!)))), P.exp(P.mul(2, lgamma(P.add(1, P.div(1, a!))))))),
});

/** The Euler-Mascheroni constant (the Gumbel mean's offset). */
const EULER_GAMMA = 0.5772156649015329;

export const Gumbel = define({
  name: 'Gumbel',
  fn: 'gumbel',
  cdf: gumbelCdf,
  family: 'Gumbel',
  stan: 'gumbel_lpdf',
  doc: 'location mu, scale beta > 0',
  params: [
    ['mu', 'real'],
    ['beta', 'positive'],
  ],
  support: 'real',
  reparamParams: ['mu', 'beta'],
  logProb: ([mu, beta], x) => {
    const z = P.div(P.sub(x, mu!), beta!);
    return P.sub(P.sub(P.neg(P.log(beta!)), z), P.exp(P.neg(z)));
  },
  // the inverse CDF: mu - beta log(-log U)
  sample: (ps, key, s = []) => P.sub(ps[0]!, P.mul(ps[1]!, P.log(P.neg(P.log(unif(ps, key, s!)))))),
  mean: ([mu, beta]) => P.add(mu!, P.mul(EULER_GAMMA, beta!)),
  variance: (ps) => bc(P.mul((Math.PI * Math.PI) / 6, sq(ps[1]!)), ps),
});
