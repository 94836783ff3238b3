// The ELBO trace in results: a short form of a long trace (the stopping rule is stopping.ts).

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
