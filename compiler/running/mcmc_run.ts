// `infer nuts(...)` and `infer hmc(...)`: Markov chain Monte Carlo end to end, in the RunResult
// contract. The chains (stdlib/mcmc) run on the log density with its gradient that the program
// compiles once (compiled.logDensity, on the backend `auto` picks); on worker threads when more
// than one core is available (mcmc_threads.ts), else here in turns. Either way chain c of seed s
// draws the same numbers, so results do not depend on the thread count. Then: the draws in the
// user's terms with the `generate` block per draw (mcmc_draws.ts), summaries with R-hat and ESS,
// the sampler's diagnostics and warnings (mcmc_report.ts).
// Initial points: Stan's, uniform(-init, init) per unconstrained coordinate from the chain's own
// stream, `start` values applied; up to 100 tries per chain for a finite density and gradient.

import { foldIn } from '../../runtime/index.js';
import { Chain, chainKey, SamplerError, type SamplerSettings } from '../../stdlib/mcmc/index.js';
import type { CompiledProgram } from '../compile.js';
import { fileMessage, messageAt, type Message } from '../messages.js';
import type { InferRunOptions } from './infer.js';
import { initialPoint, logDensityOf, progressOf, samplerSettings, type McmcCheckpoint } from './mcmc_chains.js';
import { mcmcReport, type ChainRun } from './mcmc_report.js';
import { runResult, type RunResult } from './result.js';
import { runThreaded, SamplerFailure, threadCount, ThreadsUnavailable } from './mcmc_threads.js';

export interface McmcRunOptions extends InferRunOptions {
  /** Worker threads for the chains (default: one per chain up to the available cores; 1: none). */
  threads?: number;
}

export const MCMC_METHODS = new Set(['nuts', 'hmc']);

export async function runMcmc(
  compiled: CompiledProgram,
  base: { seed: number; backend: string; compile_ms: number },
  opts: McmcRunOptions,
): Promise<RunResult> {
  const t0 = performance.now();
  const alg = compiled.algorithm!;
  const o = alg.options;
  const messages: Message[] = [...compiled.messages];
  const chainsN = o.chains as number;
  const draws = opts.draws ?? (o.draws as number);
  const options = { method: alg.name, ...o, draws };
  const fail = (message: string, hint?: string): RunResult => {
    const m = compiled.anchor
      ? messageAt('error', compiled.anchor, message, hint)
      : fileMessage('error', compiled.file, message, hint);
    return runResult({ ...base, status: 'error', messages: [...messages, m], options }, compiled.file);
  };
  const latents = compiled.checked.latents;
  if (latents.length)
    return fail(
      `${alg.name} samples continuous parameters only; \`${latents[0]!.decl.name.name}\` is a discrete latent (an int param)`,
      'use `infer vi` (it has estimators for discrete latents), or marginalize it: sum its values out of the model with logsumexp',
    );
  if (compiled.n === 0) return fail(`${alg.name} needs at least one continuous param; this model has none`);
  if (!compiled.logDensity) return fail(`${alg.name} samples a model's posterior; this program has no model`);
  const s = samplerSettings(alg.name, { ...o, draws });
  if (typeof s === 'string') return fail(`${alg.name}: ${s}`);

  if (opts.steps !== undefined)
    messages.push(
      compiled.anchor
        ? messageAt(
            'warning',
            compiled.anchor,
            `--steps does not apply to ${alg.name}; it is ignored`,
            'set warmup = ... and draws = ... (or --draws N for the draws per chain)',
          )
        : fileMessage('warning', compiled.file, `--steps does not apply to ${alg.name}; it is ignored`),
    );
  const resume = opts.checkpoint?.resume as McmcCheckpoint | undefined;
  if (resume && (resume.method !== alg.name || resume.chains?.length !== chainsN))
    return fail(
      `the checkpoint is for ${resume.method} with ${resume.chains?.length} chains, not ${alg.name} with ${chainsN}`,
    );

  let runs: ChainRun[];
  let stopped = false;
  let threads = 1;
  try {
    const threaded = threadCount(chainsN, opts.threads);
    let r: { runs: ChainRun[]; stopped: boolean } | null = null;
    if (threaded > 1) {
      try {
        r = await runThreaded(compiled, s, chainsN, o.init as number, threaded, opts, resume);
        threads = threaded;
      } catch (e) {
        if (!(e instanceof ThreadsUnavailable)) throw e;
      }
    }
    if (r) {
      runs = r.runs;
      stopped = r.stopped;
    } else {
      const r = await runInTurns(compiled, s, chainsN, o.init as number, opts, resume);
      runs = r.runs;
      stopped = r.stopped;
    }
  } catch (e) {
    if (e instanceof SamplerError || e instanceof SamplerFailure) return fail(e.message, samplerHint(e.message));
    throw e;
  }
  const report = await mcmcReport(compiled, s, runs, {
    stopped,
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

function samplerHint(message: string): string | undefined {
  if (message.includes('improper')) return 'give every parameter a prior, or bound it (e.g. `real > 0`)';
  if (message.includes('not finite at'))
    return 'check the model at the start (`start` values), the data, and the parameter bounds';
  return undefined;
}

/** Every chain in this thread, one iteration of each in turn (so each shows progress). */
async function runInTurns(
  compiled: CompiledProgram,
  s: SamplerSettings,
  chainsN: number,
  radius: number,
  opts: InferRunOptions,
  resume: McmcCheckpoint | undefined,
): Promise<{ runs: ChainRun[]; stopped: boolean }> {
  const ld = logDensityOf(compiled);
  const seed = compiled.seed;
  const chains: Chain[] = [];
  for (let c = 0; c < chainsN; c++) {
    const saved = resume?.chains[c];
    chains.push(
      saved ? Chain.resume(ld, s, seed, saved) : Chain.start(ld, s, seed, c, initialPoint(compiled, seed, c, radius)),
    );
  }
  const every = opts.checkpoint?.every;
  const save = () => opts.checkpoint?.save({ method: s.algorithm, chains: chains.map((c) => c.save()) } as never);
  let stopped = false;
  let lastYield = performance.now();
  let round = 0;
  while (chains.some((c) => !c.done)) {
    if (opts.shouldStop?.()) {
      stopped = true;
      break;
    }
    for (const c of chains) if (!c.done) c.step();
    round++;
    reportProgress(opts, chains.map(progressOf));
    if (every && round % every === 0) save();
    // Let the event loop run now and then (Ctrl-C, progress output).
    if (performance.now() - lastYield > 50) {
      await new Promise((r) => setImmediate(r));
      lastYield = performance.now();
    }
  }
  if (stopped && opts.checkpoint) save();
  return { runs: chains.map((c) => ({ ...c.output(), chain: c.save().chain })), stopped };
}

/** One progress report over every chain: step = iterations done, steps = their total. */
export function reportProgress(
  opts: InferRunOptions,
  chains: { chain: number; iteration: number; total: number; warmup: boolean; divergences: number }[],
): void {
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
