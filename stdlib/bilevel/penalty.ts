// The `penalty` hypergradient (Kwon, Kwon, Wright, Nowak, "On penalty methods for nonconvex
// bilevel optimization and first-order stochastic approximation", ICLR 2024): the value-function
// penalty
//   psi_sigma(x) = (1 / sigma) [ min_y (sigma F(x, y) + g(x, y)) - min_z g(x, z) ],
// whose gradient needs first derivatives only (Danskin at both minimizers y*, z*):
//   grad psi_sigma(x) = grad_x F(x, y*) + (grad_x g(x, y*) - grad_x g(x, z*)) / sigma.
// psi_sigma -> F(x, w*(x)) and its gradient -> the hypergradient as sigma -> 0, with an O(sigma)
// error (strongly convex g). Cost per outer step: two inner solves (each warm-started: y and z
// carry across outer steps), then one gradient of F and two of g; no second derivatives.
// The reported inner solution is z* (the argmin of g); the run's objective is psi_sigma.

import { real } from '../methods/options.js';
import { defineHypergrad } from '../methods/rule.js';
import type { BilevelKit } from './kit.js';

export const penalty = defineHypergrad({
  name: 'penalty',
  kind: 'hypergrad',
  family: 'hypergradient',
  available: true,
  summary: 'value-function penalty (Kwon et al. 2024): first-order, two inner solves, O(sigma) bias',
  test: 'sigma: the penalty weight of F in the perturbed inner problem; the bias is O(sigma)',
  // What a hypergradient takes is what `bilevel` takes; none is chosen by problem shape.
  takes: { allows: [] },
  options: {
    sigma: real({
      default: 0.01,
      positive: true,
      doc: 'the weight of F in the perturbed inner problem (bias O(sigma))',
    }),
  },
  evaluate(kit: BilevelKit, x, warm, o) {
    const sz = kit.solveInner(x, warm.w!);
    const sy = kit.solveInner(x, warm.y ?? warm.w!, o.sigma);
    warm.w = Array.from(sz.w);
    warm.y = Array.from(sy.w);
    const zy = kit.merge(x, sy.w);
    const Fy = kit.valueGrad('F', zy);
    const gy = kit.valueGrad('g', zy);
    const gz = kit.valueGrad('g', kit.merge(x, sz.w));
    const s = o.sigma;
    const g = Fy.gx.map((v, i) => v + (gy.gx[i]! - gz.gx[i]!) / s);
    return {
      f: Fy.f + (gy.f - gz.f) / s,
      g,
      w: sz.w,
      residual: sz.residual,
      innerSteps: sz.steps + sy.steps,
      innerConverged: sz.status === 'converged' && sy.status === 'converged',
      extra: { penalty_residual: sy.residual, penalty_gap: (gy.f - gz.f) / s },
    };
  },
});
