// `infer vi` through the stdlib site API (compiler/lower/site_program.ts): programs with discrete
// latents, and programs whose plan asks for an estimator other than reparam on a continuous
// param. This file builds what the shared loop (infer_loop.ts) and the draws (infer_draws.ts)
// need from the site program:
//   - the gradient graph (phi, key, baselines, ...data) -> [estimate, d/dphi, baselines'] from
//     stdlib `estimate` with the plan's estimator for every site as its `via`, in the local mode
//     (the program's density is one factor); the running-mean baselines are loop state;
//   - a ViEngine for the rest: `terms` (one importance log weight per draw, every site detached,
//     as k-hat reads them) and `draw` (a guide draw bound into the program's scope, with each
//     latent's value as an extra output).
// The latents' shapes and supports come from lowering the model once (a Categorical's K is its
// parameter's last axis).

import { ops as P, trace, vjp, type Graph, type Tracer } from '../../runtime/index.js';
import {
  DimLayout,
  estimate,
  logWeight,
  runGuide,
  scoreModel,
  type Estimator,
  type GuideName,
  type Objective,
  type Whitening,
} from '../../stdlib/index.js';
import type { CompiledProgram } from '../compile.js';
import { LowerError } from '../lower/lower.js';
import { CONTINUOUS_SITE, siteProgram, type LatentSite, type SiteProgram } from '../lower/site_program.js';
import type { ViEngine } from '../lower/vi_graphs.js';
import type { SitePlan } from '../analysis/site_plan.js';

export interface SiteEngine {
  program: SiteProgram;
  engine: ViEngine;
  /** Sites whose running-mean baseline the loop carries, in the graph's order. */
  baselines: string[];
  /** (phi, key, baselines, ...data) -> [estimate, d/dphi, baselines'] */
  gradGraph: Graph;
}

/** The latents' shapes and supports, from one lowering of the model at the initial point. */
export function latentSites(compiled: CompiledProgram): LatentSite[] {
  const { kit } = compiled.internals;
  const dataSpecs = kit.specs.slice(1) as Parameters<typeof trace>[1];
  let shapes: { name: string; shape: number[] }[] = [];
  const support = new Map<string, { K: number; categorical: boolean }>();
  const x0 = compiled.initialPoint(compiled.seed);
  trace((...data: Tracer[]) => {
    const { env, low } = kit.setup(data, P.constant(new Int32Array([0, 0]), 'int32', [2]));
    shapes = kit.latentShapes(env, low);
    const names = new Set(shapes.map((x) => x.name));
    low.onSample = (name, dist) => {
      if (!names.has(name) || support.has(name)) return;
      const categorical = dist.spec.family === 'Categorical';
      support.set(name, { K: categorical ? dist.params[0]!.shape[dist.params[0]!.rank - 1]! : 2, categorical });
    };
    kit.unpack(P.constant(x0), env, low);
    kit.modelLogp(env, low);
    low.onSample = undefined;
    return P.zeros([]);
  }, dataSpecs);
  return shapes.map((s) => {
    const { K, categorical } = support.get(s.name) ?? { K: 2, categorical: false };
    return { name: s.name, shape: s.shape, size: s.shape.reduce((a, b) => a * b, 1), K, categorical };
  });
}

const total = (fs: { lp: Tracer }[]) => fs.reduce<Tracer>((a, f) => P.add(a, P.sum(f.lp)), P.zeros([]));

