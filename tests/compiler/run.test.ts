// End to end through the library API: small smooth problems compiled and solved, checked
// against closed forms; the result object's contract (user's sign, declared shapes, seeds,
// statuses for what this release does not run); data errors; progress, stop and resume.

import { describe, expect, it } from 'vitest';
import { check, compile, dataSources, fingerprint, run, type RunResult, type SourceInput } from '../../index.js';
import { runResult } from '../../compiler/running/result.js';

const src = (source: string, file = 'test.opt'): SourceInput => ({ source, file });
const err = (r: RunResult) => r.messages.filter((m) => m.severity === 'error').map((m) => m.message);

// A small deterministic design matrix.
const X = Array.from({ length: 12 }, (_, i) => [1, Math.sin(i + 1), Math.cos(2 * i + 0.5)]);
const yLin = X.map((r, i) => 0.5 * r[0]! - 1.5 * r[1]! + 2 * r[2]! + 0.1 * Math.sin(7 * i));

/** Solves the normal equations (3 x 3) by Gaussian elimination. */
function leastSquares(A: number[][], b: number[]): number[] {
  const n = A[0]!.length;
  const M = Array.from({ length: n }, (_, i) => [
    ...Array.from({ length: n }, (_, j) => A.reduce((s, r) => s + r[i]! * r[j]!, 0)),
    A.reduce((s, r, k) => s + r[i]! * b[k]!, 0),
  ]);
  for (let c = 0; c < n; c++) {
    for (let r = c + 1; r < n; r++) {
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--)
    x[r] = (M[r]![n]! - M[r]!.slice(r + 1, n).reduce((s, v, k) => s + v * x[r + 1 + k]!, 0)) / M[r]![r]!;
  return x;
}

describe('run: smooth problems against closed forms', () => {
  it('least squares: the normal equations', async () => {
    const r = await run(src('data { X: real[n, d]; y: real[n] }\nvar w: real[d]\nminimize 0.5 * sumsq(X @ w - y)'), {
      data: { X, y: yLin },
    });
    expect(r.status).toBe('converged');
    const w = leastSquares(X, yLin);
    (r.values.w as number[]).forEach((v, i) => expect(v).toBeCloseTo(w[i]!, 7));
    const res = X.map((row, i) => row.reduce((s, x, j) => s + x * w[j]!, 0) - yLin[i]!);
    expect(r.objective).toBeCloseTo(0.5 * res.reduce((s, v) => s + v * v, 0), 10);
    expect(r.options).toMatchObject({ method: 'lbfgs', tol: 1e-8, history: 10 });
  });

  it("maximize reports the maximum with the user's sign", async () => {
    const r = await run(src('var x: real[2]\nmaximize 3 - (x[0] - 1)^2 - 2 * (x[1] + 2)^2'));
    expect(r.status).toBe('converged');
    expect(r.objective).toBeCloseTo(3, 10);
    expect(r.values.x).toEqual([expect.closeTo(1, 6), expect.closeTo(-2, 6)]);
  });

  it('Rosenbrock from the classic start reaches (1, 1)', async () => {
    const r = await run(
      src(
        'var x: real[2]\nstart x = [-1.2, 1]\nminimize (1 - x[0])^2 + 100 * (x[1] - x[0]^2)^2\nsolve lbfgs(steps = 500, tol = 1e-12)',
      ),
    );
    expect(r.status).toBe('converged');
    expect(r.values.x).toEqual([expect.closeTo(1, 6), expect.closeTo(1, 6)]);
    expect(r.objective!).toBeLessThan(1e-12);
  });

  it('logistic regression: the gradient of the log-likelihood vanishes at the fit', async () => {
    const y = X.map((r, i) => (r[1]! + 0.3 * Math.cos(5 * i) > 0 ? 1 : 0));
    const prog =
      'data { X: real[n, d]; y: real[n] }\nvar w: real[d]\nlet z = X @ w\nminimize sum(softplus(z) - y * z) + 0.5 * sumsq(w)';
    const r = await run(src(prog), { data: { X, y } });
    expect(r.status).toBe('converged');
    const w = r.values.w as number[];
    // Optimality: X'(sigmoid(Xw) - y) + w = 0.
    const p = X.map((row) => 1 / (1 + Math.exp(-row.reduce((s, x, j) => s + x * w[j]!, 0))));
    for (let j = 0; j < 3; j++)
      expect(X.reduce((s, row, i) => s + row[j]! * (p[i]! - y[i]!), 0) + w[j]!).toBeCloseTo(0, 6);
  });

  it('adam, when named, runs with its options', async () => {
    const r = await run(
      src('var x: real[3]\nminimize sumsq(x - [1, 2, 3])\nsolve adam(lr = 0.1, steps = 3000, tol = 1e-6)'),
    );
    expect(r.options).toMatchObject({ method: 'adam', lr: 0.1, steps: 3000 });
    expect(r.status).toBe('converged');
    (r.values.x as number[]).forEach((v, i) => expect(v).toBeCloseTo(i + 1, 4));
  });

  it('a loop with carried state (a scan) equals its closed form', async () => {
    // sum_{t<n} (x - t)^2 is minimized at the mean of 0..n-1.
    const prog =
      'data { n: int }\nvar x: real\nfn loss(v) {\n  state s = 0.0\n  for t in 0..n { s += (v - t)^2 }\n  s\n}\nminimize loss(x)';
    const r = await run(src(prog), { data: { n: 10 } });
    expect(r.values.x).toBeCloseTo(4.5, 8);
    expect(r.objective).toBeCloseTo(
      [...Array(10).keys()].reduce((s, t) => s + (4.5 - t) ** 2, 0),
      8,
    );
  });

  it('MAP of a model: conjugate normal mean, and a positive scale through its transform', async () => {
    const y = [1.2, 0.7, 2.1, 1.6, 0.9];
    const prog =
      'data { y: real[n] }\nparam { mu: real; s: real > 0 }\nmodel {\n  mu ~ Normal(0, 10)\n  y ~ Normal(mu, s)\n}\nsolve lbfgs';
    const r = await run(src(prog), { data: { y } });
    expect(r.status).toBe('converged');
    // With a flat prior on s, the mode has s^2 = mean((y - mu)^2); mu solves the normal prior's
    // first-order condition sum(y - mu) / s^2 = mu / 100.
    const mu = r.values.mu as number;
    const s = r.values.s as number;
    expect(s * s).toBeCloseTo(y.reduce((a, v) => a + (v - mu) ** 2, 0) / y.length, 8);
    expect(y.reduce((a, v) => a + (v - mu), 0) / (s * s)).toBeCloseTo(mu / 100, 6);
  });
});

describe('run: the result contract', () => {
  it('values come back nested in their declared shapes, params constrained', async () => {
    const prog =
      'param { p: simplex[3]; M: real[2, 2]; L: cholesky_corr[2] }\nmodel { target += -sumsq(M) - sumsq(p - [0.2, 0.3, 0.5]) }\nsolve lbfgs(steps = 2000, tol = 1e-10)';
    const r = await run(src(prog));
    expect(r.status).toBe('converged');
    const p = r.values.p as number[];
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(p).toEqual([expect.closeTo(0.2, 5), expect.closeTo(0.3, 5), expect.closeTo(0.5, 5)]);
    expect((r.values.M as number[][]).length).toBe(2);
    const L = r.values.L as number[][];
    expect(L[0]).toEqual([1, 0]);
    expect(L[1]![0]! ** 2 + L[1]![1]! ** 2).toBeCloseTo(1, 12);
  });

  it('is deterministic for a seed, and the seed changes the start', async () => {
    const prog = src('var x: real[3]\nminimize sumsq(x)\nsolve lbfgs(steps = 1)');
    const a = await compile(prog, { seed: 7 });
    const b = await compile(prog, { seed: 7 });
    expect(Array.from(a.initialPoint())).toEqual(Array.from(b.initialPoint()));
    expect(Array.from(a.initialPoint(8))).not.toEqual(Array.from(a.initialPoint()));
    for (const v of a.initialPoint()) expect(Math.abs(v)).toBeLessThan(2);
  });

  it('`start` sets vars and params (inverted through the transform)', async () => {
    const c = await compile(
      src(
        'param { s: real > 0; p: real in [0, 1] }\nstart s = 2\nstart p = 0.25\nmodel { target += -s - p }\nsolve lbfgs',
      ),
    );
    const x0 = c.initialPoint();
    expect(x0[0]).toBeCloseTo(Math.log(2), 14);
    expect(x0[1]).toBeCloseTo(Math.log(0.25 / 0.75), 14);
    expect(c.valuesAt(x0)).toEqual({ s: expect.closeTo(2, 12), p: expect.closeTo(0.25, 12) });
  });

  it('a start outside the bounds does not crash (the point falls back to the random draw)', async () => {
    const c = await compile(src('param s: real > 0\nstart s = -1\nmodel { target += -s }\nsolve lbfgs'));
    expect(Number.isFinite(c.initialPoint()[0]!)).toBe(true);
  });

  it('a solver that is not available gives status error with a clear message, not a stand-in', async () => {
    const r = await run(src('var x: real[2]\nminimize sumsq(x)\nsubject to { x[0] + x[1] == 1 }\nsolve sqp'));
    expect(r.status).toBe('error');
    expect(err(r)[0]).toMatch(/the solver sqp is not available in this release/);
  });

  it('infer runs variational inference: posterior summaries, posterior means as values, the ELBO', async () => {
    const r = await run(
      src('data { y: real[n] }\nparam mu: real\nmodel { y ~ Normal(mu, 1) }\ninfer vi(steps = 100)'),
      { data: { y: [1, 2] }, draws: 2000 },
    );
    expect(['converged', 'max_steps']).toContain(r.status);
    expect(r.posterior!.mu!.mean).toBe(r.values.mu);
    expect(r.values.mu as number).toBeCloseTo(1.5, 1);
    expect(r.options).toMatchObject({ method: 'vi', guide: 'mean_field', steps: 100, draws: 2000 });
    expect(Number.isFinite(r.objective)).toBe(true);
  });

  it('--steps overrides the budget; progress is reported per step', async () => {
    const seen: number[] = [];
    const r = await run(src('var x: real[2]\nstart x = [-1.2, 1]\nminimize (1 - x[0])^2 + 100 * (x[1] - x[0]^2)^2'), {
      steps: 5,
      onProgress: (p) => seen.push(p.step),
    });
    expect(r.status).toBe('max_steps');
    expect(r.steps).toBe(5);
    expect(r.options.steps).toBe(5);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('a stop request ends with status stopped and the result so far', async () => {
    let n = 0;
    const r = await run(src('var x: real[2]\nstart x = [-1.2, 1]\nminimize (1 - x[0])^2 + 100 * (x[1] - x[0]^2)^2'), {
      shouldStop: () => ++n > 3,
    });
    expect(r.status).toBe('stopped');
    expect((r.values.x as number[]).length).toBe(2);
  });

  it('resuming from a checkpoint gives the uninterrupted result bit for bit', async () => {
    const prog = src('var x: real[2]\nstart x = [-1.2, 1]\nminimize (1 - x[0])^2 + 100 * (x[1] - x[0]^2)^2');
    const full = await run(prog);
    const saved: unknown[] = [];
    await run(prog, { steps: 10, checkpoint: { every: 5, save: (s) => saved.push(JSON.parse(JSON.stringify(s))) } });
    const resumed = await run(prog, { checkpoint: { every: 1000, save: () => {}, resume: saved.at(-1) as never } });
    expect(resumed.values).toEqual(full.values);
    expect(resumed.objective).toBe(full.objective);
    expect(resumed.steps).toBe(full.steps);
  });

  it('the fingerprint covers program, data, seed and options', async () => {
    const prog = src('data { y: real[n] }\nvar m: real\nminimize sumsq(y - m)');
    const a = await compile(prog, { data: { y: [1, 2] } });
    const same = await compile(prog, { data: { y: [1, 2] } });
    const otherData = await compile(prog, { data: { y: [1, 3] } });
    const otherSeed = await compile(prog, { data: { y: [1, 2] }, seed: 2 });
    expect(fingerprint(a)).toBe(fingerprint(same));
    expect(fingerprint(a)).not.toBe(fingerprint(otherData));
    expect(fingerprint(a)).not.toBe(fingerprint(otherSeed));
    expect(fingerprint(a, { steps: 3 })).not.toBe(fingerprint(a));
  });

  it('non-finite numbers are written as null, with a message', () => {
    const r = runResult(
      { status: 'diverged', objective: -Infinity, values: { x: [1, NaN], s: 2 }, messages: [] },
      'f.opt',
    );
    expect(r.objective).toBeNull();
    expect(r.values).toEqual({ x: [1, null], s: 2 });
    expect(r.messages).toEqual([
      expect.objectContaining({
        severity: 'warning',
        message: 'non-finite numbers are written as null: objective (-Infinity), values.x[1] (NaN)',
        file: 'f.opt',
      }),
    ]);
  });

  it('a diverging objective ends with status diverged, and the JSON stays valid', async () => {
    const r = await run(src('var x: real\nminimize -exp(x)\nsolve lbfgs(steps = 200)'));
    expect(['diverged', 'max_steps', 'converged']).toContain(r.status);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});

describe('run: data checks', () => {
  const prog = src('data { T: int; y: real[T]; s: real[T] > 0 }\nvar m: real\nminimize sum(((y - m) / s)^2)');
  const first = async (data: Record<string, unknown>) => err(await run(prog, { data, dataFile: 'd.json' }))[0];

  it('missing key', async () => expect(await first({ T: 2, y: [1, 2] })).toMatch(/missing data `s` in d.json/));
  it('wrong shape', async () =>
    expect(await first({ T: 2, y: [[1, 2]], s: [1, 1] })).toMatch(/`y` in d.json should be a vector/));
  it('non-numeric', async () =>
    expect(await first({ T: 2, y: [1, 'x'], s: [1, 1] })).toMatch(/`y\[1\]` is "x", not a number/));
  it('NaN and Inf are rejected', async () => {
    expect(await first({ T: 2, y: [1, NaN], s: [1, 1] })).toMatch(/`y\[1\]` in d.json is NaN/);
    expect(await first({ T: 2, y: [1, 2], s: [Infinity, 1] })).toMatch(/`s\[0\]` in d.json is Inf/);
  });
  it('an int and a shape that disagree are both named', async () => {
    expect(await first({ T: 3, y: [1, 2], s: [1, 1, 1] })).toMatch(
      /`y` in d.json has 2 entries along dimension T, but T = 3 from the int data `T`/,
    );
  });
  it('domains are checked', async () =>
    expect(await first({ T: 2, y: [1, 2], s: [1, 0] })).toMatch(/`s\[1\]` in d.json is 0, outside its domain > 0/));
  it('unknown keys give one warning listing them', async () => {
    const r = await run(prog, { data: { T: 2, y: [1, 2], s: [1, 1], zeta: 1, alpha: 2 } });
    expect(r.status).toBe('converged');
    const w = r.messages.filter((m) => m.severity === 'warning');
    expect(w).toHaveLength(1);
    expect(w[0]!.message).toMatch(/ignored: alpha, zeta$/);
  });
  it('dataSources lists the `data from` defaults, resolved next to their file', () => {
    expect(dataSources('examples/quickstart.opt')).toEqual(['examples/quickstart.json']);
  });

  it('`data from` resolves next to the .opt file, and defaults fill absent keys', async () => {
    const r = await run('examples/quickstart.opt');
    expect(r.status).toBe('converged');
    expect(r.options).toMatchObject({ method: 'lbfgs', steps: 200 });
  });
});

describe('check', () => {
  it('prints the decomposition and the algorithm it implies', () => {
    const c = check(
      src(
        'data { A: real[m, n]; b: real[m]; lambda: real = 0.1 }\nvar x: real[n] >= 0\nminimize 0.5 * sumsq(A @ x - b) + lambda * norm1(x)',
      ),
    );
    expect(c.ok).toBe(true);
    expect(c.decomposition).toMatchObject({
      kind: 'optimization',
      sense: 'minimize',
      smooth: ['0.5 * sumsq(A @ x - b)'],
      prox: [{ term: 'lambda * norm1(x)', var: 'x', prox: 'l1 (soft thresholding)' }],
      sets: [{ var: 'x', set: '>= 0', from: 'domain' }],
    });
    expect(c.algorithm).toMatchObject({ name: 'fista', available: true, source: 'analysis' });
    expect(c.estimators).toBeNull();
  });

  it('general constraints imply the augmented Lagrangian; simple bounds stay sets', () => {
    const c = check('examples/hs/hs21.opt');
    expect(c.decomposition!.inequalities).toEqual([{ label: null, expr: '10 * x[0] - x[1] - 10 >= 0' }]);
    expect(c.decomposition!.sets.map((s) => s.set)).toEqual(['2 <= x[0] <= 50', '-50 <= x[1] <= 50']);
    expect(c.algorithm!.name).toBe('auglag');
  });

  it('the examples of the language check cleanly', () => {
    for (const f of [
      'examples/quickstart.opt',
      'examples/lasso.opt',
      'examples/eight_schools.opt',
      'examples/hs/hs7.opt',
      'examples/hs/hs71.opt',
      'tests/grammar/good/issue_bilevel.opt',
    ]) {
      const c = check(f);
      expect(
        c.messages.filter((m) => m.severity === 'error'),
        f,
      ).toEqual([]);
    }
    expect(check('tests/grammar/good/issue_bilevel.opt').algorithm!.name).toBe('bilevel');
    expect(check('examples/eight_schools.opt').algorithm).toMatchObject({ name: 'vi', source: 'infer' });
  });

  it('a missing file is an error message, not an exception', () => {
    const c = check('no/such/file.opt');
    expect(c.ok).toBe(false);
    expect(c.messages[0]!.message).toMatch(/no such file/);
  });
});
