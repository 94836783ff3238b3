// Execution plans: liveness (each intermediate freed once, after its last use; inputs and
// outputs never freed), output aliasing, the per-signature plan cache, hoisting of data-only
// equations (once per binding, counted) and constants computed once per plan.

import { describe, it, expect, beforeAll } from 'vitest';
import { trace, grad, ops as P } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/ir/tracer.js';
import { buildPlan } from '../../runtime/plan/plan.js';
import { compile, initBackend, jit, tfModule } from '../../runtime/backends/index.js';
import { expectAgree } from './tfjs_support.js';

beforeAll(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
}, 60_000);

const f64 = (...xs: number[]) => Float64Array.from(xs);

describe('liveness', () => {
  it('frees every intermediate exactly once, after its last use, and never inputs or outputs', () => {
    const g = trace(
      (x, y) => {
        const a = P.exp(x!);
        const b = P.mul(a, y!);
        const c = P.sin(b);
        return [P.add(c, a), b];
      },
      [[4], [4]],
    );
    const plan = buildPlan(g);
    const steps = plan.stages[2].steps;
    const freedAt = new Map<number, number>();
    steps.forEach((s, k) =>
      s.free.forEach((slot) => {
        expect(freedAt.has(slot)).toBe(false);
        freedAt.set(slot, k);
      }),
    );
    const outSlots = new Set(plan.outputs.map((o) => o.slot));
    for (const s of plan.inputSlots) expect(freedAt.has(s)).toBe(false);
    for (const s of outSlots) expect(freedAt.has(s)).toBe(false);
    steps.forEach((s, k) => {
      for (const o of s.outs)
        if (!outSlots.has(o)) {
          expect(freedAt.get(o)).toBeGreaterThanOrEqual(k);
          const lastUse = Math.max(k, ...steps.map((t, j) => (t.ins.includes(o) ? j : -1)));
          expect(freedAt.get(o)).toBe(lastUse);
        }
    });
  });

  it('drops dead equations', () => {
    const g = trace(
      (x) => {
        P.exp(P.sin(x!)); // unused
        return P.cos(x!);
      },
      [[3]],
    );
    expect(buildPlan(g).stages[2].steps.map((s) => s.eqn.prim)).toEqual(['cos']);
  });
});

describe('outputs that alias inputs, constants or each other', () => {
  for (const backend of ['ref', 'cpu', 'wasm'] as const) {
    it(`hands out independent values on ${backend}`, async () => {
      const g = trace(
        (x) => {
          const y = P.mul(x!, 2);
          return [x!, y, y, P.constant([7, 8])];
        },
        [[2]],
      );
      const exe = await compile(g, { backend, simplify: false });
      const tf = tfModule()!;
      const before = tf.memory().numTensors;
      const x = f64(1, 2);
      const outs = exe.run([x]);
      expect(outs.map((o) => Array.from(o.data))).toEqual([
        [1, 2],
        [2, 4],
        [2, 4],
        [7, 8],
      ]);
      outs[0]!.data[0] = 99; // a returned array is the caller's: no effect on anything else
      expect(x[0]).toBe(1);
      expect(Array.from(exe.run([x])[3]!.data)).toEqual([7, 8]);
      const kept = exe.runKeep([x]);
      kept[1]!.release();
      expect(Array.from(kept[2]!.read().data)).toEqual([2, 4]);
      kept.forEach((k) => k.release());
      expect(tf.memory().numTensors).toBe(before);
      exe.dispose();
    });
  }
});

describe('plan cache', () => {
  it('compiles once per input signature', () => {
    const f = jit((x: Tracer) => P.sum(P.square(x)), { backend: 'wasm' });
    expect(f(f64(1, 2, 3))[0]!.data[0]).toBeCloseTo(14, 4);
    expect(f(f64(2, 2, 2))[0]!.data[0]).toBeCloseTo(12, 4);
    expect(f.stats).toEqual({ compiles: 1, cacheHits: 1 });
    f({ data: f64(1, 2, 3, 4), shape: [2, 2] });
    f(Float32Array.from([1, 2, 3])); // a new dtype is a new signature
    expect(f.stats.compiles).toBe(3);
    f({ data: f64(0, 0, 0, 1), shape: [2, 2] });
    expect(f.stats).toEqual({ compiles: 3, cacheHits: 2 });
    f.dispose();
  });
});

