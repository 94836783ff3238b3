// Adaptive batch sizes (`batch = adaptive(...)`, AdAdaGrad) for an optimization program whose
// smooth objective is a sum or a mean over the rows of its data: the row data are the data arrays
// whose leading dimension is N, the largest leading dimension among the data arrays (rank >= 1);
// the other data are passed whole. Example i is the smooth objective evaluated with every row
// array cut to its row i. At the start point the objective must equal the sum (or the mean) of
// the N example values (to 1e-9 relative), which decides the scaling; otherwise (a data-free
// regularizer, a loop over 0..N, rows that interact) the run is an error saying so. Each batch
// evaluates one compiled per-example value-and-gradient graph per example (the program's backend).

import { valueAndGrad, type Tracer } from '../../runtime/index.js';
import { hostFn, type BatchObjective, type GraphRunner, type Sig } from '../../stdlib/index.js';
import type { CompiledProgram } from '../compile.js';
import type { BuiltProblem } from './solve_problem.js';

export function batchObjective(
  compiled: CompiledProgram,
  pb: BuiltProblem,
  runner?: GraphRunner,
): BatchObjective | string {
  const arrays = compiled.internals.dataArrays;
  const lead = arrays.map((a) => (a.shape.length ? a.shape[0]! : 0));
  const N = Math.max(0, ...lead);
  if (N < 2) return 'the program has no data rows (no data array with a leading dimension of 2 or more)';
  const isRow = lead.map((d) => d === N);
  const dtypeOf = (a: (typeof arrays)[number]) =>
    (a.data instanceof Int32Array ? 'int32' : a.data instanceof Uint8Array ? 'bool' : 'float64') as
      'int32' | 'bool' | 'float64';
  const sig: Sig[] = [
    [pb.n],
    ...arrays.map((a, k) => ({ shape: isRow[k] ? [1, ...a.shape.slice(1)] : a.shape, dtype: dtypeOf(a) })),
  ];
  let fn: ReturnType<typeof hostFn>;
  try {
    fn = hostFn(
      (x, ...d) => {
        const [v, [g]] = valueAndGrad((y: Tracer) => pb.smoothWith(y, d))(x);
        return [v, g!];
      },
      sig,
      runner,
    );
  } catch (e) {
    return `the objective cannot be evaluated on one row of its data (${(e as Error).message})`;
  }
  const rowsOf = (i: number) =>
    arrays.map((a, k) => {
      if (!isRow[k]) return a.data;
      const w = a.data.length / N;
      return a.data.subarray(i * w, (i + 1) * w);
    });
  const one = (x: Float64Array, i: number) => {
    const [f, g] = fn(x, ...rowsOf(i));
    return { f: f![0]!, g: g! };
  };
  // The scaling: sum or mean over rows, checked at the start point.
  const x0 = compiled.initialPoint(compiled.seed);
  const full = hostFn((x) => pb.smooth(x), [[pb.n]], runner)(x0)[0]![0]!;
  let sum = 0;
  for (let i = 0; i < N; i++) sum += one(x0, i).f;
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  const scale = close(full, sum) ? N : close(full, sum / N) ? 1 : null;
  if (scale === null)
    return `the objective is not a sum or a mean over the ${N} rows of its data (at the start it is ${full}; the sum of the rows' values is ${sum}, their mean ${sum / N})`;
  return {
    size: N,
    evaluate(x, idx) {
      const perExample: Float64Array[] = [];
      let f = 0;
      const g = new Float64Array(pb.n);
      for (const i of idx) {
        const r = one(x, i);
        const gi = r.g.map((v) => v * scale);
        perExample.push(gi);
        f += r.f * scale;
        for (let j = 0; j < pb.n; j++) g[j] += gi[j]!;
      }
      const b = Math.max(idx.length, 1);
      for (let j = 0; j < pb.n; j++) g[j] /= b;
      return { f: f / b, g, perExample };
    },
  };
}
