// The playground page: wires the editor, the toolbar, the gallery, data upload, share links and
// the result views to the Web Worker (worker.ts) that owns the library. The page never runs a
// program itself, so it stays responsive while one runs; progress arrives in batches.

import type { EditorView } from 'codemirror';
import type { Message, RunResult } from '../../index.js';
import { parseCsv, parseJsonData } from '../../compiler/index.js';
import { createEditor } from './editor.js';
import { TracePlot, histogramPlot } from './plots.js';
import { decodeShared, encodeShared } from './share.js';
import type { FromWorker, GalleryEntry, Histogram, ProgramFiles, ToWorker, Vocabulary } from './protocol.js';

const FILE = '/main.opt';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  gallery: $<HTMLSelectElement>('gallery'),
  backend: $<HTMLSelectElement>('backend'),
  seed: $<HTMLInputElement>('seed'),
  steps: $<HTMLInputElement>('steps'),
  data: $<HTMLInputElement>('data'),
  run: $<HTMLButtonElement>('run'),
  stop: $<HTMLButtonElement>('stop'),
  share: $<HTMLButtonElement>('share'),
  status: $<HTMLSpanElement>('status'),
  files: $<HTMLDivElement>('files'),
  diagnostics: $<HTMLDivElement>('diagnostics'),
  values: $<HTMLDivElement>('values'),
  histograms: $<HTMLDivElement>('histograms'),
  messages: $<HTMLPreElement>('messages'),
  traceTitle: $<HTMLHeadingElement>('trace-title'),
};

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (m: ToWorker) => worker.postMessage(m);
let nextId = 1;
const checks = new Map<number, (m: Message[]) => void>();
let running: number | null = null;
let gallery: GalleryEntry[] = [];
/** The example whose data files are loaded, and the user's uploads (path -> JSON text). */
let example: GalleryEntry | null = null;
const uploads = new Map<string, string>();
let editor: EditorView | null = null;
let trace: TracePlot | null = null;

function setStatus(text: string, error = false): void {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', error);
}

function program(): ProgramFiles {
  const files: Record<string, string> = { ...(example?.files ?? {}) };
  for (const [p, t] of uploads) files[p] = t;
  return { file: FILE, source: editor?.state.doc.toString() ?? '', files };
}

function check(): Promise<Message[]> {
  const id = nextId++;
  return new Promise((ok) => {
    checks.set(id, ok);
    send({ type: 'check', id, program: program() });
  });
}

function showDiagnostics(ms: Message[]): void {
  ui.diagnostics.replaceChildren(
    ...ms.map((m) => {
      const d = document.createElement('div');
      d.className = m.severity;
      d.textContent = `${m.file === FILE ? 'main.opt' : m.file}:${m.line}:${m.col}: ${m.severity}: ${m.message}${m.hint ? `\n  hint: ${m.hint}` : ''}`;
      return d;
    }),
  );
}

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  switch (m.type) {
    case 'hello':
      $('version').textContent = m.version;
      void start(m.vocabulary);
      break;
    case 'backends':
      for (const b of m.backends) {
        if (b.name === 'auto') continue;
        const o = document.createElement('option');
        o.value = b.name;
        o.textContent = b.ok ? b.name : `${b.name} (unavailable)`;
        o.disabled = !b.ok;
        if (!b.ok && b.reason) o.title = b.reason;
        ui.backend.append(o);
      }
      if (pendingBackend) ui.backend.value = pendingBackend;
      break;
    case 'checked': {
      checks.get(m.id)?.(m.messages);
      checks.delete(m.id);
      showDiagnostics(m.messages);
      break;
    }
    case 'progress':
      if (m.id !== running) break;
      trace?.add(m.points);
      setStatus(`running: step ${m.points[m.points.length - 1]?.[0] ?? 0} of ${m.steps}`);
      break;
    case 'result':
      if (m.id !== running) break;
      finish();
      showResult(m.result, m.histograms);
      break;
    case 'failed':
      if (m.id !== running) break;
      finish();
      setStatus(m.message, true);
      break;
  }
};
worker.onerror = (e) => setStatus(`the worker failed: ${e.message}`, true);

let pendingBackend: string | null = null;

async function start(vocabulary: Vocabulary): Promise<void> {
  gallery = (await (await fetch('gallery.json')).json()) as GalleryEntry[];
  for (const g of gallery) {
    const o = document.createElement('option');
    o.value = g.name;
    o.textContent = `${g.name}: ${g.title}`;
    ui.gallery.append(o);
  }
  const shared = await decodeShared(location.hash);
  let doc = gallery[0]?.source ?? '';
  if (shared) {
    doc = shared.source;
    example = gallery.find((g) => g.name === shared.example) ?? null;
    for (const [p, t] of Object.entries(shared.uploads)) uploads.set(p, t);
    pendingBackend = shared.backend;
    ui.backend.value = shared.backend;
    ui.seed.value = String(shared.seed);
    ui.steps.value = shared.steps ? String(shared.steps) : '';
    ui.gallery.value = example?.name ?? '';
  } else example = gallery[0] ?? null;
  showFiles();
  editor = createEditor({
    parent: $('editor'),
    doc,
    vocabulary,
    file: FILE,
    check,
    onChange: () => {},
  });
  trace = new TracePlot($('trace'), 'objective');
  // A handle for the console and the browser test (tests/browser/playground.test.ts).
  Object.assign(globalThis, { playground: { editor } });
  ui.run.disabled = false;
  setStatus('ready');
  document.body.dataset.ready = 'true';
}

