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
import type { Decl } from '../../grammar/index.js';

export type { DistSpec, SupportKind };
export { supportIncludes } from '../../stdlib/index.js';

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

/** The support a declared param's type guarantees (for the `~` support check). */
export function declaredSupport(d: Decl): SupportKind | null {
  const t = d.type;
  switch (t.name.name) {
    case 'simplex':
      return 'simplex';
    case 'cholesky_corr':
      return 'cholesky_corr';
    case 'cov':
      return 'cov';
    case 'ordered':
      return 'real_vector';
    case 'real':
      break;
    default:
      return null;
  }
  const dom = t.domain;
  if (!dom) return 'real';
  const lit = (e: import('../../grammar/index.js').Expr) => (e.kind === 'Number' ? e.value : null);
  if (dom.kind === 'Interval') return lit(dom.lo) === 0 && lit(dom.hi) === 1 ? 'unit_interval' : 'interval';
  if (dom.op === '>' && lit(dom.value) !== null && lit(dom.value)! >= 0) return 'positive';
  if (dom.op === '>=' && lit(dom.value) !== null && lit(dom.value)! >= 0)
    return lit(dom.value)! > 0 ? 'positive' : 'nonnegative';
  return 'interval';
}
