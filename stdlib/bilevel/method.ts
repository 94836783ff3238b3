// The `bilevel` entry: minimize F(x, w*(x)) over the outer vars x, w*(x) = argmin_w g(x, w) (the
// program's `where`). The outer method (any runnable solver of the table without facets: adam,
// lbfgs, ...) runs on an outer problem whose evaluation at x is the hypergradient method's
// (`hypergrad = implicit | unrolled | penalty`, entries of the table of kind `hypergrad`): it
// solves the inner problem with the inner method (any solver of the table, run by the one driver)
// warm-started from the last inner solution, and returns the objective and its hypergradient.
// The driver runs this entry like any other, so progress, Ctrl-C and checkpoints come with it.
// State: the outer method's state, the warm starts (plain JSON; a resumed run is bit-identical),
// and per outer step the hypergradient norm ||h||_inf, the inner optimality residual
// ||grad_w g||_inf and the inner steps. The test is the outer method's on the hypergradient, and
// it counts only when the last inner solve met its own test.

import { normInf, scaledTest } from '../methods/driver.js';
import { method as methodOpt, withDefaults, type CallValue } from '../methods/options.js';
import {
  defineMethod,
  type AnyHypergrad,
  type AnyRunnable,
  type BilevelFacet,
  type HypergradEval,
  type Problem,
  type RunContext,
  type StateBase,
} from '../methods/rule.js';
import { BilevelError, BilevelKit, innerMethodOf } from './kit.js';

export interface BilevelState extends StateBase {
  method: 'bilevel';
  outer: StateBase;
  /** The hypergradient method's warm starts (`w`: the inner solution; `y`: penalty's perturbed one). */
  warm: Record<string, number[]>;
  /** Per outer step. */
  trace: { hypergrad_norm: number[]; inner_residual: number[]; inner_steps: number[] };
  /** Outer evaluations whose inner solve missed its test, and those whose hypergradient may be inexact. */
  innerMissed: number;
  /** How the last inner solve that missed its test ended. */
  lastInnerMiss: string | null;
  inexact: number;
  lastInexact: string | null;
  /** The last evaluation's inner test held. */
  innerOk: boolean;
  evaluations: number;
  extra: Record<string, number>;
}

const callOf = (v: string | CallValue): CallValue => (typeof v === 'string' ? { method: v } : v);

/** The outer entry and its effective options. */
function outerOf(o: { outer: string | CallValue }, ctx: RunContext) {
  const call = callOf(o.outer);
  const m: AnyRunnable | undefined = ctx.method?.(call.method);
  if (!m || m.kind !== 'solve')
    throw new BilevelError(`bilevel: the outer method \`${call.method}\` is not a solver that runs`);
  return { m, options: withDefaults(m.options, call) as Record<string, unknown> & { steps: number } };
}

/** The hypergradient entry and its effective options. */
function hypergradOf(o: { hypergrad: string | CallValue }, ctx: RunContext) {
  const call = callOf(o.hypergrad);
  const m = ctx.hypergrad?.(call.method);
  if (!m) throw new BilevelError(`bilevel: the hypergradient method \`${call.method}\` does not run in this release`);
  return { m, options: withDefaults(m.options, call) };
}

interface Session {
  kit: BilevelKit;
  hg: { m: AnyHypergrad; options: Record<string, unknown> };
  outer: { m: AnyRunnable; options: Record<string, unknown> & { steps: number } };
  problem: Problem;
  /** The state whose warm starts and counters the outer problem's evaluations update. */
  st: BilevelState | null;
  last: HypergradEval | null;
}

// One session per (problem, options): the compiled graphs are reused across steps; what a run
// carries lives in the state, so a session rebuilt after a resume computes the same numbers.
const sessions = new WeakMap<Problem, Map<string, Session>>();

function session(p: Problem, o: Options, ctx: RunContext = { seed: 0 }): Session {
  const facet: BilevelFacet | undefined = p.bilevel;
  if (!facet) throw new BilevelError('bilevel: the problem has no inner problem (no `where`)');
  const key = JSON.stringify([o.hypergrad, o.inner, o.outer]);
  let byKey = sessions.get(p);
  if (!byKey) sessions.set(p, (byKey = new Map()));
  let s = byKey.get(key);
  if (s) return s;
  const kit = new BilevelKit(facet, innerMethodOf(o.inner, ctx), ctx);
  const hg = hypergradOf(o, ctx);
  const outer = outerOf(o, ctx);
  const sess: Session = { kit, hg, outer, problem: null as never, st: null, last: null };
  const evaluate = (x: Float64Array) => {
    const st = sess.st!;
    const r = hg.m.evaluate(kit, x, st.warm, hg.options as never);
    st.evaluations++;
    st.innerOk = r.innerConverged;
    if (!r.innerConverged) {
      st.innerMissed++;
      st.lastInnerMiss = kit.lastMiss;
    }
    if (r.inexact) {
      st.inexact++;
      st.lastInexact = r.inexact;
    }
    sess.last = r;
    return { f: r.f, g: r.g };
  };
  sess.problem = { n: facet.nx, evaluate: (x) => evaluate(x), value: (x) => evaluate(x).f };
  byKey.set(key, (s = sess));
  return s;
}

type Options = { hypergrad: string | CallValue; inner: string | CallValue; outer: string | CallValue };

