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
// Stops when ||grad_x L||_inf <= tol * max(1, |f|) (what `tol` measures) and ||c||_inf <= tolFeas.
// The state, including the sampler's counter, is plain JSON; sketch iterations are reported.

import { dot, nrm2 } from '../optim/linalg_host.js';
import { leastSquaresMultipliers, solveSquare } from './dense.js';
import {
  jtv,
  jv,
  maxViolation,
  type ConstrainedProblem,
  type ConstrainedResult,
  type ConstrainedStatus,
} from './problem.js';

export interface SketchNewtonOptions {
  steps?: number;
  tol?: number;
  tolFeas?: number;
  /** 'kaczmarz' (default) or 'gaussian'. */
  sketch?: 'kaczmarz' | 'gaussian';
  /** Gaussian sketch block size (default ceil((n+m)/2)). */
  sketchSize?: number;
  /** Cap on sketch iterations per Newton step (default 2000 (n+m)). */
  maxSketch?: number;
  seed?: number;
  eta0?: number;
  nu0?: number;
}

export interface SketchNewtonState {
  method: 'sketch_newton';
  step: number;
  x: number[];
  lambda: number[];
  eta: number;
  nu: number;
  rng: number;
  sketchIters: number;
  evals: number;
  hvps: number;
}

/** A small counter-based generator (state = one uint32, JSON-safe). */
function uniform(st: { rng: number }): number {
  st.rng = (st.rng + 0x6d2b79f5) >>> 0;
  let t = st.rng;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
}
const gauss = (st: { rng: number }) => Math.sqrt(-2 * Math.log(uniform(st))) * Math.cos(2 * Math.PI * uniform(st));

interface Point {
  x: Float64Array;
  f: number;
  g: Float64Array;
  c: Float64Array;
  J: Float64Array;
  gl: Float64Array; // grad_x L
}

/** K z for K = [[H, -J'], [-J, 0]]. */
function kmul(H: Float64Array, J: Float64Array, n: number, m: number, z: Float64Array): Float64Array {
  const N = n + m;
  const r = new Float64Array(N);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += H[i * n + j]! * z[j]!;
    for (let k = 0; k < m; k++) s -= J[k * n + i]! * z[n + k]!;
    r[i] = s;
  }
  for (let k = 0; k < m; k++) {
    let s = 0;
    for (let j = 0; j < n; j++) s -= J[k * n + j]! * z[j]!;
    r[n + k] = s;
  }
  return r;
}

