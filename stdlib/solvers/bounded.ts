// A bound-constrained quasi-Newton solver (the inner solver of the augmented Lagrangian, and a
// projected method for boxes): projected L-BFGS in the style of Bertsekas' projected Newton
// methods. Variables at a bound whose gradient pushes outwards are held fixed (the epsilon-active
// set); the L-BFGS two-loop direction acts on the free variables; the step is an Armijo search
// along the projection arc P(x + a d). Stops when the projected gradient
// ||P(x - g) - x||_inf <= tol.
// Hooks (as the driver's): progress per iteration, shouldStop (Ctrl-C), and checkpoints of a
// plain-JSON state (`BoundedState`) from which a resumed run continues bit-identically.
// `boundedSteps` is the generator (one yield per iteration, so an async caller can let the event
// loop run); `minimizeBounded` runs it to the end.

import { dot } from '../optim/linalg_host.js';

export interface BoxFn {
  (x: Float64Array): { f: number; g: Float64Array };
}

export interface BoundedOptions {
  lower: Float64Array;
  upper: Float64Array;
  tol: number;
  maxIter: number;
  history?: number;
  /**
   * Iterations without a new best projected gradient after which the solve ends (not
   * converged): on rounding noise (float32) the line search keeps accepting steps that go
   * nowhere, and this ends that wandering long before maxIter. Off when absent.
   */
  patience?: number;
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
  /** Ended by hooks.shouldStop. */
  stopped?: boolean;
}

/** The complete state between iterations: plain JSON (numbers only), for checkpoints. */
export interface BoundedState {
  kind: 'bounded';
  x: number[];
  f: number;
  g: number[];
  S: number[][];
  Y: number[][];
  iters: number;
  evals: number;
}

export interface BoundedHooks {
  onStep?(info: { step: number; f: number; gnorm: number }): void;
  shouldStop?(): boolean;
  checkpointEvery?: number;
  saveCheckpoint?(state: BoundedState): void;
  resume?: BoundedState;
}

const clip = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

export function projectedGradientNorm(x: Float64Array, g: Float64Array, lo: Float64Array, hi: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(clip(x[i]! - g[i]!, lo[i]!, hi[i]!) - x[i]!));
  return m;
}

