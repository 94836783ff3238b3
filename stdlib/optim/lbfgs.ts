// L-BFGS with a strong-Wolfe line search (Nocedal & Wright, algorithms 7.4, 3.5 and 3.6, with
// cubic interpolation in the zoom phase). Float64 on the host: the vectors are the flat decision
// vector, and every function value comes from the compiled objective. The state is plain JSON.

import type { Objective, SolveOptions } from './driver.js';

export interface LbfgsState {
  method: 'lbfgs';
  step: number;
  x: number[];
  f: number;
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

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let r = 0;
  for (let i = 0; i < a.length; i++) r += a[i]! * b[i]!;
  return r;
};

export function lbfgsInit(obj: Objective, x0: Float64Array): LbfgsState {
  const { f, g } = obj.evaluate(x0, 0);
  return { method: 'lbfgs', step: 0, x: Array.from(x0), f, g: Array.from(g), s: [], y: [], evals: 1 };
}

/** d = -H g by the two-loop recursion, with the usual gamma = s'y / y'y initial scaling. */
function direction(st: LbfgsState): Float64Array {
  const q = Float64Array.from(st.g);
  const k = st.s.length;
  const alpha = new Float64Array(k);
  const rho = st.s.map((s, i) => 1 / dot(s, st.y[i]!));
  for (let i = k - 1; i >= 0; i--) {
    alpha[i] = rho[i]! * dot(st.s[i]!, q);
    const y = st.y[i]!;
    for (let j = 0; j < q.length; j++) q[j] -= alpha[i]! * y[j]!;
  }
  if (k > 0) {
    const gamma = dot(st.s[k - 1]!, st.y[k - 1]!) / dot(st.y[k - 1]!, st.y[k - 1]!);
    for (let j = 0; j < q.length; j++) q[j] *= gamma;
  }
  for (let i = 0; i < k; i++) {
    const b = rho[i]! * dot(st.y[i]!, q);
    const s = st.s[i]!;
    for (let j = 0; j < q.length; j++) q[j] += s[j]! * (alpha[i]! - b);
  }
  for (let j = 0; j < q.length; j++) q[j] = -q[j]!;
  return q;
}

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
function lineSearch(obj: Objective, st: LbfgsState, d: Float64Array, a0: number): Point | null {
  const x = st.x;
  const f0 = st.f;
  const d0 = dot(st.g, d);
  const at = (a: number): Point => {
    const xa = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) xa[i] = x[i]! + a * d[i]!;
    const { f, g } = obj.evaluate(xa, st.step + 1);
    st.evals++;
    return { a, f, g, d: dot(g, d) };
  };
  const zero: Point = { a: 0, f: f0, g: Float64Array.from(st.g), d: d0 };
  const zoom = (lo: Point, hi: Point): Point | null => {
    for (let i = 0; i < MAX_LS; i++) {
      const p = at(cubicMin(lo, hi));
      if (!Number.isFinite(p.f) || p.f > f0 + C1 * p.a * d0 || p.f >= lo.f) hi = p;
      else {
        if (Math.abs(p.d) <= -C2 * d0) return p;
        if (p.d * (hi.a - lo.a) >= 0) hi = lo;
        lo = p;
      }
      if (Math.abs(hi.a - lo.a) < 1e-16 * Math.max(1, Math.abs(lo.a))) break;
    }
    return lo.a > 0 && lo.f < f0 ? lo : null;
  };
  let prev = zero;
  let a = a0;
  for (let i = 0; i < MAX_LS; i++) {
    const p = at(a);
    if (!Number.isFinite(p.f) || p.f > f0 + C1 * a * d0 || (i > 0 && p.f >= prev.f)) return zoom(prev, p);
    if (Math.abs(p.d) <= -C2 * d0) return p;
    if (p.d >= 0) return zoom(p, prev);
    prev = p;
    a *= 2;
  }
  return prev.a > 0 ? prev : null;
}

/** One L-BFGS iteration; returns a stop note when no further decrease is possible, else null. */
export function lbfgsStep(obj: Objective, st: LbfgsState, o: SolveOptions): string | null {
  const m = o.history ?? 10;
  let d = direction(st);
  if (!(dot(d, st.g) < 0)) {
    // Not a descent direction (curvature information went stale): restart from steepest descent.
    st.s = [];
    st.y = [];
    d = direction(st);
  }
  const gn = Math.sqrt(dot(st.g, st.g));
  const a0 = st.s.length === 0 ? Math.min(1, 1 / Math.max(gn, 1e-300)) : 1;
  let p = lineSearch(obj, st, d, a0);
  if (!p && st.s.length > 0) {
    st.s = [];
    st.y = [];
    d = direction(st);
    p = lineSearch(obj, st, d, Math.min(1, 1 / Math.max(gn, 1e-300)));
  }
  st.step++;
  if (!p) return 'the line search could not decrease the objective further (converged to machine precision)';
  const s = d.map((v) => v * p!.a);
  const y = p.g.map((v, i) => v - st.g[i]!);
  if (dot(s, y) > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
    st.s.push(Array.from(s));
    st.y.push(Array.from(y));
    if (st.s.length > m) {
      st.s.shift();
      st.y.shift();
    }
  }
  st.x = st.x.map((v, i) => v + s[i]!);
  st.f = p.f;
  st.g = Array.from(p.g);
  return null;
}
