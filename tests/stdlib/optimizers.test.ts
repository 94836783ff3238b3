// First-order optimizers (rules as graphs, schedules, adaptive batches), Newton-CG and
// Gauss-Newton / Levenberg-Marquardt through the driver; differentiating through an update
// rule; diffGrad vs Adam on a non-convex problem (reported).
import { describe, expect, it } from 'vitest';
import { ops as P, grad, trace, runRef } from '../../runtime/index.js';
import {
  batchTest,
  graphObjective,
  leastSquaresObjective,
  methodTable,
  sampleBatch,
  scheduleFactor,
  solve,
  withDefaults,
  type Problem,
  type RunnableName,
  type SolveRequest,
} from '../../stdlib/index.js';
import { rng } from './prox_refs.js';

const quad = graphObjective(
  (x) =>
    P.mul(
      0.5,
      P.sum(
        P.mul(
          P.constant([1, 2, 3, 4], 'float64', [4]),
          P.square(P.sub(x, P.constant([1, -2, 3, 0.5], 'float64', [4]))),
        ),
      ),
    ),
  4,
);
const xstar = [1, -2, 3, 0.5];

describe('first-order methods', () => {
  const table: [RunnableName, Record<string, unknown>][] = [
    ['sgd', { lr: 0.1 }],
    ['sgd', { lr: 0.05, momentum: 0.9 }],
    ['sgd', { lr: 0.05, momentum: 0.9, nesterov: true }],
    ['adam', { lr: 0.05 }],
    ['adamw', { lr: 0.05, weight_decay: 0 }],
    ['adagrad', { lr: 0.5 }],
    ['rmsprop', { lr: 0.01, schedule: { method: 'step', every: 500, gamma: 0.3 } }],
    ['diffgrad', { lr: 0.05 }],
    ['normalized_gd', { lr: 0.05, schedule: { method: 'exponential', gamma: 0.99 } }],
    ['normalized_momentum', { lr: 0.05, momentum: 0.5, schedule: 'cosine' }],
  ];
  it.each(table)('%s %j minimizes a quadratic', (method, o) => {
    const r = solve(quad, new Float64Array(4), { method, steps: 3000, tol: 1e-6, ...o } as SolveRequest);
    for (let i = 0; i < 4; i++) expect(Math.abs(r.x[i]! - xstar[i]!)).toBeLessThan(2e-3);
  });

  it('adamw decays the weights toward zero', () => {
    const r = solve(quad, new Float64Array(4), { method: 'adamw', steps: 3000, tol: 0, lr: 0.05, weight_decay: 0.5 });
    expect(Math.abs(r.x[2]!)).toBeLessThan(3);
  });

  it('schedules', () => {
    expect(scheduleFactor({ kind: 'step', every: 10, gamma: 0.5 }, 25, 100)).toBe(0.25);
    expect(scheduleFactor({ kind: 'exponential', gamma: 0.9 }, 2, 100)).toBeCloseTo(0.81, 15);
    expect(scheduleFactor({ kind: 'cosine' }, 50, 100)).toBeCloseTo(0.5, 15);
    expect(scheduleFactor({ kind: 'cosine', floor: 0.1 }, 100, 100)).toBeCloseTo(0.1, 15);
    expect(scheduleFactor({ kind: 'warmup', steps: 4, after: { kind: 'step', every: 2, gamma: 0.1 } }, 1, 100)).toBe(
      0.5,
    );
    expect(
      scheduleFactor({ kind: 'warmup', steps: 4, after: { kind: 'step', every: 2, gamma: 0.1 } }, 6, 100),
    ).toBeCloseTo(0.1, 15);
  });

  it('diffgrad with a warmup schedule resumes bit-identically', () => {
    const rosen = graphObjective(
      (x) =>
        P.add(P.mul(100, P.square(P.sub(P.index(x, 1), P.square(P.index(x, 0))))), P.square(P.sub(1, P.index(x, 0)))),
      2,
    );
    const opts = {
      method: 'diffgrad' as const,
      steps: 50,
      tol: 0,
      lr: 0.01,
      schedule: { method: 'warmup', steps: 10 },
    };
    const full = solve(rosen, new Float64Array([-1, 1]), opts);
    let saved: unknown = null;
    solve(
      rosen,
      new Float64Array([-1, 1]),
      { ...opts, steps: 20 },
      { checkpointEvery: 7, saveCheckpoint: (s) => (saved = JSON.parse(JSON.stringify(s))) },
    );
    expect(Array.from(solve(rosen, new Float64Array([-1, 1]), opts, { resume: saved as never }).x)).toEqual(
      Array.from(full.x),
    );
  });

  it('update rules are differentiable graphs: d(loss after 3 adam steps)/d(lr) matches finite differences', () => {
    const adamDefaults = withDefaults(methodTable.adam.options, {}) as never;
    const run = (lrv: number) => {
      const g = trace(
        (lr) => {
          let x = P.constant([2, -1], 'float64', [2]);
          let s = [P.zeros([2]), P.zeros([2])];
          const loss = (y: typeof x) => P.sum(P.mul(P.constant([1, 10], 'float64', [2]), P.square(y)));
          for (let t = 1; t <= 3; t++) {
            const r = methodTable.adam.graph.update(x, grad(loss)(x), s, lr, P.constant(t), adamDefaults);
            x = r.x;
            s = r.s;
          }
          return [
            loss(x),
            grad((l) => {
              let y = P.constant([2, -1], 'float64', [2]);
              let q = [P.zeros([2]), P.zeros([2])];
              for (let t = 1; t <= 3; t++) {
                const r = methodTable.adam.graph.update(y, grad(loss)(y), q, l, P.constant(t), adamDefaults);
                y = r.x;
                q = r.s;
              }
              return loss(y);
            })(lr),
          ];
        },
        [[]],
      );
      return runRef(g, [{ data: Float64Array.of(lrv), shape: [] }]).map((a) => a.data[0]!);
    };
    const [, d] = run(0.1);
    const fd = (run(0.1 + 1e-6)[0]! - run(0.1 - 1e-6)[0]!) / 2e-6;
    expect(Math.abs(d! - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
  });

  it('AdAdaGrad: the norm test and the inner-product test grow the batch, and the run converges', () => {
    const N = 400,
      n = 5;
    const R = rng(21);
    const X = Array.from({ length: N }, () => R.vec(n));
    const w = [1, -2, 0.5, 3, -1];
    const y = X.map((x) => x.reduce((s, v, j) => s + v * w[j]!, 0) + 0.5 * R.normal());
    const perEx = (x: Float64Array, i: number) => {
      const r = X[i]!.reduce((s, v, j) => s + v * x[j]!, 0) - y[i]!;
      return { f: 0.5 * r * r, g: X[i]!.map((v) => v * r) };
    };
    const obj: Problem = {
      n,
      evaluate: (x) => {
        let f = 0;
        const g = new Float64Array(n);
        for (let i = 0; i < N; i++) {
          const e = perEx(x, i);
          f += e.f / N;
          e.g.forEach((v, j) => (g[j] += v / N));
        }
        return { f, g };
      },
      batch: {
        size: N,
        evaluate: (x, idx) => {
          let f = 0;
          const g = new Float64Array(n);
          const per = idx.map((i) => perEx(x, i));
          per.forEach((e) => {
            f += e.f / idx.length;
            e.g.forEach((v, j) => (g[j] += v / idx.length));
          });
          return { f, g, perExample: per.map((e) => e.g) };
        },
      },
    };
    for (const test of ['norm', 'inner_product'] as const) {
      const r = solve(obj, new Float64Array(n), {
        method: 'adagrad',
        lr: 0.5,
        steps: 400,
        tol: 0,
        batch: { method: 'adaptive', initial: 4, test, eta: 0.5 },
      });
      const st = r.checkpoint.state as unknown as { batch: number; batchLog: [number, number][] };
      expect(st.batch).toBeGreaterThan(4);
      for (let j = 0; j < n; j++) expect(Math.abs(r.x[j]! - w[j]!)).toBeLessThan(0.15);
      console.log(
        `AdAdaGrad (${test} test): batch 4 -> ${st.batch} in ${st.batchLog.length - 1} increases; x error ${Math.max(...Array.from(r.x, (v, j) => Math.abs(v - w[j]!))).toFixed(3)}`,
      );
    }
    expect(new Set(sampleBatch(100, 30, 1, 5)).size).toBe(30);
    expect(sampleBatch(100, 30, 1, 5)).toEqual(sampleBatch(100, 30, 1, 5));
    expect(batchTest([Float64Array.of(1), Float64Array.of(1)], Float64Array.of(1), 'norm', 0.5)).toBe(2);
  });
});

describe('second-order methods', () => {
  it('Newton-CG on matrix-free Hessian-vector products minimizes the 20-d Rosenbrock function', () => {
    const n = 20;
    const rosen = graphObjective((x) => {
      const a = P.slice(x, [0], [n - 1]),
        b = P.slice(x, [1], [n]);
      return P.sum(P.add(P.mul(100, P.square(P.sub(b, P.square(a)))), P.square(P.sub(1, a))));
    }, n);
    const r = solve(rosen, new Float64Array(n).fill(-1), { method: 'newton_cg', steps: 200, tol: 1e-10 });
    expect(r.status).toBe('converged');
    for (const v of r.x) expect(Math.abs(v - 1)).toBeLessThan(1e-7);
    const lb = solve(rosen, new Float64Array(n).fill(-1), { method: 'lbfgs', steps: 1000, tol: 1e-10 });
    console.log(`Rosenbrock-20: newton_cg ${r.steps} steps (${r.diagnostics.hvps} hvps), lbfgs ${lb.steps} steps`);
  });

  it.each(['gauss_newton', 'lm'] as const)('%s fits an exponential model (sumsq of residuals)', (method) => {
    const ts = Array.from({ length: 30 }, (_, i) => i / 10);
    const R = rng(4);
    const ys = ts.map((t) => 2.5 * Math.exp(-1.3 * t) + 0.5 + 0.001 * R.normal());
    const obj = leastSquaresObjective((x) => {
      const t = P.constant(ts, 'float64', [30]);
      const model = P.add(P.mul(P.index(x, 0), P.exp(P.mul(P.neg(P.index(x, 1)), t))), P.index(x, 2));
      return P.sub(model, P.constant(ys, 'float64', [30]));
    }, 3);
    const r = solve(obj, new Float64Array([1, 0.5, 0]), { method, steps: 200, tol: 1e-10 });
    expect(['converged']).toContain(r.status);
    expect(Math.abs(r.x[0]! - 2.5)).toBeLessThan(0.01);
    expect(Math.abs(r.x[1]! - 1.3)).toBeLessThan(0.01);
    expect(Math.abs(r.x[2]! - 0.5)).toBeLessThan(0.01);
  });
});

describe('diffGrad vs Adam (reported)', () => {
  it('on a non-convex function with many local minima, from 20 starts', () => {
    // f(x) = sum x_i^2 / 20 + sum (1 - cos(3 x_i)) / 2 ... a Rastrigin-like bowl in 2-d
    const f = graphObjective((x) => P.add(P.div(P.sumsq(x), 20), P.mul(0.5, P.sum(P.sub(1, P.cos(P.mul(3, x)))))), 2);
    const R = rng(9);
    const res: Record<string, number[]> = { adam: [], diffgrad: [] };
    const its: Record<string, number[]> = { adam: [], diffgrad: [] };
    for (let s = 0; s < 20; s++) {
      const x0 = R.vec(2, 3);
      for (const m of ['adam', 'diffgrad'] as const) {
        const r = solve(f, x0, { method: m, steps: 3000, tol: 1e-6, lr: 0.1 });
        res[m]!.push(r.f);
        its[m]!.push(r.steps);
      }
    }
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    const globalHits = (a: number[]) => a.filter((v) => v < 1e-6).length;
    console.log(
      `diffGrad vs Adam, 20 starts, lr 0.1, tol 1e-6: adam mean final f ${mean(res.adam!).toFixed(4)}, global min ${globalHits(res.adam!)}/20, mean steps ${mean(its.adam!).toFixed(0)}; diffgrad ${mean(res.diffgrad!).toFixed(4)}, ${globalHits(res.diffgrad!)}/20, mean steps ${mean(its.diffgrad!).toFixed(0)}`,
    );
    expect(mean(res.adam!)).toBeLessThan(2);
    expect(mean(res.diffgrad!)).toBeLessThan(2);
  });
});
