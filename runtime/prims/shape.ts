// Table entries of the shape and indexing primitives: broadcast_in_dim, reshape, transpose,
// slice, concatenate, pad (zeros), gather/scatter_add (mutual transposes) and iota.

import type { AVal } from '../ir/types.js';
import { aval, avalString, sameShape, sizeOf, stridesOf } from '../ir/types.js';
import * as P from '../ops/index.js';
import type { Tracer } from '../ir/tracer.js';
import type { Access, PartialTable, PrimRule, RefArray } from './rule.js';
import { ShapeError } from './rule.js';
import { alloc } from './ref_loops.js';

/**
 * A reshape read through an access: the row-major order of `inShape` under `src` must be
 * expressible over `outShape`. Contiguous sources always are; otherwise only size-1 axes may be
 * added or dropped (the other axes keep their strides). Null when neither holds.
 */
function reshapeAccess(src: Access, inShape: readonly number[], outShape: readonly number[]): Access | null {
  const rowMajor = stridesOf(inShape);
  if (inShape.every((d, i) => d === 1 || src.strides[i] === rowMajor[i]))
    return { offset: src.offset, strides: stridesOf(outShape) };
  const kept = inShape.flatMap((d, i) => (d === 1 ? [] : [[d, src.strides[i]!] as const]));
  const outer = outShape.filter((d) => d !== 1);
  if (kept.length !== outer.length || kept.some(([d], i) => d !== outer[i])) return null;
  let k = 0;
  return { offset: src.offset, strides: outShape.map((d) => (d === 1 ? 0 : kept[k++]![1])) };
}

/** Copies `src` into a new array of shape `outShape`, reading element at sum(idx_d * srcStride_d) + offset. */
function stridedGather(src: RefArray, out: AVal, srcStrides: readonly number[], offset: number): RefArray {
  const r = alloc(out);
  const shape = out.shape;
  const n = r.data.length;
  const rank = shape.length;
  const counter = new Array<number>(rank).fill(0);
  let s = offset;
  const sd = src.data;
  const od = r.data;
  for (let i = 0; i < n; i++) {
    od[i] = sd[s]!;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]!++;
      s += srcStrides[d]!;
      if (counter[d]! < shape[d]!) break;
      s -= srcStrides[d]! * shape[d]!;
      counter[d] = 0;
    }
  }
  return r;
}

function sliceShape(x: AVal, p: { starts: number[]; limits: number[]; strides: number[] }): number[] {
  if (p.starts.length !== x.shape.length || p.limits.length !== x.shape.length || p.strides.length !== x.shape.length) {
    throw new ShapeError(`slice: bounds of rank ${p.starts.length} for ${avalString(x)}`);
  }
  return x.shape.map((d, i) => {
    const s = p.starts[i]!,
      l = p.limits[i]!,
      st = p.strides[i]!;
    if (s < 0 || l > d || s > l || st < 1)
      throw new ShapeError(`slice: bad bounds ${s}:${l}:${st} for axis ${i} of size ${d}`);
    return Math.ceil((l - s) / st);
  });
}

