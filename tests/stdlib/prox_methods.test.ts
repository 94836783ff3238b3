// Proximal gradient and FISTA on the validation problems: lasso (against a coordinate-descent
// reference, exact support), group lasso (KKT conditions), nuclear-norm matrix completion, and
// the WGSEF vs group-lasso recovery ranges on group-sparse regression (recorded for the docs).
import { describe, expect, it } from 'vitest';
import { ops as P } from '../../runtime/index.js';
import { solve, type Problem as Objective } from '../../stdlib/index.js';
import { graphObjective } from '../../stdlib/optim/graph_objective.js';
import { hostProx } from '../../stdlib/prox/host.js';
import { rng } from './prox_refs.js';
import { trace, runRef, grad, valueAndGrad } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/ir/tracer.js';
import { fistaScan, proxGradSolution } from '../../stdlib/optim/prox_graph.js';
import { proxOf } from '../../stdlib/prox/registry.js';

/** 0.5 ||A x - b||^2 as a graph objective (A row-major m x n). */
function leastSquares(A: Float64Array, b: Float64Array, m: number, n: number): Objective {
  return graphObjective((x) => {
    const r = P.sub(P.matmul(P.constant(A, 'float64', [m, n]), x), P.constant(b, 'float64', [m]));
    return P.mul(0.5, P.sumsq(r));
  }, n);
}

export function lassoProblem(seed: number, m: number, n: number) {
  const R = rng(seed);
  const A = new Float64Array(m * n);
  for (let i = 0; i < A.length; i++) A[i] = R.normal() / Math.sqrt(m);
  const support: number[] = [];
  while (support.length < 10) {
    const j = Math.floor(R.u() * n);
    if (!support.includes(j)) support.push(j);
  }
  support.sort((a, b) => a - b);
  const xt = new Float64Array(n);
  for (const j of support) xt[j] = (R.u() < 0.5 ? -1 : 1) * (1 + R.u());
  const b = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[i * n + j]! * xt[j]!;
    b[i] = s + 0.01 * R.normal();
  }
  let lmax = 0;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += A[i * n + j]! * b[i]!;
    lmax = Math.max(lmax, Math.abs(s));
  }
  return { A, b, xt, support, lambda: 0.1 * lmax };
}

const lassoObjective = (A: Float64Array, b: Float64Array, m: number, n: number, lam: number, x: ArrayLike<number>) => {
  let f = 0;
  for (let i = 0; i < m; i++) {
    let s = -b[i]!;
    for (let j = 0; j < n; j++) s += A[i * n + j]! * x[j]!;
    f += 0.5 * s * s;
  }
  for (let j = 0; j < n; j++) f += lam * Math.abs(x[j]!);
  return f;
};

/** Cyclic coordinate descent for the lasso, to convergence (the reference). */
function coordinateDescent(A: Float64Array, b: Float64Array, m: number, n: number, lam: number): Float64Array {
  const x = new Float64Array(n);
  const r = Float64Array.from(b); // r = b - A x
  const cn = new Float64Array(n);
  for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) cn[j] += A[i * n + j]! ** 2;
  for (let sweep = 0; sweep < 10000; sweep++) {
    let maxd = 0;
    for (let j = 0; j < n; j++) {
      let rho = 0;
      for (let i = 0; i < m; i++) rho += A[i * n + j]! * r[i]!;
      rho += cn[j]! * x[j]!;
      const xn = (Math.sign(rho) * Math.max(Math.abs(rho) - lam, 0)) / cn[j]!;
      const d = xn - x[j]!;
      if (d !== 0) {
        for (let i = 0; i < m; i++) r[i] -= A[i * n + j]! * d;
        x[j] = xn;
        maxd = Math.max(maxd, Math.abs(d));
      }
    }
    if (maxd < 1e-14) break;
  }
  return x;
}

