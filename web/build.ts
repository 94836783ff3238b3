// Builds the playground as static files: the page and its Web Worker (web/playground/), the
// WebGPU server thread, tfjs-wasm's binaries, uPlot's stylesheet, and the example gallery
// (examples/*.opt with their JSON data, as gallery.json). `proxima serve` serves the result;
// `npx tsx web/build.ts [outdir]` writes it for any static host (it needs cross-origin isolation
// headers for WebGPU: see docs/backends.md). A build that pulls in a `node:` module fails.

import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { browserOptions, GPU_WORKER_ENTRY, nodeModulesIn, ROOT } from './browser_build.js';
import type { GalleryEntry } from './playground/protocol.js';

const PLAYGROUND = join(ROOT, 'web', 'playground');

/** Examples shown in the gallery, in order (each with its data file beside it). */
export const GALLERY = ['quickstart', 'lasso', 'normal_mean', 'group_lasso', 'eight_schools'];

export async function buildPlayground(outdir: string, opts: { minify?: boolean } = {}): Promise<string> {
  const out = resolve(outdir);
  mkdirSync(out, { recursive: true });
  const r = await esbuild.build({
    ...browserOptions(),
    entryPoints: {
      main: join(PLAYGROUND, 'main.ts'),
      worker: join(PLAYGROUND, 'worker.ts'),
      gpu_worker: GPU_WORKER_ENTRY,
    },
    outdir: out,
    minify: opts.minify ?? true,
    loader: { '.css': 'css' },
  });
  const nodeMods = nodeModulesIn(r.metafile!);
  if (nodeMods.length) throw new Error(`the playground bundle imports Node modules: ${nodeMods.join(', ')}`);
  copyFileSync(join(PLAYGROUND, 'index.html'), join(out, 'index.html'));
  copyFileSync(join(PLAYGROUND, 'style.css'), join(out, 'style.css'));
  const req = createRequire(import.meta.url);
  copyFileSync(req.resolve('uplot/dist/uPlot.min.css'), join(out, 'uPlot.min.css'));
  const wasmDir = dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  for (const f of readdirSync(join(wasmDir, 'dist')))
    if (f.endsWith('.wasm')) copyFileSync(join(wasmDir, 'dist', f), join(out, f));
  writeFileSync(join(out, 'gallery.json'), JSON.stringify(gallery()));
  return out;
}

function gallery(): GalleryEntry[] {
  const out: GalleryEntry[] = [];
  for (const name of GALLERY) {
    const opt = join(ROOT, 'examples', `${name}.opt`);
    if (!existsSync(opt)) continue;
    const source = readFileSync(opt, 'utf8');
    const files: Record<string, string> = {};
    for (const m of source.matchAll(/data from "([^"]+)"/g)) {
      const f = join(ROOT, 'examples', m[1]!);
      if (existsSync(f)) files[`/${m[1]}`] = readFileSync(f, 'utf8');
    }
    const title = /^\/\/ examples\/[^:]+:\s*(.*)$/m.exec(source)?.[1] ?? name;
    out.push({ name, title, source, files });
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2] ?? join(ROOT, 'dist', 'playground');
  buildPlayground(dir).then(
    (d) => console.log(`playground built in ${d}`),
    (e: Error) => {
      console.error(e.message);
      process.exit(1);
    },
  );
}
