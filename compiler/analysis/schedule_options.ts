// The `schedule = ...` and `batch = ...` options of the first-order solvers (the solver table in
// solvers.ts spreads them in), and their translation to the stdlib's plain-JSON forms.
//   schedule = constant | cosine(steps, floor) | step(every, gamma) | exponential(gamma)
//            | warmup(steps, after = constant | cosine | exponential, gamma)
//   batch    = full | adaptive(test = norm | inner_product, initial, eta, max)
// A call's options are checked like a solver's (unknown names with a suggestion, kinds, ranges);
// the rate at 0-based step t is lr * scheduleFactor(schedule, t, steps) (stdlib/optim/schedules).

import type { BatchOptions } from '../../stdlib/optim/driver.js';
import type { Schedule } from '../../stdlib/optim/schedules.js';
import type { OptionSpec } from './method_options.js';

export const SCHEDULE_OPTION: OptionSpec = {
  kind: 'name',
  builtins: ['constant', 'cosine', 'exponential', 'step', 'warmup'],
  default: 'constant',
  calls: {
    cosine: { steps: { kind: 'int', min: 1 }, floor: { kind: 'real', default: 0 } },
    step: { every: { kind: 'int', min: 1 }, gamma: { kind: 'real', default: 0.5, positive: true } },
    exponential: { gamma: { kind: 'real', default: 0.999, positive: true } },
    warmup: {
      steps: { kind: 'int', min: 1 },
      after: { kind: 'enum', values: ['constant', 'cosine', 'exponential'], default: 'constant' },
      gamma: { kind: 'real', default: 0.999, positive: true },
    },
  },
};

export const BATCH_OPTION: OptionSpec = {
  kind: 'name',
  builtins: ['full', 'adaptive'],
  default: 'full',
  calls: {
    adaptive: {
      test: { kind: 'enum', values: ['norm', 'inner_product'], default: 'norm' },
      initial: { kind: 'int', default: 8, min: 2 },
      eta: { kind: 'real', positive: true },
      max: { kind: 'int', min: 2 },
    },
  },
};

type Given = string | Record<string, unknown> | undefined;
const callOf = (v: Given): { method: string; [k: string]: unknown } | null =>
  v && typeof v === 'object' ? (v as { method: string }) : typeof v === 'string' ? { method: v } : null;

/** The checked option value as a stdlib Schedule (`constant`: none). Errors for a missing required option. */
export function toSchedule(v: Given): Schedule | undefined {
  const c = callOf(v);
  if (!c || c.method === 'constant') return undefined;
  switch (c.method) {
    case 'cosine':
      return {
        kind: 'cosine',
        ...(c.steps !== undefined ? { period: c.steps as number } : {}),
        floor: (c.floor as number | undefined) ?? 0,
      };
    case 'step':
      if (c.every === undefined)
        throw new Error(
          'schedule = step(...) needs `every` (the steps between decays), e.g. step(every = 100, gamma = 0.5)',
        );
      return { kind: 'step', every: c.every as number, gamma: (c.gamma as number | undefined) ?? 0.5 };
    case 'exponential':
      return { kind: 'exponential', gamma: (c.gamma as number | undefined) ?? 0.999 };
    case 'warmup': {
      if (c.steps === undefined)
        throw new Error('schedule = warmup(...) needs `steps` (the warmup length), e.g. warmup(steps = 100)');
      const then = (c.after as string | undefined) ?? 'constant';
      const after: Schedule | undefined =
        then === 'cosine'
          ? { kind: 'cosine' }
          : then === 'exponential'
            ? { kind: 'exponential', gamma: (c.gamma as number | undefined) ?? 0.999 }
            : undefined;
      return { kind: 'warmup', steps: c.steps as number, ...(after ? { after } : {}) };
    }
  }
  throw new Error(`unknown schedule \`${c.method}\``);
}

/** The checked `batch` option as stdlib BatchOptions (`full`: none). */
export function toBatch(v: Given, seed: number): BatchOptions | undefined {
  const c = callOf(v);
  if (!c || c.method === 'full') return undefined;
  return {
    initial: (c.initial as number | undefined) ?? 8,
    test: ((c.test as string | undefined) ?? 'norm') as 'norm' | 'inner_product',
    ...(c.eta !== undefined ? { eta: c.eta as number } : {}),
    ...(c.max !== undefined ? { max: c.max as number } : {}),
    seed,
  };
}
