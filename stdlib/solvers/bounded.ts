// A bound-constrained quasi-Newton solver: projected L-BFGS in the style of Bertsekas' projected
// Newton methods, the `projected` entry of the method table and the inner solver of the
// augmented Lagrangian. Variables at a bound whose gradient pushes outwards are held fixed (the
// epsilon-active set); the L-BFGS two-loop direction acts on the free variables; the step is an
// Armijo search along the projection arc P(x + a d). The test: the projected gradient
// ||P(x - g) - x||_inf <= tol. The state is plain JSON.

import { scaledTest } from '../methods/driver.js';
import { int, stepsOption, tolOption } from '../methods/options.js';
import { defineMethod, type Problem, type StateBase } from '../methods/rule.js';
import { dot } from '../optim/linalg_host.js';
import { twoLoop } from '../optim/two_loop.js';
import { lowerOf, upperOf } from './problem.js';

export interface BoxFn {
  (x: Float64Array): { f: number; g: Float64Array };
}

/** The complete state between iterations: plain JSON, for checkpoints. */
export interface BoundedState extends StateBase {
  method: 'projected';
  g: number[];
  S: number[][];
  Y: number[][];
  evals: number;
}

const clip = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

export function projectedGradientNorm(
  x: ArrayLike<number>,
  g: ArrayLike<number>,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(clip(x[i]! - g[i]!, lo[i]!, hi[i]!) - x[i]!));
  return m;
}

export function boundedInit(
  fn: BoxFn,
  x0: ArrayLike<number>,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
): BoundedState {
  const x = Float64Array.from(x0, (v, i) => clip(v, lo[i]!, hi[i]!));
  const { f, g } = fn(x);
  return { method: 'projected', step: 0, x: Array.from(x), f, g: Array.from(g), S: [], Y: [], evals: 1 };
}

/** One iteration; a note when no further progress is possible (the line search failed from steepest descent). */
export function boundedStep(
  fn: BoxFn,
  st: BoundedState,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  history: number,
): string | null {
  const n = st.x.length;
  const x = Float64Array.from(st.x),
    g = Float64Array.from(st.g);
  const f = st.f;
  const pg = projectedGradientNorm(x, g, lo, hi);
  st.step++;
  const eps = Math.min(pg, 1e-3);
  const free = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const atLo = x[i]! <= lo[i]! + eps && g[i]! > 0;
    const atHi = x[i]! >= hi[i]! - eps && g[i]! < 0;
    free[i] = atLo || atHi ? 0 : 1;
  }
  // The two-loop recursion restricted to the free variables.
  const mask = (v: ArrayLike<number>) => Float64Array.from(v, (a, i) => (free[i] ? a : 0));
  const k = st.S.length;
  const q = twoLoop(mask(g), st.S.map(mask), st.Y.map(mask));
  // Held variables take the (scaled) steepest-descent step, so the projection puts them on
  // their bound (Bertsekas 1982); free ones the quasi-Newton step.
  let gamma = 1;
  if (k > 0) {
    const yy = dot(st.Y[k - 1]!, st.Y[k - 1]!);
    const sy = dot(st.S[k - 1]!, st.Y[k - 1]!);
    if (yy > 0 && sy > 0) gamma = sy / yy;
  }
  let d = Float64Array.from(q, (v, i) => (free[i] ? -v : -gamma * g[i]!));
  let slope = dot(g, d);
  let a0 = 1;
  if (!(slope < 0) || k === 0) {
    d = Float64Array.from(g, (v, i) => (free[i] ? -v : 0));
    slope = dot(g, d);
    if (!(slope < 0)) d = Float64Array.from(g, (v) => -v); // every variable held: plain projected step
    if (k > 0) {
      st.S = [];
      st.Y = [];
    }
    a0 = Math.min(1, 1 / Math.max(Math.sqrt(dot(g, g)), 1e-300));
  }
  // Armijo along the projection arc.
  let a = a0;
  for (let t = 0; t < 50; t++) {
    const xn = Float64Array.from(x, (v, i) => clip(v + a * d[i]!, lo[i]!, hi[i]!));
    const r = fn(xn);
    st.evals++;
    let dec = 0;
    for (let i = 0; i < n; i++) dec += g[i]! * (xn[i]! - x[i]!);
    // Armijo; or, once f only changes at rounding level, a step that reduces the projected
    // gradient (so the last digits of the gradient can still be resolved).
    const roundOk = r.f <= f + 1e-14 * Math.abs(f) && projectedGradientNorm(xn, r.g, lo, hi) < 0.9 * pg;
    // A step too small to change x is no step: accepting it would repeat forever (the
    // inner-solve cliff of the augmented Lagrangian: 1,000 such no-op iterations per solve).
    if (xn.every((v, i) => v === x[i])) break;
    if (Number.isFinite(r.f) && (r.f <= f + 1e-4 * dec || roundOk)) {
      const s = Float64Array.from(xn, (v, i) => v - x[i]!);
      const y = Float64Array.from(r.g, (v, i) => v - g[i]!);
      if (dot(s, y) > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
        st.S.push(Array.from(s));
        st.Y.push(Array.from(y));
        if (st.S.length > history) {
          st.S.shift();
          st.Y.shift();
        }
      }
      st.x = Array.from(xn);
      st.f = r.f;
      st.g = Array.from(r.g);
      return null;
    }
    a *= 0.5;
  }
  if (st.S.length === 0) return 'the projected line search could not decrease the objective further';
  st.S = [];
  st.Y = [];
  return null;
}

