// The result of an MCMC run: draws in the user's terms (mcmc_draws.ts), posterior summaries with
// R-hat and bulk/tail ESS per scalar, the sampler's diagnostics, and warnings with the usual
// thresholds (Vehtari et al. 2021, Stan): R-hat > 1.01, bulk or tail ESS < 100 per chain, any
// divergent transition after warmup, E-BFMI < 0.3, transitions that hit the maximum tree depth.
// The status is `converged` when the documented test holds: every R-hat <= 1.01, every ESS >= 100
// per chain and no divergence; otherwise `max_steps` (the draws ran out first), or `stopped`.
// A stopped run summarizes the draws every chain has (the shortest chain's count).

import { convergence, ebfmi, type ChainState, type SamplerSettings, type SamplerStats } from '../../stdlib/index.js';
import type { CompiledProgram } from '../compile.js';
import { messageAt, fileMessage, type Message } from '../messages.js';
import { nest, scalarNames, summaries, type DrawTable } from './draws.js';
import { drawsAt } from './mcmc_draws.js';
import type { NestedValue, PosteriorSummary, RunStatus } from './result.js';

export const RHAT_MAX = 1.01;
export const ESS_PER_CHAIN = 100;
export const EBFMI_MIN = 0.3;
/** Divergent iterations listed per chain in the diagnostics. */
const LISTED = 20;

export interface ChainRun {
  chain: number;
  /** Unconstrained draws, row-major [draws, n]. */
  draws: Float64Array;
  stats: SamplerStats;
  state: ChainState;
}

export interface McmcReport {
  status: RunStatus;
  steps: number;
  table: DrawTable | null;
  values: Record<string, NestedValue>;
  posterior: Record<string, PosteriorSummary> | null;
  messages: Message[];
  diagnostics: Record<string, unknown>;
}

const STAT_COLUMNS: [keyof SamplerStats, string][] = [
  ['lp', 'lp__'],
  ['acceptStat', 'accept_stat__'],
  ['stepsize', 'stepsize__'],
  ['treedepth', 'treedepth__'],
  ['nLeapfrog', 'n_leapfrog__'],
  ['divergent', 'divergent__'],
  ['energy', 'energy__'],
];

export async function mcmcReport(
  compiled: CompiledProgram,
  s: SamplerSettings,
  runs: ChainRun[],
  ctx: { stopped: boolean; threads: number; wallMs: number; key: Int32Array },
): Promise<McmcReport> {
  const n = compiled.n;
  const M = runs.length;
  const D = Math.min(...runs.map((r) => r.draws.length / n));
  const c: Chains = { compiled, s, runs, M, D };
  const warn = (message: string, hint?: string): Message =>
    compiled.anchor
      ? messageAt('warning', compiled.anchor, message, hint)
      : fileMessage('warning', compiled.file, message, hint);
  const messages: Message[] = [];
  const iterations = Math.min(...runs.map((r) => r.state.iteration));
  const gradients = runs.reduce((a, r) => a + r.state.gradients, 0);
  const base: Record<string, unknown> = {
    sampler: s.algorithm,
    chains: M,
    warmup: s.warmup,
    draws: D,
    metric: s.metric,
    threads: ctx.threads,
    stepsize: runs.map((r) => r.state.stepsize),
    gradients,
    warmup_ms: runs.map((r) => r.state.warmupMs),
    sampling_ms: runs.map((r) => r.state.samplingMs),
  };
  if (D === 0) {
    if (ctx.stopped)
      messages.push(
        warn(`${s.algorithm} stopped during warmup (iteration ${iterations} of ${s.warmup}): there are no draws yet`),
      );
    return {
      status: ctx.stopped ? 'stopped' : 'max_steps',
      steps: iterations,
      table: null,
      values: {},
      posterior: null,
      messages,
      diagnostics: { ...base, stop_reason: ctx.stopped ? 'stopped by the user during warmup' : 'no draws' },
    };
  }

  // ---- draws in the user's terms ----
  const table = await chainTable(c, ctx.key);
  // ---- summaries with R-hat and ESS ----
  const sum = convergenceSummaries(c, table);
  const { posterior, worst } = sum;
  // ---- sampler diagnostics ----
  const st = samplerStats(c);
  messages.push(...samplerWarnings(c, sum, st, warn));

  const passed = !sum.highRhat.length && !sum.lowEss.length && st.nDiv === 0;
  const status: RunStatus = ctx.stopped ? 'stopped' : passed ? 'converged' : 'max_steps';
  const values: Record<string, NestedValue> = {};
  for (const e of compiled.layout) values[e.name] = posterior[e.name]!.mean;
  const testText = `R-hat ${fmt(worst.rhat.v)} (<= ${RHAT_MAX}), min ESS bulk ${fmt(worst.bulk.v)} tail ${fmt(worst.tail.v)} (>= ${ESS_PER_CHAIN * M}), ${st.nDiv} divergences`;
  return {
    status,
    steps: iterations,
    table,
    values,
    posterior,
    messages,
    diagnostics: {
      ...base,
      stop_reason: ctx.stopped
        ? `stopped by the user after ${D} draws per chain; ${testText}`
        : `${passed ? 'the chains passed' : 'the chains did not pass'} the convergence test: ${testText}`,
      rhat_max: worst.rhat.v,
      ess_bulk_min: worst.bulk.v,
      ess_tail_min: worst.tail.v,
      ess_per_second: worst.bulk.v / Math.max(ctx.wallMs / 1000, 1e-9),
      ess_per_gradient: worst.bulk.v / Math.max(gradients, 1),
      ...samplerDiagnostics(c, st),
    },
  };
}

