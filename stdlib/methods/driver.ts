// The one driver: runs any runnable entry of the method table one step at a time, so progress,
// Ctrl-C and checkpoints happen between steps, and decides how the run ends:
//   converged  the entry's documented test (`criterion`) holds, and only then;
//   max_steps  the budget `steps` ran out (the message gives the test's numbers);
//   stopped    the caller asked (hooks.shouldStop), or the method can make no further progress
//              (a line search that cannot decrease the objective) while its test does not hold;
//   diverged   the objective or its measure is not finite, or the run ran away (below);
//   infeasible the entry's verdict (the augmented Lagrangian's penalty limit).
// Divergence: with f0, g0, |x0| the objective, measure and iterate size at the start (fixed for
// the run, saved in checkpoints), a step that leaves f below f0 - 1e8 max(1, |f0|) while the
// measure stays above g0 / 10 (unbounded below), above f0 + 1e8 max(1, |f0|) (a step size too
// large; entries whose objective may rise towards feasibility opt out), or ||x||_inf above
// 1e10 max(1, |x0|) is `diverged`, with the cause in words and in `divergence`; so is an objective
// beyond 1e100 in magnitude, at the start too: there an exp or a power has overflowed for all
// practical purposes (its square is out of float64's range), and no step can be measured.
// The convergence tests are scaled by max(1, min(|f|, |f0|)), which divergence cannot inflate.
// The state is plain JSON and no rule reads the clock, so a resumed run is bit-identical.

import type { OptionSpecs, OptionsOf } from './options.js';
import type { Criterion, Problem, RunContext, RunnableMethod, StateBase } from './rule.js';
import { platform } from '../../runtime/index.js';

export interface StepInfo {
  step: number;
  /** The objective being minimized. */
  f: number;
  /** The entry's convergence measure (gradient norm, KKT residual, ...). */
  measure: number;
}

/** The one hooks type: progress, Ctrl-C, checkpoint cadence and state, resume. */
export interface RunHooks<St extends StateBase = StateBase> {
  onStep?(info: StepInfo): void;
  shouldStop?(): boolean;
  /** Save every this many steps (with saveCheckpoint). */
  checkpointEvery?: number;
  saveCheckpoint?(c: Checkpoint<St>): void;
  /** Continue from this checkpoint instead of calling init. */
  resume?: Checkpoint<St>;
}

/** What a checkpoint holds: the method's state, the driver's fixed references, the problem's own state. */
export interface Checkpoint<St extends StateBase = StateBase> {
  method: string;
  state: St;
  start: StartScale;
  aux?: unknown;
}

export interface StartScale {
  f: number;
  measure: number;
  xnorm: number;
}

export type MethodStatus = 'converged' | 'max_steps' | 'stopped' | 'diverged' | 'infeasible';

export interface Divergence {
  cause: 'nan' | 'overflow' | 'unbounded' | 'rise' | 'iterates';
  step: number;
  /** The objective (or iterate size for `iterates`) at the start and where the run stopped. */
  from: number;
  to: number;
}

export interface MethodResult<St extends StateBase = StateBase> {
  x: Float64Array;
  f: number;
  steps: number;
  status: MethodStatus;
  /** Why the run ended, in words, with the numbers of the test. */
  message: string;
  /** For `stopped`: the caller (Ctrl-C) or the method (no further progress possible). */
  stoppedBy?: 'user' | 'method';
  /** The entry's convergence measure at the end. */
  measure: number;
  divergence: Divergence | null;
  diagnostics: Record<string, unknown>;
  warnings: string[];
  checkpoint: Checkpoint<St>;
}

/** A checkpoint that does not belong to this method or problem. */
export class CheckpointMismatch extends Error {}

export const FALL_FACTOR = 1e8;
export const OVERFLOW_LEVEL = 1e100;
export const RISE_FACTOR = 1e8;
export const ITERATE_FACTOR = 1e10;

/** Options every runnable method has: its budget and (most) a tolerance. */
export type DriverOptions = { readonly steps: number };

/**
 * The run as a generator: one yield per step (after its hooks ran), so an async caller can let
 * the event loop see Ctrl-C; returns the result.
 */
