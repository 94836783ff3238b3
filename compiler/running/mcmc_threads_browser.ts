// mcmc_threads.ts in a browser build (web/browser_build.ts swaps it in): no worker threads, so
// every chain runs in this thread (threadCount is 1), which gives the same draws as a threaded
// run (chain c's draws depend only on the seed and c). Same exports as mcmc_threads.ts.

import type { CompiledProgram } from '../compile.js';
import type { McmcCheckpoint, McmcPlan, McmcRunEnd } from './mcmc_chains.js';
import type { RunOptions } from './run_options.js';

export function threadCount(_chains: number, _requested?: number): number {
  return 1;
}

export class ThreadsUnavailable extends Error {}

export class SamplerFailure extends Error {}

export async function runThreaded(
  _compiled: CompiledProgram,
  _plan: McmcPlan,
  _threads: number,
  _opts: RunOptions,
  _resume: McmcCheckpoint | undefined,
): Promise<McmcRunEnd> {
  throw new ThreadsUnavailable('a browser build runs chains in one thread');
}