function gatherShape(x: AVal, idx: AVal, axis: number): number[] {
  if (idx.dtype !== 'int32') throw new ShapeError(`gather: indices must be int32, got ${avalString(idx)}`);
  if (axis < 0 || axis >= x.shape.length)
    throw new ShapeError(`gather: axis ${axis} out of range for ${avalString(x)}`);
  return [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
}

/** Loop structure shared by gather and scatter_add: (outer, index, inner) blocks. */
function gatherLoop(
  xShape: readonly number[],
  axis: number,
  nIdx: number,
  f: (xBase: number, oBase: number, inner: number) => void,
  idx: ArrayLike<number>,
): void {
  const outer = sizeOf(xShape.slice(0, axis));
  const n = xShape[axis]!;
  const inner = sizeOf(xShape.slice(axis + 1));
  for (let a = 0; a < outer; a++) {
    for (let k = 0; k < nIdx; k++) {
      const j = Math.min(n - 1, Math.max(0, idx[k]!));
      f((a * n + j) * inner, (a * nIdx + k) * inner, inner);
    }
  }
}

/**
 * The js backend's loops of gather (out[a, k, c] = x[a, idx[k], c]) and, with `add`, of
 * scatter_add (x[a, idx[k], c] += out[a, k, c]); indices are clamped as in `gatherLoop`.
 */
function gatherCode(
  x: string,
  idx: string,
  o: string,
  xShape: readonly number[],
  axis: number,
  nIdx: number,
  add: boolean,
): string {
  const outer = sizeOf(xShape.slice(0, axis));
  const n = xShape[axis]!;
  const inner = sizeOf(xShape.slice(axis + 1));
  const move = add ? `${x}[xb + c] += ${o}[ob + c];` : `${o}[ob + c] = ${x}[xb + c];`;
  return [
    `for (let a = 0; a < ${outer}; a++) {`,
    `  for (let k = 0; k < ${nIdx}; k++) {`,
    `    const j = ${idx}[k], jc = j < 0 ? 0 : j > ${n - 1} ? ${n - 1} : j;`,
    `    const xb = (a * ${n} + jc) * ${inner}, ob = (a * ${nIdx} + k) * ${inner};`,
    `    for (let c = 0; c < ${inner}; c++) ${move}`,
    '  }',
    '}',
  ].join('\n');
}

/** The transpose of a strided slice along each axis: pads (stride 1) or scatters (stride > 1). */
function unslice(ct: Tracer, x: Tracer, p: { starts: number[]; limits: number[]; strides: number[] }): Tracer {
  let y = ct;
  x.shape.forEach((d, i) => {
    if (p.strides[i] === 1) {
      const lo = x.shape.map(() => 0);
      const hi = x.shape.map(() => 0);
      lo[i] = p.starts[i]!;
      hi[i] = d - p.starts[i]! - y.shape[i]!;
      if (lo[i] || hi[i]) y = P.emit1('pad', [y], { lo, hi });
    } else {
      const idx = Array.from({ length: y.shape[i]! }, (_, k) => p.starts[i]! + k * p.strides[i]!);
      y = P.emit1('scatter_add', [y, P.constant(idx, 'int32')], { axis: i, size: d });
    }
  });
  return y;
}

export const shapeRules = {
  broadcast_in_dim: {
    shape: ([x], p) => {
      const ok =
        p.dims.length === x!.shape.length &&
        p.dims.every((d, i) => d >= 0 && d < p.shape.length && (i === 0 || d > p.dims[i - 1]!)) &&
        x!.shape.every((d, i) => d === 1 || d === p.shape[p.dims[i]!]);
      if (!ok) throw new ShapeError(`cannot broadcast ${avalString(x!)} to [${p.shape}] along dims [${p.dims}]`);
      return [aval(p.shape, x!.dtype)];
    },
    jvp: (_x, [t], p) => [t ? P.emit1('broadcast_in_dim', [t], p) : null],
    vjp: ([ct], [x], _o, p) => {
      if (!ct) return [null];
      const axes = p.shape
        .map((_, i) => i)
        .filter((i) => {
          const k = p.dims.indexOf(i);
          return k < 0 || (x!.shape[k] === 1 && p.shape[i] !== 1);
        });
      const s = axes.length ? P.emit1('reduce_sum', [ct], { axes }) : ct;
      return [P.reshape(s, x!.shape)];
    },
    ref: ([x], p, [o]) => {
      const xs = stridesOf(x!.shape);
      const strides = p.shape.map((_, i) => {
        const k = p.dims.indexOf(i);
        return k < 0 || x!.shape[k] === 1 ? 0 : xs[k]!;
      });
      return [stridedGather(x!, o!, strides, 0)];
    },
    tfjs: ([x], p, _o, ctx) => {
      const mid = p.shape.map((d, i) => {
        const k = p.dims.indexOf(i);
        return k < 0 ? 1 : x!.shape[k]!;
      });
      const r = ctx.tf.reshape(x!, mid);
      if (sameShape(mid, p.shape)) return [r];
      const b = ctx.tf.broadcastTo(r, p.shape);
      r.dispose();
      return [b];
    },
    view: {
      view: (src, inShape, p) => ({
        offset: src.offset,
        strides: p.shape.map((_, i) => {
          const k = p.dims.indexOf(i);
          return k < 0 || inShape[k] === 1 ? 0 : src.strides[k]!;
        }),
      }),
    },
  } satisfies PrimRule<'broadcast_in_dim'>,

  reshape: {
    shape: ([x], p) => {
      if (sizeOf(p.shape) !== sizeOf(x!.shape) || p.shape.some((d) => d < 0 || !Number.isInteger(d))) {
        throw new ShapeError(`cannot reshape ${avalString(x!)} to [${p.shape}]`);
      }
      return [aval(p.shape, x!.dtype)];
    },
    jvp: (_x, [t], p) => [t ? P.emit1('reshape', [t], p) : null],
    vjp: ([ct], [x]) => [ct ? P.emit1('reshape', [ct], { shape: [...x!.shape] }) : null],
    ref: ([x], p) => [{ data: x!.data, shape: p.shape }],
    tfjs: ([x], p, _o, ctx) => [ctx.tf.reshape(x!, p.shape)],
    view: { view: (src, inShape, _p, outShape) => reshapeAccess(src, inShape, outShape) },
  } satisfies PrimRule<'reshape'>,

  transpose: {
    shape: ([x], p) => {
      const r = x!.shape.length;
      if (p.perm.length !== r || [...p.perm].sort((a, b) => a - b).some((v, i) => v !== i)) {
        throw new ShapeError(`transpose: [${p.perm}] is not a permutation of the axes of ${avalString(x!)}`);
      }
      return [
        aval(
          p.perm.map((a) => x!.shape[a]!),
          x!.dtype,
        ),
      ];
    },
    jvp: (_x, [t], p) => [t ? P.emit1('transpose', [t], p) : null],
    vjp: ([ct], _x, _o, p) => {
      if (!ct) return [null];
      const inv = new Array<number>(p.perm.length);
      p.perm.forEach((a, i) => (inv[a] = i));
      return [P.emit1('transpose', [ct], { perm: inv })];
    },
    ref: ([x], p, [o]) => {
      const xs = stridesOf(x!.shape);
      return [
        stridedGather(
          x!,
          o!,
          p.perm.map((a) => xs[a]!),
          0,
        ),
      ];
    },
    tfjs: ([x], p, _o, ctx) => [ctx.tf.transpose(x!, p.perm)],
    view: { view: (src, _s, p) => ({ offset: src.offset, strides: p.perm.map((a) => src.strides[a]!) }) },
  } satisfies PrimRule<'transpose'>,

  slice: {
    shape: ([x], p) => [aval(sliceShape(x!, p), x!.dtype)],
    jvp: (_x, [t], p) => [t ? P.emit1('slice', [t], p) : null],
    vjp: ([ct], [x], _o, p) => [ct ? unslice(ct, x!, p) : null],
    ref: ([x], p, [o]) => {
      const xs = stridesOf(x!.shape);
      const offset = p.starts.reduce((acc, s, i) => acc + s * xs[i]!, 0);
      return [
        stridedGather(
          x!,
          o!,
          xs.map((s, i) => s * p.strides[i]!),
          offset,
        ),
      ];
    },
    tfjs: ([x], p, _o, ctx) =>
      p.strides.every((s) => s === 1)
        ? [
            ctx.tf.slice(
              x!,
              p.starts,
              p.limits.map((l, i) => l - p.starts[i]!),
            ),
          ]
        : [ctx.tf.stridedSlice(x!, p.starts, p.limits, p.strides)],
    view: {
      view: (src, _s, p) => ({
        offset: p.starts.reduce((o, s, i) => o + s * src.strides[i]!, src.offset),
        strides: src.strides.map((st, i) => st * p.strides[i]!),
      }),
    },
  } satisfies PrimRule<'slice'>,

  concatenate: {
    shape: (xs, p) => {
      const f = xs[0]!;
      let total = 0;
      for (const x of xs) {
        const ok =
          x.dtype === f.dtype &&
          x.shape.length === f.shape.length &&
          x.shape.every((d, i) => i === p.axis || d === f.shape[i]);
        if (!ok)
          throw new ShapeError(`concatenate along axis ${p.axis}: ${avalString(f)} and ${avalString(x)} do not fit`);
        total += x.shape[p.axis]!;
      }
      const s = [...f.shape];
      s[p.axis] = total;
      return [aval(s, f.dtype)];
    },
    jvp: (xs, ts, p) =>
      ts.some((t) => t)
        ? [
            P.emit1(
              'concatenate',
              ts.map((t, i) => t ?? P.zerosLike(xs[i]!)),
              p,
            ),
          ]
        : [null],
    vjp: ([ct], xs, _o, p) => {
      if (!ct) return xs.map(() => null);
      let off = 0;
      return xs.map((x) => {
        const starts = ct.shape.map(() => 0);
        const limits = [...ct.shape];
        starts[p.axis] = off;
        off += x.shape[p.axis]!;
        limits[p.axis] = off;
        return P.emit1('slice', [ct], { starts, limits, strides: ct.shape.map(() => 1) });
      });
    },
    ref: (xs, p, [o]) => {
      const r = alloc(o!);
      const outer = sizeOf(o!.shape.slice(0, p.axis));
      const inner = sizeOf(o!.shape.slice(p.axis + 1));
      const rowOut = o!.shape[p.axis]! * inner;
      let off = 0;
      for (const x of xs) {
        const row = x.shape[p.axis]! * inner;
        for (let a = 0; a < outer; a++) r.data.set(x.data.subarray(a * row, (a + 1) * row) as never, a * rowOut + off);
        off += row;
      }
      return [r];
    },
    tfjs: (xs, p, _o, ctx) => [ctx.tf.concat(xs, p.axis)],
    js: {
      // Each operand is copied into its slice of the output.
      emit: (xs, [o], p, ia, [oa], ctx) => {
        const os = stridesOf(oa!.shape);
        let off = 0;
        return xs
          .map((x, j) => {
            const shape = ia[j]!.shape;
            const code = ctx.copy(
              x,
              { offset: 0, strides: stridesOf(shape) },
              o!,
              { offset: off * os[p.axis]!, strides: os },
              shape,
            );
            off += shape[p.axis]!;
            return code;
          })
          .join('\n');
      },
    },
  } satisfies PrimRule<'concatenate'>,

  pad: {
    shape: ([x], p) => {
      if (p.lo.length !== x!.shape.length || p.hi.length !== x!.shape.length || [...p.lo, ...p.hi].some((v) => v < 0)) {
        throw new ShapeError(`pad: bad padding [${p.lo}]/[${p.hi}] for ${avalString(x!)}`);
      }
      return [
        aval(
          x!.shape.map((d, i) => d + p.lo[i]! + p.hi[i]!),
          x!.dtype,
        ),
      ];
    },
    jvp: (_x, [t], p) => [t ? P.emit1('pad', [t], p) : null],
    vjp: ([ct], [x], _o, p) => [
      ct
        ? P.emit1('slice', [ct], {
            starts: [...p.lo],
            limits: p.lo.map((l, i) => l + x!.shape[i]!),
            strides: p.lo.map(() => 1),
          })
        : null,
    ],
    ref: ([x], p, [o]) => {
      const r = alloc(o!);
      const os = stridesOf(o!.shape);
      const offset = p.lo.reduce((acc, l, i) => acc + l * os[i]!, 0);
      // Scatter x into the interior by walking x's indices with the output's strides.
      const rank = x!.shape.length;
      const counter = new Array<number>(rank).fill(0);
      let s = offset;
      for (let i = 0; i < x!.data.length; i++) {
        r.data[s] = x!.data[i]!;
        for (let d = rank - 1; d >= 0; d--) {
          counter[d]!++;
          s += os[d]!;
          if (counter[d]! < x!.shape[d]!) break;
          s -= os[d]! * x!.shape[d]!;
          counter[d] = 0;
        }
      }
      return [r];
    },
    js: {
      emit: ([x], [o], p, [xa], [oa], ctx) => {
        const os = stridesOf(oa!.shape);
        const offset = p.lo.reduce((acc, l, i) => acc + l * os[i]!, 0);
        const fill = `${o}.fill(0);`;
        return `${fill}\n${ctx.copy(x!, { offset: 0, strides: stridesOf(xa!.shape) }, o!, { offset, strides: os }, xa!.shape)}`;
      },
    },
    tfjs: ([x], p, _o, ctx) => [
      ctx.tf.pad(
        x!,
        p.lo.map((l, i) => [l, p.hi[i]!] as [number, number]),
      ),
    ],
  } satisfies PrimRule<'pad'>,

  gather: {
    shape: ([x, idx], p) => [aval(gatherShape(x!, idx!, p.axis), x!.dtype)],
    jvp: ([, idx], [t], p) => [t ? P.emit1('gather', [t, idx!], p) : null],
    vjp: ([ct], [x, idx], _o, p) => [
      ct ? P.emit1('scatter_add', [ct, idx!], { axis: p.axis, size: x!.shape[p.axis]! }) : null,
      null,
    ],
    ref: ([x, idx], p, [o]) => {
      const r = alloc(o!);
      gatherLoop(
        x!.shape,
        p.axis,
        idx!.data.length,
        (xb, ob, inner) => {
          for (let c = 0; c < inner; c++) r.data[ob + c] = x!.data[xb + c]!;
        },
        idx!.data,
      );
      return [r];
    },
    tfjs: ([x, idx], p, _o, ctx) => [ctx.tf.gather(x!, idx!, p.axis)],
    js: { emit: ([x, idx], [o], p, [xa, ia]) => gatherCode(x!, idx!, o!, xa!.shape, p.axis, sizeOf(ia!.shape), false) },
  } satisfies PrimRule<'gather'>,

  scatter_add: {
    shape: ([u, idx], p) => {
      if (idx!.dtype !== 'int32') throw new ShapeError(`scatter_add: indices must be int32, got ${avalString(idx!)}`);
      const k = idx!.shape.length;
      const ok = u!.shape.length >= p.axis + k && idx!.shape.every((d, i) => u!.shape[p.axis + i] === d);
      if (!ok)
        throw new ShapeError(
          `scatter_add: updates ${avalString(u!)} do not match indices ${avalString(idx!)} at axis ${p.axis}`,
        );
      return [aval([...u!.shape.slice(0, p.axis), p.size, ...u!.shape.slice(p.axis + k)], u!.dtype)];
    },
    jvp: ([, idx], [t], p) => [t ? P.emit1('scatter_add', [t, idx!], p) : null],
    vjp: ([ct], [, idx], _o, p) => [ct ? P.emit1('gather', [ct, idx!], { axis: p.axis }) : null, null],
    ref: ([u, idx], p, [o]) => {
      const r = alloc(o!);
      gatherLoop(
        o!.shape,
        p.axis,
        idx!.data.length,
        (xb, ob, inner) => {
          for (let c = 0; c < inner; c++) r.data[xb + c] += u!.data[ob + c]!;
        },
        idx!.data,
      );
      return [r];
    },
    js: {
      emit: ([u, idx], [o], p, [ua, ia], [oa]) =>
        `${o}.fill(0);\n${gatherCode(o!, idx!, u!, oa!.shape, p.axis, sizeOf(ia!.shape), true)}`,
    },
    tfjs: ([u, idx], p, [o], ctx) => {
      const tf = ctx.tf;
      return [
        tf.tidy(() => {
          const k = idx!.shape.length;
          const rank = u!.shape.length;
          // Move the indexed axes to the front, sum segments, move the axis back.
          const front = [...Array(k).keys()].map((i) => p.axis + i);
          const rest = [...Array(rank).keys()].filter((i) => !front.includes(i));
          const ut = tf.transpose(u!, [...front, ...rest]);
          const flat = tf.reshape(ut, [sizeOf(idx!.shape), ...rest.map((i) => u!.shape[i]!)]);
          // scatterND sums duplicate indices and, unlike unsortedSegmentSum, exists on wasm too.
          const seg = tf.scatterND(tf.reshape(idx!, [-1, 1]), flat, [p.size, ...rest.map((i) => u!.shape[i]!)]);
          const outRank = o!.shape.length;
          const perm = [...Array(outRank).keys()].map((i) => (i < p.axis ? i + 1 : i === p.axis ? 0 : i));
          return tf.transpose(seg, perm);
        }),
      ];
    },
  } satisfies PrimRule<'scatter_add'>,

  iota: {
    shape: (_i, p) => {
      if (p.axis < 0 || p.axis >= p.shape.length)
        throw new ShapeError(`iota: axis ${p.axis} out of range for [${p.shape}]`);
      return [aval(p.shape, p.dtype)];
    },
    jvp: () => [null],
    vjp: () => [],
    ref: (_i, p, [o]) => {
      const r = alloc(o!);
      const inner = stridesOf(p.shape)[p.axis]!;
      const n = p.shape[p.axis]!;
      for (let i = 0; i < r.data.length; i++) r.data[i] = Math.floor(i / inner) % n;
      return [r];
    },
    tfjs: (_i, p, [o], ctx) => {
      const tf = ctx.tf;
      return [
        tf.tidy(() => {
          const dt = o!.dtype === 'int32' ? 'int32' : 'float32';
          const r = tf.range(0, p.shape[p.axis]!, 1, dt);
          const mid = p.shape.map((d, i) => (i === p.axis ? d : 1));
          return tf.broadcastTo(tf.reshape(r, mid), p.shape);
        }),
      ];
    },
  } satisfies PrimRule<'iota'>,
} satisfies PartialTable<
  'broadcast_in_dim' | 'reshape' | 'transpose' | 'slice' | 'concatenate' | 'pad' | 'gather' | 'scatter_add' | 'iota'
>;
