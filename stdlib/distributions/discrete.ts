// Discrete distributions. Values are integers carried in any dtype (int32 or whole floats);
// non-integer or out-of-range values have log-mass -inf. Draws are int32. No discrete draw is
// reparameterizable. Category values are 0-based (0..K-1).

import { ops as P, type Shape, type Tracer } from '../../runtime/index.js';
import { lgamma, lchoose, log1mexp, xlogy, xlog1py } from '../special/index.js';
import { batchShape, inSupport, isInt, oneHot, openUniform } from './common.js';
import { define } from './define.js';
import {
  bernoulliCdf,
  bernoulliLogitsCdf,
  binomialCdf,
  binomialLogitsCdf,
  poissonCdf,
  poissonLogCdf,
  geometricCdf,
  negativeBinomialCdf,
  negativeBinomial2Cdf,
} from './cdfs.js';
import { logStdGamma, poissonDraw, binomialDraw } from './samplers.js';

const outShape = (ps: readonly Tracer[], s: Shape, ranks?: number[]): Shape => [
  ...s,
  ...batchShape(ps, ranks ?? ps.map(() => 0)),
];
const toInt = (x: Tracer) => P.cast(x, 'int32');
const sq = (x: Tracer) => P.mul(x, x);
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
const natural = (x: Tracer) => P.and(P.ge(x, 0), isInt(x));

export const Bernoulli = define({
  name: 'Bernoulli',
  fn: 'bernoulli',
  cdf: bernoulliCdf,
  family: 'Bernoulli',
  stan: 'bernoulli_lpmf',
  doc: 'success probability p in [0, 1]; values 0 or 1',
  params: [['probs', 'unit_interval']],
  support: 'boolean',
  reparamParams: [],
  logProb: ([p], x) => {
    const one = P.eq(x, 1);
    const lp = P.where(one, P.log(P.where(one, p!, 0.5)), P.log1p(P.neg(P.where(one, 0.5, p!))));
    return inSupport(P.or(one, P.eq(x, 0)), lp);
  },
  sample: (ps, key, s = []) => toInt(P.lt(P.uniform(key, outShape(ps, s!)), ps[0]!)),
  mean: ([p]) => p!,
  variance: ([p]) => P.mul(p!, P.sub(1, p!)),
  enumerate: () => P.constant([0, 1], 'int32'),
});

export const BernoulliLogits = define({
  name: 'BernoulliLogits',
  fn: 'bernoulli_logit',
  cdf: bernoulliLogitsCdf,
  family: 'Bernoulli',
  stan: 'bernoulli_logit_lpmf',
  doc: 'log-odds logits (p = sigmoid(logits)); values 0 or 1',
  params: [['logits', 'real']],
  support: 'boolean',
  reparamParams: [],
  logProb: ([l], x) => {
    const one = P.eq(x, 1);
    return inSupport(P.or(one, P.eq(x, 0)), P.logSigmoid(P.where(one, l!, P.neg(l!))));
  },
  sample: (ps, key, s = []) => toInt(P.lt(P.uniform(key, outShape(ps, s!)), P.sigmoid(ps[0]!))),
  mean: ([l]) => P.sigmoid(l!),
  variance: ([l]) => P.mul(P.sigmoid(l!), P.sigmoid(P.neg(l!))),
  enumerate: () => P.constant([0, 1], 'int32'),
});

const binSupport = { kind: 'bounded_integer', eventRank: 0, discrete: true, lower: 0, upper: 'n' } as const;

export const Binomial = define({
  name: 'Binomial',
  fn: 'binomial',
  cdf: binomialCdf,
  family: 'Binomial',
  stan: 'binomial_lpmf',
  doc: 'trials n >= 0 (integer), success probability p in [0, 1]; values 0..n',
  params: [
    ['n', 'nonnegative_integer'],
    ['probs', 'unit_interval'],
  ],
  support: binSupport,
  reparamParams: [],
  logProb: ([n, p], k) => {
    const ok = P.and(natural(k), P.le(k, n!));
    const ks = P.where(ok, k, 0);
    const lp = P.add(P.add(lchoose(n!, ks), xlogy(ks, p!)), xlog1py(P.sub(n!, ks), P.neg(p!)));
    return inSupport(ok, lp);
  },
  sample: (ps, key, s = []) => toInt(binomialDraw(key, ps[0]!, ps[1]!, outShape(ps, s!))),
  mean: ([n, p]) => P.mul(n!, p!),
  variance: ([n, p]) => P.mul(P.mul(n!, p!), P.sub(1, p!)),
});