export interface BoundedOptions {
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
  tol: number;
  maxIter: number;
  history?: number;
  /**
   * Iterations without a new best projected gradient after which the solve ends (not
   * converged): on rounding noise (float32) the line search keeps accepting steps that go
   * nowhere, and this ends that wandering long before maxIter. Off when absent.
   */
  patience?: number;
  /** Asked after every iteration; true ends the solve (the caller saw it go unbounded). */
  shouldStop?: () => boolean;
}

export interface BoundedResult {
  x: Float64Array;
  f: number;
  g: Float64Array;
  iters: number;
  evals: number;
  /** ||P(x - g) - x||_inf at the end. */
  pgnorm: number;
  converged: boolean;
}

/** The inner solve of the augmented Lagrangian: iterate to the tolerance, the budget, or a stall. */
export function minimizeBounded(fn: BoxFn, x0: ArrayLike<number>, o: BoundedOptions): BoundedResult {
  const { lower: lo, upper: hi } = o;
  const st = boundedInit(fn, x0, lo, hi);
  let pg = projectedGradientNorm(st.x, st.g, lo, hi);
  let [best, bestAt] = [pg, 0];
  while (st.step < o.maxIter && pg > o.tol && Number.isFinite(st.f)) {
    if (boundedStep(fn, st, lo, hi, o.history ?? 10)) break;
    pg = projectedGradientNorm(st.x, st.g, lo, hi);
    if (o.shouldStop?.()) break;
    if (pg < best) [best, bestAt] = [pg, st.step];
    else if (o.patience && st.step - bestAt >= o.patience) break; // wandering on rounding noise
  }
  return {
    x: Float64Array.from(st.x),
    f: st.f,
    g: Float64Array.from(st.g),
    iters: st.step,
    evals: st.evals,
    pgnorm: pg,
    converged: pg <= o.tol,
  };
}

const boundsOf = (p: Problem) => ({
  lo: Float64Array.from({ length: p.n }, (_, i) => lowerOf(p, i)),
  hi: Float64Array.from({ length: p.n }, (_, i) => upperOf(p, i)),
});

export const projected = defineMethod({
  name: 'projected',
  kind: 'solve',
  family: 'bounded',
  available: true,
  summary: 'projected L-BFGS (a smooth objective over bounds)',
  test: 'iterations / projected gradient ‖P(x - ∇f) - x‖∞ <= tol',
  takes: { allows: ['bounds'] },
  auto: {
    rank: 15,
    when: (s) => s.features.has('bounds'),
    reason: (s) => `smooth over simple sets (${(s.words.setVars ?? []).join(', ')}): projected L-BFGS on the bounds`,
  },
  options: {
    steps: stepsOption(1000),
    tol: tolOption(1e-8),
    history: int({ default: 10, min: 1, doc: 'correction pairs kept' }),
  },
  needs: () => ['bounds'],
  init(p, x0) {
    const { lo, hi } = boundsOf(p);
    return boundedInit((x) => p.evaluate(x, 0), x0, lo, hi);
  },
  step(p, st, o) {
    const { lo, hi } = boundsOf(p);
    return boundedStep((x) => p.evaluate(x, 0), st, lo, hi, o.history);
  },
  measure: 'kkt',
  criterion(p, st, o) {
    const { lo, hi } = boundsOf(p);
    return scaledTest('projected gradient', projectedGradientNorm(st.x, st.g, lo, hi), o.tol, 1);
  },
  diagnostics(p, st) {
    const { lo, hi } = boundsOf(p);
    const lower = st.x.map((v, i) => (v <= lo[i]! && st.g[i]! > 0 ? st.g[i]! : 0));
    const upper = st.x.map((v, i) => (v >= hi[i]! && st.g[i]! < 0 ? -st.g[i]! : 0));
    return {
      kkt: projectedGradientNorm(st.x, st.g, lo, hi),
      max_violation: 0,
      multipliers: { eq: [], ineq: [], lower, upper },
      evaluations: st.evals,
    };
  },
});
