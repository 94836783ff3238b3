// Chains on worker threads: one worker per chain up to the available cores (os.availableParallelism;
// PROXIMA_THREADS or the run option `threads` caps it). Each worker compiles the program itself (the
// same sources, bound data, backend and seed, so the same executable and the same numbers) and
// takes chains from a queue; chain c's draws depend only on (seed, c), so a threaded run equals a
// run in one thread. The main thread forwards progress, keeps every chain's latest state for
// checkpoints (a chain not yet started is null and starts afresh on resume), and sets a shared
// flag on Ctrl-C; each worker stops between iterations and returns its chain's state.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ChainState, SamplerSettings } from '../../stdlib/mcmc/index.js';
import type { CompiledProgram } from '../compile.js';
import { nest } from './draws.js';
import type { McmcCheckpoint } from './mcmc_chains.js';
import type { ChainRun } from './mcmc_report.js';
import type { FromWorker, ToWorker, WorkerSetup } from './mcmc_worker.js';
import type { McmcRunOptions } from './mcmc_run.js';
import { reportProgress } from './mcmc_run.js';
import { workerBundle } from './worker_bundle.js';

/** How many worker threads to use for `chains` chains (1: run them in this thread). */
export function threadCount(chains: number, requested?: number): number {
  const env = Number(process.env.PROXIMA_THREADS);
  const cap = requested ?? (Number.isInteger(env) && env > 0 ? env : availableParallelism());
  return Math.max(1, Math.min(chains, cap));
}

/** Checkpoints from workers are written at most this often (ms), and always on a stop. */
const CHECKPOINT_MIN_MS = 1000;

export class ThreadsUnavailable extends Error {}

export async function runThreaded(
  compiled: CompiledProgram,
  s: SamplerSettings,
  chainsN: number,
  radius: number,
  threads: number,
  opts: McmcRunOptions,
  resume: McmcCheckpoint | undefined,
): Promise<{ runs: ChainRun[]; stopped: boolean }> {
  const url = await workerBundle('compiler/running/mcmc_worker.ts', 'mcmc-worker');
  if (!url) throw new ThreadsUnavailable('no worker bundle');
  const stopBuf = new SharedArrayBuffer(4);
  const stop = new Int32Array(stopBuf);
  const data: Record<string, unknown> = {};
  for (const [k, a] of compiled.data) data[k] = nest(Array.from(a.data), a.shape);
  const setup: WorkerSetup = {
    file: compiled.file,
    sources: [...compiled.sources],
    data,
    backend: compiled.internals.backend,
    seed: compiled.seed,
    settings: s,
    radius,
    every: opts.checkpoint?.every ?? 0,
    stop: stopBuf,
  };
  const total = s.warmup + s.draws;
  const latest: (ChainState | null)[] = Array.from({ length: chainsN }, (_, c) => resume?.chains[c] ?? null);
  const progress = latest.map((st, c) => ({
    chain: c,
    iteration: st?.iteration ?? 0,
    total,
    warmup: (st?.iteration ?? 0) < s.warmup,
    divergences: 0,
  }));
  const finished: (ChainState | null)[] = Array.from({ length: chainsN }, () => null);
  const queue = Array.from({ length: chainsN }, (_, c) => c);
  let stopped = false;
  let lastSave = 0;
  const save = (force = false) => {
    if (!opts.checkpoint) return;
    const now = performance.now();
    if (!force && now - lastSave < CHECKPOINT_MIN_MS) return;
    lastSave = now;
    opts.checkpoint.save({ method: s.algorithm, chains: latest } satisfies McmcCheckpoint as never);
  };
  const poll = setInterval(() => {
    if (!stopped && opts.shouldStop?.()) {
      stopped = true;
      Atomics.store(stop, 0, 1);
    }
  }, 50);

  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let live = 0;
      const next = (w: Worker) => {
        const c = stopped ? undefined : queue.shift();
        if (c === undefined) {
          w.postMessage({ type: 'exit' } satisfies ToWorker);
          return;
        }
        w.postMessage({ type: 'chain', chain: c, state: latest[c] } satisfies ToWorker);
      };
      for (let i = 0; i < threads; i++) {
        const w = new Worker(url, { workerData: setup });
        workers.push(w);
        live++;
        w.on('message', (m: FromWorker) => {
          if (m.type === 'ready') next(w);
          else if (m.type === 'progress') {
            progress[m.chain] = m;
            reportProgress(opts, progress);
          } else if (m.type === 'checkpoint') {
            latest[m.chain] = m.state;
            save();
          } else if (m.type === 'done') {
            latest[m.chain] = m.state;
            finished[m.chain] = m.state;
            next(w);
          } else if (m.type === 'error') {
            stopped = true;
            Atomics.store(stop, 0, 1);
            reject(m.sampler ? new SamplerFailure(m.message) : new Error(m.message));
          }
        });
        w.on('error', (e) => reject(e));
        w.on('exit', () => {
          if (--live === 0) resolve();
        });
      }
    });
  } finally {
    clearInterval(poll);
    for (const w of workers) void w.terminate();
  }
  if (stopped) save(true);
  // A stop before every chain started leaves some without a state: they count as no draws.
  const runs: ChainRun[] = latest.map((st, c) => {
    const state = finished[c] ?? st;
    if (!state) return { chain: c, draws: new Float64Array(0), stats: emptyStats(), state: emptyState(c) };
    return { chain: c, draws: Float64Array.from(state.draws), stats: state.stats, state };
  });
  return { runs, stopped };
}

/** A sampler error raised in a worker (the same message as in one thread). */
export class SamplerFailure extends Error {}

function emptyStats(): ChainState['stats'] {
  return { lp: [], acceptStat: [], stepsize: [], treedepth: [], nLeapfrog: [], divergent: [], energy: [] };
}

function emptyState(chain: number): ChainState {
  return {
    chain,
    iteration: 0,
    q: [],
    stepsize: NaN,
    metric: { kind: 'unit', inverse: [] },
    dual: { mu: 0, sBar: 0, xBar: 0, counter: 0 },
    window: { counter: 0, size: 0, next: 0 },
    welford: { count: 0, mean: [], m2: [] },
    rng: 0,
    draws: [],
    stats: emptyStats(),
    warmupDivergent: [],
    gradients: 0,
    warmupMs: 0,
    samplingMs: 0,
  };
}
