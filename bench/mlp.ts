// MLP 784-256-10 (tanh, softmax cross-entropy), batch 128, full-batch SGD steps (lr 0.1), on
// the same data, interleaved in rounds:
//   proxima   the `.opt` program below through run() (backend auto), steps/s from time_ms;
//   stepper   the same step traced with the runtime's ops on an Executable stepper: js
//             (float64) and tfjs-wasm (float32), second columns;
//   tfjs      hand-written tf.variableGrads + manual updates on tfjs-wasm (float32);
//   pytorch   CPU, float32, OpenBLAS (bench/peers/torch_server.py).
// tanh rather than relu because `.opt` refuses relu under a smooth solver (it is not
// differentiable everywhere); every contender runs the same network.

import * as tf from '@tensorflow/tfjs';
import { compile, run as runProgram, type CompiledProgram } from '../index.js';
import { trace, grads, ops as P } from '../runtime/index.js';
import type { Tracer } from '../runtime/ir/tracer.js';
import { compile as compileGraph, initBackend } from '../runtime/backends/index.js';
import { clockMs, median, type BenchRow } from './harness.js';
import { torchNote, torchPeer } from './peers/torch.js';

const B = 128,
  IN = 784,
  H = 256,
  OUT = 10,
  LR = 0.1,
  ROUNDS = 3,
  STEPS = 10;

const MLP_OPT = (steps: number) => `data { X: real[b, p]; Y: real[b, k] }
var W1: real[p, ${H}]
var b1: real[${H}]
var W2: real[${H}, k]
var b2: real[k]
minimize -mean(sum(Y * log_softmax(tanh(X @ W1 + b1) @ W2 + b2, axis = 1), axis = 1))
solve sgd(lr = ${LR}, steps = ${steps}, tol = 1e-300)
`;

function init() {
  let s = 777;
  const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const normal = (n: number, scale: number) => new Float64Array(n).map(() => (rnd() + rnd() + rnd() - 1.5) * scale);
  const X = normal(B * IN, 1);
  const Y = new Float64Array(B * OUT);
  for (let i = 0; i < B; i++) Y[i * OUT + Math.floor(rnd() * OUT)] = 1;
  return {
    X,
    Y,
    W1: normal(IN * H, 0.05),
    b1: new Float64Array(H),
    W2: normal(H * OUT, 0.05),
    b2: new Float64Array(OUT),
  };
}
type Data = ReturnType<typeof init>;

const loss = (W1: Tracer, b1: Tracer, W2: Tracer, b2: Tracer, X: Tracer, Y: Tracer) => {
  const h = P.tanh(P.add(P.matmul(X, W1), b1));
  const logits = P.add(P.matmul(h, W2), b2);
  return P.neg(P.mean(P.sum(P.mul(Y, P.logSoftmax(logits, 1)), 1)));
};

type Contender = (k: number) => Promise<{ wall: number; cpu: number }>;
const timed = async (f: () => unknown): Promise<{ wall: number; cpu: number }> => {
  const w0 = performance.now(),
    c0 = clockMs('cpu');
  await f();
  return { wall: (performance.now() - w0) / 1000, cpu: (clockMs('cpu') - c0) / 1000 };
};

async function stepper(d: Data, backend: 'js' | 'wasm'): Promise<Contender> {
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
    [[IN, H], [H], [H, OUT], [OUT], [B, IN], [B, OUT]].map((shape) => ({ shape })),
  );
  const exe = await compileGraph(g, {
    backend,
    dataInputs: [4, 5],
    data: [
      { data: d.X, shape: [B, IN] },
      { data: d.Y, shape: [B, OUT] },
    ],
  });
  const st = exe.stepper(
    [
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ],
    [d.W1, d.b1, d.W2, d.b2],
  );
  return (k) => timed(() => (st.advance(k), st.read()));
}

