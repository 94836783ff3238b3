// `infer vi(...)`: variational inference end to end, in the RunResult contract.
//   1. the plan (compiler/analysis/site_plan.ts, the one `check` prints) and the objective (the
//      ELBO by default; others, built in or `objective name = ...`, through objective_program.ts);
//   2. the guide and its start: an automatic Gaussian family, started from the best of the
//      Gaussians along the MAP path and the plain start (infer_start.ts), or the program's
//      `guide { }` block; discrete latents, and `via` other than reparam on a continuous param,
//      take the stdlib site API (infer_sites.ts), the one estimator implementation;
//   3. stochastic optimization by the method table's `vi` entry through the one driver
//      (infer_loop.ts, vi_run.ts; stdlib/vi/method.ts): the nested optimizer (Adam, lr 0.05 by
//      default) and the stopping rule (stdlib/vi/stopping.ts) on the stopping draws' terms; the
//      key of step t is foldIn(key(seed), t), so a resumed run is bit-identical;
//   4. draws and summaries (infer_draws.ts: PSIS-weighted when the weights allow), the fit checks
//      (vi_diagnostics.ts: k-hat, collinearity, the budget), and the result.

import type { Span } from '../../grammar/index.js';
import { ops as P, simplify, trace, valueAndGrad, type Graph, type Tracer } from '../../runtime/index.js';
import { foldIn, keyFromSeed } from '../../runtime/index.js';
import {
  evaluate,
  gaussianFamily,
  plainWhitening,
  shortTrace,
  type GuideName,
  type Objective,
} from '../../stdlib/index.js';
import { prepare, type Executable } from './backend_seam.js';
import type { CompiledProgram } from '../compile.js';
import { headDraws, resample, summaries, weightedSummaries, type DrawTable } from './draws.js';
import { userGuideEngine } from '../lower/guide_program.js';
import { LowerError, type LV } from '../lower/lower.js';
import { CompileError, fileMessage, messageAt, type Message } from '../messages.js';
import { runResult, type NestedValue, type RunResult } from './result.js';
import type { ViEngine } from '../lower/vi_graphs.js';
import { BUILTIN_OBJECTIVES, isPlainElbo, objectiveText, resolveObjective } from '../lower/objective_program.js';
import { sitePlan, type SitePlan } from '../analysis/site_plan.js';
import { fitDiagnostics } from './vi_diagnostics.js';
import { weighedPool } from './infer_draws.js';
import { siteEngine } from './infer_sites.js';
import { automaticStart } from './infer_start.js';
import { optimizeGuide, type LoopResult } from './infer_loop.js';
import type { InferRunOptions } from './vi_run.js';

/** Weight of the old value in the running-mean baselines (stdlib/vi/estimate.ts's default). */
const BASELINE_DECAY = 0.9;

/** Guide draws behind k-hat, the summaries and --draws-out (and as many widened ones). */
export const DEFAULT_DRAWS = 1000;
/** Draws behind the reported ELBO. */
export const FINAL_ELBO_DRAWS = 1000;
/** The stopping rule's fixed draws (stdlib/vi/stopping.ts): one set, the same at every check. */
export const STOP_DRAWS = 64;
const AUTO_GUIDES = new Set(['mean_field', 'full_rank', 'low_rank', 'delta']);

export async function runInference(
  compiled: CompiledProgram,
  base: { seed: number; backend: string; compile_ms: number },
  opts: InferRunOptions,
): Promise<RunResult> {
  const t1 = performance.now();
  const run = viRun(compiled, base, opts);

  // ---- the plan (the one `check` prints) and the objective ----
  const setup = planAndObjective(run);
  if ('failed' in setup) return setup.failed;

  // ---- the guide, its start and the gradient ----
  let g: GuideSetup;
  try {
    g = await guideAndGradient(run, setup);
  } catch (e) {
    return run.userError(e);
  }
  const { engine, carry } = g;
  const { plain, dataSpecs } = setup;
  let termsExe: Executable;
  try {
    termsExe = await prepare(
      simplify(termsGraph(engine, engine.m, dataSpecs, STOP_DRAWS, plain ? null : setup.objective)),
      compiled.internals.backend,
      2 + engine.extraSpecs.length,
      compiled.internals.dataArrays,
    );
  } catch (e) {
    return run.userError(e);
  }

  // ---- stochastic optimization ----
  const fit = await optimizeGuide(
    compiled,
    {
      m: engine.m,
      phi0: g.phi0,
      estimate: (phi, t) => g.gradient(phi, t),
      terms: (phi) =>
        Float64Array.from(
          termsExe.run(engineInputs(engine, phi, setup.keys.stop))[0]!.data,
          (v) => v + (plain ? engine.constant : 0),
        ),
      steps: run.steps,
      carry,
    },
    opts,
  );
  if ('error' in fit) return run.fail(fit.error);

  // ---- draws, summaries and the fit checks ----
  return fitResult(run, setup, g, fit, t1);
}

