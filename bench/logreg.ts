// Logistic regression by full-batch gradient descent (w <- w - 0.1 grad mean(softplus(Xw) - y Xw),
// from w = 0) at the issue's sizes, through the path users run, interleaved with the peers on the
// same data (X uniform in [-1, 1], y Bernoulli from a fixed w):
//   proxima   the `.opt` program below through run() (backend auto; float64), steps/s from the
//             result's time_ms; compile time (compile_ms) reported apart;
//   stepper   the same step traced with the runtime's ops and run by an Executable stepper on the
//             js backend (the runtime without the solver's host loop), a second column;
//   pytorch   CPU, float32, Debian's python3-torch on OpenBLAS (bench/peers/torch_server.py);
//   jax-js    jit of the whole step (grad inside) on its wasm backend, float32;
//   tfjs      tf.variableGrads + manual update on tfjs-wasm, float32.
// Rounds: each contender runs K steps per round, the contenders one after another, 3 rounds;
// values are medians over rounds. Ratios are Proxima's steps/s over the peer's. Each row's note
// also gives the ratio by CPU time (this process's for the in-process contenders, the peer's own
// for PyTorch), which the load of a shared machine distorts less than the wall clock.
//   npm run bench -- logreg          the five sizes of docs/benchmarks.md
//   PROXIMA_BENCH_SCALING=1 npm run bench -- logreg   adds the N x D scaling table
//   PROXIMA_BENCH_LOGREG_SIZES=1000x10,10000x100 npm run bench -- logreg   only those sizes

import * as tf from '@tensorflow/tfjs';
import { compile, run as runProgram, type CompiledProgram } from '../index.js';
import { trace, grad, ops as P } from '../runtime/index.js';
import type { Tracer } from '../runtime/ir/tracer.js';
import { compile as compileGraph, initBackend } from '../runtime/backends/index.js';
import { clockMs, median, type BenchRow } from './harness.js';
import { jaxReady } from './peers/jax.js';
import { torchNote, torchPeer, writeF64 } from './peers/torch.js';

const LR = 0.1;
const ROUNDS = 3;

export const LOGREG_OPT = (steps: number) => `data { X: real[n, d]; y: real[n] }
var w: real[d]
minimize mean(softplus(X @ w) - y * (X @ w))
solve sgd(lr = ${LR}, steps = ${steps}, tol = 1e-300)
`;

export function logregData(n: number, d: number, seed = 12345) {
  let s = seed >>> 0;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const X = new Float64Array(n * d).map(() => rnd() * 2 - 1);
  const wTrue = Array.from({ length: d }, (_, j) => ((j % 5) - 2) * 0.5);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let j = 0; j < d; j++) z += X[i * d + j]! * wTrue[j]!;
    y[i] = rnd() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { X, y };
}

/** One contender: run K steps, return wall and CPU seconds of those steps (CPU may be null). */
type Contender = (k: number) => Promise<{ wall: number; cpu: number | null }>;

async function proximaOpt(n: number, d: number, X: Float64Array, y: Float64Array) {
  const rows = Array.from({ length: n }, (_, i) => Array.from(X.subarray(i * d, (i + 1) * d)));
  const compiled = new Map<number, CompiledProgram>();
  let compileMs = 0;
  let backend = '';
  const runK: Contender = async (k) => {
    let c = compiled.get(k);
    if (!c) {
      c = await compile({ source: LOGREG_OPT(k), file: 'logreg.opt' }, { data: { X: rows, y: Array.from(y) } });
      compiled.set(k, c);
    }
    const c0 = clockMs('cpu');
    const r = await runProgram(c);
    const cpu = (clockMs('cpu') - c0) / 1000;
    if (r.status === 'error') throw new Error(`logreg.opt: ${JSON.stringify(r.messages)}`);
    compileMs = r.compile_ms ?? compileMs;
    backend = r.backend ?? backend;
    return { wall: r.time_ms! / 1000, cpu };
  };
  return { runK, info: () => ({ compileMs, backend }) };
}

async function stepper(n: number, d: number, X: Float64Array, y: Float64Array): Promise<Contender> {
  const loss = (w: Tracer, Xt: Tracer, yt: Tracer) => {
    const z = P.matmul(Xt, w);
    return P.mean(P.sub(P.softplus(z), P.mul(yt, z)));
  };
  const g = trace(
    (w, Xt, yt) => [P.sub(w!, P.mul(LR, grad(loss)(w!, Xt!, yt!)))],
    [
      [d, 1],
      [n, d],
      [n, 1],
    ],
  );
  const exe = await compileGraph(g, {
    backend: 'js',
    dataInputs: [1, 2],
    data: [
      { data: X, shape: [n, d] },
      { data: y, shape: [n, 1] },
    ],
  });
  return async (k) => {
    const st = exe.stepper([[0, 0]], [new Float64Array(d)]);
    const w0 = performance.now(),
      c0 = clockMs('cpu');
    st.advance(k);
    const out = { wall: (performance.now() - w0) / 1000, cpu: (clockMs('cpu') - c0) / 1000 };
    st.release();
    return out;
  };
}

function tfjsStep(n: number, d: number, X: Float64Array, y: Float64Array): Contender {
  const Xt = tf.tensor2d(Float32Array.from(X), [n, d]);
  const yt = tf.tensor2d(Float32Array.from(y), [n, 1]);
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
  return async (k) => {
    w.assign(tf.zeros([d, 1]));
    const w0 = performance.now(),
      c0 = clockMs('cpu');
    for (let i = 0; i < k; i++) step();
    w.dataSync();
    return { wall: (performance.now() - w0) / 1000, cpu: (clockMs('cpu') - c0) / 1000 };
  };
}

