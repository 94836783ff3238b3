// Float64 finite differences, the independent check of every derivative in the runtime tests.
// All stencils are central: a 4-point (fourth-order) difference, Richardson-extrapolated over
// steps h and h/2, so the truncation error is O(h^6) and a step of 1e-3 keeps it near 1e-15 while
// rounding stays near eps*|f|/h ~ 1e-13*|f|: far inside the 1e-6 + 1e-6*|value| budget.
// Callers must keep kinks and poles more than 2h away from the evaluation points.

import { mulberry32 } from '../../runtime/index.js';

export type Vec = Float64Array;
export type VecFn = (x: Vec) => Vec;

/** The default step; the stencil reaches 2h from the point. */
export const FD_STEP = 1e-3;

/** d/dt f(t) at t = 0 for a vector-valued f of one real variable. */
export function derivative1(f: (t: number) => Vec, h = FD_STEP): Vec {
  const d4 = (s: number): Vec => {
    const p1 = f(s),
      m1 = f(-s),
      p2 = f(2 * s),
      m2 = f(-2 * s);
    return p1.map((_, i) => (-p2[i]! + 8 * p1[i]! - 8 * m1[i]! + m2[i]!) / (12 * s));
  };
  const a = d4(h),
    b = d4(h / 2);
  return b.map((v, i) => (16 * v - a[i]!) / 15);
}

const axpy = (x: Vec, t: number, v: Vec): Vec => x.map((xi, i) => xi + t * v[i]!);

/** The directional derivative of f at x along v: J(x) v. */
export const directional = (f: VecFn, x: Vec, v: Vec, h = FD_STEP): Vec => derivative1((t) => f(axpy(x, t, v)), h);

/** The gradient of a scalar function, one coordinate at a time. */
export function gradient(f: (x: Vec) => number, x: Vec, h = FD_STEP): Vec {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const e = new Float64Array(x.length);
    e[i] = 1;
    g[i] = directional((y) => Float64Array.of(f(y)), x, e, h)[0]!;
  }
  return g;
}

/** The Jacobian of f at x, rows = outputs, as an array of columns (one per input coordinate). */
export function jacobianColumns(f: VecFn, x: Vec, h = FD_STEP): Vec[] {
  return Array.from(x, (_, i) => {
    const e = new Float64Array(x.length);
    e[i] = 1;
    return directional(f, x, e, h);
  });
}

/** Hessian-vector product by differencing an (AD) gradient along v. */
export const hvpByGradient = (grad: VecFn, x: Vec, v: Vec, h = FD_STEP): Vec => directional(grad, x, v, h);

/** The tolerance: |a - b| <= abs + rel * |b| elementwise; returns the worst violation ratio. */
export function worstError(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  abs = 1e-6,
  rel = 1e-6,
): { ratio: number; at: number } {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  let ratio = 0,
    at = -1;
  for (let i = 0; i < actual.length; i++) {
    const e = Math.abs(actual[i]! - expected[i]!) / (abs + rel * Math.abs(expected[i]!));
    if (!(e <= ratio)) {
      ratio = e;
      at = i;
    }
  }
  return { ratio, at };
}

/** Throws a readable error when `actual` is not within abs + rel*|expected| of `expected`. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  abs = 1e-6,
  rel = 1e-6,
): void {
  const { ratio, at } = worstError(actual, expected, abs, rel);
  if (!(ratio <= 1)) {
    throw new Error(
      `${what}: element ${at} is ${actual[at]} but expected ${expected[at]} (error ${Math.abs(actual[at]! - expected[at]!).toExponential(2)}, ` +
        `tolerance ${abs} + ${rel}*|expected|)\n  actual   [${Array.from(actual)
          .map((v) => v.toPrecision(8))
          .join(', ')}]\n  expected [${Array.from(expected)
          .map((v) => v.toPrecision(8))
          .join(', ')}]`,
    );
  }
}

/** A small deterministic PRNG (mulberry32) for test inputs that must not depend on Math.random. */
export const rng = (seed: number): (() => number) => mulberry32(seed);

/** n uniform draws in [lo, hi). */
export const uniformVec = (r: () => number, n: number, lo: number, hi: number): Vec =>
  Float64Array.from({ length: n }, () => lo + (hi - lo) * r());

export const dotVec = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
