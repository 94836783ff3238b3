// Where `auto` switches from ref to tfjs-wasm: per-call time of a value-and-gradient graph of
// growing size on ref, cpu and wasm, next to the backend the cost model (runtime/backends/auto.ts)
// picks. The row's ratio is the time of the slowest backend over the chosen one's (>= 1: auto
// avoided the worst), and the note names the measured fastest.

import { trace, grads, ops as P } from '../runtime/index.js';
import type { Tracer } from '../runtime/ir/tracer.js';
import { chooseBackend, compile, initBackend } from '../runtime/backends/index.js';
import { timeInterleaved, type BenchRow } from './harness.js';

const f = (x: Tracer, W: Tracer) => P.sum(P.mul(P.tanh(P.matmul(x, W)), P.exp(P.neg(P.square(x)))));

export async function run(): Promise<BenchRow[]> {
  await initBackend('cpu');
  await initBackend('wasm');
  const rows: BenchRow[] = [];
  for (const n of [4, 8, 16, 64, 256]) {
    const g = trace(
      (x, W) => [f(x!, W!), ...grads(f)(x!, W!)],
      [
        [n, n],
        [n, n],
      ],
    );
    const x = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i) * 0.5);
    const W = Float64Array.from({ length: n * n }, (_, i) => Math.cos(i) / n);
    const exes = {
      ref: await compile(g, { backend: 'ref' }),
      cpu: await compile(g, { backend: 'cpu' }),
      wasm: await compile(g, { backend: 'wasm' }),
    };
    const inner = Math.max(1, Math.round(2e5 / (n * n * n + 2000)));
    const t = await timeInterleaved(
      { ref: () => exes.ref.run([x, W]), cpu: () => exes.cpu.run([x, W]), wasm: () => exes.wasm.run([x, W]) },
      { reps: 5, inner },
    );
    const chosen = chooseBackend(g, ['ref', 'cpu', 'wasm']);
    const best = (Object.keys(t) as (keyof typeof t)[]).reduce((a, b) => (t[a]! <= t[b]! ? a : b));
    const worst = Math.max(...Object.values(t));
    for (const [b, v] of Object.entries(t)) rows.push({ name: `auto n=${n} ${b}`, unit: 'us', value: v * 1e6 });
    rows.push({
      name: `auto n=${n} chooses ${chosen}`,
      unit: 'us',
      value: t[chosen]! * 1e6,
      peer: 'slowest',
      ratio: worst / t[chosen]!,
      note: `fastest measured: ${best}`,
    });
    Object.values(exes).forEach((e) => e.dispose());
  }
  return rows;
}