export function* runSteps<S extends OptionSpecs, St extends StateBase>(
  m: RunnableMethod<string, S, St>,
  p: Problem,
  x0: Float64Array,
  o: OptionsOf<S> & DriverOptions,
  hooks: RunHooks<St> = {},
  ctx: RunContext = { seed: 0 },
): Generator<StepInfo, MethodResult<St>> {
  let st: St;
  let start: StartScale;
  if (hooks.resume) {
    const c = hooks.resume;
    if (c.method !== m.name) throw new CheckpointMismatch(`the checkpoint is for ${c.method}, not ${m.name}`);
    if (!c.state || !Array.isArray(c.state.x) || c.state.x.length !== p.n || (m.accepts && !m.accepts(c.state, p)))
      throw new CheckpointMismatch(`the checkpoint's ${m.name} state does not fit this problem (n = ${p.n})`);
    st = c.state;
    start = c.start;
    if (c.aux !== undefined) p.aux?.restore(c.aux);
  } else {
    st = m.init(p, x0, o, ctx);
    start = { f: st.f, measure: NaN, xnorm: normInf(st.x) };
    start.measure = m.criterion(p, st, o, scaleOf(st.f, st.f), ctx).measure;
  }
  const checkpoint = (): Checkpoint<St> => ({
    method: m.name,
    state: st,
    start,
    ...(p.aux ? { aux: p.aux.save() } : {}),
  });
  let c: Criterion = m.criterion(p, st, o, scaleOf(st.f, start.f), ctx);
  const finish = (status: MethodStatus, message: string, extra: Partial<MethodResult<St>> = {}): MethodResult<St> => ({
    x: Float64Array.from(st.x),
    f: st.f,
    steps: st.step,
    status,
    message,
    measure: c.measure,
    divergence: null,
    diagnostics: m.diagnostics?.(p, st, o, ctx) ?? {},
    warnings: [...(st.warnings ?? [])],
    checkpoint: checkpoint(),
    ...extra,
  });
  const diverged = (d: Divergence | string) =>
    typeof d === 'string' ? finish('diverged', d) : finish('diverged', divergenceText(d, start), { divergence: d });

  const bad = badValue(st.f);
  if (bad) return diverged({ cause: bad, step: st.step, from: st.f, to: st.f });
  for (;;) {
    if (!Number.isFinite(c.measure)) return diverged(`the ${measureName(c)} is not finite at step ${st.step}`);
    const verdict = m.verdict?.(p, st, o);
    if (verdict) return finish(verdict.status, verdict.text);
    if (c.converged) return finish('converged', c.text);
    if (st.step >= o.steps) return finish('max_steps', `reached the step budget (${o.steps}); ${c.text}`);
    if (hooks.shouldStop?.()) return finish('stopped', `stopped by the user; ${c.text}`, { stoppedBy: 'user' });
    const note = m.step(p, st, o, ctx);
    c = m.criterion(p, st, o, scaleOf(st.f, start.f), ctx);
    const d = runaway(st, c, start, m.rises === true);
    if (d) return diverged(d);
    const info: StepInfo = { step: st.step, f: st.f, measure: c.measure };
    hooks.onStep?.(info);
    if (hooks.checkpointEvery && hooks.saveCheckpoint && st.step % hooks.checkpointEvery === 0)
      hooks.saveCheckpoint(checkpoint());
    if (note && !c.converged) return finish('stopped', `${note}; ${c.text}`, { stoppedBy: 'method' });
    yield info;
  }
}

/** The scale of the convergence tests: max(1, min(|f|, |f0|)) (a non-finite f0 counts as absent). */
export function scaleOf(f: number, f0: number): number {
  const a = Math.abs(f),
    b = Math.abs(f0);
  const m = Number.isFinite(b) ? Math.min(a, b) : a;
  return Number.isFinite(m) ? Math.max(1, m) : 1;
}

/**
 * `name <= tol x scale` as a Criterion, its text true to its numbers either way. The text is
 * written when read (a getter): the driver tests every step and reads the text only at the end.
 */
