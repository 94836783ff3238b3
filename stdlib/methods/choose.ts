// Choosing a method from the table by problem shape, and the refusal when a named method cannot
// take a problem: pure functions of the table and the shape (no method is named here), which
// return their reasons. The compiler's analysis builds the shape and places the messages.

import { RESTRICTING, type AnyMethod, type Feature, type MethodKind, type ProblemShape } from './rule.js';

/** Per feature: what methods that take it are said to take, and why a method without it cannot. */
export const FEATURES: Readonly<Record<Feature, { takes: string; why: string; lacks: string }>> = {
  prox: { takes: 'prox terms', why: 'is not differentiable (it needs a prox step)', lacks: 'this problem has none' },
  bounds: { takes: 'simple bounds', why: 'needs a projection', lacks: 'this problem has none' },
  simplex: { takes: 'simplex sets', why: 'needs a projection', lacks: 'this problem has none' },
  equalities: { takes: 'equality constraints', why: 'needs a constrained solver', lacks: 'this problem has none' },
  inequalities: { takes: 'inequality constraints', why: 'needs a constrained solver', lacks: 'this problem has none' },
  bilevel: { takes: 'bilevel problems', why: 'needs a bilevel method', lacks: 'this problem has no `where`' },
  discrete_latents: {
    takes: 'discrete latents',
    why: 'needs an estimator for discrete sites, or to be summed out of the model (logsumexp over its values)',
    lacks: 'this model has none',
  },
  least_squares: {
    takes: 'an objective of the form `c * sumsq(r)`',
    why: 'is a least-squares objective',
    lacks: 'this objective is not one (a single term `c * sumsq(r)`, c > 0)',
  },
  stochastic: { takes: 'stochastic (minibatched) objectives', why: 'is stochastic', lacks: 'this one is not' },
  model: { takes: 'models', why: 'is a model', lacks: 'this program has no model' },
};

const has = (s: ProblemShape, f: Feature) => s.features.has(f);

/** The restricting features of `s` that `m` does not allow, and the features it requires that `s` lacks. */
export function misfit(m: AnyMethod, s: ProblemShape): { extra: Feature[]; missing: Feature[] } {
  return {
    extra: RESTRICTING.filter((f) => has(s, f) && !m.takes.allows.includes(f)),
    missing: (m.takes.requires ?? []).filter((f) => !has(s, f)),
  };
}

export const takes = (m: AnyMethod, s: ProblemShape): boolean => {
  const { extra, missing } = misfit(m, s);
  return !extra.length && !missing.length;
};

/** The automatic choice: among the entries of `kind` that take the shape and whose `when` holds, the lowest rank. */
export function chooseMethod(
  table: readonly AnyMethod[],
  kind: MethodKind,
  s: ProblemShape,
): { method: AnyMethod; reason: string } | null {
  const best = table
    .filter((m) => m.kind === kind && m.auto && takes(m, s) && (m.auto.when?.(s) ?? true))
    .sort((a, b) => a.auto!.rank - b.auto!.rank)[0];
  return best ? { method: best, reason: best.auto!.reason(s) } : null;
}

/** Why `m` cannot take `s`, with a hint naming what would; null when it can. */
export function refusal(
  table: readonly AnyMethod[],
  m: AnyMethod,
  s: ProblemShape,
): { message: string; hint: string } | null {
  const { extra, missing } = misfit(m, s);
  if (!extra.length && !missing.length) return null;
  const what = (f: Feature) => s.examples[f] ?? `a problem with ${FEATURES[f].takes}`;
  const alternatives = table
    .filter((x) => x.kind === m.kind && x.available && takes(x, s))
    .map((x) => x.name)
    .slice(0, 4);
  const auto = chooseMethod(table, m.kind, s);
  const f = extra[0] ?? missing[0]!;
  // With no alternative in the table, say so rather than send the user looking for one.
  const hint = alternatives.length
    ? (auto ? `the analysis would choose ${auto.method.name}; remove the \`solve\` line or ` : '') +
      `name a solver that takes ${FEATURES[f].takes} (${alternatives.join(', ')})`
    : `no method of this release takes ${FEATURES[f].takes} together with the rest of this problem` +
      (s.features.has('bilevel') ? ' (docs/bilevel.md lists what bilevel takes)' : '');
  if (missing.length && !extra.length)
    return { message: `${m.name} needs ${FEATURES[f].takes}; ${FEATURES[f].lacks}`, hint };
  const allows = m.takes.allows.filter((a) => RESTRICTING.includes(a));
  const message = allows.length
    ? `${m.name} takes ${listText(allows.map((a) => FEATURES[a].takes))} only, and this problem has ${what(f)}`
    : `${m.name} cannot take this problem: ${what(f)} ${FEATURES[f].why}`;
  return { message, hint };
}

const listText = (xs: string[]) => (xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`);
