// The host-side solver loop: runs an unconstrained solver over an Objective whose value and
// gradient come from a compiled graph, one step at a time, so that progress display, Ctrl-C and
// checkpoints can happen between steps. The complete solver state is a plain JSON object;
// resuming from it gives bit-identical iterates (no stopping rule reads the clock).
// Methods: lbfgs; first-order (sgd, adam, adamw, adagrad, rmsprop, diffgrad, normalized_gd,
// normalized_momentum, with schedules and adaptive batches); newton_cg (needs hvp); gauss_newton
// and lm (need a residual); prox_grad, fista and prox_adam (need a prox term).
// Stopping rule (what `tol` measures): ||G||_inf <= tol * max(1, |F|), where G is the gradient
// for smooth methods, the gradient mapping for prox methods, and J'r for gauss_newton / lm; F is
// the objective (plus the prox term's value).

import { lbfgsInit, lbfgsStep, type LbfgsState } from './lbfgs.js';
import { firstOrderInit, firstOrderStep, type FirstOrderState } from './first_order.js';
import { proxInit, proxStep, type ProxState } from './prox_methods.js';
import { newtonCgInit, newtonCgStep, type NewtonCgState } from './newton_cg.js';
import { lmInit, lmStep, type LmState } from './gauss_newton.js';
import type { Schedule } from './schedules.js';
import { platform } from '../../runtime/index.js';

export interface Evaluation {
  f: number;
  g: Float64Array;
}

/** A nonsmooth term h given by its prox (see stdlib/prox/host.ts for registered terms). */
export interface ProxTerm {
  /** prox_{t h}(x). */
  prox(x: Float64Array, t: number): Float64Array;
  /** Per-coordinate steps (separable h only): argmin h(z) + sum (z_i - x_i)^2 / (2 t_i). */
  proxDiag?(x: Float64Array, t: Float64Array): Float64Array;
  value(x: Float64Array): number;
  /** prox and h at it in one computation, when cheaper. */
  proxValue?(x: Float64Array, t: number): { z: Float64Array; value: number };
}

/** A least-squares structure f(x) = 0.5 ||r(x)||^2 (Gauss-Newton / Levenberg-Marquardt). */
export interface Residual {
  /** Number of residuals. */
  m: number;
  r(x: Float64Array): Float64Array;
  /** J v (length m) and J' u (length n) at x. */
  jvp(x: Float64Array, v: Float64Array): Float64Array;
  vjp(x: Float64Array, u: Float64Array): Float64Array;
}

/** A finite-sum objective that can be evaluated on a batch (adaptive batch sizes). */
export interface BatchObjective {
  /** Number of examples. */
  size: number;
  /** Mean loss and gradient over the examples `idx`, and each example's gradient. */
  evaluate(x: Float64Array, idx: readonly number[]): { f: number; g: Float64Array; perExample: Float64Array[] };
}

export interface Objective {
  /** Length of the flat decision vector. */
  n: number;
  /** Value and gradient of the smooth function to MINIMIZE; `step` seeds stochastic objectives. */
  evaluate(x: Float64Array, step: number): Evaluation;
  /** Value only (cheaper; used by backtracking line searches when given). */
  value?(x: Float64Array, step: number): number;
  /** Hessian-vector product of the smooth part at x (newton_cg). */
  hvp?(x: Float64Array, v: Float64Array): Float64Array;
  /** The nonsmooth term of prox methods: minimize f + h. */
  prox?: ProxTerm;
  /** f = 0.5 ||r||^2 structure (gauss_newton, lm). */
  residual?: Residual;
  /** Batched evaluation (first-order methods with `batch` options). */
  batch?: BatchObjective;
}

export type Method =
  | 'lbfgs'
  | 'sgd'
  | 'adam'
  | 'adamw'
  | 'adagrad'
  | 'rmsprop'
  | 'diffgrad'
  | 'normalized_gd'
  | 'normalized_momentum'
  | 'newton_cg'
  | 'gauss_newton'
  | 'lm'
  | 'prox_grad'
  | 'fista'
  | 'prox_adam';

export interface BatchOptions {
  /** Starting batch size. */
  initial: number;
  /** Which test grows the batch (default 'norm'). */
  test?: 'norm' | 'inner_product';
  /** Test constant eta (default 0.5 for the norm test, 0.9 for the inner-product test). */
  eta?: number;
  /** Largest batch (default: the whole data set). */
  max?: number;
  /** Seed of the sampler (default 0). */
  seed?: number;
}

export interface SolveOptions {
  method: Method;
  /** Iteration budget (outer iterations; line-search evaluations are not counted). */
  steps: number;
  tol: number;
  /** First-order: base learning rate (default per method), and its schedule. */
  lr?: number;
  schedule?: Schedule;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** sgd: momentum (0) and Nesterov; normalized_momentum: beta (0.9). */
  momentum?: number;
  nesterov?: boolean;
  /** adamw: decoupled weight decay (0.01). */
  weightDecay?: number;
  /** rmsprop: decay of the squared-gradient average (0.99). */
  rho?: number;
  /** Adaptive batch sizes (objectives with `batch`). */
  batch?: BatchOptions;
  /** L-BFGS: number of correction pairs kept. */
  history?: number;
  /** prox_grad / fista: a known Lipschitz constant of grad f (else estimated and backtracked), the backtracking factor (2), and adaptive restart (true). */
  lipschitz?: number;
  backtrack?: number;
  restart?: boolean;
  /** newton_cg: CG iterations per step (default n, at most 200). */
  cgIters?: number;
  /** lm: initial damping (1e-3). */
  damping?: number;
}

export type SolverState = LbfgsState | FirstOrderState | ProxState | NewtonCgState | LmState;

