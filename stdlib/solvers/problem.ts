// The constrained-problem interface shared by the constrained solvers, and its result.
// Conventions: equality constraints c_E(x) = 0; inequality constraints c_I(x) >= 0; simple bounds
// lower <= x <= upper (entries may be +-Infinity). The Lagrangian is
//   L(x, lambda, mu) = f(x) - lambda' c_E(x) - mu' c_I(x),   mu >= 0,
// so at a solution grad f = J_E' lambda + J_I' mu + z_lower - z_upper (Nocedal & Wright's signs).
// Jacobians are dense row-major (m x n); multipliers are keyed by index (labels come from the
// compiler).

export interface ConstraintEval {
  c: Float64Array;
  /** Row-major m x n Jacobian. */
  J: Float64Array;
}

export interface ConstraintBlock {
  m: number;
  evaluate(x: Float64Array): ConstraintEval;
}

export interface ConstrainedProblem {
  n: number;
  /** Objective value and gradient. */
  f(x: Float64Array): { f: number; g: Float64Array };
  eq?: ConstraintBlock;
  ineq?: ConstraintBlock;
  lower?: ArrayLike<number>;
  upper?: ArrayLike<number>;
  /** Hessian of the Lagrangian f - lambda' c_E (equalities only) times v (sketch_newton; else finite differences). */
  lagHvp?(x: Float64Array, lambda: Float64Array, v: Float64Array): Float64Array;
}

export type ConstrainedStatus = 'converged' | 'max_steps' | 'infeasible' | 'stopped' | 'diverged';

export interface Multipliers {
  eq: number[];
  ineq: number[];
  lower: number[];
  upper: number[];
}

export interface ConstrainedResult {
  x: Float64Array;
  f: number;
  status: ConstrainedStatus;
  message: string;
  /** Outer iterations. */
  steps: number;
  /** ||P_box(x - grad_x L) - x||_inf with the final multipliers. */
  kkt: number;
  /** Largest violation of any constraint or bound. */
  maxViolation: number;
  multipliers: Multipliers;
  /** e.g. a start projected onto the bounds. */
  warnings: string[];
  /** Function evaluations, inner iterations, sketch iterations (sketch_newton), final penalty. */
  stats: Record<string, number>;
  /** The complete JSON state (resume from it). */
  state: unknown;
}

const fin = (v: number | undefined, d: number) => (v === undefined || Number.isNaN(v) ? d : v);
export const lowerOf = (p: ConstrainedProblem, i: number) => fin(p.lower?.[i], -Infinity);
export const upperOf = (p: ConstrainedProblem, i: number) => fin(p.upper?.[i], Infinity);
export const hasBounds = (p: ConstrainedProblem) => !!(p.lower || p.upper);

export function projectBox(p: ConstrainedProblem, x: ArrayLike<number>): Float64Array {
  const r = Float64Array.from(x);
  for (let i = 0; i < r.length; i++) r[i] = Math.min(Math.max(r[i]!, lowerOf(p, i)), upperOf(p, i));
  return r;
}

/** Projects a start onto the bounds; returns the warning to report when it moved. */
export function projectStart(
  p: ConstrainedProblem,
  x0: ArrayLike<number>,
): { x: Float64Array; warning: string | null } {
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
export function maxViolation(p: ConstrainedProblem, x: Float64Array, E?: ConstraintEval, I?: ConstraintEval): number {
  let v = 0;
  const e = E ?? p.eq?.evaluate(x);
  const ie = I ?? p.ineq?.evaluate(x);
  if (e) for (const c of e.c) v = Math.max(v, Math.abs(c));
  if (ie) for (const c of ie.c) v = Math.max(v, -c);
  for (let i = 0; i < p.n; i++) v = Math.max(v, lowerOf(p, i) - x[i]!, x[i]! - upperOf(p, i));
  return v;
}
