// The browser build: the library (index.ts: compiler, stdlib, runtime) bundles for the browser
// with the platform seam bound to its browser implementation and pulls in no `node:` module; an
// entry that does import one fails the build (so a regression cannot slip through silently).
// No browser needed.

import { describe, it, expect } from 'vitest';
import * as esbuild from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserOptions, nodeModulesIn, ROOT } from '../../web/browser_build.js';

const bundle = (entry: string) =>
  esbuild.build({ ...browserOptions(), entryPoints: [entry], write: false, outdir: '/out', sourcemap: false });

describe('the browser bundle', () => {
  it('holds the library and no Node module', async () => {
    const r = await bundle(join(ROOT, 'index.ts'));
    expect(nodeModulesIn(r.metafile!)).toEqual([]);
    const inputs = Object.keys(r.metafile!.inputs);
    expect(inputs).toContain('runtime/platform/browser.ts');
    expect(inputs).not.toContain('runtime/platform/node.ts');
    expect(inputs).toContain('compiler/api.ts');
    // MCMC chains run in one thread in a browser (no worker_threads).
    expect(inputs).toContain('compiler/running/mcmc_threads_browser.ts');
    expect(inputs).not.toContain('compiler/running/mcmc_threads.ts');
  }, 120_000);

  it('fails when an entry imports a node: module', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxima-bundle-'));
    try {
      const entry = join(dir, 'uses_fs.ts');
      writeFileSync(entry, "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n");
      await expect(bundle(entry)).rejects.toThrow(/node:fs/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