async function jaxStep(n: number, d: number, X: Float64Array, y: Float64Array): Promise<Contender | null> {
  const jax = await jaxReady();
  if (!jax) return null;
  const { numpy: np, nn, jit, grad: jgrad } = jax;
  const Xj = np.array(Float32Array.from(X)).reshape([n, d]);
  const yj = np.array(Float32Array.from(y)).reshape([n, 1]);
  const loss = (w: any, Xa: any, ya: any) => {
    const z = np.matmul(Xa, w);
    return np.mean(nn.softplus(z.ref).sub(ya.mul(z)));
  };
  const step = jit((w: any, Xa: any, ya: any) => w.ref.sub(jgrad(loss)(w, Xa, ya).mul(LR)));
  return async (k) => {
    let w: any = np.zeros([d, 1]);
    const w0 = performance.now(),
      c0 = clockMs('cpu');
    for (let i = 0; i < k; i++) w = step(w, Xj.ref, yj.ref);
    w.ref.dataSync();
    return { wall: (performance.now() - w0) / 1000, cpu: (clockMs('cpu') - c0) / 1000 };
  };
}

/** Steps per round: about 0.3 s of PyTorch-speed work, at least 20. */
const stepsFor = (n: number, d: number) => Math.max(20, Math.min(2000, Math.round(3e8 / (n * (d + 20)))));

export async function logregRows(sizes: readonly (readonly [number, number])[], peers = true): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const torch = peers ? await torchPeer() : null;
  if (peers) {
    await initBackend('wasm'); // registers tfjs's wasm backend
    await tf.setBackend('wasm');
  }
  for (const [n, d] of sizes) {
    const { X, y } = logregData(n, d);
    const k = stepsFor(n, d);
    const ours = await proximaOpt(n, d, X, y);
    const contenders: Record<string, Contender> = { proxima: ours.runK, stepper: await stepper(n, d, X, y) };
    if (torch) {
      const fx = writeF64(`X_${n}_${d}`, X),
        fy = writeF64(`y_${n}_${d}`, y);
      contenders['pytorch'] = async (kk) => {
        const r = await torch.call<{ seconds: number; cpu: number }>({
          op: 'logreg',
          X: fx,
          y: fy,
          n,
          d,
          steps: kk,
          lr: LR,
        });
        return { wall: r.seconds, cpu: r.cpu };
      };
    }
    if (peers) {
      const jx = await jaxStep(n, d, X, y);
      if (jx) contenders['jax-js'] = jx;
      contenders['tfjs'] = tfjsStep(n, d, X, y);
    }
    await ours.runK(Math.min(k, 50)); // compile and warm up once
    const wall: Record<string, number[]> = {},
      cpu: Record<string, number[]> = {};
    for (const [name, c] of Object.entries(contenders)) await c(Math.min(k, 20)); // warm-up
    for (let r = 0; r < ROUNDS; r++)
      for (const [name, c] of Object.entries(contenders)) {
        const t = await c(k);
        (wall[name] ??= []).push(k / t.wall);
        if (t.cpu !== null) (cpu[name] ??= []).push(k / t.cpu);
      }
    const sps = (name: string) => median(wall[name]!);
    const cps = (name: string) => (cpu[name]?.length ? median(cpu[name]!) : NaN);
    const label = `logreg N=${n} D=${d}`;
    const info = ours.info();
    rows.push({
      name: `${label} proxima .opt`,
      unit: 'steps/s',
      value: sps('proxima'),
      note: `backend ${info.backend}, compile ${info.compileMs.toFixed(0)} ms, ${k} steps/round`,
    });
    for (const name of Object.keys(contenders).filter((c) => c !== 'proxima'))
      rows.push({
        name: `${label} ${name}`,
        unit: 'steps/s',
        value: sps(name),
        peer: name,
        ratio: sps('proxima') / sps(name),
        note: `by CPU time x${(cps('proxima') / cps(name)).toFixed(2)}${name === 'pytorch' && torch ? `; ${torchNote(torch.info)}` : ''}`,
      });
  }
  return rows;
}

export const SIZES = [
  [1000, 10],
  [10000, 10],
  [100000, 10],
  [10000, 100],
] as const;

/** `PROXIMA_BENCH_LOGREG_SIZES=1000x10,10000x100`: only these sizes (a rerun of the targets' rows). */
function sizesFromEnv(): (readonly [number, number])[] | null {
  const v = process.env.PROXIMA_BENCH_LOGREG_SIZES;
  if (!v) return null;
  return v.split(',').map((t) => {
    const [n, d] = t.split('x').map(Number);
    if (!(n! > 0 && d! > 0)) throw new Error(`PROXIMA_BENCH_LOGREG_SIZES: bad size ${t} (want NxD)`);
    return [n!, d!] as const;
  });
}

export async function run(): Promise<BenchRow[]> {
  const rows = await logregRows(sizesFromEnv() ?? SIZES);
  if (process.env.PROXIMA_BENCH_SCALING === '1') {
    const grid: [number, number][] = [];
    for (const n of [1000, 10000, 100000]) for (const d of [10, 100, 1000]) if (n * d <= 2e7) grid.push([n, d]);
    rows.push(...(await logregRows(grid)).map((r) => ({ ...r, name: `scaling ${r.name}` })));
  }
  return rows;
}
