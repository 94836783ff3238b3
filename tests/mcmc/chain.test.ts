// Chains: Stan's warmup windows, step size and metric adaptation, bit-identical resume from a
// saved state (in each warmup phase and in sampling), chains independent per (seed, chain), and a
// clear error when no initial point has a finite density.
import { describe, expect, it } from 'vitest';
import {
  Chain,
  DUAL_AVERAGING_DEFAULTS,
  endOfSlowWindow,
  nextWindow,
  SamplerError,
  windowInit,
  windowPlan,
  type ChainState,
  type LogDensity,
  type SamplerSettings,
} from '../../stdlib/mcmc/index.js';

const settings = (o: Partial<SamplerSettings> = {}): SamplerSettings => ({
  algorithm: 'nuts',
  warmup: 1000,
  draws: 1000,
  metric: 'diag',
  stepsize: 1,
  jitter: 0,
  maxDepth: 10,
  steps: 10,
  maxDeltaH: 1000,
  dualAveraging: DUAL_AVERAGING_DEFAULTS,
  initBuffer: 75,
  termBuffer: 50,
  window: 25,
  ...o,
});

/** N(0, diag(sd^2)) with a correlation rho between coordinates 0 and 1. */
function gaussian(sd: number[], rho = 0): LogDensity {
  const n = sd.length;
  return {
    n,
    logpGrad(q, g) {
      let s = 0;
      for (let i = 2; i < n; i++) {
        g[i] = -q[i]! / sd[i]! ** 2;
        s -= (0.5 * q[i]! ** 2) / sd[i]! ** 2;
      }
      const a = q[0]! / sd[0]!;
      const b = q[1]! / sd[1]!;
      const c = 1 - rho * rho;
      s -= (a * a - 2 * rho * a * b + b * b) / (2 * c);
      g[0] = -(a - rho * b) / c / sd[0]!;
      g[1] = -(b - rho * a) / c / sd[1]!;
      return s;
    },
  };
}

const init = (n: number, seed: number) => (a: number) =>
  Float64Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 3.7 + a) * 2);

function runAll(c: Chain): Chain {
  while (!c.done) c.step();
  return c;
}

describe('windowed adaptation', () => {
  const ends = (warmup: number) => {
    const p = windowPlan({ warmup, initBuffer: 75, termBuffer: 50, baseWindow: 25 });
    const w = windowInit(p);
    const out: number[] = [];
    for (; w.counter < warmup; w.counter++)
      if (endOfSlowWindow(p, w)) {
        out.push(w.counter);
        nextWindow(p, w);
      }
    return out;
  };
  it("Stan's 75 / 25, 50, 100, 200, 500 / 50 for 1000 warmup iterations", () => {
    expect(ends(1000)).toEqual([99, 149, 249, 449, 949]);
  });
  it('15 % / 75 % / 10 % when the default buffers do not fit', () => {
    expect(windowPlan({ warmup: 100, initBuffer: 75, termBuffer: 50, baseWindow: 25 })).toMatchObject({
      initBuffer: 15,
      termBuffer: 10,
      baseWindow: 75,
    });
    expect(ends(100)).toEqual([89]);
  });
  it('no metric adaptation under 20 warmup iterations', () => {
    expect(ends(19)).toEqual([]);
  });
});

describe('a chain', () => {
  it('adapts the step size towards the target and the metric towards the variances', () => {
    const sd = [1, 3, 0.2, 10, 0.5];
    const ld = gaussian(sd);
    const c = runAll(Chain.start(ld, settings(), 1, 0, init(5, 1)));
    const { stats } = c.output();
    const accept = stats.acceptStat.reduce((a, b) => a + b, 0) / stats.acceptStat.length;
    expect(accept).toBeGreaterThan(0.72);
    expect(accept).toBeLessThan(0.95);
    const inv = c.inverseMetric();
    for (let i = 0; i < 5; i++) expect(Math.abs(inv[i]! / sd[i]! ** 2 - 1)).toBeLessThan(0.35);
    // With the metric learned, trajectories are short.
    const depth = stats.treedepth.reduce((a, b) => a + b, 0) / stats.treedepth.length;
    expect(depth).toBeLessThan(4);
  });

  it('learns a dense metric that captures a strong correlation', () => {
    const ld = gaussian([1, 2, 1], 0.95);
    const c = runAll(Chain.start(ld, settings({ metric: 'dense', warmup: 600, draws: 200 }), 2, 0, init(3, 2)));
    const inv = c.inverseMetric();
    const corr = inv[1]! / Math.sqrt(inv[0]! * inv[4]!);
    expect(corr).toBeGreaterThan(0.85);
    expect(Math.abs(inv[4]! / 4 - 1)).toBeLessThan(0.4);
  });

  for (const [label, k] of [
    ['in the initial buffer', 37],
    ['inside a slow window', 120],
    ['at the end of a window', 150],
    ['in the terminal buffer', 980],
    ['in sampling', 1234],
  ] as const)
    it(`resumes bit for bit from a state saved ${label}`, () => {
      for (const algorithm of ['nuts', 'hmc'] as const) {
        const s = settings({ algorithm, jitter: algorithm === 'hmc' ? 0.1 : 0, draws: 300 });
        const ld = gaussian([1, 2, 0.5], 0.5);
        const whole = runAll(Chain.start(ld, s, 11, 2, init(3, 5))).save();
        const part = Chain.start(ld, s, 11, 2, init(3, 5));
        while (part.iteration < k) part.step();
        const saved = JSON.parse(JSON.stringify(part.save())) as ChainState;
        const resumed = runAll(Chain.resume(ld, s, 11, saved)).save();
        const strip = (st: ChainState) => ({ ...st, warmupMs: 0, samplingMs: 0 });
        expect(strip(resumed)).toEqual(strip(whole));
      }
    });

  it('chains differ by index and repeat exactly by (seed, chain)', () => {
    const ld = gaussian([1, 1]);
    const s = settings({ warmup: 100, draws: 50 });
    const a = runAll(Chain.start(ld, s, 3, 0, init(2, 1))).output().draws;
    const b = runAll(Chain.start(ld, s, 3, 1, init(2, 1))).output().draws;
    const a2 = runAll(Chain.start(ld, s, 3, 0, init(2, 1))).output().draws;
    expect(Array.from(a)).toEqual(Array.from(a2));
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });

  it('refuses a density that is not finite anywhere, naming the chain', () => {
    const ld: LogDensity = { n: 1, logpGrad: () => NaN };
    expect(() => Chain.start(ld, settings(), 1, 2, init(1, 1))).toThrow(SamplerError);
    expect(() => Chain.start(ld, settings(), 1, 2, init(1, 1))).toThrow(
      /chain 3: .* not finite at 100 random initial points/,
    );
  });

  it('an improper flat density stops the step size search with the cause', () => {
    const ld: LogDensity = {
      n: 1,
      logpGrad: (_q, g) => {
        g[0] = 0;
        return 0;
      },
    };
    expect(() => Chain.start(ld, settings(), 1, 0, init(1, 1))).toThrow(/improper/);
  });
});
