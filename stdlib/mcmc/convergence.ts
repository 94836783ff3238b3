// Convergence diagnostics of several chains, with the current definitions (Vehtari, Gelman,
// Simpson, Carpenter and Buerkner 2021; the posterior package and Stan 2.26+):
//   - R-hat: the larger of the bulk R-hat (split chains, draws replaced by the normal scores of
//     their pooled ranks) and the tail R-hat (the same on |x - median|);
//   - bulk ESS: the ESS of the rank-normalized split chains; tail ESS: the smaller ESS of the
//     indicators x <= q05 and x <= q95 on split chains;
//   - ESS of one quantity: Geyer's initial positive sequence of the multi-chain autocorrelation
//     estimate, made monotone, with the improved end term and tau >= 1 / log10(total draws);
//   - E-BFMI of one chain: sum of squared energy changes over the energy's sum of squares.
// A quantity that is constant, not finite, or has fewer than 3 draws per split chain has no
// R-hat or ESS: NaN (the posterior package's NA).

import { autocovariance } from './fft.js';

/** Chains as arrays of equal length. */
export type Chains = readonly ArrayLike<number>[];

/** Each chain cut in two halves (the middle draw dropped when the length is odd). */
export function splitChains(chains: Chains): Float64Array[] {
  const out: Float64Array[] = [];
  for (const c of chains) {
    const n = c.length;
    if (n < 2) {
      out.push(Float64Array.from(c));
      continue;
    }
    const half = n / 2;
    const a = Math.floor(half);
    const b = Math.ceil(half + 1) - 1;
    out.push(Float64Array.from(Array.prototype.slice.call(c, 0, a) as number[]));
    out.push(Float64Array.from(Array.prototype.slice.call(c, b, n) as number[]));
  }
  return out;
}

function returnsNaN(chains: Chains): boolean {
  let first: number | null = null;
  let constant = true;
  for (const c of chains)
    for (let i = 0; i < c.length; i++) {
      const v = c[i]!;
      if (!Number.isFinite(v)) return true;
      if (first === null) first = v;
      else if (v !== first) constant = false;
    }
  return constant;
}

/** Normal scores of the pooled ranks (average ranks for ties): Phi^-1((r - 3/8) / (S + 1/4)). */
export function rankNormalize(chains: Chains): Float64Array[] {
  const S = chains.reduce((a, c) => a + c.length, 0);
  const sorted = new Float64Array(S);
  let k = 0;
  for (const c of chains) for (let i = 0; i < c.length; i++) sorted[k++] = c[i]!;
  sorted.sort();
  // The average rank of x: between its first and last positions in the sorted draws (1-based).
  const rankOf = (x: number) => {
    let lo = 0;
    let hi = S;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    let last = lo;
    hi = S;
    while (last < hi) {
      const mid = (last + hi) >> 1;
      if (sorted[mid]! <= x) last = mid + 1;
      else hi = mid;
    }
    return (lo + last - 1) / 2 + 1;
  };
  return chains.map((c) =>
    Float64Array.from(c as ArrayLike<number>, (x) => normalQuantile((rankOf(x) - 0.375) / (S + 0.25))),
  );
}

function meanOf(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
}

function varOf(x: ArrayLike<number>): number {
  const m = meanOf(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i]! - m) ** 2;
  return s / (x.length - 1);
}

/** The classic potential scale reduction of (already split) chains. */
export function rhatBasic(chains: Chains): number {
  if (returnsNaN(chains)) return NaN;
  const n = chains[0]!.length;
  const means = chains.map(meanOf);
  const vars = chains.map(varOf);
  const between = n * (chains.length > 1 ? varOf(means) : 0);
  const within = meanOf(vars);
  return Math.sqrt((between / within + n - 1) / n);
}

/** The effective sample size of (already split) chains of equal length. */
export function essBasic(chains: Chains): number {
  const m = chains.length;
  const n = chains[0]?.length ?? 0;
  if (n < 3 || returnsNaN(chains)) return NaN;
  const acov = chains.map((c) => autocovariance(c));
  const acovMean = (t: number) => {
    let s = 0;
    for (const a of acov) s += a[t]!;
    return s / m;
  };
  const meanVar = (acovMean(0) * n) / (n - 1);
  let varPlus = (meanVar * (n - 1)) / n;
  if (m > 1) varPlus += varOf(chains.map(meanOf));
  const rho = new Float64Array(n);
  let t = 0;
  let rhoEven = 1;
  rho[0] = rhoEven;
  let rhoOdd = 1 - (meanVar - acovMean(1)) / varPlus;
  rho[1] = rhoOdd;
  // Geyer's initial positive sequence.
  while (t < n - 5 && !Number.isNaN(rhoEven + rhoOdd) && rhoEven + rhoOdd > 0) {
    t += 2;
    rhoEven = 1 - (meanVar - acovMean(t)) / varPlus;
    rhoOdd = 1 - (meanVar - acovMean(t + 1)) / varPlus;
    if (rhoEven + rhoOdd >= 0) {
      rho[t] = rhoEven;
      rho[t + 1] = rhoOdd;
    }
  }
  const maxT = t;
  if (rhoEven > 0) rho[maxT] = rhoEven;
  // Geyer's initial monotone sequence.
  t = 0;
  while (t <= maxT - 4) {
    t += 2;
    if (rho[t]! + rho[t + 1]! > rho[t - 2]! + rho[t - 1]!) {
      rho[t] = (rho[t - 2]! + rho[t - 1]!) / 2;
      rho[t + 1] = rho[t]!;
    }
  }
  const total = m * n;
  let sum = 0;
  for (let i = 0; i < maxT; i++) sum += rho[i]!;
  let tau = -1 + 2 * sum + rho[maxT]!;
  tau = Math.max(tau, 1 / Math.log10(total));
  return total / tau;
}

