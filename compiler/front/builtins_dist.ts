// The density functions of every distribution, generated from the registry
// (stdlib/distributions): `normal_lpdf(y | mu, sigma)` (continuous) or `poisson_lpmf(k | lambda)`
// (discrete) for each entry, and `_lcdf`, `_lccdf`, `_cdf` for each entry with a CDF. Names are
// the entry's `fn` (Stan's name where Stan has the family). As in Stan, the value is summed over
// every entry of y and the broadcast parameters (`_cdf` is the product), so
// `target += normal_lpdf(y | mu, sigma)` is `y ~ Normal(mu, sigma)` with every constant kept.
// Adding a distribution to the registry adds its functions here; nothing else is written per
// distribution.

import { ops as P, type Tracer } from '../../runtime/index.js';
import { distributions, type DistSpec } from '../../stdlib/index.js';
import { broadcast } from './shape_rules.js';
import { shapeText } from './static_types.js';
import { q, real, type Builtin, type TypeCtx, type TypeOut } from './builtin_kit.js';

export type DensityKind = 'lpdf' | 'lpmf' | 'lcdf' | 'lccdf' | 'cdf';

/** The density functions' suffixes, for the `|` syntax check. */
export const DENSITY_SUFFIXES: readonly DensityKind[] = ['lpdf', 'lpmf', 'lcdf', 'lccdf', 'cdf'];

/** Shapes as in `y ~ D(params)`: y's batch and every parameter's batch broadcast; the value is a scalar. */
function densityType(spec: DistSpec, c: TypeCtx): TypeOut | string {
  for (const a of c.args) if (a.elem === 'bool') return `${q(c.expr)}: ${a.text} is bool, not a number`;
  const [y, ...ps] = c.args;
  const ev = spec.support.eventRank;
  if (y!.shape.length < ev)
    return `${q(c.expr)}: one value of ${spec.name} has ${ev} dimension${ev > 1 ? 's' : ''}, but ${y!.text} is ${y!.shape.length === 0 ? 'a scalar' : shapeText(y!.shape)}`;
  let shape = { shape: y!.shape.slice(0, y!.shape.length - ev), text: y!.text };
  for (let j = 0; j < ps.length; j++) {
    const p = spec.params[j]!;
    const a = ps[j]!;
    if (a.shape.length < p.eventRank)
      return `${q(c.expr)}: the ${p.name} of ${spec.name} must have at least ${p.eventRank} dimension${p.eventRank > 1 ? 's' : ''}, but ${a.text} is a scalar`;
    const s = broadcast(c.expr, shape, { shape: a.shape.slice(0, a.shape.length - p.eventRank), text: a.text });
    if (typeof s === 'string') return s;
    shape = { shape: s, text: `${shape.text}, ${a.text}` };
  }
  return real([]);
}

function densityFn(spec: DistSpec, kind: DensityKind): Builtin {
  const params = ['y', ...spec.params.map((p) => p.name)];
  const value = (c: { args: Tracer[] }): Tracer => {
    const [y, ...ps] = c.args;
    if (kind === 'lpdf' || kind === 'lpmf') return P.sum(spec.logProb(ps, y!));
    const lc = kind === 'lccdf' ? spec.cdf!.lccdf(ps, y!) : spec.cdf!.lcdf(ps, y!);
    const s = P.sum(lc);
    return kind === 'cdf' ? P.exp(s) : s;
  };
  const what: Record<DensityKind, string> = {
    lpdf: 'log density',
    lpmf: 'log mass',
    lcdf: 'log CDF, log P(Y <= y),',
    lccdf: 'log complementary CDF, log P(Y > y),',
    cdf: 'CDF P(Y <= y), multiplied',
  };
  return {
    name: `${spec.fn}_${kind}`,
    params: params.map((name) => ({ name, kind: 'x' as const })),
    required: params.length,
    smooth: spec.smooth,
    summary: `${spec.name} ${what[kind]} (${params.slice(1).join(', ')})${kind === 'cdf' ? '' : ' summed'} over the entries of y`,
    type: (c) => densityType(spec, c),
    lower: (c) => value(c),
  };
}

export const DIST_BUILTINS: readonly Builtin[] = Object.values(distributions).flatMap((spec) => {
  const out = [densityFn(spec, spec.support.discrete ? 'lpmf' : 'lpdf')];
  if (spec.cdf) out.push(densityFn(spec, 'lcdf'), densityFn(spec, 'lccdf'), densityFn(spec, 'cdf'));
  return out;
});
