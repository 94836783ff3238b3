// Fixed-size (graph-static) samplers for the non-location-scale families. Every loop is a fixed
// number of vectorized rounds, so the graph does not depend on the draws and runs on any backend.
//
// - logStdGamma: log of a Gamma(alpha, 1) draw by Marsaglia & Tsang (2000) with ROUNDS proposals
//   per draw, taking the first accepted one; alpha < 1 uses the boost G(alpha+1) U^(1/alpha). All in
//   log space, so tiny shapes (alpha = 1e-3) do not underflow Beta/Dirichlet draws. The rejection
//   rate is below 4.9 % for every alpha, so all ROUNDS = 8 proposals fail with probability
//   < 3e-11; then the first proposal is used unchecked (its law is the Wilson-Hilferty
//   approximation). alpha gets a stop-gradient: differentiating through an accepted proposal is
//   the biased "rejection reparameterization" without its correction term, so only scale
//   parameters (rates) are pathwise.
// - poisson: lambda < 10 counts Exp(1) arrivals in [0, lambda] with 48 arrivals drawn (P(K >= 48)
//   < 1e-16); lambda >= 10 uses Hörmann's PTRS (1993) with ROUNDS_DISCRETE proposals (acceptance
//   > 0.85 per round; fallback: the rounded mean).
// - binomial: q = min(p, 1 - p); n q < 10 counts geometric waiting times within n trials (48
//   drawn; P(K >= 48) < 1e-16); n q >= 10 uses Hörmann's BTRS with ROUNDS_DISCRETE proposals, the acceptance test with
//   the log-pmf ratio (lgamma of whole numbers by Stirling plus a tail table, lgamma1pWhole). Draws for p > 1/2 are n - K.

import { ops as P, type DType, type Shape, type Tracer } from '../../runtime/index.js';
import { openUniform } from './common.js';

/**
 * lgamma(k + 1) for whole k >= 0, cheaply, for the acceptance tests: Stirling's
 * (k + 1/2) log(k + 1) - (k + 1) + log sqrt(2 pi) plus the tail correction fc(k), from a table for
 * k <= 9 and the series 1/12 - 1/360 + 1/1260 in 1/(k+1) beyond (error < 3e-11, a bias of that
 * size in an acceptance probability).
 */
const FC = [
  0.08106146679532726, 0.04134069595540929, 0.02767792568499834, 0.02079067210376509, 0.01664469118982119,
  0.01387612882307075, 0.01189670994589177, 0.01041126526197209, 0.009255462182712733, 0.008330563433362871,
];
export function lgamma1pWhole(k: Tracer): Tracer {
  const k1 = P.add(k, 1);
  const st = P.add(P.sub(P.mul(P.add(k, 0.5), P.log(k1)), k1), 0.5 * Math.log(2 * Math.PI));
  const small = P.le(k, 9);
  const idx = P.cast(P.where(small, k, 0), 'int32');
  const tab = P.take(P.constant(FC), idx);
  const z = P.div(1, P.mul(k1, k1));
  const ser = P.div(P.sub(1 / 12, P.mul(z, P.sub(1 / 360, P.div(z, 1260)))), k1);
  return P.add(st, P.where(small, tab, ser));
}

export const ROUNDS = 8;
export const ROUNDS_DISCRETE = 12;
const ARRIVALS = 48;

/** The first true entry along axis 0 of a bool [R, ...] mask, as a mask. */
function firstTrue(ok: Tracer): Tracer {
  const cs = P.cumsum(P.cast(ok, 'float64'), 0);
  return P.and(ok, P.eq(cs, 1));
}

/** The entry of v [R, ...] at the first accepted round, else `fallback`. */
function pickFirst(ok: Tracer, v: Tracer, fallback: Tracer): Tracer {
  const first = firstTrue(ok);
  const any = P.gt(P.sum(P.cast(ok, 'float64'), 0), 0);
  return P.where(any, P.sum(P.where(first, v, 0), 0), fallback);
}

/** log G with G ~ Gamma(alpha, 1), shape `shape` (alpha broadcasts to it). No gradient to alpha. */
export function logStdGamma(key: Tracer, alphaIn: Tracer, shape: Shape, dtype: DType = 'float64'): Tracer {
  const alpha = P.broadcastTo(P.stopGradient(P.cast(alphaIn, dtype)), shape);
  const small = P.lt(alpha, 1);
  const ab = P.where(small, P.add(alpha, 1), alpha);
  const d = P.sub(ab, 1 / 3);
  const c = P.div(1, P.sqrt(P.mul(9, d)));
  const [k1, k2, k3] = P.splitKey(key, 3);
  const x = P.normal(k1!, [ROUNDS, ...shape], dtype);
  const u = openUniform(k2!, [ROUNDS, ...shape], dtype);
  const v0 = P.add(1, P.mul(c, x));
  const pos = P.gt(v0, 0);
  const vs = P.where(pos, v0, 1);
  const logv = P.mul(3, P.log(vs));
  const v = P.exp(logv);
  const rhs = P.add(P.add(P.mul(0.5, P.mul(x, x)), d), P.sub(P.mul(d, logv), P.mul(d, v)));
  const ok = P.and(pos, P.lt(P.log(u), rhs));
  const lv = pickFirst(ok, logv, P.index(logv, 0));
  let lg = P.add(P.log(d), lv);
  const ub = openUniform(k3!, shape, dtype);
  lg = P.add(lg, P.where(small, P.div(P.log(ub), P.where(small, alpha, 1)), 0));
  return lg;
}