/** Quantile with linear interpolation between order statistics (R's type 7). */
export function quantileOf(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** The median as R computes it: the mean of the two middle values for an even count. */
function median(sorted: Float64Array): number {
  const n = sorted.length;
  const h = n >> 1;
  return n % 2 ? sorted[h]! : (sorted[h - 1]! + sorted[h]!) / 2;
}

function pooledSorted(chains: Chains): Float64Array {
  const all: number[] = [];
  for (const c of chains) for (let i = 0; i < c.length; i++) all.push(c[i]!);
  return Float64Array.from(all).sort();
}

export interface ConvergenceDiagnostics {
  rhat: number;
  essBulk: number;
  essTail: number;
}

export function rhat(chains: Chains): number {
  if (returnsNaN(chains)) return NaN;
  const bulk = rhatBasic(rankNormalize(splitChains(chains)));
  const med = median(pooledSorted(chains));
  const folded = chains.map((c) => Float64Array.from(c as ArrayLike<number>, (v) => Math.abs(v - med)));
  const tail = rhatBasic(rankNormalize(splitChains(folded)));
  return Math.max(bulk, tail);
}

export function essBulk(chains: Chains): number {
  if (returnsNaN(chains)) return NaN;
  return essBasic(rankNormalize(splitChains(chains)));
}

/** ESS of the indicator x <= quantile(x, p), on split chains. */
export function essQuantile(chains: Chains, p: number): number {
  if (returnsNaN(chains)) return NaN;
  const q = quantileOf(pooledSorted(chains), p);
  const ind = chains.map((c) => Float64Array.from(c as ArrayLike<number>, (v) => (v <= q ? 1 : 0)));
  return essBasic(splitChains(ind));
}

export function essTail(chains: Chains): number {
  const a = essQuantile(chains, 0.05);
  const b = essQuantile(chains, 0.95);
  return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b);
}

export function convergence(chains: Chains): ConvergenceDiagnostics {
  return { rhat: rhat(chains), essBulk: essBulk(chains), essTail: essTail(chains) };
}

/** E-BFMI of one chain's energies: sum (E_i - E_{i-1})^2 / sum (E_i - mean E)^2. */
export function ebfmi(energy: ArrayLike<number>): number {
  const n = energy.length;
  if (n < 2) return NaN;
  const m = meanOf(energy);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0) num += (energy[i]! - energy[i - 1]!) ** 2;
    den += (energy[i]! - m) ** 2;
  }
  return num / den;
}

/**
 * The standard normal quantile, Wichura's AS 241 (PPND16): relative accuracy about 1e-16.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
          45921.953931549871457) *
          r +
          13731.693765509461125) *
          r +
          1971.5909503065514427) *
          r +
          133.14166789178437745) *
          r +
          3.387132872796366608)) /
      (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r +
        21213.794301586595867) *
        r +
        5394.1960214247511077) *
        r +
        687.1870074920579083) *
        r +
        42.313330701600911252) *
        r +
        1)
    );
  }
  let r = q < 0 ? p : 1 - p;
  r = Math.sqrt(-Math.log(r));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    x =
      (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
        1.27045825245236838258) *
        r +
        3.64784832476320460504) *
        r +
        5.7694972214606914055) *
        r +
        4.6303378461565452959) *
        r +
        1.42343711074968357734) /
      (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
        0.14810397642748007459) *
        r +
        0.68976733498510000455) *
        r +
        1.6763848301838038494) *
        r +
        2.05319162663775882187) *
        r +
        1);
  } else {
    r -= 5;
    x =
      (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
        0.026532189526576123093) *
        r +
        0.29656057182850489123) *
        r +
        1.7848265399172913358) *
        r +
        5.4637849111641143699) *
        r +
        6.6579046435011037772) /
      (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
        7.868691311456132591e-4) *
        r +
        0.0148753612908506148525) *
        r +
        0.13692988092273580531) *
        r +
        0.59983220655588793769) *
        r +
        1);
  }
  return q < 0 ? -x : x;
}
