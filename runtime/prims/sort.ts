// Table entries of sort and top_k along the last axis. Both return (values, int32 indices); the
// derivative of the values is the input's derivative gathered by those indices.

import { aval, avalString, sizeOf } from '../ir/types.js';
import * as P from '../ops/index.js';
import type { Tracer } from '../ir/tracer.js';
import type { PartialTable, PrimRule } from './rule.js';
import { ShapeError } from './rule.js';
import * as K from '../kernels/index.js';

/** Flat positions of per-row indices along the last axis of `x`. */
function flatIndex(x: Tracer, idx: Tracer): Tracer {
  const n = x.shape[x.rank - 1]!;
  const rows = sizeOf(idx.shape.slice(0, -1));
  const k = idx.shape[idx.rank - 1]!;
  const base = P.mul(P.iota([rows, k], 0, 'int32'), n);
  return P.add(P.reshape(idx, [rows, k]), base);
}

const takeLast = (t: Tracer, idx: Tracer): Tracer =>
  P.reshape(P.emit1('gather', [P.flatten(t), P.flatten(flatIndex(t, idx))], { axis: 0 }), idx.shape);

const untakeLast = (ct: Tracer, x: Tracer, idx: Tracer): Tracer =>
  P.reshape(
    P.emit1('scatter_add', [P.flatten(ct), P.flatten(flatIndex(x, idx))], { axis: 0, size: sizeOf(x.shape) }),
    x.shape,
  );

function lastAxis(name: string, x: { shape: readonly number[]; dtype?: string }): number {
  if (x.shape.length < 1 || x.dtype === 'bool') throw new ShapeError(`${name} needs a numeric array of rank >= 1`);
  return x.shape[x.shape.length - 1]!;
}

export const sortRules = {
  sort: {
    shape: ([x]) => {
      lastAxis('sort', x!);
      return [x!, aval(x!.shape, 'int32')];
    },
    jvp: (_x, [t], _p, [, idx]) => [t ? takeLast(t, idx!) : null, null],
    vjp: ([cv], [x], [, idx]) => [cv ? untakeLast(cv, x!, idx!) : null],
    ref: ([x], p, [ov, oi]) => {
      const n = lastAxis('sort', x!);
      const src = x!.data instanceof Float64Array ? x!.data : Float64Array.from(x!.data);
      const r = K.sort(src, n === 0 ? 0 : src.length / n, n, p.descending);
      return [
        { data: x!.data instanceof Int32Array ? Int32Array.from(r.values) : r.values, shape: ov!.shape },
        { data: r.indices, shape: oi!.shape },
      ];
    },
    tfjs: 'host',
  } satisfies PrimRule<'sort'>,
  top_k: {
    shape: ([x], p) => {
      const n = lastAxis('top_k', x!);
      if (p.k < 0 || p.k > n) throw new ShapeError(`top_k: k = ${p.k} out of range for ${avalString(x!)}`);
      const s = [...x!.shape.slice(0, -1), p.k];
      return [aval(s, x!.dtype), aval(s, 'int32')];
    },
    jvp: (_x, [t], _p, [, idx]) => [t ? takeLast(t, idx!) : null, null],
    vjp: ([cv], [x], [, idx]) => [cv ? untakeLast(cv, x!, idx!) : null],
    ref: ([x], p, [ov, oi]) => {
      const n = lastAxis('top_k', x!);
      const src = x!.data instanceof Float64Array ? x!.data : Float64Array.from(x!.data);
      const r = K.topK(src, n === 0 ? 0 : src.length / n, n, p.k);
      return [
        { data: x!.data instanceof Int32Array ? Int32Array.from(r.values) : r.values, shape: ov!.shape },
        { data: r.indices, shape: oi!.shape },
      ];
    },
    tfjs: ([x], p, _o, ctx) => {
      const r = ctx.tf.topk(x!, p.k, true);
      return [r.values, r.indices];
    },
  } satisfies PrimRule<'top_k'>,
} satisfies PartialTable<'sort' | 'top_k'>;
