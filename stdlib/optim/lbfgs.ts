// L-BFGS with a strong-Wolfe line search (Nocedal & Wright, algorithms 7.4, 3.5 and 3.6, with
// cubic interpolation in the zoom phase): the `lbfgs` entry of the method table. Float64 on the
// host: the vectors are the flat decision vector, and every function value comes from the
// problem's `evaluate`. The state is plain JSON.

import { normInf, scaledTest } from '../methods/driver.js';
import { int, stepsOption, tolOption } from '../methods/options.js';
import { defineMethod, type Problem, type StateBase } from '../methods/rule.js';
import { dot } from './linalg_host.js';
import { twoLoop } from './two_loop.js';

export interface LbfgsState extends StateBase {
  method: 'lbfgs';
  g: number[];
  /** Correction pairs, oldest first. */
  s: number[][];
  y: number[][];
  /** Evaluations so far (line searches included). */
  evals: number;
}

const C1 = 1e-4;
const C2 = 0.9;
const MAX_LS = 30;
/**
 * Near a minimum the decrease the sufficient-decrease test asks for falls below the rounding of f,
 * and the test fails on every step although the gradient still points the way. There the
 * approximate Wolfe conditions of Hager and Zhang (2005) accept a step: f no higher than f0 up to
 * rounding (FLAT relative), and the slope within [C2 d0, (2 C1 - 1) d0], used only where the
 * decrease the test asks for is itself below that rounding. Without them whether a
 * tight tolerance is reached depends on the summation order of the backend.
 */
const FLAT = 1e-14;

/** d = -H g by the two-loop recursion. */
const direction = (st: LbfgsState): Float64Array => twoLoop(st.g, st.s, st.y).map((v) => -v);

interface Point {
  a: number;
  f: number;
  g: Float64Array;
  d: number; // directional derivative
}

/** Minimizer of the cubic through (a, fa, da) and (b, fb, db), safeguarded into the interval. */
function cubicMin(p: Point, q: Point): number {
  const d1 = p.d + q.d - 3 * ((p.f - q.f) / (p.a - q.a));
  const disc = d1 * d1 - p.d * q.d;
  const lo = Math.min(p.a, q.a),
    hi = Math.max(p.a, q.a);
  if (disc >= 0) {
    const d2 = Math.sign(q.a - p.a) * Math.sqrt(disc);
    const t = q.a - (q.a - p.a) * ((q.d + d2 - d1) / (q.d - p.d + 2 * d2));
    if (Number.isFinite(t) && t > lo + 0.1 * (hi - lo) && t < hi - 0.1 * (hi - lo)) return t;
  }
  return (lo + hi) / 2;
}

/** Strong-Wolfe line search along d from x; null when no acceptable step was found. */
function lineSearch(p: Problem, st: LbfgsState, d: Float64Array, a0: number): Point | null {
  const x = st.x;
  const f0 = st.f;
  const d0 = dot(st.g, d);
  const at = (a: number): Point => {
    const xa = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) xa[i] = x[i]! + a * d[i]!;
    const { f, g } = p.evaluate(xa, st.step + 1);
    st.evals++;
    return { a, f, g, d: dot(g, d) };
  };
  const zero: Point = { a: 0, f: f0, g: Float64Array.from(st.g), d: d0 };
  const approxWolfe = (q: Point) =>
    -C1 * q.a * d0 <= FLAT * Math.abs(f0) &&
    q.f <= f0 + FLAT * Math.abs(f0) &&
    q.d >= C2 * d0 &&
    q.d <= (2 * C1 - 1) * d0;
  const tooHigh = (q: Point) => q.f > f0 + C1 * q.a * d0 && !approxWolfe(q);
  const zoom = (lo: Point, hi: Point): Point | null => {
    for (let i = 0; i < MAX_LS; i++) {
      const q = at(cubicMin(lo, hi));
      if (approxWolfe(q)) return q;
      if (!Number.isFinite(q.f) || tooHigh(q) || q.f >= lo.f) hi = q;
      else {
        if (Math.abs(q.d) <= -C2 * d0) return q;
        if (q.d * (hi.a - lo.a) >= 0) hi = lo;
        lo = q;
      }
      if (Math.abs(hi.a - lo.a) < 1e-16 * Math.max(1, Math.abs(lo.a))) break;
    }
    return lo.a > 0 && lo.f < f0 ? lo : null;
  };
  let prev = zero;
  let a = a0;
  for (let i = 0; i < MAX_LS; i++) {
    const q = at(a);
    if (Number.isFinite(q.f) && approxWolfe(q)) return q;
    if (!Number.isFinite(q.f) || tooHigh(q) || (i > 0 && q.f >= prev.f)) return zoom(prev, q);
    if (Math.abs(q.d) <= -C2 * d0) return q;
    if (q.d >= 0) return zoom(q, prev);
    prev = q;
    a *= 2;
  }
  return prev.a > 0 ? prev : null;
}

export const lbfgs = defineMethod({
  name: 'lbfgs',
  kind: 'solve',
  family: 'quasi_newton',
  available: true,
  summary: 'L-BFGS with a strong-Wolfe line search (smooth problems)',
  test: 'iterations / ‖∇f‖∞ <= tol max(1, min(|f|, |f0|))',
  takes: { allows: [] },
  auto: { rank: 10, when: (s) => !s.features.has('stochastic'), reason: () => 'smooth and unconstrained: L-BFGS' },
  options: {
    steps: stepsOption(1000),
    tol: tolOption(1e-8),
    history: int({ default: 10, min: 1, doc: 'correction pairs kept' }),
  },
  needs: () => [],
  init(p, x0): LbfgsState {
    const { f, g } = p.evaluate(x0, 0);
    return { method: 'lbfgs', step: 0, x: Array.from(x0), f, g: Array.from(g), s: [], y: [], evals: 1 };
  },
  step(p, st, o) {
    let d = direction(st);
    if (!(dot(d, st.g) < 0)) {
      // Not a descent direction (curvature information went stale): restart from steepest descent.
      st.s = [];
      st.y = [];
      d = direction(st);
    }
    const gn = Math.sqrt(dot(st.g, st.g));
    const a0 = st.s.length === 0 ? Math.min(1, 1 / Math.max(gn, 1e-300)) : 1;
    let q = lineSearch(p, st, d, a0);
    if (!q && st.s.length > 0) {
      st.s = [];
      st.y = [];
      d = direction(st);
      q = lineSearch(p, st, d, Math.min(1, 1 / Math.max(gn, 1e-300)));
    }
    st.step++;
    if (!q) return 'the line search could not decrease the objective further';
    const s = d.map((v) => v * q.a);
    const y = q.g.map((v, i) => v - st.g[i]!);
    if (dot(s, y) > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      st.s.push(Array.from(s));
      st.y.push(Array.from(y));
      if (st.s.length > o.history) {
        st.s.shift();
        st.y.shift();
      }
    }
    st.x = st.x.map((v, i) => v + s[i]!);
    st.f = q.f;
    st.g = Array.from(q.g);
    return null;
  },
  measure: 'gradient_norm',
  criterion: (_p, st, o, scale) => scaledTest('gradient norm', normInf(st.g), o.tol, scale),
  diagnostics: (_p, st) => ({ evaluations: st.evals }),
});
