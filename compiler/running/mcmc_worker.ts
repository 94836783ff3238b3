// The entry of an MCMC worker thread (bundled by worker_bundle.ts): compiles the program it is
// given (sources, bound data, backend and seed: the same executable, so the same numbers, as the
// main thread), then runs the chains the main thread hands it one at a time, posting progress,
// checkpoint states and the finished chain. It stops between iterations when the shared stop
// flag is set. Protocol: mcmc_threads.ts.

import { parentPort, workerData } from 'node:worker_threads';
import { Chain, SamplerError, type ChainState, type SamplerSettings } from '../../stdlib/mcmc/index.js';
import { compileProgram } from '../compile.js';
import { initialPoint, logDensityOf, progressOf } from './mcmc_chains.js';

export interface WorkerSetup {
  file: string;
  sources: [string, string][];
  data: Record<string, unknown>;
  backend: string;
  seed: number;
  settings: SamplerSettings;
  radius: number;
  /** Post a checkpoint state every this many iterations (0: never). */
  every: number;
  stop: SharedArrayBuffer;
}

export type ToWorker = { type: 'chain'; chain: number; state: ChainState | null } | { type: 'exit' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; chain: number; iteration: number; total: number; warmup: boolean; divergences: number }
  | { type: 'checkpoint'; chain: number; state: ChainState }
  | { type: 'done'; chain: number; state: ChainState; stopped: boolean }
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
  const ld = logDensityOf(compiled);
  port.on('message', (m: ToWorker) => {
    if (m.type === 'exit') {
      port.close();
      return;
    }
    try {
      const c = m.state
        ? Chain.resume(ld, w.settings, w.seed, m.state)
        : Chain.start(ld, w.settings, w.seed, m.chain, initialPoint(compiled, w.seed, m.chain, w.radius));
      let last = 0;
      let stopped = false;
      while (!c.done) {
        if (Atomics.load(stop, 0)) {
          stopped = true;
          break;
        }
        c.step();
        const now = performance.now();
        if (now - last > 100 || c.done) {
          post({ type: 'progress', ...progressOf(c) });
          last = now;
        }
        if (w.every && c.iteration % w.every === 0 && !c.done)
          post({ type: 'checkpoint', chain: m.chain, state: c.save() });
      }
      post({ type: 'done', chain: m.chain, state: c.save(), stopped });
    } catch (e) {
      post({ type: 'error', message: (e as Error).message, sampler: e instanceof SamplerError });
    }
  });
  post({ type: 'ready' });
}

void main();
