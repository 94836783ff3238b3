// The platform seam on Node: files through node:fs, paths through node:path, hashing through
// node:crypto, and WebGPU through the optional npm `webgpu` package (Dawn), whose navigator.gpu
// is created once, on first use. See types.ts.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { totalmem } from 'node:os';
import type { Hash, Platform, WorkerPort } from './types.js';

/** Proxima's package.json: the nearest one named `proxima` above this module (or its bundle). */
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'proxima') return pkg.version;
    }
    if (dirname(dir) === dir) return '0.0.0';
  }
}

let version: string | null = null;
let gpu: ReturnType<Platform['webgpu']> | null = null;

export const platform: Platform = {
  name: 'node',
  readText: (p) => readFileSync(p, 'utf8'),
  path: { join, dirname, resolve, isAbsolute },
  sha256(): Hash {
    const h = createHash('sha256');
    const hash: Hash = {
      update: (d) => (h.update(d), hash),
      digest: () => h.digest('hex'),
    };
    return hash;
  },
  version: () => (version ??= packageVersion()),
  env: (name) => process.env[name],
  totalMemory: () => totalmem(),
  yieldToEventLoop: () => new Promise((res) => setImmediate(res)),
  webgpu: () => (gpu ??= loadDawn()),
  startGpuWorker,
};

/** The WebGPU server thread's module: beside this one (sources, or dist/ once compiled), or, when
 * this module is inside a bundle (the CLI's, under node_modules/.cache), in the package above it. */
function gpuWorkerEntry(): URL {
  const ts = import.meta.url.endsWith('.ts');
  const beside = new URL(`../backends/remote/worker_node.${ts ? 'ts' : 'js'}`, import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    for (const f of ['runtime/backends/remote/worker_node.ts', 'dist/runtime/backends/remote/worker_node.js'])
      if (existsSync(join(dir, f))) return pathToFileURL(join(dir, f));
  }
  return beside;
}

/** The WebGPU server thread (runtime/backends/remote/worker_node.ts, or .js once compiled). */
function startGpuWorker(): WorkerPort {
  const entry = gpuWorkerEntry();
  let w: Worker;
  if (!entry.pathname.endsWith('.ts')) w = new Worker(entry);
  else {
    // From source (tsx, vitest, the CLI in a clone), the worker registers tsx's loader itself:
    // Node 20 workers do not take loader hooks from execArgv.
    const tsx = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
    const api = pathToFileURL(join(tsx, 'dist', 'esm', 'api', 'index.mjs')).href; // tsx/esm/api, as ESM
    const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
    w = new Worker(boot, { eval: true });
  }
  return {
    unref: () => void w.unref(),
    post: (m, transfer) => w.postMessage(m, transfer ?? []),
    onError(cb) {
      w.on('error', cb);
      w.on('exit', (code) => cb(new Error(`the WebGPU worker exited (code ${code})`)));
    },
    terminate: () => void w.terminate(),
  };
}

/** navigator.gpu from the npm `webgpu` package (Dawn), if it is installed. */
async function loadDawn(): ReturnType<Platform['webgpu']> {
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (g.navigator?.gpu) return { gpu: g.navigator.gpu };
  let mod: { create(flags: string[]): GPU; globals: object };
  try {
    const name = 'webgpu'; // not a static import: the package is optional
    mod = (await import(name)) as typeof mod;
  } catch (e) {
    return {
      gpu: null,
      reason: `the npm package \`webgpu\` (Dawn) is not installed (npm i -E webgpu@0.6.2): ${(e as Error).message}`,
    };
  }
  Object.assign(globalThis, mod.globals);
  const flags = (process.env.PROXIMA_DAWN_FLAGS ?? '').split(/\s+/).filter(Boolean);
  return { gpu: mod.create(flags) };
}
