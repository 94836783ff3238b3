// Log cumulative distribution functions, log F(x) = log P(X <= x), and their complements
// log(1 - F(x)), for every univariate family: what `_lcdf`, `_lccdf`, `_cdf` and truncation
// (`y ~ D(...) T[lo, hi]`) are made of. Both sides are computed directly in log space (never as
// log(1 - exp(...)) of a value near 1), so tails stay accurate. Below the support lcdf is -inf
// and lccdf 0; above it, 0 and -inf. Discrete families follow Stan: F(k) = P(X <= k) at the
// integer k (a non-integer k counts as floor(k)). Parameters arrive float (define.ts promotes).

import { ops as P, type Tracer } from '../../runtime/index.js';
import { log1mexp, logGammaPQ, logIncBeta, logNdtr, erf, erfcx } from '../special/index.js';

export interface LogCdf {
  lcdf(params: readonly Tracer[], x: Tracer): Tracer;
  lccdf(params: readonly Tracer[], x: Tracer): Tracer;
}

const LOG_HALF = -Math.LN2;
const sq = (x: Tracer) => P.mul(x, x);

/** Below `lo` (excluded): -inf / 0. */
const below = (cond: Tracer, l: Tracer, value: number): Tracer => P.where(cond, value, l);

// ---- continuous ----------------------------------------------------------------------

/** The standard normal on z = (x - mu) / sigma. */
const normalZ = (z: Tracer): { l: Tracer; c: Tracer } => ({ l: logNdtr(z), c: logNdtr(P.neg(z)) });

export const normalCdf: LogCdf = {
  lcdf: ([mu, sigma], x) => normalZ(P.div(P.sub(x, mu!), sigma!)).l,
  lccdf: ([mu, sigma], x) => normalZ(P.div(P.sub(x, mu!), sigma!)).c,
};

/** The normal folded at 0: F(x) = erf(x / (sigma sqrt 2)). */
export const halfNormalCdf: LogCdf = {
  lcdf: ([sigma], x) => {
    const pos = P.gt(x, 0);
    const t = P.div(P.where(pos, x, 1), P.mul(sigma!, Math.SQRT2));
    return below(P.not(pos), P.log(erf(t)), -Infinity);
  },
  lccdf: ([sigma], x) => {
    const pos = P.gt(x, 0);
    const t = P.div(P.where(pos, x, 1), P.mul(sigma!, Math.SQRT2));
    // log erfc(t) = log erfcx(t) - t^2, finite far into the tail
    return below(P.not(pos), P.sub(P.log(erfcx(t)), sq(t)), 0);
  },
};

export const logNormalCdf: LogCdf = {
  lcdf: ([mu, sigma], x) => {
    const pos = P.gt(x, 0);
    return below(P.not(pos), normalCdf.lcdf([mu!, sigma!], P.log(P.where(pos, x, 1))), -Infinity);
  },
  lccdf: ([mu, sigma], x) => {
    const pos = P.gt(x, 0);
    return below(P.not(pos), normalCdf.lccdf([mu!, sigma!], P.log(P.where(pos, x, 1))), 0);
  },
};

/**
 * Student t: with t = (x - mu)/sigma and w = nu/(nu + t^2), the tail beyond |t| is
 * I_w(nu/2, 1/2) / 2; its complement comes from the same incomplete beta with 1 - w = t^2/(nu + t^2)
 * passed exactly.
 */
function studentT(nu: Tracer, mu: Tracer, sigma: Tracer, x: Tracer): { l: Tracer; c: Tracer } {
  const t = P.div(P.sub(x, mu), sigma);
  const d = P.add(nu, sq(t));
  const { logI } = logIncBeta(P.mul(0.5, nu), 0.5, P.div(nu, d), P.div(sq(t), d));
  const tail = P.add(logI, LOG_HALF); // log P(T < -|t|)
  const body = log1mexp(P.minimum(tail, 0)); // log P(T < |t|)
  const neg = P.lt(t, 0);
  return { l: P.where(neg, tail, body), c: P.where(neg, body, tail) };
}

export const studentTCdf: LogCdf = {
  lcdf: ([nu, mu, sigma], x) => studentT(nu!, mu!, sigma!, x).l,
  lccdf: ([nu, mu, sigma], x) => studentT(nu!, mu!, sigma!, x).c,
};

