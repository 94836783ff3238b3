// Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", algorithm 2): the
// step is the sign of an interpolation of the momentum and the gradient, with decoupled weight
// decay, and the momentum tracks the gradient at its own rate:
//   c = b1 m + (1 - b1) g;   x -= lr (sign(c) + wd x);   m = b2 m + (1 - b2) g
// Every coordinate moves by lr (a sign), so lr is typically 3-10x smaller than Adam's. A
// first-order method of the table: this rule file and its line in stdlib/methods/table.ts.

import { ops as P } from '../../runtime/index.js';
import { real } from '../methods/options.js';
import { firstOrderMethod } from './first_order.js';

export const lion = firstOrderMethod({
  name: 'lion',
  summary: 'Lion: the sign of an interpolated momentum, with decoupled weight decay (Chen et al. 2023)',
  lr: 1e-4,
  options: {
    beta1: real({ default: 0.9, open01: true, doc: 'the interpolation of momentum and gradient in the step' }),
    beta2: real({ default: 0.99, open01: true, doc: 'the momentum decay' }),
    weight_decay: real({ default: 0, min: 0, doc: 'decoupled weight decay' }),
  },
  rule: {
    slots: ['m'],
    update: (x, g, [m], lr, _t, o) => {
      const c = P.add(P.mul(o.beta1, m!), P.mul(1 - o.beta1, g));
      const step = P.add(P.sign(c), P.mul(o.weight_decay, x));
      return { x: P.sub(x, P.mul(lr, step)), s: [P.add(P.mul(o.beta2, m!), P.mul(1 - o.beta2, g))] };
    },
  },
});
