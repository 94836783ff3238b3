// The augmented Lagrangian method (method of multipliers; PHR form for inequalities, in the style
// of ALGENCAN, Birgin & Martinez 2014). Each outer iteration minimizes
//   L_rho(x) = f - lambda'c_E + (rho/2) ||c_E||^2 + (1/(2 rho)) sum (max(0, mu - rho c_I)^2 - mu^2)
// over the bounds with the projected L-BFGS solver (bounded.ts), to an inner tolerance that
// tightens as the outer iterations go; then updates the multipliers (lambda -= rho c_E,
// mu = max(0, mu - rho c_I)), safeguarded into [-1e12, 1e12] / [0, 1e12], and multiplies rho by 10
// when the infeasibility-complementarity measure V = max(||c_E||_inf, ||min(c_I, mu / rho)||_inf)
// did not fall below half its previous value.
// Stops when maxViolation <= tolFeas and the KKT residual ||P(x - grad L) - x||_inf <= tol *
// max(1, |f|) (what `tol` measures); reports `infeasible` when rho exceeds rhoMax while the
// violation stays above tolFeas. The state (between outer iterations) is plain JSON.
//
// Two safeguards keep every inner solve short:
// - `resolution`: the relative level a gradient resolves (1e-6 for float32 backends). Inner
//   solves are never asked for less, and end after INNER_PATIENCE iterations without a better
//   projected gradient, so they do not wander on rounding noise to their step cap; violations
//   below 10x it (relative to max(1, |f|)) neither raise the penalty nor count as infeasible;
//   the run ends `max_steps`, with a message saying why, once both the violation and the KKT
//   residual are at that noise level or stop halving for STALL_LIMIT outer iterations.
//   `converged` is still claimed only at the caller's `tol` and `tol_feas`.
// - An inner problem that is unbounded below (the objective falls faster away from the
//   constraints than the quadratic penalty grows, e.g. `- x^3` with x >= 0 and a constraint
//   that bounds x) is detected within the inner solve (its value far below the start's, or its
//   iterate far from it) and stopped; from then on the inner solves run in a box around the
//   current iterate (radius 10 max(1, |x|_inf), doubled whenever an inner solution ends on it)
//   and the penalty grows until it dominates inside the box. An outer iterate on the box is not
//   a KKT point of the problem, so `converged` stays honest.

import { minimizeBounded, projectedGradientNorm } from './bounded.js';
import {
  jtv,
  lowerOf,
  maxViolation,
  projectStart,
  upperOf,
  type ConstrainedProblem,
  type ConstrainedResult,
  type ConstrainedStatus,
} from './problem.js';
import type { SolveHooks } from '../optim/driver.js';

export interface AugLagOptions {
  /** Outer-iteration budget. */
  steps?: number;
  /** KKT tolerance (relative to max(1, |f|)). */
  tol?: number;
  /** Feasibility tolerance on the largest violation. */
  tolFeas?: number;
  rho0?: number;
  rhoMax?: number;
  /** Inner iteration budget per outer iteration. */
  innerSteps?: number;
  /** The relative accuracy the evaluations resolve (float32: 1e-6); inner solves ask no less. */
  resolution?: number;
}

export interface AugLagState {
  method: 'auglag';
  step: number;
  x: number[];
  lambda: number[];
  mu: number[];
  rho: number;
  vPrev: number;
  innerTol: number;
  evals: number;
  innerIters: number;
  warnings: string[];
  /** The radius of the box inner solves run in once one was unbounded (0: none). */
  box?: number;
  /** With `resolution`: the best max(violation, KKT residual) seen, and outer iterations since it halved. */
  best?: number;
  stall?: number;
}

const SAFE = 1e12;
/** An inner solve whose value falls this far (relative) below its start is unbounded below. */
const UNBOUNDED_DROP = 1e12;
/** ... or whose iterate moves this far (relative) from its start. */
const UNBOUNDED_MOVE = 1e8;
/** With `resolution` set: inner iterations without a better projected gradient before it ends. */
const INNER_PATIENCE = 20;
/** With `resolution` set: outer iterations without halving max(violation, KKT) before the run ends. */
const STALL_LIMIT = 5;

export interface AugLagStepInfo {
  step: number;
  f: number;
  kkt: number;
  maxViolation: number;
  rho: number;
}

type Hooks = Pick<SolveHooks, 'shouldStop' | 'checkpointEvery'> & {
  onStep?(i: AugLagStepInfo): void;
  saveCheckpoint?(s: AugLagState): void;
  resume?: AugLagState;
};

function boundsOf(p: ConstrainedProblem) {
  const lo = new Float64Array(p.n),
    hi = new Float64Array(p.n);
  for (let i = 0; i < p.n; i++) {
    lo[i] = lowerOf(p, i);
    hi[i] = upperOf(p, i);
  }
  return { lo, hi };
}

