// Derivatives of every smooth built-in, table-driven: at the inputs of its value rows
// (tests/compiler/builtin_rows.ts, or the override below where a row sits on a pole, a boundary or
// a scale that finite differences cannot resolve), reverse mode, forward mode and both second
// orders (forward-over-reverse and reverse-over-reverse) against float64 finite differences
// (tests/helpers/ad_check.ts). A smooth built-in without a checkable row fails the coverage test.

import { describe, expect, it } from 'vitest';
import { ops as P, type Tracer } from '../../runtime/index.js';
import { BUILTINS, builtinTable } from '../../compiler/front/builtins.js';
import { distributions } from '../../stdlib/distributions/index.js';
import { checkDerivatives } from '../helpers/ad_check.js';
import { ROWS, type Row } from './builtin_rows.js';

type Arr = { data: number[]; shape: number[] };
const v = (...xs: number[]): Arr => ({ data: xs, shape: [xs.length] });
const s = (x: number): Arr => ({ data: [x], shape: [] });

/** Inputs for the derivative check where the value rows are not smooth points. */
const OVERRIDES: Record<string, Arr[]> = {
  inv_Phi: [v(0.01, 0.3, 0.9)],
  hypot: [v(3, -1.2, 0.7), v(4, 0.5, -2)],
  lmultiply: [v(0.5, 2, 1.5), v(0.3, 3, 0.25)],
  xlogy: [v(0.5, 2, 1.5), v(0.3, 3, 0.25)],
  multiply_log: [v(0.5, 2, 1.5), v(0.3, 3, 0.25)],
  xlog1py: [v(0.5, 2, 1.5), v(0.3, 3, -0.25)],
  log1m: [v(0.1, 0.5, -2)],
  // P(X > 1) = 0 for a Bernoulli: the row's y = 1 has lccdf -inf
  bernoulli_lccdf: [v(0, 0), s(0.3)],
  bernoulli_logit_lccdf: [v(0, 0), s(0.4)],
};

/** Inputs mapped before the call: a covariance is differentiated through its symmetric part
 *  (the Cholesky factorization reads one triangle). */
const symmetric = (a: Tracer) => P.mul(0.5, P.add(a, P.transpose(a)));
const PREPARE: Record<string, (xs: Tracer[]) => Tracer[]> = {
  multi_normal_lpdf: ([y, mu, S]) => [y!, mu!, symmetric(S!)],
  log_determinant_spd: ([S]) => [symmetric(S!)],
};

/** Smooth built-ins whose derivatives are not checked here, and why. */
const NOT_CHECKED: Record<string, string> = {
  size: 'an int known before the run',
  zeros: 'a constant',
  ones: 'a constant',
  cholesky:
    "reads the lower triangle only, so its derivative is the symmetric one (runtime/prims/linalg.ts), not the raw entries' finite differences",
  cholesky_decompose: "cholesky under Stan's name (above)",
  eye: 'a constant',
  grad: 'derivatives of an expression: tests/compiler/derivative_exprs.test.ts (against the TS API and differences)',
  jvp: 'as grad',
  hvp: 'as grad',
  jacobian: 'as grad',
  hessian: 'as grad',
  stop: 'its gradient is zero by definition, not the derivative of its value (tests/compiler/derivative_exprs.test.ts)',
  straight_through:
    "its gradient is the surrogate's by definition, not the derivative of its value (tests/compiler/derivative_exprs.test.ts)",
};

/** Built on the incomplete gamma or beta functions (a scan of 192 terms): gradients are checked
 *  along random directions rather than coordinate by coordinate, and second derivatives on
 *  gamma_p and inc_beta themselves (the CDFs compose them with ordinary ops), to keep this fast. */
const SCANS =
  /^(gamma_p|gamma_q|inc_beta|(gamma|inv_gamma|beta|student_t|binomial|binomial_logit|poisson|poisson_log|neg_binomial|neg_binomial_2)_lcdf)$/;

const points = (name: string, row: Row): Arr[] => OVERRIDES[name] ?? row.args;

/** A density function whose value y is not differentiated: discrete, or a vector or matrix on a
 *  constrained support (a simplex, a Cholesky factor), where finite differences leave the support. */
function fixedValue(name: string): boolean {
  const m = /^(.*)_(lpdf|lpmf|lcdf|lccdf|cdf)$/.exec(name);
  const spec = m ? Object.values(distributions).find((d) => d.fn === m[1]) : undefined;
  return !!spec && (spec.support.discrete || spec.support.eventRank > 0);
}

describe('derivatives of the smooth built-ins', () => {
  it('every smooth built-in is checked or says why not', () => {
    for (const b of BUILTINS)
      if (b.smooth && !(b.name in NOT_CHECKED) && b.params.length > 0)
        expect(ROWS[b.name]?.length ?? 0, b.name).toBeGreaterThan(0);
  });
  // ode_rk45 and ode_rk45_tol take a function: their derivatives, every mode, are checked in
  // tests/stdlib/ode.test.ts. The stiff solvers are refusals (no value to differentiate).

  for (const b of BUILTINS) {
    if (!b.smooth || b.name in NOT_CHECKED || b.params.length === 0) continue;
    const row = ROWS[b.name]?.[0];
    if (!row || row.fns?.length || row.refuses) continue;
    it(b.name, () => {
      const all = points(b.name, row);
      const fixY = fixedValue(b.name);
      const args = fixY ? all.slice(1) : all;
      const y0 = all[0]!;
      const f = (...xs0: Tracer[]) => {
        const xs1 = fixY ? [P.constant(y0.data, 'float64', y0.shape), ...xs0] : xs0;
        const xs = PREPARE[b.name]?.(xs1) ?? xs1;
        const r = builtinTable.get(b.name)!.lower({
          args: xs,
          axis: row.axis,
          ints: row.ints ?? [],
          nums: row.nums ?? [],
          fns: [],
          restCount: row.restCount ?? 0,
        });
        return typeof r === 'number' ? P.full([], r) : P.cast(r, 'float64');
      };
      checkDerivatives(
        f,
        args.map((a) => a.shape),
        args.map((a) => Float64Array.from(a.data)),
        // _lccdf and _cdf share their computation with _lcdf, which gets the full check: a
        // first-order check along one direction suffices for them (and keeps this file fast).
        /_(lccdf|cdf)$/.test(b.name)
          ? { seed: 7, modes: { rev: true, fwd: false, order2: false }, directions: 1 }
          : SCANS.test(b.name)
            ? { seed: 7, directions: 2, modes: { rev: true, fwd: true, order2: /^(gamma_p|inc_beta)$/.test(b.name) } }
            : { seed: 7 },
      );
    });
  }
});
