// Regularized incomplete gamma and beta functions, in log space, for the CDFs of the gamma,
// Poisson, beta, Student t, binomial and negative binomial families.
//
//   P(a, x) = gamma(a, x) / Gamma(a)        Q = 1 - P          (a > 0, x >= 0)
//   I_x(a, b) = B(x; a, b) / B(a, b)        1 - I_x = I_{1-x}(b, a)   (a, b > 0, 0 <= x <= 1)
//
// Each is the classic pair of a power series and a continued fraction (Numerical Recipes 6.2,
// 6.4), run for a fixed number of terms as one `scan` (so the graph does not grow with the
// number of terms, and derivatives of every order in x and in the parameters come from the scan
// rules): the series where it converges fast (x < a + 1; x < (a + 1)/(a + b + 2)), the continued
// fraction (modified Lentz) elsewhere, and the complement by log1m_exp. Everything is in logs:
// the prefactor x^a e^-x / Gamma(a) (resp. x^a (1-x)^b / (a B(a, b))) is added as a logarithm, so
// tail probabilities far below 1e-308 stay finite. Branches use the double-where pattern.
// TERMS terms reach double precision while the number of terms needed, which grows like
// sqrt(a) (resp. sqrt(max(a, b))), stays below it: measured in tests/stdlib/incomplete.test.ts
// (relative error of the log under 1e-12 for a, b up to 1000).

import { broadcastShapes, ops as P, type Tracer } from '../../runtime/index.js';
import { fl, type TLike } from './series.js';
import { lgamma } from './lgamma.js';
import { lbeta } from './lbeta.js';
import { log1mexp } from './logexp.js';

export const INCOMPLETE_TERMS = 192;
const TINY = 1e-300;

/** Broadcasts float tensors to one shape. */
function common(xs: Tracer[]): Tracer[] {
  let shape: number[] = [];
  for (const x of xs) {
    const s = broadcastShapes(shape, x.shape);
    if (!s) throw new Error(`shapes [${shape}] and [${x.shape}] do not broadcast`);
    shape = s;
  }
  return xs.map((x) => P.broadcastTo(x, shape));
}

/** |v| floored at TINY, keeping the sign (Lentz's guard against a zero denominator). */
const guard = (v: Tracer): Tracer => P.where(P.lt(P.abs(v), TINY), TINY, v);

/** sum_{n >= 0} prod_{k=1..n} x / (a + k): the series of P(a, x) without its prefactor. */
function gammaSeries(a: Tracer, x: Tracer): Tracer {
  const { carry } = P.scan(
    (c, [k]) => {
      const term = P.div(P.mul(c[0]!, x), P.add(a, k!));
      return [[term, P.add(c[1]!, term)], []];
    },
    [P.onesLike(x), P.onesLike(x)],
    [P.add(P.arange(INCOMPLETE_TERMS), 1)],
  );
  return carry[1]!;
}

/** The continued fraction of Q(a, x) without its prefactor (modified Lentz). */
function gammaFraction(a: Tracer, x: Tracer): Tracer {
  const b0 = P.sub(P.add(x, 1), a);
  const { carry } = P.scan(
    (c, [i]) => {
      const [cc, d, h] = c as [Tracer, Tracer, Tracer];
      const an = P.mul(P.neg(i!), P.sub(i!, a));
      const b = P.add(b0, P.mul(2, i!));
      const dn = P.div(1, guard(P.add(P.mul(an, d), b)));
      const cn = guard(P.add(b, P.div(an, cc)));
      return [[cn, dn, P.mul(h, P.mul(dn, cn))], []];
    },
    [P.fullLike(x, 1 / TINY), P.div(1, guard(b0)), P.div(1, guard(b0))],
    [P.add(P.arange(INCOMPLETE_TERMS), 1)],
  );
  return carry[2]!;
}

/** log P(a, x) and log Q(a, x), elementwise with broadcasting (a > 0, x >= 0). */
export function logGammaPQ(aIn: TLike, xIn: TLike): { logP: Tracer; logQ: Tracer } {
  const [a, x] = common([fl(aIn), fl(xIn)]);
  const pos = P.gt(x, 0);
  const useSeries = P.lt(x, P.add(a, 1));
  // Safe arguments for each branch (the other branch's values never reach a derivative).
  const xp = P.where(pos, x, 1);
  const xs = P.where(useSeries, xp, P.minimum(a, 1));
  const xc = P.where(useSeries, P.add(a, 1), xp);
  const logPs = P.add(P.sub(P.sub(P.mul(a, P.log(xs)), xs), lgamma(P.add(a, 1))), P.log(gammaSeries(a, xs)));
  const logQc = P.add(P.sub(P.sub(P.mul(a, P.log(xc)), xc), lgamma(a)), P.log(gammaFraction(a, xc)));
  const logP = P.where(useSeries, logPs, log1mexp(P.minimum(logQc, 0)));
  const logQ = P.where(useSeries, log1mexp(P.minimum(logPs, 0)), logQc);
  return {
    logP: P.where(pos, logP, -Infinity),
    logQ: P.where(pos, logQ, 0),
  };
}