export const BinomialLogits = define({
  name: 'BinomialLogits',
  fn: 'binomial_logit',
  cdf: binomialLogitsCdf,
  family: 'Binomial',
  stan: 'binomial_logit_lpmf',
  doc: 'trials n >= 0 (integer), log-odds logits; values 0..n',
  params: [
    ['n', 'nonnegative_integer'],
    ['logits', 'real'],
  ],
  support: binSupport,
  reparamParams: [],
  logProb: ([n, l], k) => {
    const ok = P.and(natural(k), P.le(k, n!));
    const ks = P.where(ok, k, 0);
    const lp = P.add(
      P.add(lchoose(n!, ks), P.mul(ks, P.logSigmoid(l!))),
      P.mul(P.sub(n!, ks), P.logSigmoid(P.neg(l!))),
    );
    return inSupport(ok, lp);
  },
  sample: (ps, key, s = []) => toInt(binomialDraw(key, ps[0]!, P.sigmoid(ps[1]!), outShape(ps, s!))),
  mean: ([n, l]) => P.mul(n!, P.sigmoid(l!)),
  variance: ([n, l]) => P.mul(P.mul(n!, P.sigmoid(l!)), P.sigmoid(P.neg(l!))),
});

export const Poisson = define({
  name: 'Poisson',
  fn: 'poisson',
  cdf: poissonCdf,
  family: 'Poisson',
  stan: 'poisson_lpmf',
  doc: 'rate lambda >= 0; values 0, 1, 2, ...',
  params: [['rate', 'nonnegative']],
  support: 'nonnegative_integer',
  reparamParams: [],
  logProb: ([lam], k) => {
    const ok = natural(k);
    const ks = P.where(ok, k, 0);
    return inSupport(ok, P.sub(P.sub(xlogy(ks, lam!), lam!), lgamma(P.add(ks, 1))));
  },
  sample: (ps, key, s = []) => toInt(poissonDraw(key, ps[0]!, outShape(ps, s!))),
  mean: ([lam]) => lam!,
  variance: ([lam]) => lam!,
});

export const PoissonLog = define({
  name: 'PoissonLog',
  fn: 'poisson_log',
  cdf: poissonLogCdf,
  family: 'Poisson',
  stan: 'poisson_log_lpmf',
  doc: 'log rate alpha (lambda = exp(alpha)); values 0, 1, 2, ...',
  params: [['log_rate', 'real']],
  support: 'nonnegative_integer',
  reparamParams: [],
  logProb: ([a], k) => {
    const ok = natural(k);
    const ks = P.where(ok, k, 0);
    return inSupport(ok, P.sub(P.sub(P.mul(ks, a!), P.exp(a!)), lgamma(P.add(ks, 1))));
  },
  sample: (ps, key, s = []) => toInt(poissonDraw(key, P.exp(ps[0]!), outShape(ps, s!))),
  mean: ([a]) => P.exp(a!),
  variance: ([a]) => P.exp(a!),
});

const catSupport = { kind: 'category', eventRank: 0, discrete: true, lower: 0, upper: 'K-1' } as const;
const K = (t: Tracer) => t.shape[t.rank - 1]!;
const catMoments = (p: Tracer): [Tracer, Tracer] => {
  const ks = P.iota([K(p)], 0, p.dtype);
  const m = P.sum(P.mul(p, ks), -1);
  return [m, P.sub(P.sum(P.mul(p, P.mul(ks, ks)), -1), P.mul(m, m))];
};
const gumbelMax = (logits: Tracer, key: Tracer, s: Shape) => {
  const u = openUniform(key, [...s, ...logits.shape]);
  return P.argmax(P.sub(logits, P.log(P.neg(P.log(u)))), -1);
};

export const Categorical = define({
  name: 'Categorical',
  fn: 'categorical',
  family: 'Categorical',
  stan: 'categorical_lpmf (0-based values)',
  doc: 'probabilities p (simplex, last axis K); values 0..K-1',
  params: [['probs', 'simplex', 1]],
  support: catSupport,
  reparamParams: [],
  logProb: ([p], x) => P.log(P.sum(P.where(oneHot(x, K(p!)), p!, 0), -1)),
  sample: ([p], key, s = []) => gumbelMax(P.log(p!), key, s!),
  mean: ([p]) => catMoments(p!)[0],
  variance: ([p]) => catMoments(p!)[1],
  enumerate: ([p]) => P.iota([K(p!)], 0, 'int32'),
});

