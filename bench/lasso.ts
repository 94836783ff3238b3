// Lasso with A of 1000 x 2000 (N(0,1)/sqrt(1000), 10-sparse truth, b = A x + 0.01 noise,
// lambda = 0.1 max|A'b|): FISTA (constant step 1/L, L = ||A||^2 by power iteration, gradient
// restart) time to a 1e-4 relative objective gap in float32, and to 1e-6 on float64.
//   proxima   the FISTA step of stdlib/optim/prox_graph.ts with the norm1 prox of the registry,
//             compiled on tfjs-wasm (A, b bound as data, x, y, t_k kept on the device by a stepper);
//   tfjs      the same algorithm hand-written with tf ops (tf.tidy, state in variables), wasm;
//   pytorch   the same algorithm in torch (CPU, float32), when /usr/bin/python3 has torch;
//   proxima f64  the host FISTA of the driver (backtracking + restart) on ref, to 1e-6;
//   proxima .opt the same problem as a `.opt` program through run() (fista, float64, backend
//             auto, its own backtracking: no Lipschitz constant given), as many iterations as
//             the f64 row; time_ms of the result, compile apart, the gap it reached.
// The gap is measured in float64 against F* from a long float64 run. Iteration counts are found
// first (gap checked every 10 steps), then a clean run of exactly that many steps is timed.

import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { boxMuller, mulberry32, ops as P, trace, valueAndGrad } from '../runtime/index.js';
import { compile } from '../runtime/backends/index.js';
import { proxOf } from '../stdlib/prox/registry.js';
import { fistaStep } from '../stdlib/optim/prox_graph.js';
import { solve } from '../stdlib/index.js';
import { graphObjective } from '../stdlib/optim/graph_objective.js';
import { hostProx } from '../stdlib/prox/host.js';
import { compile as compileProgram, run as runProgram } from '../index.js';

export type BenchRow = { name: string; unit: string; value: number; peer?: string; ratio?: number; note?: string };

const M = 1000,
  N = 2000;

function problem() {
  // mulberry32 shifted by half an ulp of its grid, so that log(u) never sees 0 (exact in float64)
  const base = mulberry32(987654321);
  const u = () => base() + 0.5 / 4294967296;
  const normal = () => boxMuller(u(), u());
  const A = Float64Array.from({ length: M * N }, () => normal() / Math.sqrt(M));
  const xt = new Float64Array(N);
  for (let k = 0; k < 10; k++) xt[Math.floor(u() * N)] = (u() < 0.5 ? -1 : 1) * (1 + u());
  const b = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    let acc = 0;
    for (let j = 0; j < N; j++) acc += A[i * N + j]! * xt[j]!;
    b[i] = acc + 0.01 * normal();
  }
  let lmax = 0;
  const Atb = new Float64Array(N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) Atb[j] += A[i * N + j]! * b[i]!;
  for (const v of Atb) lmax = Math.max(lmax, Math.abs(v));
  // L = ||A||_2^2 by power iteration on A'A.
  let v = new Float64Array(N).fill(1 / Math.sqrt(N));
  let L = 0;
  for (let it = 0; it < 100; it++) {
    const Av = new Float64Array(M);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) Av[i] += A[i * N + j]! * v[j]!;
    const w = new Float64Array(N);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) w[j] += A[i * N + j]! * Av[i]!;
    L = Math.hypot(...w);
    v = w.map((x) => x / L);
  }
  return { A, b, lambda: 0.1 * lmax, L: L * 1.01 };
}

function objective(A: Float64Array, b: Float64Array, lam: number, x: ArrayLike<number>): number {
  let f = 0;
  for (let i = 0; i < M; i++) {
    let r = -b[i]!;
    for (let j = 0; j < N; j++) r += A[i * N + j]! * x[j]!;
    f += 0.5 * r * r;
  }
  for (let j = 0; j < N; j++) f += lam * Math.abs(x[j]!);
  return f;
}

/** Steps until the gap test passes (checked after every step), given a one-step runner. */
function itersToGap(step1: () => Float64Array, gap: (x: Float64Array) => number, target: number, max = 5000): number {
  for (let k = 1; k <= max; k++) if (gap(step1()) <= target) return k;
  return max;
}