function loadExample(name: string): void {
  const g = gallery.find((x) => x.name === name);
  if (!g || !editor) return;
  example = g;
  uploads.clear();
  showFiles();
  editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: g.source } });
}

function showFiles(): void {
  const names = [...Object.keys(example?.files ?? {}), ...uploads.keys()];
  ui.files.textContent = names.length ? `data: ${names.map((n) => n.replace(/^\//, '')).join(', ')}` : '';
}

ui.gallery.onchange = () => loadExample(ui.gallery.value);

ui.data.onchange = async () => {
  for (const f of Array.from(ui.data.files ?? [])) {
    try {
      const text = await f.text();
      const obj = /\.csv$/i.test(f.name) ? parseCsv(text, f.name) : parseJsonData(text, f.name);
      uploads.set(`/upload/${f.name.replace(/\.(csv|json)$/i, '')}.json`, JSON.stringify(obj));
    } catch (e) {
      setStatus((e as Error).message, true);
    }
  }
  ui.data.value = '';
  showFiles();
};

ui.run.onclick = () => {
  if (running !== null || !editor) return;
  running = nextId++;
  const source = editor.state.doc.toString();
  const infer = /^\s*infer\b/m.test(source);
  trace?.reset(infer ? 'ELBO' : 'objective');
  ui.traceTitle.textContent = infer ? 'ELBO (or log density) trace' : 'Objective';
  ui.values.replaceChildren();
  ui.histograms.replaceChildren();
  ui.messages.textContent = '';
  ui.run.disabled = true;
  ui.stop.disabled = false;
  setStatus('running…');
  const steps = Number(ui.steps.value);
  send({
    type: 'run',
    id: running,
    program: program(),
    settings: {
      backend: ui.backend.value,
      seed: Number(ui.seed.value) || 0,
      ...(steps > 0 ? { steps } : {}),
      dataFiles: [...uploads.keys()],
    },
  });
};

ui.stop.onclick = () => {
  if (running !== null) send({ type: 'stop', id: running });
};

function finish(): void {
  running = null;
  ui.run.disabled = false;
  ui.stop.disabled = true;
}

ui.share.onclick = async () => {
  if (!editor) return;
  const steps = Number(ui.steps.value);
  location.hash = await encodeShared({
    source: editor.state.doc.toString(),
    ...(example ? { example: example.name } : {}),
    uploads: Object.fromEntries(uploads),
    backend: ui.backend.value,
    seed: Number(ui.seed.value) || 0,
    ...(steps > 0 ? { steps } : {}),
  });
  await navigator.clipboard?.writeText(location.href).catch(() => {});
  setStatus('link copied to the address bar');
};

const fmt = (x: unknown): string =>
  typeof x === 'number' ? (Number.isInteger(x) ? String(x) : x.toPrecision(6)) : JSON.stringify(x);

function showResult(r: RunResult, hs: Histogram[]): void {
  setStatus(
    `${r.status}: ${r.steps} steps in ${r.time_ms.toFixed(0)} ms on ${r.backend}` +
      (r.objective !== null ? `, objective ${fmt(r.objective)}` : ''),
    r.status === 'error',
  );
  const table = document.createElement('table');
  const head = table.insertRow();
  const post = r.posterior;
  for (const h of post ? ['name', 'mean', 'sd', '5 %', '50 %', '95 %'] : ['name', 'value']) {
    const th = document.createElement('th');
    th.textContent = h;
    head.append(th);
  }
  if (post) {
    for (const [name, s] of Object.entries(post)) {
      const row = table.insertRow();
      for (const v of [name, s.mean, s.sd, s.q05, s.q50, s.q95])
        row.insertCell().textContent = typeof v === 'string' ? v : fmt(v);
    }
  } else {
    for (const [name, v] of Object.entries(r.values)) {
      const row = table.insertRow();
      row.insertCell().textContent = name;
      row.insertCell().textContent = fmt(v);
    }
  }
  ui.values.replaceChildren(table);
  for (const h of hs) {
    const fig = document.createElement('figure');
    const cap = document.createElement('figcaption');
    cap.textContent = `${h.name}: 5 % ${fmt(h.q05)}, 50 % ${fmt(h.q50)}, 95 % ${fmt(h.q95)}`;
    fig.append(cap);
    ui.histograms.append(fig);
    histogramPlot(fig, h);
  }
  ui.messages.textContent = r.messages
    .map((m) => `${m.severity}: ${m.message}${m.hint ? ` (hint: ${m.hint})` : ''}`)
    .join('\n');
}

ui.run.disabled = true;
