// `infer vi(...)`: variational inference end to end, in the RunResult contract.
//   1. the guide: an automatic Gaussian family (stdlib/vi) or the program's `guide { }` block;
//   2. the robust start (automatic Gaussian guides): the Laplace approximation (MAP by L-BFGS,
//      the inverse Hessian by autodiff) whitens the guide's coordinates; the plain start (mean at
//      the Stan-style initial point, sd 1) replaces it when the MAP search fails or the Laplace
//      start's ELBO estimate is not finite;
//   3. stochastic optimization of the objective (the ELBO by default; others, built in or
//      `objective name = ...`, through objective_program.ts on the particles' log weights): the optimizer (Adam by default) over K-sample
//      reparameterization gradients for `steps` steps, the learning rate decaying by a cosine to
//      a tenth of itself; the key of step t is foldIn(key(seed), t), so a resumed run is
//      bit-identical;
//   4. results: the final ELBO from many draws, `--draws` posterior draws (constrained, with the
//      `generate` quantities), summaries, and posterior means as `values`.
// Programs with discrete latents (int params) take compiler/running/infer_discrete.ts instead.
// After the fit: k-hat and the correlation check (vi_diagnostics.ts), on by default.
// Stopping: the ELBO's plateau (stdlib/vi/plateau.ts, windows of 100 steps, `tol` relative), or
// the step budget.

import { ops as P, simplify, trace, valueAndGrad, type Graph, type Tracer } from '../../runtime/index.js';
import { foldIn, keyFromSeed } from '../../runtime/index.js';
import { shortTrace } from '../../stdlib/index.js';
import {
  gaussianFamily,
  laplace,
  laplaceWhitening,
  plainWhitening,
  type GuideName,
  type LaplaceResult,
  type Whitening,
} from '../../stdlib/index.js';
import { prepare, type Executable } from './backend_seam.js';
import type { CompiledProgram } from '../compile.js';
import { summaries, type DrawTable } from './draws.js';
import { userGuideEngine } from '../lower/guide_program.js';
import { LowerError, type LV } from '../lower/lower.js';
import { CompileError, fileMessage, messageAt, type Message } from '../messages.js';
import { runResult, type NestedValue, type RunResult } from './result.js';
import { runVi, viStopReason, type InferRunOptions } from './vi_run.js';
import { autoEngine, type ViEngine } from '../lower/vi_graphs.js';
import { evaluate, type Objective } from '../../stdlib/index.js';
import { isPlainElbo, objectiveText, resolveObjective } from '../lower/objective_program.js';
import { sitePlan } from '../analysis/site_plan.js';
import { fitDiagnostics, KHAT_DRAWS, negHessianExe } from './vi_diagnostics.js';
import { runDiscreteInference } from './infer_discrete.js';

export const DEFAULT_DRAWS = 4000;
/** Draws behind the reported ELBO. */
export const FINAL_ELBO_DRAWS = 1000;
/** The Laplace start is skipped above this many unconstrained coordinates (an n x n Hessian). */
export const MAX_LAPLACE_DIM = 400;
/** Steps per window of the stopping rule (stdlib/vi/method.ts). */
export const PLATEAU_WINDOW = 100;
const AUTO_GUIDES = new Set(['mean_field', 'full_rank', 'low_rank', 'delta']);

