// Compile latency: from a traced function to its first gradient value. Proxima: trace the loss,
// differentiate (our autodiff), simplify, plan and compile for tfjs-wasm, run once. jax-js:
// jit(grad(f)) and its first call (trace + compile + run). Each repetition builds fresh
// functions, so no cache of either system is reused; modules and wasm are loaded beforehand.
// The `.opt` row (issue #17's compile-to-first-step): the logistic-regression program of
// bench/logreg.ts with `steps = 1`, compile() of its source with the data (nested arrays, as from
// JSON) and run() (the solver's start: f and its gradient at 0, then one fused step), on `auto`
// (js); against jax-js's first call of jit(step), the step w - 0.1 grad(loss)(w) as in
// bench/logreg.ts, interleaved. Times are wall clock (load-sensitive) and CPU.

import { trace, grad, ops as P } from '../runtime/index.js';
import type { Tracer } from '../runtime/ir/tracer.js';
import { compile, initBackend } from '../runtime/backends/index.js';
import { clockMs, median, type BenchRow } from './harness.js';
import { jaxReady } from './peers/jax.js';
import { compile as compileProgram, run as runProgram } from '../index.js';
import { LOGREG_OPT, logregData } from './logreg.js';

const N = 1000,
  D = 10,
  REPS = 7;

export async function run(): Promise<BenchRow[]> {
  await initBackend('wasm');
  const X = new Float32Array(N * D).map((_, i) => Math.sin(i));
  const y = new Float32Array(N).map((_, i) => i % 2);
  const jax = await jaxReady();
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < REPS + 1; r++) {
    const t0 = performance.now();
    const loss = (w: Tracer, Xt: Tracer, yt: Tracer) => {
      const z = P.matmul(Xt, w);
      return P.mean(P.sub(P.softplus(z), P.mul(yt, z)));
    };
    const g = trace(
      (w, Xt, yt) => [grad(loss)(w!, Xt!, yt!)],
      [{ shape: [D, 1] }, { shape: [N, D] }, { shape: [N, 1] }],
      'float32',
    );
    const exe = await compile(g, { backend: 'wasm' });
    exe.run([new Float32Array(D), { data: X, shape: [N, D] }, { data: y, shape: [N, 1] }]);
    const t1 = performance.now();
    exe.dispose();
    if (r > 0) ours.push((t1 - t0) / 1000);
    if (jax) {
      const { numpy: np, nn, jit, grad: jgrad } = jax;
      const Xj = np.array(X).reshape([N, D]);
      const yj = np.array(y).reshape([N, 1]);
      const s0 = performance.now();
      const jloss = (w: any, Xa: any, ya: any) => {
        const z = np.matmul(Xa, w);
        return np.mean(nn.softplus(z.ref).sub(ya.mul(z)));
      };
      const gfn = jit(jgrad(jloss));
      const gw = gfn(np.zeros([D, 1]), Xj, yj);
      gw.dataSync();
      if (r > 0) theirs.push((performance.now() - s0) / 1000);
    }
  }
  const rows: BenchRow[] = [
    { name: 'compile-to-first-gradient proxima(wasm)', unit: 'ms', value: median(ours) * 1000 },
    ...(await optFirstStep(jax)),
  ];
  if (jax)
    rows.push({
      name: 'compile-to-first-gradient jax-js(wasm)',
      unit: 'ms',
      value: median(theirs) * 1000,
      peer: 'jax-js',
      ratio: median(theirs) / median(ours),
    });
  return rows;
}

/** compile() + run() of the `.opt` program with one step, against jax-js's first jit(step) call. */
async function optFirstStep(jax: any): Promise<BenchRow[]> {
  const { X, y } = logregData(N, D);
  const rows = Array.from({ length: N }, (_, i) => Array.from(X.subarray(i * D, (i + 1) * D)));
  const data = { X: rows, y: Array.from(y) };
  const t: Record<'opt' | 'jax', number[]> = { opt: [], jax: [] };
  const c: Record<'opt' | 'jax', number[]> = { opt: [], jax: [] };
  const fields: number[] = [];
  let backend = '';
  for (let r = 0; r < REPS + 1; r++) {
    const w0 = performance.now(),
      c0 = clockMs('cpu');
    const prog = await compileProgram({ source: LOGREG_OPT(1), file: 'logreg.opt' }, { data });
    const res = await runProgram(prog);
    const w1 = performance.now(),
      c1 = clockMs('cpu');
    if (res.status === 'error') throw new Error(JSON.stringify(res.messages));
    backend = res.backend ?? '';
    if (r > 0) {
      t.opt.push(w1 - w0);
      c.opt.push(c1 - c0);
      fields.push(res.compile_ms! + res.time_ms!);
    }
    if (!jax) continue;
    const { numpy: np, nn, jit, grad: jgrad } = jax;
    const s0 = performance.now(),
      d0 = clockMs('cpu');
    const Xj = np.array(Float32Array.from(X)).reshape([N, D]);
    const yj = np.array(Float32Array.from(y)).reshape([N, 1]);
    const loss = (w: any, Xa: any, ya: any) => {
      const z = np.matmul(Xa, w);
      return np.mean(nn.softplus(z.ref).sub(ya.mul(z)));
    };
    const step = jit((w: any, Xa: any, ya: any) => w.ref.sub(jgrad(loss)(w, Xa, ya).mul(0.1)));
    step(np.zeros([D, 1]), Xj, yj).dataSync();
    if (r > 0) {
      t.jax.push(performance.now() - s0);
      c.jax.push(clockMs('cpu') - d0);
    }
  }
  const out: BenchRow[] = [
    {
      name: 'compile-to-first-step proxima .opt',
      unit: 'ms',
      value: median(t.opt),
      note: `backend ${backend}; CPU ${median(c.opt).toFixed(0)} ms; compile_ms + time_ms ${median(fields).toFixed(0)} ms`,
    },
  ];
  if (jax)
    out.push({
      name: 'compile-to-first-step jax-js jit(step)',
      unit: 'ms',
      value: median(t.jax),
      peer: 'jax-js',
      ratio: median(t.jax) / median(t.opt),
      note: `CPU ${median(c.jax).toFixed(0)} ms; by CPU x${(median(c.jax) / median(c.opt)).toFixed(2)}`,
    });
  return out;
}
