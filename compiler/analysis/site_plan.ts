// The estimator plan of an `infer vi` program: one entry per sample site of its guide, from the
// rule the estimator construction runs (stdlib/vi/estimator_plan.ts chooseEstimator), given what
// is known without data. `proxima check` prints it in `estimators`, and `run` executes it: the
// run calls this function on the same data-free program and hands every site's estimator to the
// stdlib estimator as its `via` (compiler/running/infer.ts), then reports the same entries in
// `diagnostics.estimators`. So the plan printed is the plan run, by construction.
// The sites:
//   - a guide block: its `x ~ D(...)` statements (reparameterized draws);
//   - an automatic guide: every continuous param (the guide draws it from a Gaussian on its
//     unconstrained scale: a Normal site per param under mean_field, one joint site otherwise),
//     then every discrete latent (a Bernoulli or Categorical guide per element, with the model's
//     support). A param's `via` is written on the model statement that draws it.
// Plan-level errors (an estimator that does not suit the site) are LowerErrors at the `via`.

import type { Expr, Sample, Span, Stmt } from '../../grammar/index.js';
import { lookupDistribution, type DistSpec } from '../../stdlib/index.js';
import { chooseEstimator, estimatorName, objectiveInfo, type Estimator } from '../../stdlib/index.js';
import type { CheckedProgram } from '../front/check_program.js';
import { resolveCall } from '../front/distribution_names.js';
import { LowerError } from '../lower/lower.js';
import { viaEstimator } from '../front/via_syntax.js';
import { nestedBodies } from '../front/stmt_walk.js';
import { resolveObjective } from '../lower/objective_program.js';

export interface EstimatorEntry {
  site: string;
  estimator: string;
  reason: string;
  /** The `via` as written, when the site has one. */
  via?: string;
}

/** The plan with each site's estimator itself (what the run hands to the stdlib estimator). */
export interface SitePlan {
  entries: EstimatorEntry[];
  estimators: Map<string, Estimator>;
  /** Support sizes the plan assumed for the discrete latents (null: unknown before the data). */
  support: Map<string, number | null>;
}

const AUTO_GUIDES = ['mean_field', 'full_rank', 'low_rank', 'delta'];

function samples(stmts: readonly Stmt[], out: Sample[] = []): Sample[] {
  for (const st of stmts) {
    if (st.kind === 'Sample') out.push(st);
    else for (const b of nestedBodies(st)) samples(b, out);
  }
  return out;
}

const targetName = (e: Expr): string | null =>
  e.kind === 'Ident' ? e.name : e.kind === 'Index' ? targetName(e.target) : null;

function via(s: Sample): Estimator | undefined {
  if (!s.via) return undefined;
  const v = viaEstimator(s.via);
  if ('error' in v) throw new LowerError(v.span, v.error);
  return v;
}

