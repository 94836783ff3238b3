// The augmented Lagrangian method (method of multipliers; PHR form for inequalities, in the style
// of ALGENCAN, Birgin & Martinez 2014): the `auglag` entry. Each outer iteration minimizes
//   L_rho(x) = f - lambda'c_E + (rho/2) ||c_E||^2 + (1/(2 rho)) sum (max(0, mu - rho c_I)^2 - mu^2)
// over the bounds with the projected L-BFGS solver (bounded.ts), to an inner tolerance that
// tightens as the outer iterations go; then updates the multipliers (lambda -= rho c_E,
// mu = max(0, mu - rho c_I)), safeguarded into [-1e12, 1e12] / [0, 1e12], and multiplies rho by 10
// when the infeasibility-complementarity measure V = max(||c_E||_inf, ||min(c_I, mu / rho)||_inf)
// did not fall below half its previous value.
// The test (after at least one outer iteration): maxViolation <= tol_feas and the KKT residual
// ||P(x - grad L) - x||_inf <= tol * scale. The verdict `infeasible`: rho beyond penalty_max
// while the violation stays above tol_feas. The state (between outer iterations) is plain JSON.
//
// Two safeguards keep every inner solve short:
// - The run context's `resolution`: the relative level the evaluations resolve (1e-6 on float32
//   backends). Inner solves are never asked for less, and end after INNER_PATIENCE iterations
//   without a better projected gradient, so they do not wander on rounding noise to their step
//   cap; violations below 10x it (relative to max(1, |f|)) neither raise the penalty nor count as
//   infeasible; the run stops (the method can go no further) once both the violation and the
//   KKT residual are at that noise level or stop halving for STALL_LIMIT outer iterations.
//   `converged` is still claimed only at the caller's `tol` and `tol_feas`.
// - An inner problem that is unbounded below (the objective falls faster away from the
//   constraints than the quadratic penalty grows, e.g. `- x^3` with x >= 0 and a constraint
//   that bounds x) is detected within the inner solve (its value far below the start's, or its
//   iterate far from it) and stopped; from then on the inner solves run in a box around the
//   current iterate (radius 10 max(1, |x|_inf), doubled whenever an inner solution ends on it)
//   and the penalty grows until it dominates inside the box. An outer iterate on the box is not
//   a KKT point of the problem, so `converged` stays honest.

import { scaledTest } from '../methods/driver.js';
import { int, real, stepsOption, tolOption } from '../methods/options.js';
import { defineMethod, type Problem, type StateBase } from '../methods/rule.js';
import { minimizeBounded, projectedGradientNorm } from './bounded.js';
import { jtv, lowerOf, maxViolation, projectStart, upperOf } from './problem.js';

export interface AugLagState extends StateBase {
  method: 'auglag';
  lambda: number[];
  mu: number[];
  rho: number;
  vPrev: number;
  innerTol: number;
  evals: number;
  innerIters: number;
  warnings: string[];
  /** The evaluations' relative resolution (the run context's; 0: float64). */
  resolution?: number;
  /** The radius of the box inner solves run in once one was unbounded (0: none). */
  box?: number;
  /** With a resolution: the best max(violation, KKT residual) seen, and outer iterations since it halved. */
  best?: number;
  stall?: number;
}

const SAFE = 1e12;
/** An inner solve whose value falls this far (relative) below its start is unbounded below. */
const UNBOUNDED_DROP = 1e12;
/** ... or whose iterate moves this far (relative) from its start. */
const UNBOUNDED_MOVE = 1e8;
/** With a resolution: inner iterations without a better projected gradient before it ends. */
const INNER_PATIENCE = 20;
/** With a resolution: outer iterations without halving max(violation, KKT) before the run stops. */
const STALL_LIMIT = 5;

/** Violations and KKT residuals below this are rounding noise at resolution `res`. */
const noiseLevel = (res: number, f: number) => 10 * res * Math.max(1, Math.abs(f));

