// The Hock-Schittkowski set as users run it: examples/hs/hs{6,7,14,21,28,35,48,71}.opt compiled
// and run through the library API on float64 `ref` (what `proxima run` does, minus the process
// start). Reported: the total time to run all eight with the automatic choice (the augmented
// Lagrangian; target < 1 s), the four equality-only ones with `solve sketch_newton` (both
// sketches), and the compile time of the eight, apart. Each run also builds the solver's graphs
// (tracing the constraints and their Jacobians); times are medians of 5 rounds.
// `npx tsx bench/hs.ts`.

import { readFileSync } from 'node:fs';
import { compile, run, type CompiledProgram } from '../index.js';

export type BenchRow = { name: string; unit: string; value: number; peer?: string; ratio?: number; note?: string };

const HS = [
  { n: 6, fStar: 0, eqOnly: true },
  { n: 7, fStar: -Math.sqrt(3), eqOnly: true },
  { n: 14, fStar: 9 - 2.875 * Math.sqrt(7), eqOnly: false },
  { n: 21, fStar: -99.96, eqOnly: false },
  { n: 28, fStar: 0, eqOnly: true },
  { n: 35, fStar: 1 / 9, eqOnly: false },
  { n: 48, fStar: 0, eqOnly: true },
  { n: 71, fStar: 17.0140173, eqOnly: false },
];
const file = (n: number) => `examples/hs/hs${n}.opt`;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;

async function timeAll(f: () => Promise<void>, rounds = 5): Promise<number> {
  const s: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const a = performance.now();
    await f();
    s.push((performance.now() - a) / 1000);
  }
  return median(s);
}

export async function run_(): Promise<BenchRow[]> {
  const compileAll = async (sketch?: string) => {
    const out: { c: CompiledProgram; fStar: number }[] = [];
    for (const h of HS) {
      if (sketch && !h.eqOnly) continue;
      const source = sketch
        ? readFileSync(file(h.n), 'utf8').replace(/^solve .*$/m, '') +
          `\nsolve sketch_newton(sketch = ${sketch}, tol = 1e-10)\n`
        : readFileSync(file(h.n), 'utf8');
      out.push({ c: await compile({ source, file: file(h.n) }, { backend: 'ref' }), fStar: h.fStar });
    }
    return out;
  };
  await compileAll(); // warm up the module graph and the JIT
  let progs: { c: CompiledProgram; fStar: number }[] = [];
  const compileS = await timeAll(async () => {
    progs = await compileAll();
  });
  let worst = 0;
  const solveAll = (ps: typeof progs) => async () => {
    for (const { c, fStar } of ps) {
      const r = await run(c);
      if (r.status !== 'converged') throw new Error(`${c.file}: ${r.status}`);
      worst = Math.max(
        worst,
        Math.abs(r.objective! - fStar) / Math.max(1, Math.abs(fStar)),
        r.diagnostics.max_violation as number,
      );
    }
  };
  const al = await timeAll(solveAll(progs));
  const gauss = await compileAll('gaussian'),
    kacz = await compileAll('kaczmarz');
  const sk = await timeAll(solveAll(gauss));
  const kz = await timeAll(solveAll(kacz));
  return [
    {
      name: 'HS set (8 .opt files), run() with the automatic choice (auglag), f64 ref',
      unit: 's',
      value: al,
      note: `target < 1 s; worst max(|f-f*|/max(1,|f*|), violation) = ${worst.toExponential(1)}`,
    },
    { name: 'HS set (8 .opt files), compile()', unit: 's', value: compileS },
    {
      name: 'HS equality-only (6, 7, 28, 48), run() with solve sketch_newton(sketch = gaussian), f64',
      unit: 's',
      value: sk,
    },
    {
      name: 'HS equality-only (6, 7, 28, 48), run() with solve sketch_newton(sketch = kaczmarz), f64',
      unit: 's',
      value: kz,
    },
  ];
}
export { run_ as run };

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run_()) console.log(JSON.stringify(r));
}
