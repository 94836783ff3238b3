// The primitive table: every primitive's entry, assembled from the family files. The type
// annotation makes a missing primitive, or an entry missing a rule, a compile error. What a
// backend may do with a primitive beyond `ref`/`tfjs` (fuse it, view it, call a js kernel) is read
// from the entry's optional fields, so the sets below are derived, never written out.

import type { PrimName } from './params.js';
import type { PrimRule, PrimTable, RuleField } from './rule.js';
import { elementwiseRules } from './elementwise.js';
import { reduceRules } from './reduce.js';
import { shapeRules } from './shape.js';
import { linalgRules } from './linalg.js';
import { sortRules } from './sort.js';
import { randomRules } from './random.js';
import { controlRules } from './control.js';

export const primTable: PrimTable = {
  ...elementwiseRules,
  ...reduceRules,
  ...shapeRules,
  ...linalgRules,
  ...sortRules,
  ...randomRules,
  ...controlRules,
};

export const primNames = Object.keys(primTable) as (keyof PrimTable)[];

/**
 * The rule of a primitive, typed for code that treats every primitive alike (interpreters,
 * transforms, backends): the one place that widens the mapped table to a common rule type.
 */
export function ruleOf(prim: PrimName): PrimRule<PrimName> {
  return primTable[prim] as unknown as PrimRule<PrimName>;
}

/** The primitives whose entries have an optional field. */
export function primsWith(field: RuleField): ReadonlySet<PrimName> {
  return new Set(primNames.filter((p) => ruleOf(p)[field] !== undefined));
}

/** Elementwise primitives (fusible into generated loops; tfjs kernels broadcast them natively). */
export const ELEMENTWISE: ReadonlySet<PrimName> = primsWith('elementwise');