interface MethodImpl {
  init(obj: Objective, x0: Float64Array, o: SolveOptions): SolverState;
  step(obj: Objective, st: SolverState, o: SolveOptions): string | null;
}

const fo: MethodImpl = { init: firstOrderInit, step: (ob, s, o) => firstOrderStep(ob, s as FirstOrderState, o) };
const px: MethodImpl = { init: proxInit, step: (ob, s, o) => proxStep(ob, s as ProxState, o) };
const lm: MethodImpl = { init: lmInit, step: (ob, s, o) => lmStep(ob, s as LmState, o) };

export const METHODS: Record<Method, MethodImpl> = {
  lbfgs: { init: (ob, x0) => lbfgsInit(ob, x0), step: (ob, s, o) => lbfgsStep(ob, s as LbfgsState, o) },
  sgd: fo,
  adam: fo,
  adamw: fo,
  adagrad: fo,
  rmsprop: fo,
  diffgrad: fo,
  normalized_gd: fo,
  normalized_momentum: fo,
  prox_adam: fo,
  newton_cg: { init: newtonCgInit, step: (ob, s, o) => newtonCgStep(ob, s as NewtonCgState, o) },
  gauss_newton: lm,
  lm,
  prox_grad: px,
  fista: px,
};

export interface StepInfo {
  step: number;
  f: number;
  gnorm: number;
}

export interface SolveHooks {
  onStep?(info: StepInfo): void;
  shouldStop?(): boolean;
  checkpointEvery?: number;
  saveCheckpoint?(state: SolverState): void;
  resume?: SolverState;
}

export type SolveStatus = 'converged' | 'max_steps' | 'stopped' | 'diverged';

export interface SolveResult {
  x: Float64Array;
  f: number;
  gnorm: number;
  steps: number;
  status: SolveStatus;
  /** Why the solver stopped, in words (e.g. a line search that could not decrease f). */
  message: string;
  state: SolverState;
}

export const DEFAULTS = {
  lbfgs: { tol: 1e-8, history: 10 },
  adam: { tol: 1e-8, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  fista: { tol: 1e-8, backtrack: 2, restart: true },
  newton_cg: { tol: 1e-8 },
  lm: { tol: 1e-10, damping: 1e-3 },
} as const;

export function gradNormInf(g: Float64Array): number {
  let m = 0;
  for (let i = 0; i < g.length; i++) {
    const a = Math.abs(g[i]!);
    if (!(a <= m)) m = a; // NaN wins, so it is seen
  }
  return m;
}

export const isConverged = (f: number, gnorm: number, tol: number): boolean => gnorm <= tol * Math.max(1, Math.abs(f));

/**
 * The solver as a generator: it yields after every step, so a caller can interleave other work
 * (an async caller yields to the event loop to see Ctrl-C). Returns the result when done.
 */
export function* solveSteps(
  obj: Objective,
  x0: Float64Array,
  opts: SolveOptions,
  hooks: SolveHooks = {},
): Generator<StepInfo, SolveResult> {
  let state: SolverState;
  if (hooks.resume) {
    if (hooks.resume.method !== opts.method)
      throw new Error(`checkpoint is for ${hooks.resume.method}, not ${opts.method}`);
    state = hooks.resume;
  } else {
    const impl = METHODS[opts.method];
    if (!impl) throw new Error(`unknown method '${opts.method}'`);
    state = impl.init(obj, x0, opts);
  }
  const finish = (status: SolveStatus, message: string): SolveResult => ({
    x: Float64Array.from(state.x),
    f: state.f,
    gnorm: gradNormInf(Float64Array.from(state.g)),
    steps: state.step,
    status,
    message,
    state,
  });
  if (!Number.isFinite(state.f)) return finish('diverged', 'the objective is not finite at the starting point');
  for (;;) {
    const gnorm = gradNormInf(Float64Array.from(state.g));
    if (!Number.isFinite(gnorm)) return finish('diverged', 'the gradient is not finite');
    if (isConverged(state.f, gnorm, opts.tol))
      return finish('converged', `gradient norm ${gnorm.toExponential(2)} <= tol`);
    if (state.step >= opts.steps) return finish('max_steps', `reached the step budget (${opts.steps})`);
    if (hooks.shouldStop?.()) return finish('stopped', 'stopped by the user');
    const note = METHODS[opts.method].step(obj, state, opts);
    if (!Number.isFinite(state.f)) return finish('diverged', `the objective became ${state.f} at step ${state.step}`);
    const info = { step: state.step, f: state.f, gnorm: gradNormInf(Float64Array.from(state.g)) };
    hooks.onStep?.(info);
    if (hooks.checkpointEvery && hooks.saveCheckpoint && state.step % hooks.checkpointEvery === 0)
      hooks.saveCheckpoint(state);
    if (note) return finish('converged', note);
    yield info;
  }
}

/** Runs the solver to the end, synchronously. */
export function solve(obj: Objective, x0: Float64Array, opts: SolveOptions, hooks: SolveHooks = {}): SolveResult {
  const it = solveSteps(obj, x0, opts, hooks);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

/** Runs the solver to the end, yielding to the event loop every ~20 ms (signals, progress). */
export function solveAsync(
  obj: Objective,
  x0: Float64Array,
  opts: SolveOptions,
  hooks: SolveHooks = {},
): Promise<SolveResult> {
  return drainAsync(solveSteps(obj, x0, opts, hooks));
}

/** Runs any step generator to its end, yielding to the event loop every ~20 ms (Ctrl-C, progress). */
export async function drainAsync<T, R>(it: Generator<T, R>): Promise<R> {
  let last = performance.now();
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
    if (performance.now() - last > 20) {
      await platform.yieldToEventLoop();
      last = performance.now();
    }
  }
}