/** The gradient of the Lagrangian and the KKT residual at x for given multipliers. */
export function kktResidual(p: ConstrainedProblem, x: Float64Array, lambda: ArrayLike<number>, mu: ArrayLike<number>) {
  const { f, g } = p.f(x);
  const gl = Float64Array.from(g);
  const E = p.eq?.evaluate(x),
    I = p.ineq?.evaluate(x);
  if (E) jtv(E.J, lambda, p.eq!.m, p.n).forEach((v, i) => (gl[i] -= v));
  if (I) jtv(I.J, mu, p.ineq!.m, p.n).forEach((v, i) => (gl[i] -= v));
  const { lo, hi } = boundsOf(p);
  let comp = 0;
  if (I) I.c.forEach((c, j) => (comp = Math.max(comp, Math.abs(Math.min(c, mu[j]!)))));
  return { f, gl, kkt: Math.max(projectedGradientNorm(x, gl, lo, hi), comp), viol: maxViolation(p, x, E, I), lo, hi };
}

export function* augLagSteps(
  p: ConstrainedProblem,
  x0: ArrayLike<number>,
  o: AugLagOptions = {},
  hooks: Hooks = {},
): Generator<AugLagStepInfo, ConstrainedResult> {
  const steps = o.steps ?? 100,
    tol = o.tol ?? 1e-8,
    tolFeas = o.tolFeas ?? 1e-8,
    rhoMax = o.rhoMax ?? 1e12;
  // Violations and KKT residuals below what the evaluations resolve (relative to the objective's
  // size) are noise: they neither raise the penalty nor mean infeasible, and reaching them ends
  // the run (not converged: `tol` was not met).
  const resol = o.resolution ?? 0;
  const noise = (f: number) => 10 * resol * Math.max(1, Math.abs(f));
  const mE = p.eq?.m ?? 0,
    mI = p.ineq?.m ?? 0;
  let st: AugLagState;
  if (hooks.resume) st = hooks.resume;
  else {
    const { x, warning } = projectStart(p, x0);
    st = {
      method: 'auglag',
      step: 0,
      x: Array.from(x),
      lambda: new Array(mE).fill(0),
      mu: new Array(mI).fill(0),
      rho: o.rho0 ?? 10,
      vPrev: Infinity,
      innerTol: 1e-2,
      evals: 0,
      innerIters: 0,
      warnings: warning ? [warning] : [],
    };
  }
  const { lo, hi } = boundsOf(p);
  const finish = (status: ConstrainedStatus, message: string): ConstrainedResult => {
    const x = Float64Array.from(st.x);
    const k = kktResidual(p, x, st.lambda, st.mu);
    const zl = new Array(p.n).fill(0),
      zu = new Array(p.n).fill(0);
    for (let i = 0; i < p.n; i++) {
      if (x[i]! <= lo[i]! && k.gl[i]! > 0) zl[i] = k.gl[i]!;
      if (x[i]! >= hi[i]! && k.gl[i]! < 0) zu[i] = -k.gl[i]!;
    }
    return {
      x,
      f: k.f,
      status,
      message,
      steps: st.step,
      kkt: k.kkt,
      maxViolation: k.viol,
      multipliers: { eq: [...st.lambda], ineq: [...st.mu], lower: zl, upper: zu },
      warnings: [...st.warnings],
      stats: { evals: st.evals, innerIters: st.innerIters, rho: st.rho },
      state: st,
    };
  };
  const lagr = (x: Float64Array) => {
    st.evals++;
    let { f, g } = p.f(x);
    g = Float64Array.from(g);
    if (p.eq) {
      const { c, J } = p.eq.evaluate(x);
      const w = new Float64Array(mE);
      for (let i = 0; i < mE; i++) {
        f += -st.lambda[i]! * c[i]! + 0.5 * st.rho * c[i]! * c[i]!;
        w[i] = st.lambda[i]! - st.rho * c[i]!;
      }
      jtv(J, w, mE, p.n).forEach((v, i) => (g[i] -= v));
    }
    if (p.ineq) {
      const { c, J } = p.ineq.evaluate(x);
      const w = new Float64Array(mI);
      for (let i = 0; i < mI; i++) {
        const s = Math.max(0, st.mu[i]! - st.rho * c[i]!);
        f += (s * s - st.mu[i]! * st.mu[i]!) / (2 * st.rho);
        w[i] = s;
      }
      jtv(J, w, mI, p.n).forEach((v, i) => (g[i] -= v));
    }
    return { f, g };
  };
  for (;;) {
    const x = Float64Array.from(st.x);
    const k = kktResidual(p, x, st.lambda, st.mu);
    if (!Number.isFinite(k.f)) return finish('diverged', 'the objective is not finite');
    if (st.step > 0 && k.viol <= tolFeas && k.kkt <= tol * Math.max(1, Math.abs(k.f)))
      return finish('converged', `KKT residual ${k.kkt.toExponential(2)}, max violation ${k.viol.toExponential(2)}`);
    const feasFloor = Math.max(tolFeas, noise(k.f));
    if (resol && st.step > 0 && k.viol <= feasFloor && k.kkt <= Math.max(tol * Math.max(1, Math.abs(k.f)), noise(k.f)))
      return finish(
        'max_steps',
        `reached the backend's resolution (KKT residual ${k.kkt.toExponential(2)}, max violation ${k.viol.toExponential(2)}) before tol = ${tol}: a float32 backend resolves no further`,
      );
    if (resol && (st.stall ?? 0) >= STALL_LIMIT)
      return finish(
        'max_steps',
        `no progress in ${STALL_LIMIT} outer iterations (KKT residual ${k.kkt.toExponential(2)}, max violation ${k.viol.toExponential(2)}): the backend's rounding stops it before tol = ${tol}`,
      );
    if (st.rho > rhoMax && k.viol > feasFloor)
      return finish(
        'infeasible',
        `the penalty reached ${st.rho.toExponential(1)} with the violation still ${k.viol.toExponential(2)}: the constraints look infeasible`,
      );
    if (st.step >= steps) return finish('max_steps', `reached the outer-iteration budget (${steps})`);
    if (hooks.shouldStop?.()) return finish('stopped', 'stopped by the user');
    // Inner solve.
    const scale = Math.max(1, Math.abs(k.f));
    const innerTol = Math.max(st.innerTol, 0.5 * tol * scale, (o.resolution ?? 0) * scale);
    const inner = (box: number) => {
      const blo = box ? lo.map((v, i) => Math.max(v, x[i]! - box)) : lo;
      const bhi = box ? hi.map((v, i) => Math.min(v, x[i]! + box)) : hi;
      const start = lagr(x).f;
      const xmax = x.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
      let unbounded = false;
      const guarded = (z: Float64Array) => {
        const r = lagr(z);
        if (!box && (r.f < start - UNBOUNDED_DROP * Math.max(1, Math.abs(start)) || r.f === -Infinity))
          unbounded = true;
        if (!box && z.some((v) => Math.abs(v) > UNBOUNDED_MOVE * xmax)) unbounded = true;
        return r;
      };
      const r = minimizeBounded(
        guarded,
        x,
        {
          lower: blo,
          upper: bhi,
          tol: innerTol,
          maxIter: o.innerSteps ?? 1000,
          patience: o.resolution ? INNER_PATIENCE : undefined,
        },
        { shouldStop: () => unbounded },
      );
      st.innerIters += r.iters;
      return {
        r,
        unbounded,
        onBox: !!box && r.x.some((v, i) => (v === blo[i] && v > lo[i]!) || (v === bhi[i] && v < hi[i]!)),
      };
    };
    let res = inner(st.box ?? 0);
    if (res.unbounded) {
      // Unbounded below away from the constraints: solve in a box from now on (see the header).
      st.box = 10 * x.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
      st.rho *= 10;
      if (!st.warnings.some((w) => w.startsWith('the inner problem')))
        st.warnings.push(
          'the inner problem was unbounded below (the objective falls without bound away from the constraints); the inner solves run in a box around the iterate',
        );
      res = inner(st.box);
    }
    if (res.onBox) st.box! *= 2;
    const r = res.r;
    const xn = r.x;
    const E = p.eq?.evaluate(xn),
      I = p.ineq?.evaluate(xn);
    // Multiplier updates (safeguarded).
    if (E) st.lambda = st.lambda.map((l, i) => Math.min(SAFE, Math.max(-SAFE, l - st.rho * E.c[i]!)));
    let V = 0;
    if (E) for (const c of E.c) V = Math.max(V, Math.abs(c));
    if (I) {
      const muOld = st.mu;
      I.c.forEach((c, i) => (V = Math.max(V, Math.abs(Math.min(c, muOld[i]! / st.rho)))));
      st.mu = st.mu.map((m, i) => Math.min(SAFE, Math.max(0, m - st.rho * I.c[i]!)));
    }
    if (V > 0.5 * st.vPrev && V > Math.max(0.1 * tolFeas, noise(k.f))) st.rho *= 10;
    if (resol) st.stall = Math.max(V, k.kkt) < 0.5 * (st.best ?? Infinity) ? 0 : (st.stall ?? 0) + 1;
    if (resol) st.best = Math.min(st.best ?? Infinity, Math.max(V, k.kkt));
    st.vPrev = V;
    st.innerTol = Math.max(0.1 * st.innerTol, 0.1 * tol);
    st.x = Array.from(xn);
    st.step++;
    const kk = kktResidual(p, xn, st.lambda, st.mu);
    const info = { step: st.step, f: kk.f, kkt: kk.kkt, maxViolation: kk.viol, rho: st.rho };
    hooks.onStep?.(info);
    if (hooks.checkpointEvery && hooks.saveCheckpoint && st.step % hooks.checkpointEvery === 0)
      hooks.saveCheckpoint(st);
    yield info;
  }
}

export function augLag(
  p: ConstrainedProblem,
  x0: ArrayLike<number>,
  o: AugLagOptions = {},
  hooks: Hooks = {},
): ConstrainedResult {
  const it = augLagSteps(p, x0, o, hooks);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}
