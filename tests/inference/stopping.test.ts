// The VI stopping rule (stdlib/vi/stopping.ts) and the start (stdlib/vi/whitening.ts, laplace.ts),
// as units and through `run`:
//   - it never fires while the ELBO rises beyond its noise (a steady climb, 20,000 steps);
//   - on a converging fit it fires only once the remaining gain is small, and with tol = 0 never;
//   - its state survives a JSON round trip mid-run (checkpoints) with an identical outcome;
//   - `steps` is the budget and is honoured; tol = 0 runs the whole budget; a fit cut off while
//     its ELBO still rises warns with the remedy;
//   - the mean-field start takes the precision's diagonal (correlation 0.999: sd 0.045, not 1);
//   - a funnel (centred eight schools, whose MAP sits at tau -> 0) does not trap the fit;
//   - the multivariate collinearity check sees what no pair shows.

import { describe, expect, it } from 'vitest';
import { run } from '../../index.js';
import { stageFactor, stopCheck, stopInit, stopPush, windowAverage, type StopState } from '../../stdlib/vi/stopping.js';
import { gaussianFamily, gaussianWhitening } from '../../stdlib/vi/index.js';
import { collinearity, correlatedPairs, covarianceFromPrecision } from '../../stdlib/vi/correlation.js';
import { eigh } from '../../runtime/kernels/eigh.js';
import { rng } from '../helpers/fd.js';

/**
 * A synthetic fit: a scalar iterate x driven toward its optimum 3 at a rate proportional to the
 * stage's step size, with noise of that size; the "ELBO" per draw j is -(x - 3)^2 (1 + 0.2 e_j) + c_j
 * (fixed draws: paired differences see only the change in x). Returns the step at which the rule
 * fired (or null) and the remaining gap of the result.
 */
function simulate(opts: {
  tol: number;
  steps: number;
  rate: (x: number) => number;
  resumeAt?: number;
  linear?: boolean;
}) {
  const u = rng(3);
  const e = Array.from({ length: 64 }, () => u() - 0.5);
  const c = Array.from({ length: 64 }, () => 3 * (u() - 0.5));
  const value = opts.linear ? (x: number) => x : (x: number) => -((x - 3) ** 2);
  const f = (x: number) => e.map((ej, j) => value(x) * (1 + 0.2 * ej) + c[j]!);
  let s: StopState = stopInit(1, 100, opts.tol);
  let x = 0;
  for (let t = 0; t < opts.steps; t++) {
    const lr = 0.05 * stageFactor(s);
    x += opts.rate(x) * lr + lr * (u() - 0.5) * 2;
    if (stopPush(s, [x])) {
      const avg = windowAverage(s);
      if (stopCheck(s, t, avg, f(avg[0]!))) break;
    }
    if (opts.resumeAt === t) s = JSON.parse(JSON.stringify(s)) as StopState;
  }
  const best = s.best ?? s.last;
  return { firedAt: s.firedAt, gap: best ? (best.phi[0]! - 3) ** 2 : Infinity, stages: s.stage };
}

describe('the stopping rule (units)', () => {
  it('never fires while the ELBO still rises beyond its noise', () => {
    // An ELBO that keeps rising (linear in x), x climbing at a rate that falls with each stage's
    // step size: every window still gains beyond its noise, even after many stages.
    const r = simulate({ tol: 0.05, steps: 20000, rate: () => 1, linear: true });
    expect(r.firedAt).toBeNull();
  });

  it('fires on a converging fit only when the remaining gain is small; tol = 0 never', () => {
    const r = simulate({ tol: 0.05, steps: 20000, rate: (x) => 2 * (3 - x) });
    expect(r.firedAt).not.toBeNull();
    expect(r.firedAt!).toBeGreaterThan(400);
    // The result's true gap to the optimum (in ELBO units) is well under tol.
    expect(r.gap).toBeLessThan(0.01);
    expect(simulate({ tol: 0, steps: 20000, rate: (x) => 2 * (3 - x) }).firedAt).toBeNull();
  });

  it('a JSON round trip of the state mid-run changes nothing', () => {
    const a = simulate({ tol: 0.05, steps: 20000, rate: (x) => 2 * (3 - x) });
    const b = simulate({ tol: 0.05, steps: 20000, rate: (x) => 2 * (3 - x), resumeAt: 650 });
    expect(b).toEqual(a);
  });
});

const NORMAL = `data { y: real[3] }
param { mu: real; s: real > 0 }
model {
  mu ~ Normal(0, 5)
  s ~ LogNormal(0, 1)
  y ~ Normal(mu, s)
}
`;
const data = { y: [0.5, 1.5, 1.0] };

