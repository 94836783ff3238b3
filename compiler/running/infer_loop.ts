// The optimization loop of `infer vi`, shared by every engine (automatic Gaussian guides, guide
// blocks, programs with discrete latents): the engine's estimate as a stdlib Problem (its fixed
// draws as `pairedTerms`, its running-mean baselines as `aux`), run by the method table's `vi`
// entry (stdlib/vi/method.ts: the nested optimizer, the stopping rule of stdlib/vi/stopping.ts
// on window-averaged iterates, the ELBO trace) through the one driver (vi_run.ts). The entry's
// state holds everything a checkpoint must carry, so a resumed run is bit-identical in full
// (result values, `elbo_trace` and the stopping rule's checks included). The result is the
// better of the last two stages' averages when the rule fired, else the last complete window's
// average iterate (or the last iterate when no window completed), never a single noisy iterate.

import {
  stillRising,
  viPoint,
  viTrace,
  VI_WINDOW,
  type Problem,
  type StopState,
  type ViState,
} from '../../stdlib/index.js';
import type { CompiledProgram } from '../compile.js';
import type { Message } from '../messages.js';
import { runVi, type InferRunOptions } from './vi_run.js';

export interface LoopSpec {
  m: number;
  phi0: Float64Array;
  /** The estimate of the optimized objective (to maximize) and its gradient at phi, step t's key. */
  estimate(phi: Float64Array, t: number): { value: number; grad: Float64Array };
  /** The objective's per-draw terms at phi on the stopping rule's fixed draws. */
  terms(phi: Float64Array): Float64Array;
  steps: number;
  /** Engine state carried across steps (JSON), e.g. running-mean baselines. */
  carry?: { get(): unknown; set(v: unknown): void };
}

export interface LoopResult {
  phi: Float64Array;
  status: 'converged' | 'max_steps' | 'stopped' | 'diverged' | 'infeasible';
  steps: number;
  stopReason: string;
  gnorm: number;
  /** The per-window means of the per-step estimates. */
  trace: number[];
  stop: StopState;
  /** Set when the budget ended with the ELBO still rising beyond its noise. */
  rising: { gain: number; se: number } | null;
  /** How the run ended, in the user's terms (compiler/running/outcome.ts). */
  messages: Message[];
  diagnostics: Record<string, unknown>;
}

export async function optimizeGuide(
  compiled: CompiledProgram,
  spec: LoopSpec,
  opts: InferRunOptions,
): Promise<LoopResult | { error: string }> {
  const problem: Problem = {
    n: spec.m,
    evaluate(phi, t) {
      const { value, grad } = spec.estimate(phi, t);
      return { f: -value, g: grad.map((v) => -v) };
    },
    pairedTerms: (phi) => spec.terms(phi),
    ...(spec.carry ? { aux: { save: () => spec.carry!.get(), restore: (v: unknown) => spec.carry!.set(v) } } : {}),
  };
  const run = await runVi(compiled, problem, spec.phi0, spec.steps, opts);
  if ('error' in run) return run;
  const { r, end } = run;
  const st = r.checkpoint.state as ViState;
  const rising = r.status === 'max_steps' ? stillRising(st.stop) : null;
  const stopReason =
    r.status === 'converged'
      ? st.stop.firedAt !== null
        ? r.message
        : `the gradient vanished (${r.message}): the guide is exact`
      : r.status === 'max_steps'
        ? rising
          ? `ran the step budget (${spec.steps}) with the ELBO still rising (${fmt(rising.gain)} +- ${fmt(rising.se)} nats over the last ${VI_WINDOW} steps)`
          : `ran the step budget (${spec.steps})`
        : end.stopReason;
  return {
    phi: viPoint(st, r.status),
    status: r.status,
    steps: r.steps,
    stopReason,
    gnorm: r.measure,
    trace: viTrace(st),
    stop: st.stop,
    rising,
    messages: end.messages,
    diagnostics: end.diagnostics,
  };
}

const fmt = (x: number) => (Math.abs(x) >= 0.01 || x === 0 ? x.toFixed(3) : x.toExponential(2));
