// Stan's warmup adaptation, as plain JSON states (a checkpoint carries them):
//   - dual averaging of log(step size) towards a target acceptance statistic (Hoffman & Gelman
//     2014, Stan's stepsize_adaptation: gamma 0.05, kappa 0.75, t0 10, mu = log(10 eps0));
//   - the windowed schedule (Stan's windowed_adaptation): an initial fast buffer (75), slow
//     windows that double from a base size (25, 50, 100, ... the last stretched to the terminal
//     buffer), a terminal fast buffer (50); when they do not fit in the warmup, 15 % / 75 % / 10 %
//     of it;
//   - Welford estimates of the variance (diagonal metric) or covariance (dense metric) of the
//     draws in each slow window, regularized towards 1e-3 I as Stan does: n/(n+5) S + 1e-3 5/(n+5) I.
// Differences from Stan, on purpose: a short warmup that falls back to 15/75/10 % restarts the
// window counter (Stan leaves its first window end at the unsigned -1 there, so its metric is
// never adapted); a dense estimate from a window with no more draws than dimensions keeps only its
// diagonal (Stan's is singular up to the ridge).

export interface DualAveraging {
  mu: number;
  sBar: number;
  xBar: number;
  counter: number;
}

export interface DualAveragingSettings {
  /** Target acceptance statistic (delta). */
  delta: number;
  gamma: number;
  kappa: number;
  t0: number;
}

export const DUAL_AVERAGING_DEFAULTS: DualAveragingSettings = { delta: 0.8, gamma: 0.05, kappa: 0.75, t0: 10 };

export function dualAveragingInit(eps: number): DualAveraging {
  return { mu: Math.log(10 * eps), sBar: 0, xBar: 0, counter: 0 };
}

/** One update from an iteration's acceptance statistic; returns the next step size. */
export function dualAveragingLearn(d: DualAveraging, s: DualAveragingSettings, acceptStat: number): number {
  d.counter++;
  const a = acceptStat > 1 ? 1 : acceptStat;
  const eta = 1 / (d.counter + s.t0);
  d.sBar = (1 - eta) * d.sBar + eta * (s.delta - a);
  const x = d.mu - (d.sBar * Math.sqrt(d.counter)) / s.gamma;
  const xEta = Math.pow(d.counter, -s.kappa);
  d.xBar = (1 - xEta) * d.xBar + xEta * x;
  return Math.exp(x);
}

/** The step size at the end of warmup: the averaged iterate. */
export function dualAveragingFinal(d: DualAveraging): number {
  return Math.exp(d.xBar);
}

export interface WindowSettings {
  warmup: number;
  initBuffer: number;
  termBuffer: number;
  baseWindow: number;
}

/** The schedule's constants after fitting them to the warmup length. */
export interface WindowPlan {
  warmup: number;
  initBuffer: number;
  termBuffer: number;
  baseWindow: number;
  /** False when the warmup is too short (< 20) to estimate a metric. */
  adapt: boolean;
}

export interface WindowState {
  counter: number;
  size: number;
  next: number;
}

export function windowPlan(s: WindowSettings): WindowPlan {
  if (s.warmup < 20) return { ...s, adapt: false };
  if (s.initBuffer + s.baseWindow + s.termBuffer > s.warmup) {
    const initBuffer = Math.floor(0.15 * s.warmup);
    const termBuffer = Math.floor(0.1 * s.warmup);
    return { warmup: s.warmup, initBuffer, termBuffer, baseWindow: s.warmup - (initBuffer + termBuffer), adapt: true };
  }
  return { ...s, adapt: true };
}

export function windowInit(p: WindowPlan): WindowState {
  return { counter: 0, size: p.baseWindow, next: p.initBuffer + p.baseWindow - 1 };
}

/** Whether the iteration `w.counter` falls in a slow window (its draw feeds the estimator). */
export function inSlowWindow(p: WindowPlan, w: WindowState): boolean {
  return p.adapt && w.counter >= p.initBuffer && w.counter < p.warmup - p.termBuffer && w.counter !== p.warmup;
}

/** Whether a slow window ends at iteration `w.counter`. */
export function endOfSlowWindow(p: WindowPlan, w: WindowState): boolean {
  return p.adapt && w.counter === w.next && w.counter !== p.warmup;
}

/** Moves to the next window (called at the end of one). */
export function nextWindow(p: WindowPlan, w: WindowState): void {
  const last = p.warmup - p.termBuffer - 1;
  if (w.next === last) return;
  w.size *= 2;
  w.next = w.counter + w.size;
  if (w.next === last) return;
  // If the window after this one would overrun the slow phase, stretch this one to its end.
  if (w.next + 2 * w.size >= p.warmup - p.termBuffer) w.next = last;
}

/** Welford's running mean and (co)variance; `m2` is n values (diagonal) or n x n (dense). */
export interface Welford {
  count: number;
  mean: number[];
  m2: number[];
}

export function welfordInit(n: number, dense: boolean): Welford {
  return { count: 0, mean: new Array(n).fill(0), m2: new Array(dense ? n * n : n).fill(0) };
}

export function welfordAdd(w: Welford, q: ArrayLike<number>, dense: boolean): void {
  const n = w.mean.length;
  w.count++;
  const delta = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    delta[i] = q[i]! - w.mean[i]!;
    w.mean[i] = w.mean[i]! + delta[i]! / w.count;
  }
  if (!dense) for (let i = 0; i < n; i++) w.m2[i] = w.m2[i]! + delta[i]! * (q[i]! - w.mean[i]!);
  else
    for (let i = 0; i < n; i++) {
      const d = q[i]! - w.mean[i]!;
      for (let j = 0; j < n; j++) w.m2[i * n + j] = w.m2[i * n + j]! + d * delta[j]!;
    }
}

/** The regularized (co)variance estimate: Stan's n/(n+5) S + 1e-3 5/(n+5) I. */
export function welfordEstimate(w: Welford, dense: boolean): Float64Array {
  const n = w.mean.length;
  const c = w.count;
  const out = new Float64Array(w.m2.length);
  const shrink = c / (c + 5);
  const ridge = 1e-3 * (5 / (c + 5));
  for (let k = 0; k < out.length; k++) out[k] = shrink * (c > 1 ? w.m2[k]! / (c - 1) : 0);
  if (!dense) for (let i = 0; i < n; i++) out[i] = out[i]! + ridge;
  else {
    // A window with no more draws than dimensions gives a singular covariance (rank < n, only
    // the 1e-3 ridge in the other directions), whose metric would force a tiny step: keep its
    // diagonal only (a deliberate difference from Stan, whose early dense windows in high
    // dimension run at the maximum tree depth).
    if (c <= n) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) out[i * n + j] = 0;
    for (let i = 0; i < n; i++) out[i * n + i] = out[i * n + i]! + ridge;
    // Symmetrize (the accumulated products agree only up to rounding).
    for (let i = 0; i < n; i++)
      for (let j = 0; j < i; j++) {
        const m = 0.5 * (out[i * n + j]! + out[j * n + i]!);
        out[i * n + j] = m;
        out[j * n + i] = m;
      }
  }
  return out;
}
