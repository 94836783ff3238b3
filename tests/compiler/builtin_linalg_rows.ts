// Rows of tests/compiler/builtins.test.ts for Stan's vector and matrix functions
// (compiler/front/builtins_linalg.ts). Reference values: numpy 2.4 / scipy 1.17 (scripted:
// np.linalg.solve, slogdet, cholesky, flatten(order='F'), scipy.special.gammaln, expit, xlogy,
// scipy.stats.norm.logpdf), or exact.

import type { Row } from './builtin_rows.js';

type Arr = { data: number[]; shape: number[] };
const v = (...xs: number[]): Arr => ({ data: xs, shape: [xs.length] });
const s = (x: number): Arr => ({ data: [x], shape: [] });
const m = (rows: number[][]): Arr => ({ data: rows.flat(), shape: [rows.length, rows[0]!.length] });

const a = v(0.5, -1.2, 2.0);
const b = v(1.5, 0.3, -0.7);
/** symmetric positive definite */
const A = m([
  [2.0, 0.3],
  [0.3, 1.5],
]);
const B = m([
  [1.0, -0.4, 0.2],
  [0.5, 0.8, -1.1],
]);
const C = m([
  [0.7, 1.2, -0.3],
  [-0.6, 0.4, 0.9],
]);
/** lower triangular; the entry above the diagonal is ignored by the _tri_low functions */
const L = m([
  [1.5, 9.0],
  [-0.4, 0.8],
]);

export const LINALG_ROWS: Record<string, Row[]> = {
  dot_product: [{ args: [a, b], out: s(-1.01) }],
  dot_self: [{ args: [a], out: s(5.69) }],
  rows_dot_product: [{ args: [B, C], out: v(0.16, -0.97) }],
  columns_dot_product: [{ args: [B, C], out: v(0.4, -0.16, -1.05) }],
  quad_form: [
    { args: [A, v(0.7, -0.2)], out: s(0.956) },
    {
      args: [
        A,
        m([
          [0.7, -0.2, 1.0],
          [0.3, 0.9, -0.5],
        ]),
      ],
      out: m([
        [1.241, 0.296, 1.16],
        [0.296, 1.187, -0.775],
        [1.16, -0.775, 2.075],
      ]),
    },
  ],
  quad_form_diag: [
    {
      args: [A, v(0.8, 1.7)],
      out: m([
        [1.28, 0.408],
        [0.408, 4.335],
      ]),
    },
  ],
  diag_pre_multiply: [
    {
      args: [v(0.8, 1.7), B],
      out: m([
        [0.8, -0.32, 0.16],
        [0.85, 1.36, -1.87],
      ]),
    },
  ],
  diag_post_multiply: [
    {
      args: [B, v(0.8, 1.7, -0.5)],
      out: m([
        [0.8, -0.68, -0.1],
        [0.4, 1.36, 0.55],
      ]),
    },
  ],
  diag_matrix: [
    {
      args: [a],
      out: m([
        [0.5, 0, 0],
        [0, -1.2, 0],
        [0, 0, 2],
      ]),
    },
  ],
  tcrossprod: [
    {
      args: [B],
      out: m([
        [1.2, -0.04],
        [-0.04, 2.1],
      ]),
    },
  ],
  crossprod: [
    {
      args: [B],
      out: m([
        [1.25, 0, -0.35],
        [0, 0.8, -0.96],
        [-0.35, -0.96, 1.25],
      ]),
    },
  ],
  multiply_lower_tri_self_transpose: [
    {
      args: [L],
      out: m([
        [2.25, -0.6],
        [-0.6, 0.8],
      ]),
    },
  ],
  cholesky_decompose: [
    {
      args: [A],
      out: m([
        [1.4142135623730951, 0],
        [0.21213203435596423, 1.2062338081814818],
      ]),
    },
  ],
  mdivide_left_tri_low: [
    { args: [L, v(0.6, -1.1)], out: v(0.4, -1.175) },
    {
      args: [L, B],
      out: m([
        [0.6666666666666666, -0.26666666666666666, 0.13333333333333333],
        [0.9583333333333333, 0.8666666666666667, -1.3083333333333336],
      ]),
    },
  ],
  mdivide_right_tri_low: [
    { args: [v(0.6, -1.1), L], out: v(0.03333333333333327, -1.375) },
    {
      args: [
        m([
          [1.0, 0.5],
          [-0.4, 0.8],
          [0.2, -1.1],
        ]),
        L,
      ],
      out: m([
        [0.8333333333333333, 0.625],
        [0, 1.0],
        [-0.23333333333333334, -1.375],
      ]),
    },
  ],
  log_determinant_spd: [{ args: [A], out: s(1.0681530811834012) }],
  squared_distance: [{ args: [a, b], out: s(10.54) }],
  distance: [{ args: [a, b], out: s(3.2465366161495854) }],
  cumulative_sum: [{ args: [a], out: v(0.5, -0.7, 1.3) }],
  to_vector: [
    { args: [B], out: v(1.0, 0.5, -0.4, 0.8, 0.2, -1.1) },
    { args: [a], out: a },
    { args: [s(2.5)], out: v(2.5) },
  ],
  head: [{ args: [a], ints: [2], out: v(0.5, -1.2) }],
  tail: [{ args: [a], ints: [2], out: v(-1.2, 2.0) }],
  reverse: [{ args: [a], out: v(2.0, -1.2, 0.5) }],
  sort_asc: [{ args: [a], out: v(-1.2, 0.5, 2.0) }],
  sort_desc: [{ args: [a], out: v(2.0, 0.5, -1.2) }],
  append_row: [
    { args: [a, b], out: v(0.5, -1.2, 2.0, 1.5, 0.3, -0.7) },
    { args: [s(4), a], out: v(4, 0.5, -1.2, 2.0) },
    {
      args: [B, C],
      out: m([
        [1.0, -0.4, 0.2],
        [0.5, 0.8, -1.1],
        [0.7, 1.2, -0.3],
        [-0.6, 0.4, 0.9],
      ]),
    },
  ],
  rep_array: [
    { args: [s(1.5)], ints: [2], out: v(1.5, 1.5) },
    { args: [s(-2)], ints: [2, 1, 2], out: { data: [-2, -2, -2, -2], shape: [2, 1, 2] } },
  ],
  multiply_log: [{ args: [v(0, 2, 1.5), v(0, 3, 0.25)], out: v(0, 2.1972245773362196, -2.0794415416798357) }],
  log_inv_logit_diff: [
    {
      args: [v(1.5, 0.3, 2.0), v(0.5, -1.2, -0.7)],
      out: v(-1.6341654075499412, -1.070120170732012, -0.5996844332157546),
    },
  ],
  log_falling_factorial: [
    { args: [v(5, 7.5, 3.2), v(2, 3, 1.5)], out: v(2.995732273553991, 5.59145328968228, 1.6137350833054853) },
  ],
  log_rising_factorial: [
    { args: [v(5, 7.5, 3.2), v(2, 3, 1.5)], out: v(3.4011973816621555, 6.40626098264503, 1.851000319160658) },
  ],
  std_normal_lpdf: [{ args: [a], out: s(-5.601815599614017) }],
};
