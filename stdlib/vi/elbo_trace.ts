// The ELBO trace in results: plateau detection over a whole trace, and a short form of it.
//
// Rule (the same as the streaming form in plateau.ts, which the VI engine runs step by step; this
// is the whole-trace form for diagnostics and tests): cut the trace into consecutive windows of
// W steps; the run has plateaued at the end of the first window whose mean gains less than
// max(tol |mean|, 2 se) over the previous window's, se being the standard error of the
// difference of the two means (from the windows' own spread). Windowed means average out the
// Monte Carlo noise of single estimates, the 2 se term stops once the gain is below what the
// noise can resolve, and the tol term stops a slow creep of relative size tol per window.
// Defaults: W = 100, tol = 1e-4. The rule reads only the trace (no clock), so a resumed run
// stops where an uninterrupted one would.

export interface PlateauOptions {
  window?: number;
  tol?: number;
}

export interface Plateau {
  /** Step (index into the trace, exclusive end) where the rule fired, or null. */
  at: number | null;
  /** Window means so far. */
  means: number[];
}

export function detectPlateau(trace: ArrayLike<number>, opts: PlateauOptions = {}): Plateau {
  const W = opts.window ?? 100;
  const tol = opts.tol ?? 1e-4;
  const means: number[] = [];
  let prev: { mean: number; se: number } | null = null;
  for (let end = W; end <= trace.length; end += W) {
    let s = 0;
    let ss = 0;
    for (let i = end - W; i < end; i++) {
      s += trace[i]!;
      ss += trace[i]! ** 2;
    }
    const mean = s / W;
    const se = Math.sqrt(Math.max(ss / W - mean * mean, 0) / W);
    means.push(mean);
    if (prev && mean - prev.mean <= Math.max(tol * Math.abs(mean), 2 * Math.hypot(se, prev.se))) return { at: end, means };
    prev = { mean, se };
  }
  return { at: null, means };
}

/** A short form of a long trace for results: at most n points, each the mean of its stretch. */
export function shortTrace(trace: ArrayLike<number>, n = 50): number[] {
  const T = trace.length;
  if (T <= n) return Array.from(trace);
  const out: number[] = [];
  for (let b = 0; b < n; b++) {
    const lo = Math.floor((b * T) / n);
    const hi = Math.floor(((b + 1) * T) / n);
    let s = 0;
    for (let i = lo; i < hi; i++) s += trace[i]!;
    out.push(s / (hi - lo));
  }
  return out;
}