/** What the stages share: the program, the run's settings, the messages so far, and failures. */
interface ViRun {
  compiled: CompiledProgram;
  base: { seed: number; backend: string; compile_ms: number };
  opts: InferRunOptions;
  /** The method's options (defaults overlaid with the program's). */
  o: Record<string, unknown>;
  steps: number;
  /** The objective's particles per estimate. */
  K: number;
  /** Guide draws behind k-hat, the summaries and the draws. */
  D: number;
  /** The options the result reports. */
  options: Record<string, unknown>;
  messages: Message[];
  /** A run error at `at` (else the program's anchor), with the messages so far. */
  fail(message: string, hint?: string, at?: Span | null): RunResult;
  /** A user error (a lowering or compile error) as a run error; anything else is rethrown. */
  userError(e: unknown): RunResult;
}

function viRun(
  compiled: CompiledProgram,
  base: { seed: number; backend: string; compile_ms: number },
  opts: InferRunOptions,
): ViRun {
  const messages: Message[] = [...compiled.messages];
  const o = compiled.algorithm!.options;
  const steps = opts.steps ?? (o.steps as number);
  const K = o.samples as number;
  const D = opts.draws ?? DEFAULT_DRAWS;
  const options = { method: 'vi', ...o, steps, draws: D };
  const fail = (message: string, hint?: string, at = compiled.anchor): RunResult => {
    const m = at ? messageAt('error', at, message, hint) : fileMessage('error', compiled.file, message, hint);
    return runResult({ ...base, status: 'error', messages: [...messages, m], options }, compiled.file);
  };
  const userError = (e: unknown): RunResult => {
    if (e instanceof LowerError) return fail(e.message, e.hint, e.span);
    if (e instanceof CompileError)
      return runResult({ ...base, status: 'error', messages: [...messages, ...e.messages], options }, compiled.file);
    throw e;
  };
  return { compiled, base, opts, o, steps, K, D, options, messages, fail, userError };
}

/** The plan and the objective, checked against the guide; the keys the stages draw with. */
interface Setup {
  plan: SitePlan;
  objective: Objective;
  guide: string;
  /** The objective is the plain ELBO. */
  plain: boolean;
  /** Importance weights may correct the guide's summaries (a built-in objective). */
  toPosterior: boolean;
  /** The program has discrete latents. */
  latents: boolean;
  /** Some continuous site's plan is not reparameterization: the site API. */
  viaSites: boolean;
  dataSpecs: unknown[];
  keys: { root: Int32Array; train: Int32Array; eval: Int32Array; draw: Int32Array; stop: Int32Array };
}

function planAndObjective(run: ViRun): Setup | { failed: RunResult } {
  const { compiled, o, K, fail } = run;
  let plan: SitePlan;
  let objective: Objective;
  try {
    // The data-free program, as `check` sees it: the plan printed is the plan run.
    plan = sitePlan(compiled.front)!;
    objective = resolveObjective(o.objective, compiled.checked.objectives, K);
  } catch (e) {
    return { failed: run.userError(e) };
  }
  const guide = o.guide as string;
  const plain = isPlainElbo(o.objective);
  // Built-in objectives fit the guide to the posterior, so importance weights can correct its
  // summaries; a user objective's guide is its own answer (a policy, say): summaries unweighted.
  const toPosterior = (BUILTIN_OBJECTIVES as readonly string[]).includes(
    typeof o.objective === 'object' ? (o.objective as { method: string }).method : (o.objective as string),
  );
  if (!plain && guide === 'delta')
    return {
      failed: fail(
        `the objective \`${objective.name}\` needs a guide with a density; delta has none`,
        'use mean_field or full_rank, or objective = elbo',
      ),
    };
  if (!AUTO_GUIDES.has(guide) && !compiled.checked.guide)
    return {
      failed: fail(
        `the guide \`${guide}\` is not defined`,
        'write a `guide { ... }` block, or use mean_field, full_rank, low_rank or delta',
      ),
    };
  // Discrete latents, or a continuous site whose plan is not reparameterization, take the site
  // API (infer_sites.ts); everything else the Gaussian fast path.
  const latents = compiled.checked.latents.length > 0;
  const viaSites = [...plan.estimators.values()].some((e) => e.kind !== 'reparam' && e.kind !== 'detach');
  if (latents && !AUTO_GUIDES.has(guide))
    return {
      failed: fail(
        'a program with discrete latents takes an automatic guide (mean_field or full_rank): a guide block draws continuous params only',
      ),
    };
  const dataSpecs = compiled.internals.kit.specs.slice(1);
  const root = keyFromSeed(compiled.seed);
  const keys = { root, train: foldIn(root, 1), eval: foldIn(root, 2), draw: foldIn(root, 3), stop: foldIn(root, 7) };
  return { plan, objective, guide, plain, toPosterior, latents, viaSites, dataSpecs, keys };
}

