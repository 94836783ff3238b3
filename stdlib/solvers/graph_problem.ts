// Constrained problems from graph functions: objective, equality and inequality constraints are
// written with the runtime's tracing ops on the flat vector x; gradients, constraint Jacobians
// (runtime `jacobian`) and Hessian-of-Lagrangian products (runtime `hvp`) come by autodiff,
// traced once and run on `ref` (float64), or on a backend when a GraphRunner is given.

import { ops as P, jacobian, hvp, type Tracer } from '../../runtime/index.js';
import { hostFn, type GraphRunner } from '../optim/graph_fn.js';
import { graphObjective } from '../optim/graph_objective.js';
import type { ConstraintBlock, Problem } from '../methods/rule.js';

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

/** The constraint values and their Jacobian from a vector function c(x). */
export function constraintBlock(c: (x: Tracer) => Tracer, n: number, runner?: GraphRunner): ConstraintBlock {
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

/** v -> Hessian of the Lagrangian f - lambda'c_E at x, times v. */
export function lagrangianHvp(
  f: (x: Tracer) => Tracer,
  eq: (x: Tracer) => Tracer,
  n: number,
  m: number,
  runner?: GraphRunner,
): NonNullable<Problem['lagHvp']> {
  const h = hostFn(
    (x, lam, v) => hvp((y: Tracer) => P.sub(f(y), P.sum(P.mul(lam, P.reshape(eq(y), [-1])))), [x], [v])[0]!,
    [[n], [m], [n]],
    runner,
  );
  return (x, lam, v) => h(x, lam, v)[0]!;
}

export function graphProblem(s: GraphProblemSpec, runner?: GraphRunner): Problem {
  const p: Problem = graphObjective(s.f, s.n, runner);
  if (s.eq) p.eq = constraintBlock(s.eq, s.n, runner);
  if (s.ineq) p.ineq = constraintBlock(s.ineq, s.n, runner);
  if (s.lower) p.lower = s.lower;
  if (s.upper) p.upper = s.upper;
  if (s.eq) p.lagHvp = lagrangianHvp(s.f, s.eq, s.n, p.eq!.m, runner);
  return p;
}
