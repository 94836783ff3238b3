// The Hock-Schittkowski set (HS 6, 7, 14, 21, 28, 35, 48, 71; tests/stdlib/hs_problems.ts) on
// float64: total time to solve all eight with the augmented Lagrangian (target < 1 s), and the four
// equality-only ones with sketch_newton. Problems are traced and compiled once (reported apart);
// the solve times are medians of 5 runs.

import { augLag } from '../stdlib/solvers/augmented_lagrangian.js';
import { sketchNewton } from '../stdlib/solvers/sketch_newton.js';
import { hsCases, hsProblem } from '../tests/stdlib/hs_problems.js';

export type BenchRow = { name: string; unit: string; value: number; peer?: string; ratio?: number; note?: string };

const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;

export async function run(): Promise<BenchRow[]> {
  const t0 = performance.now();
  const probs = hsCases.map((c) => ({ c, p: hsProblem(c) }));
  const traceS = (performance.now() - t0) / 1000;
  const timeAll = (f: () => void) => {
    const s: number[] = [];
    for (let r = 0; r < 5; r++) {
      const a = performance.now();
      f();
      s.push((performance.now() - a) / 1000);
    }
    return median(s);
  };
  let worst = 0;
  const al = timeAll(() => {
    for (const { c, p } of probs) {
      const r = augLag(p, c.x0, { tol: 1e-9, tolFeas: 1e-9 });
      worst = Math.max(worst, Math.abs(r.f - c.fStar) / Math.max(1, Math.abs(c.fStar)), r.maxViolation);
    }
  });
  const eqOnly = probs.filter(({ c }) => c.equalityOnly);
  const sk = timeAll(() => {
    for (const { c, p } of eqOnly) sketchNewton(p, c.x0, { tol: 1e-10, sketch: 'gaussian' });
  });
  const kz = timeAll(() => {
    for (const { c, p } of eqOnly) sketchNewton(p, c.x0, { tol: 1e-10, sketch: 'kaczmarz' });
  });
  return [
    { name: 'HS set (8 problems), augmented Lagrangian, f64', unit: 's', value: al, note: `target < 1 s; worst max(|f-f*|/max(1,|f*|), violation) = ${worst.toExponential(1)}; tracing/compiling the problems ${traceS.toFixed(2)} s (once)` },
    { name: 'HS equality-only (6, 7, 28, 48), sketch_newton gaussian, f64', unit: 's', value: sk },
    { name: 'HS equality-only (6, 7, 28, 48), sketch_newton kaczmarz, f64', unit: 's', value: kz },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run()) console.log(JSON.stringify(r));
}
