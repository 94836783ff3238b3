// The bilevel plan of a program with `where v = argmin(v, ...) { ... }`: which vars are inner
// (the argmin's list) and outer (`over`, else every other var), and which methods run it: the
// hypergradient, inner and outer methods of `solve bilevel(...)` (or their defaults), each with
// the reason `check` prints. What cannot run is an error here, at the construct, so `check`
// refuses what `run` would: inner constraints (no hypergradient here takes them yet), a defined
// name outside the argmin's list, a var that is neither inner nor outer, methods whose needs the
// inner or outer problem cannot give, and a hypergradient that does not run in this release.
// compiler/running/bilevel_problem.ts builds the run's inner and outer objectives from the same plan.

import type { Diagnostic, Span } from '../../grammar/index.js';
import { bilevelMisfit, hypergradOf, methodOf, runnableOf, withDefaults, type CallValue } from '../../stdlib/index.js';
import type { CheckedProgram } from '../front/check_program.js';

export interface BilevelSummary {
  variable: string;
  over: string[];
  /** The inner vars (the argmin's list) and the outer vars. */
  inner?: string[];
  outer?: string[];
  sense?: 'argmin' | 'argmax';
  hypergrad?: string;
  inner_method?: string;
  outer_method?: string;
  /** Why these methods, in words. */
  plan?: string;
}

const q = (s: string) => '`' + s + '`';
/** The algorithm choice as analyze.ts makes it (the fields read here). */
interface Choice {
  name: string;
  source: string;
  options: Record<string, unknown>;
}

const callOf = (v: unknown): CallValue => (typeof v === 'string' ? { method: v } : (v as CallValue));

/** The inner and outer vars of a bilevel program, in declaration order. */
export function bilevelVars(p: CheckedProgram): { inner: string[]; outer: string[] } {
  const inner = new Set(p.where?.wrt.map((w) => w.name) ?? []);
  const over = p.optimize?.over.map((o) => o.name) ?? [];
  const vars = p.decls.filter((d) => d.kind === 'var').map((d) => d.decl.name.name);
  return {
    inner: vars.filter((v) => inner.has(v)),
    outer: over.length ? vars.filter((v) => over.includes(v) && !inner.has(v)) : vars.filter((v) => !inner.has(v)),
  };
}

/** Completes `summary` with the plan and returns the errors (none: the plan runs). */
export function bilevelPlan(p: CheckedProgram, summary: BilevelSummary, alg: Choice | null): Diagnostic[] {
  const where = p.where!;
  const out: Diagnostic[] = [];
  const error = (span: Span, message: string, hint?: string) =>
    out.push({ severity: 'error', message, span, ...(hint ? { hint } : {}) });
  const { inner, outer } = bilevelVars(p);
  Object.assign(summary, { inner, outer, sense: where.sense });
  if (!where.wrt.some((w) => w.name === where.name.name))
    error(
      where.name.span,
      `\`where ${where.name.name} = ${where.sense}(${where.wrt.map((w) => w.name).join(', ')})\` defines ${q(where.name.name)}, which the ${where.sense} does not optimize`,
      `list it: ${where.sense}(${[where.name.name, ...where.wrt.map((w) => w.name)].join(', ')})`,
    );
  const over = p.optimize?.over ?? [];
  for (const o of over)
    if (inner.includes(o.name))
      error(
        o.span,
        `${q(o.name)} is an inner var (the \`where\` ${where.sense} optimizes it); \`over\` lists the outer vars`,
      );
  if (over.length)
    for (const d of p.decls)
      if (d.kind === 'var' && !inner.includes(d.decl.name.name) && !outer.includes(d.decl.name.name))
        error(
          d.decl.name.span,
          `the var ${q(d.decl.name.name)} is neither in \`over\` nor optimized by the \`where\` ${where.sense}`,
        );
  if (!outer.length) error(where.span, 'a bilevel program needs an outer var: every var is optimized by the `where`');
  if (where.constraints?.length)
    error(
      where.constraints[0]!.span,
      'constraints of the inner problem are not available yet: no hypergradient method here takes them',
      'write a smooth penalty in the inner objective, or see docs/bilevel.md for the constrained methods (lvhba) still to come',
    );
  if (!alg || alg.name !== 'bilevel') return out;

  // The methods and why.
  const span = p.solve?.span ?? where.span;
  const hg = callOf(alg.options.hypergrad);
  const im = callOf(alg.options.inner);
  const om = callOf(alg.options.outer);
  Object.assign(summary, { hypergrad: hg.method, inner_method: im.method, outer_method: om.method });
  const hgEntry = hypergradOf(hg.method);
  if (!hgEntry) {
    const known = methodOf(hg.method, 'hypergrad');
    error(
      span,
      known
        ? `the hypergradient method ${hg.method} is not available in this release`
        : `unknown hypergradient method ${q(hg.method)}`,
      'docs/bilevel.md lists the hypergradient methods that run: implicit, unrolled, penalty',
    );
  }
  const innerM = runnableOf(im.method);
  const outerM = runnableOf(om.method);
  if (!innerM || innerM.kind !== 'solve') error(span, `the inner method ${im.method} is not a solver that runs`);
  if (!outerM || outerM.kind !== 'solve') error(span, `the outer method ${om.method} is not a solver that runs`);
  if (innerM && outerM) {
    for (const misfit of bilevelMisfit(
      innerM,
      outerM,
      withDefaults(innerM.options, im),
      withDefaults(outerM.options, om),
    ))
      error(span, misfit, 'inner = lbfgs and outer = adam or lbfgs take any smooth problem');
  }
  if (hgEntry && innerM) {
    const no = hgEntry.refuse?.(withDefaults(hgEntry.options, hg) as never, innerM);
    if (no) error(span, `hypergrad = ${hg.method} cannot take this inner problem: ${no}`);
  }
  const why: Record<string, string> = {
    implicit: 'implicit differentiation at the inner solution (conjugate gradients on Hessian-vector products)',
    unrolled: 'reverse mode through unrolled inner gradient steps',
    penalty: 'the value-function penalty (first order, O(sigma) bias)',
  };
  const given = (k: string) => (alg.source === 'solve' && p.solve && k in p.solve.given ? 'as given' : 'the default');
  summary.plan =
    `inner ${inner.join(', ')} by ${im.method} (${given('inner')}, warm-started across outer steps); ` +
    `hypergradient ${hg.method} (${given('hypergrad')}: ${why[hg.method] ?? hgEntry?.summary ?? ''}); ` +
    `outer ${outer.join(', ')} by ${om.method} (${given('outer')})`;
  return out;
}