/** The continued fraction of I_x(a, b) without its prefactor (Numerical Recipes' betacf). */
function betaFraction(a: Tracer, b: Tracer, x: Tracer): Tracer {
  const qab = P.add(a, b);
  const qap = P.add(a, 1);
  const qam = P.sub(a, 1);
  const d0 = P.div(1, guard(P.sub(1, P.div(P.mul(qab, x), qap))));
  const { carry } = P.scan(
    (c, [m]) => {
      const [cc, d, h] = c as [Tracer, Tracer, Tracer];
      const m2 = P.mul(2, m!);
      // even step
      const aa = P.div(P.mul(P.mul(m!, P.sub(b, m!)), x), P.mul(P.add(qam, m2), P.add(a, m2)));
      const d1 = P.div(1, guard(P.add(1, P.mul(aa, d))));
      const c1 = guard(P.add(1, P.div(aa, cc)));
      const h1 = P.mul(h, P.mul(d1, c1));
      // odd step
      const ab = P.div(P.neg(P.mul(P.mul(P.add(a, m!), P.add(qab, m!)), x)), P.mul(P.add(a, m2), P.add(qap, m2)));
      const d2 = P.div(1, guard(P.add(1, P.mul(ab, d1))));
      const c2 = guard(P.add(1, P.div(ab, c1)));
      return [[c2, d2, P.mul(h1, P.mul(d2, c2))], []];
    },
    [P.onesLike(x), d0, d0],
    [P.add(P.arange(INCOMPLETE_TERMS), 1)],
  );
  return carry[2]!;
}

/**
 * log I_x(a, b) and log(1 - I_x(a, b)), elementwise. `xc` is 1 - x computed by the caller when it
 * can be done without cancellation (the Student t CDF passes t^2/(nu + t^2)); by default 1 - x.
 */
export function logIncBeta(aIn: TLike, bIn: TLike, xIn: TLike, xcIn?: TLike): { logI: Tracer; logIc: Tracer } {
  const [a, b, x0, xc0] = common([fl(aIn), fl(bIn), fl(xIn), xcIn === undefined ? P.sub(1, fl(xIn)) : fl(xcIn)]);
  const zero = P.le(x0, 0);
  const one = P.le(xc0, 0);
  const inside = P.not(P.or(zero, one));
  const x = P.where(inside, x0, 0.5);
  const xc = P.where(inside, xc0, 0.5);
  // log of the common prefactor x^a (1-x)^b / B(a, b)
  const logPre = P.sub(P.add(P.mul(a, P.log(x)), P.mul(b, P.log(xc))), lbeta(a, b));
  const direct = P.lt(x, P.div(P.add(a, 1), P.add(P.add(a, b), 2)));
  // Direct: I = pre * cf(a, b, x) / a.   Swapped: 1 - I = pre * cf(b, a, 1 - x) / b.
  const aa = P.where(direct, a, b);
  const bb = P.where(direct, b, a);
  const xx = P.where(direct, x, xc);
  const logSide = P.sub(P.add(logPre, P.log(betaFraction(aa, bb, xx))), P.log(aa));
  const safe = P.minimum(logSide, 0);
  const logI = P.where(direct, logSide, log1mexp(safe));
  const logIc = P.where(direct, log1mexp(safe), logSide);
  return {
    logI: P.where(zero, -Infinity, P.where(one, 0, logI)),
    logIc: P.where(zero, 0, P.where(one, -Infinity, logIc)),
  };
}

/** Stan's gamma_p(a, x): the regularized lower incomplete gamma function. */
export const gammaP = (a: TLike, x: TLike): Tracer => P.exp(logGammaPQ(a, x).logP);
/** Stan's gamma_q(a, x) = 1 - gamma_p(a, x). */
export const gammaQ = (a: TLike, x: TLike): Tracer => P.exp(logGammaPQ(a, x).logQ);
/** Stan's inc_beta(a, b, x): the regularized incomplete beta function. */
export const incBeta = (a: TLike, b: TLike, x: TLike): Tracer => P.exp(logIncBeta(a, b, x).logI);