/** The chains, and the draws every chain has (D: the shortest chain's count). */
interface Chains {
  compiled: CompiledProgram;
  s: SamplerSettings;
  runs: ChainRun[];
  M: number;
  D: number;
}

/** The first D draws of every chain in the user's terms, with chain ids and the sampler's columns. */
async function chainTable({ compiled, runs, M, D }: Chains, key: Int32Array): Promise<DrawTable> {
  const n = compiled.n;
  const thetas = new Float64Array(M * D * n);
  runs.forEach((r, c) => thetas.set(r.draws.subarray(0, D * n), c * D * n));
  const table = await drawsAt(compiled, thetas, M * D, key);
  table.chains = Int32Array.from({ length: M * D }, (_, i) => runs[Math.floor(i / D)]!.chain + 1);
  table.stats = STAT_COLUMNS.map(([k, name]) => ({
    name,
    data: Float64Array.from(runs.flatMap((r) => r.stats[k].slice(0, D))),
  }));
  return table;
}

type Worst = { v: number; at: string };
interface Summaries {
  posterior: Record<string, PosteriorSummary>;
  /** Over the params only: the largest R-hat, the smallest bulk and tail ESS, and where. */
  worst: { rhat: Worst; bulk: Worst; tail: Worst };
  highRhat: string[];
  lowEss: string[];
}

/** The summaries with R-hat and bulk/tail ESS per scalar; the params' worst and failing ones. */
function convergenceSummaries({ compiled, runs, M, D }: Chains, table: DrawTable): Summaries {
  const posterior = summaries(table);
  const worst = { rhat: { v: -Infinity, at: '' }, bulk: { v: Infinity, at: '' }, tail: { v: Infinity, at: '' } };
  const highRhat: string[] = [];
  const lowEss: string[] = [];
  for (const v of table.variables) {
    const k = v.shape.reduce((a, b) => a * b, 1);
    const names = scalarNames(v.name, v.shape);
    const rh: number[] = [];
    const eb: number[] = [];
    const et: number[] = [];
    for (let j = 0; j < k; j++) {
      const chains = runs.map((_, c) => Float64Array.from({ length: D }, (_, d) => v.data[(c * D + d) * k + j]!));
      const cv = convergence(chains);
      rh.push(cv.rhat);
      eb.push(cv.essBulk);
      et.push(cv.essTail);
      // Only the params decide convergence; generate outputs are reported (they may be random).
      if (!compiled.layout.some((e) => e.name === v.name)) continue;
      if (cv.rhat > worst.rhat.v) worst.rhat = { v: cv.rhat, at: names[j]! };
      if (cv.essBulk < worst.bulk.v) worst.bulk = { v: cv.essBulk, at: names[j]! };
      if (cv.essTail < worst.tail.v) worst.tail = { v: cv.essTail, at: names[j]! };
      if (cv.rhat > RHAT_MAX) highRhat.push(names[j]!);
      if (Math.min(cv.essBulk, cv.essTail) < ESS_PER_CHAIN * M) lowEss.push(names[j]!);
    }
    Object.assign(posterior[v.name]!, {
      rhat: nest(rh, v.shape),
      ess_bulk: nest(eb, v.shape),
      ess_tail: nest(et, v.shape),
    });
  }
  return { posterior, worst, highRhat, lowEss };
}

interface SamplerStatsSummary {
  /** Each chain's divergent iterations after warmup (1-based, warmup counted). */
  divergent: number[][];
  nDiv: number;
  /** NUTS transitions that hit the maximum tree depth. */
  saturated: number;
  bfmi: number[];
  accept: number[];
}

