// Methods the language knows that do not run in this release: `check` validates their options
// and prints the plan; `run` says plainly that they are not available (never a stand-in).
// (bilevel and its hypergradients run: stdlib/bilevel/.)

import { method, stepsOption, tolOption } from './options.js';
import { declareMethod } from './rule.js';

export const sqp = declareMethod({
  name: 'sqp',
  kind: 'solve',
  family: 'constrained',
  available: false,
  summary: 'sequential quadratic programming (small smooth constrained problems)',
  takes: { allows: ['bounds', 'simplex', 'equalities', 'inequalities'] },
  options: { steps: stepsOption(100), tol: tolOption(1e-8) },
});