/** Poisson(lambda) draws (float values), shape `shape`. Not differentiable. */
export function poissonDraw(key: Tracer, lamIn: Tracer, shape: Shape): Tracer {
  const lam = P.broadcastTo(P.stopGradient(P.cast(lamIn, 'float64')), shape);
  const [k1, k2, k3] = P.splitKey(key, 3);
  const small = P.lt(lam, 10);
  // Small: arrivals of a unit-rate Poisson process in [0, lambda].
  const ls = P.where(small, lam, 0);
  const e = P.neg(P.log(openUniform(k1!, [ARRIVALS, ...shape])));
  const arrivals = P.cumsum(e, 0);
  const kSmall = P.sum(P.cast(P.le(arrivals, ls), 'float64'), 0);
  // Large: PTRS.
  const L = P.where(small, 10, lam);
  const slam = P.sqrt(L);
  const loglam = P.log(L);
  const b = P.add(0.931, P.mul(2.53, slam));
  const a = P.add(-0.059, P.mul(0.02483, b));
  const invalpha = P.add(1.1239, P.div(1.1328, P.sub(b, 3.4)));
  const vr = P.sub(0.9277, P.div(3.6224, P.sub(b, 2)));
  const U = P.sub(openUniform(k2!, [ROUNDS_DISCRETE, ...shape]), 0.5);
  const V = openUniform(k3!, [ROUNDS_DISCRETE, ...shape]);
  const us = P.sub(0.5, P.abs(U));
  const k = P.floor(P.add(P.add(P.mul(P.add(P.div(P.mul(2, a), us), b), U), L), 0.43));
  const quick = P.and(P.ge(us, 0.07), P.le(V, vr));
  const reject = P.or(P.lt(k, 0), P.and(P.lt(us, 0.013), P.gt(V, us)));
  const ks = P.where(P.lt(k, 0), 0, k);
  const lhs = P.sub(P.add(P.log(V), P.log(invalpha)), P.log(P.add(P.div(a, P.mul(us, us)), b)));
  const rhs = P.sub(P.sub(P.mul(ks, loglam), L), lgamma1pWhole(ks));
  const ok = P.or(quick, P.and(P.not(reject), P.le(lhs, rhs)));
  const kLarge = pickFirst(ok, ks, P.floor(P.add(L, 0.5)));
  return P.where(small, kSmall, kLarge);
}

/** Binomial(n, p) draws (float values), shape `shape`. Not differentiable. */
export function binomialDraw(key: Tracer, nIn: Tracer, pIn: Tracer, shape: Shape): Tracer {
  const n = P.broadcastTo(P.stopGradient(P.cast(nIn, 'float64')), shape);
  const p = P.broadcastTo(P.stopGradient(P.cast(pIn, 'float64')), shape);
  const flip = P.gt(p, 0.5);
  const q = P.where(flip, P.sub(1, p), p);
  const [k1, k2, k3] = P.splitKey(key, 3);
  const small = P.lt(P.mul(n, q), 10);
  // Small: successes are the geometric waiting times (failures + 1) that fit in n trials.
  const qs = P.where(P.and(small, P.gt(q, 0)), q, 0.5);
  const g = P.floor(P.div(P.log(openUniform(k1!, [ARRIVALS, ...shape])), P.log1p(P.neg(qs))));
  const pos = P.cumsum(P.add(g, 1), 0);
  const kSmall0 = P.sum(P.cast(P.le(pos, n), 'float64'), 0);
  const kSmall = P.where(P.gt(q, 0), kSmall0, 0);
  // Large: BTRS (q <= 1/2, n q >= 10).
  const qL = P.where(small, 0.5, q);
  const nL = P.where(small, 40, n);
  const pq = P.sub(1, qL);
  const spq = P.sqrt(P.mul(P.mul(nL, qL), pq));
  const b = P.add(1.15, P.mul(2.53, spq));
  const a = P.add(P.add(-0.0873, P.mul(0.0248, b)), P.mul(0.01, qL));
  const c = P.add(P.mul(nL, qL), 0.5);
  const vr = P.sub(0.92, P.div(4.2, b));
  const alpha = P.mul(P.add(2.83, P.div(5.1, b)), spq);
  const m = P.floor(P.mul(P.add(nL, 1), qL));
  const U = P.sub(openUniform(k2!, [ROUNDS_DISCRETE, ...shape]), 0.5);
  const V = openUniform(k3!, [ROUNDS_DISCRETE, ...shape]);
  const us = P.sub(0.5, P.abs(U));
  const k = P.floor(P.add(P.mul(P.add(P.div(P.mul(2, a), us), b), U), c));
  const quick = P.and(P.ge(us, 0.07), P.le(V, vr));
  const inRange = P.and(P.ge(k, 0), P.le(k, nL));
  const ks = P.where(inRange, k, 0);
  const lhs = P.log(P.div(P.mul(V, alpha), P.add(P.div(a, P.mul(us, us)), b)));
  const lr = P.add(
    P.sub(P.add(lgamma1pWhole(m), lgamma1pWhole(P.sub(nL, m))), P.add(lgamma1pWhole(ks), lgamma1pWhole(P.sub(nL, ks)))),
    P.mul(P.sub(ks, m), P.log(P.div(qL, pq))),
  );
  const ok = P.or(P.and(quick, inRange), P.and(inRange, P.le(lhs, lr)));
  const kLarge = pickFirst(ok, ks, m);
  const kq = P.where(small, kSmall, kLarge);
  return P.where(flip, P.sub(n, kq), kq);
}