/** The full vector z (what the driver and the result see) from the outer iterate and the warm inner solution. */
function syncState(s: Session, st: BilevelState): void {
  st.x = Array.from(s.kit.merge(st.outer.x, st.warm.w!));
  st.f = st.outer.f;
  st.step = st.outer.step;
  const w: string[] = [];
  if (st.innerMissed)
    w.push(
      `the inner solve (${s.kit.inner.m.name}) missed its test at ${st.innerMissed} of ${st.evaluations} outer evaluations (the last: ${st.lastInnerMiss}); the hypergradient there is that of an inexact inner solution: give the inner method more steps, or a tolerance its evaluations can reach (inner = ${s.kit.inner.m.name}(steps = ..., tol = ...))`,
    );
  if (st.inexact)
    w.push(
      `the hypergradient may be inexact at ${st.inexact} of ${st.evaluations} outer evaluations: ${st.lastInexact}`,
    );
  st.warnings = [...(st.outer.warnings ?? []), ...w];
}

export const bilevel = defineMethod({
  name: 'bilevel',
  kind: 'solve',
  family: 'bilevel',
  available: true,
  summary: 'bilevel optimization: an outer solver over hypergradients of an inner argmin',
  test: "the outer method's test on the hypergradient, once the last inner solve met its own test",
  takes: { allows: ['bilevel'], requires: ['bilevel'] },
  auto: {
    rank: 40,
    when: (s) => s.features.has('bilevel'),
    reason: () => 'an inner argmin (`where`): bilevel optimization',
  },
  options: {
    hypergrad: methodOpt({ table: 'hypergrad', default: 'implicit', doc: 'how the hypergradient is computed' }),
    inner: methodOpt({ table: 'solve', default: 'lbfgs', doc: 'the inner solver (warm-started across outer steps)' }),
    outer: methodOpt({ table: 'solve', default: 'adam', doc: 'the outer solver, on the hypergradient' }),
  },
  budget: (o, ctx) => outerOf(o, ctx).options.steps,
  needs: () => ['bilevel'],
  init(p, z0, o, ctx): BilevelState {
    const s = session(p, o, ctx);
    const { x, w } = s.kit.split(z0);
    const st: BilevelState = {
      method: 'bilevel',
      step: 0,
      x: Array.from(z0),
      f: NaN,
      outer: null as never,
      warm: { w: Array.from(w) },
      trace: { hypergrad_norm: [], inner_residual: [], inner_steps: [] },
      innerMissed: 0,
      lastInnerMiss: null,
      inexact: 0,
      lastInexact: null,
      innerOk: false,
      evaluations: 0,
      extra: {},
    };
    s.st = st;
    st.outer = s.outer.m.init(s.problem, x, s.outer.options as never, ctx) as StateBase;
    syncState(s, st);
    return st;
  },
  step(p, st, o, ctx) {
    const s = session(p, o, ctx);
    s.st = st;
    const note = s.outer.m.step(s.problem, st.outer, s.outer.options as never, ctx);
    const r = s.last!;
    st.trace.hypergrad_norm.push(normInf(r.g));
    st.trace.inner_residual.push(r.residual);
    st.trace.inner_steps.push(r.innerSteps);
    st.extra = r.extra ?? {};
    syncState(s, st);
    return note;
  },
  measure: 'hypergrad_norm',
  criterion(p, st, o, scale, ctx) {
    const s = session(p, o, ctx);
    const c = s.outer.m.criterion(s.problem, st.outer, s.outer.options as never, scale, ctx);
    const text = `${s.outer.m.name} on the hypergradient: ${c.text.replace(/^gradient norm/, 'hypergradient norm')}`;
    if (c.converged && !st.innerOk)
      return { converged: false, measure: c.measure, text: `${text}, but the last inner solve missed its test` };
    return { ...c, text };
  },
  diagnostics(p, st, o, ctx) {
    const s = session(p, o, ctx);
    return {
      hypergrad: s.hg.m.name,
      inner_method: s.kit.inner.m.name,
      outer_method: s.outer.m.name,
      inner_residual: st.trace.inner_residual[st.trace.inner_residual.length - 1] ?? null,
      per_step: st.trace,
      inner_missed: st.innerMissed,
      outer_evaluations: st.evaluations,
      ...st.extra,
      ...(s.outer.m.diagnostics?.(s.problem, st.outer, s.outer.options as never, ctx) ?? {}),
    };
  },
  accepts: (st, p) => !!st.outer && !!st.warm?.w && p.bilevel?.nw === st.warm.w.length,
});

/** Why the chosen inner and outer methods cannot run here (none: they can); the analysis reports these at `solve`. */
export function bilevelMisfit(inner: AnyRunnable, outer: AnyRunnable, innerO: object, outerO: object): string[] {
  const out: string[] = [];
  const ni = inner.needs(innerO as never).filter((f) => f !== 'hvp');
  if (ni.length)
    out.push(
      `the inner method ${inner.name} needs ${ni.join(', ')}, which an inner problem does not give (it gives values, gradients and Hessian-vector products)`,
    );
  const no = outer.needs(outerO as never);
  if (no.length)
    out.push(
      `the outer method ${outer.name} needs ${no.join(', ')}, which the outer problem does not give (it gives the objective and its hypergradient)`,
    );
  return out;
}