export const CategoricalLogits = define({
  name: 'CategoricalLogits',
  fn: 'categorical_logit',
  family: 'Categorical',
  stan: 'categorical_logit_lpmf (0-based values)',
  doc: 'unnormalized log-probabilities logits (last axis K); values 0..K-1',
  params: [['logits', 'real_vector', 1]],
  support: catSupport,
  reparamParams: [],
  logProb: ([l], x) => {
    const oh = oneHot(x, K(l!));
    const hit = P.gt(P.sum(P.cast(oh, 'float64'), -1), 0);
    return inSupport(hit, P.sum(P.where(oh, P.logSoftmax(l!, -1), 0), -1));
  },
  sample: ([l], key, s = []) => gumbelMax(l!, key, s!),
  mean: ([l]) => catMoments(P.softmax(l!, -1))[0],
  variance: ([l]) => catMoments(P.softmax(l!, -1))[1],
  enumerate: ([l]) => P.iota([K(l!)], 0, 'int32'),
});

/** log P(y = k), k = 0..K-1, of the ordered logistic: P(y = k) = inv_logit(eta - c[k-1]) -
 *  inv_logit(eta - c[k]) with c[-1] = -inf and c[K-1] = +inf, written as
 *  log_inv_logit(a) + log_inv_logit(-b) + log1m_exp(b - a) (a = eta - c[k-1] > b = eta - c[k]), and
 *  the end categories as log_inv_logit(-b) and log_inv_logit(a); every branch stays finite, so
 *  the selection by `where` carries clean derivatives (cutpoints out of order give NaN). [..., K] for eta [...] and cutpoints [K-1]. */
function orderedLogisticLogProbs(eta: Tracer, c: Tracer): Tracer {
  const n = K(c);
  const e = P.reshape(eta, [...eta.shape, 1]);
  // lower and upper cutpoints of each category, the missing ends padded with a neighbour (finite)
  const lo = P.concat([P.slice(c, [...c.shape.slice(0, -1).map(() => 0), 0], [...c.shape.slice(0, -1), 1]), c], -1);
  const hi = P.concat([c, P.slice(c, [...c.shape.slice(0, -1).map(() => 0), n - 1], [...c.shape.slice(0, -1), n])], -1);
  const a = P.sub(e, lo);
  const b = P.sub(e, hi);
  const middle = P.add(
    P.add(P.logSigmoid(a), P.logSigmoid(P.neg(b))),
    log1mexp(P.sub(b, P.where(P.le(a, b), P.add(b, 1), a))),
  );
  // cutpoints out of order leave a middle category a negative mass: NaN, never a silent value
  const checked = P.where(P.le(a, b), NaN, middle);
  const k = P.iota([n + 1], 0);
  return P.where(P.eq(k, 0), P.logSigmoid(P.neg(b)), P.where(P.eq(k, n), P.logSigmoid(a), checked));
}

export const OrderedLogistic = define({
  name: 'OrderedLogistic',
  fn: 'ordered_logistic',
  family: 'OrderedLogistic',
  stan: 'ordered_logistic_lpmf (0-based values)',
  doc: 'location eta, ordered cutpoints c (last axis K-1); values 0..K-1',
  params: [
    ['eta', 'real'],
    ['c', 'real_vector', 1],
  ],
  support: { kind: 'category', eventRank: 0, discrete: true, lower: 0, upper: 'K-1' },
  reparamParams: [],
  logProb: ([eta, c], x) => {
    const lps = orderedLogisticLogProbs(eta!, c!);
    const oh = oneHot(x, K(lps));
    const hit = P.gt(P.sum(P.cast(oh, 'float64'), -1), 0);
    return inSupport(hit, P.sum(P.where(oh, lps, 0), -1));
  },
  sample: ([eta, c], key, s = []) => gumbelMax(orderedLogisticLogProbs(eta!, c!), key, s!),
  mean: ([eta, c]) => catMoments(P.exp(orderedLogisticLogProbs(eta!, c!)))[0],
  variance: ([eta, c]) => catMoments(P.exp(orderedLogisticLogProbs(eta!, c!)))[1],
  enumerate: ([, c]) => P.iota([K(c!) + 1], 0, 'int32'),
});

