// The template API's types, checked by the compiler (`npm run typecheck` reads this file; the
// `@ts-expect-error` lines fail the type check if they ever compile). At run time the tests only
// build the templates; nothing is solved.

import { describe, expectTypeOf, it } from 'vitest';
import {
  opt,
  type TemplateProgram,
  type TemplateResult,
  type TemplateValue,
  type PosteriorOf,
  type NestedValue,
} from '../../index.js';

const A = [
  [1, 0],
  [0, 1],
];
const b = [1, 2];

describe('template types', () => {
  it('values are keyed by var name; the default knows only that they are nested numbers', () => {
    const p = opt`var x: real[n]\nminimize sumsq(${A} @ x - ${b})`;
    expectTypeOf(p).toEqualTypeOf<TemplateProgram<Record<string, TemplateValue>>>();
    expectTypeOf<Awaited<ReturnType<typeof p.solve>>['values']>().toEqualTypeOf<Record<string, TemplateValue>>();
    expectTypeOf<TemplateValue>().toEqualTypeOf<NestedValue>();
  });

  it('opt<V> types the values, the posterior and grad by name', () => {
    const p = opt<{ x: number[]; s: number }>`var x: real[n]\nvar s: real\nminimize sumsq(${A} @ x - ${b}) + s^2`;
    type R = Awaited<ReturnType<typeof p.solve>>;
    expectTypeOf<R>().toEqualTypeOf<TemplateResult<{ x: number[]; s: number }>>();
    expectTypeOf<R['values']['x']>().toEqualTypeOf<number[]>();
    expectTypeOf<R['values']['s']>().toEqualTypeOf<number>();
    expectTypeOf<NonNullable<R['posterior']>['x']>().toMatchTypeOf<PosteriorOf<number[]>>();
    expectTypeOf(p.grad).parameter(0).toEqualTypeOf<'x' | 's'>();
    // @ts-expect-error: no var `y`
    void (() => p.grad('y'));
    // @ts-expect-error: x is a vector, not a matrix
    void ((r: R): number[][] => r.values.x);
  });

  it('interpolations are values, not anything', () => {
    opt`var x: real\nminimize (x - ${1})^2 + ${Float64Array.of(1)}[0] + (if ${[true, false]}[0] then 1 else 0)`;
    // @ts-expect-error: a function is not a value
    void (() => opt`var x: real\nminimize (x - ${() => 1})^2`);
    // @ts-expect-error: nor a Map
    void (() => opt`var x: real\nminimize (x - ${new Map()})^2`);
  });

  it('solve and infer options are typed', () => {
    const p = opt`var x: real\nminimize (x - ${1})^2`;
    void (() => p.solve({ method: 'adam', options: { lr: 0.1, schedule: { method: 'cosine' } }, steps: 10 }));
    void (() => p.infer({ options: { guide: 'full_rank', optimizer: { method: 'adam', options: { lr: 0.02 } } } }));
    // @ts-expect-error: steps is a number
    void (() => p.solve({ steps: '10' }));
    // @ts-expect-error: an option value is a number, boolean, name or nested method
    void (() => p.solve({ options: { lr: [0.1] } }));
  });
});
