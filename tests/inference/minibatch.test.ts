// Minibatched plates: `for i in batch(N, B)` draws B of N indices per evaluation from the key and
// scales the terms by N / B, so the log-likelihood estimate is unbiased: its mean over many keys
// matches the full-data value within 4 standard errors. Without a key (MAP, the Laplace start)
// the loop runs over all N. VI on a minibatched model recovers the conjugate posterior.

import { describe, expect, it } from 'vitest';
import { compile, run } from '../../index.js';
import { ops as P, trace, type Tracer } from '../../runtime/index.js';
import { foldIn, keyFromSeed } from '../../runtime/kernels/threefry.js';
import { prepare } from '../../compiler/running/backend_seam.js';
import { logDensityAt } from '../../compiler/lower/vi_graphs.js';

const N = 60;
const y = Array.from({ length: N }, (_, i) => Math.sin(i * 1.7) * 2 + 0.5 + (i % 7) * 0.1);
const SRC = (B: number) =>
  `data { N: int; y: real[N] }\nparam { mu: real; s: real > 0 }\nmodel {\n  mu ~ Normal(0, 5)\n  s ~ LogNormal(0, 1)\n  for i in batch(N, ${B}) {\n    y[i] ~ Normal(mu, s)\n  }\n}\ninfer vi(guide = full_rank, steps = 3000)\n`;

describe('batch(N, B) plates', () => {
  it('the minibatched log density is unbiased for the full one (mean over 2000 keys within 4 SE)', async () => {
    const c = await compile({ source: SRC(7), file: 'mb.opt' }, { data: { N, y }, backend: 'ref' });
    const { kit, dataArrays } = c.internals;
    const g = trace((z: Tracer, key: Tracer, ...data: Tracer[]) => logDensityAt(kit, z, key, data), [
      [2],
      { shape: [2], dtype: 'int32' },
      ...kit.specs.slice(1),
    ] as Parameters<typeof trace>[1]);
    const exe = await prepare(g, 'ref', 2, dataArrays);
    const z = Float64Array.from([0.3, 0.4]);
    const full = c.logDensity!.evaluate(z, 0).f;
    const root = keyFromSeed(3);
    const xs = Array.from(
      { length: 2000 },
      (_, i) =>
        exe.run([
          { data: z, shape: [2] },
          { data: foldIn(root, i), shape: [2] },
        ])[0]!.data[0]!,
    );
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const se = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) / xs.length);
    expect(se).toBeGreaterThan(0);
    expect(Math.abs(mean - full)).toBeLessThan(4 * se);
  });

  it('without a key the plate is the full sum, so B = N and the exact density agree', async () => {
    const a = await compile({ source: SRC(7), file: 'a.opt' }, { data: { N, y }, backend: 'ref' });
    const b = await compile({ source: SRC(N), file: 'b.opt' }, { data: { N, y }, backend: 'ref' });
    const z = Float64Array.from([0.1, -0.2]);
    expect(a.logDensity!.evaluate(z, 0).f).toBeCloseTo(b.logDensity!.evaluate(z, 0).f, 10);
  });

  it('VI on the minibatched model agrees with full-data VI', async () => {
    const mb = await run({ source: SRC(15), file: 'mb.opt' }, { data: { N, y }, backend: 'ref' });
    const fd = await run({ source: SRC(N), file: 'fd.opt' }, { data: { N, y }, backend: 'ref' });
    const [pm, pf] = [mb.posterior!.mu!, fd.posterior!.mu!];
    expect(Math.abs((pm.mean as number) - (pf.mean as number)) / (pf.sd as number)).toBeLessThan(0.3);
    expect((pm.sd as number) / (pf.sd as number)).toBeGreaterThan(0.7);
    expect((pm.sd as number) / (pf.sd as number)).toBeLessThan(1.3);
  });

  it('a batch loop cannot update a state', async () => {
    const r = await run(
      {
        source: `data { N: int; y: real[N] }\nparam mu: real\nmodel {\n  state t = 0.0\n  for i in batch(N, 5) {\n    t += y[i]\n    y[i] ~ Normal(mu, 1)\n  }\n}\ninfer vi\n`,
        file: 'bad.opt',
      },
      { data: { N, y } },
    );
    expect(r.status).toBe('error');
    expect(r.messages.map((m) => m.message).join('\n')).toMatch(/plate of independent terms/);
  });
});
