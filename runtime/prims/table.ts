// The primitive table: every primitive's entry, assembled from the family files. The type
// annotation makes a missing primitive, or an entry missing a rule, a compile error.

import type { PrimTable } from './rule.js';
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
