// The browser side of the conformance suite, run in a Web Worker (as the playground runs
// Proxima) of a Chromium page (tests/browser/conformance.test.ts): every primitive-table row
// (tests/runtime/conformance_cases.ts) on a GPU backend, fused and unfused, against the float64 ref
// backend in the same worker; and whole `.opt` programs through the library's run() on a
// backend. Results go back as plain JSON; the Node test judges them.

import { compile, initBackend, type BackendName } from '../../runtime/backends/index.js';
import { PRIM_ROWS, rowCase, disagreement, randomGraphCase, GPU_TOL } from '../runtime/conformance_cases.js';
import { run, type RunResult } from '../../index.js';
import { serveCalls } from './worker_calls.js';

export interface RowReport {
  name: string;
  errors: string[];
  ms: number;
}

export interface ProgramCase {
  name: string;
  file: string;
  source: string;
  data?: Record<string, unknown>;
  steps?: number;
  draws?: number;
}

const message = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

// One primitive per row, so the rows test tfjs's kernels (a row with several equations also
// fuses); the random graphs test the generated shaders of fused regions.
const prims = (backend: BackendName, fuses: boolean[] = [true]) =>
  cases(backend, Object.keys(PRIM_ROWS), rowCase, fuses);
const graphs = (backend: BackendName, n: number, fuses: boolean[] = [true]) =>
  cases(
    backend,
    Array.from({ length: n }, (_, i) => `graph ${i + 1}`),
    (name) => randomGraphCase(Number(name.slice(6))),
    fuses,
  );

async function cases(
  backend: BackendName,
  names: string[],
  make: (name: string) => ReturnType<typeof rowCase>,
  fuses: boolean[],
): Promise<RowReport[]> {
  await initBackend(backend);
  const out: RowReport[] = [];
  for (const name of names) {
    const t0 = performance.now();
    const errors: string[] = [];
    try {
      const { graph, inputs } = make(name);
      const ref = (await compile(graph, { backend: 'ref' })).run(inputs);
      for (const fuse of fuses) {
        const exe = await compile(graph, { backend, fuse });
        const got = exe.run(inputs);
        exe.dispose();
        got.forEach((o, k) => {
          const d = disagreement(o, ref[k]!, `${name} on ${backend}${fuse ? '' : ' (unfused)'}, output ${k}`, GPU_TOL);
          if (d) errors.push(d);
        });
      }
    } catch (e) {
      errors.push(message(e));
    }
    out.push({ name, errors, ms: performance.now() - t0 });
  }
  return out;
}

async function program(c: ProgramCase, backend: BackendName | 'auto'): Promise<RunResult> {
  const opts = {
    backend,
    ...(c.data ? { data: c.data } : {}),
    ...(c.steps ? { steps: c.steps } : {}),
    ...(c.draws ? { draws: c.draws } : {}),
  };
  return run({ source: c.source, file: c.file }, opts);
}

async function init(backend: BackendName): Promise<string | null> {
  try {
    await initBackend(backend);
    return null;
  } catch (e) {
    return message(e);
  }
}

serveCalls({ prims, graphs, program, init });
