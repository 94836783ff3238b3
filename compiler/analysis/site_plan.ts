// The estimator plan `proxima check` prints in `estimators`: one entry per sample site of an
// `infer vi` program, from the same rule the estimator construction runs
// (stdlib/vi/estimator_plan.ts chooseEstimator), given what is known without data: the site's
// distribution, the objective (objective_program.ts), and the site's `via`.
// The sites: a guide block's `x ~ D(...)` statements, or, for an automatic guide, the model's
// statements that draw a param. `via` is parsed here (viaEstimator), so check and run agree on
// what it means and on its errors (via.ts).

import type { Expr, Sample, Stmt } from '../../grammar/index.js';
import { chooseEstimator, estimatorName, type Estimator } from '../../stdlib/index.js';
import { objectiveInfo } from '../../stdlib/index.js';
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

function samples(stmts: readonly Stmt[], out: Sample[] = []): Sample[] {
  for (const st of stmts) {
    if (st.kind === 'Sample') out.push(st);
    else for (const b of nestedBodies(st)) samples(b, out);
  }
  return out;
}

const targetName = (e: Expr): string | null =>
  e.kind === 'Ident' ? e.name : e.kind === 'Index' ? targetName(e.target) : null;

/** The sample sites of an `infer vi` program with their parsed `via` (LowerError when it is bad). */
export function siteSamples(checked: CheckedProgram): { site: string; sample: Sample; via?: Estimator }[] {
  const given = checked.infer?.given ?? {};
  const params = new Set([
    ...checked.decls.filter((d) => d.kind === 'param').map((d) => d.decl.name.name),
    ...checked.latents.map((l) => l.decl.name.name),
  ]);
  const userGuide =
    given.guide === 'guide' ||
    (typeof given.guide === 'string' && !['mean_field', 'full_rank', 'low_rank', 'delta'].includes(given.guide));
  const sites =
    userGuide && checked.guide
      ? samples(checked.guide.body)
      : checked.model
        ? samples(checked.model.body).filter((s) => params.has(targetName(s.target) ?? ''))
        : [];
  return sites.map((s) => {
    const v = s.via ? viaEstimator(s.via) : undefined;
    if (v && 'error' in v) throw new LowerError(v.span, v.error);
    return { site: targetName(s.target) ?? '?', sample: s, ...(v ? { via: v } : {}) };
  });
}

/** The plan, or null when the program has no `infer vi`; `via` errors are thrown as LowerError. */
export function sitePlan(checked: CheckedProgram): EstimatorEntry[] | null {
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
  const out: EstimatorEntry[] = [];
  // Without data a latent's shape may be unknown: an array latent then counts as many copies
  // (Infinity), so check plans what run will do with any data.
  const copies = new Map(
    checked.latents.map((l) => [
      l.decl.name.name,
      l.shape && l.shape.every((d) => d >= 0)
        ? l.shape.reduce((a, b) => a * b, 1)
        : l.decl.type.dims.length
          ? Infinity
          : 1,
    ]),
  );
  for (const { site, sample: s, via } of siteSamples(checked)) {
    if (s.dist.kind !== 'Call') continue;
    const r = resolveCall(
      s.dist.callee.name,
      s.dist.args.map((a) => a.name?.name ?? null),
    );
    if (typeof r === 'string') continue;
    const supportSize =
      r.spec.support.discrete && r.spec.name.startsWith('Bernoulli')
        ? 2
        : r.spec.family === 'Categorical'
          ? categories(checked, s.dist.args[0]?.value)
          : null;
    const p = chooseEstimator({ site, dist: r.spec, supportSize, batchSize: copies.get(site) ?? 1, via }, obj);
    out.push({
      site,
      estimator: estimatorName(p.estimator),
      reason: p.reason.replace('Infinity copies', 'one copy per element'),
      ...(via ? { via: estimatorName(via) } : {}),
    });
  }
  return out;
}

/** A Categorical's K when its parameter is a declared name whose last dimension is a literal
 * (`w: simplex[3]`); otherwise unknown without data (null; the run reads K from the lowered
 * parameter). */
function categories(checked: CheckedProgram, arg: Expr | undefined): number | null {
  if (!arg || arg.kind !== 'Ident') return null;
  const d = checked.decls.find((x) => x.decl.name.name === arg.name);
  const last = d?.decl.type.dims[d.decl.type.dims.length - 1];
  return last && last.kind === 'Number' ? last.value : null;
}
