// Small problems for every shape a method of the table takes, written on the host (no tracing,
// so a property test can run many): a convex quadratic (with a least-squares residual, a prox
// term, bounds or linear equality constraints) where a method converges, and an unbounded linear
// objective where none can. Each comes with the independent first-order optimality measure a
// `converged` claim is checked against.

import { hostProx, type AnyRunnable, type Problem } from '../../stdlib/index.js';
import { mulberry32 } from '../../runtime/index.js';

export interface TestProblem {
  problem: Problem;
  /** The first-order optimality residual at x, computed here (not by the method). */
  residual(x: Float64Array): number;
}

const matvec = (A: number[][], x: ArrayLike<number>) => A.map((row) => row.reduce((s, a, j) => s + a * x[j]!, 0));

/** f = 0.5 (x - c)' A (x - c) + shift with A = I + B'B / n: well conditioned, minimizer c. */
export function quadratic(n: number, seed: number, shift = 0): { p: Problem; A: number[][]; c: number[] } {
  const u = mulberry32(seed);
  const B = Array.from({ length: n }, () => Array.from({ length: n }, () => 2 * u() - 1));
  const A = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : 0) + B.reduce((s, r) => s + r[i]! * r[j]!, 0) / n),
  );
  const c = Array.from({ length: n }, () => 4 * u() - 2);
  const value = (x: Float64Array) => {
    const d = Array.from(x, (v, i) => v - c[i]!);
    return 0.5 * d.reduce((s, di, i) => s + di * matvec(A, d)[i]!, 0) + shift;
  };
  const p: Problem = {
    n,
    evaluate: (x) => ({
      f: value(x),
      g: Float64Array.from(
        matvec(
          A,
          Array.from(x, (v, i) => v - c[i]!),
        ),
      ),
    }),
    value,
    hvp: (_x, v) => Float64Array.from(matvec(A, v)),
  };
  return { p, A, c };
}

const normInf = (v: ArrayLike<number>) => Array.from(v).reduce((m, a) => Math.max(m, Math.abs(a)), 0);

/** The problem of the shape `m` takes, on a quadratic. */
export function convergent(m: AnyRunnable, n: number, seed: number): TestProblem {
  const { p, A, c } = quadratic(n, seed);
  const needs = new Set(m.needs({ batch: 'full' } as never));
  const grad = (x: Float64Array) => p.evaluate(x, 0).g;
  if ((m.takes.requires ?? []).includes('least_squares')) {
    // f = 0.5 ||L' (x - c)||^2 with A = L L' ... use r = R (x - c) with R = chol-free B: A itself as R.
    const R = A;
    const r = (x: Float64Array) =>
      Float64Array.from(
        matvec(
          R,
          Array.from(x, (v, i) => v - c[i]!),
        ),
      );
    const lsq: Problem = {
      n,
      evaluate: (x) => {
        const rv = r(x);
        return { f: 0.5 * rv.reduce((s, v) => s + v * v, 0), g: Float64Array.from(matvec(transpose(R), rv)) };
      },
      residual: {
        m: n,
        r,
        jvp: (_x, v) => Float64Array.from(matvec(R, v)),
        vjp: (_x, w) => Float64Array.from(matvec(transpose(R), w)),
      },
    };
    return { problem: lsq, residual: (x) => normInf(lsq.evaluate(x, 0).g) };
  }
  if (needs.has('prox')) {
    const lambda = 0.3;
    const prox = hostProx('norm1', { lambda }, [n]);
    // The prox-gradient residual ||x - prox(x - g, 1)||: zero exactly at a minimizer of f + lambda |x|_1.
    return {
      problem: { ...p, prox },
      residual: (x) => {
        const g = grad(x);
        return normInf(
          prox
            .prox(
              Float64Array.from(x, (v, i) => v - g[i]!),
              1,
            )
            .map((v, i) => v - x[i]!),
        );
      },
    };
  }
  if (needs.has('constraints')) {
    // One linear equality: sum(x) = 1; the KKT residual is g - lambda 1 with lambda the mean of g.
    const eq = {
      m: 1,
      evaluate: (x: Float64Array) => ({
        c: Float64Array.of(x.reduce((s, v) => s + v, 0) - 1),
        J: new Float64Array(n).fill(1),
      }),
    };
    return {
      problem: { ...p, eq, lagHvp: (_x, _l, v) => Float64Array.from(matvec(A, v)) },
      residual: (x) => {
        const g = grad(x);
        const lam = g.reduce((s, v) => s + v, 0) / n;
        return Math.max(normInf(g.map((v) => v - lam)), Math.abs(x.reduce((s, v) => s + v, 0) - 1));
      },
    };
  }
  if (needs.has('bounds')) {
    const lower = new Float64Array(n).fill(-1),
      upper = new Float64Array(n).fill(1);
    return {
      problem: { ...p, lower, upper },
      residual: (x) => {
        const g = grad(x);
        return normInf(x.map((v, i) => Math.min(Math.max(v - g[i]!, -1), 1) - v));
      },
    };
  }
  return { problem: p, residual: (x) => normInf(grad(x)) };
}

/** f = a'x with |a_i| >= 1 (so a prox term 0.3 |x|_1 does not bound it), no bounds: unbounded below. */
export function unbounded(m: AnyRunnable, n: number, seed: number): Problem | null {
  if ((m.takes.requires ?? []).includes('least_squares')) return null; // 0.5 ||r||^2 >= 0
  const u = mulberry32(seed);
  const a = Array.from({ length: n }, () => (u() < 0.5 ? -1 : 1) * (1 + u()));
  const p: Problem = {
    n,
    evaluate: (x) => ({ f: x.reduce((s, v, i) => s + a[i]! * v, 0), g: Float64Array.from(a) }),
    hvp: (_x, v) => new Float64Array(v.length),
  };
  const needs = new Set(m.needs({ batch: 'full' } as never));
  if (needs.has('prox')) p.prox = hostProx('norm1', { lambda: 0.3 }, [n]);
  if (needs.has('constraints')) {
    // x_0 - x_1 = 0 leaves the other directions (and x_0 + x_1) free; a is not in the range of J'.
    const J = new Float64Array(n);
    J[0] = 1;
    J[1] = -1;
    p.eq = { m: 1, evaluate: (x) => ({ c: Float64Array.of(x[0]! - x[1]!), J }) };
    p.lagHvp = (_x, _l, v) => new Float64Array(v.length);
    if (Math.abs(a[0]! + a[1]!) < 1e-9) a[0] = a[0]! + 1;
  }
  return p;
}

const transpose = (A: number[][]) => A[0]!.map((_, j) => A.map((r) => r[j]!));
