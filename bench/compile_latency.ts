// Compile latency: from a traced function to its first gradient value. Proxima: trace the loss,
// differentiate (our autodiff), simplify, plan and compile for tfjs-wasm, run once. jax-js:
// jit(grad(f)) and its first call (trace + compile + run). Each repetition builds fresh
// functions, so no cache of either system is reused; modules and wasm are loaded beforehand.

import { trace, grad, ops as P } from '../runtime/index.js';
import type { Tracer } from '../runtime/ir/tracer.js';
import { compile, initBackend } from '../runtime/backends/index.js';
import { median, type BenchRow } from './harness.js';
import { jaxReady } from './peers/jax.js';

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
