// The host-side solver loop: runs a smooth solver (L-BFGS or Adam) over an Objective whose value
// and gradient come from a compiled graph, one step at a time, so that progress display,
// Ctrl-C and checkpoints can happen between steps. The complete solver state is a plain JSON
// object; resuming from it gives bit-identical iterates (no stopping rule reads the clock).
// Stopping rule (what `tol` measures): ||grad f||_inf <= tol * max(1, |f|).

import { lbfgsInit, lbfgsStep, type LbfgsState } from './lbfgs.js';
import { adamInit, adamStep, type AdamState } from './adam.js';

export interface Evaluation {
  f: number;
  g: Float64Array;
}

export interface Objective {
  /** Length of the flat decision vector. */
  n: number;
  /** Value and gradient of the function to MINIMIZE; `step` seeds stochastic objectives. */
  evaluate(x: Float64Array, step: number): Evaluation;
}

export interface SolveOptions {
  method: 'lbfgs' | 'adam';
  steps: number;
  tol: number;
  /** Adam: learning rate. */
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** L-BFGS: number of correction pairs kept. */
  history?: number;
}

export type SolverState = LbfgsState | AdamState;

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
export function* solveSteps(obj: Objective, x0: Float64Array, opts: SolveOptions, hooks: SolveHooks = {}): Generator<StepInfo, SolveResult> {
  let state: SolverState;
  if (hooks.resume) {
    if (hooks.resume.method !== opts.method) throw new Error(`checkpoint is for ${hooks.resume.method}, not ${opts.method}`);
    state = hooks.resume;
  } else {
    state = opts.method === 'lbfgs' ? lbfgsInit(obj, x0) : adamInit(obj, x0);
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
    if (isConverged(state.f, gnorm, opts.tol)) return finish('converged', `gradient norm ${gnorm.toExponential(2)} <= tol`);
    if (state.step >= opts.steps) return finish('max_steps', `reached the step budget (${opts.steps})`);
    if (hooks.shouldStop?.()) return finish('stopped', 'stopped by the user');
    let note: string | null;
    if (state.method === 'lbfgs') note = lbfgsStep(obj, state, opts);
    else note = adamStep(obj, state, opts);
    if (!Number.isFinite(state.f)) return finish('diverged', `the objective became ${state.f} at step ${state.step}`);
    const info = { step: state.step, f: state.f, gnorm: gradNormInf(Float64Array.from(state.g)) };
    hooks.onStep?.(info);
    if (hooks.checkpointEvery && hooks.saveCheckpoint && state.step % hooks.checkpointEvery === 0) hooks.saveCheckpoint(state);
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
export async function solveAsync(obj: Objective, x0: Float64Array, opts: SolveOptions, hooks: SolveHooks = {}): Promise<SolveResult> {
  const it = solveSteps(obj, x0, opts, hooks);
  let last = performance.now();
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
    if (performance.now() - last > 20) {
      await new Promise((res) => setImmediate(res));
      last = performance.now();
    }
  }
}
