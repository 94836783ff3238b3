// Random numbers from explicit keys through the ops (rng_uniform, rng_split) on ref: the same key
// gives the same numbers (in one graph, across graphs, as a constant or a traced input), uniform
// draws lie in [0, 1) on the dtype's grid, and with a fixed seed the uniform and normal samples
// have the right moments (bounds at ~5 standard errors, deterministic since the seed is fixed).

import { describe, expect, it } from 'vitest';
import { ops as P, grad } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/ir/tracer.js';
import * as K from '../../runtime/kernels/index.js';
import { compile } from '../helpers/run.js';

const KEY = { shape: [2], dtype: 'int32' as const };
const N = 20000;
const moments = (x: Float64Array) => {
  const m = x.reduce((a, b) => a + b, 0) / x.length;
  const v = x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1);
  const k = x.reduce((a, b) => a + (b - m) ** 4, 0) / x.length / (v * v);
  return { m, v, k };
};

describe('rng on ref', () => {
  it('the same seed gives the same numbers; other seeds and split keys give others', () => {
    const draw = compile((k) => [P.uniform(k!, [64]), ...P.splitKey(k!, 3).map((s) => P.uniform(s, [64]))], [KEY]);
    const again = compile((k) => [P.uniform(k!, [64]), ...P.splitKey(k!, 3).map((s) => P.uniform(s, [64]))], [KEY]);
    const a = draw.run([0, 7]),
      b = draw.run([0, 7]),
      c = again.run([0, 7]),
      d = draw.run([0, 8]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    // Different seeds, and the four streams of one seed, share no value.
    const all = [...a, ...d].flatMap((x) => [...x]);
    expect(new Set(all).size).toBe(all.length);
  });

  it('a constant key and a traced key agree, and match the host kernels (the cross-backend definition)', () => {
    const fromConst = compile(() => P.uniform(P.keyConstant(1234), [10]), [[1]]).run([0])[0]!;
    const fromInput = compile((k) => P.uniform(k!, [10]), [KEY]).run(K.keyFromSeed(1234))[0]!;
    expect(fromInput).toEqual(fromConst);
    expect(fromConst).toEqual(K.uniform01(K.randomBits64(K.keyFromSeed(1234), 10), 'float64'));
    const split = compile((k) => P.emit1('rng_split', [k!], { n: 4 }), [KEY]).raw(K.keyFromSeed(5))[0]!;
    expect(split.shape).toEqual([4, 2]);
    expect(split.data).toBeInstanceOf(Int32Array);
    expect(Array.from(split.data)).toEqual(Array.from(K.split(K.keyFromSeed(5), 4)));
  });

  it('uniform draws lie in [0, 1) on the dtype grid, with mean 1/2 and variance 1/12', () => {
    const [u64, u32] = compile((k) => [P.uniform(k!, [N]), P.uniform(k!, [N], 'float32')], [KEY]).run(
      K.keyFromSeed(2026),
    );
    for (const [u, step] of [
      [u64!, 2 ** -52],
      [u32!, 2 ** -23],
    ] as const) {
      expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...u)).toBeLessThan(1);
      expect(u.every((x) => Number.isInteger(x / step))).toBe(true);
      const { m, v } = moments(u);
      const se = Math.sqrt(1 / 12 / N);
      expect(Math.abs(m - 0.5)).toBeLessThan(5 * se);
      expect(Math.abs(v - 1 / 12)).toBeLessThan(5 * Math.sqrt(1 / 180 / N));
    }
    // Deciles are each close to 10% (a coarse uniformity check).
    const counts = new Array<number>(10).fill(0);
    for (const x of u64!) counts[Math.floor(x * 10)]!++;
    for (const c of counts) expect(Math.abs(c / N - 0.1)).toBeLessThan(5 * Math.sqrt(0.09 / N));
  });

  it('normal draws (Box-Muller over split keys) have mean 0, variance 1 and kurtosis 3', () => {
    const z = compile((k) => P.normal(k!, [N]), [KEY]).run(K.keyFromSeed(77))[0]!;
    expect(z.every(Number.isFinite)).toBe(true);
    const { m, v, k } = moments(z);
    expect(Math.abs(m)).toBeLessThan(5 / Math.sqrt(N));
    expect(Math.abs(v - 1)).toBeLessThan(5 * Math.sqrt(2 / N));
    expect(Math.abs(k - 3)).toBeLessThan(5 * Math.sqrt(24 / N));
    // Two streams from one split are uncorrelated.
    const [a, b] = compile((key) => P.splitKey(key!, 2).map((s) => P.normal(s, [N])), [KEY]).run(K.keyFromSeed(78));
    const corr = a!.reduce((s, ai, i) => s + ai * b![i]!, 0) / N;
    expect(Math.abs(corr)).toBeLessThan(5 / Math.sqrt(N));
  });

  it('random numbers are constants to differentiation', () => {
    const f = (x: Tracer) => P.sum(P.mul(x, P.uniform(P.keyConstant(3), [5])));
    const g = compile((x) => grad(f)(x!), [[5]]).run([1, 2, 3, 4, 5])[0]!;
    expect(g).toEqual(compile(() => P.uniform(P.keyConstant(3), [5]), [[1]]).run([0])[0]!);
  });
});
