// The `vi` entry of the method table: stochastic optimization of a variational objective (the
// negative ELBO by default, estimated per step by the problem's `evaluate`) by a nested
// first-order optimizer (`optimizer = adam(...)`). The test is the stopping rule of stopping.ts:
// stages of decreasing step size (lr / STAGE_DECAY^stage) on window-averaged iterates, compared
// by a paired test on the problem's fixed draws (`Problem.pairedTerms`); it converges when the
// gain from a smaller step size is below `tol` nats with evidence. For deterministic objectives
// (a delta guide, a Gaussian posterior under sticking-the-landing) the inner optimizer's
// gradient norm below 1e-10 x scale also ends the run. The state carries the optimizer's state,
// the stopping rule's state and the ELBO trace (window means and the current window's partial
// sum), so a resumed run is bit-identical in full. The compiler builds the objective
// (compiler/running/infer.ts); this entry is what the one driver runs; `viPoint` is the result.

import { scaledTest } from '../methods/driver.js';
import { int, method, name, oneOf, real, stepsOption, withDefaults, type CallValue } from '../methods/options.js';
import { defineMethod, type AnyRunnable, type RunContext, type StateBase } from '../methods/rule.js';
import {
  stageFactor,
  stopCheck,
  stopInit,
  stopPush,
  windowAverage,
  STAGE_DECAY,
  STOP_Z,
  type StopState,
} from './stopping.js';

/** Steps per window of the stopping rule (iterate averages and the trace's points). */
export const VI_WINDOW = 100;
/** The optimizer's learning rate when the program gives none: in the guide's whitened
 * coordinates, where 1 is a posterior sd, so a step moves a mean by at most ~5 % of an sd.
 * Chosen with `samples = 1` by measurement over a grid (bench/vi_defaults.ts, docs/inference.md). */
export const VI_LR = 0.05;
/** The optimizer's own gradient test (it only ends exact cases: a delta guide, a Gaussian posterior). */
const INNER_TOL = 1e-10;

export interface ViState extends StateBase {
  method: 'vi';
  /** The nested optimizer's state. */
  inner: StateBase;
  stop: StopState;
  /** The per-window means of the per-step objective estimates (to maximize), and the current window's partial sum. */
  trace: number[];
  traceSum: number;
  traceCount: number;
}

/** The nested optimizer's entry and its effective options (the vi budget, the stage's step size). */
function inner(o: { optimizer: string | CallValue; steps: number }, st: ViState | null, ctx: RunContext) {
  const call = typeof o.optimizer === 'string' ? { method: o.optimizer } : o.optimizer;
  const m: AnyRunnable | undefined = ctx.method?.(call.method);
  if (!m || m.family !== 'first_order')
    throw new Error(`vi needs a stochastic first-order optimizer; \`${call.method}\` is not one`);
  const lr = ((call as { lr?: number }).lr ?? VI_LR) * (st ? stageFactor(st.stop) : 1);
  const given = { ...call, steps: o.steps, tol: INNER_TOL, lr };
  return { m, options: withDefaults(m.options, given) as never };
}