describe('hoisting data-only work', () => {
  // loss(w; X, y): the standardization of X and exp(y) depend on data only.
  const loss = (w: Tracer, X: Tracer, y: Tracer) => {
    const Xs = P.div(P.sub(X, P.mean(X, 0, true)), P.add(1, P.sqrt(P.mean(P.square(X), 0, true))));
    const z = P.matmul(Xs, w);
    return P.sum(P.square(P.sub(z, P.exp(y))));
  };
  const g = trace(
    (w, X, y) => [loss(w!, X!, y!), grad(loss)(w!, X!, y!)],
    [
      [3, 1],
      [5, 3],
      [5, 1],
    ],
  );
  const X = Float64Array.from({ length: 15 }, (_, i) => Math.sin(i));
  const y = Float64Array.from({ length: 5 }, (_, i) => Math.cos(i) * 0.5);
  const X2 = X.map((v) => v * 2);

  for (const backend of ['ref', 'cpu', 'wasm'] as const) {
    it(`computes data-only equations once per binding on ${backend}`, async () => {
      const ref = await compile(g, { backend: 'ref' });
      const exe = await compile(g, { backend, dataInputs: [1, 2] });
      expect(exe.stats.dataEqns).toBeGreaterThan(4);
      expect(() => exe.run([f64(0.1, 0.2, 0.3)])).toThrow(/bind/);
      exe.bind([X, y]);
      for (let i = 0; i < 5; i++) {
        const w = f64(0.1 * i, 0.2, -0.3);
        const out = exe.run([w]);
        ref.run([w, X, y]).forEach((r, k) => expectAgree(out[k]!, r, `output ${k}`));
      }
      expect(exe.stats).toMatchObject({ constRuns: 1, dataRuns: 1, stepRuns: 5 });
      exe.bind([X2, y]);
      const w = f64(0.3, 0.2, 0.1);
      const out = exe.run([w]);
      ref.run([w, X2, y]).forEach((r, k) => expectAgree(out[k]!, r, `rebound output ${k}`));
      expect(exe.stats).toMatchObject({ constRuns: 1, dataRuns: 2, stepRuns: 6 });
      exe.dispose();
    });
  }

  it('jit rebinds only when a data argument changes', () => {
    const f = jit((w: Tracer, Xd: Tracer) => P.sum(P.matmul(P.exp(Xd), w)), { backend: 'cpu', dataInputs: [1] });
    const Xd = { data: X, shape: [5, 3] };
    for (let i = 0; i < 4; i++) f({ data: f64(1, i, 0), shape: [3, 1] }, Xd);
    expect(f.last!.stats).toMatchObject({ dataRuns: 1, stepRuns: 4 });
    f({ data: f64(1, 0, 0), shape: [3, 1] }, { data: X2, shape: [5, 3] });
    expect(f.last!.stats).toMatchObject({ dataRuns: 2, stepRuns: 5 });
    f.dispose();
  });

  it('computes constant-only equations once per plan', async () => {
    const g2 = trace((x) => P.add(x!, P.exp(P.sin(P.constant([1, 2, 3])))), [[3]]);
    const exe = await compile(g2, { backend: 'cpu', simplify: false, fuse: false });
    expect(exe.stats.constEqns).toBeGreaterThanOrEqual(3);
    const tf = tfModule()!;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) exe.run([f64(0, 0, 0)]);
    expect(exe.stats).toMatchObject({ constRuns: 1, stepRuns: 10, stepEqns: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(exe.run([f64(0, 0, 0)])[0]!.data[1]).toBeCloseTo(Math.exp(Math.sin(2)), 5);
    exe.dispose();
  });
});

describe('stepper: state kept on the device', () => {
  it('matches repeated runs and leaves no tensors behind', async () => {
    const step = trace(
      (w, x) => [P.sub(w!, P.mul(0.1, grad((v: Tracer) => P.sum(P.square(P.sub(v, x!))))(w!))), P.sum(w!)],
      [[3], [3]],
    );
    const exe = await compile(step, { backend: 'wasm' });
    const ref = await compile(step, { backend: 'ref' });
    const tf = tfModule()!;
    const before = tf.memory().numTensors;
    const x = f64(1, 2, 3);
    const st = exe.stepper([[0, 0]], [f64(0, 0, 0)]);
    let w: Float64Array = f64(0, 0, 0);
    for (let i = 0; i < 5; i++) {
      const [s] = st.step([x]);
      const [w2, s2] = ref.run([w, x]);
      expectAgree(s!, s2!, 'sum');
      w = w2!.data as Float64Array;
    }
    st.advance(3, [x]);
    for (let i = 0; i < 3; i++) w = ref.run([w, x])[0]!.data as Float64Array;
    expectAgree(st.read()[0]!, { data: w, shape: [3] }, 'state');
    st.release();
    expect(tf.memory().numTensors).toBe(before);
    exe.dispose();
  });
});
