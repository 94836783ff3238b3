// Rows of tests/compiler/builtins.test.ts for ordering and dense linear algebra
// (compiler/front/builtins_matrix.ts). Reference values: numpy 2.4 / scipy 1.17 (scripted:
// np.linalg.solve, inv, slogdet, np.linalg.cholesky, scipy.linalg.cho_solve, scipy.linalg.expm),
// or exact.

import type { Row } from './builtin_rows.js';

type Arr = { data: number[]; shape: number[] };
const v = (...xs: number[]): Arr => ({ data: xs, shape: [xs.length] });
const s = (x: number): Arr => ({ data: [x], shape: [] });
const m = (rows: number[][]): Arr => ({ data: rows.flat(), shape: [rows.length, rows[0]!.length] });

/** A nonsymmetric matrix whose first column's largest entry is not on the diagonal after step 1. */
const A = m([
  [2, 1, 0.5],
  [0.3, -1, 2],
  [1, 4, 0.2],
]);
/** The lower Cholesky factor of [[2, 0.3, 0.1], [0.3, 1.5, -0.2], [0.1, -0.2, 1.2]]. */
const L = m([
  [1.4142135623730951, 0, 0],
  [0.21213203435596423, 1.2062338081814818, 0],
  [0.07071067811865475, -0.17824073454228084, 1.0785315204247987],
]);
const E = m([
  [0.1, -0.4, 0.3],
  [0.5, 0.2, -0.6],
  [-0.3, 0.7, 0.05],
]);
const X = m([
  [0.5, -1.2, 2.0, 0.1],
  [3.0, 0.4, -0.7, 1.5],
]);

export const MATRIX_ROWS: Record<string, Row[]> = {
  sort: [
    { args: [v(0.5, -1.2, 2.0, 0.1)], out: v(-1.2, 0.1, 0.5, 2.0) },
    {
      args: [X],
      out: m([
        [-1.2, 0.1, 0.5, 2.0],
        [-0.7, 0.4, 1.5, 3.0],
      ]),
    },
  ],
  top_k: [
    {
      args: [X],
      ints: [2],
      out: m([
        [2.0, 0.5],
        [3.0, 1.5],
      ]),
    },
  ],
  top_k_indices: [
    {
      args: [X],
      ints: [3],
      out: m([
        [2, 0, 3],
        [0, 3, 1],
      ]),
    },
  ],
  argmin: [
    { args: [X], out: s(1) },
    { args: [X], axis: 1, out: v(1, 2) },
    { args: [X], axis: 0, out: v(0, 0, 1, 0) },
  ],
  argmax: [
    { args: [X], out: s(4) },
    { args: [X], axis: -1, out: v(2, 0) },
  ],
  eye: [
    {
      args: [],
      ints: [3],
      out: m([
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ]),
    },
  ],
  solve: [
    { args: [A, v(1, 2, 3)], out: v(-0.21706586826347302, 0.7342814371257484, 1.3997005988023952) },
    {
      args: [
        A,
        m([
          [1.0, -0.5],
          [0.2, 0.7],
          [-1.1, 0.4],
        ]),
      ],
      out: m([
        [0.7926646706586826, -0.4760479041916167],
        [-0.46070359281437123, 0.19311377245508982],
        [-0.24925149700598795, 0.5179640718562873],
      ]),
    },
  ],
  cholesky_solve: [{ args: [L, v(1, 2, 3)], out: v(0.1093057607090103, 1.6809453471196456, 2.771048744460857) }],
  inverse: [
    {
      args: [A],
      out: m([
        [0.6137724550898204, -0.13473053892215567, -0.187125748502994],
        [-0.14520958083832336, 0.007485029940119758, 0.28817365269461076],
        [-0.16467065868263472, 0.5239520958083832, 0.17215568862275446],
      ]),
    },
  ],
  logdet: [{ args: [A], out: s(2.5922651681085) }],
  expm: [
    {
      args: [E],
      out: m([
        [0.957277141829597, -0.30179385554146426, 0.41311720506680544],
        [0.6117005532828246, 0.8856924760086615, -0.5242204139801268],
        [-0.10050622659214649, 0.7678959722141441, 0.7930514334278889],
      ]),
    },
    {
      args: [A],
      out: m([
        [11.396816639470071, 8.605325016331935, 6.805009596576452],
        [4.771151207258756, 6.694395148937732, 5.559096402252547],
        [9.23091178843456, 12.212969655684685, 10.201889352617481],
      ]),
    },
  ],
  stop: [{ args: [v(0.5, -1.2)], out: v(0.5, -1.2) }],
  straight_through: [{ args: [v(1, -1), v(0.7, -1.4)], out: v(1, -1) }],
};
