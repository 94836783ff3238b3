// The rows of tests/compiler/builtins.test.ts (values of every built-in on sample inputs) and
// of tests/compiler/builtin_derivatives.test.ts (the same inputs, derivatives against finite
// differences). The table must cover every entry of BUILTINS.

import type { Tracer } from '../../runtime/index.js';
import type { FnSig } from '../../compiler/front/builtins.js';
import { MATH_ROWS } from './builtin_math_rows.js';
import { DIST_ROWS } from './builtin_dist_rows.js';
import { MODEL_ROWS } from './builtin_model_rows.js';
import { LINALG_ROWS } from './builtin_linalg_rows.js';
import { MATRIX_ROWS } from './builtin_matrix_rows.js';
import { DERIVATIVE_ROWS } from './builtin_derivative_rows.js';

type Arr = { data: number[]; shape: number[] };
const v = (...xs: number[]): Arr => ({ data: xs, shape: [xs.length] });
const m = (rows: number[][]): Arr => ({ data: rows.flat(), shape: [rows.length, rows[0]!.length] });
const s = (x: number): Arr => ({ data: [x], shape: [] });

export interface Row {
  args: Arr[];
  axis?: number;
  ints?: number[];
  /** Element types of args for the type rule (default real): group ids are int. */
  elems?: ('real' | 'int')[];
  /** Expected flat values and shape. */
  out: Arr;
  /** Real options known before the run ('num' params), in param order. */
  nums?: (number | undefined)[];
  /** Function arguments ('fn' params). */
  fns?: ((...xs: Tracer[]) => Tracer)[];
  /** How many of `args` are rest arguments. */
  restCount?: number;
  /** Absolute tolerance of the comparison (default 1e-10). */
  tol?: number;
  /** The function arguments as the type rule sees them. */
  fnTypes?: FnSig[];
  /** The built-in is an honest refusal: its type rule's message. */
  refuses?: RegExp;
  /** A derivative built-in's expression, as a function of the variables (the first `wrtCount`
   *  args); its result shape for the type rule is `bodyShape`. */
  body?: (...xs: Tracer[]) => Tracer;
  wrtCount?: number;
  bodyShape?: number[];
}

const x3 = v(0.5, -1.2, 2);
const M = m([
  [1, -2],
  [3, 0.5],
]);
const ew = (f: (x: number) => number): Row => ({ args: [x3], out: { data: x3.data.map(f), shape: [3] } });
const sp = (x: number) => Math.log1p(Math.exp(x));
const lse = (xs: number[]) => Math.log(xs.reduce((a, b) => a + Math.exp(b), 0));