export const vi = defineMethod({
  name: 'vi',
  kind: 'infer',
  family: 'vi',
  available: true,
  summary: 'variational inference (stochastic optimization of an objective such as the ELBO)',
  test: `steps / stages of decreasing step size on ${VI_WINDOW}-step iterate averages: the ELBO gain of the last stage, paired on fixed draws, satisfies gain + ${STOP_Z} se <= tol`,
  takes: { allows: ['discrete_latents'] },
  options: {
    guide: name({
      builtins: ['mean_field', 'full_rank', 'low_rank', 'delta'],
      default: 'mean_field',
      doc: 'the variational family, or a `guide` block',
    }),
    // Built-ins (compiler/lower/objective_program.ts) or an `objective name = ...` of the program.
    objective: name({
      builtins: ['elbo', 'iwae', 'renyi', 'vimco', 'rws'],
      default: 'elbo',
      doc: 'the variational objective, or an `objective name = ...` of the program',
      // `grad`: the guide-gradient estimator of the reparameterized draws (stdlib Objective
      // `gradient`): sticking-the-landing for the ELBO, doubly reparameterized for IWAE.
      calls: {
        elbo: { grad: oneOf({ values: ['standard', 'stl'], default: 'standard' }) },
        iwae: {
          k: int({ default: 5, min: 1 }),
          grad: oneOf({ values: ['standard', 'dreg'], default: 'standard' }),
        },
        vimco: { k: int({ default: 5, min: 2 }) },
        rws: { k: int({ default: 5, min: 1 }) },
        renyi: { alpha: real({ default: 0.5 }), k: int({ default: 5, min: 1 }) },
      },
    }),
    samples: int({ default: 1, min: 1, doc: 'draws per step' }),
    rank: int({ default: 2, min: 1, doc: 'the rank of low_rank guides' }),
    // The budget; the stopping rule usually ends the fit far earlier.
    steps: stepsOption(10000),
    // The ELBO gain (nats) from a smaller step size below which the fit has converged (with
    // evidence: gain + 2 se <= tol); 0 runs the whole budget.
    tol: real({ default: 0.05, doc: 'nats: the stopping rule threshold (0: run the whole budget)' }),
    optimizer: method({
      table: 'solve',
      families: ['first_order'],
      default: 'adam',
      doc: `the stochastic optimizer (lr ${VI_LR} unless given)`,
    }),
  },
  needs: () => [],
  init(p, phi0, o, ctx): ViState {
    const st: ViState = {
      method: 'vi',
      step: 0,
      x: [],
      f: 0,
      inner: null as never,
      stop: stopInit(p.n, VI_WINDOW, o.tol),
      trace: [],
      traceSum: 0,
      traceCount: 0,
    };
    const { m, options } = inner(o, st, ctx);
    st.inner = m.init(p, phi0, options, ctx) as StateBase;
    st.step = st.inner.step;
    st.x = st.inner.x;
    st.f = st.inner.f;
    return st;
  },
  step(p, st, o, ctx) {
    const { m, options } = inner(o, st, ctx);
    const x = Float64Array.from(st.inner.x);
    const note = m.step(p, st.inner, options, ctx);
    st.step = st.inner.step;
    st.x = st.inner.x;
    st.f = st.inner.f;
    // The trace: the per-step estimates, one point per window.
    st.traceSum += -st.f;
    if (++st.traceCount === VI_WINDOW) {
      st.trace.push(st.traceSum / VI_WINDOW);
      st.traceSum = 0;
      st.traceCount = 0;
    }
    // The iterates the steps evaluated are averaged and checked per window.
    if (p.pairedTerms && stopPush(st.stop, x)) {
      const avg = windowAverage(st.stop);
      stopCheck(st.stop, st.step, avg, p.pairedTerms(avg));
    }
    return note;
  },
  measure: 'gradient_norm',
  criterion(p, st, o, scale) {
    const s = st.stop;
    if (s.firedAt !== null) {
      const g = s.stages[s.stages.length - 1]!;
      return {
        converged: true,
        measure: 0,
        text: `converged at step ${s.firedAt}: stage ${s.stage} (step size / ${STAGE_DECAY ** s.stage}) improved the ${VI_WINDOW}-step average guide's objective by ${fmt(g.gain)} +- ${fmt(g.se)} nats, below tol = ${o.tol} with evidence (gain + ${STOP_Z} se <= tol)`,
      };
    }
    const g = (st.inner as StateBase & { g?: number[] }).g ?? [];
    let gn = 0;
    for (const v of g) gn = Math.max(gn, Math.abs(v));
    const t = scaledTest('gradient norm', gn, INNER_TOL, scale);
    if (t.converged) return t;
    // Not converged: say where the ELBO test stands (the user's tol is in nats, not a gradient).
    const last = s.checks[s.checks.length - 1];
    const text =
      last && last.gain !== null
        ? `the ELBO test has not held (step-size stage ${s.stage} had not ended; its last window gained ${fmt(last.gain)} +- ${fmt(last.se ?? 0)} nats; converged needs a whole stage's gain + ${STOP_Z} se <= tol = ${o.tol})`
        : `the ELBO test has no evidence yet (it compares ${VI_WINDOW}-step windows)`;
    return { ...t, text };
  },
  accepts: (st) => !!st.inner && !!st.stop && Array.isArray(st.trace),
});

/**
 * The fitted variational parameters: the better of the last two stages' averages when the rule
 * fired, else the last complete window's average iterate (never one noisy iterate), or the last
 * iterate when no window completed or the run diverged.
 */
export function viPoint(st: ViState, status: string): Float64Array {
  const s = st.stop;
  if (status === 'diverged') return Float64Array.from(st.x);
  if (s.firedAt !== null && s.best) return Float64Array.from(s.best.phi);
  if (status === 'converged' || !s.last) return Float64Array.from(st.x);
  return Float64Array.from(s.last.phi);
}

/** The trace with the current window's partial mean. */
export const viTrace = (st: ViState): number[] =>
  st.traceCount ? [...st.trace, st.traceSum / st.traceCount] : st.trace;

const fmt = (x: number) => (Math.abs(x) >= 0.01 || x === 0 ? x.toFixed(3) : x.toExponential(2));