/** The lasso solution on the support and signs of x, verified by the KKT conditions. */
function exactOnSupport(A: Float64Array, b: Float64Array, lam: number, x: Float64Array): Float64Array {
  const S = Array.from(x.keys()).filter((j) => x[j] !== 0);
  const k = S.length;
  const G = new Float64Array(k * k),
    r = new Float64Array(k);
  for (let p = 0; p < k; p++) {
    for (let q = 0; q < k; q++) {
      let acc = 0;
      for (let i = 0; i < M; i++) acc += A[i * N + S[p]!]! * A[i * N + S[q]!]!;
      G[p * k + q] = acc;
    }
    let acc = 0;
    for (let i = 0; i < M; i++) acc += A[i * N + S[p]!]! * b[i]!;
    r[p] = acc - lam * Math.sign(x[S[p]!]!);
  }
  // Cholesky solve.
  const Lc = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j <= i; j++) {
      let acc = G[i * k + j]!;
      for (let l = 0; l < j; l++) acc -= Lc[i * k + l]! * Lc[j * k + l]!;
      Lc[i * k + j] = i === j ? Math.sqrt(acc) : acc / Lc[j * k + j]!;
    }
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let acc = r[i]!;
    for (let l = 0; l < i; l++) acc -= Lc[i * k + l]! * y[l]!;
    y[i] = acc / Lc[i * k + i]!;
  }
  const z = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let acc = y[i]!;
    for (let l = i + 1; l < k; l++) acc -= Lc[l * k + i]! * z[l]!;
    z[i] = acc / Lc[i * k + i]!;
  }
  const out = new Float64Array(N);
  S.forEach((j, p) => (out[j] = z[p]!));
  // KKT: signs kept on S, |A_j' r| <= lambda off S.
  const res = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    let acc = -b[i]!;
    for (const j of S) acc += A[i * N + j]! * out[j]!;
    res[i] = acc;
  }
  for (let j = 0; j < N; j++) {
    if (out[j] !== 0) {
      if (Math.sign(out[j]!) !== Math.sign(x[j]!)) throw new Error('lasso reference: the support solve changed a sign');
      continue;
    }
    let acc = 0;
    for (let i = 0; i < M; i++) acc += A[i * N + j]! * res[i]!;
    if (Math.abs(acc) > lam * (1 + 1e-9)) throw new Error('lasso reference: KKT fails off the support');
  }
  return out;
}

const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1]!;

const time = (f: () => void): number => {
  const t0 = performance.now();
  f();
  return (performance.now() - t0) / 1000;
};

