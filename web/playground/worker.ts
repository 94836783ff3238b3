// The playground's Web Worker: it owns the library. It checks programs as the user types (the
// messages become inline diagnostics), runs them with progress streamed back in batches, stops a
// run at the user's request (status `stopped`, the iterate kept), and reports which backends
// this browser can run. Files (imports, data) live in the browser platform's virtual file system.

import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BUILTINS, DISTRIBUTIONS, METHOD_LIST, PROXIMA_VERSION, check, dataSources, run } from '../../index.js';
import { CONTEXTUAL_WORDS, RESERVED_WORDS } from '../../grammar/index.js';
import { initBackend } from '../../runtime/index.js';
import { files } from '../../runtime/platform/browser.js';
import { posixPath } from '../../runtime/platform/path_posix.js';
import type { DrawTable } from '../../compiler/index.js';
import type { BackendStatus, FromWorker, Histogram, ProgramFiles, ToWorker } from './protocol.js';

const self = globalThis as unknown as {
  onmessage: (e: MessageEvent<ToWorker>) => void;
  postMessage(m: FromWorker): void;
};
const post = (m: FromWorker) => self.postMessage(m);

// tfjs-wasm's binaries are copied beside this bundle by web/build.ts.
setWasmPaths(new URL('./', import.meta.url).href);

/** Stop requests by run id (a run polls its flag between steps). */
const stops = new Set<number>();

function install(p: ProgramFiles): void {
  files.clear();
  for (const [path, text] of Object.entries(p.files)) files.set(posixPath.resolve(path), text);
  files.set(posixPath.resolve(p.file), p.source);
}

self.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'stop') stops.add(m.id);
  else if (m.type === 'check') {
    install(m.program);
    try {
      const r = check({ source: m.program.source, file: m.program.file });
      post({ type: 'checked', id: m.id, messages: r.messages });
    } catch (err) {
      // A checker failure is a bug, but the editor must still get an answer (and show it).
      const message = `internal error while checking: ${err instanceof Error ? err.message : String(err)}`;
      post({
        type: 'checked',
        id: m.id,
        messages: [{ severity: 'error', message, file: m.program.file, line: 1, col: 1, endLine: 1, endCol: 1 }],
      });
    }
  } else if (m.type === 'run') void runProgram(m);
};

async function runProgram(m: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  install(m.program);
  const { program, settings } = m;
  let draws: DrawTable | null = null;
  let points: [number, number][] = [];
  let steps = 0;
  let last = 0;
  const flush = () => {
    if (points.length) post({ type: 'progress', id: m.id, points, steps });
    points = [];
    last = performance.now();
  };
  try {
    const input = { source: program.source, file: program.file };
    const defaults = dataSources(input);
    const result = await run(input, {
      backend: settings.backend,
      seed: settings.seed,
      ...(settings.steps ? { steps: settings.steps } : {}),
      ...(settings.dataFiles.length ? { dataFiles: [...defaults, ...settings.dataFiles] } : {}),
      onProgress: (p) => {
        points.push([p.step, p.objective]);
        steps = p.steps;
        if (performance.now() - last > 100) flush();
      },
      shouldStop: () => stops.has(m.id),
      onDraws: (t) => {
        draws = t;
      },
    });
    flush();
    post({ type: 'result', id: m.id, result, histograms: draws ? histograms(draws, result) : [] });
  } catch (e) {
    flush();
    post({ type: 'failed', id: m.id, message: e instanceof Error ? e.message : String(e) });
  } finally {
    stops.delete(m.id);
  }
}

/** Histograms of the scalar draws (the first 12 scalars), 30 bins each. */
function histograms(t: DrawTable, r: Awaited<ReturnType<typeof run>>): Histogram[] {
  const out: Histogram[] = [];
  for (const v of t.variables) {
    const k = v.shape.reduce((a, b) => a * b, 1);
    for (let j = 0; j < k && out.length < 12; j++) {
      const col = Array.from({ length: t.draws }, (_, d) => v.data[d * k + j]!).filter(Number.isFinite);
      if (!col.length) continue;
      const idx = k === 1 ? '' : `[${unflatten(j, v.shape).join(',')}]`;
      const s = r.posterior?.[v.name];
      const at = (x: unknown) => (k === 1 ? (x as number) : (flat(x)[j] ?? NaN));
      out.push({
        name: v.name + idx,
        ...bins(col, 30),
        q05: at(s?.q05),
        q50: at(s?.q50),
        q95: at(s?.q95),
      });
    }
  }
  return out;
}

const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);

function unflatten(j: number, shape: readonly number[]): number[] {
  const out: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    out.unshift(j % shape[d]!);
    j = Math.floor(j / shape[d]!);
  }
  return out;
}

function bins(xs: number[], n: number): { edges: number[]; counts: number[] } {
  let lo = Infinity,
    hi = -Infinity;
  for (const x of xs) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  if (hi === lo) hi = lo + 1;
  const w = (hi - lo) / n;
  const counts = new Array<number>(n).fill(0);
  for (const x of xs) counts[Math.min(n - 1, Math.floor((x - lo) / w))]!++;
  return { edges: Array.from({ length: n + 1 }, (_, i) => lo + i * w), counts };
}

/** Which backends this browser runs: webgl and webgpu are tried once, at start. */
async function probe(): Promise<BackendStatus[]> {
  const out: BackendStatus[] = [
    { name: 'auto', ok: true },
    { name: 'ref', ok: true },
    { name: 'js', ok: true },
    { name: 'cpu', ok: true },
  ];
  for (const name of ['wasm', 'webgl', 'webgpu'] as const) {
    try {
      await initBackend(name);
      out.push({ name, ok: true });
    } catch (e) {
      out.push({ name, ok: false, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}

post({
  type: 'hello',
  version: PROXIMA_VERSION,
  vocabulary: {
    keywords: [...RESERVED_WORDS, ...CONTEXTUAL_WORDS],
    builtins: BUILTINS.map((b) => b.name),
    distributions: Object.keys(DISTRIBUTIONS),
    methods: METHOD_LIST.map((m) => m.name),
  },
});
void probe().then((backends) => post({ type: 'backends', backends }));
