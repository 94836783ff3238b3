// Rows of tests/compiler/builtins.test.ts for the derivative built-ins
// (compiler/front/builtins_derivative.ts), on f(x) = sum(x^3) / 3 + x0 x1 at x = (0.5, -1.2, 2),
// whose gradient (x_i^2 + the cross terms), Hessian and products are exact by hand. The full
// checks (from .opt, against the TS API and differences) are tests/compiler/derivative_exprs.test.ts.

import { ops as P, type Tracer } from '../../runtime/index.js';
import type { Row } from './builtin_rows.js';

type Arr = { data: number[]; shape: number[] };
const v = (...xs: number[]): Arr => ({ data: xs, shape: [xs.length] });
const m = (rows: number[][]): Arr => ({ data: rows.flat(), shape: [rows.length, rows[0]!.length] });

const x = v(0.5, -1.2, 2);
const t = v(1, 0.5, -1);
const f = (z: Tracer) => P.add(P.div(P.sum(P.mul(P.square(z), z)), 3), P.mul(P.index(z, 0, 0), P.index(z, 1, 0)));
// grad: (x0^2 + x1, x1^2 + x0, x2^2); Hessian: [[2 x0, 1, 0], [1, 2 x1, 0], [0, 0, 2 x2]]
const H = [
  [1, 1, 0],
  [1, -2.4, 0],
  [0, 0, 4],
];

export const DERIVATIVE_ROWS: Record<string, Row[]> = {
  grad: [
    { args: [x], wrtCount: 1, body: f, bodyShape: [], out: v(0.25 - 1.2, 1.44 + 0.5, 4) },
    {
      // two variables: one flat vector, d/da then d/db
      args: [x, v(3, 4)],
      wrtCount: 2,
      body: (a: Tracer, b: Tracer) => P.add(f(a), P.sumsq(b)),
      bodyShape: [],
      out: v(0.25 - 1.2, 1.44 + 0.5, 4, 6, 8),
    },
  ],
  jvp: [
    {
      args: [x, t],
      wrtCount: 1,
      body: (z: Tracer) => P.square(z),
      bodyShape: [3],
      out: v(2 * 0.5 * 1, 2 * -1.2 * 0.5, 2 * 2 * -1),
    },
  ],
  hvp: [{ args: [x, t], wrtCount: 1, body: f, bodyShape: [], out: v(1 + 0.5, 1 - 1.2, -4) }],
  jacobian: [
    {
      args: [x],
      wrtCount: 1,
      body: (z: Tracer) => P.square(z),
      bodyShape: [3],
      out: m([
        [1, 0, 0],
        [0, -2.4, 0],
        [0, 0, 4],
      ]),
    },
  ],
  hessian: [{ args: [x], wrtCount: 1, body: f, bodyShape: [], out: m(H) }],
};
