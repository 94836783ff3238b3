// The host-side solver loop: L-BFGS and Adam converge on classic problems, statuses are right,
// and resuming from a checkpoint gives bit-identical iterates.
import { describe, expect, it } from 'vitest';
import { solve, type Checkpoint, type Problem } from '../../stdlib/index.js';

const rosenbrock = (n: number): Problem => ({
  n,
  evaluate(x) {
    let f = 0;
    const g = new Float64Array(n);
    for (let i = 0; i < n - 1; i++) {
      const a = x[i + 1]! - x[i]! * x[i]!;
      const b = 1 - x[i]!;
      f += 100 * a * a + b * b;
      g[i] += -400 * x[i]! * a - 2 * b;
      g[i + 1] += 200 * a;
    }
    return { f, g };
  },
});

const quadratic: Problem = {
  n: 3,
  evaluate(x) {
    const c = [1, -2, 3];
    let f = 0;
    const g = new Float64Array(3);
    for (let i = 0; i < 3; i++) {
      f += 0.5 * (i + 1) * (x[i]! - c[i]!) ** 2;
      g[i] = (i + 1) * (x[i]! - c[i]!);
    }
    return { f, g };
  },
};

describe('solve', () => {
  it('L-BFGS minimizes the 10-d Rosenbrock function', () => {
    const r = solve(rosenbrock(10), new Float64Array(10).fill(-1.2), { method: 'lbfgs', steps: 500, tol: 1e-10 });
    expect(r.status).toBe('converged');
    for (const v of r.x) expect(v).toBeCloseTo(1, 6);
    expect(r.f).toBeLessThan(1e-12);
  });

  it('Adam minimizes a quadratic', () => {
    const r = solve(quadratic, new Float64Array(3), { method: 'adam', steps: 5000, tol: 1e-8, lr: 0.05 });
    expect(r.status).toBe('converged');
    expect(Array.from(r.x).map((v) => +v.toFixed(5))).toEqual([1, -2, 3]);
  });

  it('reports max_steps, stopped and diverged', () => {
    expect(solve(rosenbrock(2), new Float64Array([-1.2, 1]), { method: 'lbfgs', steps: 3, tol: 1e-12 }).status).toBe(
      'max_steps',
    );
    expect(
      solve(quadratic, new Float64Array(3), { method: 'adam', steps: 100, tol: 0 }, { shouldStop: () => true }).status,
    ).toBe('stopped');
    const bad: Problem = {
      n: 1,
      evaluate: (x) => ({ f: -Math.exp(x[0]! * 1000), g: new Float64Array([-1000 * Math.exp(x[0]! * 1000)]) }),
    };
    expect(solve(bad, new Float64Array([0]), { method: 'adam', steps: 100, tol: 0, lr: 1 }).status).toBe('diverged');
  });

  it.each(['lbfgs', 'adam'] as const)('%s resumes bit-identically from a checkpoint', (method) => {
    const opts =
      method === 'lbfgs'
        ? ({ method, steps: 40, tol: 0 } as const)
        : ({ method, steps: 40, tol: 0, lr: 0.01 } as const);
    const full = solve(rosenbrock(4), new Float64Array(4).fill(-1), opts);
    const saved: Checkpoint[] = [];
    solve(
      rosenbrock(4),
      new Float64Array(4).fill(-1),
      { ...opts, steps: 17 },
      { checkpointEvery: 5, saveCheckpoint: (s) => saved.push(JSON.parse(JSON.stringify(s))) },
    );
    const resumed = solve(rosenbrock(4), new Float64Array(4).fill(-1), opts, { resume: saved[saved.length - 1]! });
    expect(Array.from(resumed.x)).toEqual(Array.from(full.x));
    expect(resumed.f).toBe(full.f);
    expect(resumed.steps).toBe(full.steps);
  });
});