/**
 * Cauchy: F = 1/2 + atan(z)/pi. For |z| > 1 the tail is atan(1/|z|)/pi, which keeps the far
 * tails accurate (no 1/2 - 1/2 cancellation).
 */
function cauchyZ(z: Tracer): { l: Tracer; c: Tracer } {
  const big = P.gt(P.abs(z), 1);
  const zs = P.where(big, 1, z);
  const zb = P.where(big, z, 2);
  const lMid = P.log(P.add(0.5, P.div(P.atan(zs), Math.PI)));
  const cMid = P.log(P.sub(0.5, P.div(P.atan(zs), Math.PI)));
  const tail = P.log(P.div(P.atan(P.div(1, P.abs(zb))), Math.PI)); // log P(Z > |z|)
  const body = P.log1p(P.neg(P.exp(tail)));
  const neg = P.lt(zb, 0);
  return {
    l: P.where(big, P.where(neg, tail, body), lMid),
    c: P.where(big, P.where(neg, body, tail), cMid),
  };
}

export const cauchyCdf: LogCdf = {
  lcdf: ([mu, sigma], x) => cauchyZ(P.div(P.sub(x, mu!), sigma!)).l,
  lccdf: ([mu, sigma], x) => cauchyZ(P.div(P.sub(x, mu!), sigma!)).c,
};

/** The Cauchy folded at 0: F(x) = 2 atan(z)/pi, z = x/sigma; beyond z = 1 through 2 atan(1/z)/pi. */
function halfCauchy(sigma: Tracer, x: Tracer): { l: Tracer; c: Tracer } {
  const pos = P.gt(x, 0);
  const z = P.div(P.where(pos, x, 1), sigma);
  const big = P.gt(z, 1);
  const near = P.mul(2 / Math.PI, P.atan(P.where(big, 1, z))); // F for z <= 1
  const far = P.mul(2 / Math.PI, P.atan(P.div(1, P.where(big, z, 2)))); // 1 - F for z > 1
  const l = P.where(big, P.log1p(P.neg(far)), P.log(near));
  const c = P.where(big, P.log(far), P.log1p(P.neg(near)));
  return { l: below(P.not(pos), l, -Infinity), c: below(P.not(pos), c, 0) };
}

export const halfCauchyCdf: LogCdf = {
  lcdf: ([sigma], x) => halfCauchy(sigma!, x).l,
  lccdf: ([sigma], x) => halfCauchy(sigma!, x).c,
};

/** Laplace: F = exp(z)/2 below mu, 1 - exp(-z)/2 above. */
export const laplaceCdf: LogCdf = {
  lcdf: ([mu, b], x) => {
    const z = P.div(P.sub(x, mu!), b!);
    const neg = P.lt(z, 0);
    const zn = P.where(neg, z, 0);
    const zp = P.where(neg, 0, z);
    return P.where(neg, P.add(zn, LOG_HALF), P.log1p(P.mul(-0.5, P.exp(P.neg(zp)))));
  },
  lccdf: ([mu, b], x) => {
    const z = P.div(P.sub(x, mu!), b!);
    const neg = P.lt(z, 0);
    const zn = P.where(neg, z, 0);
    const zp = P.where(neg, 0, z);
    return P.where(neg, P.log1p(P.mul(-0.5, P.exp(zn))), P.sub(LOG_HALF, zp));
  },
};

export const logisticCdf: LogCdf = {
  lcdf: ([mu, s], x) => P.logSigmoid(P.div(P.sub(x, mu!), s!)),
  lccdf: ([mu, s], x) => P.logSigmoid(P.neg(P.div(P.sub(x, mu!), s!))),
};

export const exponentialCdf: LogCdf = {
  lcdf: ([rate], x) => {
    const pos = P.gt(x, 0);
    return below(P.not(pos), log1mexp(P.neg(P.mul(rate!, P.where(pos, x, 1)))), -Infinity);
  },
  lccdf: ([rate], x) => P.neg(P.mul(rate!, P.maximum(x, 0))),
};