export async function run(): Promise<BenchRow[]> {
  const t00 = performance.now();
  const log = (m: string) => console.error(`  [lasso ${((performance.now() - t00) / 1000).toFixed(1)} s] ${m}`);
  const { A, b, lambda, L } = problem();
  log('problem built');
  const A32 = Float32Array.from(A),
    b32 = Float32Array.from(b);
  const t = 1 / L;
  // F* in float64: FISTA (driver, ref) finds the support and signs, then the exact solution on
  // that support, x_S = (A_S'A_S)^{-1}(A_S'b - lambda s), checked by the KKT conditions.
  const smooth = graphObjective(
    (x) => P.mul(0.5, P.sumsq(P.sub(P.matmul(P.constant(A, 'float64', [M, N]), x), P.constant(b, 'float64', [M])))),
    N,
  );
  const ref = solve({ ...smooth, prox: hostProx('norm1', { lambda }, [N]) }, new Float64Array(N), {
    method: 'fista',
    steps: 300,
    tol: 1e-9,
    lipschitz: L,
  });
  const xStar = exactOnSupport(A, b, lambda, ref.x);
  const Fstar = objective(A, b, lambda, xStar);
  log(`F* from the support of ${ref.steps} float64 FISTA iterations: ${Fstar}`);
  const gap = (x: Float64Array) => (objective(A, b, lambda, x) - Fstar) / Fstar;
  const rows: BenchRow[] = [];

  // --- Proxima on tfjs-wasm (float32) ---
  const prox = proxOf('norm1', { lambda });
  const g = trace(
    (x, y, tk, At, bt) => {
      const gradF = (z: P.Tracer) =>
        valueAndGrad((w: P.Tracer) => P.mul(0.5, P.sumsq(P.sub(P.matmul(At, w), bt))))(z)[1][0]!;
      return fistaStep(gradF, prox, t)(x, y, tk);
    },
    [[N], [N], [], [M, N], [M]],
    'float32',
  );
  const exe = await compile(g, {
    backend: 'wasm',
    dataInputs: [3, 4],
    data: [
      { data: A32, shape: [M, N] },
      { data: b32, shape: [M] },
    ],
  });
  const mk = () =>
    exe.stepper(
      [
        [0, 0],
        [1, 1],
        [2, 2],
      ],
      [new Float32Array(N), new Float32Array(N), Float32Array.of(1)],
    );
  let st = mk();
  const pIters = itersToGap(() => (st.advance(1), Float64Array.from(st.read()[0]!.data)), gap, 1e-4);
  st.release();
  const pTimes: number[] = [];
  for (let rep = 0; rep < 7; rep++) {
    st = mk();
    pTimes.push(
      time(() => {
        st.advance(pIters);
        st.read();
      }),
    );
    st.release();
  }
  const pTime = median(pTimes);
  log(`proxima wasm: ${pIters} iterations, ${pTime.toFixed(3)} s`);
  rows.push({
    name: 'lasso 1000x2000 FISTA to 1e-4 gap, f32 wasm',
    unit: 's',
    value: pTime,
    note: `proxima, ${pIters} iterations`,
  });

  // --- hand-written tfjs FISTA, same backend ---
  await tf.setBackend('wasm');
  const At = tf.tensor2d(A32, [M, N]),
    bt = tf.tensor1d(b32);
  const lam = tf.scalar(lambda),
    ts = tf.scalar(t);
  const mkTf = () => ({ x: tf.variable(tf.zeros([N])), y: tf.variable(tf.zeros([N])), tk: tf.variable(tf.scalar(1)) });
  const tfStep = (s: ReturnType<typeof mkTf>) =>
    tf.tidy(() => {
      const r = tf.sub(tf.matMul(At, s.y.reshape([N, 1])).reshape([M]), bt);
      const grad = tf.matMul(At, r.reshape([M, 1]), true, false).reshape([N]);
      const u = tf.sub(s.y, tf.mul(ts, grad));
      const z = tf.mul(tf.sign(u), tf.relu(tf.sub(tf.abs(u), tf.mul(ts, lam))));
      const t1 = tf.div(tf.add(1, tf.sqrt(tf.add(1, tf.mul(4, tf.square(s.tk))))), 2);
      const beta = tf.div(tf.sub(s.tk, 1), t1);
      const yMom = tf.add(z, tf.mul(beta, tf.sub(z, s.x)));
      const bad = tf.greater(tf.sum(tf.mul(tf.sub(s.y, z), tf.sub(z, s.x))), 0);
      s.y.assign(tf.where(bad, z, yMom));
      s.tk.assign(tf.where(bad, tf.onesLike(t1), t1) as tf.Scalar);
      s.x.assign(z);
    });
  let s = mkTf();
  const tIters = itersToGap(
    () => {
      tfStep(s);
      return Float64Array.from(s.x.dataSync());
    },
    gap,
    1e-4,
  );
  tf.dispose([s.x, s.y, s.tk]);
  const tTimes: number[] = [];
  for (let rep = 0; rep < 7; rep++) {
    s = mkTf();
    tTimes.push(
      time(() => {
        for (let i = 0; i < tIters; i++) tfStep(s);
        s.x.dataSync();
      }),
    );
    tf.dispose([s.x, s.y, s.tk]);
  }
  const tTime = median(tTimes);
  tf.dispose([At, bt, lam, ts]);
  log(`tfjs: ${tIters} iterations, ${tTime.toFixed(3)} s`);
  rows.push({
    name: 'lasso 1000x2000 FISTA to 1e-4 gap, f32 wasm',
    unit: 's',
    value: tTime,
    peer: 'tfjs',
    ratio: tTime / pTime,
    note: `hand-written tfjs, ${tIters} iterations; ratio = tfjs time / proxima time`,
  });

  // --- PyTorch (float32, CPU) ---
  const py = `
import json, sys, time, torch
torch.manual_seed(0)
M, N = 1000, 2000
A = torch.randn(M, N, dtype=torch.float64) / M ** 0.5
xt = torch.zeros(N, dtype=torch.float64)
idx = torch.randperm(N)[:10]
xt[idx] = torch.sign(torch.randn(10, dtype=torch.float64)) * (1 + torch.rand(10, dtype=torch.float64))
b = A @ xt + 0.01 * torch.randn(M, dtype=torch.float64)
lam = 0.1 * (A.T @ b).abs().max().item()
L = 1.01 * torch.linalg.matrix_norm(A, 2).item() ** 2
def F(x): return 0.5 * ((A @ x - b) ** 2).sum().item() + lam * x.abs().sum().item()
def fista(A, b, steps, dt, check=None):
    t = 1.0 / L
    x = torch.zeros(N, dtype=dt); y = x.clone(); tk = torch.ones((), dtype=dt)
    for k in range(1, steps + 1):
        u = y - t * (A.T @ (A @ y - b))
        z = torch.sign(u) * torch.clamp(u.abs() - t * lam, min=0)
        t1 = (1 + torch.sqrt(1 + 4 * tk * tk)) / 2
        ymom = z + (tk - 1) / t1 * (z - x)
        bad = ((y - z) * (z - x)).sum() > 0
        y = torch.where(bad, z, ymom); tk = torch.where(bad, torch.ones_like(t1), t1); x = z
        if check is not None and check(x): return k
    return x if check is None else steps
xs = fista(A, b, 4000, torch.float64)
Fs = F(xs)
A32, b32 = A.float(), b.float()
it = fista(A32, b32, 5000, torch.float32, lambda x: (F(x.double()) - Fs) / Fs <= 1e-4)
ts = []
for _ in range(7):
    t0 = time.perf_counter(); fista(A32, b32, it, torch.float32); ts.append(time.perf_counter() - t0)
el = sorted(ts)[3]
print(json.dumps({"seconds": el, "iters": it, "threads": torch.get_num_threads(), "version": torch.__version__}))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', py], { encoding: 'utf8', timeout: 600_000 });
  let torchPerIter: number | null = null;
  if (r.status === 0) {
    const o = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      seconds: number;
      iters: number;
      threads: number;
      version: string;
    };
    torchPerIter = o.seconds / o.iters;
    rows.push({
      name: 'lasso 1000x2000 FISTA to 1e-4 gap, f32',
      unit: 's',
      value: o.seconds,
      peer: 'pytorch',
      ratio: o.seconds / pTime,
      note: `torch ${o.version} CPU, ${o.threads} threads, ${o.iters} iterations (same recipe, torch's RNG); ratio = torch time / proxima time`,
    });
  } else
    rows.push({
      name: 'lasso 1000x2000 FISTA, pytorch',
      unit: 's',
      value: NaN,
      peer: 'pytorch',
      note: `skipped: ${(r.stderr || 'python3 with torch not available').trim().split('\n').pop()}`,
    });

  // --- Proxima float64 on ref (host FISTA, backtracking + restart) to 1e-6 ---
  const probe = { steps: 300 };
  const f64 = (steps: number, onStep?: (i: { step: number }) => void, stop?: () => boolean) =>
    solve(
      { ...smooth, prox: hostProx('norm1', { lambda }, [N]) },
      new Float64Array(N),
      { method: 'fista', steps, tol: 0, lipschitz: L },
      { onStep, shouldStop: stop },
    );
  {
    let x: Float64Array | null = null;
    let done = false;
    // shouldStop runs before each step; check the gap of the state every 10 steps through a checkpoint hook.
    solve(
      { ...smooth, prox: hostProx('norm1', { lambda }, [N]) },
      new Float64Array(N),
      { method: 'fista', steps: 300, tol: 0, lipschitz: L },
      {
        checkpointEvery: 1,
        saveCheckpoint: ({ state: st }) => {
          x = Float64Array.from(st.x);
          if (!done && gap(x) <= 1e-6) {
            done = true;
            probe.steps = st.step;
          }
        },
        shouldStop: () => done,
      },
    );
  }
  const dT = time(() => f64(probe.steps));
  rows.push({
    name: 'lasso 1000x2000 FISTA to 1e-6 gap, f64 ref',
    unit: 's',
    value: dT,
    note: `proxima host FISTA, ${probe.steps} iterations`,
  });

  // --- Proxima .opt: the program users write, through run() ---
  {
    const src = `data { A: real[m, n]; b: real[m]; lambda: real }
var x: real[n]
minimize 0.5 * sumsq(A @ x - b) + lambda * norm1(x)
solve fista(steps = ${probe.steps}, tol = 0)
`;
    const rowsA = Array.from({ length: M }, (_, i) => Array.from(A.subarray(i * N, (i + 1) * N)));
    const c = await compileProgram(
      { source: src, file: 'lasso.opt' },
      { data: { A: rowsA, b: Array.from(b), lambda } },
    );
    const times: number[] = [];
    let xr = new Float64Array(N);
    let backend = '';
    for (let rep = 0; rep < 3; rep++) {
      const r = await runProgram(c);
      if (r.status === 'error') throw new Error(`lasso.opt: ${JSON.stringify(r.messages)}`);
      times.push(r.time_ms! / 1000);
      xr = Float64Array.from(r.values!.x as number[]);
      backend = r.backend ?? backend;
    }
    const oT = median(times);
    rows.push({
      name: `lasso 1000x2000 FISTA, ${probe.steps} iterations, .opt through run() (f64, ${backend})`,
      unit: 's',
      value: oT,
      peer: 'proxima f64 ref (host driver, known L)',
      ratio: dT / oT,
      note: `gap ${gap(xr).toExponential(1)}; compile ${c.compileMs.toFixed(0)} ms`,
    });
    // Per iteration against the float32 peers above (not interleaved; they take the fixed step
    // 1/L, the .opt program backtracks, which costs extra objective evaluations per iteration).
    const perIter = oT / probe.steps;
    const peers: [string, number | null][] = [
      ['tfjs', tTime / tIters],
      ['pytorch', torchPerIter],
    ];
    for (const [peer, t] of peers)
      if (t !== null)
        rows.push({
          name: `lasso 1000x2000 FISTA per iteration, .opt (f64, ${backend}) vs ${peer} (f32)`,
          unit: 'ms/iter',
          value: perIter * 1000,
          peer,
          ratio: t / perIter,
          note: `${peer} ${(t * 1000).toFixed(3)} ms/iter; ratio = ${peer} time / .opt time per iteration`,
        });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run()) console.log(JSON.stringify(r));
}
