// Methods the language knows that do not run in this release: `check` validates their options
// and prints the plan; `run` says plainly that they are not available (never a stand-in).

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

export const bilevel = declareMethod({
  name: 'bilevel',
  kind: 'solve',
  family: 'bilevel',
  available: false,
  summary: 'bilevel optimization: an outer solver over hypergradients of an inner argmin',
  takes: { allows: ['bilevel', 'prox', 'bounds', 'simplex', 'equalities', 'inequalities'], requires: ['bilevel'] },
  auto: {
    rank: 40,
    when: (s) => s.features.has('bilevel'),
    reason: () => 'an inner argmin (`where`): bilevel optimization',
  },
  options: {
    hypergrad: method({ table: 'hypergrad', default: 'implicit', doc: 'how the hypergradient is computed' }),
    inner: method({ table: 'solve', default: 'lbfgs', doc: 'the inner solver' }),
    outer: method({ table: 'solve', default: 'adam', doc: 'the outer solver' }),
  },
});

export const implicit = declareMethod({
  name: 'implicit',
  kind: 'hypergrad',
  family: 'hypergradient',
  available: false,
  summary: 'implicit differentiation with conjugate gradients',
  takes: { allows: ['bilevel'] },
  options: { cg_steps: stepsOption(20), tol: tolOption(1e-8) },
});

export const unrolled = declareMethod({
  name: 'unrolled',
  kind: 'hypergrad',
  family: 'hypergradient',
  available: false,
  summary: 'differentiate through the unrolled inner iterations',
  takes: { allows: ['bilevel'] },
  options: { steps: stepsOption(50) },
});
