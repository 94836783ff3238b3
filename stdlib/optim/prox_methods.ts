// Proximal gradient and FISTA (Beck & Teboulle 2009) for minimize f(x) + h(x), f smooth (the
// problem's evaluate/value), h given by its prox (the problem's prox; sets are projections):
// backtracking on the Lipschitz estimate L (sufficient decrease of the quadratic upper model),
// and for FISTA the adaptive restart of O'Donoghue & Candes (2015), gradient scheme: momentum is
// reset when (y - x_new)'(x_new - x_old) > 0. Prox-Adam: the Adam step, then the prox in the Adam
// metric (the first-order loop with a prox). The states are plain JSON.
// `g` in the state is the gradient mapping L (y - x_new) at the last extrapolated point, which is
// zero exactly at a minimizer: the test is ||G||_inf <= tol * scale.

import { normInf, scaledTest } from '../methods/driver.js';
import { bool, real, stepsOption, tolOption, type OptionsOf } from '../methods/options.js';
import { defineMethod, type GraphStep, type Problem, type ProblemShape, type StateBase } from '../methods/rule.js';
import { dot } from './linalg_host.js';
import { batchDiagnostics, firstOrderInit, firstOrderOptions, firstOrderStep } from './first_order.js';
import { ADAM_OPTIONS, adamRule } from './first_order_rules.js';

export interface ProxState extends StateBase {
  method: 'prox_grad' | 'fista';
  /** F(x) = f(x) + h(x) is `f`; the gradient mapping at the last step is `g`. */
  g: number[];
  /** Extrapolated point and the momentum parameter (FISTA). */
  y: number[];
  tk: number;
  /** Current Lipschitz estimate (step 1 / L). */
  L: number;
  restarts: number;
  evals: number;
}

const smoothValue = (p: Problem, x: Float64Array, step: number) => (p.value ? p.value(x, step) : p.evaluate(x, step).f);

const PROX_OPTIONS = {
  lipschitz: real({ positive: true, doc: 'a known Lipschitz constant of grad f (default: estimated, backtracked)' }),
  backtrack: real({ default: 2, positive: true, doc: 'the backtracking factor' }),
};
type ProxOptions = OptionsOf<typeof PROX_OPTIONS> & { readonly restart?: boolean };

function proxInit(method: ProxState['method'], p: Problem, x0: Float64Array, o: ProxOptions): ProxState {
  if (!p.prox) throw new Error(`${method} needs a problem with a prox term`);
  const x = p.prox.prox(x0, 0 + 1e-300); // lands in the domain of h (a projection for indicators)
  const { f, g } = p.evaluate(x, 0);
  let L = o.lipschitz ?? 0;
  let evals = 1;
  if (!(L > 0)) {
    // A local estimate from a small gradient step (backtracking corrects it upwards).
    const gn = Math.sqrt(dot(g, g));
    const h = (1e-4 * Math.max(1, Math.sqrt(dot(x, x)))) / Math.max(gn, 1e-300);
    const x1 = x.map((v, i) => v - h * g[i]!);
    const g1 = p.evaluate(x1, 0).g;
    evals++;
    const dg = Math.sqrt(g1.reduce((s, v, i) => s + (v - g[i]!) ** 2, 0));
    L = gn > 0 ? Math.max(dg / (h * gn), 1e-12) : 1;
  }
  return {
    method,
    step: 0,
    x: Array.from(x),
    f: f + p.prox.value(x),
    g: Array.from(g),
    y: Array.from(x),
    tk: 1,
    L,
    restarts: 0,
    evals,
  };
}

function proxStep(p: Problem, st: ProxState, o: ProxOptions): null {
  const h = p.prox!;
  const y = Float64Array.from(st.y);
  const { f: fy, g: gy } = p.evaluate(y, st.step + 1);
  st.evals++;
  let L = st.L;
  let z: Float64Array,
    fz: number,
    hz = NaN;
  for (let tries = 0; ; tries++) {
    const t = 1 / L;
    const u = y.map((v, i) => v - t * gy[i]!);
    if (h.proxValue) ({ z, value: hz } = h.proxValue(u, t));
    else z = h.prox(u, t);
    fz = smoothValue(p, z, st.step + 1);
    st.evals++;
    let lin = 0,
      sq = 0;
    for (let i = 0; i < z.length; i++) {
      const d = z[i]! - y[i]!;
      lin += gy[i]! * d;
      sq += d * d;
    }
    // Sufficient decrease, with a little slack for rounding once f has converged.
    if (fz <= fy + lin + 0.5 * L * sq + 1e-15 * Math.abs(fy) || tries >= 60) break;
    L *= o.backtrack;
  }
  st.L = L;
  const x = st.x;
  const Fz = fz + (h.proxValue ? hz : h.value(z));
  st.g = Array.from(z, (v, i) => L * (y[i]! - v));
  if (st.method === 'fista') {
    let restart = false;
    if (o.restart !== false) {
      let s = 0;
      for (let i = 0; i < z.length; i++) s += (y[i]! - z[i]!) * (z[i]! - x[i]!);
      restart = s > 0;
    }
    if (restart) {
      st.tk = 1;
      st.y = Array.from(z);
      st.restarts++;
    } else {
      const t1 = (1 + Math.sqrt(1 + 4 * st.tk * st.tk)) / 2;
      const beta = (st.tk - 1) / t1;
      st.y = Array.from(z, (v, i) => v + beta * (v - x[i]!));
      st.tk = t1;
    }
  } else {
    st.y = Array.from(z);
  }
  st.x = Array.from(z);
  st.f = Fz;
  st.step++;
  return null;
}

