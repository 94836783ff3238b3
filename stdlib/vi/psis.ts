// Pareto k-hat of importance weights (PSIS; Vehtari, Simpson, Gelman, Yao & Gabry 2015/2024), a
// check of how well a fitted guide q covers the posterior. With log weights log p(x, z) - log q(z)
// at draws z ~ q, a generalized Pareto is fitted to the largest M = ceil(min(n / 5, 3 sqrt(n)))
// weights above the next one (the threshold) by Zhang & Stephens' (2009) empirical-Bayes
// estimator, and its shape k is shrunk toward 0.5 by the weakly informative prior of the loo
// package (k n / (n + 10) + 5 / (n + 10)). Reading (Vehtari et al.): k < 0.5 fine, 0.5 to 0.7
// usable, > 0.7 the importance weights (and the guide) are unreliable: the weights' variance is
// infinite once k > 0.5 and their mean barely exists near 1. Host-side float64.

/** The generalized Pareto fit (shape k, scale sigma) of exceedances x > 0. */
export function gpdFit(xs: ArrayLike<number>, weaklyInformative = true): { k: number; sigma: number } {
  const x = Float64Array.from(xs).sort();
  const n = x.length;
  const prior = 3;
  const m = 30 + Math.floor(Math.sqrt(n));
  const xstar = x[Math.max(0, Math.floor(n / 4 + 0.5) - 1)]!;
  const theta = new Float64Array(m);
  const ll = new Float64Array(m);
  const meanLog1p = (a: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.log1p(a * x[i]!);
    return s / n;
  };
  for (let j = 1; j <= m; j++) {
    const t = 1 / x[n - 1]! + (1 - Math.sqrt(m / (j - 0.5))) / prior / xstar;
    theta[j - 1] = t;
    const k = meanLog1p(-t);
    ll[j - 1] = n * (Math.log(-t / k) - k - 1);
  }
  let top = -Infinity;
  for (const l of ll) top = Math.max(top, l);
  let z = 0;
  for (const l of ll) z += Math.exp(l - top);
  let thetaHat = 0;
  for (let j = 0; j < m; j++) thetaHat += (theta[j]! * Math.exp(ll[j]! - top)) / z;
  let k = meanLog1p(-thetaHat);
  const sigma = -k / thetaHat;
  if (weaklyInformative) k = (k * n) / (n + 10) + (10 * 0.5) / (n + 10);
  return { k, sigma };
}

export interface KHat {
  khat: number;
  /** Tail length M. */
  tail: number;
  /** 'good' (< 0.5), 'ok' (< 0.7), 'bad' (>= 0.7). */
  verdict: 'good' | 'ok' | 'bad';
}

/** k-hat of the importance weights exp(logWeights). NaN when fewer than 5 tail draws. */
export function paretoKHat(logWeights: ArrayLike<number>): KHat {
  const lw = Float64Array.from(logWeights)
    .filter((v) => !Number.isNaN(v))
    .sort();
  const n = lw.length;
  const M = Math.ceil(Math.min(0.2 * n, 3 * Math.sqrt(n)));
  if (M < 5 || n < M + 1) return { khat: NaN, tail: M, verdict: 'bad' };
  const top = lw[n - 1]!;
  if (top === -Infinity) return { khat: NaN, tail: M, verdict: 'bad' };
  const cutoff = Math.exp(lw[n - M - 1]! - top);
  const x = new Float64Array(M);
  for (let i = 0; i < M; i++) x[i] = Math.exp(lw[n - M + i]! - top) - cutoff;
  // All tail weights equal (a perfect guide): no tail at all.
  if (x[M - 1]! <= 0) return { khat: -Infinity, tail: M, verdict: 'good' };
  const { k } = gpdFit(x.filter((v) => v > 0));
  return { khat: k, tail: M, verdict: k < 0.5 ? 'good' : k < 0.7 ? 'ok' : 'bad' };
}

/**
 * Pareto-smoothed importance weights (Vehtari et al.): the M largest raw weights are replaced by
 * the expected order statistics of the fitted generalized Pareto (capped at the largest raw
 * weight), then all are normalized to sum 1. Returned in the draws' order, with k-hat.
 */
export function psisWeights(logWeights: ArrayLike<number>): { weights: Float64Array; khat: number } {
  const n = logWeights.length;
  const lw = Float64Array.from(logWeights, (v) => (Number.isNaN(v) ? -Infinity : v));
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => lw[a]! - lw[b]!);
  const top = lw[order[n - 1]!]!;
  const w = new Float64Array(n);
  if (!(top > -Infinity)) return { weights: w.fill(1 / n), khat: NaN };
  for (let i = 0; i < n; i++) w[i] = Math.exp(lw[i]! - top);
  const M = Math.ceil(Math.min(0.2 * n, 3 * Math.sqrt(n)));
  let khat = NaN;
  if (M >= 5 && n > M + 1) {
    const cutoff = w[order[n - M - 1]!]!;
    const x = Array.from({ length: M }, (_, i) => w[order[n - M + i]!]! - cutoff);
    if (x[M - 1]! <= 0) khat = -Infinity;
    else {
      const { k, sigma } = gpdFit(x.filter((v) => v > 0));
      khat = k;
      if (Number.isFinite(k) && sigma > 0) {
        for (let i = 0; i < M; i++) {
          const p = (i + 0.5) / M;
          const q = Math.abs(k) < 1e-12 ? -sigma * Math.log1p(-p) : (sigma / k) * ((1 - p) ** -k - 1);
          w[order[n - M + i]!] = Math.min(cutoff + q, 1);
        }
      }
    }
  }
  let s = 0;
  for (const v of w) s += v;
  for (let i = 0; i < n; i++) w[i]! /= s;
  return { weights: w, khat };
}
