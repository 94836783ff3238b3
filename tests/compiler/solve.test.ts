// The compiler's solver wiring, end to end through `run()`: the automatic choice per
// decomposition (table-driven, each row also solved and checked against a closed form), `solve`
// overrides with their options, prox terms with their options (lambda, groups, nuclear norm),
// sets as projections, infeasible problems (status infeasible; CLI exit 3), the lasso example
// against a coordinate-descent reference (exact support), and the SoRA example via the CLI.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, run, type RunResult, type SourceInput } from '../../index.js';
import { makeLasso } from '../../examples/data/make_lasso.js';

const src = (source: string, file = 'solve.opt'): SourceInput => ({ source, file });
const BIN = join(import.meta.dirname, '../../cli/proxima.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
const vec = (r: RunResult, name: string) => (r.values[name] as number[]).map((v) => v + 0); // -0 -> 0
const close = (a: number[], b: number[], d = 6) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, d));

// Two rotations, to give the nuclear-norm case a non-diagonal matrix with known singular values.
const rot = (t: number) => [
  [Math.cos(t), -Math.sin(t), 0],
  [Math.sin(t), Math.cos(t), 0],
  [0, 0, 1],
];
const mm = (a: number[][], b: number[][]) =>
  a.map((r) => b[0]!.map((_, j) => r.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
const M = mm(
  mm(rot(0.3), [
    [3, 0, 0],
    [0, 1, 0],
    [0, 0, 0.2],
  ]),
  rot(-1.1),
);

const CHOICE: {
  name: string;
  source: string;
  data?: Record<string, unknown>;
  method: string;
  checkRun: (r: RunResult) => void;
}[] = [
  {
    name: 'smooth -> lbfgs',
    source: 'var x: real[2]\nminimize (x[0] - 1)^2 + 2 * (x[1] + 3)^2',
    method: 'lbfgs',
    checkRun: (r) => close(vec(r, 'x'), [1, -3]),
  },
  {
    name: 'smooth + l1 -> fista',
    source: 'var x: real[3]\nminimize 0.5 * sumsq(x - [2, 0.05, -1]) + 0.1 * norm1(x)',
    method: 'fista',
    checkRun: (r) => expect(vec(r, 'x')).toEqual([expect.closeTo(1.9, 7), 0, expect.closeTo(-0.9, 7)]),
  },
  {
    name: 'sum(abs(x)) is the same l1 term',
    source: 'var x: real[2]\nminimize sumsq(x - [1, -0.1]) + 0.5 * sum(abs(x))',
    method: 'fista',
    checkRun: (r) => expect(vec(r, 'x')).toEqual([expect.closeTo(0.75, 7), 0]),
  },
  {
    name: 'group l2 over rows -> fista with group_lasso',
    source: 'var W: real[2, 2]\nminimize 0.5 * sumsq(W - [[3, 4], [0.3, 0.4]]) + 1 * sum(norm2(W, 1))',
    method: 'fista',
    // Row 0 (norm 5) shrinks by 1/5; row 1 (norm 0.5 < 1) is zeroed exactly.
    checkRun: (r) =>
      expect((r.values.W as number[][]).map((row) => row.map((v) => v + 0))).toEqual([
        [expect.closeTo(2.4, 7), expect.closeTo(3.2, 7)],
        [0, 0],
      ]),
  },
  {
    name: 'nuclear norm -> fista with singular value thresholding',
    source: 'data { M: real[3, 3] }\nvar X: real[3, 3]\nminimize 0.5 * sumsq(X - M) + 0.5 * nuclear_norm(X)',
    data: { M },
    method: 'fista',
    // Singular values (3, 1, 0.2) -> (2.5, 0.5, 0): F = 0.5 (0.25 + 0.25 + 0.04) + 0.5 (2.5 + 0.5).
    checkRun: (r) => expect(r.objective).toBeCloseTo(1.77, 9),
  },
  {
    name: 'domain >= 0 -> projected L-BFGS',
    source: 'var x: real[3] >= 0\nminimize sumsq(x - [1, -2, 3])',
    method: 'projected',
    checkRun: (r) => {
      expect(vec(r, 'x')).toEqual([expect.closeTo(1, 8), 0, expect.closeTo(3, 8)]);
      expect(r.diagnostics.multipliers).toEqual({ 'x (domain)': [0, expect.closeTo(4, 6), 0] });
    },
  },
  {
    name: 'one-var bound constraints -> projected',
    source: 'var x: real[2]\nminimize sumsq(x)\nsubject to {\n  lo: x[0] >= 1\n  -5 <= x[1] <= -2\n}',
    method: 'projected',
    checkRun: (r) => {
      close(vec(r, 'x'), [1, -2], 8);
      expect(r.diagnostics.multipliers).toEqual({ lo: expect.closeTo(2, 6), 1: expect.closeTo(-4, 6) });
    },
  },
  {
    name: 'simplex var -> fista with the simplex projection',
    source: 'var p: simplex[3]\nminimize sumsq(p - [0.5, 0.6, -0.4])',
    method: 'fista',
    checkRun: (r) => expect(vec(r, 'p')).toEqual([expect.closeTo(0.45, 8), expect.closeTo(0.55, 8), 0]),
  },
  {
    name: 'l1 + domain >= 0 -> fista (clipped soft threshold)',
    source: 'var x: real[3] >= 0\nminimize 0.5 * sumsq(x - [2, 0.05, -1]) + 0.1 * norm1(x)',
    method: 'fista',
    checkRun: (r) => expect(vec(r, 'x')).toEqual([expect.closeTo(1.9, 7), 0, 0]),
  },
  {
    name: "maximize with a penalty -> fista, the user's sign",
    source: 'var x: real[2]\nmaximize 1 - sumsq(x - [1, 0.01]) - 0.1 * norm1(x)',
    method: 'fista',
    checkRun: (r) => {
      expect(vec(r, 'x')).toEqual([expect.closeTo(0.95, 7), 0]);
      expect(r.objective).toBeCloseTo(1 - 0.0025 - 0.0001 - 0.095, 9);
    },
  },
  {
    name: 'equality constraint -> auglag',
    source: 'var x: real[2]\nminimize sumsq(x)\nsubject to { budget: x[0] + x[1] == 1 }',
    method: 'auglag',
    checkRun: (r) => {
      close(vec(r, 'x'), [0.5, 0.5], 7);
      expect(r.diagnostics.multipliers).toEqual({ budget: expect.closeTo(1, 6) });
    },
  },
  {
    name: 'a loop of constraints -> auglag, multipliers as an array',
    source:
      'var x: real[3]\nminimize sumsq(x - [3, 0, -3])\nsubject to {\n  for i in 0..2 { step: x[i + 1] - x[i] >= -1 }\n}',
    method: 'auglag',
    // Projection onto x1 >= x0 - 1, x2 >= x1 - 1: x = (1, 0, -1), multipliers 4 and 4.
    checkRun: (r) => {
      close(vec(r, 'x'), [1, 0, -1], 6);
      expect(r.diagnostics.multipliers).toEqual({ step: [expect.closeTo(4, 5), expect.closeTo(4, 5)] });
    },
  },
  {
    name: 'double-sided general constraint -> auglag, one signed multiplier',
    source: 'var x: real[2]\nminimize sumsq(x - [3, 3])\nsubject to { band: 0 <= x[0] + x[1] <= 2 }',
    method: 'auglag',
    checkRun: (r) => {
      close(vec(r, 'x'), [1, 1], 6);
      expect((r.diagnostics.multipliers as Record<string, number>).band).toBeCloseTo(-4, 5);
    },
  },
];

describe('automatic choice per decomposition', () => {
  it.each(CHOICE)('$name', async ({ source, data, method, checkRun }) => {
    const c = check(src(source));
    expect(c.messages.filter((m) => m.severity === 'error')).toEqual([]);
    expect(c.algorithm).toMatchObject({ name: method, source: 'analysis', available: true });
    const r = await run(src(source), { data });
    expect(r.status, JSON.stringify(r.messages)).toBe('converged');
    expect(r.options.method).toBe(method);
    checkRun(r);
  });

  it('the reason names the real method for simple sets', () => {
    expect(check(src('var x: real[2] >= 0\nminimize sumsq(x)')).algorithm!.reason).toMatch(
      /projected L-BFGS on the bounds/,
    );
    expect(check(src('var p: simplex[3]\nminimize sumsq(p)')).algorithm!.reason).toMatch(
      /FISTA with the projection onto the simplex/,
    );
  });
});

describe('solve overrides', () => {
  it.each([
    ['newton_cg', 'var x: real[2]\nminimize (x[0] - 1)^2 + 2 * (x[1] + 3)^2\nsolve newton_cg'],
    ['lm', 'var x: real[2]\nminimize sumsq([x[0] - 1, 10 * (x[1] - x[0]^2)])\nsolve lm(steps = 500, tol = 1e-12)'],
    ['gauss_newton', 'var x: real[2]\nminimize 0.5 * sumsq([x[0] - 1, x[1] - 1])\nsolve gauss_newton'],
    [
      'adamw',
      'var x: real[2]\nminimize sumsq(x - 1)\nsolve adamw(lr = 0.05, weight_decay = 0, steps = 5000, tol = 1e-7)',
    ],
    ['sgd', 'var x: real[2]\nminimize sumsq(x - 1)\nsolve sgd(lr = 0.1, momentum = 0.5, nesterov = true)'],
    ['prox_grad', 'var x: real[2]\nminimize sumsq(x - 1) + 0.1 * norm1(x)\nsolve prox_grad'],
    ['auglag', 'var x: real[2] >= 0\nminimize sumsq(x - [1, -1])\nsolve auglag'],
  ])('%s runs with its options', async (method, source) => {
    const r = await run(src(source));
    expect(r.status, JSON.stringify(r.messages)).toBe('converged');
    expect(r.options.method).toBe(method);
    expect(vec(r, 'x')[0]).toBeCloseTo(method === 'prox_grad' ? 0.95 : 1, 5);
  });

  it('gauss_newton needs a sumsq objective, said plainly', async () => {
    const r = await run(src('var x: real[2]\nminimize sumsq(x) + x[0]\nsolve lm'));
    expect(r.status).toBe('error');
    expect(r.messages.at(-1)!.message).toMatch(/lm needs an objective of the form `c \* sumsq\(r\)`/);
  });
});

describe('infeasible problems', () => {
  const contradictory = 'var x: real\nminimize x^2\nsubject to {\n  x >= 1\n  x <= 0\n}\n';
  it('contradictory bounds: status infeasible before any solve', async () => {
    const r = await run(src(contradictory));
    expect(r.status).toBe('infeasible');
    expect(r.messages.at(-1)!.message).toMatch(
      /the bounds on x contradict each other: x >= 1 \(constraint 0\) and <= 0 \(constraint 1\)/,
    );
  });
  it('general constraints that cannot hold: the augmented Lagrangian reports infeasible', async () => {
    const r = await run(src('var x: real[2]\nminimize sumsq(x)\nsubject to { x[0]^2 + x[1]^2 <= -1 }'));
    expect(r.status).toBe('infeasible');
    expect(r.diagnostics.max_violation as number).toBeGreaterThan(0.5);
  });
  it('the CLI exits with 3', () => {
    const p = cli('run', 'tests/compiler/fixtures/infeasible.opt', '--json');
    expect(p.status).toBe(3);
    expect(JSON.parse(p.stdout).status).toBe('infeasible');
  });
});

/** Cyclic coordinate descent for the lasso, to convergence (the reference). */
function lassoCD(A: number[][], b: number[], lam: number): number[] {
  const m = A.length,
    n = A[0]!.length;
  const x = new Array<number>(n).fill(0);
  const r = [...b];
  const cn = Array.from({ length: n }, (_, j) => A.reduce((s, row) => s + row[j]! ** 2, 0));
  for (let sweep = 0; sweep < 10000; sweep++) {
    let maxd = 0;
    for (let j = 0; j < n; j++) {
      let rho = cn[j]! * x[j]!;
      for (let i = 0; i < m; i++) rho += A[i]![j]! * r[i]!;
      const xn = (Math.sign(rho) * Math.max(Math.abs(rho) - lam, 0)) / cn[j]!;
      const d = xn - x[j]!;
      if (d !== 0) {
        for (let i = 0; i < m; i++) r[i] -= A[i]![j]! * d;
        x[j] = xn;
        maxd = Math.max(maxd, Math.abs(d));
      }
    }
    if (maxd < 1e-14) break;
  }
  return x;
}

describe('examples', () => {
  it('lasso.opt (data beside it): FISTA matches coordinate descent to 1e-8 relative, exactly the true support', async () => {
    const data = JSON.parse(readFileSync('examples/lasso.json', 'utf8')) as {
      A: number[][];
      b: number[];
      lambda: number;
    };
    const truth = makeLasso();
    expect(data.lambda).toBe(truth.lambda); // the committed file is the generator's output
    const r = await run('examples/lasso.opt');
    expect(r.status).toBe('converged');
    expect(r.options).toMatchObject({ method: 'fista', tol: 1e-9 });
    const x = vec(r, 'x');
    expect(x.map((v, j) => (v !== 0 ? j : -1)).filter((j) => j >= 0)).toEqual(truth.support);
    const F = (z: number[]) =>
      0.5 * data.A.reduce((s, row, i) => s + (row.reduce((t, a, j) => t + a * z[j]!, 0) - data.b[i]!) ** 2, 0) +
      data.lambda * z.reduce((s, v) => s + Math.abs(v), 0);
    const ref = F(lassoCD(data.A, data.b, data.lambda));
    expect(Math.abs(r.objective! - ref) / ref).toBeLessThanOrEqual(1e-8);
    expect(Math.abs(F(x) - r.objective!) / ref).toBeLessThanOrEqual(1e-12);
    expect(r.diagnostics.zeros).toEqual({ x: 490 });
  });

  it('sora.opt via the CLI: Prox-Adam zeroes 6 of the 8 gates exactly (effective rank 2)', () => {
    const p = cli('run', 'examples/sora.opt', '--json');
    expect(p.status, p.stderr).toBe(0);
    const r = JSON.parse(p.stdout);
    expect(r.options).toMatchObject({ method: 'prox_adam', steps: 3000 });
    expect(r.diagnostics.zeros).toEqual({ g: 6 });
    expect((r.values.g as number[]).filter((g) => g !== 0)).toHaveLength(2);
  });

  it('lasso.opt via the CLI', () => {
    const p = cli('run', 'examples/lasso.opt', '--json');
    expect(p.status, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout).diagnostics.zeros).toEqual({ x: 490 });
  });
});
