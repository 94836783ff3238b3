// The js backend allocates nothing per call in the steady state: a gradient step of logistic
// regression and a variational step (fresh normal draws from a split key, reparameterized ELBO
// gradient, parameters and key carried as state) each run 10,000 times through a stepper while
// the young generation's occupancy is watched: it must grow by less than 64 KiB (one 16-byte
// allocation per call would be 160 KB) with no scavenge during the loop.

import { describe, it, expect } from 'vitest';
import { getHeapSpaceStatistics } from 'node:v8';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { trace, grad, valueAndGrad, ops as P } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/ir/tracer.js';
import { compileSync } from '../../runtime/backends/index.js';
import type { Stepper } from '../../runtime/backends/types.js';

const young = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;

async function steadyState(st: Stepper): Promise<{ growth: number; scavenges: number }> {
  st.advance(3000); // warm up: the generated functions are optimized by now
  const gcs: number[] = [];
  const obs = new PerformanceObserver((list) => gcs.push(...list.getEntries().map((e) => e.startTime)));
  obs.observe({ entryTypes: ['gc'] });
  const t0 = performance.now();
  const before = young();
  st.advance(10_000);
  const growth = young() - before;
  const t1 = performance.now();
  await new Promise((r) => setTimeout(r, 20));
  obs.disconnect();
  return { growth, scavenges: gcs.filter((t) => t >= t0 && t <= t1).length };
}

const n = 200,
  d = 5;
const X = new Float64Array(n * d).map((_, i) => Math.sin(i * 0.7));
const y = new Float64Array(n).map((_, i) => (Math.cos(i) > 0 ? 1 : 0));
const data = [
  { data: X, shape: [n, d] },
  { data: y, shape: [n, 1] },
];
const loglik = (w: Tracer, Xt: Tracer, yt: Tracer) => {
  const z = P.matmul(Xt, w);
  return P.sum(P.sub(P.mul(yt, z), P.softplus(z)));
};

describe('js backend steady state', () => {
  it('a gradient step allocates nothing', async () => {
    const g = trace(
      (w, Xt, yt) => [P.add(w!, P.mul(0.01, grad(loglik)(w!, Xt!, yt!))), loglik(w!, Xt!, yt!)],
      [
        [d, 1],
        [n, d],
        [n, 1],
      ],
    );
    const exe = compileSync(g, { backend: 'js', dataInputs: [1, 2], data });
    const r = await steadyState(exe.stepper([[0, 0]], [new Float64Array(d)]));
    expect(r.growth).toBeLessThan(64 * 1024);
    expect(r.scavenges).toBe(0);
  });

  it('a variational step with fresh draws allocates nothing', async () => {
    // Mean-field guide N(m, exp(s)^2) for w; one reparameterized draw per step; plain gradient ascent.
    const elbo = (m: Tracer, s: Tracer, key: Tracer, Xt: Tracer, yt: Tracer) => {
      const w = P.add(m, P.mul(P.exp(s), P.normal(key, [d, 1])));
      return P.add(P.sub(loglik(w, Xt, yt), P.mul(0.5, P.sum(P.mul(w, w)))), P.sum(s));
    };
    const g = trace(
      (m, s, key, Xt, yt) => {
        const [k1, k2] = P.splitKey(key!);
        const [v, [gm, gs]] = valueAndGrad((a, b) => elbo(a!, b!, k1!, Xt!, yt!), [0, 1])(m!, s!);
        return [P.add(m!, P.mul(0.01, gm!)), P.add(s!, P.mul(0.01, gs!)), k2!, v];
      },
      [{ shape: [d, 1] }, { shape: [d, 1] }, { shape: [2], dtype: 'int32' }, { shape: [n, d] }, { shape: [n, 1] }],
    );
    const exe = compileSync(g, { backend: 'js', dataInputs: [3, 4], data });
    const st = exe.stepper(
      [
        [0, 0],
        [1, 1],
        [2, 2],
      ],
      [new Float64Array(d), new Float64Array(d), Int32Array.of(0, 7)],
    );
    const r = await steadyState(st);
    expect(r.growth).toBeLessThan(64 * 1024);
    expect(r.scavenges).toBe(0);
  });
});
