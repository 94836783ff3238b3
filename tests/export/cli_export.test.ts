// `proxima export` as users run it (the real CLI, spawned): a package written with its notes,
// a refusal that lists what is missing (exit 1, no stack trace), and a usage error (exit 1).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '../../cli/proxima.js');
const EX = join(import.meta.dirname, '../../examples');
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('proxima export', () => {
  it('writes the package and says which rows it shards', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'proxima-cli-export-')), 'qs');
    const r = cli('export', join(EX, 'quickstart.opt'), '--to', 'torch', '--out', out);
    expect(r.code).toBe(0);
    for (const f of ['model.py', 'driver.py', 'data.json', 'program.json']) expect(existsSync(join(out, f))).toBe(true);
    expect(r.err).toMatch(/rows: 200 \(the leading dimension of X, y\)/);
    const model = readFileSync(join(out, 'model.py'), 'utf8');
    expect(model).toMatch(/def objective\(theta, X, y, lambda_, n\):/);
    expect(model).toMatch(/w = theta\[0:3\]/);
  });
  it('refuses lasso, naming the method, with exit 1 and no stack trace', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'proxima-cli-export-')), 'lasso');
    const r = cli('export', join(EX, 'lasso.opt'), '--to', 'torch', '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot export to torch; missing:\n\s+- method fista/);
    expect(r.err).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(existsSync(out)).toBe(false);
  });
  it('--to other than torch is a usage error', () => {
    const r = cli('export', join(EX, 'quickstart.opt'), '--to', 'onnx');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--to must be torch, not `onnx`/);
  });
});
