// What a caller passes to `run` and gets back while it runs: the options (steps override,
// progress, Ctrl-C, checkpoints, posterior draws) and the one adapter from them to the stdlib
// driver's hooks (stdlib/methods/driver.ts), in the user's terms (the user's sign for the
// objective). Every method, solve or infer, runs with hooks made here.

import type { Checkpoint, RunHooks, StateBase } from '../../stdlib/index.js';
import type { CompileOptions } from '../compile.js';
import type { DrawTable } from './draws.js';

export interface Progress {
  step: number;
  /** The step budget. */
  steps: number;
  /** The user's objective (user's sign; for inference the objective estimate, e.g. the ELBO). */
  objective: number;
  /** The method's convergence measure: the gradient norm on the unconstrained scale, a KKT residual, ... */
  gnorm: number;
  /** MCMC: each chain's progress (iterations over warmup + draws). */
  chains?: ChainProgress[];
}

/** MCMC: one chain's progress. */
export interface ChainProgress {
  chain: number;
  iteration: number;
  total: number;
  warmup: boolean;
  divergences: number;
}

export interface CheckpointHooks {
  /** Save every this many steps. */
  every: number;
  save(state: Checkpoint): void;
  /** Resume from this checkpoint (its fingerprint already checked by the caller). */
  resume?: Checkpoint;
}

export interface RunOptions extends CompileOptions {
  /** Overrides the step budget of the top-level `solve` (or `infer`). */
  steps?: number;
  onProgress?(p: Progress): void;
  shouldStop?(): boolean;
  checkpoint?: CheckpointHooks;
  /** Inference: posterior draws behind the summaries (default 4000). */
  draws?: number;
  /** Inference: receives the posterior draws (the CLI's --draws-out). */
  onDraws?(t: DrawTable): void;
  /** MCMC: worker threads for the chains (default: up to the available cores; 1: none). */
  threads?: number;
}

/**
 * The driver's hooks for a run: progress with the objective in the user's terms (`toUser` maps
 * the minimized value), Ctrl-C, checkpoints; `onStep` sees every step first (an ELBO trace).
 */
export function driverHooks(
  opts: RunOptions,
  steps: number,
  toUser: (f: number) => number,
  onStep?: (f: number) => void,
): RunHooks<StateBase> {
  const progress = opts.onProgress;
  return {
    onStep:
      progress || onStep
        ? (i) => {
            onStep?.(i.f);
            progress?.({ step: i.step, steps, objective: toUser(i.f), gnorm: i.measure });
          }
        : undefined,
    shouldStop: opts.shouldStop,
    checkpointEvery: opts.checkpoint?.every,
    saveCheckpoint: opts.checkpoint?.save,
    resume: opts.checkpoint?.resume,
  };
}