/** The plan, or null when the program has no `infer vi`; LowerError for a `via` that does not fit. */
export function sitePlan(checked: CheckedProgram): SitePlan | null {
  const infer = checked.infer;
  if (!infer || infer.name !== 'vi' || !checked.model) return null;
  const given = infer.given;
  let obj;
  try {
    obj = objectiveInfo(
      resolveObjective(given.objective ?? 'elbo', checked.objectives, (given.samples as number | undefined) ?? 1),
    );
  } catch {
    return null;
  }
  const guide = typeof given.guide === 'string' ? given.guide : 'mean_field';
  const plan: SitePlan = { entries: [], estimators: new Map(), support: new Map() };
  const add = (site: string, est: Estimator, reason: string, written?: Estimator) => {
    plan.estimators.set(site, est);
    plan.entries.push({
      site,
      estimator: estimatorName(est),
      reason,
      ...(written ? { via: estimatorName(written) } : {}),
    });
  };

  if (!AUTO_GUIDES.includes(guide)) {
    // A guide block: its draws are reparameterized (guide_program.ts).
    for (const s of checked.guide ? samples(checked.guide.body) : []) {
      const site = targetName(s.target) ?? '?';
      const v = via(s);
      if (v && v.kind !== 'reparam')
        throw new LowerError(
          s.via!.span,
          `\`via ${estimatorName(v)}\` on \`${site}\`: a guide block's draws are reparameterized (the ELBO is differentiated through them)`,
          'remove the `via`, or use an automatic guide (mean_field) with the `via` on the model statement',
        );
      const spec = specOf(s);
      if (spec && !spec.reparameterizable)
        throw new LowerError(
          s.dist.span,
          `${spec.name} cannot be reparameterized, and a guide block's draws are differentiated through`,
          'use a reparameterizable family such as Normal or LogNormal; discrete latents take the automatic guide',
        );
      add(
        site,
        { kind: 'reparam' },
        v ? 'via reparam' : `${spec?.name ?? 'the draw'} is reparameterized in the guide block`,
        v,
      );
    }
    return plan;
  }

  // ---- the automatic guide ----
  const modelSamples = samples(checked.model.body);
  const written = new Map<string, { est: Estimator; span: Span }>();
  for (const s of modelSamples) {
    const site = targetName(s.target);
    const v = site ? via(s) : undefined;
    if (site && v) written.set(site, { est: v, span: s.via!.span });
  }
  const normal = lookupDistribution('Normal')!;
  for (const d of checked.decls) {
    if (d.kind !== 'param') continue;
    const site = d.decl.name.name;
    const w = written.get(site);
    if (guide === 'delta') {
      if (w) throw new LowerError(w.span, `\`via\` on \`${site}\`: a delta guide has no draws to estimate`);
      continue;
    }
    if (w && w.est.kind !== 'reparam' && guide !== 'mean_field')
      throw new LowerError(
        w.span,
        `\`via ${estimatorName(w.est)}\` on \`${site}\`: under guide = ${guide} the continuous params are one joint Gaussian draw, reparameterized`,
        'use guide = mean_field (one Normal site per param), or remove the `via`',
      );
    if (w && w.est.kind === 'enum')
      throw new LowerError(
        w.span,
        `\`via enumerate\` on \`${site}\`: a continuous param has no finite support to enumerate`,
        'use mvd, reinforce or reparam',
      );
    const p = chooseEstimator({ site, dist: normal, supportSize: null, batchSize: 1, via: w?.est }, obj);
    add(
      site,
      p.estimator,
      w
        ? p.reason
        : obj.pathwise
          ? `the automatic guide draws it from a Gaussian on its unconstrained scale (reparameterizable)`
          : p.reason,
      w?.est,
    );
  }
  // Discrete latents: the guide has the model's support. Without data an array latent counts
  // as many copies (Infinity), so check plans what run will do with any data.
  for (const l of checked.latents) {
    const site = l.decl.name.name;
    const draw = modelSamples.find((s) => targetName(s.target) === site && s.dist.kind === 'Call');
    if (!draw || draw.dist.kind !== 'Call') continue;
    const r = resolveCall(
      draw.dist.callee.name,
      draw.dist.args.map((a) => a.name?.name ?? null),
    );
    if (typeof r === 'string') continue;
    const categorical = r.spec.family === 'Categorical';
    const K = categorical ? lastDim(checked, draw.dist.args[0]?.value) : 2;
    plan.support.set(site, K);
    const copies =
      l.shape && l.shape.every((x) => x >= 0)
        ? l.shape.reduce((a, b) => a * b, 1)
        : l.decl.type.dims.length
          ? Infinity
          : 1;
    const w = written.get(site);
    if (w && w.est.kind === 'reparam')
      throw new LowerError(
        w.span,
        `\`${site}\` is discrete and cannot be reparameterized`,
        'use enumerate, mvd or reinforce',
      );
    const p = chooseEstimator({ site, dist: r.spec, supportSize: K, batchSize: copies, via: w?.est }, obj);
    const reason =
      K === null && !w
        ? p.reason.replace(
            /^[^:]*/,
            'the number of categories is not known before the data is bound (give it a literal size, e.g. `simplex[3]`, or write `via enumerate`)',
          )
        : p.reason.replace('Infinity copies', 'one copy per element');
    add(site, p.estimator, reason, w?.est);
  }
  return plan;
}

function specOf(s: Sample): DistSpec | null {
  if (s.dist.kind !== 'Call') return null;
  const r = resolveCall(
    s.dist.callee.name,
    s.dist.args.map((a) => a.name?.name ?? null),
  );
  return typeof r === 'string' ? null : r.spec;
}

/** The last dimension of an expression's type when it is known without data (a literal size). */
function lastDim(checked: CheckedProgram, e: Expr | undefined): number | null {
  if (!e) return null;
  const t = checked.types.get(e);
  if (!t || t.kind !== 'tensor' || !t.shape.length) return null;
  return t.shape[t.shape.length - 1]!.value ?? null;
}
