// The first-order methods of the table, each its update rule written once as a graph (runtime
// tracing ops), so a rule runs on every backend, can be differentiated (unrolled training,
// bilevel problems) and is what the host loop runs (first_order.ts):
//   sgd          v = mu v + g;  x -= lr (nesterov ? g + mu v : v)   (PyTorch convention)
//   adam         m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; x -= lr mhat / (sqrt(vhat) + eps)
//   adamw        adam plus decoupled weight decay: x -= lr wd x
//   adagrad      s += g^2; x -= lr g / (sqrt(s) + eps)
//   rmsprop      v = rho v + (1-rho) g^2; x -= lr g / (sqrt(v) + eps)
//   diffgrad     adam with the friction xi = sigmoid(|g_prev - g|) on mhat (Dubey et al. 2019)
//   normalized_gd        x -= lr g / ||g||_2
//   normalized_momentum  m = b m + (1-b) g; x -= lr m / ||m||_2   (Cutkosky & Mehta 2020)

import { ops as P, type Tracer } from '../../runtime/index.js';
import { bool, real } from '../methods/options.js';
import { firstOrderMethod } from './first_order.js';

interface AdamOptions {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
}

/** beta1, beta2 and eps of the Adam family. */
export const ADAM_OPTIONS = {
  beta1: real({ default: 0.9, open01: true, doc: 'first-moment decay' }),
  beta2: real({ default: 0.999, open01: true, doc: 'second-moment decay' }),
  eps: real({ default: 1e-8, positive: true, doc: 'added to the root of the second moment' }),
};

const adamMoments = (g: Tracer, m: Tracer, v: Tracer, o: AdamOptions) => ({
  m: P.add(P.mul(o.beta1, m), P.mul(1 - o.beta1, g)),
  v: P.add(P.mul(o.beta2, v), P.mul(P.mul(1 - o.beta2, g), g)),
});
/** 1 - b1^t and 1 - b2^t as scalars (bias corrections). */
const biasCorr = (t: Tracer, o: AdamOptions) => ({ c1: P.sub(1, P.pow(o.beta1, t)), c2: P.sub(1, P.pow(o.beta2, t)) });
/** The Adam step lr * mhat / (sqrt(vhat) + eps) per coordinate. */
const adamStepVec = (m: Tracer, v: Tracer, lr: Tracer, t: Tracer, o: AdamOptions): Tracer => {
  const { c1, c2 } = biasCorr(t, o);
  return P.div(P.mul(lr, P.div(m, c1)), P.add(P.sqrt(P.div(v, c2)), o.eps));
};

/** Adam's graph rule, with the metric lr / (sqrt(vhat) + eps) that Prox-Adam applies its prox in. */
export const adamRule = {
  slots: ['m', 'v'],
  update: (x: Tracer, g: Tracer, [m0, v0]: readonly Tracer[], lr: Tracer, t: Tracer, o: AdamOptions) => {
    const { m, v } = adamMoments(g, m0!, v0!, o);
    return { x: P.sub(x, adamStepVec(m, v, lr, t, o)), s: [m, v] };
  },
  scale: ([, v]: readonly Tracer[], lr: Tracer, t: Tracer, o: AdamOptions) => {
    const { c2 } = biasCorr(t, o);
    return P.div(lr, P.add(P.sqrt(P.div(v!, c2)), o.eps));
  },
} as const;

export const sgd = firstOrderMethod({
  name: 'sgd',
  summary: 'stochastic gradient descent with momentum (optionally Nesterov)',
  lr: 0.01,
  options: {
    momentum: real({ default: 0, doc: 'momentum (0: none)' }),
    nesterov: bool({ default: false, doc: 'Nesterov momentum' }),
  },
  rule: {
    slots: ['v'],
    update: (x, g, [v], lr, _t, o) => {
      const v1 = P.add(P.mul(o.momentum, v!), g);
      const d = o.nesterov ? P.add(g, P.mul(o.momentum, v1)) : v1;
      return { x: P.sub(x, P.mul(lr, d)), s: [v1] };
    },
  },
});

