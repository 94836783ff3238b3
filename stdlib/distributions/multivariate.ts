// Vector and matrix distributions: Dirichlet, MultivariateNormalCholesky(mu, L),
// MultivariateNormal(mu, Sigma) (Cholesky computed once per call), LKJCholesky(eta).
// Values carry their event dimensions last ([..., K] or [..., K, K]); batch dimensions broadcast.

import { ops as P, broadcastShapes, type Shape, type Tracer } from '../../runtime/index.js';
import { lgamma, lbeta, xlogy } from '../special/index.js';
import { LOG_2PI } from '../special/series.js';
import { diag, eye, floatDtype, inSupport } from './common.js';
import { define } from './define.js';
import { logStdGamma } from './samplers.js';
import { logBetaDraw } from './continuous.js';

const LOG2 = Math.LN2;
const last = (t: Tracer, k = 1) => t.shape[t.rank - k]!;
const bshape = (...ss: Shape[]): Shape =>
  ss.reduce<Shape>((a, b) => {
    const r = broadcastShapes(a, b);
    if (!r) throw new Error(`batch shapes [${a}] and [${b}] do not broadcast`);
    return r;
  }, []);

export const Dirichlet = define({
  name: 'Dirichlet',
  fn: 'dirichlet',
  family: 'Dirichlet',
  stan: 'dirichlet_lpdf',
  doc: 'concentrations alpha > 0 (vector, last axis K); values on the simplex',
  params: [['alpha', 'positive', 1]],
  support: { kind: 'simplex', eventRank: 1, discrete: false },
  reparamParams: [],
  logProb: ([alpha], x) => {
    const ok0 = P.eq(P.sum(P.cast(P.lt(x, 0), 'float64'), -1), 0);
    const ok = P.and(ok0, P.le(P.abs(P.sub(P.sum(x, -1), 1)), 1e-8 * last(x)));
    const xs = P.where(P.ge(x, 0), x, 0.5);
    const lp = P.sub(
      P.add(P.sum(xlogy(P.sub(alpha!, 1), xs), -1), lgamma(P.sum(alpha!, -1))),
      P.sum(lgamma(alpha!), -1),
    );
    return inSupport(ok, lp);
  },
  sample: (ps, key, s = []) => {
    const a = ps[0]!;
    const shape = [...s!, ...a.shape];
    const lg = logStdGamma(key, a, shape, floatDtype(ps));
    return P.softmax(lg, -1);
  },
  mean: ([a]) => P.div(a!, P.sum(a!, -1, true)),
  variance: ([a]) => {
    const a0 = P.sum(a!, -1, true);
    return P.div(P.mul(a!, P.sub(a0, a!)), P.mul(P.mul(a0, a0), P.add(a0, 1)));
  },
});

/** log N(x | mu, L L^T) with L lower triangular, batched. */
export function mvnCholLogProb(mu: Tracer, L: Tracer, x: Tracer): Tracer {
  const K = last(L);
  const b = bshape(mu.shape.slice(0, -1), L.shape.slice(0, -2), x.shape.slice(0, -1));
  const d = P.broadcastTo(P.sub(x, mu), [...b, K]);
  const Lb = P.broadcastTo(L, [...b, K, K]);
  const z = P.triangularSolve(Lb, d, true);
  const logdet = P.sum(P.log(diag(Lb)), -1);
  return P.sub(P.sub(P.mul(-0.5, P.sum(P.mul(z, z), -1)), logdet), 0.5 * K * LOG_2PI);
}

function mvnCholSample(mu: Tracer, L: Tracer, key: Tracer, s: Shape): Tracer {
  const K = last(L);
  const b = bshape(mu.shape.slice(0, -1), L.shape.slice(0, -2));
  const z = P.normal(key, [...s, ...b, K], floatDtype([mu, L]));
  return P.add(mu, P.squeeze(P.matmul(L, P.expandDims(z, -1)), -1));
}

const meanMvn = (mu: Tracer, L: Tracer) =>
  P.add(mu, P.zeros([...bshape(mu.shape.slice(0, -1), L.shape.slice(0, -2)), last(L)], mu.dtype));

export const MultivariateNormalCholesky = define({
  name: 'MultivariateNormalCholesky',
  fn: 'multi_normal_cholesky',
  family: 'MultivariateNormal',
  stan: 'multi_normal_cholesky_lpdf',
  doc: 'mean mu (vector K), lower-triangular Cholesky factor L of the covariance ([K, K], positive diagonal)',
  params: [
    ['mu', 'real_vector', 1],
    ['L', 'cholesky_cov', 2],
  ],
  support: { kind: 'real_vector', eventRank: 1, discrete: false },
  reparamParams: ['mu', 'L'],
  logProb: ([mu, L], x) => mvnCholLogProb(mu!, L!, x),
  sample: ([mu, L], key, s = []) => mvnCholSample(mu!, L!, key, s!),
  mean: ([mu, L]) => meanMvn(mu!, L!),
  variance: ([mu, L]) => P.add(P.sum(P.mul(L!, L!), -1), P.zerosLike(meanMvn(mu!, L!))),
});