/** Gamma(alpha, rate beta): F = P(alpha, beta x). */
export const gammaCdf: LogCdf = {
  lcdf: ([a, b], x) => logGammaPQ(a!, P.mul(b!, P.maximum(x, 0))).logP,
  lccdf: ([a, b], x) => logGammaPQ(a!, P.mul(b!, P.maximum(x, 0))).logQ,
};

/** InverseGamma(alpha, scale beta): F = Q(alpha, beta / x). */
export const inverseGammaCdf: LogCdf = {
  lcdf: ([a, b], x) => {
    const pos = P.gt(x, 0);
    return below(P.not(pos), logGammaPQ(a!, P.div(b!, P.where(pos, x, 1))).logQ, -Infinity);
  },
  lccdf: ([a, b], x) => {
    const pos = P.gt(x, 0);
    return below(P.not(pos), logGammaPQ(a!, P.div(b!, P.where(pos, x, 1))).logP, 0);
  },
};

export const betaCdf: LogCdf = {
  lcdf: ([a, b], x) => logIncBeta(a!, b!, P.minimum(P.maximum(x, 0), 1)).logI,
  lccdf: ([a, b], x) => logIncBeta(a!, b!, P.minimum(P.maximum(x, 0), 1)).logIc,
};

export const uniformCdf: LogCdf = {
  lcdf: ([lo, hi], x) => P.log(P.minimum(P.maximum(P.div(P.sub(x, lo!), P.sub(hi!, lo!)), 0), 1)),
  lccdf: ([lo, hi], x) => P.log(P.minimum(P.maximum(P.div(P.sub(hi!, x), P.sub(hi!, lo!)), 0), 1)),
};

/** Weibull(shape alpha, scale sigma): F = 1 - exp(-(x / sigma)^alpha) for x >= 0. */
export const weibullCdf: LogCdf = {
  lcdf: ([alpha, sigma], x) => {
    const pos = P.gt(x, 0);
    const t = P.pow(P.div(P.where(pos, x, 1), sigma!), alpha!);
    return below(P.not(pos), log1mexp(P.neg(t)), -Infinity);
  },
  lccdf: ([alpha, sigma], x) => {
    const pos = P.gt(x, 0);
    return P.where(pos, P.neg(P.pow(P.div(P.where(pos, x, 1), sigma!), alpha!)), 0);
  },
};

/** Gumbel(location mu, scale beta): F = exp(-exp(-(x - mu) / beta)). */
export const gumbelCdf: LogCdf = {
  lcdf: ([mu, beta], x) => P.neg(P.exp(P.neg(P.div(P.sub(x, mu!), beta!)))),
  lccdf: ([mu, beta], x) => log1mexp(P.neg(P.exp(P.neg(P.div(P.sub(x, mu!), beta!))))),
};

// ---- discrete ------------------------------------------------------------------------

/** floor(k), with the masks below 0 (F = 0) and, when `n` is given, at or above n (F = 1). */
function counts(k: Tracer, n?: Tracer): { kf: Tracer; neg: Tracer; top: Tracer } {
  const kf = P.floor(k);
  const neg = P.lt(kf, 0);
  const top = n ? P.ge(kf, n) : P.full(kf.shape, 0, 'bool');
  return { kf: P.where(P.or(neg, top), 0, kf), neg, top };
}

const clampDiscrete = (neg: Tracer, top: Tracer, l: Tracer, c: Tracer) => ({
  l: P.where(neg, -Infinity, P.where(top, 0, l)),
  c: P.where(neg, 0, P.where(top, -Infinity, c)),
});

/** Bernoulli from log p and log(1 - p): F(0) = 1 - p. */
function bernoulli(logP: Tracer, logQ: Tracer, k: Tracer): { l: Tracer; c: Tracer } {
  const { neg, top } = counts(k, P.onesLike(k));
  return clampDiscrete(neg, top, logQ, logP);
}

export const bernoulliCdf: LogCdf = {
  lcdf: ([p], k) => bernoulli(P.log(p!), P.log1p(P.neg(p!)), k).l,
  lccdf: ([p], k) => bernoulli(P.log(p!), P.log1p(P.neg(p!)), k).c,
};

