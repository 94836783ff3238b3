// Table entries of the reductions (sum, max, min over axes), argmax and cumsum.

import type { AVal } from '../ir/types.js';
import { aval, avalString, normAxis, stridesOf } from '../ir/types.js';
import * as P from '../ops/index.js';
import type { Tracer } from '../ir/tracer.js';
import type { PartialTable, PrimRule, RefArray } from './rule.js';
import { ShapeError } from './rule.js';
import { alloc } from './ref_loops.js';

function reducedShape(name: string, x: AVal, axes: readonly number[]): AVal {
  for (const a of axes)
    if (a < 0 || a >= x.shape.length) throw new ShapeError(`${name}: axis ${a} out of range for ${avalString(x)}`);
  return aval(
    x.shape.filter((_, i) => !axes.includes(i)),
    x.dtype,
  );
}

/** For each input element (row-major), the flat index of its output element. */
export function reduceIndex(shape: readonly number[], axes: readonly number[]): Int32Array {
  const outStrides = stridesOf(shape.filter((_, i) => !axes.includes(i)));
  const strideOf: number[] = [];
  let k = 0;
  shape.forEach((_, i) => strideOf.push(axes.includes(i) ? 0 : outStrides[k++]!));
  const n = shape.reduce((a, b) => a * b, 1);
  const idx = new Int32Array(n);
  const counter = new Array<number>(shape.length).fill(0);
  let o = 0;
  for (let i = 0; i < n; i++) {
    idx[i] = o;
    for (let d = shape.length - 1; d >= 0; d--) {
      counter[d]!++;
      o += strideOf[d]!;
      if (counter[d]! < shape[d]!) break;
      o -= strideOf[d]! * shape[d]!;
      counter[d] = 0;
    }
  }
  return idx;
}

function refReduce(
  x: RefArray,
  axes: readonly number[],
  out: AVal,
  init: number,
  f: (acc: number, v: number) => number,
): RefArray {
  const r = alloc(out);
  r.data.fill(init);
  const idx = reduceIndex(x.shape, axes);
  const xd = x.data;
  const od = r.data;
  for (let i = 0; i < xd.length; i++) od[idx[i]!] = f(od[idx[i]!]!, xd[i]!);
  return r;
}

/** Broadcasts a reduced value back over the reduced axes. */
const unreduce = (y: Tracer, x: Tracer, axes: readonly number[]): Tracer =>
  P.emit1('broadcast_in_dim', [y], {
    shape: [...x.shape],
    dims: x.shape.map((_, i) => i).filter((i) => !axes.includes(i)),
  });

function extremum<Q extends 'reduce_max' | 'reduce_min'>(name: Q): PrimRule<Q> {
  const isMax = name === 'reduce_max';
  // The derivative is shared evenly among tied extrema.
  const weights = (x: Tracer, out: Tracer, axes: number[]) => {
    const mask = P.cast(P.eq(x, unreduce(out, x, axes)), x.dtype);
    return P.div(mask, unreduce(P.emit1('reduce_sum', [mask], { axes }), x, axes));
  };
  return {
    shape: ([x], p) => [reducedShape(name, x!, p.axes)],
    jvp: ([x], [t], p, [out]) => [
      t ? P.emit1('reduce_sum', [P.mul(t, weights(x!, out!, p.axes))], { axes: p.axes }) : null,
    ],
    vjp: ([ct], [x], [out], p) => [ct ? P.mul(unreduce(ct, x!, p.axes), weights(x!, out!, p.axes)) : null],
    ref: ([x], p, [o]) => [
      refReduce(
        x!,
        p.axes,
        o!,
        isMax ? -Infinity : Infinity,
        isMax ? (a, v) => (v > a || v !== v ? v : a) : (a, v) => (v < a || v !== v ? v : a),
      ),
    ],
    tfjs: ([x], p, _o, ctx) => [isMax ? ctx.tf.max(x!, p.axes) : ctx.tf.min(x!, p.axes)],
    reduction: {
      axes: (p) => p.axes,
      init: isMax ? '-Infinity' : 'Infinity',
      js: (a, v) => `(${v} ${isMax ? '>' : '<'} ${a} || ${v} !== ${v} ? ${v} : ${a})`,
    },
  };
}

export const reduceRules = {
  reduce_sum: {
    shape: ([x], p) => [reducedShape('reduce_sum', x!, p.axes)],
    jvp: (_x, [t], p) => [t ? P.emit1('reduce_sum', [t], p) : null],
    vjp: ([ct], [x], _o, p) => [ct ? unreduce(ct, x!, p.axes) : null],
    ref: ([x], p, [o]) => [refReduce(x!, p.axes, o!, 0, (a, v) => a + v)],
    tfjs: ([x], p, _o, ctx) => [ctx.tf.sum(x!, p.axes)],
    reduction: { axes: (p) => p.axes, init: '0', js: (a, v) => `${a} + ${v}` },
  } satisfies PrimRule<'reduce_sum'>,
  reduce_max: extremum('reduce_max'),
  reduce_min: extremum('reduce_min'),
  argmax: {
    shape: ([x], p) => [aval(reducedShape('argmax', x!, [normAxis(p.axis, x!.shape.length)]).shape, 'int32')],
    jvp: () => [null],
    vjp: () => [null],
    ref: ([x], p, [o]) => {
      const r = alloc(o!);
      const n = x!.shape[p.axis]!;
      const inner = stridesOf(x!.shape)[p.axis]!;
      const outer = x!.data.length / (n * inner);
      for (let a = 0; a < outer; a++) {
        for (let c = 0; c < inner; c++) {
          let best = 0;
          let bv = -Infinity;
          for (let i = 0; i < n; i++) {
            const v = x!.data[(a * n + i) * inner + c]!;
            if (v > bv || (v !== v && bv === bv)) {
              bv = v;
              best = i;
            }
          }
          r.data[a * inner + c] = best;
        }
      }
      return [r];
    },
    tfjs: ([x], p, _o, ctx) => [ctx.tf.argMax(x!, p.axis)],
  } satisfies PrimRule<'argmax'>,
  cumsum: {
    shape: ([x], p) => {
      normAxis(p.axis, x!.shape.length);
      return [x!];
    },
    jvp: (_x, [t], p) => [t ? P.emit1('cumsum', [t], p) : null],
    vjp: ([ct], _x, _o, p) => [ct ? P.emit1('cumsum', [ct], { axis: p.axis, reverse: !p.reverse }) : null],
    ref: ([x], p, [o]) => {
      const r = alloc(o!);
      const n = x!.shape[p.axis]!;
      const inner = stridesOf(x!.shape)[p.axis]!;
      const outer = n === 0 ? 0 : x!.data.length / (n * inner);
      for (let a = 0; a < outer; a++) {
        for (let c = 0; c < inner; c++) {
          let acc = 0;
          for (let k = 0; k < n; k++) {
            const i = p.reverse ? n - 1 - k : k;
            const j = (a * n + i) * inner + c;
            acc += x!.data[j]!;
            r.data[j] = acc;
          }
        }
      }
      return [r];
    },
    tfjs: ([x], p, _o, ctx) => [ctx.tf.cumsum(x!, p.axis, false, p.reverse)],
  } satisfies PrimRule<'cumsum'>,
} satisfies PartialTable<'reduce_sum' | 'reduce_max' | 'reduce_min' | 'argmax' | 'cumsum'>;
