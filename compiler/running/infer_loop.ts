// The optimization loop of `infer vi`, shared by every engine (automatic Gaussian guides, guide
// blocks, programs with discrete latents): the optimizer (Adam by default) through the solver
// driver, the stopping rule of stdlib/vi/stopping.ts on window-averaged iterates, and the
// state a checkpoint must carry so that a resumed run is bit-identical in full (result values,
// `elbo_trace` and the stopping rule's checks included):
//   - the solver state (iterate, moments, step counter);
//   - the stopping rule's state (the current window's iterate sum, the last average and its
//     per-draw ELBO terms, every check);
//   - the ELBO trace (the mean of the per-step estimates over each window, and the current
//     window's partial sum);
//   - the engine's loop state (the running-mean baselines of score-function estimators).
// The result is the last complete window's average iterate (or the last iterate when no window
// completed), never a single noisy iterate.

import { solveAsync, type Method, type SolveOptions, type SolverState } from '../../stdlib/optim/driver.js';
import {
  stageFactor,
  stillRising,
  stopCheck,
  stopInit,
  stopPush,
  windowAverage,
  STAGE_DECAY,
  type StopState,
} from '../../stdlib/vi/stopping.js';
import { defaultLr, type FirstOrderMethod } from '../../stdlib/optim/first_order.js';
import type { CheckpointHooks, Progress } from './run_program.js';

export interface LoopSpec {
  m: number;
  phi0: Float64Array;
  /** The estimate of the optimized objective (to maximize) and its gradient at phi, step t's key. */
  estimate(phi: Float64Array, t: number): { value: number; grad: Float64Array };
  /** The ELBO's per-draw terms at phi on the rule's fixed draws. */
  terms(phi: Float64Array): Float64Array;
  optimizer: { method: Method; lr?: number; beta1?: number; beta2?: number; eps?: number };
  steps: number;
  window: number;
  tol: number;
  /** Engine state carried across steps (JSON), e.g. running-mean baselines. */
  carry?: { get(): unknown; set(v: unknown): void };
}

export interface LoopHooks {
  onProgress?(p: Progress): void;
  shouldStop?(): boolean;
  checkpoint?: CheckpointHooks;
}

export interface LoopResult {
  phi: Float64Array;
  status: 'converged' | 'max_steps' | 'stopped' | 'diverged';
  steps: number;
  stopReason: string;
  gnorm: number;
  /** The per-window means of the per-step estimates. */
  trace: number[];
  stop: StopState;
  /** Set when the budget ended with the ELBO still rising beyond its noise. */
  rising: { gain: number; se: number } | null;
}

/** What travels in a checkpoint beside the solver state. */
interface LoopState {
  stop: StopState;
  trace: number[];
  traceSum: number;
  traceCount: number;
  carry?: unknown;
}
type Saved = SolverState & { vi?: LoopState };

export async function optimizeGuide(spec: LoopSpec, hooks: LoopHooks): Promise<LoopResult> {
  const resumed = hooks.checkpoint?.resume as Saved | undefined;
  const st: LoopState = resumed?.vi
    ? (JSON.parse(JSON.stringify(resumed.vi)) as LoopState)
    : { stop: stopInit(spec.m, spec.window, spec.tol), trace: [], traceSum: 0, traceCount: 0 };
  if (resumed?.vi && spec.carry) spec.carry.set(st.carry);
  const W = spec.window;
  const objective = {
    n: spec.m,
    evaluate(phi: Float64Array, t: number) {
      const { value, grad } = spec.estimate(phi, t);
      // Iterates are averaged and checked as they are evaluated (x_0, x_1, ...).
      st.traceSum += value;
      if (++st.traceCount === W) {
        st.trace.push(st.traceSum / W);
        st.traceSum = 0;
        st.traceCount = 0;
      }
      if (stopPush(st.stop, phi)) {
        const avg = windowAverage(st.stop);
        stopCheck(st.stop, t, avg, spec.terms(avg));
        solveOpts.lr = lr0 * stageFactor(st.stop);
      }
      const g = new Float64Array(spec.m);
      for (let i = 0; i < spec.m; i++) g[i] = -grad[i]!;
      return { f: -value, g };
    },
  };
  // Each stage of the stopping rule runs at a smaller step size (read by every step).
  const lr0 = spec.optimizer.lr ?? defaultLr[spec.optimizer.method as FirstOrderMethod] ?? 0.01;
  const solveOpts: SolveOptions = {
    method: spec.optimizer.method,
    steps: spec.steps,
    // The driver's gradient rule ends only exact cases (a Gaussian posterior under STL, delta).
    tol: 1e-10,
    lr: lr0 * stageFactor(st.stop),
    beta1: spec.optimizer.beta1,
    beta2: spec.optimizer.beta2,
    eps: spec.optimizer.eps,
  };
  let userStop = false;
  const save = hooks.checkpoint
    ? (s: SolverState) => {
        if (spec.carry) st.carry = spec.carry.get();
        hooks.checkpoint!.save({ ...s, vi: st } as Saved);
      }
    : undefined;
  const r = await solveAsync(objective, spec.phi0, solveOpts, {
    onStep: (i) => hooks.onProgress?.({ step: i.step, steps: spec.steps, objective: -i.f, gnorm: i.gnorm }),
    shouldStop: () => {
      userStop = hooks.shouldStop?.() ?? false;
      return userStop || st.stop.firedAt !== null;
    },
    checkpointEvery: hooks.checkpoint?.every,
    saveCheckpoint: save,
    resume: resumed,
  });
  const fired = r.status === 'stopped' && !userStop && st.stop.firedAt !== null;
  const last = fired ? st.stop.best : st.stop.last;
  const phi = r.status === 'diverged' || !last ? r.x : Float64Array.from(last.phi);
  const trace = st.traceCount ? [...st.trace, st.traceSum / st.traceCount] : st.trace;
  const rising = r.status === 'max_steps' ? stillRising(st.stop) : null;
  const g = st.stop.stages[st.stop.stages.length - 1];
  const stopReason = fired
    ? `converged at step ${st.stop.firedAt}: stage ${st.stop.stage} (step size / ${STAGE_DECAY ** st.stop.stage}) improved the ${W}-step average guide's objective by ${fmt(g!.gain)} +- ${fmt(g!.se)} nats, below tol = ${spec.tol} with evidence (gain + 2 se <= tol)`
    : r.status === 'max_steps'
      ? rising
        ? `ran the step budget (${spec.steps}) with the ELBO still rising (${fmt(rising.gain)} +- ${fmt(rising.se)} nats over the last ${W} steps)`
        : `ran the step budget (${spec.steps})`
      : r.status === 'converged'
        ? `the gradient vanished (${r.message}): the guide is exact`
        : r.message;
  return {
    phi: r.status === 'converged' ? r.x : phi,
    status: fired ? 'converged' : r.status,
    steps: r.steps,
    stopReason,
    gnorm: r.gnorm,
    trace,
    stop: st.stop,
    rising,
  };
}

const fmt = (x: number) => (Math.abs(x) >= 0.01 || x === 0 ? x.toFixed(3) : x.toExponential(2));
