// Posterior summaries from draws: mean, sd (n - 1 denominator) and the 5, 50 and 95 % quantiles
// (linear interpolation between order statistics, R's type 7, as Stan's summaries).

export interface Summary {
  mean: number;
  sd: number;
  q05: number;
  q50: number;
  q95: number;
}

export function summarize(xs: ArrayLike<number>): Summary {
  const n = xs.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += xs[i]!;
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (xs[i]! - m) ** 2;
  const sorted = Float64Array.from(xs).sort();
  const q = (p: number) => {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(n - 1, lo + 1);
    return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
  };
  return { mean: m, sd: n > 1 ? Math.sqrt(v / (n - 1)) : 0, q05: q(0.05), q50: q(0.5), q95: q(0.95) };
}

/** Summaries of draws with normalized importance weights w (sum 1): weighted moments and quantiles. */
export function summarizeWeighted(xs: ArrayLike<number>, w: ArrayLike<number>): Summary {
  const n = xs.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += w[i]! * xs[i]!;
  let v = 0;
  let w2 = 0;
  for (let i = 0; i < n; i++) {
    v += w[i]! * (xs[i]! - m) ** 2;
    w2 += w[i]! * w[i]!;
  }
  // The unbiased weighted variance (reliability weights): v / (1 - sum w^2).
  const sd = w2 < 1 ? Math.sqrt(v / (1 - w2)) : 0;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => xs[a]! - xs[b]!);
  const q = (p: number) => {
    let c = 0;
    for (const i of order) {
      c += w[i]!;
      if (c >= p) return xs[i]!;
    }
    return xs[order[n - 1]!]!;
  };
  return { mean: m, sd, q05: q(0.05), q50: q(0.5), q95: q(0.95) };
}