/** One inner solve from x, in a box of radius `box` around it when box > 0 (see the header). */
function innerSolve(
  lagr: (x: Float64Array) => { f: number; g: Float64Array },
  x: Float64Array,
  lo: Float64Array,
  hi: Float64Array,
  box: number,
  o: { tol: number; maxIter: number; patience?: number },
) {
  const blo = box ? lo.map((v, i) => Math.max(v, x[i]! - box)) : lo;
  const bhi = box ? hi.map((v, i) => Math.min(v, x[i]! + box)) : hi;
  const start = lagr(x).f;
  const xmax = x.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
  let unbounded = false;
  const guarded = (z: Float64Array) => {
    const r = lagr(z);
    if (!box && (r.f < start - UNBOUNDED_DROP * Math.max(1, Math.abs(start)) || r.f === -Infinity)) unbounded = true;
    if (!box && z.some((v) => Math.abs(v) > UNBOUNDED_MOVE * xmax)) unbounded = true;
    return r;
  };
  const r = minimizeBounded(guarded, x, { lower: blo, upper: bhi, ...o, shouldStop: () => unbounded });
  const onBox = !!box && r.x.some((v, i) => (v === blo[i] && v > lo[i]!) || (v === bhi[i] && v < hi[i]!));
  return { r, unbounded, onBox };
}

function boundsOf(p: Problem) {
  const lo = new Float64Array(p.n),
    hi = new Float64Array(p.n);
  for (let i = 0; i < p.n; i++) {
    lo[i] = lowerOf(p, i);
    hi[i] = upperOf(p, i);
  }
  return { lo, hi };
}

