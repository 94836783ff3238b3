// The stopping rule of stochastic ELBO optimization: the per-step ELBO estimates are averaged
// over windows of `window` steps; after a window whose mean improved on the previous window's by
// no more than tol * |mean| or than twice the standard error of the difference, the ELBO has
// reached its plateau (within what the estimates can tell) and the run stops. tol <= 0 disables it. The state is plain
// JSON, saved inside checkpoints, so a resumed run stops at the same step.

export interface PlateauState {
  window: number;
  tol: number;
  count: number;
  sum: number;
  sumsq: number;
  /** Mean and standard error of the last complete window. */
  prev: { mean: number; se: number } | null;
  /** The step at which the rule fired, or null. */
  firedAt: number | null;
}

export function plateauInit(window: number, tol: number): PlateauState {
  return { window, tol, count: 0, sum: 0, sumsq: 0, prev: null, firedAt: null };
}

/** Adds step `step`'s ELBO estimate; returns true when the rule fires. */
export function plateauPush(s: PlateauState, step: number, elbo: number): boolean {
  if (s.firedAt !== null) return true;
  if (!(s.tol > 0)) return false; // tol = 0: run the whole budget
  s.count++;
  s.sum += elbo;
  s.sumsq += elbo * elbo;
  if (s.count < s.window) return false;
  const mean = s.sum / s.count;
  const se = Math.sqrt(Math.max(s.sumsq / s.count - mean * mean, 0) / s.count);
  const prev = s.prev;
  s.prev = { mean, se };
  s.count = 0;
  s.sum = 0;
  s.sumsq = 0;
  if (!prev) return false;
  const gain = mean - prev.mean;
  if (gain <= Math.max(s.tol * Math.abs(mean), 2 * Math.hypot(se, prev.se))) s.firedAt = step;
  return s.firedAt !== null;
}
