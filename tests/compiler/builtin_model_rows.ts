// Rows of tests/compiler/builtins.test.ts for the model built-ins (compiler/front/builtins_model.ts).
// The HMM rows: K = 2 states, N = 4 steps; the reference sums all 2^4 state paths (numpy, scripted).

import { ops as P, type Tracer } from '../../runtime/index.js';
import type { Row } from './builtin_rows.js';

type Arr = { data: number[]; shape: number[] };
const v = (...xs: number[]): Arr => ({ data: xs, shape: [xs.length] });
const s = (x: number): Arr => ({ data: [x], shape: [] });
const m = (rows: number[][]): Arr => ({ data: rows.flat(), shape: [rows.length, rows[0]!.length] });

const LOG_OMEGA = m([
  [-1.2, -0.3, -2.5, -0.7],
  [-0.4, -1.9, -0.2, -3.1],
]);
const GAMMA = m([
  [0.8, 0.2],
  [0.35, 0.65],
]);
const RHO = v(0.6, 0.4);

// y' = -k y from y0 = 1.5 (k = 0.7): 1.5 exp(-0.7 t) at t = 0.5, 1, 2.
const decay = (_t: Tracer, y: Tracer, k: Tracer) => P.mul(P.neg(k), y);
const decayType = {
  name: 'decay',
  call: (a: { shape: { text: string; value: number | null }[] }[]) => ({
    elem: 'real' as const,
    shape: a[1]!.shape,
    dyn: false,
  }),
};
const ODE_ROW: Row = {
  args: [v(1.5), s(0), v(0.5, 1, 2), s(0.7)],
  fns: [decay],
  fnTypes: [decayType as never],
  restCount: 1,
  out: m([[1.5 * Math.exp(-0.35)], [1.5 * Math.exp(-0.7)], [1.5 * Math.exp(-1.4)]]),
  tol: 1e-7,
};
const refuse: Row = { args: [], out: s(0), refuses: /is not available in this release; use ode_rk45/ };

export const MODEL_ROWS: Record<string, Row[]> = {
  ode_rk45: [{ ...ODE_ROW, nums: [1e-10, 1e-12, undefined] }],
  ode_rk45_tol: [{ ...ODE_ROW, nums: [1e-10, 1e-12, 10000] }],
  ode_bdf: [refuse],
  ode_bdf_tol: [refuse],
  ode_adams: [refuse],
  hmm_marginal: [{ args: [LOG_OMEGA, GAMMA, RHO], out: s(-4.2436742507366) }],
  hmm_hidden_state_prob: [
    {
      args: [LOG_OMEGA, GAMMA, RHO],
      out: m([
        [0.4922727853629789, 0.737444695786834, 0.3538625659522094, 0.8989895277881818],
        [0.5077272146370211, 0.2625553042131659, 0.6461374340477907, 0.1010104722118183],
      ]),
    },
  ],
};
