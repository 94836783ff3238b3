// The first-order family: each method is its graph update rule (first_order_rules.ts, or a rule file of its own)
// made a table entry by `firstOrderMethod`, which adds the options every first-order method has
// (steps, tol, lr, schedule, batch) and this host loop: each step runs the rule's graph on `ref`,
// so the rule has one definition; where the problem can compile a step (Problem.compileStep: the
// compiler's objective on the program's backend) the same graph is fused with the objective, and a
// step is one compiled call.
// Learning-rate schedules (schedules.ts) and adaptive batch sizes (AdAdaGrad, Lau et al. 2024:
// grow the batch when a norm test or an inner-product test on the per-example gradients fails)
// live here. The state is plain JSON (the batch sampler is seeded by the run's seed and the step
// number, so resumes are bit-identical). Prox-Adam (prox_methods.ts) reuses the loop with a prox.

import { normInf, scaledTest } from '../methods/driver.js';
import {
  int,
  name,
  oneOf,
  real,
  stepsOption,
  tolOption,
  type CallValue,
  type OptionSpecs,
  type OptionsOf,
} from '../methods/options.js';
import {
  defineMethod,
  type AutoChoice,
  type GraphStep,
  type Problem,
  type RunContext,
  type RunnableMethod,
  type StateBase,
  type StepFn,
} from '../methods/rule.js';
import { mulberry32, valueAndGrad } from '../../runtime/index.js';
import { hostFn, HostFnCache, type HostFn } from './graph_fn.js';
import { SCHEDULE_OPTION, scheduleFactor, scheduleOf } from './schedules.js';

export interface FirstOrderState extends StateBase {
  /** Gradient at x (for prox_adam: the gradient mapping of the last step, used by the test). */
  g: number[];
  /** Smooth gradient at x (prox_adam only; otherwise equal to g). */
  gs?: number[];
  slots: number[][];
  /** Current batch size, and the batch sizes chosen so far as [step, size] at each change (batched objectives). */
  batch?: number;
  batchLog?: [number, number][];
  /** The seed of the batch sampler (the run's seed). */
  batchSeed?: number;
}

export const BATCH_OPTION = name({
  builtins: ['full', 'adaptive'],
  default: 'full',
  doc: 'full batches, or adaptive batch sizes (objectives that are a sum over data rows)',
  calls: {
    adaptive: {
      test: oneOf({ values: ['norm', 'inner_product'], default: 'norm' }),
      initial: int({ default: 8, min: 2 }),
      eta: real({ positive: true }),
      max: int({ min: 2 }),
    },
  },
});

/** The options every first-order method has; `lr` defaults per method. */
export const firstOrderOptions = (lr: number) => ({
  steps: stepsOption(5000),
  tol: tolOption(1e-8),
  lr: real({ default: lr, positive: true, doc: 'the base learning rate' }),
  schedule: SCHEDULE_OPTION,
  batch: BATCH_OPTION,
});
type Common = ReturnType<typeof firstOrderOptions>;
type CommonOptions = OptionsOf<Common>;

interface BatchPlan {
  initial: number;
  test: 'norm' | 'inner_product';
  eta: number;
  max?: number;
}

function batchPlan(v: string | CallValue): BatchPlan | null {
  if (typeof v === 'string' || v.method !== 'adaptive') return null;
  const test = (v.test as 'norm' | 'inner_product' | undefined) ?? 'norm';
  return {
    initial: (v.initial as number | undefined) ?? 8,
    test,
    eta: (v.eta as number | undefined) ?? (test === 'inner_product' ? 0.9 : 0.5),
    ...(typeof v.max === 'number' ? { max: v.max } : {}),
  };
}

/** A deterministic sample of b distinct indices out of N for a step (partial Fisher-Yates). */
export function sampleBatch(N: number, b: number, seed: number, step: number): number[] {
  const s = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(step + 1, 0xc2b2ae35)) >>> 0;
  const next = mulberry32(s);
  if (b >= N) return Array.from({ length: N }, (_, i) => i);
  const perm = new Map<number, number>();
  const out: number[] = [];
  for (let i = 0; i < b; i++) {
    const j = i + Math.floor(next() * (N - i));
    const vj = perm.get(j) ?? j,
      vi = perm.get(i) ?? i;
    perm.set(j, vi);
    out.push(vj);
  }
  return out;
}

/**
 * The batch-size tests. Norm test: Var(g_i) / b <= eta^2 ||g||^2 with Var the sample variance of
 * the per-example gradients (sum of coordinate variances). Inner-product test:
 * Var(<g_i, g>) / b <= eta^2 ||g||^4. Returns the batch size the test asks for (>= b when it fails).
 */