type Gradient = (phi: Float64Array, t: number) => { value: number; grad: Float64Array };

/** The guide's engine and start, the objective's gradient, and state carried across steps. */
interface GuideSetup {
  engine: ViEngine;
  phi0: Float64Array;
  /** For diagnostics.start. */
  start: Record<string, unknown>;
  gradient: Gradient;
  carry?: { get(): unknown; set(v: unknown): void };
}

/**
 * A guide block, the site API (discrete latents or non-reparam sites), or the Gaussian fast path.
 * A guide block takes neither latents (refused above) nor the site API (site_plan.ts refuses a
 * `via` other than reparam on its draws), so it takes the compiled gradient.
 */
async function guideAndGradient(run: ViRun, s: Setup): Promise<GuideSetup> {
  const { compiled, o } = run;
  const guide = s.guide as GuideName;
  if (AUTO_GUIDES.has(guide) && (s.latents || s.viaSites)) return siteGradient(run, s);
  let engine: ViEngine, phi0: Float64Array, start: Record<string, unknown>;
  if (!AUTO_GUIDES.has(guide)) {
    const u = await userGuideEngine(compiled);
    [engine, phi0, start] = [u.engine, u.phi0, { kind: 'guide block' }];
  } else {
    const family = gaussianFamily(guide, o.rank as number);
    const x0 = compiled.initialPoint(compiled.seed);
    const chosen = await automaticStart(compiled, family, guide, x0, foldIn(s.keys.root, 6));
    [engine, phi0, start] = [chosen.engine, chosen.phi0, chosen.info];
  }
  return { engine, phi0, start, gradient: await compiledGradient(run, s, engine) };
}

/** The Gaussian fast path's gradient: the ELBO's (or the objective's) compiled graph. */
async function compiledGradient(run: ViRun, s: Setup, e: ViEngine): Promise<Gradient> {
  const { backend, dataArrays } = run.compiled.internals;
  const { plain, dataSpecs } = s;
  const exe = await prepare(
    simplify(plain ? elboGraph(e, e.m, dataSpecs, run.K, true) : objectiveGraph(e, e.m, dataSpecs, s.objective, true)),
    backend,
    2 + e.extraSpecs.length,
    dataArrays,
  );
  return (phi, t) => {
    const [v, g] = exe.run([{ data: phi, shape: [e.m] }, { data: foldIn(s.keys.train, t), shape: [2] }, ...e.extras]);
    return { value: v!.data[0]! + (plain ? e.constant : 0), grad: Float64Array.from(g!.data) };
  };
}

/**
 * The site API (infer_sites.ts): its engine and gradient graph, with running-mean baselines
 * carried across steps. With latents the start is plain (a Laplace start would need them
 * marginalized); without, the continuous start.
 */
