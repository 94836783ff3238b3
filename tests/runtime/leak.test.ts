// Memory: the runtime owns every tensor. 10,000 executions of a gradient plan on cpu (and a
// shorter run on wasm) leave tf.memory().numTensors unchanged, as do control flow, host kernels,
// rebinding data, kept values once released, failed calls, and disposing executables.

import { describe, it, expect, beforeAll } from 'vitest';
import { trace, grad, ops as P } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/ir/tracer.js';
import { compile, initBackend, tfModule } from '../../runtime/backends/index.js';

beforeAll(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
}, 60_000);

const N = 20,
  D = 4;
const loss = (w: Tracer, X: Tracer, y: Tracer) => {
  const z = P.matmul(X, w);
  return P.mean(P.sub(P.softplus(z), P.mul(y, z)));
};
const gradStep = trace(
  (w, X, y) => [P.sub(w!, P.mul(0.1, grad(loss)(w!, X!, y!))), loss(w!, X!, y!)],
  [
    [D, 1],
    [N, D],
    [N, 1],
  ],
);
const X = Float64Array.from({ length: N * D }, (_, i) => Math.sin(i * 1.3));
const y = Float64Array.from({ length: N }, (_, i) => i % 2);
const w0 = new Float64Array(D);

const numTensors = () => tfModule()!.memory().numTensors;

describe('no tensor leaks', () => {
  for (const [backend, runs] of [
    ['cpu', 10_000],
    ['wasm', 2_000],
  ] as const) {
    it(`${runs} executions of a gradient plan on ${backend}`, async () => {
      const before = numTensors();
      const exe = await compile(gradStep, { backend, dataInputs: [1, 2], data: [X, y] });
      exe.run([w0]);
      const warm = numTensors();
      let w: Float64Array = w0;
      for (let i = 0; i < runs; i++) w = exe.run([w])[0]!.data as Float64Array;
      expect(numTensors()).toBe(warm);
      const st = exe.stepper([[0, 0]], [w0]);
      st.advance(runs / 10);
      st.release();
      for (let i = 0; i < 20; i++) exe.bind([X.map((v) => v * i), y]);
      exe.runKeep([w0]).forEach((k) => k.release());
      expect(numTensors()).toBe(warm);
      expect(() => exe.run([new Float64Array(3)])).toThrow();
      expect(() => exe.run([])).toThrow();
      expect(numTensors()).toBe(warm);
      exe.dispose();
      expect(numTensors()).toBe(before);
    }, 60_000);
  }

  it('control flow and host kernels', async () => {
    const f = (x: Tracer) => {
      const { carry } = P.scan(
        ([c], [xi]) => [[P.add(P.mul(P.sin(c!), 0.9), xi!)], []],
        [P.zeros([2])],
        [P.reshape(x, [3, 2])],
      );
      const a = P.add(
        P.outer(carry[0]!, carry[0]!),
        P.constant([
          [2, 0],
          [0, 2],
        ]),
      );
      const l = P.cholesky(a);
      return P.add(P.sum(l), P.sum(P.sort(x).values));
    };
    const g = trace((x) => [f(x!), grad(f)(x!)], [[6]]);
    for (const backend of ['cpu', 'wasm'] as const) {
      const before = numTensors();
      const exe = await compile(g, { backend });
      for (let i = 0; i < 200; i++) exe.run([Float64Array.from({ length: 6 }, (_, k) => Math.cos(i + k))]);
      expect(exe.stats.hostCalls).toBeGreaterThan(0);
      exe.dispose();
      expect(numTensors()).toBe(before);
    }
  }, 60_000);

  it('a buffer used as a matmul right operand under two shapes (tfjs-wasm caches operators per buffer)', async () => {
    const g = trace(
      (x) => {
        const col = P.reshape(x!, [2, 1]);
        const row = P.reshape(x!, [1, 2]);
        const m = P.add(P.matmul(col, row), 1);
        return [P.matmul(m, row, false, true), P.matmul(P.ones([3, 1]), row)];
      },
      [[2]],
    );
    const ref = await compile(g, { backend: 'ref' });
    const exe = await compile(g, { backend: 'wasm' });
    for (let i = 0; i < 300; i++) {
      const x = Float64Array.from([Math.cos(i), 0.5]);
      const [a, b] = exe.run([x]);
      const [ra, rb] = ref.run([x]);
      expect(Array.from(a!.data).map((v) => v.toFixed(3))).toEqual(Array.from(ra!.data).map((v) => v.toFixed(3)));
      expect(Array.from(b!.data).map((v) => v.toFixed(3))).toEqual(Array.from(rb!.data).map((v) => v.toFixed(3)));
    }
    exe.dispose();
  });
});
