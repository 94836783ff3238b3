// The stopping rule of stochastic VI: stages of decreasing step size, compared by a paired test
// on window-averaged iterates (after Dhaka et al. 2020 and Welandawe et al. 2022, "Robust,
// automated, and accurate black-box variational inference").
//
// The optimizer's iterates are averaged over windows of W steps (Polyak-Ruppert averaging: the
// average of a noisy stationary sequence is far closer to its centre than any one iterate). At
// the end of each window the caller evaluates the ELBO of the window's average guide on one fixed
// set of M draws (common random numbers: the same keys at every check), per draw. Two averages
// are compared by the mean of the M paired differences and its standard error; both guides see
// the same noise, so the differences are small and the test resolves gains far below the noise
// of a one-draw ELBO.
//
// Stage s runs at learning rate lr * DECAY^-s. A stage ends when its window averages stop
// improving: after at least MIN_WINDOWS windows, the latest window's average is not better than
// the average of the window halfway through the stage, beyond 2 se. Comparing with the stage's
// midpoint rather than with the previous window makes the horizon grow with the stage, so a slow
// climb that no single window resolves still keeps the stage going (a premature decay of the
// step size would freeze the fit short of its optimum). At a stage's end its last average is compared with the previous
// stage's: when the gain from the smaller step size is, with evidence, below `tol` nats
//   gain + Z se <= tol   (Z = 2)
// the fit has converged and the better of the two averages is the result. Otherwise the step size
// falls by DECAY and a new stage starts. So the rule cannot fire while the ELBO still rises by
// more than tol beyond its noise: a rise the paired draws can see keeps the stage going, and a
// stage that still improves on the last one starts another. tol <= 0 never fires (the whole
// budget runs, through the same stages). The state is plain JSON, saved in checkpoints, so a
// resumed run stops at the same step with the same result.

export const STOP_Z = 2;
/** Step-size divisor between stages. */
export const STAGE_DECAY = 4;
/** Windows per stage before it may end. */
export const MIN_WINDOWS = 3;

export interface StopCheck {
  /** Steps done at the check (the index of the last iterate in the window). */
  step: number;
  stage: number;
  /** The ELBO estimate of the window's average guide (mean over the fixed draws). */
  elbo: number;
  /** Gain over the previous window of the stage, and its standard error (null at a stage's first window). */
  gain: number | null;
  se: number | null;
}

interface Average {
  step: number;
  phi: number[];
  terms: number[];
}

export interface StopState {
  window: number;
  tol: number;
  stage: number;
  /** The per-draw ELBO terms of the current stage's window averages, in order. */
  windows: number[][];
  /** Iterates summed in the current window, and their sum. */
  count: number;
  sum: number[];
  /** The last complete window's average (any stage), and the previous stage's final one. */
  last: Average | null;
  stageEnd: Average | null;
  /** Gains between stage ends: { step, gain, se }. */
  stages: { step: number; gain: number; se: number }[];
  checks: StopCheck[];
  /** The step at which the rule fired, or null; then `best` is the result. */
  firedAt: number | null;
  best: Average | null;
}

export function stopInit(m: number, window: number, tol: number): StopState {
  return {
    window,
    tol,
    stage: 0,
    windows: [],
    count: 0,
    sum: new Array<number>(m).fill(0),
    last: null,
    stageEnd: null,
    stages: [],
    checks: [],
    firedAt: null,
    best: null,
  };
}

/** The step-size multiplier of the current stage. */
export function stageFactor(s: StopState): number {
  return STAGE_DECAY ** -s.stage;
}

/** Adds one iterate; true when it completes a window (then call windowAverage and stopCheck). */
export function stopPush(s: StopState, phi: ArrayLike<number>): boolean {
  for (let i = 0; i < s.sum.length; i++) s.sum[i]! += phi[i]!;
  s.count++;
  return s.count >= s.window;
}

/** The average iterate of the current window (count > 0). */
export function windowAverage(s: StopState): Float64Array {
  return Float64Array.from(s.sum, (v) => v / s.count);
}

/** Mean and standard error of the paired differences a - b. */
export function pairedGain(a: readonly number[], b: readonly number[]): { gain: number; se: number } {
  const d = a.map((v, j) => v - b[j]!);
  let m = 0;
  for (const x of d) m += x;
  m /= d.length;
  let v = 0;
  for (const x of d) v += (x - m) ** 2;
  return { gain: m, se: d.length > 1 ? Math.sqrt(v / (d.length - 1) / d.length) : 0 };
}

/**
 * Closes the window: `terms` are the ELBO's per-draw values at `avg` on the fixed draws.
 * Returns true when the rule fires.
 */
export function stopCheck(s: StopState, step: number, avg: Float64Array, terms: ArrayLike<number>): boolean {
  const cur: Average = { step, phi: Array.from(avg), terms: Array.from(terms) };
  const elbo = cur.terms.reduce((a, b) => a + b, 0) / cur.terms.length;
  const prev = s.windows.length > 0 ? s.last : null;
  const w = prev ? pairedGain(cur.terms, prev.terms) : null;
  s.checks.push({ step, stage: s.stage, elbo, gain: w?.gain ?? null, se: w?.se ?? null });
  s.last = cur;
  s.windows.push(cur.terms);
  s.count = 0;
  s.sum.fill(0);
  // The stage goes on while its averages still improve on its midpoint's beyond their noise.
  const k = s.windows.length;
  const mid = k >= MIN_WINDOWS ? pairedGain(cur.terms, s.windows[Math.floor((k - 1) / 2)]!) : null;
  const stationary = mid !== null && !(mid.gain - STOP_Z * mid.se > 0);
  if (!stationary || !Number.isFinite(elbo)) return false;
  if (s.stageEnd) {
    const g = pairedGain(cur.terms, s.stageEnd.terms);
    s.stages.push({ step, gain: g.gain, se: g.se });
    if (s.tol > 0 && Number.isFinite(g.gain) && g.gain + STOP_Z * g.se <= s.tol) {
      s.firedAt = step;
      s.best = g.gain >= 0 ? cur : s.stageEnd;
      return true;
    }
  }
  s.stageEnd = cur;
  s.stage++;
  s.windows = [];
  return false;
}

/**
 * The budget ended: the last window's gain over the previous one (or, at a stage's first
 * window, the last stage's gain) when it is above tol beyond its noise, else null.
 */
export function stillRising(s: StopState): { gain: number; se: number } | null {
  const c = s.checks[s.checks.length - 1];
  const g = c && c.gain !== null && c.se !== null ? { gain: c.gain, se: c.se } : s.stages[s.stages.length - 1];
  if (!g) return null;
  return g.gain - STOP_Z * g.se > Math.max(s.tol, 0) ? { gain: g.gain, se: g.se } : null;
}
