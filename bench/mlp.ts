// MLP 784-256-10 (relu, softmax cross-entropy), batch 128, one SGD training step. Proxima (loss
// traced with our ops, gradient by our autodiff, compiled plan on tfjs-wasm, the batch bound as
// data, the four parameters kept on the device by a stepper) vs hand-written tfjs
// (tf.variableGrads + manual updates) on the same backend; PyTorch CPU recorded when present.

import * as tf from '@tensorflow/tfjs';
import { trace, grads, ops as P } from '../runtime/index.js';
import type { Tracer } from '../runtime/ir/tracer.js';
import { compile } from '../runtime/backends/index.js';
import { calibrate, timeInterleaved, type BenchRow } from './harness.js';
import { runTorch } from './peers/torch.js';

const B = 128,
  IN = 784,
  H = 256,
  OUT = 10,
  LR = 0.1;

function init() {
  let s = 777;
  const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const normal = (n: number, scale: number) => new Float32Array(n).map(() => (rnd() + rnd() + rnd() - 1.5) * scale);
  const X = normal(B * IN, 1);
  const Y = new Float32Array(B * OUT);
  for (let i = 0; i < B; i++) Y[i * OUT + Math.floor(rnd() * OUT)] = 1;
  return {
    X,
    Y,
    W1: normal(IN * H, 0.05),
    b1: new Float32Array(H),
    W2: normal(H * OUT, 0.05),
    b2: new Float32Array(OUT),
  };
}

const loss = (W1: Tracer, b1: Tracer, W2: Tracer, b2: Tracer, X: Tracer, Y: Tracer) => {
  const h = P.relu(P.add(P.matmul(X, W1), b1));
  const logits = P.add(P.matmul(h, W2), b2);
  return P.neg(P.mean(P.sum(P.mul(Y, P.logSoftmax(logits, 1)), 1)));
};

async function proxima(d: ReturnType<typeof init>) {
  const shapes = [[IN, H], [H], [H, OUT], [OUT], [B, IN], [B, OUT]];
  const g = trace(
    (W1, b1, W2, b2, X, Y) => {
      const gs = grads((w1: Tracer, c1: Tracer, w2: Tracer, c2: Tracer) => loss(w1, c1, w2, c2, X!, Y!))(
        W1!,
        b1!,
        W2!,
        b2!,
      );
      return [W1!, b1!, W2!, b2!].map((p, i) => P.sub(p, P.mul(LR, gs[i]!)));
    },
    shapes.map((shape) => ({ shape })),
    'float32',
  );
  const exe = await compile(g, {
    backend: 'wasm',
    dataInputs: [4, 5],
    data: [
      { data: d.X, shape: [B, IN] },
      { data: d.Y, shape: [B, OUT] },
    ],
  });
  return exe.stepper(
    [
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ],
    [d.W1, d.b1, d.W2, d.b2],
  );
}

function handTfjs(d: ReturnType<typeof init>) {
  const X = tf.tensor2d(d.X, [B, IN]),
    Y = tf.tensor2d(d.Y, [B, OUT]);
  const W1 = tf.variable(tf.tensor2d(d.W1, [IN, H])),
    b1 = tf.variable(tf.tensor1d(d.b1));
  const W2 = tf.variable(tf.tensor2d(d.W2, [H, OUT])),
    b2 = tf.variable(tf.tensor1d(d.b2));
  const lr = tf.scalar(LR);
  const vars = [W1, b1, W2, b2];
  const step = () =>
    tf.tidy(() => {
      const { grads: g } = tf.variableGrads(() => {
        const h = tf.relu(tf.add(tf.matMul(X, W1), b1));
        const logits = tf.add(tf.matMul(h, W2), b2);
        return tf.neg(tf.mean(tf.sum(tf.mul(Y, tf.logSoftmax(logits)), 1))) as tf.Scalar;
      }, vars);
      for (const v of vars) v.assign(tf.sub(v, tf.mul(lr, g[v.name]!)));
    });
  return { step, dispose: () => tf.dispose([X, Y, lr, ...vars]) };
}

export async function run(): Promise<BenchRow[]> {
  const d = init();
  const ours = await proxima(d);
  await tf.setBackend('wasm');
  const hand = handTfjs(d);
  const inner = await calibrate(hand.step, 0.2);
  const t = await timeInterleaved({ proxima: () => ours.advance(1), tfjs: hand.step }, { reps: 7, inner, warmup: 1 });
  const rows: BenchRow[] = [
    { name: 'mlp 784-256-10 b128 proxima(wasm)', unit: 'steps/s', value: 1 / t['proxima']! },
    {
      name: 'mlp 784-256-10 b128 tfjs(wasm)',
      unit: 'steps/s',
      value: 1 / t['tfjs']!,
      peer: 'tfjs',
      ratio: t['tfjs']! / t['proxima']!,
    },
  ];
  const pt = runTorch(['mlp', String(B), '7']);
  if (pt)
    rows.push({
      name: 'mlp 784-256-10 b128 pytorch(cpu)',
      unit: 'steps/s',
      value: pt.steps_per_s,
      peer: 'pytorch',
      ratio: 1 / t['proxima']! / pt.steps_per_s,
      note: `torch ${pt.version}, ${pt.threads} thread(s)`,
    });
  ours.release();
  hand.dispose();
  return rows;
}
