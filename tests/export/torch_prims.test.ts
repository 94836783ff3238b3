// The torch emitter primitive by primitive, against the ref backend: each case is a small graph
// of one primitive (or a few) on fixed inputs, emitted as Python, run by torch, and compared to
// runRef to 1e-12 relative (exact for int32 and bool). Covers what the example programs may not
// reach: cumsum, sort, top_k, pad, gather, scatter_add, iota, linear algebra, integer division.
import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ops as P, runRef, trace, torchFunction, TORCH_PRELUDE, type Graph, type Tracer } from '../../runtime/index.js';
import { assertTorch, python } from '../helpers/torch.js';

type In = { data: number[]; shape: number[]; dtype: 'float64' | 'int32' | 'bool' };
const f64 = (shape: number[], seed: number): In => {
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  return {
    data: Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 4 - 2),
    shape,
    dtype: 'float64',
  };
};
const i32 = (data: number[]): In => ({ data, shape: [data.length], dtype: 'int32' });

const e1 = P.emit;
const CASES: [string, (...x: Tracer[]) => Tracer | Tracer[], In[]][] = [
  ['cumsum reverse', (x) => e1('cumsum', [x!], { axis: 1, reverse: true }), [f64([3, 4], 1)]],
  ['cumsum', (x) => e1('cumsum', [x!], { axis: 0, reverse: false }), [f64([3, 4], 2)]],
  ['sort', (x) => e1('sort', [x!], { descending: true }), [f64([2, 5], 3)]],
  ['top_k', (x) => e1('top_k', [x!], { k: 2 }), [f64([3, 4], 4)]],
  ['pad', (x) => e1('pad', [x!], { lo: [1, 0], hi: [0, 2] }), [f64([2, 3], 5)]],
  ['gather', (x, i) => e1('gather', [x!, i!], { axis: 1 }), [f64([2, 4], 6), i32([3, 0, 3])]],
  ['scatter_add', (u, i) => e1('scatter_add', [u!, i!], { axis: 0, size: 4 }), [f64([3, 2], 7), i32([1, 3, 1])]],
  ['iota', () => e1('iota', [], { shape: [2, 3], axis: 1, dtype: 'int32' }), []],
  [
    'argmax, reduce_max, reduce_min',
    (x) => [
      e1('argmax', [x!], { axis: 1 })[0]!,
      e1('reduce_max', [x!], { axes: [0] })[0]!,
      e1('reduce_min', [x!], { axes: [0, 1] })[0]!,
    ],
    [f64([3, 4], 8)],
  ],
  [
    'transpose, concatenate',
    (x, y) => e1('concatenate', [e1('transpose', [x!], { perm: [1, 0] })[0]!, y!], { axis: 0 }),
    [f64([2, 3], 9), f64([1, 2], 10)],
  ],
  [
    'matmul transposed',
    (a, b) => e1('matmul', [a!, b!], { transA: true, transB: true }),
    [f64([3, 2], 11), f64([4, 3], 12)],
  ],
  [
    'cholesky, triangular_solve',
    (x, b) => {
      const a = P.add(
        e1('matmul', [x!, x!], { transA: false, transB: true })[0]!,
        P.constant(Float64Array.of(3, 0, 0, 0, 3, 0, 0, 0, 3), 'float64', [3, 3]),
      );
      const l = e1('cholesky', [a], {})[0]!;
      return [
        l,
        e1('triangular_solve', [l, b!], { lower: true, transA: true })[0]!,
        e1('triangular_solve', [l, b!], { lower: true, transA: false })[0]!,
      ];
    },
    [f64([3, 3], 13), f64([3, 2], 14)],
  ],
  [
    'eigh values, svd values',
    (x) => {
      const sym = P.add(x!, e1('transpose', [x!], { perm: [1, 0] })[0]!);
      return [e1('eigh', [sym], {})[0]!, e1('svd', [x!], {})[1]!];
    },
    [f64([3, 3], 15)],
  ],
  [
    'int32 division, convert',
    (x, i) => [
      e1('div', [i!, P.constant(Int32Array.of(2, 2, 2), 'int32', [3])], {})[0]!,
      e1('convert', [x!], { dtype: 'int32' })[0]!,
      e1('convert', [x!], { dtype: 'bool' })[0]!,
    ],
    [{ data: [-2.7, 0, 1.5], shape: [3], dtype: 'float64' }, i32([-5, 7, 3])],
  ],
  [
    'pow, max, min, select, logic',
    (x, y) => {
      const c = e1('and', [e1('lt', [x!, y!], {})[0]!, e1('not', [e1('eq', [x!, y!], {})[0]!], {})[0]!], {})[0]!;
      return [
        e1('pow', [P.abs(x!), y!], {})[0]!,
        e1('max', [x!, y!], {})[0]!,
        e1('min', [x!, y!], {})[0]!,
        e1('select', [c, x!, y!], {})[0]!,
      ];
    },
    [f64([5], 16), f64([5], 17)],
  ],
];

describe('torch emitter: each primitive equals the ref backend', () => {
  let results: (number | string)[][][] = [];
  const graphs: Graph[] = [];
  beforeAll(() => {
    assertTorch();
    const jobs = CASES.map(([, fn, ins]) => {
      const g = trace(
        (...xs: Tracer[]) => fn(...xs),
        ins.map((i) => ({ shape: i.shape, dtype: i.dtype })),
      );
      graphs.push(g);
      return { source: torchFunction(g, { name: 'f', inputs: ins.map((_, k) => `x${k}`) }), inputs: ins };
    });
    const dir = mkdtempSync(join(tmpdir(), 'proxima-prims-'));
    writeFileSync(join(dir, 'prelude.py'), TORCH_PRELUDE);
    results = JSON.parse(
      python([join(import.meta.dirname, 'torch_prims.py'), join(dir, 'prelude.py')], { input: JSON.stringify(jobs) }),
    );
  }, 120_000);

  it.each(CASES.map(([name], i) => [name, i] as const))('%s', (_n, i) => {
    const ins = CASES[i]![2].map((x) => ({
      data:
        x.dtype === 'int32'
          ? Int32Array.from(x.data)
          : x.dtype === 'bool'
            ? Uint8Array.from(x.data)
            : Float64Array.from(x.data),
      shape: x.shape,
    }));
    const ref = runRef(graphs[i]!, ins);
    ref.forEach((r, k) => {
      const t = results[i]![k]!.map(Number);
      expect(t).toHaveLength(r.data.length);
      Array.from(r.data).forEach((v, j) =>
        expect(Math.abs(t[j]! - v), `output ${k}[${j}]: torch ${t[j]}, ref ${v}`).toBeLessThanOrEqual(
          1e-12 * Math.max(1, Math.abs(v)),
        ),
      );
    });
  });
});
