// Host loop of the first-order methods (sgd, adam, adamw, adagrad, rmsprop, diffgrad, normalized
// gradient / momentum) and of Prox-Adam: each step runs the method's graph rule (rules.ts) on
// `ref`, so the rule has one definition. Learning-rate schedules and adaptive batch sizes
// (AdAdaGrad, Lau et al. 2024: grow the batch when a norm test or an inner-product test on the
// per-example gradients fails) live here. The state is plain JSON (the batch sampler is seeded
// by the step number, so resumes are bit-identical).

import { hostFn, HostFnCache, type HostFn } from './graph_fn.js';
import { rules, type RuleOptions } from './rules.js';
import { scheduleFactor } from './schedules.js';
import type { BatchOptions, Objective, SolveOptions } from './driver.js';

export type FirstOrderMethod =
  'sgd' | 'adam' | 'adamw' | 'adagrad' | 'rmsprop' | 'diffgrad' | 'normalized_gd' | 'normalized_momentum' | 'prox_adam';

export interface FirstOrderState {
  method: FirstOrderMethod;
  step: number;
  x: number[];
  /** Objective (plus the prox term's value for prox_adam) at x, on the last batch when batched. */
  f: number;
  /** Gradient at x (for prox_adam: the gradient mapping of the last step, used by the stopping rule). */
  g: number[];
  /** Smooth gradient at x (prox_adam only; otherwise equal to g). */
  gs?: number[];
  slots: number[][];
  /** Current batch size (batched objectives). */
  batch?: number;
  /** Batch sizes chosen so far, as [step, size] at each change. */
  batchLog?: [number, number][];
}

const cache = new HostFnCache();

export const ruleOptions = (o: SolveOptions): RuleOptions => ({
  momentum: o.momentum,
  nesterov: o.nesterov,
  beta1: o.beta1,
  beta2: o.beta2,
  eps: o.eps,
  weightDecay: o.weightDecay,
  rho: o.rho,
});

const ruleName = (m: FirstOrderMethod) => (m === 'prox_adam' ? 'adam' : m);

function ruleFn(method: FirstOrderMethod, n: number, o: SolveOptions): HostFn {
  const rule = rules[ruleName(method)]!;
  const ro = ruleOptions(o);
  return cache.get(`${rule.name}|${n}|${JSON.stringify(ro)}`, () =>
    hostFn(
      (x, g, lr, t, ...s) => {
        const r = rule.update(x, g, s, lr, t, ro);
        return [r.x, ...r.s, ...(rule.scale ? [rule.scale(r.s, lr, t, ro)] : [])];
      },
      [[n], [n], [], [], ...rule.slots.map(() => [n])],
    ),
  );
}

/** Default learning rates per method. */
export const defaultLr: Record<FirstOrderMethod, number> = {
  sgd: 0.01,
  adam: 0.01,
  adamw: 0.01,
  adagrad: 0.1,
  rmsprop: 0.01,
  diffgrad: 0.01,
  normalized_gd: 0.01,
  normalized_momentum: 0.01,
  prox_adam: 0.01,
};

// --- batches -----------------------------------------------------------------------------------

/** A deterministic sample of b distinct indices out of N for a step (partial Fisher-Yates). */
export function sampleBatch(N: number, b: number, seed: number, step: number): number[] {
  let s = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(step + 1, 0xc2b2ae35)) >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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

function evaluateAt(
  obj: Objective,
  st: FirstOrderState,
  x: Float64Array,
  step: number,
  o: SolveOptions,
): { f: number; g: Float64Array } {
  const bo = o.batch;
  if (!bo || !obj.batch) return obj.evaluate(x, step);
  const b = st.batch ?? bo.initial;
  const idx = sampleBatch(obj.batch.size, b, bo.seed ?? 0, step);
  const r = obj.batch.evaluate(x, idx);
  const want = batchTest(r.perExample, r.g, bo.test ?? 'norm', bo.eta ?? (bo.test === 'inner_product' ? 0.9 : 0.5));
  if (want > b) {
    const nb = Math.min(bo.max ?? obj.batch.size, obj.batch.size, Math.max(b + 1, want));
    if (nb !== b) {
      st.batch = nb;
      (st.batchLog ??= []).push([step, nb]);
    }
  }
  return r;
}

// --- the method --------------------------------------------------------------------------------

export function firstOrderInit(obj: Objective, x0: Float64Array, o: SolveOptions): FirstOrderState {
  const method = o.method as FirstOrderMethod;
  const rule = rules[ruleName(method)]!;
  const st: FirstOrderState = {
    method,
    step: 0,
    x: Array.from(x0),
    f: 0,
    g: [],
    slots: rule.slots.map(() => new Array(x0.length).fill(0)),
  };
  if (o.batch && obj.batch) {
    st.batch = o.batch.initial;
    st.batchLog = [[0, o.batch.initial]];
  }
  const { f, g } = evaluateAt(obj, st, x0, 0, o);
  st.f = f + (method === 'prox_adam' && obj.prox ? obj.prox.value(x0) : 0);
  st.g = Array.from(g);
  if (method === 'prox_adam') st.gs = Array.from(g);
  return st;
}

/** One step; returns a stop note or null. */
export function firstOrderStep(obj: Objective, st: FirstOrderState, o: SolveOptions): string | null {
  const n = st.x.length;
  const lr = (o.lr ?? defaultLr[st.method]) * scheduleFactor(o.schedule, st.step, o.steps);
  const t = st.step + 1;
  const rule = rules[ruleName(st.method)]!;
  const outs = ruleFn(st.method, n, o)(st.x, st.gs ?? st.g, lr, t, ...st.slots);
  let x = outs[0]!;
  st.slots = rule.slots.map((_, i) => Array.from(outs[1 + i]!));
  if (st.method === 'prox_adam') {
    if (!obj.prox) throw new Error('prox_adam needs an objective with a prox term');
    // The prox in the metric of the adaptive step: argmin h(z) + sum (z_i - u_i)^2 / (2 s_i).
    const scale = outs[1 + rule.slots.length]!;
    const u = x;
    x = obj.prox.proxDiag ? obj.prox.proxDiag(u, scale) : obj.prox.prox(u, meanOf(scale));
    const prev = st.x;
    st.step = t;
    const { f, g } = evaluateAt(obj, st, x, t, o);
    st.x = Array.from(x);
    st.f = f + obj.prox.value(x);
    st.gs = Array.from(g);
    // gradient mapping (x_prev - x) / s with s the step: zero exactly at a fixed point.
    st.g = prev.map((v, i) => (v - x[i]!) / Math.max(scale[i]!, 1e-300));
    return null;
  }
  st.step = t;
  const { f, g } = evaluateAt(obj, st, x, t, o);
  st.x = Array.from(x);
  st.f = f;
  st.g = Array.from(g);
  return null;
}

const meanOf = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / Math.max(a.length, 1);
