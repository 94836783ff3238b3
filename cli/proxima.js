#!/usr/bin/env node
// The `proxima` bin. An installed package runs its built JavaScript (dist/, from `npm run build`;
// the package ships no TypeScript). In a clone it runs the TypeScript sources with no build step:
// on the first run (and whenever a source file changes) esbuild bundles the CLI into one ES module
// in node_modules/.cache/proxima, keyed by the sources' paths, sizes and mtimes; later runs import
// that bundle directly. Loading through a bundle instead of tsx's per-module loader hooks cuts
// start-up by seconds (chevrotain alone loads hundreds of modules). If esbuild is unavailable,
// it falls back to tsx's loader.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['cli', 'compiler', 'grammar', 'runtime', 'stdlib'];

function sourceKey() {
  const h = createHash('sha256');
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') || e.name === 'package.json') {
        const s = statSync(p);
        h.update(`${p}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  for (const d of SOURCE_DIRS) walk(join(root, d));
  for (const f of ['index.ts', 'package.json']) {
    const s = statSync(join(root, f));
    h.update(`${f}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return h.digest('hex').slice(0, 16);
}

async function loadMain() {
  // No sources beside the bin: an installed package, which runs its build.
  if (!existsSync(join(root, 'cli/main.ts'))) return import(pathToFileURL(join(root, 'dist/cli/main.js')).href);
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    const { register } = await import('tsx/esm/api');
    register();
    return import(pathToFileURL(join(root, 'cli/main.ts')).href);
  }
  const cacheDir = join(root, 'node_modules', '.cache', 'proxima');
  const bundle = join(cacheDir, `cli-${sourceKey()}.mjs`);
  if (!existsSync(bundle)) {
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${bundle}.${process.pid}.tmp`;
    await esbuild.build({
      entryPoints: [join(root, 'cli/main.ts')],
      outfile: tmp,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      sourcemap: 'inline',
      logLevel: 'silent',
    });
    const { renameSync, readdirSync: ls, rmSync } = await import('node:fs');
    renameSync(tmp, bundle);
    // Old bundles of earlier sources are useless: keep the cache to the current one.
    for (const f of ls(cacheDir))
      if (f.startsWith('cli-') && join(cacheDir, f) !== bundle && !f.endsWith('.tmp'))
        rmSync(join(cacheDir, f), { force: true });
  }
  return import(pathToFileURL(bundle).href);
}

const { main } = await loadMain();
process.exitCode = await main(process.argv.slice(2));
