// Worker threads need a plain JavaScript entry, whether Proxima runs from its TypeScript sources
// (tsx, vitest), from the CLI's bundle or as a library: this bundles a worker entry with esbuild
// into node_modules/.cache/proxima/<name>-<key>.mjs, keyed by the sources' paths, sizes and mtimes
// (as cli/proxima.js does for the CLI), written to a temporary file and renamed, so concurrent
// runs never load a partial bundle. Null when it cannot (no esbuild, no sources): callers then
// run without threads.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SOURCE_DIRS = ['compiler', 'grammar', 'runtime', 'stdlib'];
const cache = new Map<string, Promise<URL | null>>();

/** The package root: the nearest folder above this module with Proxima's package.json. */
function packageRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'proxima') return dir;
      } catch {
        // not ours
      }
    }
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

function sourceKey(root: string): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) {
        const s = statSync(p);
        h.update(`${p}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  for (const d of SOURCE_DIRS) walk(join(root, d));
  return h.digest('hex').slice(0, 16);
}

/** The URL of a runnable bundle of `entry` (a path under the package root), or null. */
export function workerBundle(entry: string, name: string): Promise<URL | null> {
  let p = cache.get(entry);
  if (!p) {
    p = build(entry, name).catch(() => null);
    cache.set(entry, p);
  }
  return p;
}

async function build(entry: string, name: string): Promise<URL | null> {
  const root = packageRoot();
  if (!root || !existsSync(join(root, entry))) return null;
  const dir = join(root, 'node_modules', '.cache', 'proxima');
  const out = join(dir, `${name}-${sourceKey(root)}.mjs`);
  if (!existsSync(out)) {
    const esbuild = await import('esbuild');
    mkdirSync(dir, { recursive: true });
    const tmp = `${out}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await esbuild.build({
      entryPoints: [join(root, entry)],
      outfile: tmp,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'silent',
    });
    renameSync(tmp, out);
  }
  return pathToFileURL(out);
}
