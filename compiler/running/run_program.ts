// Running a compiled program: one path for every method. It dispatches on the program kind and
// the method's family only: `infer` methods go to their family's runner (vi: infer.ts, mcmc:
// mcmc_run.ts), every `solve` method (optimization programs, and a model's MAP estimate) to
// solve_run.ts, which runs the method's table entry through the one driver. A method that is not available (sqp,
// bilevel) ends with status `error` saying so, never with a stand-in method.
// User errors become an `error` result; anything else thrown is an internal error.

import { runnableOf, type AnyRunnable, type MethodFamily } from '../../stdlib/index.js';
import { compileProgram, type CompiledProgram, type ProgramInput } from '../compile.js';
import { fingerprintOf } from './fingerprint.js';
import { runInference } from './infer.js';
import { CompileError, fileMessage, messageAt, toMessages, type Message } from '../messages.js';
import { nothingToRun } from '../analysis/runnable.js';
import { siteProblems } from './site_check.js';
import { runMcmc } from './mcmc_run.js';
import { runResult, type RunResult } from './result.js';
import { DEFAULT_SEED } from '../default_seed.js';
import type { RunOptions } from './run_options.js';
import { runSolver } from './solve_run.js';

export type { RunOptions, Progress, CheckpointHooks, ChainProgress } from './run_options.js';

export interface RunBase {
  seed: number;
  backend: string;
  compile_ms: number;
}

type InferRunner = (
  compiled: CompiledProgram,
  base: RunBase,
  opts: RunOptions,
  method: AnyRunnable,
) => Promise<RunResult>;

/** The runner of each `infer` family. */
const INFER_RUNNERS: Partial<Record<MethodFamily, InferRunner>> = {
  vi: (compiled, base, opts) => runInference(compiled, base, opts),
  mcmc: runMcmc,
};

export async function runProgram(input: CompiledProgram | ProgramInput, opts: RunOptions = {}): Promise<RunResult> {
  const t0 = performance.now();
  let compiled: CompiledProgram;
  const file = typeof input === 'string' ? input : 'file' in input ? input.file : '';
  if (isCompiled(input)) compiled = input;
  else {
    try {
      compiled = await compileProgram(input, opts);
    } catch (e) {
      if (e instanceof CompileError) {
        const base = {
          seed: opts.seed ?? DEFAULT_SEED,
          backend: opts.backend ?? 'auto',
          compile_ms: performance.now() - t0,
        };
        return runResult({ ...base, status: 'error', messages: e.messages }, file);
      }
      throw e;
    }
  }
  const base: RunBase = {
    seed: compiled.seed,
    backend: compiled.backend,
    compile_ms: isCompiled(input) ? compiled.compileMs : performance.now() - t0,
  };
  const fail = (message: string, hint?: string): RunResult => {
    const m: Message = compiled.anchor
      ? messageAt('error', compiled.anchor, message, hint)
      : fileMessage('error', compiled.file, message, hint);
    return runResult(
      { ...base, status: 'error', messages: [...compiled.messages, m], options: compiled.algorithm?.options ?? {} },
      compiled.file,
    );
  };

  const alg = compiled.algorithm;
  const none = nothingToRun(compiled.checked, alg);
  if (none)
    return runResult(
      { ...base, status: 'error', messages: [...compiled.messages, ...toMessages([none])] },
      compiled.file,
    );
  // A model whose distribution arguments are outside their domain at the start: name the sites.
  if (compiled.kind === 'model' && !opts.checkpoint?.resume) {
    const bad = await startSites(compiled);
    if (bad.length)
      return runResult(
        { ...base, status: 'error', options: alg?.options ?? {}, messages: [...compiled.messages, ...bad] },
        compiled.file,
      );
  }
  if (!alg)
    return fail(
      compiled.kind === 'model'
        ? 'a model needs `solve lbfgs` (the MAP estimate) or `infer ...`'
        : 'there is nothing to run: the program has no objective',
    );
  const method = runnableOf(alg.name);
  if (!method)
    return fail(
      `the ${alg.source === 'infer' ? 'inference method' : 'solver'} ${alg.name} is not available in this release`,
      '`proxima check` shows the decomposition and the algorithm it implies',
    );
  if (method.kind === 'infer') {
    const runner = INFER_RUNNERS[method.family];
    if (!runner) return fail(`no runner for the ${method.family} family of ${alg.name}`);
    return runner(compiled, base, opts, method);
  }
  const { build_ms = 0, ...solved } = await runSolver(compiled, alg, method, opts);
  return runResult({ ...base, ...solved, compile_ms: base.compile_ms + build_ms }, compiled.file);
}

/** Site errors at the start point, looked for only when the log density is not finite there. */
async function startSites(compiled: CompiledProgram): Promise<Message[]> {
  const ld = compiled.logDensity ?? compiled.objective;
  if (!ld) return [];
  const x0 = compiled.initialPoint(compiled.seed);
  let f: number;
  try {
    f = ld.evaluate(x0, 0).f;
  } catch {
    return [];
  }
  return Number.isFinite(f) ? [] : siteProblems(compiled, x0, 'at the start');
}

function isCompiled(x: CompiledProgram | ProgramInput): x is CompiledProgram {
  return typeof x === 'object' && 'layout' in x && 'checked' in x;
}

/**
 * The checkpoint fingerprint: program sources, bound data, seed, backend and the effective solver
 * options (with a --steps override applied). Resuming under a different one is an error.
 */
export function fingerprint(compiled: CompiledProgram, options: { steps?: number } = {}): string {
  const o = { method: compiled.algorithm?.name ?? null, ...(compiled.algorithm?.options ?? {}) } as Record<
    string,
    unknown
  >;
  if (options.steps !== undefined) o.steps = options.steps;
  return fingerprintOf({
    sources: compiled.sources,
    data: compiled.data,
    seed: compiled.seed,
    backend: compiled.backend,
    options: o,
  });
}
