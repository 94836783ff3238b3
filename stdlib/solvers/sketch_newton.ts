// sketch_newton: equality-constrained optimization by the exact augmented Lagrangian with
// randomized iterative sketching (after Hong, Na, Mahoney & Kolar 2023). Each iteration:
//  1. the Newton-KKT system  [H  -J'; -J  0] [dx; dl] = [-grad L; c]  (H the Hessian of the
//     Lagrangian L = f - lambda'c, from lagHvp or finite differences of grad L) is solved
//     inexactly by a randomized iterative solver: randomized Kaczmarz (rows sampled with
//     probability ~ ||K_i||^2) or Gaussian sketch-and-project (block size q), started from 0 and
//     stopped when ||K z - r|| <= min(0.1, ||r||) ||r|| (so the steps become superlinear);
//  2. the merit is the exact augmented Lagrangian
//       M(x, lambda) = L(x, lambda) + (eta/2) ||c||^2 + (nu/2) ||grad_x L||^2,
//     whose directional derivative along (dx, dl) is computed exactly (it needs H grad L, which H
//     gives); eta grows by 10 (and nu shrinks by 10, and H is regularized by delta I, in that
//     order) until the direction is one of sufficient descent;
//  3. Armijo backtracking on M from the unit step.
// The `sketch_newton` entry. The test: ||grad_x L||_inf <= tol * scale and ||c||_inf <= tol_feas.
// When no direction of sufficient descent for the merit exists (the regularization ran out),
// the step resets the merit parameters and takes the regularized Newton step on the KKT system
// solved exactly instead; only if that fails too does the method report that it can make no
// further progress (never `converged` unless the test holds). The state, including the sampler's
// counter, is plain JSON; sketch iterations are reported.

import { boxMuller, mulberry32Step } from '../../runtime/index.js';
import { normInf, scaledTest } from '../methods/driver.js';
import { int, oneOf, real, stepsOption, tolOption } from '../methods/options.js';
import { defineMethod, type Problem, type StateBase } from '../methods/rule.js';
import { dot, nrm2 } from '../optim/linalg_host.js';
import { leastSquaresMultipliers, solveSquare } from './dense.js';
import { jtv, jv, maxViolation } from './problem.js';

/** The sketch and its sizes. */
interface SketchOptions {
  readonly sketch: 'kaczmarz' | 'gaussian';
  /** Gaussian sketch block size (default ceil((n+m)/2)). */
  readonly sketch_size?: number;
  /** Cap on sketch iterations per Newton step (default 2000 (n+m)). */
  readonly max_sketch?: number;
}

const ETA0 = 10;
const NU0 = 0.1;

export interface SketchNewtonState extends StateBase {
  method: 'sketch_newton';
  lambda: number[];
  eta: number;
  nu: number;
  rng: number;
  sketchIters: number;
  evals: number;
  hvps: number;
  /** Steps that fell back to the merit's steepest descent. */
  steepest: number;
}

/** A uniform draw in (0, 1) from the JSON-safe mulberry32 state (kept off 0 for the logarithm). */
function uniform(st: { rng: number }): number {
  const r = mulberry32Step(st.rng);
  st.rng = r.state;
  return r.u + 0.5 / 4294967296;
}
const gauss = (st: { rng: number }) => boxMuller(uniform(st), uniform(st));

interface Point {
  x: Float64Array;
  f: number;
  g: Float64Array;
  c: Float64Array;
  J: Float64Array;
  gl: Float64Array; // grad_x L
}

