// The ELBO trace in results: plateau detection over a whole trace, and a short form of it.
//
// The rule is the VI engine's stopping rule (plateau.ts, run step by step there), replayed over
// a recorded trace: windows of W steps; the run has plateaued at the end of the first window
// whose mean gains less than max(tol |mean|, 2 se) over the previous window's (se of the
// difference of the two means). It reads only the trace, so a resumed run stops where an
// uninterrupted one would. Defaults here: W = 100, tol = 1e-4.

import { plateauInit, plateauPush } from './plateau.js';

export interface PlateauOptions {
  window?: number;
  tol?: number;
}

export interface Plateau {
  /** Steps consumed when the rule fired (index into the trace, exclusive end), or null. */
  at: number | null;
  /** Means of the complete windows up to there. */
  means: number[];
}

export function detectPlateau(trace: ArrayLike<number>, opts: PlateauOptions = {}): Plateau {
  const W = opts.window ?? 100;
  const st = plateauInit(W, opts.tol ?? 1e-4);
  const means: number[] = [];
  for (let i = 0; i < trace.length; i++) {
    const fired = plateauPush(st, i + 1, trace[i]!);
    if ((i + 1) % W === 0) means.push(st.prev!.mean);
    if (fired) return { at: st.firedAt, means };
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