/** The reason the analysis picks FISTA: prox terms (over sets), or sets that are simplexes. */
function fistaReason(s: ProblemShape): string {
  const n = s.counts.prox ?? 0;
  if (n)
    return `a smooth part plus ${n} prox term${n > 1 ? 's' : ''} (${(s.words.proxKinds ?? []).join(', ')})${
      s.features.has('bounds') || s.features.has('simplex') ? ' over simple sets' : ''
    }: accelerated proximal gradient`;
  return `smooth over simple sets (${(s.words.setVars ?? []).join(', ')}): FISTA with the projection onto the simplex`;
}

const PROX_TEST = 'iterations / gradient mapping ‖L(y - x⁺)‖∞ <= tol max(1, min(|F|, |F0|))';
const SETS = { allows: ['prox', 'bounds', 'simplex'] } as const;

export const fista = defineMethod({
  name: 'fista',
  kind: 'solve',
  family: 'proximal',
  available: true,
  summary: 'accelerated proximal gradient (smooth + prox terms, simple sets)',
  test: PROX_TEST,
  takes: SETS,
  auto: { rank: 20, when: (s) => s.features.has('prox') || s.features.has('simplex'), reason: fistaReason },
  options: {
    steps: stepsOption(2000),
    tol: tolOption(1e-8),
    ...PROX_OPTIONS,
    restart: bool({ default: true, doc: 'adaptive restart of the momentum' }),
  },
  needs: () => ['prox'],
  init: (p, x0, o) => proxInit('fista', p, x0, o),
  step: (p, st, o) => proxStep(p, st, o),
  measure: 'gradient_mapping_norm',
  criterion: (_p, st, o, scale) => scaledTest('gradient mapping norm', normInf(st.g), o.tol, scale),
  diagnostics: (_p, st) => ({ evaluations: st.evals, restarts: st.restarts, lipschitz: st.L }),
});

export const proxGrad = defineMethod({
  name: 'prox_grad',
  kind: 'solve',
  family: 'proximal',
  available: true,
  summary: 'proximal gradient (smooth + prox terms, simple sets)',
  test: PROX_TEST,
  takes: SETS,
  options: { steps: stepsOption(5000), tol: tolOption(1e-8), ...PROX_OPTIONS },
  needs: () => ['prox'],
  init: (p, x0, o) => proxInit('prox_grad', p, x0, o),
  step: (p, st, o) => proxStep(p, st, o),
  measure: 'gradient_mapping_norm',
  criterion: (_p, st, o, scale) => scaledTest('gradient mapping norm', normInf(st.g), o.tol, scale),
  diagnostics: (_p, st) => ({ evaluations: st.evals, lipschitz: st.L }),
});

export const proxAdam = defineMethod({
  name: 'prox_adam',
  kind: 'solve',
  family: 'proximal',
  available: true,
  summary: 'Adam step, then the prox in the Adam metric (prox-gated training, SoRA)',
  test: 'iterations / ‖(x_prev - x)/s‖∞ <= tol max(1, min(|F|, |F0|))',
  takes: SETS,
  options: { ...firstOrderOptions(0.01), ...ADAM_OPTIONS },
  needs: (o) => (typeof o.batch === 'object' && o.batch.method === 'adaptive' ? ['prox', 'batch'] : ['prox']),
  init: (p, x0, o, ctx) => firstOrderInit('prox_adam', adamRule as never, p, x0, o, ctx, true),
  step: (p, st, o) => firstOrderStep(adamRule as GraphStep<typeof o>, p, st, o, true),
  measure: 'gradient_mapping_norm',
  criterion: (_p, st, o, scale) => scaledTest('gradient mapping norm', normInf(st.g), o.tol, scale),
  diagnostics: (_p, st) => batchDiagnostics(st),
  graph: adamRule as GraphStep<never>,
});
