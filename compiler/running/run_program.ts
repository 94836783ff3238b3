// Running a compiled program: the host-side solver loop (stdlib/optim) over the compiled
// objective, with progress, stop requests and checkpoints passed through, and the result in the
// user's terms (the user's sign for the objective, constrained values in declared shapes).
// lbfgs and adam run here on the compiled objective; every other solver of an optimization
// program runs through solve_run.ts (on the program's backend); a solver that is not available (sqp,
// bilevel) ends with status `error` saying so, never with a stand-in solver.
// User errors become an `error` result; anything else thrown is an internal error.

import { solveAsync, type SolverState, type SolveOptions } from '../../stdlib/optim/driver.js';
import { compileProgram, type CompileOptions, type CompiledProgram, type ProgramInput } from '../compile.js';
import type { DrawTable } from './draws.js';
import { fingerprintOf } from './fingerprint.js';
import { runInference } from './infer.js';
import { CompileError, fileMessage, messageAt, toMessages, type Message } from '../messages.js';
import { nothingToRun } from '../analysis/runnable.js';
import { startProblem } from './start_check.js';
import { siteProblems } from './site_check.js';
import { runResult, type RunResult } from './result.js';
import { runSolver } from './solve_run.js';
import { toBatch, toSchedule } from '../analysis/schedule_options.js';

export interface Progress {
  step: number;
  /** The step budget. */
  steps: number;
  /** The user's objective (user's sign). */
  objective: number;
  /** Infinity norm of the gradient on the unconstrained scale. */
  gnorm: number;
}

export interface CheckpointHooks {
  /** Save every this many steps. */
  every: number;
  save(state: SolverState): void;
  /** Resume from this state (its fingerprint already checked by the caller). */
  resume?: SolverState;
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
}

const RUNNABLE = new Set(['lbfgs', 'adam']);

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
        return runResult(
          {
            status: 'error',
            messages: e.messages,
            compile_ms: performance.now() - t0,
            seed: opts.seed ?? 1,
            backend: opts.backend ?? 'auto',
          },
          file,
        );
      }
      throw e;
    }
  }
  const seed = compiled.seed;
  const base = {
    seed,
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
  // A model whose distribution arguments are outside their domain at the start: name the sites.
  if (compiled.kind === 'model' && !opts.checkpoint?.resume) {
    const bad = await startSites(compiled);
    if (bad.length)
      return runResult(
        { ...base, status: 'error', options: alg?.options ?? {}, messages: [...compiled.messages, ...bad] },
        compiled.file,
      );
  }
  if (compiled.checked.infer) return runInference(compiled, base, opts);
  const none = nothingToRun(compiled.checked, alg);
  if (none || !alg) {
    return runResult(
      { ...base, status: 'error', messages: [...compiled.messages, ...toMessages(none ? [none] : [])] },
      compiled.file,
    );
  }
  // Every other solver of an optimization program: compiler/running/solve_run.ts (on the program's backend).
  if (
    alg.available &&
    compiled.kind === 'optimization' &&
    !(RUNNABLE.has(alg.name) && compiled.objective && !compiled.decomposition.sets.length)
  ) {
    return runResult({ ...base, ...(await runSolver(compiled, alg, opts)) }, compiled.file);
  }
  if (!alg.available || !RUNNABLE.has(alg.name) || !compiled.objective) {
    return fail(
      alg.available
        ? `the solver ${alg.name} runs optimization programs; a model's MAP estimate runs with lbfgs or adam`
        : `the solver ${alg.name} is not available in this release`,
      '`proxima check` shows the decomposition and the algorithm it implies',
    );
  }

  const o = alg.options;
  const steps = opts.steps ?? (o.steps as number);
  const solveOpts: SolveOptions = { method: alg.name as 'lbfgs' | 'adam', steps, tol: o.tol as number };
  if (alg.name === 'lbfgs') solveOpts.history = o.history as number;
  else {
    Object.assign(solveOpts, { lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps });
    try {
      solveOpts.schedule = toSchedule(o.schedule as never);
    } catch (e) {
      return fail((e as Error).message);
    }
    // Adaptive batches need the row structure of the objective: compiler/running/solve_run.ts.
    if (toBatch(o.batch as never, seed) && compiled.kind !== 'optimization')
      return fail(
        'batch = adaptive(...) runs on optimization programs (an objective that is a sum or mean over data rows)',
        'a model minibatches with `for i in batch(N, B)` loops',
      );
    if (toBatch(o.batch as never, seed))
      return runResult({ ...base, ...(await runSolver(compiled, alg, opts)) }, compiled.file);
  }
  const options = { method: alg.name, ...o, steps };

  const sign = compiled.sense === 'minimize' ? 1 : -1;
  const x0 = compiled.initialPoint(seed);
  const bad = opts.checkpoint?.resume ? null : startProblem(compiled, x0);
  if (bad)
    return runResult({ ...base, status: 'error', options, messages: [...compiled.messages, bad] }, compiled.file);
  const t1 = performance.now();
  const r = await solveAsync(compiled.objective, x0, solveOpts, {
    onStep: opts.onProgress
      ? (i) => opts.onProgress!({ step: i.step, steps, objective: sign * i.f, gnorm: i.gnorm })
      : undefined,
    shouldStop: opts.shouldStop,
    checkpointEvery: opts.checkpoint?.every,
    saveCheckpoint: opts.checkpoint?.save,
    resume: opts.checkpoint?.resume,
  });
  const messages = [...compiled.messages];
  if (r.status !== 'converged' && compiled.anchor)
    messages.push(messageAt('note', compiled.anchor, `${alg.name} stopped: ${r.message}`));
  // A diverged model: a distribution argument that left its domain is the likely cause; name it.
  const sites =
    r.status === 'diverged' && compiled.kind === 'model'
      ? await siteProblems(compiled, r.x, 'where the run stopped')
      : [];
  messages.push(...sites);
  return runResult(
    {
      ...base,
      status: sites.length ? 'error' : r.status,
      objective: sign * r.f,
      steps: r.steps,
      time_ms: performance.now() - t1,
      options,
      values: compiled.valuesAt(r.x),
      messages,
      diagnostics: { gradient_norm: r.gnorm, stop_reason: r.message },
    },
    compiled.file,
  );
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