export const adam = firstOrderMethod({
  name: 'adam',
  summary: 'Adam (smooth, possibly stochastic problems)',
  lr: 0.01,
  options: ADAM_OPTIONS,
  rule: adamRule,
  auto: {
    rank: 11,
    when: (s) => s.features.has('stochastic'),
    reason: () => 'smooth and stochastic (minibatched): Adam',
  },
});

export const adamw = firstOrderMethod({
  name: 'adamw',
  summary: 'Adam with decoupled weight decay',
  lr: 0.01,
  options: { ...ADAM_OPTIONS, weight_decay: real({ default: 0.01, doc: 'decoupled weight decay' }) },
  rule: {
    slots: ['m', 'v'],
    update: (x, g, [m0, v0], lr, t, o) => {
      const { m, v } = adamMoments(g, m0!, v0!, o);
      const decayed = P.sub(x, P.mul(P.mul(lr, o.weight_decay), x));
      return { x: P.sub(decayed, adamStepVec(m, v, lr, t, o)), s: [m, v] };
    },
  },
});

export const adagrad = firstOrderMethod({
  name: 'adagrad',
  summary: 'AdaGrad',
  lr: 0.1,
  options: { eps: real({ default: 1e-10, positive: true, doc: 'added to the root of the sum of squares' }) },
  rule: {
    slots: ['s'],
    update: (x, g, [s0], lr, _t, o) => {
      const s = P.add(s0!, P.mul(g, g));
      return { x: P.sub(x, P.div(P.mul(lr, g), P.add(P.sqrt(s), o.eps))), s: [s] };
    },
    scale: ([s], lr, _t, o) => P.div(lr, P.add(P.sqrt(s!), o.eps)),
  },
});

export const rmsprop = firstOrderMethod({
  name: 'rmsprop',
  summary: 'RMSProp',
  lr: 0.01,
  options: {
    rho: real({ default: 0.99, open01: true, doc: 'decay of the squared-gradient average' }),
    eps: real({ default: 1e-8, positive: true, doc: 'added to the root of the average' }),
  },
  rule: {
    slots: ['v'],
    update: (x, g, [v0], lr, _t, o) => {
      const v = P.add(P.mul(o.rho, v0!), P.mul(1 - o.rho, P.mul(g, g)));
      return { x: P.sub(x, P.div(P.mul(lr, g), P.add(P.sqrt(v), o.eps))), s: [v] };
    },
  },
});

export const diffgrad = firstOrderMethod({
  name: 'diffgrad',
  summary: 'diffGrad (Adam with a friction on the first moment)',
  lr: 0.01,
  options: ADAM_OPTIONS,
  rule: {
    slots: ['m', 'v', 'gprev'],
    update: (x, g, [m0, v0, gp], lr, t, o) => {
      const { m, v } = adamMoments(g, m0!, v0!, o);
      const xi = P.sigmoid(P.abs(P.sub(gp!, g)));
      return { x: P.sub(x, P.mul(xi, adamStepVec(m, v, lr, t, o))), s: [m, v, g] };
    },
  },
});

export const normalizedGd = firstOrderMethod({
  name: 'normalized_gd',
  summary: 'normalized gradient descent',
  lr: 0.01,
  options: {},
  rule: {
    slots: [],
    update: (x, g, _s, lr) => ({ x: P.sub(x, P.mul(lr, P.safeDiv(g, P.safeSqrt(P.sumsq(g)), 0))), s: [] }),
  },
});

export const normalizedMomentum = firstOrderMethod({
  name: 'normalized_momentum',
  summary: 'normalized momentum (Cutkosky & Mehta)',
  lr: 0.01,
  options: { momentum: real({ default: 0.9, open01: true, doc: 'momentum' }) },
  rule: {
    slots: ['m'],
    update: (x, g, [m0], lr, _t, o) => {
      const m = P.add(P.mul(o.momentum, m0!), P.mul(1 - o.momentum, g));
      return { x: P.sub(x, P.mul(lr, P.safeDiv(m, P.safeSqrt(P.sumsq(m)), 0))), s: [m] };
    },
  },
});
