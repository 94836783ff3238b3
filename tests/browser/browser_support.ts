// Shared by the browser tests: bundling test code for Chromium with the browser build's settings
// (web/browser_build.ts), serving it cross-origin isolated on localhost (WebGPU runs in a worker
// thread that reads through SharedArrayBuffer), and calling into the test's Web Worker.

import * as esbuild from 'esbuild';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { browserOptions, GPU_WORKER_ENTRY, nodeModulesIn, ROOT } from '../../web/browser_build.js';
import { launchChromium, type Chromium, type GpuMode } from '../../web/chromium.js';
import { serveFolder } from '../../web/static_server.js';

export interface TestPage {
  chromium: Chromium;
  /** Calls a method of the test worker (worker_calls.ts) and returns its JSON result. */
  call<T>(method: string, ...args: unknown[]): Promise<T>;
  close(): Promise<void>;
}

/** Bundles `workerEntry` (which calls serveCalls), opens a page running it in a Web Worker. */
export async function openWorkerPage(workerEntry: string, gpu: GpuMode = 'swiftshader'): Promise<TestPage> {
  const out = mkdtempSync(join(tmpdir(), 'proxima-page-'));
  const r = await esbuild.build({
    ...browserOptions(),
    entryPoints: {
      page: join(ROOT, 'tests/browser/worker_page.ts'),
      worker: join(ROOT, workerEntry),
      gpu_worker: GPU_WORKER_ENTRY,
    },
    outdir: out,
    sourcemap: false,
  });
  const nodeMods = nodeModulesIn(r.metafile!);
  if (nodeMods.length) throw new Error(`the browser bundle imports Node modules: ${nodeMods.join(', ')}`);
  // tfjs-wasm's binaries beside the bundle (a worker points setWasmPaths at its own folder).
  const wasmDist = join(
    dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')),
    'dist',
  );
  for (const f of readdirSync(wasmDist)) if (f.endsWith('.wasm')) copyFileSync(join(wasmDist, f), join(out, f));
  writeFileSync(
    join(out, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>proxima tests</title><script type="module" src="/page.js"></script>',
  );
  const server = await serveFolder(out);
  const chromium = await launchChromium(gpu);
  await chromium.page.goto(server.url);
  await chromium.page.waitForFunction(() => 'callWorker' in globalThis);
  return {
    chromium,
    call: <T>(method: string, ...args: unknown[]) =>
      chromium.page.evaluate(
        ([m, a]) =>
          (globalThis as unknown as { callWorker(m: string, ...a: unknown[]): Promise<T> }).callWorker(m, ...a),
        [method, args] as const,
      ) as Promise<T>,
    async close() {
      await chromium.close();
      await server.close();
      rmSync(out, { recursive: true, force: true });
    },
  };
}