describe('FISTA and proximal gradient', () => {
  it('lasso 200 x 500: FISTA matches coordinate descent to 1e-8 relative and finds exactly the true support', () => {
    const m = 200,
      n = 500;
    const { A, b, support, lambda } = lassoProblem(1, m, n);
    const obj: Objective = { ...leastSquares(A, b, m, n), prox: hostProx('norm1', { lambda }, [n]) };
    const r = solve(obj, new Float64Array(n), { method: 'fista', steps: 5000, tol: 1e-10 });
    const cd = coordinateDescent(A, b, m, n, lambda);
    const fRef = lassoObjective(A, b, m, n, lambda, cd);
    const fFista = lassoObjective(A, b, m, n, lambda, r.x);
    expect(r.status).toBe('converged');
    expect(Math.abs(fFista - fRef) / Math.abs(fRef)).toBeLessThan(1e-8);
    const nz = Array.from(r.x.keys()).filter((j) => r.x[j] !== 0);
    expect(nz).toEqual(support);
    console.log(
      `lasso: FISTA ${r.steps} iterations, |F - F_cd| / F_cd = ${(Math.abs(fFista - fRef) / fRef).toExponential(2)}, support ${nz.length}/10 exact`,
    );
  });

  it('proximal gradient (no momentum) also converges on the lasso, more slowly', () => {
    const m = 60,
      n = 100;
    const { A, b, lambda } = lassoProblem(2, m, n);
    const obj: Objective = { ...leastSquares(A, b, m, n), prox: hostProx('norm1', { lambda }, [n]) };
    const pg = solve(obj, new Float64Array(n), { method: 'prox_grad', steps: 20000, tol: 1e-9 });
    const fi = solve(obj, new Float64Array(n), { method: 'fista', steps: 20000, tol: 1e-9 });
    expect(pg.status).toBe('converged');
    expect(Math.abs(pg.f - fi.f) / fi.f).toBeLessThan(1e-8);
    expect(fi.steps).toBeLessThan(pg.steps);
  });

  it('FISTA resumes bit-identically from a checkpoint', () => {
    const m = 40,
      n = 60;
    const { A, b, lambda } = lassoProblem(3, m, n);
    const obj: Objective = { ...leastSquares(A, b, m, n), prox: hostProx('norm1', { lambda }, [n]) };
    const opts = { method: 'fista' as const, steps: 60, tol: 0 };
    const full = solve(obj, new Float64Array(n), opts);
    let saved: unknown = null;
    solve(
      obj,
      new Float64Array(n),
      { ...opts, steps: 25 },
      { checkpointEvery: 10, saveCheckpoint: (s) => (saved = JSON.parse(JSON.stringify(s))) },
    );
    const res = solve(obj, new Float64Array(n), opts, { resume: saved as never });
    expect(Array.from(res.x)).toEqual(Array.from(full.x));
  });

  it('group lasso: the solution satisfies the group KKT conditions', () => {
    const m = 50,
      G = 10,
      gs = 4,
      n = G * gs;
    const R = rng(5);
    const A = Float64Array.from({ length: m * n }, () => R.normal() / Math.sqrt(m));
    const xt = new Float64Array(n);
    for (const g of [1, 4, 7]) for (let j = 0; j < gs; j++) xt[g * gs + j] = R.normal() + 1;
    const b = Float64Array.from({ length: m }, (_, i) => {
      let s = 0;
      for (let j = 0; j < n; j++) s += A[i * n + j]! * xt[j]!;
      return s + 0.01 * R.normal();
    });
    const groups = Array.from({ length: G }, (_, g) => Array.from({ length: gs }, (_, j) => g * gs + j));
    const lambda = 0.3;
    const ls = leastSquares(A, b, m, n);
    const r = solve({ ...ls, prox: hostProx('group_lasso', { groups, lambda }, [n]) }, new Float64Array(n), {
      method: 'fista',
      steps: 5000,
      tol: 1e-11,
    });
    expect(r.status).toBe('converged');
    const grad = ls.evaluate(r.x, 0).g;
    const active: number[] = [];
    groups.forEach((g, k) => {
      const xn = Math.hypot(...g.map((i) => r.x[i]!));
      const gn = Math.hypot(...g.map((i) => grad[i]!));
      if (xn > 0) {
        active.push(k);
        for (const i of g) expect(Math.abs(grad[i]! + (lambda * r.x[i]!) / xn)).toBeLessThan(1e-8);
      } else expect(gn).toBeLessThanOrEqual(lambda + 1e-9);
    });
    expect(active).toEqual([1, 4, 7]);
  });

  it('nuclear-norm matrix completion: rank 3, 60 x 60, 40% observed, relative error < 1e-3', () => {
    const N = 60,
      rk = 3;
    const R = rng(11);
    const U = Float64Array.from({ length: N * rk }, () => R.normal());
    const V = Float64Array.from({ length: N * rk }, () => R.normal());
    const M = new Float64Array(N * N);
    for (let i = 0; i < N; i++)
      for (let j = 0; j < N; j++) for (let k = 0; k < rk; k++) M[i * N + j] += U[i * rk + k]! * V[j * rk + k]!;
    const mask = Float64Array.from({ length: N * N }, () => (R.u() < 0.4 ? 1 : 0));
    const smooth = graphObjective((x) => {
      const d = P.mul(P.constant(mask, 'float64', [N * N]), P.sub(x, P.constant(M, 'float64', [N * N])));
      return P.mul(0.5, P.sumsq(d));
    }, N * N);
    // Continuation on lambda (soft-impute style), warm-started; grad is 1-Lipschitz.
    let x: Float64Array = new Float64Array(N * N);
    let lam = 0.5 * Math.sqrt(M.reduce((s, v) => s + v * v, 0));
    let steps = 0;
    while (lam > 3e-3) {
      lam = Math.max(lam / 10, 3e-3);
      const r = solve({ ...smooth, prox: hostProx('nuclear', { lambda: lam }, [N, N]) }, x, {
        method: 'fista',
        steps: 300,
        tol: 1e-6,
        lipschitz: 1,
      });
      x = r.x;
      steps += r.steps;
    }
    let err = 0,
      nrm = 0;
    for (let i = 0; i < N * N; i++) {
      err += (x[i]! - M[i]!) ** 2;
      nrm += M[i]! ** 2;
    }
    const rel = Math.sqrt(err / nrm);
    console.log(`matrix completion: relative error ${rel.toExponential(2)} after ${steps} FISTA steps`);
    expect(rel).toBeLessThan(1e-3);
  });

  it('graph FISTA (scan) reaches the host solution, and the fixed-point solution is differentiable in the data', () => {
    const m = 30,
      n = 40;
    const { A, b, lambda } = lassoProblem(8, m, n);
    const host = solve({ ...leastSquares(A, b, m, n), prox: hostProx('norm1', { lambda }, [n]) }, new Float64Array(n), {
      method: 'fista',
      steps: 5000,
      tol: 1e-12,
    });
    const Ac = (x: Tracer) => P.constant(A, 'float64', [m, n]);
    const gradF = (x: Tracer, bb: Tracer) =>
      valueAndGrad((w: Tracer) => P.mul(0.5, P.sumsq(P.sub(P.matmul(Ac(w), w), bb))))(x)[1][0]!;
    const prox = proxOf('norm1', { lambda });
    const L = 10;
    const g = trace((bb) => fistaScan((x) => gradF(x, bb), prox, P.zeros([n]), { steps: 1500, t: 1 / L }), [[m]]);
    const xs = runRef(g, [{ data: b, shape: [m] }])[0]!.data;
    for (let i = 0; i < n; i++) expect(Math.abs(xs[i]! - host.x[i]!)).toBeLessThan(1e-7);
    // d/db of sum(x*(b)) through the implicit fixed point vs finite differences.
    const sol = (bb: Tracer) =>
      P.sum(proxGradSolution((x, th) => gradF(x, th!), prox, P.zeros([n]), [bb], { t: 1 / L }));
    const dg = trace((bb) => [sol(bb), grad(sol)(bb)], [[m]]);
    const at = (bv: Float64Array) => runRef(dg, [{ data: bv, shape: [m] }]).map((o) => o.data);
    const [, d] = at(b);
    for (const i of [0, 7, 19]) {
      const bp = Float64Array.from(b),
        bm = Float64Array.from(b);
      bp[i] += 1e-6;
      bm[i] -= 1e-6;
      const fd = (at(bp)[0]![0]! - at(bm)[0]![0]!) / 2e-6;
      expect(Math.abs(d![i]! - fd)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
    }
  });
});