function sketchSolve(
  K: Float64Array,
  rhs: Float64Array,
  N: number,
  o: SketchOptions,
  st: SketchNewtonState,
): Float64Array {
  const z = new Float64Array(N);
  const rn = nrm2(rhs);
  if (rn === 0) return z;
  const target = Math.min(0.1, rn) * rn;
  const maxIt = o.max_sketch ?? 2000 * N;
  const resid = () => {
    let s = 0;
    for (let i = 0; i < N; i++) {
      let a = rhs[i]!;
      for (let j = 0; j < N; j++) a -= K[i * N + j]! * z[j]!;
      s += a * a;
    }
    return Math.sqrt(s);
  };
  if (o.sketch === 'gaussian') {
    const q = Math.min(N, o.sketch_size ?? Math.ceil(N / 2));
    for (let it = 0; it < maxIt; it++) {
      if (resid() <= target) break;
      st.sketchIters++;
      // S: N x q Gaussian; B = S'K (q x N); w = S'(rhs - K z); z += B' (B B')^{-1} w.
      const S = Float64Array.from({ length: N * q }, () => gauss(st));
      const B = new Float64Array(q * N);
      for (let a = 0; a < q; a++)
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let i = 0; i < N; i++) s += S[i * q + a]! * K[i * N + j]!;
          B[a * N + j] = s;
        }
      const w = new Float64Array(q);
      for (let a = 0; a < q; a++) {
        let s = 0;
        for (let i = 0; i < N; i++) {
          let ri = rhs[i]!;
          for (let j = 0; j < N; j++) ri -= K[i * N + j]! * z[j]!;
          s += S[i * q + a]! * ri;
        }
        w[a] = s;
      }
      const BB = new Float64Array(q * q);
      for (let a = 0; a < q; a++)
        for (let b = 0; b < q; b++) BB[a * q + b] = dot(B.subarray(a * N, a * N + N), B.subarray(b * N, b * N + N));
      const y = solveSquare(BB, w, q);
      if (!y) continue;
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let a = 0; a < q; a++) s += B[a * N + j]! * y[a]!;
        z[j] += s;
      }
    }
    return z;
  }
  // Randomized Kaczmarz.
  const rowN = new Float64Array(N);
  let tot = 0;
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let j = 0; j < N; j++) s += K[i * N + j]! ** 2;
    rowN[i] = s;
    tot += s;
  }
  const cum = new Float64Array(N);
  let acc = 0;
  for (let i = 0; i < N; i++) cum[i] = acc += rowN[i]! / tot;
  for (let it = 0; it < maxIt; it++) {
    if (it % N === 0 && resid() <= target) break;
    st.sketchIters++;
    const u = uniform(st);
    let i = 0;
    while (i < N - 1 && cum[i]! < u) i++;
    if (rowN[i] === 0) continue;
    let a = rhs[i]!;
    for (let j = 0; j < N; j++) a -= K[i * N + j]! * z[j]!;
    const s = a / rowN[i]!;
    for (let j = 0; j < N; j++) z[j] += s * K[i * N + j]!;
  }
  return z;
}

/** f, grad f, c, J and grad_x L at (x, lambda). */
function pointAt(p: Problem, st: SketchNewtonState, x: Float64Array, lambda: ArrayLike<number>): Point {
  st.evals++;
  const { f, g } = p.evaluate(x, 0);
  const { c, J } = p.eq!.evaluate(x);
  const gl = Float64Array.from(g);
  jtv(J, lambda, p.eq!.m, p.n).forEach((v, i) => (gl[i] -= v));
  return { x, f, g, c, J, gl };
}

/** The point of the current iterate (kept between steps; recomputed after a resume). */
const current = new WeakMap<SketchNewtonState, Point>();
function pointOf(p: Problem, st: SketchNewtonState): Point {
  const pt = current.get(st);
  if (pt && pt.x.length === st.x.length && pt.x.every((v, i) => v === st.x[i])) return pt;
  const fresh = pointAt(p, st, Float64Array.from(st.x), st.lambda);
  current.set(st, fresh);
  return fresh;
}

/** The Hessian of the Lagrangian at pt (from lagHvp, else finite differences of grad L), symmetrized. */
function hessian(p: Problem, st: SketchNewtonState, pt: Point, lambda: Float64Array): Float64Array {
  const n = p.n;
  const H = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    let col: Float64Array;
    if (p.lagHvp) col = p.lagHvp(pt.x, lambda, e);
    else {
      const h = 1e-7 * Math.max(1, Math.abs(pt.x[j]!));
      const xp = Float64Array.from(pt.x);
      xp[j] += h;
      col = pointAt(p, st, xp, lambda).gl.map((v, i) => (v - pt.gl[i]!) / h);
    }
    st.hvps++;
    for (let i = 0; i < n; i++) H[i * n + j] = col[i]!;
  }
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++) H[i * n + j] = H[j * n + i] = 0.5 * (H[i * n + j]! + H[j * n + i]!);
  return H;
}