function samplerStats({ s, runs, D }: Chains): SamplerStatsSummary {
  const divergent = runs.map((r) => {
    const its: number[] = [];
    r.stats.divergent.slice(0, D).forEach((x, d) => x && its.push(s.warmup + d + 1));
    return its;
  });
  const nDiv = divergent.reduce((a, x) => a + x.length, 0);
  const saturated =
    s.algorithm === 'nuts'
      ? runs.reduce((a, r) => a + r.stats.treedepth.slice(0, D).filter((t) => t >= s.maxDepth).length, 0)
      : 0;
  const bfmi = runs.map((r) => ebfmi(r.stats.energy.slice(0, D)));
  const accept = runs.map((r) => mean(r.stats.acceptStat.slice(0, D)));
  return { divergent, nDiv, saturated, bfmi, accept };
}

/** The warnings, with the usual thresholds, each with its remedy. */
function samplerWarnings(
  { s, runs, M, D }: Chains,
  sum: Summaries,
  st: SamplerStatsSummary,
  warn: (message: string, hint?: string) => Message,
): Message[] {
  const { worst, highRhat, lowEss } = sum;
  const { divergent, nDiv, saturated, bfmi } = st;
  const messages: Message[] = [];
  const shown = (xs: string[]) => xs.slice(0, 6).join(', ') + (xs.length > 6 ? ` and ${xs.length - 6} more` : '');
  if (nDiv > 0) {
    const where = divergent
      .map((its, c) =>
        its.length ? `chain ${runs[c]!.chain + 1}: ${its.slice(0, 5).join(', ')}${its.length > 5 ? ', ...' : ''}` : '',
      )
      .filter(Boolean)
      .join('; ');
    messages.push(
      warn(
        `${nDiv} of ${M * D} draws ended in a divergent transition (iterations ${where}): the sampler cannot follow the posterior's curvature there (a funnel?), so the draws may be biased`,
        'reparameterize: a hierarchical scale is better written non-centred (`eta ~ Normal(0, 1)`, `theta = mu + tau * eta`); a larger target_accept (e.g. 0.95) only shrinks the step',
      ),
    );
  }
  if (highRhat.length)
    messages.push(
      warn(
        `R-hat above ${RHAT_MAX} for ${shown(highRhat)} (largest ${fmt(worst.rhat.v)} for ${worst.rhat.at}): the chains have not mixed`,
        'run more warmup and draws; if it stays high, the posterior may be multimodal or need a reparameterization',
      ),
    );
  if (lowEss.length)
    messages.push(
      warn(
        `effective sample size below ${ESS_PER_CHAIN} per chain (${ESS_PER_CHAIN * M}) for ${shown(lowEss)} (bulk ${fmt(worst.bulk.v)} for ${worst.bulk.at}, tail ${fmt(worst.tail.v)} for ${worst.tail.at}): R-hat and the quantiles are not reliable yet`,
        'run more draws (draws = ...), or reparameterize a slowly mixing model',
      ),
    );
  const lowBfmi = bfmi.map((b, c) => [b, c] as const).filter(([b]) => b < EBFMI_MIN);
  if (lowBfmi.length)
    messages.push(
      warn(
        `E-BFMI below ${EBFMI_MIN} in ${lowBfmi.map(([b, c]) => `chain ${runs[c]!.chain + 1} (${fmt(b)})`).join(', ')}: the momentum resampling explores the energy levels poorly`,
        'reparameterize (heavy tails and funnels cause this); a dense metric may help',
      ),
    );
  if (saturated > 0)
    messages.push(
      warn(
        `${saturated} of ${M * D} transitions stopped at the maximum tree depth (${s.maxDepth}): sampling is inefficient, not wrong`,
        'raise max_depth, or use metric = dense (or reparameterize) for a strongly correlated posterior',
      ),
    );
  return messages;
}

/** The sampler's part of the diagnostics: divergences, tree depths, leapfrog steps, acceptance, E-BFMI. */
function samplerDiagnostics({ s, runs, D }: Chains, st: SamplerStatsSummary): Record<string, unknown> {
  return {
    divergences: st.nDiv,
    divergent_iterations: st.divergent.map((its) => its.slice(0, LISTED)),
    warmup_divergences: runs.map((r) => r.state.warmupDivergent.length),
    treedepth_saturated: st.saturated,
    ...(s.algorithm === 'nuts'
      ? { max_depth: s.maxDepth, mean_treedepth: runs.map((r) => mean(r.stats.treedepth.slice(0, D))) }
      : { steps: s.steps }),
    mean_leapfrog: runs.map((r) => mean(r.stats.nLeapfrog.slice(0, D))),
    accept_stat: st.accept,
    ebfmi: st.bfmi,
  };
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
}
