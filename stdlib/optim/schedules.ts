// Learning-rate schedules: plain JSON descriptions and the multiplier they give at a step, so a
// checkpoint that stores the step reproduces the rate exactly. The rate used at step t (0-based)
// is lr * scheduleFactor(schedule, t, steps).

export type Schedule =
  | { kind: 'constant' }
  | { kind: 'step'; every: number; gamma: number }
  | { kind: 'exponential'; gamma: number }
  | { kind: 'cosine'; period?: number; floor?: number }
  | { kind: 'warmup'; steps: number; after?: Schedule };

/** The multiplier of the base rate at 0-based step t of a run with budget `total` steps. */
export function scheduleFactor(s: Schedule | undefined, t: number, total: number): number {
  if (!s) return 1;
  switch (s.kind) {
    case 'constant':
      return 1;
    case 'step':
      return Math.pow(s.gamma, Math.floor(t / s.every));
    case 'exponential':
      return Math.pow(s.gamma, t);
    case 'cosine': {
      const T = s.period ?? total;
      const fl = s.floor ?? 0;
      return fl + (1 - fl) * 0.5 * (1 + Math.cos((Math.PI * Math.min(t, T)) / Math.max(T, 1)));
    }
    case 'warmup':
      return t < s.steps ? (t + 1) / s.steps : scheduleFactor(s.after, t - s.steps, total - s.steps);
  }
}