async function siteGradient(run: ViRun, s: Setup): Promise<GuideSetup> {
  const { compiled, o } = run;
  const guide = s.guide as GuideName;
  const root = s.keys.root;
  const family = gaussianFamily(guide, o.rank as number);
  const x0 = compiled.initialPoint(compiled.seed);
  const chosen = s.latents
    ? {
        W: plainWhitening(x0, 1, guide === 'full_rank' ? 'full' : 'diag'),
        info: { kind: 'plain', map: { ok: false, message: 'skipped: discrete latents' } },
      }
    : await automaticStart(compiled, family, guide, x0, foldIn(root, 6));
  const se = siteEngine(compiled, guide, chosen.W, s.plan, s.objective);
  const phi0 = se.program.phi0;
  const exe = await prepare(simplify(se.gradGraph), compiled.internals.backend, 3, compiled.internals.dataArrays);
  const B = se.baselines.length;
  let baselines = new Float64Array(B);
  const exec = (phi: Float64Array, key: Int32Array) =>
    exe.run([
      { data: phi, shape: [phi.length] },
      { data: key, shape: [2] },
      { data: baselines, shape: [B] },
    ]);
  // The running means start at the signal of one estimate at the start (a baseline of 0
  // would inflate the first steps' gradients, and Adam's moments would remember them).
  if (B) {
    const signal = Float64Array.from(exec(phi0, foldIn(root, 8))[2]!.data);
    baselines = signal.map((v) => v / (1 - BASELINE_DECAY));
  }
  const gradient: Gradient = (phi, t) => {
    const [v, g, next] = exec(phi, foldIn(s.keys.train, t));
    if (B && next!.data.every(Number.isFinite)) baselines = Float64Array.from(next!.data);
    return { value: v!.data[0]!, grad: Float64Array.from(g!.data) };
  };
  const carry = B
    ? {
        get: () => Array.from(baselines),
        set: (v: unknown) => {
          baselines = Float64Array.from(v as number[]);
        },
      }
    : undefined;
  return { engine: se.engine, phi0, start: chosen.info, gradient, ...(carry ? { carry } : {}) };
}

/** An engine graph's inputs at phi with a key: (phi, key, ...extras). */
const engineInputs = (engine: ViEngine, phi: Float64Array, key: Int32Array) => [
  { data: phi, shape: [engine.m] },
  { data: key, shape: [2] },
  ...engine.extras,
];

/**
 * The result: a pool of D guide draws (and as many from the widened guide; more when k-hat is
 * borderline) serves k-hat, the importance weights, the ELBO, the summaries and the draws.
 */
async function fitResult(run: ViRun, s: Setup, g: GuideSetup, fit: LoopResult, t1: number): Promise<RunResult> {
  const { compiled, D, messages } = run;
  const { engine } = g;
  const { plain, dataSpecs, toPosterior } = s;
  const phi = fit.phi;
  const { pool, weighing } = await weighedPool(compiled, engine, phi, D, s.keys.draw, dataSpecs, toPosterior);
  let elbo: number;
  if (weighing.elbo !== null) elbo = weighing.elbo;
  else {
    // No guide density (delta): the ELBO is the log density at the point.
    const one = await prepare(
      simplify(termsGraph(engine, engine.m, dataSpecs, 1, null)),
      'ref',
      2 + engine.extraSpecs.length,
      compiled.internals.dataArrays,
    );
    elbo = one.run(engineInputs(engine, phi, foldIn(s.keys.eval, 0)))[0]!.data[0]! + engine.constant;
  }
  const checks = await fitDiagnostics(compiled, engine, phi, s.guide, weighing, fit, dataSpecs, toPosterior);
  messages.push(...checks.messages);
  const table = headDraws(pool.table, weighing.rows);
  const posterior = weighing.weights ? weightedSummaries(table, weighing.weights) : summaries(table);
  run.opts.onDraws?.(
    weighing.weights ? resample(table, weighing.weights, foldIn(s.keys.root, 5), D) : headDraws(table, D),
  );
  const values: Record<string, NestedValue> = {};
  for (const e of compiled.internals.layout.entries) values[e.name] = posterior[e.name]!.mean;
  for (const l of compiled.checked.latents) {
    const name = l.decl.name.name;
    if (posterior[name]) values[name] = posterior[name]!.mean;
  }
  messages.push(...fit.messages);
  return runResult(
    {
      ...run.base,
      status: fit.status,
      objective: elbo,
      steps: fit.steps,
      time_ms: performance.now() - t1,
      options: run.options,
      values,
      posterior,
      messages,
      diagnostics: {
        stop_reason: fit.stopReason,
        gradient_norm: fit.gnorm,
        ...fit.diagnostics,
        elbo_draws: weighing.elbo !== null ? pool.guideRows : 1,
        // The optimized objective's per-step estimates, averaged per window, at most 50 points.
        elbo_trace: shortTrace(fit.trace, 50),
        // The stopping rule's checks: the ELBO of each window's average guide on fixed draws.
        elbo_checks: fit.stop.checks.map((c) => ({
          step: c.step,
          stage: c.stage,
          elbo: c.elbo,
          gain: c.gain,
          se: c.se,
        })),
        ...(plain ? {} : { objective: objectiveText(s.objective) }),
        // The plan `proxima check` prints, which this run executed (compiler/analysis/site_plan.ts).
        estimators: s.plan.entries,
        ...(g.carry ? { baselines: g.carry.get() } : {}),
        start: g.start,
        ...checks.diagnostics,
      },
    },
    compiled.file,
  );
}

