// The result's clocks are honest (issue #17): `compile_ms` holds every compile of the run (the
// program's graphs at compile(), the solver's fused step and graphs traced on first use) and
// `time_ms` the solve, so their sum is the wall time of compile() + run() to within 5 % (the
// rest is the handing over between the two calls); `backend` names where the steps ran.

import { describe, expect, it } from 'vitest';
import { compile, run } from '../../index.js';

const PROGRAM = `data { X: real[n, d]; y: real[n] }
var w: real[d]
minimize mean(softplus(X @ w) - y * (X @ w))
solve sgd(lr = 0.1, steps = 1500, tol = 1e-300)
`;

describe('timing fields', () => {
  it('compile_ms + time_ms is the wall time of compile() + run() within 5 %', async () => {
    const n = 300,
      d = 5;
    const X = Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => Math.sin(i * d + j)));
    const y = X.map((r) => (r[0]! + r[1]! > 0 ? 1 : 0));
    const w0 = performance.now();
    const c = await compile({ source: PROGRAM, file: 'timing.opt' }, { data: { X, y } });
    const r = await run(c);
    const wall = performance.now() - w0;
    expect(r.status).toBe('max_steps');
    expect(r.backend).toBe('js');
    const sum = r.compile_ms! + r.time_ms!;
    // 5 % of the wall time, and 5 ms of slack for a timer's granularity on a short run.
    expect(Math.abs(wall - sum)).toBeLessThanOrEqual(0.05 * wall + 5);
    expect(r.compile_ms!).toBeGreaterThan(0);
    expect(r.time_ms!).toBeGreaterThan(0);
  });
});