export function siteEngine(
  compiled: CompiledProgram,
  guide: GuideName,
  W: Whitening,
  plan: SitePlan,
  obj: Objective,
): SiteEngine {
  const { kit, layout } = compiled.internals;
  const span = compiled.checked.infer!.span;
  if (obj.gradient !== 'standard')
    throw new LowerError(
      span,
      `\`grad = ${obj.gradient}\` is for programs whose every site is reparameterized; this one has discrete latents or a \`via\``,
      'drop `grad`',
    );
  const latents = latentSites(compiled);
  for (const l of latents) {
    const K = plan.support.get(l.name);
    if (K !== null && K !== undefined && K !== l.K)
      throw new LowerError(span, `internal: the plan assumed ${K} categories for \`${l.name}\`, the data gives ${l.K}`);
  }
  const program = siteProgram(kit, layout, guide, W, latents, span);
  // Every site's estimator is the plan's (the joint continuous site: reparam, or detach for
  // wake-sleep), so the plan printed by `check` is the plan run.
  const via: Record<string, Estimator> = Object.fromEntries(plan.estimators);
  if (program.continuous.includes(CONTINUOUS_SITE))
    via[CONTINUOUS_SITE] = obj.pathwise ? { kind: 'reparam' } : { kind: 'detach' };
  const baselines = [...plan.estimators]
    .filter(([site, e]) => e.kind === 'reinforce' && e.baseline === 'mean' && via[site])
    .map(([site]) => site);
  const dataSpecs = kit.specs.slice(1) as unknown[];
  const m = program.m;
  const B = baselines.length;

  const gradGraph = trace(
    (phi: Tracer, key: Tracer, base: Tracer, ...data: Tracer[]) => {
      const prog = program.program(data);
      const f = (ph: Tracer) => {
        const e = estimate(prog, obj, [], [ph], {
          key,
          via,
          local: true,
          baselines: Object.fromEntries(baselines.map((s, i) => [s, P.index(base, i)])),
        });
        const next = B ? P.stack(baselines.map((s) => e.baselines[s] ?? P.zeros([]))) : P.zeros([0]);
        return [e.surrogate, P.stopGradient(e.value), P.stopGradient(next)];
      };
      const r = vjp((ph: Tracer) => f(ph), [phi]);
      const [g] = r.pullback([P.ones([]), P.zeros([]), P.zeros([B])]);
      return [r.outs[1]!, g!, r.outs[2]!];
    },
    [[m], { shape: [2], dtype: 'int32' }, [B], ...dataSpecs] as Parameters<typeof trace>[1],
  );

  const engine: ViEngine = {
    m,
    extraSpecs: [],
    extras: [],
    constant: 0,
    widenable: false,
    elbo: () => {
      throw new Error('internal: the site engine estimates through its gradient graph');
    },
    terms: (phi, key, _ex, data, M) => {
      const prog = program.program(data);
      return P.scan((_c, [k]) => [[], [logWeight(prog, [], [phi], k!)]], [], [P.splitKeys(key, M)]).ys[0]!;
    },
    draw: (phi, key, _ex, data) => {
      const prog = program.program(data);
      const [kq, kg] = P.splitKey(key, 2);
      const g = runGuide(prog.guide, [phi], kq!, new DimLayout(1), { linear: true, samples: 1, pathwise: false });
      const lp = total(scoreModel(prog.model, [], g.values));
      const { env, low } = program.scope(g.values, data, kg!);
      return {
        env,
        low,
        lp,
        lq: total(g.factors),
        lqWide: null,
        extra: latents.map((l) => ({ name: l.name, shape: l.shape, value: P.cast(g.values.get(l.name)!, 'float64') })),
      };
    },
    // Detached draws' densities (the objective's terms for the stopping rule; no gradient).
    particles: (phi, key, _ex, data, K) => {
      const prog = program.program(data);
      const { ys } = P.scan(
        (_c, [k]) => {
          const g = runGuide(prog.guide, [phi], k!, new DimLayout(1), { linear: true, samples: 1, pathwise: false });
          return [[], [total(scoreModel(prog.model, [], g.values)), total(g.factors)]];
        },
        [],
        [P.splitKeys(key, K)],
      );
      return { lp: ys[0]!, lq: ys[1]! };
    },
    mean: null,
  };
  return { program, engine, baselines, gradGraph };
}
