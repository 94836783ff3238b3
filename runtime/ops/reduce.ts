// Reductions: sum/max/min/mean over axes (optionally keeping dims), argmax, cumsum.

import { emit1, cast, type Tracer } from './core.js';
import { normAxis, sizeOf } from '../ir/types.js';
import { reshape } from './shape.js';
import { div } from './elementwise.js';

export type Axes = number | readonly number[] | undefined;

export function normAxes(x: Tracer, axes: Axes): number[] {
  if (axes === undefined) return x.shape.map((_, i) => i);
  const list = typeof axes === 'number' ? [axes] : [...axes];
  return [...new Set(list.map((a) => normAxis(a, x.rank)))].sort((a, b) => a - b);
}

function keep(x: Tracer, out: Tracer, axes: number[], keepdims: boolean): Tracer {
  if (!keepdims) return out;
  return reshape(
    out,
    x.shape.map((d, i) => (axes.includes(i) ? 1 : d)),
  );
}

const red =
  (p: 'reduce_sum' | 'reduce_max' | 'reduce_min') =>
  (x: Tracer, axes?: Axes, keepdims = false): Tracer => {
    const ax = normAxes(x, axes);
    if (ax.length === 0) return x;
    return keep(x, emit1(p, [x], { axes: ax }), ax, keepdims);
  };

export const sum = red('reduce_sum');
export const max = red('reduce_max');
export const min = red('reduce_min');

export function mean(x: Tracer, axes?: Axes, keepdims = false): Tracer {
  const ax = normAxes(x, axes);
  const n = sizeOf(ax.map((a) => x.shape[a]!));
  return div(sum(x, ax, keepdims), n);
}

export const argmax = (x: Tracer, axis = -1): Tracer => emit1('argmax', [x], { axis: normAxis(axis, x.rank) });
export const cumsum = (x: Tracer, axis = -1, reverse = false): Tracer =>
  emit1('cumsum', [x], { axis: normAxis(axis, x.rank), reverse });
export const countTrue = (x: Tracer, axes?: Axes): Tracer => sum(cast(x, 'float64'), axes);
