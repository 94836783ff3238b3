// Gaussian approximations along the MAP path, the candidates for the start of the Gaussian
// guides. L-BFGS climbs the unconstrained log density from the initial point (through the solver
// driver); at the mode and at points along the way the caller's exact Hessian gives a local
// Gaussian (as Pathfinder does with its L-BFGS estimates: Zhang, Carpenter, Gelman & Vehtari
// 2022). Away from the mode the Gaussian is centred at the (saddle-free) Newton point
// x + |H|^-1 grad, the mode of the local quadratic model. The caller scores every candidate by
// its ELBO and keeps the best, so a MAP that does not describe the posterior (the neck of a
// funnel, where the density is unbounded at tau = 0) cannot trap the fit: a point earlier on
// the path, or the plain start, wins there. Host-side float64.
//
// Eigenvalues of the precision -H are made positive (|lambda|, floored at
// max(1e-8, 1e-13 x the largest)), so every candidate is a proper Gaussian: at a saddle or
// along a flat direction of an improper posterior the floored direction gets a huge variance,
// and its ELBO says so.

import { eigh } from '../../runtime/index.js';
import { solve } from '../methods/solve.js';
import type { Problem } from '../methods/rule.js';
import type { StartGaussian } from './whitening.js';

export interface PathCandidate extends StartGaussian {
  /** Index of the point along the path (0: the initial point), and whether it is the mode. */
  at: number;
  mode: boolean;
  /** Centred at the Newton point rather than at the path point. */
  newton: boolean;
  /** Log density at the point. */
  logp: number;
}

export interface PathResult {
  /** True when the MAP search ended at a finite point. */
  ok: boolean;
  mode: Float64Array;
  /** L-BFGS steps and why it stopped. */
  steps: number;
  message: string;
  /** Points of the path visited (strict improvements), and the Gaussians built. */
  points: number;
  candidates: PathCandidate[];
  /** With `lazy`: the candidates only have the mode's; this builds the earlier points' ones. */
  more?: () => PathCandidate[];
}

/** Relative and absolute floors on the precision's eigenvalues (relative: eigh is accurate to ~1e-16 of the largest; absolute: sd at most 1e4). */
const REL_FLOOR = 1e-13;
const ABS_FLOOR = 1e-8;

/**
 * `negLogDensity` is -log p on the unconstrained scale (value and gradient); `hessian(x)` its
 * Hessian, row-major [n, n]. At most `points` path points get a Hessian (the mode always).
 */
export function laplacePath(
  negLogDensity: Problem,
  x0: Float64Array,
  hessian: (x: Float64Array) => Float64Array,
  opts: { steps?: number; points?: number; lazy?: boolean } = {},
): PathResult {
  const n = negLogDensity.n;
  const path: { x: Float64Array; f: number; g: Float64Array }[] = [];
  const recording: Problem = {
    n,
    evaluate(x, step) {
      const r = negLogDensity.evaluate(x, step);
      const best = path.length ? path[path.length - 1]!.f : Infinity;
      if (Number.isFinite(r.f) && r.g.every(Number.isFinite) && r.f < best)
        path.push({ x: Float64Array.from(x), f: r.f, g: Float64Array.from(r.g) });
      return r;
    },
  };
  const r = solve(recording, x0, { method: 'lbfgs', steps: opts.steps ?? 1000, tol: 1e-10 });
  const ok = r.status !== 'diverged' && r.x.every(Number.isFinite) && path.length > 0;
  const out: PathResult = { ok, mode: r.x, steps: r.steps, message: r.message, points: path.length, candidates: [] };
  if (!path.length) return out;
  // The mode, then points spread evenly along the path (by index), latest first.
  const P = Math.max(1, opts.points ?? 8);
  const picks = new Set<number>([path.length - 1]);
  for (let k = 1; k < P && picks.size < path.length; k++)
    picks.add(Math.round(((path.length - 1) * (P - 1 - k)) / Math.max(P - 1, 1)));
  const build = (i: number): PathCandidate[] => {
    const p = path[i]!;
    let H: Float64Array;
    try {
      H = hessian(p.x);
    } catch {
      return [];
    }
    if (!H.every(Number.isFinite)) return [];
    const { w, v } = eigh(H, 1, n);
    let top = 0;
    for (const x of w) top = Math.max(top, Math.abs(x));
    const floor = Math.max(ABS_FLOOR, REL_FLOOR * top);
    const wf = w.map((x) => Math.max(Math.abs(x), floor));
    const mode = i === path.length - 1;
    const at = { w: wf, v, at: i, mode, logp: -p.f };
    if (mode) return [{ mean: p.x, newton: false, ...at }];
    // The Newton point x - |H|^-1 g (g the gradient of -log p).
    const step = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      let c = 0;
      for (let j = 0; j < n; j++) c += v[j * n + k]! * p.g[j]!;
      c /= wf[k]!;
      for (let j = 0; j < n; j++) step[j]! -= v[j * n + k]! * c;
    }
    const mean = Float64Array.from(p.x, (x, j) => x + step[j]!);
    return [
      { mean: p.x, newton: false, ...at },
      ...(mean.every(Number.isFinite) ? [{ mean, newton: true, ...at }] : []),
    ];
  };
  const earlier = [...picks].filter((i) => i !== path.length - 1).sort((a, b) => b - a);
  out.candidates = build(path.length - 1);
  const more = () => earlier.flatMap(build);
  if (opts.lazy) out.more = more;
  else out.candidates.push(...more());
  return out;
}
