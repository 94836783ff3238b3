// Finite mixtures: Stan's log_mix(theta, lp1, lp2) and log_mix(weights, lps) on log-densities the
// caller already has, and Mixture(weights, components) as a distribution over components drawn
// from the registry (all components share one support and event rank).

import { ops as P, type Shape, type Tracer } from '../../runtime/index.js';
import { logMix } from '../special/index.js';
export { logMix };
import { fl } from '../special/series.js';
import type { DistSpec, SampleOptions } from './types.js';
import { openUniform } from './common.js';

type TLike = Tracer | number;

/** log sum_k w_k exp(lp_k) over the last axis (weights [..., K], lps [..., K], broadcast). */
export function logMixVec(weights: Tracer, lps: Tracer): Tracer {
  return P.logsumexp(P.add(P.log(fl(weights)), fl(lps)), -1);
}

/** A distribution with its parameters bound: what the VI engine and `generate` call. */
export interface BoundDist {
  name: string;
  eventRank: number;
  discrete: boolean;
  reparameterizable: boolean;
  logProb(x: TLike): Tracer;
  sample(key: Tracer, sampleShape?: Shape, opts?: SampleOptions): Tracer;
  mean?(): Tracer;
  variance?(): Tracer;
}

export function bind(spec: DistSpec, params: readonly TLike[]): BoundDist {
  const ps = [...params];
  return {
    name: spec.name,
    eventRank: spec.support.eventRank,
    discrete: spec.support.discrete,
    reparameterizable: spec.reparameterizable,
    logProb: (x) => spec.logProb(ps, x),
    sample: (key, s = [], o) => spec.sample(ps, key, s, o),
    mean: spec.mean && (() => spec.mean!(ps)),
    variance: spec.variance && (() => spec.variance!(ps)),
  };
}

/**
 * Mixture(weights, components): weights [..., K] (a simplex), K bound components of one event
 * rank. log p(x) = logsumexp_k(log w_k + log p_k(x)). A draw picks a component by the weights
 * (not reparameterizable: the choice is discrete) and returns that component's draw. Mean and
 * variance (scalar components) by the laws of total expectation and variance.
 */
export function Mixture(weights: TLike, components: readonly BoundDist[]): BoundDist {
  const w = fl(weights);
  const K = components.length;
  if (K === 0) throw new Error('Mixture needs at least one component');
  if (w.shape[w.rank - 1] !== K) throw new Error(`Mixture: ${K} components but weights of shape [${w.shape}]`);
  const er = components[0]!.eventRank;
  if (components.some((c) => c.eventRank !== er)) throw new Error('Mixture: components differ in event rank');
  const wk = (k: number) => P.index(w, k, -1);
  const moments = components.every((c) => c.mean && c.variance) && er === 0;
  return {
    name: 'Mixture',
    eventRank: er,
    discrete: components.every((c) => c.discrete),
    reparameterizable: false,
    logProb: (x) =>
      P.logsumexp(
        P.stack(
          components.map((c, k) => P.add(P.log(wk(k)), c.logProb(x))),
          -1,
        ),
        -1,
      ),
    sample: (key, s = [], o) => {
      const keys = P.splitKey(key, K + 1);
      const u = openUniform(keys[K]!, [...s, ...w.shape], w.dtype);
      const choice = P.argmax(P.sub(P.log(w), P.log(P.neg(P.log(u)))), -1);
      let out: Tracer | null = null;
      components.forEach((c, k) => {
        let xk = c.sample(keys[k]!, s, o);
        let ck = P.eq(choice, k);
        for (let i = 0; i < er; i++) ck = P.expandDims(ck, -1);
        if (out === null) out = P.where(ck, xk, P.zerosLike(xk));
        else {
          const [a, b] = P.lift2(out, xk);
          xk = b;
          out = P.where(ck, xk, a);
        }
      });
      return out!;
    },
    mean: moments ? () => components.map((c, k) => P.mul(wk(k), c.mean!())).reduce((a, b) => P.add(a, b)) : undefined,
    variance: moments
      ? () => {
          const m = components.map((c, k) => P.mul(wk(k), c.mean!())).reduce((a, b) => P.add(a, b));
          const s2 = components
            .map((c, k) => P.mul(wk(k), P.add(c.variance!(), P.mul(c.mean!(), c.mean!()))))
            .reduce((a, b) => P.add(a, b));
          return P.sub(s2, P.mul(m, m));
        }
      : undefined,
  };
}
