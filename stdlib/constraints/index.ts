// The constraint transforms by name: what a `param` type lowers to. `real` with a domain picks
// lower / upper / interval (or positive for `> 0`); the matrix and vector families pick theirs
// (`ordered` with a domain: ordered_lower / ordered_upper / ordered_interval); arrayOf maps one
// over the leading axes of an array type.

export type { ConstraintTransform } from './types.js';
export { identity, lower, upper, interval, positive } from './bounds.js';
export { simplex } from './simplex.js';
export { ordered, positiveOrdered, orderedLower, orderedUpper, orderedInterval } from './ordered.js';
export { arrayOf } from './array.js';
export { choleskyCorr } from './cholesky_corr.js';
export { cov } from './cov.js';
import { identity, lower, upper, interval, positive } from './bounds.js';
import { simplex } from './simplex.js';
import { ordered, positiveOrdered, orderedLower, orderedUpper, orderedInterval } from './ordered.js';
import { choleskyCorr } from './cholesky_corr.js';
import { cov } from './cov.js';
import type { ConstraintTransform } from './types.js';

export const transforms: Readonly<Record<string, ConstraintTransform>> = {
  identity,
  lower,
  upper,
  interval,
  positive,
  simplex,
  ordered,
  positive_ordered: positiveOrdered,
  ordered_lower: orderedLower,
  ordered_upper: orderedUpper,
  ordered_interval: orderedInterval,
  cholesky_corr: choleskyCorr,
  cov,
};