describe('the budget and the warnings, through run', () => {
  it('steps is the budget and is honoured; tol = 0 runs all of it', async () => {
    const short = await run({ source: NORMAL + 'infer vi(steps = 150)', file: 'b.opt' }, { backend: 'ref', data });
    expect(short.steps).toBe(150);
    expect(short.status).toBe('max_steps');
    const all = await run(
      { source: NORMAL + 'infer vi(steps = 700, tol = 0)', file: 'b.opt' },
      { backend: 'ref', data },
    );
    expect(all.steps).toBe(700);
    expect(all.status).toBe('max_steps');
    const cli = await run({ source: NORMAL + 'infer vi', file: 'b.opt' }, { backend: 'ref', data, steps: 250 });
    expect(cli.steps).toBe(250);
  }, 120_000);

  it('a fit cut off while its ELBO still rises warns, naming the remedy', async () => {
    // A guide block started far from the posterior, with a small step size: 400 steps are not
    // enough.
    const guide = `guide {
  param m: real = -20
  param ls: real = 0
  param sm: real = 0
  mu ~ Normal(m, exp(ls))
  s ~ LogNormal(sm, 0.3)
}
`;
    const r = await run(
      { source: NORMAL + guide + 'infer vi(guide = guide, steps = 400, optimizer = adam(lr = 0.01))', file: 'b.opt' },
      { backend: 'ref', data },
    );
    const w = r.messages.find((m) => m.severity === 'warning' && /still rising/.test(m.message));
    expect(w, JSON.stringify(r.messages)).toBeDefined();
    expect(w!.hint).toMatch(/raise `steps`/);
    expect(r.diagnostics.stop_reason).toMatch(/still rising/);
  }, 120_000);
});

describe('the start', () => {
  it('mean-field starts from the precision diagonal', () => {
    // A 2-d Gaussian with unit marginal sds and correlation 0.999.
    const rho = 0.999;
    const P = [1, -rho, -rho, 1].map((v) => v / (1 - rho * rho));
    const { w, v } = eigh(Float64Array.from(P), 1, 2);
    const W = gaussianWhitening({ mean: Float64Array.of(0, 0), w, v }, 'mean_field');
    const phi = gaussianFamily('mean_field').init(2, W);
    const sd = [0, 1].map((i) => W.a[i]! * Math.exp(phi[2 + i]!));
    // The mean-field optimum: sd 1 / sqrt(P_ii) = sqrt(1 - rho^2) = 0.0447.
    for (const s of sd) expect(s).toBeCloseTo(Math.sqrt(1 - rho * rho), 6);
  });

  it('a funnel (centred eight schools, MAP at tau -> 0) does not trap the fit', async () => {
    const r = await run(
      {
        source: `data { J: int; y: real[J]; sigma: real[J] > 0 }
param { mu: real; tau: real > 0; theta: real[J] }
model {
  mu ~ Normal(0, 5)
  tau ~ HalfCauchy(5)
  theta ~ Normal(mu, tau)
  y ~ Normal(theta, sigma)
}
infer vi
`,
        file: 'centred.opt',
      },
      { backend: 'ref', data: { J: 8, y: [28, 8, -3, 7, -1, 1, 18, 12], sigma: [15, 10, 16, 11, 9, 11, 10, 18] } },
    );
    expect(r.status, JSON.stringify(r.messages)).not.toBe('error');
    const start = r.diagnostics.start as { kind: string; candidates: Record<string, number | null> };
    console.log(
      `centred eight schools: start ${start.kind}, tau ${JSON.stringify(r.posterior!.tau)}, ELBO ${r.objective}`,
    );
    // The MAP path runs toward tau = 0, where its Laplace Gaussian has a hopeless ELBO.
    expect(start.kind).not.toBe('laplace');
    const tau = r.posterior!.tau!.mean as number;
    expect(tau).toBeGreaterThan(1);
    expect(r.objective!).toBeGreaterThan(-60);
  }, 300_000);
});

describe('the collinearity check', () => {
  it('flags collinearity that no pair shows', () => {
    // x3 = x1 + x2 + small noise, x1 and x2 independent: every pairwise |rho| is about 0.7, but
    // x3 is almost determined by the other two.
    const s2 = 0.01;
    const cov = [1, 0, 1, 0, 1, 1, 1, 1, 2 + s2];
    const prec = invert3(cov);
    const back = covarianceFromPrecision(prec, 3);
    expect(correlatedPairs(back, 3)).toHaveLength(0);
    const c = collinearity(prec, 3);
    expect(c.flagged.map((f) => f.i).sort()).toEqual([0, 1, 2]);
    // x3's mean-field sd is its conditional sd 0.1, against a marginal sd of 1.42.
    expect(c.sdRatio[2]!).toBeCloseTo(0.1 / Math.sqrt(2.01), 6);
    expect(c.condition).toBeGreaterThan(100);
    // An independent Gaussian passes.
    expect(collinearity(Float64Array.from([1, 0, 0, 4]), 2).flagged).toHaveLength(0);
  });
});

function invert3(m: number[]): Float64Array {
  const [a, b, c, d, e, f, g, h, i] = m as [number, number, number, number, number, number, number, number, number];
  const A = e * i - f * h,
    B = -(d * i - f * g),
    C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return Float64Array.from(
    [A, -(b * i - c * h), b * f - c * e, B, a * i - c * g, -(a * f - c * d), C, -(a * h - b * g), a * e - b * d].map(
      (x) => x / det,
    ),
  );
}