export const Geometric = define({
  name: 'Geometric',
  fn: 'geometric',
  cdf: geometricCdf,
  family: 'Geometric',
  stan: '(none) p (1 - p)^k',
  doc: 'success probability p in (0, 1]; values = failures before the first success, 0, 1, 2, ...',
  params: [['probs', 'unit_interval']],
  support: 'nonnegative_integer',
  reparamParams: [],
  logProb: ([p], k) => {
    const ok = natural(k);
    const ks = P.where(ok, k, 0);
    return inSupport(ok, P.add(P.log(p!), xlog1py(ks, P.neg(p!))));
  },
  sample: (ps, key, s = []) => {
    const u = openUniform(key, outShape(ps, s!));
    const p = P.stopGradient(ps[0]!);
    const one = P.eq(p, 1);
    return toInt(P.where(one, 0, P.floor(P.div(P.log(u), P.log1p(P.neg(P.where(one, 0.5, p)))))));
  },
  mean: ([p]) => P.div(P.sub(1, p!), p!),
  variance: ([p]) => P.div(P.sub(1, p!), sq(p!)),
});

/** Poisson(Gamma(shape, 1) / rate) draws: the gamma-Poisson mixture behind both negative binomials. */
const gammaPoisson = (key: Tracer, shape: Tracer, scale: Tracer, out: Shape) => {
  const [k1, k2] = P.splitKey(key, 2);
  const lam = P.mul(P.exp(logStdGamma(k1!, shape, out)), scale);
  return toInt(poissonDraw(k2!, lam, out));
};

export const NegativeBinomial = define({
  name: 'NegativeBinomial',
  fn: 'neg_binomial',
  cdf: negativeBinomialCdf,
  family: 'NegativeBinomial',
  stan: 'neg_binomial_lpmf',
  doc: 'shape alpha > 0, inverse scale beta > 0 (Stan: mean alpha/beta, variance alpha/beta^2 (beta + 1))',
  params: [
    ['alpha', 'positive'],
    ['beta', 'positive'],
  ],
  support: 'nonnegative_integer',
  reparamParams: [],
  logProb: ([a, b], k) => {
    const ok = natural(k);
    const ks = P.where(ok, k, 0);
    const lp = P.add(
      P.sub(P.sub(lgamma(P.add(ks, a!)), lgamma(P.add(ks, 1))), lgamma(a!)),
      P.sub(P.mul(a!, P.log(b!)), P.mul(P.add(a!, ks), P.log1p(b!))),
    );
    return inSupport(ok, lp);
  },
  sample: (ps, key, s = []) => gammaPoisson(key, ps[0]!, P.div(1, ps[1]!), outShape(ps, s!)),
  mean: ([a, b]) => P.div(a!, b!),
  variance: ([a, b]) => P.div(P.mul(a!, P.add(b!, 1)), sq(b!)),
});

export const NegativeBinomial2 = define({
  name: 'NegativeBinomial2',
  fn: 'neg_binomial_2',
  cdf: negativeBinomial2Cdf,
  family: 'NegativeBinomial',
  stan: 'neg_binomial_2_lpmf',
  doc: 'mean mu > 0, concentration phi > 0 (Stan: variance mu + mu^2/phi)',
  params: [
    ['mu', 'positive'],
    ['phi', 'positive'],
  ],
  support: 'nonnegative_integer',
  reparamParams: [],
  logProb: ([mu, phi], k) => {
    const ok = natural(k);
    const ks = P.where(ok, k, 0);
    const lmp = P.log(P.add(mu!, phi!));
    const lp = P.add(
      P.sub(P.sub(lgamma(P.add(ks, phi!)), lgamma(P.add(ks, 1))), lgamma(phi!)),
      P.add(P.sub(xlogy(ks, mu!), P.mul(ks, lmp)), P.mul(phi!, P.sub(P.log(phi!), lmp))),
    );
    return inSupport(ok, lp);
  },
  sample: (ps, key, s = []) => gammaPoisson(key, ps[1]!, P.div(ps[0]!, ps[1]!), outShape(ps, s!)),
  mean: (ps) => bc(ps[0]!, ps),
  variance: ([mu, phi]) => P.add(mu!, P.div(sq(mu!), phi!)),
});