export const MultivariateNormal = define({
  name: 'MultivariateNormal',
  fn: 'multi_normal',
  family: 'MultivariateNormal',
  stan: 'multi_normal_lpdf',
  doc: 'mean mu (vector K), covariance Sigma ([K, K], symmetric positive definite; its Cholesky factor is computed)',
  params: [
    ['mu', 'real_vector', 1],
    ['Sigma', 'cov', 2],
  ],
  support: { kind: 'real_vector', eventRank: 1, discrete: false },
  reparamParams: ['mu', 'Sigma'],
  logProb: ([mu, S], x) => mvnCholLogProb(mu!, P.cholesky(S!), x),
  sample: ([mu, S], key, s = []) => mvnCholSample(mu!, P.cholesky(S!), key, s!),
  mean: ([mu, S]) => meanMvn(mu!, S!),
  variance: ([mu, S]) => P.add(diag(S!), P.zerosLike(meanMvn(mu!, S!))),
});

/** log c_K(eta): the LKJ normalizing constant (Lewandowski, Kurowicka & Joe 2009, eq. 16). */
export function lkjLogNormalizer(eta: Tracer, K: number): Tracer {
  let acc: Tracer = P.zerosLike(eta);
  for (let k = 1; k <= K - 1; k++) {
    const beta = P.add(eta, 0.5 * (K - k - 1));
    const pow2 = P.mul(P.add(P.mul(2, eta), K - k - 2), (K - k) * LOG2);
    acc = P.add(acc, P.add(pow2, P.mul(K - k, lbeta(beta, beta))));
  }
  return acc;
}

export const LKJCholesky = define({
  name: 'LKJCholesky',
  fn: 'lkj_corr_cholesky',
  family: 'LKJCholesky',
  stan: 'lkj_corr_cholesky_lpdf',
  doc: 'shape eta > 0; values are Cholesky factors L ([K, K]) of correlation matrices, density of L L^T proportional to det^(eta - 1)',
  params: [['eta', 'positive']],
  support: { kind: 'cholesky_corr', eventRank: 2, discrete: false },
  reparamParams: [],
  logProb: ([eta], L) => {
    const K = last(L);
    const d = diag(L);
    const pos = P.eq(P.sum(P.cast(P.le(d, 0), 'float64'), -1), 0);
    const ld = P.log(P.where(P.gt(d, 0), d, 1));
    const i = P.iota([K], 0, 'float64');
    const e = P.expandDims(eta!, -1);
    const coef = P.where(P.ge(i, 1), P.add(P.sub(K - 3, i), P.mul(2, e)), 0);
    return inSupport(pos, P.sub(P.sum(P.mul(coef, ld), -1), lkjLogNormalizer(eta!, K)));
  },
  sample: ([eta], key, s = [], opts) => {
    const ev = opts?.eventShape;
    if (!ev || ev.length !== 2 || ev[0] !== ev[1]) throw new Error('LKJCholesky.sample needs opts.eventShape = [K, K]');
    const K = ev[0]!;
    const dt = floatDtype([eta!]);
    const b = [...s!, ...eta!.shape];
    if (K === 1) return P.ones([...b, 1, 1], dt);
    // Onion method (LKJ 2009, section 3.2): row i+1 of L is sqrt(y_i) u_i (u_i uniform on the
    // unit sphere in R^(i+1)), y_i ~ Beta((i+1)/2, eta + (K-2)/2 - i/2); the diagonal completes
    // each row to unit norm.
    const [kb, kn] = P.splitKey(key, 2);
    const off = P.mul(0.5, P.iota([K - 1], 0, dt));
    const c1 = P.broadcastTo(P.add(off, 0.5), [...b, K - 1]);
    const c0 = P.sub(P.add(P.expandDims(eta!, -1), 0.5 * (K - 2)), off);
    const [ly] = logBetaDraw(kb!, c1, P.broadcastTo(c0, [...b, K - 1]), [...b, K - 1], dt as 'float64');
    const z = P.normal(kn!, [...b, K - 1, K - 1], dt);
    const tril = P.ge(P.iota([K - 1, K - 1], 0), P.iota([K - 1, K - 1], 1));
    const zm = P.where(tril, z, 0);
    const u = P.div(zm, P.sqrt(P.sum(P.mul(zm, zm), -1, true)));
    const w = P.mul(P.expandDims(P.exp(P.mul(0.5, ly)), -1), u);
    const lo = [...b.map(() => 0), 1, 0];
    const hi = [...b.map(() => 0), 0, 1];
    const W = P.pad(w, lo, hi);
    const dg = P.sqrt(P.maximum(P.sub(1, P.sum(P.mul(W, W), -1)), 0));
    return P.add(W, P.mul(P.expandDims(dg, -1), eye(K, dt)));
  },
});