export function batchTest(
  perEx: readonly Float64Array[],
  g: Float64Array,
  test: 'norm' | 'inner_product',
  eta: number,
): number {
  const b = perEx.length;
  if (b < 2) return 2;
  let gg = 0;
  for (let j = 0; j < g.length; j++) gg += g[j]! * g[j]!;
  let acc = 0;
  for (const gi of perEx) {
    if (test === 'norm') {
      for (let j = 0; j < g.length; j++) acc += (gi[j]! - g[j]!) ** 2;
    } else {
      let ip = 0;
      for (let j = 0; j < g.length; j++) ip += gi[j]! * g[j]!;
      acc += (ip - gg) ** 2;
    }
  }
  const variance = acc / (b - 1);
  const rhs = test === 'norm' ? eta * eta * gg : eta * eta * gg * gg;
  if (variance / b <= rhs) return b;
  return rhs > 0 ? Math.ceil(variance / rhs) : Infinity;
}

function evaluateAt(p: Problem, st: FirstOrderState, x: Float64Array, step: number, o: CommonOptions) {
  const plan = batchPlan(o.batch);
  if (!plan || !p.batch) return p.evaluate(x, step);
  const b = st.batch ?? plan.initial;
  const idx = sampleBatch(p.batch.size, b, st.batchSeed ?? 0, step);
  const r = p.batch.evaluate(x, idx);
  const want = batchTest(r.perExample, r.g, plan.test, plan.eta);
  if (want > b) {
    const nb = Math.min(plan.max ?? p.batch.size, p.batch.size, Math.max(b + 1, want));
    if (nb !== b) {
      st.batch = nb;
      (st.batchLog ??= []).push([step, nb]);
    }
  }
  return r;
}

// ---- the host loop ----

const cache = new HostFnCache();
const COMMON_KEYS = new Set(['steps', 'tol', 'lr', 'schedule', 'batch']);

/** The rule's graph, traced once per (method, n, rule options), run on ref. */
function ruleFn<O>(method: string, rule: GraphStep<O>, n: number, o: O): HostFn {
  const ro = Object.fromEntries(Object.entries(o as object).filter(([k]) => !COMMON_KEYS.has(k)));
  return cache.get(`${method}|${n}|${JSON.stringify(ro)}`, () =>
    hostFn(
      (x, g, lr, t, ...s) => {
        const r = rule.update(x, g, s, lr, t, o);
        return [r.x, ...r.s, ...(rule.scale ? [rule.scale(r.s, lr, t, o)] : [])];
      },
      [[n], [n], [], [], ...rule.slots.map(() => [n])],
    ),
  );
}

export function firstOrderInit(
  method: string,
  rule: GraphStep<never>,
  p: Problem,
  x0: Float64Array,
  o: CommonOptions,
  ctx: RunContext,
  withProx: boolean,
): FirstOrderState {
  const st: FirstOrderState = {
    method,
    step: 0,
    x: Array.from(x0),
    f: 0,
    g: [],
    slots: rule.slots.map(() => new Array(x0.length).fill(0)),
  };
  const plan = batchPlan(o.batch);
  if (plan && p.batch) {
    st.batch = plan.initial;
    st.batchLog = [[0, plan.initial]];
    st.batchSeed = ctx.seed;
  }
  const { f, g } = evaluateAt(p, st, x0, 0, o);
  st.f = f + (withProx && p.prox ? p.prox.value(x0) : 0);
  st.g = Array.from(g);
  if (withProx) st.gs = Array.from(g);
  return st;
}

/**
 * The rule fused with the objective (Problem.compileStep): (x, g, lr, t, ...slots) -> (x', ...slots',
 * f(x'), grad f(x')) as one compiled graph, so a step is one call on the problem's backend and the
 * host does only the stopping test. One per problem and rule options (the problem is per run).
 */
const fused = new WeakMap<Problem, Map<string, StepFn>>();
/** The rule's own options as a key, per options object (a run passes the same one every step). */
const ruleKeys = new WeakMap<object, string>();
function fusedStep<O>(method: string, rule: GraphStep<O>, p: Problem, o: O): StepFn {
  let ro = ruleKeys.get(o as object);
  if (ro === undefined) {
    ro = JSON.stringify(Object.fromEntries(Object.entries(o as object).filter(([k]) => !COMMON_KEYS.has(k))));
    ruleKeys.set(o as object, ro);
  }
  const key = `${method}|${ro}`;
  let m = fused.get(p);
  if (!m) fused.set(p, (m = new Map()));
  let fn = m.get(key);
  if (!fn) {
    const n = p.n;
    fn = p.compileStep!(
      (f, x, g, lr, t, ...s) => {
        const r = rule.update(x!, g!, s, lr!, t!, o);
        const [v, [gx]] = valueAndGrad(f)(r.x);
        return [r.x, ...r.s, v, gx!];
      },
      [[n], [n], [], [], ...rule.slots.map(() => [n])],
    );
    m.set(key, fn);
  }
  return fn;
}