export function minimizeBounded(
  fn: BoxFn,
  x0: Float64Array,
  o: BoundedOptions,
  hooks: BoundedHooks = {},
): BoundedResult {
  const it = boundedSteps(fn, x0, o, hooks);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

const arr = (v: Float64Array) => Array.from(v);

/** minimizeBounded as a generator: one yield per iteration (after its hooks ran). */
export function* boundedSteps(
  fn: BoxFn,
  x0: Float64Array,
  o: BoundedOptions,
  hooks: BoundedHooks = {},
): Generator<void, BoundedResult> {
  const n = x0.length;
  const { lower: lo, upper: hi } = o;
  const mem = o.history ?? 10;
  let x: Float64Array, f: number, g: Float64Array, evals: number, iters: number;
  const S: Float64Array[] = [],
    Y: Float64Array[] = [];
  const rs = hooks.resume;
  if (rs) {
    if (rs.kind !== 'bounded' || rs.x.length !== n)
      throw new Error('the checkpoint is not a state of this bound-constrained solve');
    x = Float64Array.from(rs.x);
    f = rs.f;
    g = Float64Array.from(rs.g);
    for (const v of rs.S) S.push(Float64Array.from(v));
    for (const v of rs.Y) Y.push(Float64Array.from(v));
    iters = rs.iters;
    evals = rs.evals;
  } else {
    x = Float64Array.from(x0, (v, i) => clip(v, lo[i]!, hi[i]!));
    ({ f, g } = fn(x));
    evals = 1;
    iters = 0;
  }
  let pg = projectedGradientNorm(x, g, lo, hi);
  let [best, bestAt] = [pg, iters];
  let stopped = false;
  while (iters < o.maxIter && pg > o.tol && Number.isFinite(f)) {
    if (hooks.shouldStop?.()) {
      stopped = true;
      break;
    }
    iters++;
    const eps = Math.min(pg, 1e-3);
    const free = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const atLo = x[i]! <= lo[i]! + eps && g[i]! > 0;
      const atHi = x[i]! >= hi[i]! - eps && g[i]! < 0;
      free[i] = atLo || atHi ? 0 : 1;
    }
    // Two-loop recursion restricted to the free variables.
    const q = Float64Array.from(g, (v, i) => (free[i] ? v : 0));
    const k = S.length;
    const alpha = new Float64Array(k);
    const rho = new Float64Array(k);
    const mask = (v: Float64Array) => Float64Array.from(v, (a, i) => (free[i] ? a : 0));
    const Sm = S.map(mask),
      Ym = Y.map(mask);
    for (let j = k - 1; j >= 0; j--) {
      const sy = dot(Sm[j]!, Ym[j]!);
      rho[j] = sy > 1e-16 * Math.sqrt(dot(Sm[j]!, Sm[j]!) * dot(Ym[j]!, Ym[j]!)) ? 1 / sy : 0;
      alpha[j] = rho[j]! * dot(Sm[j]!, q);
      for (let i = 0; i < n; i++) q[i] -= alpha[j]! * Ym[j]![i]!;
    }
    if (k > 0) {
      const yy = dot(Ym[k - 1]!, Ym[k - 1]!);
      const gamma = yy > 0 ? dot(Sm[k - 1]!, Ym[k - 1]!) / yy : 1;
      if (gamma > 0) for (let i = 0; i < n; i++) q[i] *= gamma;
    }
    for (let j = 0; j < k; j++) {
      const b = rho[j]! * dot(Ym[j]!, q);
      for (let i = 0; i < n; i++) q[i] += Sm[j]![i]! * (alpha[j]! - b);
    }
    // Held variables take the (scaled) steepest-descent step, so the projection puts them on
    // their bound (Bertsekas 1982); free ones the quasi-Newton step.
    let gamma = 1;
    if (k > 0) {
      const yy = dot(Y[k - 1]!, Y[k - 1]!);
      const sy = dot(S[k - 1]!, Y[k - 1]!);
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
        S.length = 0;
        Y.length = 0;
      }
      a0 = Math.min(1, 1 / Math.max(Math.sqrt(dot(g, g)), 1e-300));
    }
    // Armijo along the projection arc.
    let a = a0;
    let accepted = false;
    let xn = x,
      fnew = f,
      gnew = g;
    for (let t = 0; t < 50; t++) {
      xn = Float64Array.from(x, (v, i) => clip(v + a * d[i]!, lo[i]!, hi[i]!));
      const r = fn(xn);
      evals++;
      let dec = 0;
      for (let i = 0; i < n; i++) dec += g[i]! * (xn[i]! - x[i]!);
      // Armijo; or, once f only changes at rounding level, a step that reduces the projected
      // gradient (so the last digits of the gradient can still be resolved).
      const roundOk = r.f <= f + 1e-14 * Math.abs(f) && projectedGradientNorm(xn, r.g, lo, hi) < 0.9 * pg;
      // A step too small to change x is no step: accepting it would repeat forever (the
      // inner-solve cliff of the augmented Lagrangian: 1,000 such no-op iterations per solve).
      if (xn.every((v, i) => v === x[i])) break;
      if (Number.isFinite(r.f) && (r.f <= f + 1e-4 * dec || roundOk)) {
        fnew = r.f;
        gnew = r.g;
        accepted = true;
        break;
      }
      a *= 0.5;
    }
    if (!accepted) {
      if (S.length === 0) break; // no progress possible: converged to machine precision
      S.length = 0;
      Y.length = 0;
      after();
      yield;
      continue;
    }
    const s = Float64Array.from(xn, (v, i) => v - x[i]!);
    const y = Float64Array.from(gnew, (v, i) => v - g[i]!);
    if (dot(s, y) > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      S.push(s);
      Y.push(y);
      if (S.length > mem) {
        S.shift();
        Y.shift();
      }
    }
    x = xn;
    f = fnew;
    g = gnew;
    pg = projectedGradientNorm(x, g, lo, hi);
    if (pg < best) [best, bestAt] = [pg, iters];
    else if (o.patience && iters - bestAt >= o.patience) break; // wandering on rounding noise
    after();
    yield;
  }
  return { x, f, g, iters, evals, pgnorm: pg, converged: pg <= o.tol, ...(stopped ? { stopped } : {}) };

  function after() {
    hooks.onStep?.({ step: iters, f, gnorm: pg });
    if (hooks.checkpointEvery && hooks.saveCheckpoint && iters % hooks.checkpointEvery === 0) {
      hooks.saveCheckpoint({ kind: 'bounded', x: arr(x), f, g: arr(g), S: S.map(arr), Y: Y.map(arr), iters, evals });
    }
  }
}
