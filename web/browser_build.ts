// esbuild settings for everything Proxima ships to a browser (the library bundle, the
// playground, the browser test pages): ESM for browsers, the platform seam bound to its browser
// implementation, and the few Node-isms of dependencies defined away. A build that would pull in
// a `node:` module fails (esbuild cannot resolve Node built-ins for the browser platform), and
// `nodeModulesIn` lets a test say so explicitly.

import type { BuildOptions, Metafile, Plugin } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is web/browser_build.ts). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The GPU worker entry: every output folder needs it as gpu_worker.js beside its bundles
 * (runtime/platform/browser.ts starts it from there). */
export const GPU_WORKER_ENTRY = join(ROOT, 'runtime', 'backends', 'remote', 'worker_browser.ts');

/** Node-only modules and their browser implementations (same exports), swapped at build time:
 * the platform seam's face binds to browser.ts, and MCMC chains run in one thread. */
const BROWSER_SWAPS = new Map([
  [join(ROOT, 'runtime', 'platform', 'node.ts'), join(ROOT, 'runtime', 'platform', 'browser.ts')],
  [join(ROOT, 'compiler', 'running', 'mcmc_threads.ts'), join(ROOT, 'compiler', 'running', 'mcmc_threads_browser.ts')],
]);

const browserSwap: Plugin = {
  name: 'proxima-browser-swaps',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      const target = resolve(dirname(args.importer), args.path.replace(/\.js$/, '.ts'));
      const swap = BROWSER_SWAPS.get(target);
      return swap ? { path: swap } : undefined;
    });
  },
};

export function version(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Options shared by every browser bundle; callers add entry points and outputs. */
export function browserOptions(): BuildOptions {
  return {
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    absWorkingDir: ROOT,
    plugins: [browserSwap],
    define: {
      PROXIMA_BUILD_VERSION: JSON.stringify(version()),
      // grammar/tokens.ts reads one setting from the environment; a page has none.
      'process.env.PROXIMA_VALIDATE_GRAMMAR': 'undefined',
    },
    logLevel: 'silent',
    metafile: true,
    sourcemap: 'linked',
  };
}

/** The Node built-in modules a build's inputs import (none is allowed). */
export function nodeModulesIn(meta: Metafile): string[] {
  const found = new Set<string>();
  for (const [file, input] of Object.entries(meta.inputs)) {
    if (file.startsWith('node:')) found.add(file);
    for (const imp of input.imports) if (imp.path.startsWith('node:')) found.add(`${imp.path} (from ${file})`);
  }
  return [...found];
}
