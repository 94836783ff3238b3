// The `nuts` and `hmc` entries of the method table through the one driver, as any method runs:
// one driver run is one chain (the budget warmup + draws iterations, ending max_steps: a chain
// makes no convergence claim), its state is plain JSON, a run resumed from a mid-run checkpoint
// ends bit for bit where an uninterrupted one does, the chain index of the run context picks the
// stream, and hmc's leapfrog count is not the budget.
import { describe, expect, it } from 'vitest';
import {
  contextFor,
  drain,
  driverOptions,
  runSteps,
  runnableOf,
  withDefaults,
  type Checkpoint,
  type McmcState,
  type OptionSpecs,
  type Problem,
} from '../../stdlib/index.js';

/** Minus the log density of N(mu, diag(sd^2)). */
function gaussian(mu: number[], sd: number[]): Problem {
  return {
    n: mu.length,
    evaluate(x) {
      let f = 0;
      const g = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const z = (x[i]! - mu[i]!) / sd[i]!;
        f += 0.5 * z * z;
        g[i] = z / sd[i]!;
      }
      return { f, g };
    },
  };
}

const p = gaussian([1, -2, 0.5], [1, 3, 0.2]);
const x0 = new Float64Array([0.3, -0.1, 0.2]);

function options(name: 'nuts' | 'hmc', given: Record<string, unknown>) {
  const m = runnableOf(name)!;
  return { m, o: driverOptions(name, withDefaults(m.options as OptionSpecs, given)) };
}

function run(name: 'nuts' | 'hmc', given: Record<string, unknown>, chain = 0, hooks = {}) {
  const { m, o } = options(name, given);
  return drain(runSteps(m, p, x0, o as never, hooks, { ...contextFor(5), chain }));
}

describe('nuts and hmc as entries of the method table', () => {
  it('one driver run is one chain: warmup + draws iterations, ending max_steps, the draws in its state', () => {
    const r = run('nuts', { warmup: 150, draws: 200 });
    expect(r.status).toBe('max_steps');
    expect(r.steps).toBe(350);
    expect(r.message).toMatch(/chain 1: 350 of 350 iterations/);
    const st = r.checkpoint.state as McmcState;
    expect(st.chain.draws.length).toBe(200 * 3);
    expect(JSON.parse(JSON.stringify(st))).toEqual(st);
    const mean = [0, 1, 2].map((j) => st.chain.draws.filter((_, k) => k % 3 === j).reduce((a, b) => a + b, 0) / 200);
    expect(mean[0]).toBeCloseTo(1, 0);
    expect(Math.abs(mean[1]! + 2)).toBeLessThan(1);
    expect(mean[2]).toBeCloseTo(0.5, 0);
  });

  it('resumes bit for bit from a checkpoint taken mid-warmup and mid-sampling', () => {
    const whole = run('nuts', { warmup: 120, draws: 60 }).checkpoint.state as McmcState;
    for (const at of [50, 150]) {
      let saved: Checkpoint | null = null;
      run('nuts', { warmup: 120, draws: 60 }, 0, {
        checkpointEvery: at,
        saveCheckpoint: (c: Checkpoint) => (saved ??= JSON.parse(JSON.stringify(c)) as Checkpoint),
      });
      expect(saved!.state.step).toBe(at);
      const resumed = run('nuts', { warmup: 120, draws: 60 }, 0, { resume: saved! }).checkpoint.state as McmcState;
      expect(resumed.chain.draws).toEqual(whole.chain.draws);
      expect(resumed.chain.rng).toBe(whole.chain.rng);
    }
  });

  it('the chain index of the run context picks the stream', () => {
    const a = run('nuts', { warmup: 20, draws: 20 }, 0).checkpoint.state as McmcState;
    const b = run('nuts', { warmup: 20, draws: 20 }, 1).checkpoint.state as McmcState;
    const a2 = run('nuts', { warmup: 20, draws: 20 }, 0).checkpoint.state as McmcState;
    expect(a.chain.draws).toEqual(a2.chain.draws);
    expect(a.chain.draws).not.toEqual(b.chain.draws);
  });

  it("hmc's steps is its leapfrog count; the driver's budget is warmup + draws", () => {
    const r = run('hmc', { warmup: 0, draws: 30, steps: 7, stepsize: 0.1 });
    expect(r.steps).toBe(30);
    const st = r.checkpoint.state as McmcState;
    expect(st.chain.stats.nLeapfrog.every((n) => n === 7)).toBe(true);
  });
});