const CORE_ROWS: Record<string, Row[]> = {
  exp: [ew(Math.exp)],
  log: [{ args: [v(0.5, 1, 3)], out: v(Math.log(0.5), 0, Math.log(3)) }],
  log1p: [{ args: [v(0.5, -0.2, 2)], out: v(Math.log1p(0.5), Math.log1p(-0.2), Math.log1p(2)) }],
  expm1: [ew(Math.expm1)],
  sqrt: [{ args: [v(0.25, 4)], out: v(0.5, 2) }],
  square: [ew((x) => x * x)],
  sin: [ew(Math.sin)],
  cos: [ew(Math.cos)],
  atan: [ew(Math.atan)],
  tanh: [ew(Math.tanh)],
  sigmoid: [ew((x) => 1 / (1 + Math.exp(-x)))],
  log_sigmoid: [ew((x) => -sp(-x))],
  softplus: [ew(sp)],
  abs: [ew(Math.abs)],
  relu: [ew((x) => Math.max(x, 0))],
  sign: [ew(Math.sign)],
  floor: [ew(Math.floor)],
  sum: [
    { args: [x3], out: s(1.3) },
    { args: [M], axis: 0, out: v(4, -1.5) },
    { args: [M], axis: 1, out: v(-1, 3.5) },
  ],
  mean: [
    { args: [x3], out: s(1.3 / 3) },
    { args: [M], axis: -1, out: v(-0.5, 1.75) },
  ],
  sumsq: [
    { args: [x3], out: s(0.25 + 1.44 + 4) },
    { args: [M], axis: 0, out: v(10, 4.25) },
  ],
  logsumexp: [
    { args: [x3], out: s(lse(x3.data)) },
    { args: [M], axis: 1, out: v(lse([1, -2]), lse([3, 0.5])) },
  ],
  norm1: [
    { args: [x3], out: s(3.7) },
    { args: [M], axis: 1, out: v(3, 3.5) },
  ],
  norm2: [
    { args: [x3], out: s(Math.sqrt(5.69)) },
    { args: [M], axis: 0, out: v(Math.sqrt(10), Math.sqrt(4.25)) },
  ],
  norm_inf: [{ args: [x3], out: s(2) }],
  max: [
    { args: [x3], out: s(2) },
    { args: [M], axis: 0, out: v(3, 0.5) },
  ],
  min: [
    { args: [x3], out: s(-1.2) },
    { args: [M], axis: 1, out: v(-2, 0.5) },
  ],
  softmax: [{ args: [x3], out: { data: x3.data.map((x) => Math.exp(x - lse(x3.data))), shape: [3] } }],
  log_softmax: [{ args: [x3], out: { data: x3.data.map((x) => x - lse(x3.data)), shape: [3] } }],
  cumsum: [
    { args: [x3], out: v(0.5, -0.7, 1.3) },
    {
      args: [M],
      axis: 0,
      out: m([
        [1, -2],
        [4, -1.5],
      ]),
    },
  ],
  maximum: [{ args: [x3, s(0)], out: v(0.5, 0, 2) }],
  minimum: [{ args: [x3, v(1, 1, 1)], out: v(0.5, -1.2, 1) }],
  dot: [{ args: [x3, v(1, 2, 3)], out: s(0.5 - 2.4 + 6) }],
  outer: [
    {
      args: [v(1, 2), v(3, 4, 5)],
      out: m([
        [3, 4, 5],
        [6, 8, 10],
      ]),
    },
  ],
  matmul: [
    { args: [M, v(1, 1)], out: v(-1, 3.5) },
    {
      args: [M, M],
      out: m([
        [-5, -3],
        [4.5, -5.75],
      ]),
    },
  ],
  transpose: [
    {
      args: [M],
      out: m([
        [1, 3],
        [-2, 0.5],
      ]),
    },
  ],
  trace: [{ args: [M], out: s(1.5) }],
  diag: [
    {
      args: [v(1, 2)],
      out: m([
        [1, 0],
        [0, 2],
      ]),
    },
  ],
  cholesky: [
    {
      args: [
        m([
          [4, 2],
          [2, 5],
        ]),
      ],
      out: m([
        [2, 0],
        [1, 2],
      ]),
    },
  ],
  nuclear_norm: [
    {
      args: [
        m([
          [3, 0],
          [0, -4],
        ]),
      ],
      out: s(7),
    },
  ],
  size: [{ args: [M], axis: 1, out: s(2) }],
  norm0: [{ args: [v(0.5, 0, -2)], out: s(2) }],
  group_norm: [
    { args: [v(3, 4, 1), v(0, 0, 1)], elems: ['real', 'int'], out: s(6) },
    { args: [v(3, 4, 1), v(0, 0, 1), v(2, 1)], elems: ['real', 'int', 'real'], out: s(11) },
  ],
  // S_1(x) = 0.5 (sum |x|)^2
  sparse_envelope: [
    { args: [v(3, 1, 1)], ints: [1], out: s(12.5) },
    { args: [v(3, 1, 1)], ints: [3], out: s(5.5) },
  ],
  // v = (5, 1, 0): S_1(v) = 18; gap = 18 - 0.5 * 26 = 5
  wgsef: [{ args: [v(3, 4, 1), v(0, 0, 1)], elems: ['real', 'int'], ints: [1], out: s(18) }],
  wgsef_gap: [{ args: [v(3, 4, 1), v(0, 0, 1)], elems: ['real', 'int'], ints: [1], out: s(5) }],
  zeros: [
    {
      args: [],
      ints: [2, 3],
      out: m([
        [0, 0, 0],
        [0, 0, 0],
      ]),
    },
  ],
  ones: [{ args: [], ints: [2], out: v(1, 1) }],
};

export const ROWS: Record<string, Row[]> = {
  ...CORE_ROWS,
  ...MATH_ROWS,
  ...LINALG_ROWS,
  ...MATRIX_ROWS,
  ...DERIVATIVE_ROWS,
  ...DIST_ROWS,
  ...MODEL_ROWS,
};
