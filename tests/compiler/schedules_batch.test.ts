// Learning-rate schedules and AdAdaGrad adaptive batches as `solve` options of the first-order
// methods: option checking (through the solver table), the schedule reaching the stdlib, and
// adaptive batches on an objective that is a mean (or sum) over data rows.

import { describe, expect, it } from 'vitest';
import { check, run } from '../../index.js';
import { scheduleFactor, scheduleOf } from '../../stdlib/index.js';

// y = X w* + small noise, 64 rows, 3 features.
const N = 64;
const X = Array.from({ length: N }, (_, i) => [Math.sin(i + 1), Math.cos(2 * i + 0.5), ((i * 7) % 11) / 11 - 0.5]);
const wStar = [1.5, -2, 0.5];
const y = X.map((r, i) => r.reduce((s, v, j) => s + v * wStar[j]!, 0) + 0.01 * Math.sin(13 * i));
const data = { X, y };
const prog = (solve: string, obj = 'sum((X @ w - y)^2) / N') => ({
  source: `data { X: real[N, 3]\n y: real[N] }\nvar w: real[3]\nminimize ${obj}\nsolve ${solve}\n`,
  file: 'sched.opt',
});

describe('schedules', () => {
  it.each([
    ['cosine(steps = 1000)', { kind: 'cosine', period: 1000, floor: 0 }],
    ['cosine', { kind: 'cosine', floor: 0 }],
    ['step(every = 100, gamma = 0.5)', { kind: 'step', every: 100, gamma: 0.5 }],
    ['exponential(gamma = 0.99)', { kind: 'exponential', gamma: 0.99 }],
    ['warmup(steps = 50, after = cosine)', { kind: 'warmup', steps: 50, after: { kind: 'cosine' } }],
    ['constant', undefined],
  ])('schedule = %s is checked and becomes the stdlib schedule', (text, want) => {
    const c = check(prog(`adam(lr = 0.05, schedule = ${text}, steps = 100)`), { data } as never);
    expect(c.messages.filter((m) => m.severity === 'error')).toEqual([]);
    expect(scheduleOf(c.algorithm!.options.schedule as never)).toEqual(want);
  });

  it.each([
    ['cosine(stepz = 10)', /stepz/],
    ['cosin', /unknown schedule `cosin`|did you mean/],
    ['step(every = 0)', /at least 1/],
    ['exponential(gamma = -1)', /positive/],
  ])('rejects schedule = %s', (text, re) => {
    const c = check(prog(`adam(schedule = ${text})`));
    expect(c.messages.map((m) => m.message + ' ' + (m.hint ?? '')).join('\n')).toMatch(re);
  });

  it('adam with a step schedule runs the scheduled rates (smooth path) and converges; step() without every is an error', async () => {
    const r = await run(prog('adam(lr = 0.1, schedule = step(every = 200, gamma = 0.5), steps = 1500, tol = 1e-7)'), {
      data,
    });
    expect(r.options.schedule).toMatchObject({ method: 'step', every: 200, gamma: 0.5 });
    (r.values.w as number[]).forEach((v, j) => expect(v).toBeCloseTo(wStar[j]!, 1));
    expect(scheduleFactor({ kind: 'step', every: 200, gamma: 0.5 }, 450, 1500)).toBe(0.25);
    const bad = await run(prog('adam(schedule = step)'), { data });
    expect(bad.status).toBe('error');
    expect(bad.messages.at(-1)!.message).toMatch(/needs `every`/);
  });
});

describe('adaptive batches (AdAdaGrad)', () => {
  it.each(['norm', 'inner_product'])(
    'batch = adaptive(test = %s) grows the batch and reaches the solution',
    async (test) => {
      const r = await run(
        prog(`adagrad(lr = 0.5, batch = adaptive(test = ${test}, initial = 4, eta = 0.3), steps = 600, tol = 1e-12)`),
        { data },
      );
      expect(r.status).not.toBe('error');
      expect(r.options.batch).toMatchObject({ method: 'adaptive', test, initial: 4, eta: 0.3 });
      const sizes = r.diagnostics.batch_sizes as [number, number][];
      expect(sizes[0]).toEqual([0, 4]);
      expect(sizes.at(-1)![1]).toBeGreaterThan(4);
      (r.values.w as number[]).forEach((v, j) => expect(v).toBeCloseTo(wStar[j]!, 1));
    },
  );

  it('a sum over rows works as well; a data-free regularizer is refused with the reason', async () => {
    const s = await run(prog('adam(lr = 0.05, batch = adaptive(initial = 8), steps = 800)', 'sum((X @ w - y)^2)'), {
      data,
    });
    expect(s.status).not.toBe('error');
    (s.values.w as number[]).forEach((v, j) => expect(v).toBeCloseTo(wStar[j]!, 1));
    const bad = await run(
      prog('adam(batch = adaptive(initial = 8), steps = 10)', 'sum((X @ w - y)^2) / N + sumsq(w)'),
      { data },
    );
    expect(bad.status).toBe('error');
    expect(bad.messages.at(-1)!.message).toMatch(/not a sum or a mean over the 64 rows/);
  });

  it('rejects unknown batch options', () => {
    const c = check(prog('adam(batch = adaptive(tset = norm))'));
    expect(c.messages.map((m) => m.message + ' ' + (m.hint ?? '')).join('\n')).toMatch(/tset/);
  });
});
