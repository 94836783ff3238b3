// `infer nuts(...)` and `infer hmc(...)`: Markov chain Monte Carlo end to end, in the RunResult
// contract: the mcmc family's runner of the one run path (run_program.ts). Each chain is a run of
// the method's table entry (stdlib/mcmc/method.ts) through the one driver, on the negative log
// density with its gradient that the program compiles once (on the backend `auto` picks); on
// worker threads when more than one core is available (mcmc_threads.ts), else here in turns (one
// driver step of each chain per round). Either way chain c of seed s draws the same numbers, so
// results do not depend on the thread count. Then: the draws in the user's terms with the
// `generate` block per draw (mcmc_draws.ts), summaries with R-hat and ESS, the sampler's
// diagnostics and warnings (mcmc_report.ts): `converged` only when the test over the chains holds.

import { foldIn } from '../../runtime/index.js';
import {
  CheckpointMismatch,
  chainKey,
  driverOptions,
  SamplerError,
  samplerSettings,
  type AnyRunnable,
  type MethodResult,
  type SamplerOptions,
} from '../../stdlib/index.js';
import type { CompiledProgram } from '../compile.js';
import { fileMessage, messageAt, type Message } from '../messages.js';
import {
  chainRun,
  progressAll,
  reportProgress,
  samplerProblem,
  type ChainCheckpoint,
  type ChainEnd,
  type McmcCheckpoint,
  type McmcPlan,
  type McmcRunEnd,
} from './mcmc_chains.js';
import { mcmcReport, type ChainRun } from './mcmc_report.js';
import { runResult, type RunResult } from './result.js';
import type { RunOptions } from './run_options.js';
import { runThreaded, SamplerFailure, threadCount, ThreadsUnavailable } from './mcmc_threads.js';

export async function runMcmc(
  compiled: CompiledProgram,
  base: { seed: number; backend: string; compile_ms: number },
  opts: RunOptions,
  m: AnyRunnable,
): Promise<RunResult> {
  const t0 = performance.now();
  const name = m.name as 'nuts' | 'hmc';
  const o = compiled.algorithm!.options;
  const messages: Message[] = [...compiled.messages];
  const chainsN = o.chains as number;
  const draws = opts.draws ?? (o.draws as number);
  const effective = { ...o, draws };
  const options = { method: name, ...effective };
  const at = (severity: 'error' | 'warning', message: string, hint?: string): Message =>
    compiled.anchor
      ? messageAt(severity, compiled.anchor, message, hint)
      : fileMessage(severity, compiled.file, message, hint);
  const fail = (message: string, hint?: string): RunResult =>
    runResult(
      { ...base, status: 'error', messages: [...messages, at('error', message, hint)], options },
      compiled.file,
    );
  if (compiled.n === 0) return fail(`${name} needs at least one continuous param; this model has none`);
  if (!compiled.logDensity) return fail(`${name} samples a model's posterior; this program has no model`);
  let s;
  try {
    s = samplerSettings(name, effective as unknown as SamplerOptions);
  } catch (e) {
    if (e instanceof SamplerError) return fail(`${name}: ${e.message}`);
    throw e;
  }
  if (opts.steps !== undefined)
    messages.push(
      at(
        'warning',
        `--steps does not apply to ${name}; it is ignored`,
        'set warmup = ... and draws = ... (or --draws N for the draws per chain)',
      ),
    );
  const resume = opts.checkpoint?.resume as McmcCheckpoint | undefined;
  if (resume && (resume.method !== name || resume.chains?.length !== chainsN))
    return fail(
      `--resume: the checkpoint is for ${resume.method} with ${resume.chains?.length} chains, not ${name} with ${chainsN}`,
    );

  const plan: McmcPlan = {
    method: m,
    options: driverOptions(name, effective),
    chains: chainsN,
    radius: o.init as number,
    warmup: s.warmup,
    total: s.warmup + s.draws,
  };
  let done: McmcRunEnd;
  let threads = 1;
  try {
    const threaded = threadCount(chainsN, opts.threads);
    let r: typeof done | null = null;
    if (threaded > 1) {
      try {
        r = await runThreaded(compiled, plan, threaded, opts, resume);
        threads = threaded;
      } catch (e) {
        if (!(e instanceof ThreadsUnavailable)) throw e;
      }
    }
    done = r ?? (await runInTurns(compiled, plan, opts, resume));
  } catch (e) {
    if (e instanceof SamplerError || e instanceof SamplerFailure) return fail(e.message, samplerHint(e.message));
    if (e instanceof CheckpointMismatch) return fail(`--resume: ${e.message}`);
    throw e;
  }
  const diverged = done.results.find((r) => r?.status === 'diverged');
  if (diverged)
    return fail(
      `chain ${diverged.checkpoint.state.chain.chain + 1}: ${diverged.message}`,
      'give every parameter a prior, or bound it (e.g. `real > 0`)',
    );
  const runs: ChainRun[] = done.latest.map((ck, c) => chainOutput(c, done.results[c]?.checkpoint ?? ck));
  const report = await mcmcReport(compiled, s, runs, {
    stopped: done.stopped,
    threads,
    wallMs: performance.now() - t0,
    key: foldIn(chainKey(compiled.seed, 0), 0x67656e),
  });
  if (report.table) opts.onDraws?.(report.table);
  return runResult(
    {
      ...base,
      status: report.status,
      objective: null,
      steps: report.steps,
      time_ms: performance.now() - t0,
      options,
      values: report.values,
      posterior: report.posterior,
      messages: [...messages, ...report.messages],
      diagnostics: report.diagnostics,
    },
    compiled.file,
  );
}

