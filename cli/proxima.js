#!/usr/bin/env node
// The `proxima` bin. An installed package runs its built JavaScript (dist/, from `npm run build`;
// the package ships no TypeScript). In a clone it runs the TypeScript sources with no build step:
// on the first run (and whenever a source file changes) esbuild bundles the CLI into one ES module in
// node_modules/.cache/proxima, keyed by the sources' paths, sizes and mtimes; later runs import
// that bundle directly, without loading esbuild. The bundle holds our sources and chevrotain
// (whose lodash-es is hundreds of small modules: loading them one by one cost ~0.4 s); tfjs is
// left outside and imported only when a tfjs backend runs. If esbuild is unavailable, it falls
// back to tsx's loader.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['cli', 'compiler', 'grammar', 'runtime', 'stdlib'];

/**
 * The bundle's cache key: paths, sizes and mtimes of the sources (FNV-style, no crypto module to
 * load).
 */
function sourceKey() {
  let h1 = 0x811c9dc5,
    h2 = 0x1b873593;
  const mix = (p) => {
    const s = statSync(p);
    const text = `${p}\0${s.size}\0${s.mtimeMs}\n`;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
  };
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') || e.name === 'package.json') mix(p);
    }
  };
  for (const d of SOURCE_DIRS) walk(join(root, d));
  for (const f of ['index.ts', 'package.json', 'cli/proxima.js']) mix(join(root, f));
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

async function loadMain() {
  // No sources beside the bin: an installed package, which runs its build.
  if (!existsSync(join(root, 'cli/main.ts'))) return import(pathToFileURL(join(root, 'dist/cli/main.js')).href);
  const cacheDir = join(root, 'node_modules', '.cache', 'proxima');
  const bundle = join(cacheDir, `cli-${sourceKey()}.mjs`);
  if (!existsSync(bundle)) {
    let esbuild;
    try {
      esbuild = await import('esbuild');
    } catch {
      const { register } = await import('tsx/esm/api');
      register();
      return import(pathToFileURL(join(root, 'cli/main.ts')).href);
    }
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${bundle}.${process.pid}.tmp`;
    await esbuild.build({
      entryPoints: [join(root, 'cli/main.ts')],
      outfile: tmp,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // chevrotain (and its lodash-es, hundreds of small modules) is bundled: one file to load.
      // tfjs stays outside and is imported only when a tfjs backend runs.
      external: ['@tensorflow/*', 'esbuild', 'tsx'],
      minifyWhitespace: true,
      minifySyntax: true,
      legalComments: 'none',
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