export async function runInference(
  compiled: CompiledProgram,
  base: { seed: number; backend: string; compile_ms: number },
  opts: InferRunOptions,
): Promise<RunResult> {
  const t1 = performance.now();
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
  if (compiled.checked.latents.length) {
    try {
      const objective = resolveObjective(o.objective, compiled.checked.objectives, K);
      return await runDiscreteInference(compiled, base, opts, {
        objective,
        steps,
        draws: D,
        messages,
        options,
        window: PLATEAU_WINDOW,
        finalDraws: FINAL_ELBO_DRAWS,
        khatDraws: KHAT_DRAWS,
      });
    } catch (e) {
      if (e instanceof LowerError) return fail(e.message, undefined, e.span);
      if (e instanceof CompileError)
        return runResult({ ...base, status: 'error', messages: [...messages, ...e.messages], options }, compiled.file);
      throw e;
    }
  }
  // Every latent here is continuous and drawn by a reparameterized guide: a `via` asking for
  // another estimator cannot be honoured yet, so it is an error rather than silently ignored.
  try {
    const off = (sitePlan(compiled.checked) ?? []).find((e) => e.via && e.estimator !== 'reparam');
    if (off)
      return fail(
        `\`via ${off.via}\` on \`${off.site}\`: this release draws continuous latents by reparameterization only; score-function, enumeration and MVD estimators run from the stdlib site API (stdlib/vi/programmable.ts), not yet from .opt programs`,
        'remove the `via`, or use `via reparam`',
      );
  } catch (e) {
    if (e instanceof LowerError) return fail(e.message, undefined, e.span);
    throw e;
  }
  // The ELBO keeps the Gaussian fast path (exact entropy or sticking-the-landing); any other
  // objective runs on the particles' log weights (objectiveGraph).
  let general: Objective | null = null;
  if (!isPlainElbo(o.objective)) {
    try {
      general = resolveObjective(o.objective, compiled.checked.objectives, K);
    } catch (e) {
      if (e instanceof LowerError) return fail(e.message, undefined, e.span);
      throw e;
    }
    if (o.guide === 'delta')
      return fail(
        `the objective \`${general.name}\` needs a guide with a density; delta has none`,
        'use mean_field or full_rank, or objective = elbo',
      );
  }

  const { kit, layout, dataArrays, backend } = compiled.internals;
  const dataSpecs = kit.specs.slice(1);
  const n = layout.n;
  const root = keyFromSeed(compiled.seed);
  const [trainKey, evalKey, drawKey] = [foldIn(root, 1), foldIn(root, 2), foldIn(root, 3)];

  // ---- the guide and its start ----
  let engine: ViEngine;
  let start: Record<string, unknown> = {};
  let phi0: Float64Array;
  try {
    const guide = o.guide as string;
    if (!AUTO_GUIDES.has(guide)) {
      if (!compiled.checked.guide)
        return fail(
          `the guide \`${guide}\` is not defined`,
          'write a `guide { ... }` block, or use mean_field, full_rank, low_rank or delta',
        );
      const u = await userGuideEngine(compiled);
      engine = u.engine;
      phi0 = u.phi0;
      start = { kind: 'guide block' };
    } else {
      const family = gaussianFamily(guide as GuideName, o.rank as number);
      const x0 = compiled.initialPoint(compiled.seed);
      const lp = n > 0 && n <= MAX_LAPLACE_DIM ? await laplaceStart(compiled, x0) : null;
      const kind = guide === 'full_rank' ? 'full' : 'diag';
      const plain = plainWhitening(x0, 1, kind);
      const candidates: { W: Whitening; name: string }[] = [];
      if (lp?.ok) candidates.push({ W: laplaceWhitening(lp, guide as GuideName), name: 'laplace' });
      candidates.push({ W: plain, name: 'plain' });
      // The Laplace start unless it failed or its ELBO estimate is not finite (the plain start then).
      let chosen = candidates[candidates.length - 1]!;
      for (const c of candidates) {
        const e = autoEngine(kit, layout, family, c.W);
        const probe = await prepare(
          simplify(elboGraph(e, e.m, dataSpecs, 1, false)),
          'ref',
          2 + e.extras.length,
          dataArrays,
        );
        const v = probe.run([
          { data: family.init(n, c.W.C), shape: [e.m] },
          { data: foldIn(trainKey, 0), shape: [2] },
          ...e.extras,
        ])[0]!.data[0]!;
        if (Number.isFinite(v)) {
          chosen = c;
          break;
        }
      }
      engine = autoEngine(kit, layout, family, chosen.W);
      phi0 = family.init(n, chosen.W.C);
      start = {
        kind: chosen.name,
        laplace: lp
          ? { ok: lp.ok, steps: lp.steps, message: lp.message }
          : {
              ok: false,
              message: n > MAX_LAPLACE_DIM ? `skipped: more than ${MAX_LAPLACE_DIM} coordinates` : 'no parameters',
            },
      };
    }
  } catch (e) {
    if (e instanceof LowerError) return fail(e.message, undefined, e.span);
    if (e instanceof CompileError)
      return runResult({ ...base, status: 'error', messages: [...messages, ...e.messages], options }, compiled.file);
    throw e;
  }
  const m = engine.m;
  let gradExe: Executable;
  let valueExe: Executable;
  try {
    gradExe = await prepare(
      simplify(
        general ? objectiveGraph(engine, m, dataSpecs, general, true) : elboGraph(engine, m, dataSpecs, K, true),
      ),
      backend,
      2 + engine.extras.length,
      dataArrays,
    );
    valueExe = await prepare(
      simplify(elboGraph(engine, m, dataSpecs, FINAL_ELBO_DRAWS, false)),
      backend,
      2 + engine.extras.length,
      dataArrays,
    );
  } catch (e) {
    if (e instanceof LowerError) return fail(e.message, undefined, e.span);
    throw e;
  }

  // ---- stochastic optimization ----
  const objective = {
    n: m,
    evaluate(phi: Float64Array, step: number) {
      const [v, g] = gradExe.run([
        { data: phi, shape: [m] },
        { data: foldIn(trainKey, step), shape: [2] },
        ...engine.extras,
      ]);
      const f = -(v!.data[0]! + (general ? 0 : engine.constant));
      const gr = new Float64Array(m);
      for (let i = 0; i < m; i++) gr[i] = -g!.data[i]!;
      return { f, g: gr };
    },
  };
  const trace: number[] = [];
  const run = await runVi(compiled, objective, phi0, steps, opts, trace);
  if ('error' in run) return fail(run.error);
  const { r, end } = run;
  const phi = r.x;
  const elbo =
    valueExe.run([{ data: phi, shape: [m] }, { data: foldIn(evalKey, 0), shape: [2] }, ...engine.extras])[0]!.data[0]! +
    engine.constant;

  // ---- draws and summaries ----
  const table = await posteriorDraws(compiled, engine, phi, D, drawKey, dataSpecs);
  opts.onDraws?.(table);
  const posterior = summaries(table);
  const fit = await fitDiagnostics(compiled, engine, phi, o.guide as string, foldIn(root, 4), dataSpecs);
  messages.push(...fit.messages);
  const values: Record<string, NestedValue> = {};
  for (const e of layout.entries) values[e.name] = posterior[e.name]!.mean;
  messages.push(...end.messages);
  return runResult(
    {
      ...base,
      status: end.status,
      objective: elbo,
      steps: r.steps,
      time_ms: performance.now() - t1,
      options,
      values,
      posterior,
      messages,
      diagnostics: {
        stop_reason: viStopReason(r, end, steps),
        gradient_norm: r.measure,
        ...end.diagnostics,
        elbo_draws: FINAL_ELBO_DRAWS,
        // The trace of the optimized objective's estimate per step, averaged to at most 50 points.
        elbo_trace: shortTrace(trace, 50),
        ...(general ? { objective: objectiveText(general) } : {}),
        start,
        ...fit.diagnostics,
      },
    },
    compiled.file,
  );
}

