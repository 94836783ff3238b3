// The npm package as users get it: `npm pack` (which builds dist/ first), the tarball installed
// into an empty temporary project, then used with no TypeScript tooling at run time: plain Node
// imports `opt` from 'proxima' and runs a template, `npx proxima run` runs an example, and a
// TypeScript consumer type-checks against the shipped declarations. The install is offline: the
// temporary project's lockfile pins the same runtime dependencies as the repository's (taken
// from its package-lock.json, dev-only entries left out, so a dependency declared only for
// development is missing there as it would be for a user), and npm reads them from the cache
// that `npm ci` filled.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license: string;
  dependencies: Record<string, string>;
  bin: Record<string, string>;
  engines: Record<string, string>;
};

function sh(cmd: string, args: string[], cwd: string, timeout = 240_000) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, NODE_OPTIONS: '' } });
  return { code: r.status, out: r.stdout ?? '', err: r.stderr ?? '' };
}

/** A lockfile for a project depending on the tarball, with the repository's runtime dependency tree. */
function lockfile(tgz: string): object {
  const repo = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version: string; dev?: boolean; link?: boolean; resolved?: string }>;
  };
  const integrity = 'sha512-' + createHash('sha512').update(readFileSync(tgz)).digest('base64');
  const dep = `file:${tgz}`;
  const packages: Record<string, object> = {
    '': { name: 'consumer', version: '1.0.0', dependencies: { [pkg.name]: dep } },
    [`node_modules/${pkg.name}`]: {
      version: pkg.version,
      resolved: dep,
      integrity,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(repo.packages)) {
    if (!path.startsWith('node_modules/') || entry.dev || entry.link) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const resolved =
      entry.resolved ?? `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`;
    packages[path] = { ...entry, resolved };
  }
  return { name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

describe('the npm package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'proxima-pack-'));
  const project = join(dir, 'consumer');
  let tgz = '';
  let files: string[] = [];

  beforeAll(() => {
    const packed = sh('npm', ['pack', '--json', '--pack-destination', dir], ROOT, 300_000);
    expect(packed.code, packed.err).toBe(0);
    const info = JSON.parse(packed.out.slice(packed.out.indexOf('['))) as {
      filename: string;
      files: { path: string }[];
    }[];
    tgz = join(dir, info[0]!.filename);
    files = info[0]!.files.map((f) => f.path);
    spawnSync('mkdir', ['-p', project]);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'consumer',
        version: '1.0.0',
        private: true,
        type: 'module',
        dependencies: { [pkg.name]: `file:${tgz}` },
      }),
    );
    writeFileSync(join(project, 'package-lock.json'), JSON.stringify(lockfile(tgz), null, 2));
    let install = sh('npm', ['ci', '--offline', '--no-audit', '--no-fund'], project, 300_000);
    // A cache without these tarballs (not filled by `npm ci` here): fetch them.
    if (install.code !== 0 && /ENOTCACHED/.test(install.err))
      install = sh('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], project, 300_000);
    expect(install.code, install.err).toBe(0);
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ships the build, the bin and the README, and no sources, tests or examples', () => {
    for (const f of [
      'package.json',
      'README.md',
      'cli/proxima.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/main.js',
    ])
      expect(files).toContain(f);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => /^(tests|examples|bench|docs|node_modules)\//.test(f))).toEqual([]);
    // The runtime dependencies only: no TypeScript tooling is installed with it.
    for (const dev of ['tsx', 'esbuild', 'typescript', 'vitest'])
      expect(existsSync(join(project, 'node_modules', dev)), dev).toBe(false);
  });

  it('plain Node imports opt from proxima and runs a template', () => {
    writeFileSync(
      join(project, 'fit.mjs'),
      [
        "import { opt } from 'proxima';",
        'const A = [[1, 0], [0, 2], [1, 1]];',
        'const r = await opt`var x: real[n]\\nminimize sumsq(${A} @ x - ${[1, 2, 3]})`.solve();',
        'console.log(JSON.stringify({ status: r.status, x: r.values.x }));',
      ].join('\n'),
    );
    const r = sh(process.execPath, ['fit.mjs'], project);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out.trim().split('\n').pop()!) as { status: string; x: number[] };
    expect(out.status).toBe('converged');
    expect(out.x[0]).toBeCloseTo(13 / 9, 8);
    expect(out.x[1]).toBeCloseTo(10 / 9, 8);
  });

  it('npx proxima run runs an example with the built CLI', () => {
    for (const f of ['quickstart.opt', 'quickstart.json']) copyFileSync(join(ROOT, 'examples', f), join(project, f));
    const r = sh('npx', ['--offline', 'proxima', 'run', 'quickstart.opt', '--json'], project);
    expect(r.code, r.err).toBe(0);
    const res = JSON.parse(r.out) as { status: string; values: { w: number[] }; proxima: string };
    expect(res.status).toBe('converged');
    expect(res.values.w).toHaveLength(3);
    expect(res.proxima).toBe(pkg.version);
    expect(sh(join(project, 'node_modules/.bin/proxima'), ['--version'], project).out.trim()).toBe(pkg.version);
  });

  it('a TypeScript consumer type-checks against the shipped declarations', () => {
    writeFileSync(
      join(project, 'use.ts'),
      [
        "import { opt, type TemplateResult } from 'proxima';",
        'const p = opt<{ x: number[] }>`var x: real[n]\\nminimize sumsq(${[[1, 0]]} @ x - ${[1]})`;',
        'export const r: Promise<TemplateResult<{ x: number[] }>> = p.solve({ steps: 10 });',
        '// @ts-expect-error: x is number[]',
        'export const bad: Promise<string> = p.solve().then((r) => r.values.x);',
      ].join('\n'),
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ['use.ts'],
      }),
    );
    const r = sh(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.'], project);
    expect(r.out + r.err).toBe('');
    expect(r.code).toBe(0);
  });
});