export const bernoulliLogitsCdf: LogCdf = {
  lcdf: ([l], k) => bernoulli(P.logSigmoid(l!), P.logSigmoid(P.neg(l!)), k).l,
  lccdf: ([l], k) => bernoulli(P.logSigmoid(l!), P.logSigmoid(P.neg(l!)), k).c,
};

/** Binomial(n, p): P(X <= k) = I_{1-p}(n - k, k + 1) for 0 <= k < n. */
function binomial(n: Tracer, p: Tracer, q: Tracer, k: Tracer): { l: Tracer; c: Tracer } {
  const { kf, neg, top } = counts(k, n);
  const { logI, logIc } = logIncBeta(P.sub(n, kf), P.add(kf, 1), q, p);
  return clampDiscrete(neg, top, logI, logIc);
}

export const binomialCdf: LogCdf = {
  lcdf: ([n, p], k) => binomial(n!, p!, P.sub(1, p!), k).l,
  lccdf: ([n, p], k) => binomial(n!, p!, P.sub(1, p!), k).c,
};

export const binomialLogitsCdf: LogCdf = {
  lcdf: ([n, l], k) => binomial(n!, P.sigmoid(l!), P.sigmoid(P.neg(l!)), k).l,
  lccdf: ([n, l], k) => binomial(n!, P.sigmoid(l!), P.sigmoid(P.neg(l!)), k).c,
};

/** Poisson(lambda): P(X <= k) = Q(k + 1, lambda). */
function poisson(rate: Tracer, k: Tracer): { l: Tracer; c: Tracer } {
  const { kf, neg, top } = counts(k);
  const { logP, logQ } = logGammaPQ(P.add(kf, 1), rate);
  return clampDiscrete(neg, top, logQ, logP);
}

export const poissonCdf: LogCdf = {
  lcdf: ([rate], k) => poisson(rate!, k).l,
  lccdf: ([rate], k) => poisson(rate!, k).c,
};

export const poissonLogCdf: LogCdf = {
  lcdf: ([a], k) => poisson(P.exp(a!), k).l,
  lccdf: ([a], k) => poisson(P.exp(a!), k).c,
};

/** Geometric (failures before the first success): P(X > k) = (1 - p)^(k + 1). */
export const geometricCdf: LogCdf = {
  lcdf: ([p], k) => {
    const { kf, neg, top } = counts(k);
    const c = P.mul(P.add(kf, 1), P.log1p(P.neg(p!)));
    return clampDiscrete(neg, top, log1mexp(P.minimum(c, 0)), c).l;
  },
  lccdf: ([p], k) => {
    const { kf, neg, top } = counts(k);
    const c = P.mul(P.add(kf, 1), P.log1p(P.neg(p!)));
    return clampDiscrete(neg, top, log1mexp(P.minimum(c, 0)), c).c;
  },
};

/** Negative binomial with size r and success probability p: P(X <= k) = I_p(r, k + 1). */
function negBinomial(r: Tracer, p: Tracer, q: Tracer, k: Tracer): { l: Tracer; c: Tracer } {
  const { kf, neg, top } = counts(k);
  const { logI, logIc } = logIncBeta(r, P.add(kf, 1), p, q);
  return clampDiscrete(neg, top, logI, logIc);
}

/** Stan's neg_binomial(alpha, beta): p = beta / (1 + beta). */
export const negativeBinomialCdf: LogCdf = {
  lcdf: ([a, b], k) => negBinomial(a!, P.div(b!, P.add(1, b!)), P.div(1, P.add(1, b!)), k).l,
  lccdf: ([a, b], k) => negBinomial(a!, P.div(b!, P.add(1, b!)), P.div(1, P.add(1, b!)), k).c,
};

/** Stan's neg_binomial_2(mu, phi): p = phi / (mu + phi). */
export const negativeBinomial2Cdf: LogCdf = {
  lcdf: ([mu, phi], k) => {
    const s = P.add(mu!, phi!);
    return negBinomial(phi!, P.div(phi!, s), P.div(mu!, s), k).l;
  },
  lccdf: ([mu, phi], k) => {
    const s = P.add(mu!, phi!);
    return negBinomial(phi!, P.div(phi!, s), P.div(mu!, s), k).c;
  },
};
