// The compiler's view of the distribution registry (stdlib/distributions): which names are
// distributions (families, parameterizations and aliases), how a call's arguments resolve to a
// parameterization, and what a declared param's constraint means as a support, for the check
// that a `~` target lies inside its distribution's support. The densities themselves live in
// stdlib; nothing here duplicates them.

import {
  distributions,
  distributionAliases,
  families,
  lookupDistribution,
  resolveDistribution,
  DistributionError,
  type DistSpec,
  type SupportKind,
} from '../../stdlib/index.js';
import type { Decl, Expr } from '../../grammar/index.js';

export type { DistSpec, SupportKind };
export { supportIncludes, lookupDistribution } from '../../stdlib/index.js';

export const distributionNames: readonly string[] = [
  ...new Set([...Object.keys(distributions), ...Object.keys(distributionAliases), ...Object.keys(families)]),
];

export const isDistribution = (name: string): boolean => distributionNames.includes(name);

/** The parameterization a family name calls by default (its positional form). */
export function defaultSpec(name: string): DistSpec {
  return lookupDistribution(name) ?? distributions[families[name]![0]!]!;
}

/** Resolves a call's argument names (null = positional) to a spec and argument order, or a message. */
export function resolveCall(
  name: string,
  argNames: readonly (string | null)[],
): { spec: DistSpec; order: number[] } | string {
  try {
    return resolveDistribution(name, argNames);
  } catch (e) {
    if (e instanceof DistributionError) return e.message;
    throw e;
  }
}

/** A range of reals with bounds known before the run (null: not known, e.g. an expression). */
export interface Range {
  lo: number | null;
  hi: number | null;
}

const lit = (e: Expr): number | null =>
  e.kind === 'Number'
    ? e.value
    : e.kind === 'Unary' && e.op === '-' && e.operand.kind === 'Number'
      ? -e.operand.value
      : null;

/**
 * What a declared param's values are known to lie in, for the `~` support check: the range of
 * each entry (what a scalar distribution sees, elementwise) and, for vector and matrix
 * families, the set a vector distribution sees. `ordered[2]` has real entries, so
 * `mu ~ Normal(0, 1)` is fine; `simplex[k]` has entries in [0, 1] and is a simplex.
 */
export function declaredSupport(d: Decl): { entry: Range; event: SupportKind | null } | null {
  const t = d.type;
  const dom = t.domain;
  const fromDomain = (): Range => {
    if (!dom) return { lo: -Infinity, hi: Infinity };
    if (dom.kind === 'Interval') return { lo: lit(dom.lo), hi: lit(dom.hi) };
    return dom.op.startsWith('>') ? { lo: lit(dom.value), hi: Infinity } : { lo: -Infinity, hi: lit(dom.value) };
  };
  switch (t.name.name) {
    case 'real':
      return { entry: fromDomain(), event: 'real_vector' };
    case 'ordered':
      return { entry: fromDomain(), event: 'real_vector' };
    case 'positive_ordered':
      return { entry: { lo: 0, hi: Infinity }, event: 'real_vector' };
    case 'simplex':
      return { entry: { lo: 0, hi: 1 }, event: 'simplex' };
    case 'cholesky_corr':
      return { entry: { lo: -1, hi: 1 }, event: 'cholesky_corr' };
    case 'cov':
      return { entry: { lo: -Infinity, hi: Infinity }, event: 'cov' };
    default:
      return null;
  }
}

/** The range of a scalar support; `interval` takes the distribution's literal bounds when given. */
export function supportRange(kind: SupportKind, bounds: Range = { lo: null, hi: null }): Range | null {
  switch (kind) {
    case 'real':
      return { lo: -Infinity, hi: Infinity };
    case 'positive':
    case 'nonnegative':
      return { lo: 0, hi: Infinity };
    case 'unit_interval':
      return { lo: 0, hi: 1 };
    case 'interval':
      return bounds;
    default:
      return null;
  }
}

/**
 * Whether `declared` provably reaches outside `support` (each side compared only when both
 * bounds are known; boundary points do not count, they have probability zero).
 */
export function reachesOutside(declared: Range, support: Range): boolean {
  const below = declared.lo !== null && support.lo !== null && declared.lo < support.lo;
  const above = declared.hi !== null && support.hi !== null && declared.hi > support.hi;
  return below || above;
}
