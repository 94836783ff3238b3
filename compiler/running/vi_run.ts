// The `vi` entry of the method table run through the one driver, for every VI engine
// (infer_loop.ts): hooks in the user's terms (the ELBO), checkpoints, and the run's end as the
// result states it.

import {
  CheckpointMismatch,
  contextFor,
  drainAsync,
  runSteps,
  runnableOf,
  type MethodResult,
  type Problem,
} from '../../stdlib/index.js';
import type { CompiledProgram } from '../compile.js';
import { runEnd, type RunEnd } from './outcome.js';
import { driverHooks, type RunOptions } from './run_options.js';

export type InferRunOptions = Pick<
  RunOptions,
  'steps' | 'draws' | 'onProgress' | 'shouldStop' | 'checkpoint' | 'onDraws'
>;

/**
 * The `vi` entry of the method table on a VI objective (the negative objective estimate and its
 * gradient per step), through the one driver: progress (the ELBO), Ctrl-C, checkpoints (the
 * optimizer's and the stopping rule's state, and the problem's own, such as a running baseline).
 */
export async function runVi(
  compiled: CompiledProgram,
  objective: Problem,
  phi0: Float64Array,
  steps: number,
  opts: InferRunOptions,
): Promise<{ r: MethodResult; end: RunEnd } | { error: string }> {
  const options = { ...compiled.algorithm!.options, steps };
  const hooks = driverHooks(opts, steps, (f) => -f);
  try {
    const r = await drainAsync(
      runSteps(runnableOf('vi')!, objective, phi0, options as never, hooks, contextFor(compiled.seed)),
    );
    return { r, end: runEnd(compiled, 'vi', r, options) };
  } catch (e) {
    if (e instanceof CheckpointMismatch) return { error: `--resume: ${e.message}` };
    throw e;
  }
}
