// The pieces of an MCMC run that the main thread and the worker threads share: the Problem a
// sampler entry runs on (the negative log density of a compiled program, compiled once), each
// chain's initial point, one chain as a run of the one driver, the checkpoint's shape and a
// chain's progress record.

import { foldIn } from '../../runtime/index.js';
import {
  chainKey,
  contextFor,
  MAX_INIT_TRIES,
  runSteps,
  SamplerError,
  Stream,
  type AnyRunnable,
  type Checkpoint,
  type McmcState,
  type MethodResult,
  type Problem,
  type StepInfo,
} from '../../stdlib/index.js';
import type { CompiledProgram } from '../compile.js';
import type { ChainProgress, RunOptions } from './run_options.js';

/** A chain's driver checkpoint. */
export type ChainCheckpoint = Checkpoint<McmcState>;

/** What a checkpoint of an MCMC run holds: every chain's driver checkpoint (null: not started). */
export interface McmcCheckpoint {
  method: string;
  chains: (ChainCheckpoint | null)[];
}

/** The Problem of a compiled model for the samplers: minus its log density on the unconstrained space. */
export function samplerProblem(compiled: CompiledProgram): Problem {
  const ld = compiled.logDensity!;
  return {
    n: ld.n,
    evaluate(x) {
      const r = ld.evaluate(x, 0);
      const g = new Float64Array(r.g.length);
      for (let i = 0; i < g.length; i++) g[i] = -r.g[i]!;
      return { f: -r.f, g };
    },
  };
}

/**
 * Chain c's initial point (Stan's): the first of up to MAX_INIT_TRIES draws uniform(-radius,
 * radius) per unconstrained coordinate, from the chain's own stream and with `start` values
 * applied, where the log density and its gradient are finite.
 */
export function initialPoint(
  compiled: CompiledProgram,
  p: Problem,
  seed: number,
  chain: number,
  radius: number,
): Float64Array {
  for (let a = 0; a < MAX_INIT_TRIES; a++) {
    const s = new Stream(foldIn(chainKey(seed, chain), 0x696e6974 + a));
    const theta0 = Float64Array.from({ length: compiled.n }, () => radius * (2 * s.uniform() - 1));
    const x = compiled.initialPointFrom(theta0);
    const e = p.evaluate(x, 0);
    if (Number.isFinite(e.f) && e.g.every(Number.isFinite)) return x;
  }
  throw new SamplerError(
    `chain ${chain + 1}: the log density or its gradient is not finite at ${MAX_INIT_TRIES} random initial points`,
  );
}

/**
 * Chain `chain` as a run of the sampler's entry through the one driver: from its checkpoint, or
 * from its initial point. `latest` sees the chain's live checkpoint after every iteration.
 */
export function chainRun(
  compiled: CompiledProgram,
  m: AnyRunnable,
  p: Problem,
  options: Record<string, unknown>,
  chain: number,
  radius: number,
  resume: ChainCheckpoint | null,
  hooks: { shouldStop?(): boolean; latest(c: ChainCheckpoint): void },
): Generator<StepInfo, MethodResult<McmcState>> {
  const seed = compiled.seed;
  const x0 = resume ? Float64Array.from(resume.state.x) : initialPoint(compiled, p, seed, chain, radius);
  return runSteps(
    m,
    p,
    x0,
    options as never,
    {
      shouldStop: hooks.shouldStop,
      checkpointEvery: 1,
      saveCheckpoint: (c) => hooks.latest(c as ChainCheckpoint),
      ...(resume ? { resume } : {}),
    },
    { ...contextFor(seed), chain },
  ) as Generator<StepInfo, MethodResult<McmcState>>;
}

export function progressOf(st: McmcState, warmup: number, total: number): ChainProgress {
  const c = st.chain;
  let divergences = c.warmupDivergent.length;
  for (const d of c.stats.divergent) divergences += d;
  return { chain: c.chain, iteration: c.iteration, total, warmup: c.iteration < warmup, divergences };
}

/** How a chain's driver run ended (MethodResult's fields that cross threads). */
export interface ChainEnd {
  status: MethodResult['status'];
  message: string;
  checkpoint: ChainCheckpoint;
}

/** The chains' ends (null: not finished), their latest checkpoints, and whether the user stopped the run. */
export interface McmcRunEnd {
  results: (ChainEnd | null)[];
  latest: (ChainCheckpoint | null)[];
  stopped: boolean;
}

/** What every chain of a run shares: the entry, the driver's options, and the counts. */
export interface McmcPlan {
  method: AnyRunnable;
  options: Record<string, unknown>;
  chains: number;
  radius: number;
  warmup: number;
  total: number;
}

export function progressAll(plan: McmcPlan, latest: (ChainCheckpoint | null)[]): ChainProgress[] {
  return latest.map((ck, c) =>
    ck
      ? progressOf(ck.state, plan.warmup, plan.total)
      : { chain: c, iteration: 0, total: plan.total, warmup: true, divergences: 0 },
  );
}

/** One progress report over every chain: step = iterations done, steps = their total. */
export function reportProgress(opts: RunOptions, chains: ChainProgress[]): void {
  if (!opts.onProgress) return;
  let step = 0;
  let steps = 0;
  for (const c of chains) {
    step += c.iteration;
    steps += c.total;
  }
  opts.onProgress({
    step,
    steps,
    objective: NaN,
    gnorm: NaN,
    chains: chains.map((c) => ({ ...c, chain: c.chain + 1 })),
  });
}
