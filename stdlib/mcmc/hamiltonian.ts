// Phase points and the leapfrog integrator of Euclidean HMC (Stan's expl_leapfrog): half a
// momentum step on the gradient of log p, a full position step along the velocity M^-1 p, the
// gradient at the new position, another half momentum step. The potential is -log p, so the
// Hamiltonian is H = -log p(q) + p' M^-1 p / 2. A log density that is not finite (outside the
// support, an overflow) makes H infinite: the samplers treat that as a divergence.

import { kinetic, velocity, type Metric } from './metric.js';

/** The unconstrained log density (Jacobians included) and its gradient. */
export interface LogDensity {
  n: number;
  /** Writes the gradient of log p at q into g and returns log p (-Infinity or NaN where undefined). */
  logpGrad(q: Float64Array, g: Float64Array): number;
}

export interface PhasePoint {
  q: Float64Array;
  p: Float64Array;
  /** The gradient of log p at q. */
  g: Float64Array;
  logp: number;
}

export function newPoint(n: number): PhasePoint {
  return { q: new Float64Array(n), p: new Float64Array(n), g: new Float64Array(n), logp: -Infinity };
}

export function copyPoint(dst: PhasePoint, src: PhasePoint): void {
  dst.q.set(src.q);
  dst.p.set(src.p);
  dst.g.set(src.g);
  dst.logp = src.logp;
}

/** Evaluates log p and its gradient at z.q (a NaN log density becomes -Infinity). */
export function evaluate(ld: LogDensity, z: PhasePoint): void {
  const v = ld.logpGrad(z.q, z.g);
  z.logp = Number.isNaN(v) ? -Infinity : v;
}

export function hamiltonian(m: Metric, z: PhasePoint): number {
  const h = -z.logp + kinetic(m, z.p);
  return Number.isNaN(h) ? Infinity : h;
}

/** One leapfrog step of size eps (negative: backward in time), in place; `v` is scratch. */
export function leapfrog(ld: LogDensity, m: Metric, z: PhasePoint, eps: number, v: Float64Array): void {
  const n = m.n;
  const h = 0.5 * eps;
  for (let i = 0; i < n; i++) z.p[i] = z.p[i]! + h * z.g[i]!;
  velocity(m, z.p, v);
  for (let i = 0; i < n; i++) z.q[i] = z.q[i]! + eps * v[i]!;
  evaluate(ld, z);
  for (let i = 0; i < n; i++) z.p[i] = z.p[i]! + h * z.g[i]!;
}
