// The browser half of bench/gpu.ts, run in a Web Worker of a Chromium page: matmul throughput
// (a chain of products kept on the device, one scalar read back per timed call), an MLP SGD step
// (parameters kept on the device by a stepper) and a VI step (a `.opt` program through run()),
// each on a named backend. Timings are medians of repeated calls after a warm-up.

import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { compile, initBackend, type BackendName } from '../runtime/backends/index.js';
import { trace, grads, ops as P } from '../runtime/index.js';
import type { Tracer } from '../runtime/ir/tracer.js';
import { run } from '../index.js';
import { serveCalls } from '../tests/browser/worker_calls.js';

const CHAIN = 8;

// tfjs-wasm's binaries sit beside this bundle (tests/browser/browser_support.ts copies them).
setWasmPaths(new URL('./', import.meta.url).href);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Seconds per call of `f`: one warm-up, then the median of `reps`, each at least ~0.2 s long. */
async function time(f: () => unknown, reps = 5): Promise<number> {
  f();
  let inner = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) f();
    const dt = (performance.now() - t0) / 1000;
    if (dt > 0.2 || inner >= 64) break;
    inner *= 2;
  }
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) f();
    ts.push((performance.now() - t0) / 1000 / inner);
  }
  return median(ts);
}

async function init(backend: BackendName): Promise<string | null> {
  try {
    await initBackend(backend);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

async function adapter(): Promise<string | null> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  const a = await gpu?.requestAdapter({ powerPreference: 'high-performance' });
  if (!a) return null;
  // `info` is newer than the @webgpu/types pinned here.
  const i = (a as GPUAdapter & { info: Record<string, string> }).info;
  return [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'unknown adapter';
}

/** GFLOP/s of n x n matrix products: CHAIN products per call, the iterate kept on the device. */
async function matmul(backend: BackendName, n: number): Promise<number> {
  const r = rng(n);
  const scale = Math.sqrt(3 / n);
  const A = new Float32Array(n * n).map(() => (2 * r() - 1) * scale);
  const B = new Float32Array(n * n).map(() => (2 * r() - 1) * scale);
  const g = trace(
    (X, M) => {
      let x: Tracer = X!;
      for (let k = 0; k < CHAIN; k++) x = P.matmul(x, M!);
      return [x, P.sum(x)];
    },
    [{ shape: [n, n] }, { shape: [n, n] }],
    'float32',
  );
  const exe = await compile(g, { backend, dataInputs: [1], data: [{ data: B, shape: [n, n] }] });
  const st = exe.stepper([[0, 0]], [{ data: A, shape: [n, n] }]);
  const s = await time(() => st.step(), 3);
  st.release();
  exe.dispose();
  return (CHAIN * 2 * n ** 3) / s / 1e9;
}

/** Elementwise work per second (elements x ops / s) of a chain of 24 elementwise ops on n
 * elements, with the chain fused into one generated shader or left to tfjs op by op. */
async function elementwise(backend: BackendName, n: number, fuse: boolean): Promise<number> {
  const OPS = 24;
  const r = rng(n + 1);
  const g = trace(
    (X) => {
      let x: Tracer = X!;
      for (let k = 0; k < OPS / 4; k++) x = P.tanh(P.add(P.mul(P.sin(x), 0.9), P.exp(P.neg(P.square(x)))));
      return [x, P.sum(x)];
    },
    [{ shape: [n] }],
    'float32',
  );
  const exe = await compile(g, { backend, fuse });
  const st = exe.stepper([[0, 0]], [{ data: new Float32Array(n).map(() => 2 * r() - 1), shape: [n] }]);
  const s = await time(() => st.step(), 3);
  st.release();
  exe.dispose();
  return (n * (OPS + 1)) / s / 1e9;
}

/** SGD steps per second of an MLP 784-256-10, batch 128 (as bench/mlp.ts). */
async function mlp(backend: BackendName): Promise<number> {
  const [Bn, IN, H, OUT] = [128, 784, 256, 10];
  const r = rng(777);
  const normal = (k: number, sc: number) => new Float32Array(k).map(() => (r() + r() + r() - 1.5) * sc);
  const Y = new Float32Array(Bn * OUT);
  for (let i = 0; i < Bn; i++) Y[i * OUT + Math.floor(r() * OUT)] = 1;
  const loss = (W1: Tracer, b1: Tracer, W2: Tracer, b2: Tracer, X: Tracer, Yt: Tracer) => {
    const h = P.relu(P.add(P.matmul(X, W1), b1));
    const logits = P.add(P.matmul(h, W2), b2);
    return P.neg(P.mean(P.sum(P.mul(Yt, P.logSoftmax(logits, 1)), 1)));
  };
  const shapes = [[IN, H], [H], [H, OUT], [OUT], [Bn, IN], [Bn, OUT]];
  const g = trace(
    (W1, b1, W2, b2, X, Yt) => {
      const gs = grads((w1: Tracer, c1: Tracer, w2: Tracer, c2: Tracer) => loss(w1, c1, w2, c2, X!, Yt!))(
        W1!,
        b1!,
        W2!,
        b2!,
      );
      const ps = [W1!, b1!, W2!, b2!].map((p, i) => P.sub(p, P.mul(0.1, gs[i]!)));
      return [...ps, P.sum(ps[3]!)];
    },
    shapes.map((shape) => ({ shape })),
    'float32',
  );
  const exe = await compile(g, {
    backend,
    dataInputs: [4, 5],
    data: [
      { data: normal(Bn * IN, 1), shape: [Bn, IN] },
      { data: Y, shape: [Bn, OUT] },
    ],
  });
  const st = exe.stepper(
    [
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ],
    [normal(IN * H, 0.05), new Float32Array(H), normal(H * OUT, 0.05), new Float32Array(OUT)],
  );
  // Ten steps per timed call, the last one reading back a scalar (the device is synchronized).
  const s = await time(() => {
    st.advance(9);
    st.step();
  });
  st.release();
  exe.dispose();
  return 10 / s;
}

/** VI steps per second: Bayesian logistic regression (N rows, D features) through run(). */
async function vi(backend: BackendName, N: number, D: number, steps: number): Promise<number> {
  const r = rng(20240607);
  const X = Array.from({ length: N }, () => Array.from({ length: D }, () => 2 * r() - 1));
  const y = X.map((x) => (r() < 1 / (1 + Math.exp(-x.reduce((a, v, j) => a + v * Math.sin(j + 1), 0))) ? 1 : 0));
  const source = `data { N: int; D: int; X: real[N, D]; y: int[N] }
param w: real[D]
model {
  w ~ Normal(0, 1)
  y ~ Bernoulli(logits = X @ w)
}
infer vi(guide = mean_field, samples = 1, steps = ${steps}, tol = 0, optimizer = adam(lr = 0.05))
`;
  const times: number[] = [];
  await run(
    { source, file: '/bench_vi.opt' },
    { backend, data: { N, D, X, y }, draws: 100, onProgress: () => times.push(performance.now()) },
  );
  return (times.length - 1) / ((times[times.length - 1]! - times[0]!) / 1000);
}

serveCalls({ init, adapter, matmul, elementwise, mlp, vi });
