// Problems from graph functions: the compiler (and tests) write the smooth part of a problem
// with the runtime's tracing ops, and these builders derive value, gradient, Hessian-vector
// products and residual Jacobian products by autodiff, traced once and run on `ref` (float64), or
// on a backend when a GraphRunner is given (the compiler passes the program's backend).

import { ops as P, valueAndGrad, hvp as hvpT, jvp as jvpT, vjp as vjpT, type Tracer } from '../../runtime/index.js';
import { hostFn, type GraphRunner } from './graph_fn.js';
import type { Problem, Residual } from '../methods/rule.js';

/** A Problem with evaluate, value and hvp from a scalar graph function of the flat vector x (length n). */
export function graphObjective(f: (x: Tracer) => Tracer, n: number, runner?: GraphRunner): Problem {
  // Each graph is traced on first use: a method (or a problem whose evaluate is the compiled
  // objective) that never asks for one pays nothing.
  const vg = lazy(() =>
    hostFn(
      (x) => {
        const [v, [g]] = valueAndGrad(f)(x);
        return [v, g!];
      },
      [[n]],
      runner,
    ),
  );
  const val = lazy(() => hostFn((x) => f(x), [[n]], runner));
  const hv = lazy(() => hostFn((x, v) => hvpT((y) => f(y), [x], [v])[0]!, [[n], [n]], runner));
  return {
    n,
    evaluate: (x) => {
      const [v, g] = vg()(x);
      return { f: v![0]!, g: g! };
    },
    value: (x) => val()(x)[0]![0]!,
    hvp: (x, v) => hv()(x, v)[0]!,
  };
}

const lazy = <T>(make: () => T): (() => T) => {
  let v: T | undefined;
  return () => (v ??= make());
};

/** Residual (r, J v, J' u) from a graph function r(x) of the flat vector x (length n). */
export function graphResidual(r: (x: Tracer) => Tracer, n: number, runner?: GraphRunner): Residual {
  let m = -1;
  const rf = hostFn(
    (x) => {
      const y = P.reshape(r(x), [-1]);
      m = y.shape[0]!;
      return y;
    },
    [[n]],
    runner,
  );
  const jv = hostFn((x, v) => P.reshape(jvpT((y) => r(y), [x], [v])[1][0]!, [-1]), [[n], [n]], runner);
  const vj = hostFn(
    (x, u) => {
      const res = vjpT((y) => P.reshape(r(y), [-1]), [x]);
      return res.pullback([u])[0]!;
    },
    [[n], [m]],
    runner,
  );
  return { m, r: (x) => rf(x)[0]!, jvp: (x, v) => jv(x, v)[0]!, vjp: (x, u) => vj(x, u)[0]! };
}

/** The Problem 0.5 ||r(x)||^2 with its residual structure attached (for gauss_newton / lm or any smooth method). */
export function leastSquaresObjective(r: (x: Tracer) => Tracer, n: number, runner?: GraphRunner): Problem {
  const obj = graphObjective((x) => P.mul(0.5, P.sumsq(r(x))), n, runner);
  return { ...obj, residual: graphResidual(r, n, runner) };
}
