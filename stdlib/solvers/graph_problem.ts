// Constrained problems from graph functions: objective, equality and inequality constraints are
// written with the runtime's tracing ops on the flat vector x; gradients, constraint Jacobians
// (runtime `jacobian`) and Hessian-of-Lagrangian products (runtime `hvp`) come by autodiff,
// traced once and run on `ref` (float64), or on a backend when a GraphRunner is given.

import { ops as P, valueAndGrad, jacobian, hvp } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/ir/tracer.js';
import { hostFn, type GraphRunner } from '../optim/graph_fn.js';
import type { ConstrainedProblem, ConstraintBlock } from './problem.js';

export interface GraphProblemSpec {
  n: number;
  f: (x: Tracer) => Tracer;
  /** c_E(x) = 0, a vector. */
  eq?: (x: Tracer) => Tracer;
  /** c_I(x) >= 0, a vector. */
  ineq?: (x: Tracer) => Tracer;
  lower?: ArrayLike<number>;
  upper?: ArrayLike<number>;
}

function block(c: (x: Tracer) => Tracer, n: number, runner?: GraphRunner): ConstraintBlock {
  let m = 0;
  const fn = hostFn(
    (x) => {
      const v = P.reshape(c(x), [-1]);
      m = v.shape[0]!;
      return [v, P.reshape(jacobian((y: Tracer) => P.reshape(c(y), [-1]))(x), [m, n])];
    },
    [[n]],
    runner,
  );
  return {
    m,
    evaluate: (x) => {
      const [cv, J] = fn(x);
      return { c: cv!, J: J! };
    },
  };
}

export function graphProblem(s: GraphProblemSpec, runner?: GraphRunner): ConstrainedProblem {
  const n = s.n;
  const vg = hostFn(
    (x) => {
      const [v, [g]] = valueAndGrad(s.f)(x);
      return [v, g!];
    },
    [[n]],
    runner,
  );
  const p: ConstrainedProblem = {
    n,
    f: (x) => {
      const [v, g] = vg(x);
      return { f: v![0]!, g: g! };
    },
  };
  if (s.eq) p.eq = block(s.eq, n, runner);
  if (s.ineq) p.ineq = block(s.ineq, n, runner);
  if (s.lower) p.lower = s.lower;
  if (s.upper) p.upper = s.upper;
  if (s.eq) {
    const m = p.eq!.m;
    const eq = s.eq;
    const h = hostFn(
      (x, lam, v) => hvp((y: Tracer) => P.sub(s.f(y), P.sum(P.mul(lam, P.reshape(eq(y), [-1])))), [x], [v])[0]!,
      [[n], [m], [n]],
      runner,
    );
    p.lagHvp = (x, lam, v) => h(x, lam, v)[0]!;
  }
  return p;
}
