// A VI run killed mid-run (SIGKILL) and resumed from its checkpoint (`--resume`) prints the result
// of the uninterrupted run bit for bit: values, posterior, the ELBO trace, the stopping rule's
// checks, k-hat and every other diagnostic (issue #12); only the clocks differ. The checkpoint
// carries the solver state, the stopping rule's state and the trace (compiler/running/infer_loop.ts).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../cli/proxima.js');

describe('VI kill and resume', () => {
  it('SIGKILL mid-run then --resume prints the uninterrupted result in full', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vi-resume-'));
    writeFileSync(
      join(dir, 'es.json'),
      JSON.stringify({ J: 8, y: [28, 8, -3, 7, -1, 1, 18, 12], sigma: [15, 10, 16, 11, 9, 11, 10, 18] }),
    );
    const prog = join(dir, 'es.opt');
    writeFileSync(
      prog,
      readFileSync('examples/posteriordb/eight_schools-eight_schools_noncentered/model.opt', 'utf8')
        .replace('"data.json"', '"es.json"')
        .replace(/^infer vi.*$/m, 'infer vi(steps = 20000, tol = 0)'),
    );
    const runJson = (...args: string[]) => {
      const r = spawnSync(process.execPath, [BIN, 'run', prog, '--json', ...args], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    const full = runJson();
    const ck = join(dir, 'run.ckpt');
    const child = spawn(process.execPath, [BIN, 'run', prog, '--checkpoint', ck, '--checkpoint-every', '200'], {
      stdio: 'ignore',
    });
    const exited = new Promise((r) => child.on('exit', r));
    const t0 = Date.now();
    while (!existsSync(ck) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 20));
    // 20,000 steps take seconds even on the js backend: the kill lands mid-run.
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    await exited;
    const saved = JSON.parse(readFileSync(ck, 'utf8')) as {
      state: { state: { step: number; stop: unknown; trace: unknown } };
    };
    // The vi entry's state (stdlib/vi/method.ts): the optimizer's, the stopping rule's, the trace.
    expect(saved.state.state.step).toBeLessThan(20000);
    expect(saved.state.state.stop).toBeDefined();
    expect(saved.state.state.trace).toBeDefined();
    const resumed = runJson('--checkpoint', ck, '--resume');
    const strip = (r: Record<string, unknown>) => ({ ...r, time_ms: 0, compile_ms: 0 });
    expect(strip(resumed)).toEqual(strip(full));
    expect((full.diagnostics as { elbo_trace: number[] }).elbo_trace.length).toBeGreaterThan(10);
  }, 300_000);
});
