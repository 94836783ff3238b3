// The entry of an MCMC worker thread (bundled by worker_bundle.ts): compiles the program it is
// given (sources, bound data, backend and seed: the same executable, so the same numbers, as the
// main thread), then runs the chains the main thread hands it one at a time, each a run of the
// sampler's table entry through the one driver (mcmc_chains.ts chainRun, as in one thread),
// posting progress, checkpoints and the finished chain. The driver stops between iterations when
// the shared stop flag is set. Protocol: mcmc_threads.ts.

import { parentPort, workerData } from 'node:worker_threads';
import { runnableOf, SamplerError } from '../../stdlib/index.js';
import { compileProgram } from '../compile.js';
import { chainRun, progressOf, samplerProblem, type ChainCheckpoint } from './mcmc_chains.js';
import type { ChainProgress } from './run_options.js';

export interface WorkerSetup {
  file: string;
  sources: [string, string][];
  data: Record<string, unknown>;
  backend: string;
  seed: number;
  method: string;
  /** The driver's options (mcmc_run.ts McmcPlan). */
  options: Record<string, unknown>;
  radius: number;
  warmup: number;
  total: number;
  /** Post a checkpoint every this many iterations (0: never). */
  every: number;
  stop: SharedArrayBuffer;
}

export type ToWorker = { type: 'chain'; chain: number; checkpoint: ChainCheckpoint | null } | { type: 'exit' };

export type FromWorker =
  | { type: 'ready' }
  | ({ type: 'progress' } & ChainProgress)
  | { type: 'checkpoint'; chain: number; checkpoint: ChainCheckpoint }
  | { type: 'done'; chain: number; checkpoint: ChainCheckpoint; status: string; message: string }
  | { type: 'error'; message: string; sampler: boolean };

async function main(): Promise<void> {
  const port = parentPort!;
  const w = workerData as WorkerSetup;
  const stop = new Int32Array(w.stop);
  const sources = new Map(w.sources);
  const post = (m: FromWorker) => port.postMessage(m);
  let compiled: Awaited<ReturnType<typeof compileProgram>>;
  try {
    compiled = await compileProgram(
      { file: w.file, source: sources.get(w.file)! },
      {
        data: w.data,
        backend: w.backend,
        seed: w.seed,
        readFile: (p) => {
          const s = sources.get(p);
          if (s === undefined) throw Object.assign(new Error(`no such file ${p}`), { code: 'ENOENT' });
          return s;
        },
      },
    );
  } catch (e) {
    post({
      type: 'error',
      message: `the worker could not compile the program: ${(e as Error).message}`,
      sampler: false,
    });
    return;
  }
  const p = samplerProblem(compiled);
  const m = runnableOf(w.method)!;
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'exit') {
      port.close();
      return;
    }
    try {
      let last = 0;
      const run = chainRun(compiled, m, p, w.options, msg.chain, w.radius, msg.checkpoint, {
        shouldStop: () => Atomics.load(stop, 0) !== 0,
        latest(ck) {
          const now = performance.now();
          const it = ck.state.step;
          if (now - last > 100 || it === w.total) {
            post({ type: 'progress', ...progressOf(ck.state, w.warmup, w.total) });
            last = now;
          }
          if (w.every && it % w.every === 0 && it < w.total)
            post({ type: 'checkpoint', chain: msg.chain, checkpoint: ck });
        },
      });
      let r = run.next();
      while (!r.done) r = run.next();
      post({
        type: 'done',
        chain: msg.chain,
        checkpoint: r.value.checkpoint,
        status: r.value.status,
        message: r.value.message,
      });
    } catch (e) {
      post({ type: 'error', message: (e as Error).message, sampler: e instanceof SamplerError });
    }
  });
  post({ type: 'ready' });
}

void main();
