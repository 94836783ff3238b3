// Chains on worker threads: one worker per chain up to the available cores (os.availableParallelism;
// PROXIMA_THREADS or the run option `threads` caps it). Each worker compiles the program itself (the
// same sources, bound data, backend and seed, so the same executable and the same numbers) and
// takes chains from a queue, each a run of the sampler's table entry through the one driver; chain
// c's draws depend only on (seed, c), so a threaded run equals a run in one thread. The main thread
// forwards progress, keeps every chain's latest checkpoint (a chain not yet started is null and
// starts afresh on resume), and sets a shared flag on Ctrl-C; each worker's driver stops between
// iterations and returns its chain's checkpoint.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CompiledProgram } from '../compile.js';
import { nest } from './draws.js';
import {
  progressAll,
  reportProgress,
  type ChainCheckpoint,
  type ChainEnd,
  type McmcCheckpoint,
  type McmcPlan,
  type McmcRunEnd,
} from './mcmc_chains.js';
import type { FromWorker, ToWorker, WorkerSetup } from './mcmc_worker.js';
import type { RunOptions } from './run_options.js';
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

/** A sampler error raised in a worker (the same message as in one thread). */
export class SamplerFailure extends Error {}

export async function runThreaded(
  compiled: CompiledProgram,
  plan: McmcPlan,
  threads: number,
  opts: RunOptions,
  resume: McmcCheckpoint | undefined,
): Promise<McmcRunEnd> {
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
    method: plan.method.name,
    options: plan.options,
    radius: plan.radius,
    warmup: plan.warmup,
    total: plan.total,
    every: opts.checkpoint?.every ?? 0,
    stop: stopBuf,
  };
  const latest: (ChainCheckpoint | null)[] = Array.from({ length: plan.chains }, (_, c) => resume?.chains[c] ?? null);
  const progress = progressAll(plan, latest);
  const results: (ChainEnd | null)[] = latest.map(() => null);
  const queue = Array.from({ length: plan.chains }, (_, c) => c);
  let stopped = false;
  let lastSave = 0;
  const save = (force = false) => {
    if (!opts.checkpoint) return;
    const now = performance.now();
    if (!force && now - lastSave < CHECKPOINT_MIN_MS) return;
    lastSave = now;
    opts.checkpoint.save({ method: plan.method.name, chains: latest } satisfies McmcCheckpoint as never);
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
        w.postMessage({ type: 'chain', chain: c, checkpoint: latest[c] ?? null } satisfies ToWorker);
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
            latest[m.chain] = m.checkpoint;
            save();
          } else if (m.type === 'done') {
            latest[m.chain] = m.checkpoint;
            results[m.chain] = { status: m.status as ChainEnd['status'], message: m.message, checkpoint: m.checkpoint };
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
  return { results, latest, stopped };
}