/**
 * The search direction (dx, dl) and the merit's directional derivative D along it: the sketched
 * Newton-KKT step, regularized and with the merit parameters adjusted until it is a direction of
 * sufficient descent; failing that, the merit's steepest descent direction (always one, unless
 * the merit is stationary).
 */
function direction(p: Problem, st: SketchNewtonState, pt: Point, H: Float64Array, o: SketchOptions) {
  const n = p.n,
    m = p.eq!.m,
    N = n + m;
  const Hgl = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Hgl[i] += H[i * n + j]! * pt.gl[j]!;
  const JtC = jtv(pt.J, pt.c, m, n);
  const JGl = jv(pt.J, pt.gl, m, n);
  const cn = normInf(pt.c);
  const rhs = new Float64Array(N);
  for (let i = 0; i < n; i++) rhs[i] = -pt.gl[i]!;
  for (let k = 0; k < m; k++) rhs[n + k] = pt.c[k]!;
  const dirDeriv = (dx: Float64Array, dl: Float64Array) =>
    dot(pt.gl, dx) + st.eta * dot(JtC, dx) + st.nu * dot(Hgl, dx) - dot(pt.c, dl) - st.nu * dot(JGl, dl);
  const need = (dx: Float64Array, dl: Float64Array) => -1e-8 * (dot(dx, dx) + dot(dl, dl));
  let delta = 0;
  for (let attempt = 0; attempt < 60; attempt++) {
    const K = new Float64Array(N * N);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) K[i * N + j] = H[i * n + j]! + (i === j ? delta : 0);
      for (let k = 0; k < m; k++) K[i * N + n + k] = K[(n + k) * N + i] = -pt.J[k * n + i]!;
    }
    const z = sketchSolve(K, rhs, N, o, st);
    const dx = z.slice(0, n),
      dl = z.slice(n);
    // Inertia-free curvature test (Chiang & Zavala 2016): dx'(H + delta I) dx >= kappa ||dx||^2,
    // else regularize H and solve again (keeps the step from heading to a maximizer).
    let curv = 0;
    for (let i = 0; i < n; i++) {
      let s = delta * dx[i]!;
      for (let j = 0; j < n; j++) s += H[i * n + j]! * dx[j]!;
      curv += dx[i]! * s;
    }
    if (curv < 1e-8 * dot(dx, dx) && attempt < 40) {
      delta = delta === 0 ? 1e-4 : 10 * delta;
      continue;
    }
    let D = dirDeriv(dx, dl);
    for (let k = 0; k < 20 && D > need(dx, dl) && cn > 0 && st.eta < 1e12; k++) {
      st.eta *= 10;
      D = dirDeriv(dx, dl);
    }
    for (let k = 0; k < 4 && D > need(dx, dl) && st.nu > 1e-8; k++) {
      st.nu /= 10;
      D = dirDeriv(dx, dl);
    }
    if (D <= need(dx, dl) && dot(dx, dx) + dot(dl, dl) > 0) return { dx, dl, D };
    delta = delta === 0 ? 1e-4 : 10 * delta;
  }
  // No sufficient descent from the Newton system: the merit's negative gradient.
  st.steepest++;
  const dx = Float64Array.from(pt.gl, (v, i) => -(v + st.eta * JtC[i]! + st.nu * Hgl[i]!));
  const dl = Float64Array.from(pt.c, (v, k) => v + st.nu * JGl[k]!);
  return { dx, dl, D: -(dot(dx, dx) + dot(dl, dl)) };
}

const merit = (st: SketchNewtonState, pt: Point, lambda: ArrayLike<number>) =>
  pt.f - dot(lambda, pt.c) + 0.5 * st.eta * dot(pt.c, pt.c) + 0.5 * st.nu * dot(pt.gl, pt.gl);

