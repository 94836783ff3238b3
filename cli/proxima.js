#!/usr/bin/env node
// The `proxima` bin. An installed package runs its built JavaScript (dist/, from `npm run build`;
// the package ships no TypeScript). In a clone it runs the TypeScript sources with no build step: on the
// first run (and whenever a source file changes) esbuild bundles the CLI into one ES module in
// node_modules/.cache/proxima/<checkout>/, keyed by the sources' paths, sizes and mtimes; later
// runs import that bundle directly, without loading esbuild. The bundle holds our sources and
// chevrotain (whose lodash-es is hundreds of small modules: loading them one by one cost ~0.4 s);
// tfjs is left outside and imported only when a tfjs backend runs. If esbuild is unavailable, it
// falls back to tsx's loader.
//
// The cache is shared by concurrent runs, also from different checkouts that share one
// node_modules: each checkout has its own folder (named by a hash of its path), a bundle is
// written under a unique temporary name and renamed into place (atomic), a run never deletes a
// bundle that another run may be about to read (only bundles unused for a day are collected,
// and a run marks its bundle used before importing it), and a bundle that vanished anyway is
// rebuilt rather than failing the run.
//
// Ctrl-C during start-up is recorded here and handed to the CLI, which reports it like any
// other interrupted run (one JSON object under --json); a second Ctrl-C leaves at once.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

let earlyInterrupts = 0;
function onEarlyInterrupt() {
  earlyInterrupts++;
  if (earlyInterrupts < 2) return;
  const argv = process.argv.slice(2);
  if (argv.includes('--json')) process.stdout.write(JSON.stringify(stoppedEarly(argv)) + '\n');
  else process.stderr.write('proxima: stopped (Ctrl-C) before the run started\n');
  process.exit(130);
}
process.on('SIGINT', onEarlyInterrupt);

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['cli', 'compiler', 'grammar', 'runtime', 'stdlib'];
const STALE_MS = 24 * 3600 * 1000;

/** The one JSON object for a second Ctrl-C before the CLI loaded (docs/result.schema.json). */
function stoppedEarly(argv) {
  let version = '0.0.0';
  try {
    version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  } catch {
    // keep the placeholder
  }
  const file = argv.find((a, i) => i > 0 && a.endsWith('.opt')) ?? 'proxima';
  const message = {
    severity: 'error',
    message: 'stopped (Ctrl-C) before the run started',
    file,
    line: 1,
    col: 1,
    endLine: 1,
    endCol: 1,
  };
  if (argv[0] === 'check')
    return {
      schema: 1,
      proxima: version,
      ok: false,
      messages: [message],
      decomposition: null,
      algorithm: null,
      estimators: null,
    };
  return {
    schema: 1,
    proxima: version,
    status: 'stopped',
    objective: null,
    steps: 0,
    time_ms: 0,
    compile_ms: 0,
    backend: 'none',
    seed: 1,
    options: {},
    values: {},
    posterior: null,
    messages: [message],
    diagnostics: {},
  };
}

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
  for (const f of ['index.ts', 'package.json', 'cli/proxima.js']) {
    const s = statSync(join(root, f));
    h.update(`${f}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return h.digest('hex').slice(0, 16);
}

async function build(esbuild, bundle) {
  const tmp = `${bundle}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
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
    renameSync(tmp, bundle);
  } catch (e) {
    rmSync(tmp, { force: true });
    // Another run renamed the same bundle into place first (Windows refuses the second rename).
    if (!existsSync(bundle)) throw e;
  }
}

/** Bundles (and orphaned temporaries) of this checkout unused for a day: nobody is about to read them. */
function collect(cacheDir, keep) {
  const now = Date.now();
  for (const f of readdirSync(cacheDir)) {
    const p = join(cacheDir, f);
    if (p === keep || !f.startsWith('cli-')) continue;
    try {
      if (now - statSync(p).mtimeMs > STALE_MS) rmSync(p, { force: true });
    } catch {
      // removed by another run meanwhile
    }
  }
}

async function loadMain() {
  // No sources beside the bin: an installed package, which runs its build.
  if (!existsSync(join(root, 'cli/main.ts'))) return import(pathToFileURL(join(root, 'dist/cli/main.js')).href);
  const checkout = createHash('sha256').update(root).digest('hex').slice(0, 12);
  const cacheDir = join(root, 'node_modules', '.cache', 'proxima', checkout);
  const bundle = join(cacheDir, `cli-${sourceKey()}.mjs`);
  for (let attempt = 0; ; attempt++) {
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
      await build(esbuild, bundle);
      collect(cacheDir, bundle);
    }
    try {
      const t = new Date();
      utimesSync(bundle, t, t); // in use: keeps it from being collected
      return await import(pathToFileURL(bundle).href);
    } catch (e) {
      if (e?.code !== 'ENOENT' || attempt > 0) throw e;
    }
  }
}

const { main } = await loadMain();
// main installs its own SIGINT handler before its first await; only then is this one removed.
const done = main(process.argv.slice(2), { interrupts: earlyInterrupts });
process.off('SIGINT', onEarlyInterrupt);
process.exitCode = await done;
