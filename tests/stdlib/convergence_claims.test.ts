// "converged" means the method's documented test held (issue #11), for every runnable method of
// the table, as a property over random problems (fast-check): on problems where the method can
// converge and where it cannot (a budget of 3 steps with tol 1e-14; an unbounded objective), a
// `converged` result must (a) pass the entry's own test again on the returned state and (b) pass
// an independent first-order optimality check computed here; any other ending is max_steps,
// stopped or diverged with a message; and every `a <= b` / `a > b` the message prints is true of
// its numbers. Runs over the table, so a new entry is covered without editing this file.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  methodList,
  scaleOf,
  solve,
  withDefaults,
  type OptionSpecs,
  type AnyRunnable,
  type MethodResult,
  type SolveRequest,
} from '../../stdlib/index.js';
import { convergent, unbounded } from './method_problems.js';

// MCMC entries are left out: a chain's criterion never holds (a chain ends at its budget; the
// mcmc runner judges convergence over the chains: tests/mcmc/compiled.test.ts). So is bilevel: its
// problems are programs with an inner argmin (its test is its outer method's, on hypergradients;
// tests/bilevel/run.test.ts holds a `converged` run to the closed-form optimum).
const runnable = methodList.filter(
  (m): m is AnyRunnable =>
    m.available && (m.kind === 'solve' || m.kind === 'infer') && m.family !== 'mcmc' && m.family !== 'bilevel',
);
const ENDINGS = ['converged', 'max_steps', 'stopped', 'diverged', 'infeasible'];

/** Every printed relation `a <= b` or `a > b` between numbers holds (3 significant digits: ties allowed). */
function relationsHold(text: string): boolean {
  const num = String.raw`(-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|-?Infinity)`;
  for (const m of text.matchAll(new RegExp(`${num} (<=|>) ${num}`, 'g'))) {
    const [a, b] = [Number(m[1]), Number(m[3])];
    if (m[2] === '<=' ? !(a <= b) : !(a >= b)) return false;
  }
  return true;
}

function checkClaim(
  m: AnyRunnable,
  r: MethodResult,
  o: Record<string, unknown>,
  residual: (x: Float64Array) => number,
  p: Parameters<AnyRunnable['criterion']>[0],
) {
  expect(ENDINGS).toContain(r.status);
  expect(r.message.length).toBeGreaterThan(0);
  expect(relationsHold(r.message), r.message).toBe(true);
  if (r.status !== 'converged') return;
  const st = r.checkpoint.state;
  const again = m.criterion(p, st, o as never, scaleOf(st.f, r.checkpoint.start.f));
  expect(again.converged, `${m.name}: ${again.text}`).toBe(true);
  const tol = typeof o.tol === 'number' ? o.tol : 1e-8;
  // The independent measure at x, with the test's own scale and a margin for the measures that
  // are taken at a nearby point (the gradient mapping at FISTA's extrapolated point).
  const bound = Math.max(tol, 1e-10) * scaleOf(st.f, r.checkpoint.start.f) * 1e3 + 1e-9;
  if (m.family !== 'vi') expect(residual(r.x), `${m.name}: ${r.message}`).toBeLessThanOrEqual(bound);
}

describe('converged means the documented test held, for every method of the table', () => {
  it.each(runnable.map((m) => [m.name, m] as const))('%s', (_name, m) => {
    let converged = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 2, max: 4 }), (seed, n) => {
        // A problem it can solve: defaults, a budget that suits the family.
        const t = convergent(m, n, seed);
        const steps = m.family === 'first_order' || m.family === 'vi' ? 4000 : 500;
        const o = { method: m.name, steps, ...(m.family === 'first_order' ? { tol: 1e-5 } : {}) };
        const r = solve(t.problem, new Float64Array(n), o as SolveRequest, {}, seed);
        checkClaim(m, r, { ...withDefaultsOf(m), ...o }, t.residual, t.problem);
        if (r.status === 'converged') converged++;
        // The same problem with a budget of 3 steps and tol 1e-14: it cannot converge honestly.
        const tight = { method: m.name, steps: 3, ...('tol' in m.options ? { tol: 1e-14 } : {}) };
        const t2 = convergent(m, n, seed);
        const r2 = solve(t2.problem, new Float64Array(n).fill(0.5), tight as SolveRequest, {}, seed);
        checkClaim(m, r2, { ...withDefaultsOf(m), ...tight }, t2.residual, t2.problem);
        // An unbounded objective: never converged.
        const u = unbounded(m, n, seed);
        if (u) {
          const r3 = solve(u, new Float64Array(n), { method: m.name, steps: 40 } as SolveRequest, {}, seed);
          expect(r3.status, `${m.name}: ${r3.message}`).not.toBe('converged');
          expect(relationsHold(r3.message), r3.message).toBe(true);
        }
      }),
      { numRuns: 4, seed: 2026 },
    );
    // Methods with a convergence guarantee on a convex quadratic do converge there.
    if (!['first_order', 'vi'].includes(m.family) && m.name !== 'prox_adam') expect(converged).toBeGreaterThan(0);
  });

  it('an expanding line search ends an unbounded objective as diverged, with the cause', () => {
    const m = runnable.find((x) => x.name === 'lbfgs')!;
    const r = solve(unbounded(m, 3, 7)!, new Float64Array(3), { method: 'lbfgs', steps: 300 });
    expect(r.status).toBe('diverged');
    expect(r.divergence?.cause).toBe('unbounded');
    expect(r.message).toMatch(/fell from .* while its gradient did not shrink .*: it looks unbounded below/);
  });
});

const withDefaultsOf = (m: AnyRunnable): Record<string, unknown> => withDefaults(m.options as OptionSpecs, {});
