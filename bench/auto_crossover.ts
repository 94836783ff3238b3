// Where `auto` switches backends: per-call time (this process's CPU time, so the load of a shared
// machine does not decide) of value-and-gradient graphs of growing size on ref, js, cpu and wasm,
// next to the backend the cost model (runtime/backends/auto.ts) picks and its own estimates. Two
// families: an elementwise-heavy graph around one n x n product, and a matmul-heavy one (a
// two-layer network on a batch). The row's ratio is the time of the slowest backend over the
// chosen one's (>= 1: auto avoided the worst); the note names the measured fastest and the
// model's estimate for the chosen backend. The js coefficients in auto.ts come from this table.

import { trace, grads, ops as P } from '../runtime/index.js';
import type { Tracer } from '../runtime/ir/tracer.js';
import { chooseBackend, compile, estimateCost, initBackend } from '../runtime/backends/index.js';
import type { BackendName } from '../runtime/backends/types.js';
import { timeInterleaved, type BenchRow } from './harness.js';

const elementwise = (x: Tracer, W: Tracer) => P.sum(P.mul(P.tanh(P.matmul(x, W)), P.exp(P.neg(P.square(x)))));
const network = (x: Tracer, W: Tracer) => P.sum(P.square(P.matmul(P.relu(P.matmul(x, W)), W, false, true)));

const BACKENDS: BackendName[] = ['ref', 'js', 'cpu', 'wasm'];

export async function run(): Promise<BenchRow[]> {
  await initBackend('cpu');
  await initBackend('wasm');
  const rows: BenchRow[] = [];
  for (const [family, f, sizes] of [
    ['elementwise', elementwise, [4, 16, 64, 256]],
    ['matmul', network, [8, 32, 128, 256]],
  ] as const) {
    for (const n of sizes) {
      const g = trace(
        (x, W) => [f(x!, W!), ...grads(f)(x!, W!)],
        [
          [n, n],
          [n, n],
        ],
      );
      const x = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i) * 0.5);
      const W = Float64Array.from({ length: n * n }, (_, i) => Math.cos(i) / n);
      const exes = Object.fromEntries(
        await Promise.all(BACKENDS.map(async (b) => [b, await compile(g, { backend: b })] as const)),
      );
      const inner = Math.max(1, Math.round(2e5 / (n * n * n + 2000)));
      const t = await timeInterleaved(Object.fromEntries(BACKENDS.map((b) => [b, () => exes[b]!.run([x, W])])), {
        reps: 5,
        inner,
        clock: 'cpu',
      });
      const chosen = chooseBackend(g, BACKENDS);
      const best = BACKENDS.reduce((a, b) => (t[a]! <= t[b]! ? a : b));
      const worst = Math.max(...Object.values(t));
      for (const b of BACKENDS)
        rows.push({
          name: `auto ${family} n=${n} ${b}`,
          unit: 'us',
          value: t[b]! * 1e6,
          note: `model ${(estimateCost(g, b) * 1e6).toFixed(1)} us`,
        });
      rows.push({
        name: `auto ${family} n=${n} chooses ${chosen}`,
        unit: 'us',
        value: t[chosen]! * 1e6,
        peer: 'slowest',
        ratio: worst / t[chosen]!,
        note: `fastest measured: ${best}`,
      });
      Object.values(exes).forEach((e) => e.dispose());
    }
  }
  return rows;
}