/** A chain's draws and statistics from its checkpoint (none when it never started). */
function chainOutput(c: number, ck: ChainCheckpoint | null): ChainRun {
  if (!ck) return { chain: c, draws: new Float64Array(0), stats: emptyStats(), state: emptyState(c) };
  const st = ck.state.chain;
  return { chain: c, draws: Float64Array.from(st.draws), stats: st.stats, state: st };
}

function emptyStats(): ChainRun['stats'] {
  return { lp: [], acceptStat: [], stepsize: [], treedepth: [], nLeapfrog: [], divergent: [], energy: [] };
}

function emptyState(chain: number): ChainRun['state'] {
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

function samplerHint(message: string): string | undefined {
  if (message.includes('improper')) return 'give every parameter a prior, or bound it (e.g. `real > 0`)';
  if (message.includes('not finite at'))
    return 'check the model at the start (`start` values), the data, and the parameter bounds';
  return undefined;
}

/** Every chain in this thread, one driver step of each in turn (so each shows progress). */
async function runInTurns(
  compiled: CompiledProgram,
  plan: McmcPlan,
  opts: RunOptions,
  resume: McmcCheckpoint | undefined,
): Promise<McmcRunEnd> {
  const p = samplerProblem(compiled);
  const latest: (ChainCheckpoint | null)[] = Array.from({ length: plan.chains }, (_, c) => resume?.chains[c] ?? null);
  const results: (ChainEnd | null)[] = latest.map(() => null);
  const runs = latest.map((ck, c) =>
    chainRun(compiled, plan.method, p, plan.options, c, plan.radius, ck, {
      shouldStop: opts.shouldStop,
      latest: (x) => (latest[c] = x),
    }),
  );
  const every = opts.checkpoint?.every;
  const save = () =>
    opts.checkpoint?.save({ method: plan.method.name, chains: latest } satisfies McmcCheckpoint as never);
  let lastYield = performance.now();
  let round = 0;
  while (results.some((r) => !r)) {
    for (let c = 0; c < plan.chains; c++) {
      if (results[c]) continue;
      const r = runs[c]!.next();
      if (r.done) {
        results[c] = r.value;
        latest[c] = r.value.checkpoint;
      }
    }
    round++;
    reportProgress(opts, progressAll(plan, latest));
    if (every && round % every === 0 && results.some((r) => !r)) save();
    // Let the event loop run now and then (Ctrl-C, progress output).
    if (performance.now() - lastYield > 50) {
      await new Promise((r) => setImmediate(r));
      lastYield = performance.now();
    }
  }
  const stopped = results.some((r) => r!.status === 'stopped');
  if (stopped && opts.checkpoint) save();
  return { results, latest, stopped };
}
