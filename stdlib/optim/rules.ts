// First-order update rules, each defined once as a graph-building function (runtime tracing ops),
// so a rule runs on every backend and can be differentiated (unrolled training, bilevel
// problems). The host loop (first_order.ts) runs the same graphs on `ref`.
// A rule maps (x, g, slots, lr, t) to (x', slots'): g is the gradient at x, `slots` the rule's
// state vectors (same shape as x), lr the step size and t the 1-based step number (scalars).
//   sgd          v = mu v + g;  x -= lr (nesterov ? g + mu v : v)   (PyTorch convention)
//   adam         m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; x -= lr mhat / (sqrt(vhat) + eps)
//   adamw        adam plus decoupled weight decay: x -= lr wd x
//   adagrad      s += g^2; x -= lr g / (sqrt(s) + eps)
//   rmsprop      v = rho v + (1-rho) g^2; x -= lr g / (sqrt(v) + eps)
//   diffgrad     adam with the friction xi = sigmoid(|g_prev - g|) on mhat (Dubey et al. 2019)
//   normalized_gd        x -= lr g / ||g||_2
//   normalized_momentum  m = b m + (1-b) g; x -= lr m / ||m||_2   (Cutkosky & Mehta 2020)

import { ops as P } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/ir/tracer.js';
import { safeDiv, safeSqrt } from '../prox/common.js';

export interface RuleOptions {
  momentum?: number;
  nesterov?: boolean;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  rho?: number;
}

export interface UpdateRule {
  name: string;
  /** Names of the state vectors, each shaped like x and zero at the start. */
  slots: readonly string[];
  update(x: Tracer, g: Tracer, s: readonly Tracer[], lr: Tracer, t: Tracer, o: RuleOptions): { x: Tracer; s: Tracer[] };
  /** The effective per-coordinate step after an update (prox-adam uses it as the prox metric). */
  scale?(s: readonly Tracer[], lr: Tracer, t: Tracer, o: RuleOptions): Tracer;
}

const adamMoments = (g: Tracer, m: Tracer, v: Tracer, o: RuleOptions) => {
  const b1 = o.beta1 ?? 0.9,
    b2 = o.beta2 ?? 0.999;
  return { m: P.add(P.mul(b1, m), P.mul(1 - b1, g)), v: P.add(P.mul(b2, v), P.mul(P.mul(1 - b2, g), g)) };
};
/** lr / (1 - b1^t) and 1 / (1 - b2^t) as scalars. */
const biasCorr = (t: Tracer, o: RuleOptions) => ({
  c1: P.sub(1, P.pow(o.beta1 ?? 0.9, t)),
  c2: P.sub(1, P.pow(o.beta2 ?? 0.999, t)),
});
/** The Adam step lr * mhat / (sqrt(vhat) + eps) per coordinate. */
const adamStepVec = (m: Tracer, v: Tracer, lr: Tracer, t: Tracer, o: RuleOptions): Tracer => {
  const { c1, c2 } = biasCorr(t, o);
  return P.div(P.mul(lr, P.div(m, c1)), P.add(P.sqrt(P.div(v, c2)), o.eps ?? 1e-8));
};
/** The Adam metric lr / (sqrt(vhat) + eps) (per-coordinate step applied to mhat). */
const adamScale = (v: Tracer, lr: Tracer, t: Tracer, o: RuleOptions): Tracer => {
  const { c2 } = biasCorr(t, o);
  return P.div(lr, P.add(P.sqrt(P.div(v, c2)), o.eps ?? 1e-8));
};

export const rules: Record<string, UpdateRule> = {
  sgd: {
    name: 'sgd',
    slots: ['v'],
    update: (x, g, [v], lr, _t, o) => {
      const mu = o.momentum ?? 0;
      const v1 = P.add(P.mul(mu, v!), g);
      const d = o.nesterov ? P.add(g, P.mul(mu, v1)) : v1;
      return { x: P.sub(x, P.mul(lr, d)), s: [v1] };
    },
  },
  adam: {
    name: 'adam',
    slots: ['m', 'v'],
    update: (x, g, [m0, v0], lr, t, o) => {
      const { m, v } = adamMoments(g, m0!, v0!, o);
      return { x: P.sub(x, adamStepVec(m, v, lr, t, o)), s: [m, v] };
    },
    scale: ([, v], lr, t, o) => adamScale(v!, lr, t, o),
  },
  adamw: {
    name: 'adamw',
    slots: ['m', 'v'],
    update: (x, g, [m0, v0], lr, t, o) => {
      const { m, v } = adamMoments(g, m0!, v0!, o);
      const decayed = P.sub(x, P.mul(P.mul(lr, o.weightDecay ?? 0.01), x));
      return { x: P.sub(decayed, adamStepVec(m, v, lr, t, o)), s: [m, v] };
    },
  },
  adagrad: {
    name: 'adagrad',
    slots: ['s'],
    update: (x, g, [s0], lr, _t, o) => {
      const s = P.add(s0!, P.mul(g, g));
      return { x: P.sub(x, P.div(P.mul(lr, g), P.add(P.sqrt(s), o.eps ?? 1e-10))), s: [s] };
    },
    scale: ([s], lr, _t, o) => P.div(lr, P.add(P.sqrt(s!), o.eps ?? 1e-10)),
  },
  rmsprop: {
    name: 'rmsprop',
    slots: ['v'],
    update: (x, g, [v0], lr, _t, o) => {
      const rho = o.rho ?? 0.99;
      const v = P.add(P.mul(rho, v0!), P.mul(1 - rho, P.mul(g, g)));
      return { x: P.sub(x, P.div(P.mul(lr, g), P.add(P.sqrt(v), o.eps ?? 1e-8))), s: [v] };
    },
  },
  diffgrad: {
    name: 'diffgrad',
    slots: ['m', 'v', 'gprev'],
    update: (x, g, [m0, v0, gp], lr, t, o) => {
      const { m, v } = adamMoments(g, m0!, v0!, o);
      const xi = P.sigmoid(P.abs(P.sub(gp!, g)));
      return { x: P.sub(x, P.mul(xi, adamStepVec(m, v, lr, t, o))), s: [m, v, g] };
    },
  },
  normalized_gd: {
    name: 'normalized_gd',
    slots: [],
    update: (x, g, _s, lr) => ({ x: P.sub(x, P.mul(lr, safeDiv(g, safeSqrt(P.sumsq(g)), 0))), s: [] }),
  },
  normalized_momentum: {
    name: 'normalized_momentum',
    slots: ['m'],
    update: (x, g, [m0], lr, _t, o) => {
      const b = o.momentum ?? 0.9;
      const m = P.add(P.mul(b, m0!), P.mul(1 - b, g));
      return { x: P.sub(x, P.mul(lr, safeDiv(m, safeSqrt(P.sumsq(m)), 0))), s: [m] };
    },
  },
};
