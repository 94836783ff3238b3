// `infer vi` for programs with discrete latents: the optimization loop around
// compiler/running/discrete_engine.ts, in the same contract as compiler/running/infer.ts (keys foldIn(seed, ...)
// per step, the plateau stopping rule, checkpoints, draws, summaries, the fit diagnostics).
// The running-mean baseline is loop state: it is updated on the host after each step from the
// graph's signal output, and travels in checkpoints with the plateau state, so a resumed run is
// bit-identical.

import { simplify } from '../../runtime/index.js';
import { foldIn, keyFromSeed } from '../../runtime/index.js';
import type { Problem } from '../../stdlib/index.js';
import { paretoKHat } from '../../stdlib/index.js';
import { shortTrace } from '../../stdlib/index.js';
import { estimatorName } from '../../stdlib/index.js';
import type { Objective } from '../../stdlib/index.js';
import { prepare } from './backend_seam.js';
import type { CompiledProgram } from '../compile.js';
import { discreteVi } from './discrete_engine.js';
import { summaries } from './draws.js';
import { runVi, viStopReason, type InferRunOptions } from './vi_run.js';
import { messageAt, type Message } from '../messages.js';
import { LowerError } from '../lower/lower.js';
import { objectiveText } from '../lower/objective_program.js';
import { runResult, type NestedValue, type RunResult } from './result.js';
import { KHAT_WARN } from './vi_diagnostics.js';

/** Weight of the old value in the running-mean baseline. */
export const BASELINE_DECAY = 0.9;

export async function runDiscreteInference(
  compiled: CompiledProgram,
  base: { seed: number; backend: string; compile_ms: number },
  opts: InferRunOptions,
  ctx: {
    objective: Objective;
    steps: number;
    draws: number;
    messages: Message[];
    options: Record<string, unknown>;
    window: number;
    finalDraws: number;
    khatDraws: number;
  },
): Promise<RunResult> {
  const t1 = performance.now();
  const o = compiled.algorithm!.options;
  const vi = discreteVi(compiled, o.guide as string, ctx.objective);
  const { dataArrays, backend } = compiled.internals;
  const root = keyFromSeed(compiled.seed);
  const [trainKey, evalKey, drawKey] = [foldIn(root, 1), foldIn(root, 2), foldIn(root, 3)];
  const gradExe = await prepare(simplify(vi.gradGraph), backend, 3, dataArrays);
  let baseline: number | null = null;
  const objective: Problem = {
    n: vi.m,
    evaluate(phi: Float64Array, step: number) {
      const [v, g, s] = gradExe.run([
        { data: phi, shape: [vi.m] },
        { data: foldIn(trainKey, step), shape: [2] },
        { data: Float64Array.of(baseline ?? 0), shape: [] },
      ]);
      const signal = s!.data[0]!;
      // The first step's signal starts the mean (the graph used 0: unbiased, only noisier).
      if (Number.isFinite(signal))
        baseline = baseline === null ? signal : BASELINE_DECAY * baseline + (1 - BASELINE_DECAY) * signal;
      const gr = new Float64Array(vi.m);
      for (let i = 0; i < vi.m; i++) gr[i] = -g!.data[i]!;
      return { f: -v!.data[0]!, g: gr };
    },
    // The running-mean baseline is loop state: checkpoints carry it.
    aux: {
      save: () => baseline,
      restore: (b) => (baseline = typeof b === 'number' ? b : null),
    },
  };
  const trace: number[] = [];
  const run = await runVi(compiled, objective, vi.phi0, ctx.steps, opts, trace);
  if ('error' in run) throw new LowerError(compiled.anchor!, run.error);
  const { r, end } = run;
  const phi = r.x;
  const elboExe = await prepare(simplify(vi.elboGraph(ctx.finalDraws)), 'ref', 2, dataArrays);
  const elbo = elboExe.run([
    { data: phi, shape: [vi.m] },
    { data: foldIn(evalKey, 0), shape: [2] },
  ])[0]!.data[0]!;

  // Draws: params (constrained), latents, generate outputs.
  const { graph, names } = vi.drawGraph(ctx.draws);
  const drawExe = await prepare(simplify(graph), 'ref', 2, dataArrays);
  const outs = drawExe.run([
    { data: phi, shape: [vi.m] },
    { data: drawKey, shape: [2] },
  ]);
  const { layout } = compiled.internals;
  const variables = [
    ...layout.entries.map((e, i) => ({ name: e.name, shape: e.shape, data: Float64Array.from(outs[i]!.data) })),
    ...vi.sites.map((s, i) => ({
      name: s.name,
      shape: s.shape,
      data: Float64Array.from(outs[layout.entries.length + i]!.data),
    })),
    ...names().map((x, i) => ({
      name: x.name,
      shape: x.shape,
      data: Float64Array.from(outs[layout.entries.length + vi.sites.length + i]!.data),
    })),
  ];
  const table = { draws: ctx.draws, variables };
  opts.onDraws?.(table);
  const posterior = summaries(table);
  const values: Record<string, NestedValue> = {};
  for (const e of layout.entries) values[e.name] = posterior[e.name]!.mean;
  for (const s of vi.sites) values[s.name] = posterior[s.name]!.mean;

  // k-hat of the joint (continuous and discrete) guide's importance weights.
  const lwExe = await prepare(simplify(vi.elboGraph(1)), 'ref', 2, dataArrays);
  const lw = new Float64Array(ctx.khatDraws);
  const khatKey = foldIn(root, 4);
  for (let i = 0; i < ctx.khatDraws; i++)
    lw[i] = lwExe.run([
      { data: phi, shape: [vi.m] },
      { data: foldIn(khatKey, i), shape: [2] },
    ])[0]!.data[0]!;
  const k = paretoKHat(lw);
  const messages = [...ctx.messages];
  if (!(k.khat < KHAT_WARN) && compiled.anchor)
    messages.push(
      messageAt(
        'warning',
        compiled.anchor,
        `Pareto k-hat of the guide's importance weights is ${Number.isFinite(k.khat) ? k.khat.toFixed(2) : 'undefined'} (> ${KHAT_WARN}): the guide misses posterior mass`,
      ),
    );
  messages.push(...end.messages);
  return runResult(
    {
      ...base,
      status: end.status,
      objective: elbo,
      steps: r.steps,
      time_ms: performance.now() - t1,
      options: ctx.options,
      values,
      posterior,
      messages,
      diagnostics: {
        stop_reason: viStopReason(r, end, ctx.steps),
        gradient_norm: r.measure,
        ...end.diagnostics,
        elbo_draws: ctx.finalDraws,
        elbo_trace: shortTrace(trace, 50),
        objective: objectiveText(ctx.objective),
        estimators: vi.sites.map((s) => ({ site: s.name, estimator: estimatorName(s.estimator) })),
        ...(vi.usesBaseline ? { baseline } : {}),
        start: { kind: 'plain', laplace: { ok: false, message: 'skipped: discrete latents' } },
        khat: Number.isFinite(k.khat) ? k.khat : null,
        khat_draws: ctx.khatDraws,
      },
    },
    compiled.file,
  );
}