export const sketchNewton = defineMethod({
  name: 'sketch_newton',
  kind: 'solve',
  family: 'constrained',
  available: true,
  summary: 'exact augmented Lagrangian with randomized sketching of the Newton-KKT system (equality constraints)',
  test: 'Newton iterations / ‖∇ₓL‖∞ <= tol max(1, min(|f|, |f0|)) and ‖c_E‖∞ <= tol_feas',
  takes: { allows: ['equalities'], requires: ['equalities'] },
  options: {
    steps: stepsOption(200),
    tol: tolOption(1e-8),
    tol_feas: real({ default: 1e-8, positive: true, doc: 'the feasibility tolerance' }),
    sketch: oneOf({ values: ['kaczmarz', 'gaussian'], default: 'kaczmarz', doc: 'the randomized solver' }),
    sketch_size: int({ min: 1, doc: 'the Gaussian sketch block size (default ceil((n+m)/2))' }),
    max_sketch: int({ min: 1, doc: 'sketch iterations per Newton step (default 2000 (n+m))' }),
  },
  rises: true,
  needs: () => ['constraints'],
  init(p, x0, _o, ctx): SketchNewtonState {
    if (!p.eq || p.ineq || p.lower || p.upper)
      throw new Error(
        'sketch_newton handles equality constraints only (use the augmented Lagrangian for inequalities and bounds)',
      );
    const x = Float64Array.from(x0);
    const { g } = p.evaluate(x, 0);
    const lambda = Array.from(leastSquaresMultipliers(p.eq.evaluate(x).J, g, p.eq.m, p.n));
    const st: SketchNewtonState = {
      method: 'sketch_newton',
      step: 0,
      x: Array.from(x0),
      f: NaN,
      lambda,
      eta: ETA0,
      nu: NU0,
      rng: ctx.seed >>> 0,
      sketchIters: 0,
      evals: 0,
      hvps: 0,
      steepest: 0,
    };
    st.f = pointOf(p, st).f;
    return st;
  },
  step(p, st, o) {
    const pt = pointOf(p, st);
    const lam = Float64Array.from(st.lambda);
    const H = hessian(p, st, pt, lam);
    const { dx, dl, D } = direction(p, st, pt, H, o);
    st.step++;
    const M0 = merit(st, pt, lam);
    let a = 1;
    for (let k = 0; k < 50; k++) {
      const xa = pt.x.map((v, i) => v + a * dx[i]!);
      const la = lam.map((v, i) => v + a * dl[i]!);
      const pa = pointAt(p, st, xa, la);
      if (Number.isFinite(pa.f) && merit(st, pa, la) <= M0 + 1e-4 * a * D) {
        st.x = Array.from(xa);
        st.lambda = Array.from(la);
        st.f = pa.f;
        current.set(st, pa);
        return null;
      }
      a *= 0.5;
    }
    return 'the line search could not decrease the merit function further';
  },
  measure: 'kkt',
  criterion(p, st, o, scale) {
    const pt = pointOf(p, st);
    const kkt = scaledTest('‖grad L‖', normInf(pt.gl), o.tol, scale);
    const cn = normInf(pt.c);
    const feasible = cn <= o.tol_feas;
    return {
      converged: kkt.converged && feasible,
      measure: kkt.measure,
      text: `${kkt.text}, ‖c‖ ${cn.toExponential(2)} ${feasible ? '<=' : '>'} tol_feas ${o.tol_feas}`,
    };
  },
  diagnostics(p, st) {
    const pt = pointOf(p, st);
    return {
      kkt: normInf(pt.gl),
      max_violation: maxViolation(p, pt.x, { c: pt.c, J: pt.J }),
      multipliers: { eq: [...st.lambda], ineq: [], lower: [], upper: [] },
      outer_iterations: st.step,
      sketch_iterations: st.sketchIters,
      steepest_descent_steps: st.steepest,
      evaluations: st.evals,
      hvps: st.hvps,
    };
  },
});