function sketchSolve(
  K: Float64Array,
  rhs: Float64Array,
  N: number,
  o: SketchNewtonOptions,
  st: SketchNewtonState,
): Float64Array {
  const z = new Float64Array(N);
  const rn = nrm2(rhs);
  if (rn === 0) return z;
  const target = Math.min(0.1, rn) * rn;
  const maxIt = o.maxSketch ?? 2000 * N;
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
    const q = Math.min(N, o.sketchSize ?? Math.ceil(N / 2));
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

export function sketchNewton(
  p: ConstrainedProblem,
  x0: ArrayLike<number>,
  o: SketchNewtonOptions = {},
  hooks: { resume?: SketchNewtonState; saveCheckpoint?(s: SketchNewtonState): void; shouldStop?(): boolean } = {},
): ConstrainedResult {
  if (!p.eq || p.ineq || p.lower || p.upper)
    throw new Error(
      'sketch_newton handles equality constraints only (use the augmented Lagrangian for inequalities and bounds)',
    );
  const n = p.n,
    m = p.eq.m,
    N = n + m;
  const steps = o.steps ?? 200,
    tol = o.tol ?? 1e-8,
    tolFeas = o.tolFeas ?? 1e-8;
  let st: SketchNewtonState;
  const evalAt = (x: Float64Array, lambda: ArrayLike<number>): Point => {
    st.evals++;
    const { f, g } = p.f(x);
    const { c, J } = p.eq!.evaluate(x);
    const gl = Float64Array.from(g);
    jtv(J, lambda, m, n).forEach((v, i) => (gl[i] -= v));
    return { x, f, g, c, J, gl };
  };
  if (hooks.resume) st = hooks.resume;
  else {
    st = {
      method: 'sketch_newton',
      step: 0,
      x: Array.from(x0),
      lambda: [],
      eta: o.eta0 ?? 10,
      nu: o.nu0 ?? 0.1,
      rng: (o.seed ?? 0) >>> 0,
      sketchIters: 0,
      evals: 0,
      hvps: 0,
    };
    const x = Float64Array.from(x0);
    const { g } = p.f(x);
    st.lambda = Array.from(leastSquaresMultipliers(p.eq.evaluate(x).J, g, m, n));
  }
  const merit = (pt: Point, lambda: ArrayLike<number>) =>
    pt.f - dot(lambda, pt.c) + 0.5 * st.eta * dot(pt.c, pt.c) + 0.5 * st.nu * dot(pt.gl, pt.gl);
  const hessian = (pt: Point, lambda: Float64Array): Float64Array => {
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
        col = evalAt(xp, lambda).gl.map((v, i) => (v - pt.gl[i]!) / h);
      }
      st.hvps++;
      for (let i = 0; i < n; i++) H[i * n + j] = col[i]!;
    }
    for (let i = 0; i < n; i++)
      for (let j = 0; j < i; j++) H[i * n + j] = H[j * n + i] = 0.5 * (H[i * n + j]! + H[j * n + i]!);
    return H;
  };
  const finish = (status: ConstrainedStatus, message: string, pt: Point): ConstrainedResult => ({
    x: Float64Array.from(pt.x),
    f: pt.f,
    status,
    message,
    steps: st.step,
    kkt: Math.max(...Array.from(pt.gl, Math.abs), 0),
    maxViolation: maxViolation(p, pt.x, { c: pt.c, J: pt.J }),
    multipliers: { eq: [...st.lambda], ineq: [], lower: [], upper: [] },
    warnings: [],
    stats: { sketchIters: st.sketchIters, evals: st.evals, hvps: st.hvps, eta: st.eta, nu: st.nu },
    state: st,
  });
  let pt = evalAt(Float64Array.from(st.x), st.lambda);
  for (;;) {
    const gln = Math.max(0, ...Array.from(pt.gl, Math.abs));
    const cn = Math.max(0, ...Array.from(pt.c, Math.abs));
    if (!Number.isFinite(pt.f)) return finish('diverged', 'the objective is not finite', pt);
    if (gln <= tol * Math.max(1, Math.abs(pt.f)) && cn <= tolFeas)
      return finish('converged', `||grad L|| ${gln.toExponential(2)}, ||c|| ${cn.toExponential(2)}`, pt);
    if (st.step >= steps) return finish('max_steps', `reached the step budget (${steps})`, pt);
    if (hooks.shouldStop?.()) return finish('stopped', 'stopped by the user', pt);
    const lam = Float64Array.from(st.lambda);
    const H = hessian(pt, lam);
    const Hgl = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Hgl[i] += H[i * n + j]! * pt.gl[j]!;
    const JtC = jtv(pt.J, pt.c, m, n);
    const JGl = jv(pt.J, pt.gl, m, n);
    const rhs = new Float64Array(N);
    for (let i = 0; i < n; i++) rhs[i] = -pt.gl[i]!;
    for (let k = 0; k < m; k++) rhs[n + k] = pt.c[k]!;
    let delta = 0;
    let dx = new Float64Array(n),
      dl = new Float64Array(m),
      D = 0;
    let found = false;
    for (let attempt = 0; attempt < 60 && !found; attempt++) {
      const K = new Float64Array(N * N);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) K[i * N + j] = H[i * n + j]! + (i === j ? delta : 0);
        for (let k = 0; k < m; k++) K[i * N + n + k] = K[(n + k) * N + i] = -pt.J[k * n + i]!;
      }
      const z = sketchSolve(K, rhs, N, o, st);
      void kmul;
      dx = z.slice(0, n);
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
      const dir = () =>
        dot(pt.gl, dx) + st.eta * dot(JtC, dx) + st.nu * dot(Hgl, dx) - dot(pt.c, dl) - st.nu * dot(JGl, dl);
      const need = () => -1e-8 * (dot(dx, dx) + dot(dl, dl));
      D = dir();
      for (let k = 0; k < 20 && D > need() && cn > 0 && st.eta < 1e12; k++) {
        st.eta *= 10;
        D = dir();
      }
      for (let k = 0; k < 4 && D > need() && st.nu > 1e-8; k++) {
        st.nu /= 10;
        D = dir();
      }
      if (D <= need() && dot(dx, dx) + dot(dl, dl) > 0) found = true;
      else delta = delta === 0 ? 1e-4 : 10 * delta;
    }
    st.step++;
    if (!found) return finish('converged', 'no descent direction for the merit: stationary to machine precision', pt);
    const M0 = merit(pt, lam);
    let a = 1;
    let accepted = false;
    for (let k = 0; k < 50; k++) {
      const xa = pt.x.map((v, i) => v + a * dx[i]!);
      const la = lam.map((v, i) => v + a * dl[i]!);
      const pa = evalAt(xa, la);
      if (Number.isFinite(pa.f) && merit(pa, la) <= M0 + 1e-4 * a * D) {
        pt = pa;
        st.x = Array.from(xa);
        st.lambda = Array.from(la);
        accepted = true;
        break;
      }
      a *= 0.5;
    }
    if (!accepted)
      return finish('converged', 'the line search could not decrease the merit (converged to machine precision)', pt);
    hooks.saveCheckpoint?.(st);
  }
}