/** MAP and Hessian on the unconstrained scale (the exact log density: minibatches run in full). */
async function laplaceStart(compiled: CompiledProgram, x0: Float64Array): Promise<LaplaceResult> {
  const ld = compiled.logDensity!;
  const neg = {
    n: ld.n,
    evaluate(x: Float64Array) {
      const r = ld.evaluate(x, 0);
      return { f: -r.f, g: r.g.map((v) => -v) };
    },
  };
  // The Hessian runs once, on float64 ref (exact, and it never pays for loading tfjs).
  const exe = await negHessianExe(compiled);
  return laplace(neg, x0, (x) => Float64Array.from(exe.run([{ data: x, shape: [x.length] }])[0]!.data));
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

/** D draws of every param (constrained) and `generate` output, as one scan on ref. */
async function posteriorDraws(
  compiled: CompiledProgram,
  engine: ViEngine,
  phi: Float64Array,
  D: number,
  key: Int32Array,
  dataSpecs: unknown[],
): Promise<DrawTable> {
  const { kit, layout, dataArrays } = compiled.internals;
  const specs = [[phi.length], { shape: [2], dtype: 'int32' }, ...engine.extraSpecs, ...dataSpecs] as Parameters<
    typeof trace
  >[1];
  const ne = engine.extraSpecs.length;
  let genNames: { name: string; shape: number[] }[] = [];
  const g = trace((ph: Tracer, k: Tracer, ...rest: Tracer[]) => {
    const ex = rest.slice(0, ne);
    const data = rest.slice(ne);
    const { ys } = P.scan(
      (_c, [kd]) => {
        const { env, low } = engine.draw(ph, kd!, ex, data);
        const vals = layout.entries.map((e) => low.real((env.get(e.name) as { v: LV }).v, e.decl.span));
        const gen = kit.generate(env, low);
        genNames = gen.map((x) => ({ name: x.name, shape: [...x.value.shape] }));
        return [[], [...vals, ...gen.map((x) => x.value)]];
      },
      [],
      [P.splitKeys(k, D)],
    );
    return ys.length ? ys : [P.zeros([0])];
  }, specs);
  const exe = await prepare(simplify(g), 'ref', 2 + ne, dataArrays);
  const outs = exe.run([{ data: phi, shape: [phi.length] }, { data: key, shape: [2] }, ...engine.extras]);
  const variables = [
    ...layout.entries.map((e, i) => ({ name: e.name, shape: e.shape, data: Float64Array.from(outs[i]!.data) })),
    ...genNames.map((x, i) => ({
      name: x.name,
      shape: x.shape,
      data: Float64Array.from(outs[layout.entries.length + i]!.data),
    })),
  ];
  return { draws: D, variables };
}
