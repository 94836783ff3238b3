// Logistic regression, one full-batch gradient step (w <- w - lr * grad), at N=1,000 D=10 and
// N=10,000 D=100. Contenders, all float32 on one thread unless noted:
//   proxima   loss traced with our ops, gradient by our autodiff, compiled plan on tfjs-wasm,
//             X and y bound as data inputs, w kept on the device by a stepper;
//   tfjs      hand-written tf.variableGrads + manual update, same wasm backend;
//   jax-js    jit(step) with grad inside, on its wasm backend;
//   pytorch   CPU, Debian python3-torch (skipped when absent).
// The three JS contenders are timed interleaved; values are steps/s, ratios Proxima / peer.

import * as tf from '@tensorflow/tfjs';
import { trace, grad, ops as P } from '../runtime/index.js';
import { compile } from '../runtime/backends/index.js';
import { calibrate, timeInterleaved, type BenchRow } from './harness.js';
import { jaxReady } from './peers/jax.js';
import { runTorch } from './peers/torch.js';

const LR = 0.1;

function data(n: number, d: number) {
  let s = 12345;
  const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const X = new Float32Array(n * d).map(() => rnd() * 2 - 1);
  const y = new Float32Array(n).map(() => (rnd() < 0.5 ? 1 : 0));
  return { X, y };
}

export async function proximaStep(n: number, d: number, X: Float32Array, y: Float32Array) {
  const loss = (w: P.Tracer, Xt: P.Tracer, yt: P.Tracer) => {
    const z = P.matmul(Xt, w);
    return P.mean(P.sub(P.softplus(z), P.mul(yt, z)));
  };
  const g = trace(
    (w, Xt, yt) => [P.sub(w, P.mul(LR, grad(loss)(w, Xt, yt)))],
    [{ shape: [d, 1] }, { shape: [n, d] }, { shape: [n, 1] }],
    'float32',
  );
  const exe = await compile(g, {
    backend: 'wasm',
    dataInputs: [1, 2],
    data: [
      { data: X, shape: [n, d] },
      { data: y, shape: [n, 1] },
    ],
  });
  return exe.stepper([[0, 0]], [new Float32Array(d)]);
}

function tfjsStep(n: number, d: number, X: Float32Array, y: Float32Array) {
  const Xt = tf.tensor2d(X, [n, d]);
  const yt = tf.tensor2d(y, [n, 1]);
  const w = tf.variable(tf.zeros([d, 1]));
  const lr = tf.scalar(LR);
  const step = () =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        const z = tf.matMul(Xt, w);
        return tf.mean(tf.sub(tf.softplus(z), tf.mul(yt, z))) as tf.Scalar;
      }, [w]);
      w.assign(tf.sub(w, tf.mul(lr, grads[w.name]!)));
    });
  return { step, dispose: () => tf.dispose([Xt, yt, w, lr]) };
}

async function jaxStep(n: number, d: number, X: Float32Array, y: Float32Array) {
  const jax = await jaxReady();
  if (!jax) return null;
  const { numpy: np, nn, jit, grad: jgrad } = jax;
  const Xj = np.array(X).reshape([n, d]);
  const yj = np.array(y).reshape([n, 1]);
  const loss = (w: any, Xa: any, ya: any) => {
    const z = np.matmul(Xa, w);
    return np.mean(nn.softplus(z.ref).sub(ya.mul(z)));
  };
  const step = jit((w: any, Xa: any, ya: any) => w.ref.sub(jgrad(loss)(w, Xa, ya).mul(LR)));
  let w: any = np.zeros([d, 1]);
  return {
    step: () => {
      w = step(w, Xj.ref, yj.ref);
    },
    sync: () => w.ref.dataSync(),
  };
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const [n, d] of [
    [1000, 10],
    [10000, 100],
  ] as const) {
    const { X, y } = data(n, d);
    const ours = await proximaStep(n, d, X, y);
    await tf.setBackend('wasm');
    const hand = tfjsStep(n, d, X, y);
    const jx = await jaxStep(n, d, X, y);
    const fns: Record<string, () => unknown> = { proxima: () => ours.advance(1), tfjs: hand.step };
    if (jx) fns['jax-js'] = jx.step;
    const inner = await calibrate(fns['tfjs']!, 0.2);
    const t = await timeInterleaved(fns, { reps: 7, inner, warmup: 1 });
    jx?.sync();
    const sps = (s: number) => 1 / s;
    const label = `logreg N=${n} D=${d}`;
    rows.push({ name: `${label} proxima(wasm)`, unit: 'steps/s', value: sps(t['proxima']!) });
    rows.push({
      name: `${label} tfjs(wasm)`,
      unit: 'steps/s',
      value: sps(t['tfjs']!),
      peer: 'tfjs',
      ratio: t['tfjs']! / t['proxima']!,
    });
    if (jx)
      rows.push({
        name: `${label} jax-js(wasm)`,
        unit: 'steps/s',
        value: sps(t['jax-js']!),
        peer: 'jax-js',
        ratio: t['jax-js']! / t['proxima']!,
      });
    const pt = runTorch(['logreg', String(n), String(d), '7']);
    if (pt)
      rows.push({
        name: `${label} pytorch(cpu)`,
        unit: 'steps/s',
        value: pt.steps_per_s,
        peer: 'pytorch',
        ratio: sps(t['proxima']!) / pt.steps_per_s,
        note: `torch ${pt.version}, ${pt.threads} thread(s)`,
      });
    ours.release();
    hand.dispose();
  }
  return rows;
}
