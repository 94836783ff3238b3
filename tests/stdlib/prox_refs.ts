// Plain-JavaScript float64 references for the prox tests: closed forms written independently of
// the graph code, and numerical solutions (bisection on a scalar multiplier) of prox subproblems.

import { mulberry32, normals } from '../../runtime/index.js';

export const rng = (seed: number) => {
  const u = mulberry32(seed);
  const normal = normals(u);
  return { u, normal, vec: (n: number, sc = 1) => Float64Array.from({ length: n }, () => sc * normal()) };
};

/** Root of a nondecreasing function h on [lo, hi] by bisection to machine precision. */
export function bisect(h: (c: number) => number, lo: number, hi: number): number {
  while (h(hi) < 0) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (h(mid) < 0) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

export const soft = (v: number, t: number) => Math.sign(v) * Math.max(Math.abs(v) - t, 0);

/** Scale factors of the weighted group envelope prox (prox of mu * S_k(w .* n)), numerically. */
export function envelopeFactorsNumeric(n: number[], w: number[], k: number, mu: number): number[] {
  const nz = n.filter((v) => v > 0).length;
  let theta: number[];
  if (nz <= k) theta = n.map((v) => (v > 0 ? 1 : 0));
  else {
    const th = (c: number) => n.map((v, j) => Math.min(1, Math.max(0, v * w[j]! * c - mu * w[j]! * w[j]!)));
    const c = bisect((c) => th(c).reduce((a, b) => a + b, 0) - k, 0, 1);
    theta = th(c);
  }
  return theta.map((t, j) => (t > 0 ? t / (mu * w[j]! * w[j]! + t) : 0));
}

/** S_k(x) straight from its definition (sorted |x|, the search for r). */
export function envelopeValue(x: ArrayLike<number>, k: number): number {
  const z = Array.from(x, Math.abs).sort((a, b) => b - a);
  const d = z.length;
  if (k >= d) return 0.5 * z.reduce((a, b) => a + b * b, 0);
  const zz = (i: number) => (i === 0 ? Infinity : z[i - 1]!); // 1-based
  for (let r = 0; r < k; r++) {
    let T = 0;
    for (let i = k - r; i <= d; i++) T += zz(i);
    const m = T / (r + 1);
    if (zz(k - r - 1) > m && m >= zz(k - r)) {
      let head = 0;
      for (let i = 1; i < k - r; i++) head += zz(i) ** 2;
      return 0.5 * (head + (T * T) / (r + 1));
    }
  }
  throw new Error('no r found');
}

/** Projection onto {x >= 0, sum x = r} by bisection on the shift. */
export function simplexProj(v: ArrayLike<number>, r: number): Float64Array {
  const a = Array.from(v);
  const tau = bisect(
    (t) => r - a.reduce((s, x) => s + Math.max(x - t, 0), 0),
    Math.min(...a) - r - 1,
    Math.max(...a) + 1,
  );
  return Float64Array.from(a, (x) => Math.max(x - tau, 0));
}

export const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
export const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
export const norm2 = (a: ArrayLike<number>) => Math.sqrt(dot(a, a));

/** Solves a small dense system (Gaussian elimination with partial pivoting). */
export function solveDense(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((r, i) => [...r, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = M[r]![c]! / M[c]![c]!;
      for (let j = c; j <= n; j++) M[r]![j]! -= f * M[c]![j]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r]![n]!;
    for (let j = r + 1; j < n; j++) s -= M[r]![j]! * x[j]!;
    x[r] = s / M[r]![r]!;
  }
  return x;
}