function handTfjs(d: Data): Contender {
  const f32 = (a: Float64Array) => Float32Array.from(a);
  const X = tf.tensor2d(f32(d.X), [B, IN]),
    Y = tf.tensor2d(f32(d.Y), [B, OUT]);
  const vars = [
    tf.variable(tf.tensor2d(f32(d.W1), [IN, H])),
    tf.variable(tf.tensor1d(f32(d.b1))),
    tf.variable(tf.tensor2d(f32(d.W2), [H, OUT])),
    tf.variable(tf.tensor1d(f32(d.b2))),
  ] as const;
  const lr = tf.scalar(LR);
  const step = () =>
    tf.tidy(() => {
      const { grads: g } = tf.variableGrads(() => {
        const h = tf.tanh(tf.add(tf.matMul(X, vars[0]), vars[1]));
        const logits = tf.add(tf.matMul(h, vars[2]), vars[3]);
        return tf.neg(tf.mean(tf.sum(tf.mul(Y, tf.logSoftmax(logits)), 1))) as tf.Scalar;
      }, [...vars]);
      for (const v of vars) v.assign(tf.sub(v, tf.mul(lr, g[v.name]!)));
    });
  return (k) =>
    timed(() => {
      for (let i = 0; i < k; i++) step();
      vars[0].dataSync();
    });
}

async function proximaOpt(d: Data) {
  const rows = (a: Float64Array, n: number, m: number) =>
    Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * m, (i + 1) * m)));
  const data = { X: rows(d.X, B, IN), Y: rows(d.Y, B, OUT) };
  const compiled = new Map<number, CompiledProgram>();
  const info = { compileMs: 0, backend: '' };
  const runK: Contender = async (k) => {
    let c = compiled.get(k);
    if (!c) compiled.set(k, (c = await compile({ source: MLP_OPT(k), file: 'mlp.opt' }, { data })));
    const c0 = clockMs('cpu');
    const r = await runProgram(c);
    if (r.status === 'error') throw new Error(`mlp.opt: ${JSON.stringify(r.messages)}`);
    info.compileMs = r.compile_ms ?? 0;
    info.backend = r.backend ?? '';
    return { wall: r.time_ms! / 1000, cpu: (clockMs('cpu') - c0) / 1000 };
  };
  return { runK, info };
}

export async function run(): Promise<BenchRow[]> {
  const d = init();
  await initBackend('wasm');
  await tf.setBackend('wasm');
  const ours = await proximaOpt(d);
  const contenders: Record<string, Contender> = {
    proxima: ours.runK,
    'stepper js': await stepper(d, 'js'),
    'stepper wasm': await stepper(d, 'wasm'),
    tfjs: handTfjs(d),
  };
  const torch = await torchPeer();
  if (torch)
    contenders['pytorch'] = async (k) => {
      const r = await torch.call<{ seconds: number; cpu: number }>({ op: 'mlp', b: B, steps: k });
      return { wall: r.seconds, cpu: r.cpu };
    };
  for (const c of Object.values(contenders)) await c(2);
  const wall: Record<string, number[]> = {},
    cpu: Record<string, number[]> = {};
  for (let r = 0; r < ROUNDS; r++)
    for (const [name, c] of Object.entries(contenders)) {
      const t = await c(STEPS);
      (wall[name] ??= []).push(STEPS / t.wall);
      (cpu[name] ??= []).push(STEPS / t.cpu);
    }
  const sps = (n: string) => median(wall[n]!);
  const cps = (n: string) => median(cpu[n]!);
  const label = 'mlp 784-256-10 b128';
  return [
    {
      name: `${label} proxima .opt`,
      unit: 'steps/s',
      value: sps('proxima'),
      note: `backend ${ours.info.backend}, compile ${ours.info.compileMs.toFixed(0)} ms`,
    },
    ...Object.keys(contenders)
      .filter((n) => n !== 'proxima')
      .map((n) => ({
        name: `${label} ${n}`,
        unit: 'steps/s',
        value: sps(n),
        peer: n,
        ratio: sps('proxima') / sps(n),
        note: `by CPU time x${(cps('proxima') / cps(n)).toFixed(2)}${n === 'pytorch' && torch ? `; ${torchNote(torch.info)}` : ''}`,
      })),
  ];
}