export function scaledTest(name: string, measure: number, tol: number, scale: number): Criterion {
  const bound = tol * scale;
  const converged = measure <= bound;
  return {
    converged,
    measure,
    get text() {
      return `${name} ${fmt(measure)} ${converged ? '<=' : '>'} ${fmt(bound)} (tol ${fmt(tol)} x scale ${fmt(scale)})`;
    },
  };
}

/** Both tests must hold (e.g. KKT residual and feasibility). */
export function bothTests(a: Criterion, b: Criterion): Criterion {
  return {
    converged: a.converged && b.converged,
    measure: a.measure,
    get text() {
      return `${a.text}, ${b.text}`;
    },
  };
}

export const fmt = (v: number): string =>
  Number.isFinite(v)
    ? v === 0
      ? '0'
      : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4
        ? String(+v.toPrecision(3))
        : v.toExponential(2)
    : String(v);

const measureName = (c: Criterion) => c.text.split(/ [-+\d]/)[0] || 'convergence measure';

/** NaN, or an objective that overflowed (infinite, or beyond OVERFLOW_LEVEL). */
const badValue = (f: number): 'nan' | 'overflow' | null =>
  Number.isNaN(f) ? 'nan' : !(Math.abs(f) <= OVERFLOW_LEVEL) ? 'overflow' : null;

function runaway(st: StateBase, c: Criterion, start: StartScale, rises: boolean): Divergence | string | null {
  const f = st.f;
  const bad = badValue(f);
  if (bad) return { cause: bad, step: st.step, from: start.f, to: f };
  if (!Number.isFinite(c.measure)) return `the ${measureName(c)} became ${c.measure} at step ${st.step}`;
  const ref = Math.max(1, Math.abs(start.f));
  if (f < start.f - FALL_FACTOR * ref && !(c.measure < 0.1 * start.measure))
    return { cause: 'unbounded', step: st.step, from: start.f, to: f };
  if (!rises && f > start.f + RISE_FACTOR * ref) return { cause: 'rise', step: st.step, from: start.f, to: f };
  const xn = normInf(st.x);
  if (xn > ITERATE_FACTOR * Math.max(1, start.xnorm))
    return { cause: 'iterates', step: st.step, from: start.xnorm, to: xn };
  return null;
}

/**
 * The cause of a divergence in words, its numbers those of the minimized objective times `sign`
 * (-1: the user maximizes -f, and reads the numbers with the user's sign).
 */
export function divergenceText(d: Divergence, start: StartScale, sign: 1 | -1 = 1): string {
  const at = `at step ${d.step}`;
  const initial = d.step === 0;
  const [from, to] = [fmt(sign * d.from), fmt(sign * d.to)];
  switch (d.cause) {
    case 'nan':
      return initial
        ? `the objective is NaN at the starting point: the start lies outside the objective's domain (a log, sqrt, division or power where it is undefined)`
        : `the objective became NaN ${at}: the iterate left the objective's domain (a log, sqrt, division or power where it is undefined)`;
    case 'overflow':
      return `the objective ${initial ? 'is' : 'became'} ${to} ${initial ? 'at the starting point' : at}: it overflows (an exp or a power of a large number)`;
    case 'unbounded':
      return `the objective ${sign > 0 ? 'fell' : 'rose'} from ${from} at the start to ${to} ${at} while its gradient did not shrink (${fmt(start.measure)} at the start): it looks unbounded ${sign > 0 ? 'below' : 'above'}`;
    case 'rise':
      return `the objective ${sign > 0 ? 'grew' : 'fell'} from ${from} at the start to ${to} ${at}: the step size is likely too large`;
    case 'iterates':
      return `the iterates grew to ${fmt(d.to)} ${at} (${fmt(d.from)} at the start): the objective may be unbounded in that direction`;
  }
}

export function normInf(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]!);
    if (!(a <= m)) m = a; // NaN wins, so it is seen
  }
  return m;
}

/** Runs any step generator to its end, synchronously. */
export function drain<T, R>(it: Generator<T, R>): R {
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

/** Runs any step generator to its end, yielding to the event loop every ~20 ms (Ctrl-C, progress). */
export async function drainAsync<T, R>(it: Generator<T, R>): Promise<R> {
  let last = performance.now();
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
    if (performance.now() - last > 20) {
      await platform.yieldToEventLoop();
      last = performance.now();
    }
  }
}
