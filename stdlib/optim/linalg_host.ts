// Small float64 vector helpers and a matrix-free conjugate-gradient solver for the host loops.

export const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
export const nrm2 = (a: ArrayLike<number>): number => Math.sqrt(dot(a, a));
export const nrmInf = (a: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
};
/** a + s b. */
export const axpy = (a: ArrayLike<number>, s: number, b: ArrayLike<number>): Float64Array => {
  const r = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) r[i] = a[i]! + s * b[i]!;
  return r;
};

export interface CgResult {
  x: Float64Array;
  iters: number;
  /** True when a direction of nonpositive curvature stopped the iteration. */
  negativeCurvature: boolean;
}

/**
 * Solves A x = b for symmetric A given by products, from x = 0, until ||r|| <= rtol ||b|| or
 * maxIter; stops at the first direction of nonpositive curvature (Steihaug-style).
 */
export function cg(apply: (v: Float64Array) => Float64Array, b: Float64Array, rtol: number, maxIter: number): CgResult {
  const n = b.length;
  const x = new Float64Array(n);
  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  let rr = dot(r, r);
  const stop = rtol * rtol * rr;
  for (let k = 0; k < maxIter; k++) {
    if (rr <= stop || rr === 0) return { x, iters: k, negativeCurvature: false };
    const Ap = apply(p);
    const pAp = dot(p, Ap);
    if (!(pAp > 1e-300 * dot(p, p)))
      return { x: k === 0 ? Float64Array.from(b) : x, iters: k, negativeCurvature: true };
    const a = rr / pAp;
    for (let i = 0; i < n; i++) {
      x[i] += a * p[i]!;
      r[i] -= a * Ap[i]!;
    }
    const rr1 = dot(r, r);
    const beta = rr1 / rr;
    rr = rr1;
    for (let i = 0; i < n; i++) p[i] = r[i]! + beta * p[i]!;
  }
  return { x, iters: maxIter, negativeCurvature: false };
}