/** One step of the rule (and, for Prox-Adam, the prox in the rule's metric). */
export function firstOrderStep<O extends CommonOptions>(
  rule: GraphStep<O>,
  p: Problem,
  st: FirstOrderState,
  o: O,
  withProx: boolean,
): null {
  const n = st.x.length;
  const lr = o.lr * scheduleFactor(scheduleOf(o.schedule), st.step, o.steps);
  const t = st.step + 1;
  if (!withProx && p.compileStep && !(batchPlan(o.batch) && p.batch)) {
    const outs = fusedStep(st.method, rule, p, o)(st.x, st.g, lr, t, ...st.slots);
    const k = rule.slots.length;
    st.step = t;
    st.x = Array.from(outs[0]!);
    st.slots = rule.slots.map((_, i) => Array.from(outs[1 + i]!));
    st.f = outs[1 + k]![0]!;
    st.g = Array.from(outs[2 + k]!);
    return null;
  }
  const outs = ruleFn(st.method, rule, n, o)(st.x, st.gs ?? st.g, lr, t, ...st.slots);
  let x = outs[0]!;
  st.slots = rule.slots.map((_, i) => Array.from(outs[1 + i]!));
  if (withProx) {
    if (!p.prox) throw new Error(`${st.method} needs a problem with a prox term`);
    // The prox in the metric of the adaptive step: argmin h(z) + sum (z_i - u_i)^2 / (2 s_i).
    const scale = outs[1 + rule.slots.length]!;
    const u = x;
    x = p.prox.proxDiag ? p.prox.proxDiag(u, scale) : p.prox.prox(u, meanOf(scale));
    const prev = st.x;
    st.step = t;
    const { f, g } = evaluateAt(p, st, x, t, o);
    st.x = Array.from(x);
    st.f = f + p.prox.value(x);
    st.gs = Array.from(g);
    // gradient mapping (x_prev - x) / s with s the step: zero exactly at a fixed point.
    st.g = prev.map((v, i) => (v - x[i]!) / Math.max(scale[i]!, 1e-300));
    return null;
  }
  st.step = t;
  const { f, g } = evaluateAt(p, st, x, t, o);
  st.x = Array.from(x);
  st.f = f;
  st.g = Array.from(g);
  return null;
}

const meanOf = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / Math.max(a.length, 1);

/** Diagnostics of a batched run: the batch sizes as [step, size] at each change. */
export const batchDiagnostics = (st: FirstOrderState) => (st.batchLog ? { batch_sizes: st.batchLog } : {});

/**
 * A first-order method of the table from its graph rule: the common options (`lr` defaulting to
 * `lr`) plus the rule's own, the host loop, and the gradient test.
 */
export function firstOrderMethod<const N extends string, const S extends OptionSpecs>(def: {
  name: N;
  summary: string;
  lr: number;
  options: S;
  rule: GraphStep<OptionsOf<Common & S>>;
  auto?: AutoChoice;
}): RunnableMethod<N, Common & S, FirstOrderState> & { graph: GraphStep<OptionsOf<Common & S>> } {
  const options = { ...firstOrderOptions(def.lr), ...def.options } as Common & S;
  return {
    ...defineMethod<N, Common & S, FirstOrderState>({
      name: def.name,
      kind: 'solve',
      family: 'first_order',
      available: true,
      summary: def.summary,
      test: 'iterations / ‖∇f‖∞ <= tol max(1, min(|f|, |f0|))',
      takes: { allows: [] },
      ...(def.auto ? { auto: def.auto } : {}),
      options,
      needs: (o) => (batchPlan((o as unknown as CommonOptions).batch) ? ['batch'] : []),
      init: (p, x0, o, ctx) =>
        firstOrderInit(def.name, def.rule as GraphStep<never>, p, x0, o as unknown as CommonOptions, ctx, false),
      step: (p, st, o) =>
        firstOrderStep(def.rule as GraphStep<CommonOptions>, p, st, o as unknown as CommonOptions, false),
      measure: 'gradient_norm',
      criterion: (_p, st, o, scale) =>
        scaledTest('gradient norm', normInf(st.g), (o as unknown as CommonOptions).tol, scale),
      diagnostics: (_p, st) => batchDiagnostics(st),
      graph: def.rule,
    }),
    graph: def.rule,
  };
}