/** The gradient of the Lagrangian and the KKT residual at x for given multipliers. */
export function kktResidual(p: Problem, x: Float64Array, lambda: ArrayLike<number>, mu: ArrayLike<number>) {
  const { f, g } = p.evaluate(x, 0);
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

/** L_rho and its gradient for the current multipliers and penalty. */
function lagrangian(p: Problem, st: AugLagState) {
  const mE = p.eq?.m ?? 0,
    mI = p.ineq?.m ?? 0;
  return (x: Float64Array) => {
    st.evals++;
    let { f, g } = p.evaluate(x, 0);
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
}

export const auglag = defineMethod({
  name: 'auglag',
  kind: 'solve',
  family: 'constrained',
  available: true,
  summary: 'augmented Lagrangian (general equality and inequality constraints; bounds in the inner solves)',
  test: 'outer iterations / KKT residual <= tol max(1, min(|f|, |f0|)) and max violation <= tol_feas',
  takes: { allows: ['bounds', 'simplex', 'equalities', 'inequalities'] },
  auto: {
    rank: 30,
    when: (s) => s.features.has('equalities') || s.features.has('inequalities'),
    reason: (s) => {
      const e = s.counts.equalities ?? 0,
        i = s.counts.inequalities ?? 0;
      return `${e} equality and ${i} inequality constraint${e + i > 1 ? 's' : ''}: augmented Lagrangian`;
    },
  },
  options: {
    steps: stepsOption(100),
    tol: tolOption(1e-8),
    tol_feas: real({ default: 1e-8, positive: true, doc: 'the feasibility tolerance on the largest violation' }),
    penalty: real({ default: 10, positive: true, doc: 'the initial penalty rho' }),
    penalty_max: real({ default: 1e12, positive: true, doc: 'beyond it with a violation: infeasible' }),
    inner_steps: int({ default: 1000, min: 1, doc: 'the inner iteration budget per outer iteration' }),
  },
  // The objective may rise far above its start on the way to feasibility.
  rises: true,
  needs: () => ['constraints', 'bounds'],
  init(p, x0, o, ctx): AugLagState {
    const { x, warning } = projectStart(p, x0);
    return {
      method: 'auglag',
      step: 0,
      x: Array.from(x),
      f: p.evaluate(x, 0).f,
      lambda: new Array(p.eq?.m ?? 0).fill(0),
      mu: new Array(p.ineq?.m ?? 0).fill(0),
      rho: o.penalty,
      vPrev: Infinity,
      innerTol: 1e-2,
      evals: 0,
      innerIters: 0,
      warnings: warning ? [warning] : [],
      ...(ctx.resolution ? { resolution: ctx.resolution } : {}),
    };
  },
  step(p, st, o) {
    const x = Float64Array.from(st.x);
    const { lo, hi } = boundsOf(p);
    const res = st.resolution ?? 0;
    const scale = Math.max(1, Math.abs(st.f));
    const inner = {
      tol: Math.max(st.innerTol, 0.5 * o.tol * scale, res * scale),
      maxIter: o.inner_steps,
      patience: res ? INNER_PATIENCE : undefined,
    };
    const lagr = lagrangian(p, st);
    let solved = innerSolve(lagr, x, lo, hi, st.box ?? 0, inner);
    st.innerIters += solved.r.iters;
    if (solved.unbounded) {
      // Unbounded below away from the constraints: solve in a box from now on (see the header).
      st.box = 10 * x.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
      st.rho *= 10;
      if (!st.warnings.some((w) => w.startsWith('the inner problem')))
        st.warnings.push(
          'the inner problem was unbounded below (the objective falls without bound away from the constraints); the inner solves run in a box around the iterate',
        );
      solved = innerSolve(lagrangian(p, st), x, lo, hi, st.box, inner);
      st.innerIters += solved.r.iters;
    }
    if (solved.onBox) st.box! *= 2;
    const r = solved.r;
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
    if (V > 0.5 * st.vPrev && V > Math.max(0.1 * o.tol_feas, noiseLevel(res, st.f))) st.rho *= 10;
    st.vPrev = V;
    st.innerTol = Math.max(0.1 * st.innerTol, 0.1 * o.tol);
    st.x = Array.from(xn);
    st.f = p.evaluate(xn, 0).f;
    st.step++;
    return res ? atResolution(p, st, o) : null;
  },
  measure: 'kkt',
  criterion(p, st, o, scale) {
    const k = kktResidual(p, Float64Array.from(st.x), st.lambda, st.mu);
    const kkt = scaledTest('KKT residual', k.kkt, o.tol, scale);
    const feasible = k.viol <= o.tol_feas;
    const text = `${kkt.text}, max violation ${k.viol.toExponential(2)} ${feasible ? '<=' : '>'} tol_feas ${o.tol_feas}`;
    if (st.step === 0) return { converged: false, measure: k.kkt, text: `${text} (before the first outer iteration)` };
    return { converged: kkt.converged && feasible, measure: k.kkt, text };
  },
  verdict(p, st, o) {
    if (!(st.rho > o.penalty_max)) return null;
    const viol = maxViolation(p, Float64Array.from(st.x));
    return viol > Math.max(o.tol_feas, noiseLevel(st.resolution ?? 0, st.f))
      ? {
          status: 'infeasible',
          text: `the penalty reached ${st.rho.toExponential(1)} with the violation still ${viol.toExponential(2)}: the constraints look infeasible`,
        }
      : null;
  },
  diagnostics(p, st) {
    const x = Float64Array.from(st.x);
    const k = kktResidual(p, x, st.lambda, st.mu);
    const lower = st.x.map((v, i) => (v <= k.lo[i]! && k.gl[i]! > 0 ? k.gl[i]! : 0));
    const upper = st.x.map((v, i) => (v >= k.hi[i]! && k.gl[i]! < 0 ? -k.gl[i]! : 0));
    return {
      kkt: k.kkt,
      max_violation: k.viol,
      multipliers: { eq: [...st.lambda], ineq: [...st.mu], lower, upper },
      outer_iterations: st.step,
      inner_iterations: st.innerIters,
      penalty: st.rho,
      evaluations: st.evals,
    };
  },
});

/**
 * With a resolution: why the run can go no further (its violation and KKT residual at the
 * evaluations' noise level, or not halving for STALL_LIMIT outer iterations), or null.
 */
function atResolution(p: Problem, st: AugLagState, o: { tol: number; tol_feas: number }): string | null {
  const res = st.resolution ?? 0;
  const k = kktResidual(p, Float64Array.from(st.x), st.lambda, st.mu);
  const noise = noiseLevel(res, k.f);
  const numbers = `KKT residual ${k.kkt.toExponential(2)}, max violation ${k.viol.toExponential(2)}`;
  if (k.viol <= Math.max(o.tol_feas, noise) && k.kkt <= noise)
    return `reached the backend's resolution (${numbers}) before tol = ${o.tol}: a float32 backend resolves no further`;
  const m = Math.max(k.viol, k.kkt);
  st.stall = m < 0.5 * (st.best ?? Infinity) ? 0 : (st.stall ?? 0) + 1;
  st.best = Math.min(st.best ?? Infinity, m);
  if (st.stall >= STALL_LIMIT)
    return `no progress in ${STALL_LIMIT} outer iterations (${numbers}): the backend's rounding stops it before tol = ${o.tol}`;
  return null;
}