/**
 * (phi, key, ...extras, ...data) -> a general objective's estimate [, d/dphi]: its body on the K
 * particles' log weights (objective_program.ts; reparameterized draws, or none for wake-sleep).
 */
export function objectiveGraph(
  engine: ViEngine,
  m: number,
  dataSpecs: unknown[],
  obj: Objective,
  withGrad: boolean,
): Graph {
  const specs = [[m], { shape: [2], dtype: 'int32' }, ...engine.extraSpecs, ...dataSpecs] as Parameters<
    typeof trace
  >[1];
  const ne = engine.extraSpecs.length;
  const particles = engine.particles!;
  return trace((phi: Tracer, key: Tracer, ...rest: Tracer[]) => {
    const fixed = obj.gradient !== 'standard';
    const f = (p: Tracer) => {
      const { lp, lq } = particles(p, key, rest.slice(0, ne), rest.slice(ne), obj.samples, obj.pathwise, fixed);
      if (obj.gradient !== 'dreg') return evaluate(obj.body, lp, lq);
      // DReG (Tucker et al. 2018; stdlib/vi/estimate.ts dreg): the value is IWAE's, the
      // gradient sum_k stop(w~_k)^2 d log w_k, log q scored with phi held fixed.
      const lw = P.sub(lp, lq);
      const value = evaluate(obj.body, lp, lq);
      const wt = P.stopGradient(P.softmax(lw));
      const s = P.sum(P.mul(P.square(wt), lw));
      return P.add(P.stopGradient(value), P.sub(s, P.stopGradient(s)));
    };
    if (!withGrad) return f(phi);
    const [v, [g]] = valueAndGrad(f)(phi);
    return [v, g!];
  }, specs);
}

/** (phi, key, ...extras, ...data) -> ELBO (less the engine's constant) [, d/dphi]. */
function elboGraph(engine: ViEngine, m: number, dataSpecs: unknown[], K: number, withGrad: boolean): Graph {
  const specs = [[m], { shape: [2], dtype: 'int32' }, ...engine.extraSpecs, ...dataSpecs] as Parameters<
    typeof trace
  >[1];
  const ne = engine.extraSpecs.length;
  return trace((phi: Tracer, key: Tracer, ...rest: Tracer[]) => {
    const ex = rest.slice(0, ne);
    const data = rest.slice(ne);
    if (!withGrad) return engine.elbo(phi, key, ex, data, K);
    const [v, [g]] = valueAndGrad((p: Tracer) => engine.elbo(p, key, ex, data, K))(phi);
    return [v, g!];
  }, specs);
}

/**
 * (phi, key, ...extras, ...data) -> M estimates of the optimized objective, each from its own
 * draws (less the engine's constant for the ELBO): the ELBO's per-draw terms, or for another
 * objective its body on M groups of K particles (no gradient: the stopping rule's paired terms).
 */
function termsGraph(engine: ViEngine, m: number, dataSpecs: unknown[], M: number, obj: Objective | null): Graph {
  const specs = [[m], { shape: [2], dtype: 'int32' }, ...engine.extraSpecs, ...dataSpecs] as Parameters<
    typeof trace
  >[1];
  const ne = engine.extraSpecs.length;
  return trace((phi: Tracer, key: Tracer, ...rest: Tracer[]) => {
    const ex = rest.slice(0, ne);
    const data = rest.slice(ne);
    if (!obj || !engine.particles) return engine.terms(phi, key, ex, data, M);
    const K = obj.samples;
    const { lp, lq } = engine.particles(P.stopGradient(phi), key, ex, data, M * K, true);
    return evaluate(obj.body, P.reshape(lp, [M, K]), P.reshape(lq, [M, K]));
  }, specs);
}
