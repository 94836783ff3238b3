// Helpers of the constrained solvers over the method table's Problem (stdlib/methods/rule.ts).
// Conventions: equality constraints c_E(x) = 0; inequality constraints c_I(x) >= 0; simple bounds
// lower <= x <= upper (entries may be +-Infinity). The Lagrangian is
//   L(x, lambda, mu) = f(x) - lambda' c_E(x) - mu' c_I(x),   mu >= 0,
// so at a solution grad f = J_E' lambda + J_I' mu + z_lower - z_upper (Nocedal & Wright's signs).
// Jacobians are dense row-major (m x n); multipliers are keyed by index (labels come from the
// compiler).

import type { ConstraintEval, Problem } from '../methods/rule.js';

/** Multipliers by index: equalities, inequalities, lower and upper bounds. */
export interface Multipliers {
  eq: number[];
  ineq: number[];
  lower: number[];
  upper: number[];
}

const fin = (v: number | undefined, d: number) => (v === undefined || Number.isNaN(v) ? d : v);
export const lowerOf = (p: Problem, i: number) => fin(p.lower?.[i], -Infinity);
export const upperOf = (p: Problem, i: number) => fin(p.upper?.[i], Infinity);
export const hasBounds = (p: Problem) => !!(p.lower || p.upper);

export function projectBox(p: Problem, x: ArrayLike<number>): Float64Array {
  const r = Float64Array.from(x);
  for (let i = 0; i < r.length; i++) r[i] = Math.min(Math.max(r[i]!, lowerOf(p, i)), upperOf(p, i));
  return r;
}

/** Projects a start onto the bounds; returns the warning to report when it moved. */
export function projectStart(p: Problem, x0: ArrayLike<number>): { x: Float64Array; warning: string | null } {
  const x = projectBox(p, x0);
  const moved: number[] = [];
  for (let i = 0; i < x.length; i++) if (x[i] !== x0[i]) moved.push(i);
  return {
    x,
    warning: moved.length
      ? `the start lies outside the bounds at ${moved.map((i) => `x[${i}] = ${x0[i]}`).join(', ')}; projected onto them`
      : null,
  };
}

/** J' v for a row-major m x n J. */
export function jtv(J: Float64Array, v: ArrayLike<number>, m: number, n: number): Float64Array {
  const r = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const vi = v[i]!;
    if (vi === 0) continue;
    for (let j = 0; j < n; j++) r[j] += J[i * n + j]! * vi;
  }
  return r;
}

/** J v for a row-major m x n J. */
export function jv(J: Float64Array, v: ArrayLike<number>, m: number, n: number): Float64Array {
  const r = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += J[i * n + j]! * v[j]!;
    r[i] = s;
  }
  return r;
}

/** Largest violation of the constraints and bounds at x. */
export function maxViolation(p: Problem, x: Float64Array, E?: ConstraintEval, I?: ConstraintEval): number {
  let v = 0;
  const e = E ?? p.eq?.evaluate(x);
  const ie = I ?? p.ineq?.evaluate(x);
  if (e) for (const c of e.c) v = Math.max(v, Math.abs(c));
  if (ie) for (const c of ie.c) v = Math.max(v, -c);
  for (let i = 0; i < p.n; i++) v = Math.max(v, lowerOf(p, i) - x[i]!, x[i]! - upperOf(p, i));
  return v;
}
