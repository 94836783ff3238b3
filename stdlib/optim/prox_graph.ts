// Proximal gradient and FISTA as graphs (runtime tracing ops), for device execution (one step
// per call, state kept on the device by a stepper), unrolled differentiation (scan) and implicit
// differentiation of the solution (fixed_point on x = prox(x - t grad f(x)), as bilevel problems
// need). Constant step t (e.g. 1 / L with L a Lipschitz bound); FISTA uses the gradient restart
// scheme of O'Donoghue & Candes, written with `where`, so no data-dependent control flow.

import { ops as P } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/index.js';
import type { TLike } from '../../runtime/index.js';
import type { ProxFn } from '../prox/types.js';

export type GradFn = (x: Tracer) => Tracer;

/** One proximal-gradient step z = prox_{t h}(y - t grad f(y)). */
export const proxGradStep =
  (gradF: GradFn, prox: ProxFn, t: TLike) =>
  (y: Tracer): Tracer =>
    prox(P.sub(y, P.mul(t, gradF(y))), t);

/** One FISTA step with gradient restart: (x, y, tk) -> (x', y', tk'); tk is a scalar. */
export function fistaStep(gradF: GradFn, prox: ProxFn, t: TLike, restart = true) {
  const pg = proxGradStep(gradF, prox, t);
  return (x: Tracer, y: Tracer, tk: Tracer): [Tracer, Tracer, Tracer] => {
    const z = pg(y);
    const t1 = P.div(P.add(1, P.sqrt(P.add(1, P.mul(4, P.mul(tk, tk))))), 2);
    const beta = P.div(P.sub(tk, 1), t1);
    const yMom = P.add(z, P.mul(beta, P.sub(z, x)));
    if (!restart) return [z, yMom, t1];
    const bad = P.gt(P.sum(P.mul(P.sub(y, z), P.sub(z, x))), 0);
    return [z, P.where(bad, z, yMom), P.where(bad, P.onesLike(tk), t1)];
  };
}

/** `steps` FISTA iterations unrolled as a scan (differentiable in reverse mode, O(steps) memory). */
export function fistaScan(
  gradF: GradFn,
  prox: ProxFn,
  x0: Tracer,
  o: { steps: number; t: TLike; restart?: boolean },
): Tracer {
  const step = fistaStep(gradF, prox, o.t, o.restart ?? true);
  const { carry } = P.scan(([x, y, tk]) => [step(x!, y!, tk!), []], [x0, x0, P.ones([], x0.dtype)], [], {
    length: o.steps,
  });
  return carry[0]!;
}

/**
 * The solution of min f(x, theta) + h(x) as a fixed point of the proximal-gradient map,
 * differentiable in theta by the implicit function theorem (no unrolling).
 */
export function proxGradSolution(
  gradF: (x: Tracer, ...theta: Tracer[]) => Tracer,
  prox: ProxFn,
  x0: Tracer,
  theta: readonly Tracer[],
  o: { t: TLike; tol?: number; maxIter?: number },
): Tracer {
  return P.fixedPoint((x, ...th) => prox(P.sub(x, P.mul(o.t, gradF(x, ...th))), o.t), x0, theta, {
    tol: o.tol ?? 1e-12,
    maxIter: o.maxIter ?? 10000,
  });
}
