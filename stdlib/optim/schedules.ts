// Learning-rate schedules of the first-order methods: the `schedule` option (declared once here,
// spread into each first-order entry), its decoding into a plain-JSON Schedule, and the
// multiplier a Schedule gives at a step, so a checkpoint that stores the step reproduces the
// rate exactly. The rate used at step t (0-based) is lr * scheduleFactor(schedule, t, steps).
//   schedule = constant | cosine(steps, floor) | step(every, gamma) | exponential(gamma)
//            | warmup(steps, after = constant | cosine | exponential, gamma)

import { int, name, oneOf, real, type CallValue } from '../methods/options.js';

export type Schedule =
  | { kind: 'constant' }
  | { kind: 'step'; every: number; gamma: number }
  | { kind: 'exponential'; gamma: number }
  | { kind: 'cosine'; period?: number; floor?: number }
  | { kind: 'warmup'; steps: number; after?: Schedule };

export const SCHEDULE_OPTION = name({
  builtins: ['constant', 'cosine', 'exponential', 'step', 'warmup'],
  default: 'constant',
  doc: 'the learning-rate schedule',
  calls: {
    cosine: { steps: int({ min: 1 }), floor: real({ default: 0 }) },
    step: { every: int({ min: 1, required: true }), gamma: real({ default: 0.5, positive: true }) },
    exponential: { gamma: real({ default: 0.999, positive: true }) },
    warmup: {
      steps: int({ min: 1, required: true }),
      after: oneOf({ values: ['constant', 'cosine', 'exponential'], default: 'constant' }),
      gamma: real({ default: 0.999, positive: true }),
    },
  },
});

/** The checked `schedule` option value as a Schedule (`constant`: none). */
export function scheduleOf(v: string | CallValue | undefined): Schedule | undefined {
  const c = typeof v === 'string' ? ({ method: v } as CallValue) : v;
  if (!c || c.method === 'constant') return undefined;
  const num = (k: string, d: number) => (typeof c[k] === 'number' ? (c[k] as number) : d);
  switch (c.method) {
    case 'cosine':
      return { kind: 'cosine', ...(typeof c.steps === 'number' ? { period: c.steps } : {}), floor: num('floor', 0) };
    case 'step':
      return { kind: 'step', every: num('every', 1), gamma: num('gamma', 0.5) };
    case 'exponential':
      return { kind: 'exponential', gamma: num('gamma', 0.999) };
    case 'warmup': {
      const then = (c.after as string | undefined) ?? 'constant';
      const after: Schedule | undefined =
        then === 'cosine'
          ? { kind: 'cosine' }
          : then === 'exponential'
            ? { kind: 'exponential', gamma: num('gamma', 0.999) }
            : undefined;
      return { kind: 'warmup', steps: num('steps', 1), ...(after ? { after } : {}) };
    }
  }
  throw new Error(`unknown schedule \`${c.method}\``);
}

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
