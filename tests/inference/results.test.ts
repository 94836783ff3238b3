// Inference results beyond the numbers: the CLI's --draws / --draws-out (CSV with 0-based
// Stan-style column names, JSON in declared shapes), user-written guide blocks, generate
// quantities, and checkpoint/resume of a VI run (bit-identical: keys come from seed and step).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../index.js';
import type { Checkpoint } from '../../stdlib/index.js';

const MODEL = `data { N: int; y: real[N] }
param { mu: real; s: real > 0; w: real[2] }
model {
  mu ~ Normal(0, 10)
  s ~ LogNormal(0, 1)
  w ~ Normal(0, 1)
  y ~ Normal(mu + w[0] - w[1], s)
}
generate { y_rep ~ Normal(mu, s) }
`;
const DATA = { N: 6, y: [1, 2, 0.5, 1.5, 1.2, 3] };

describe('inference results', () => {
  it('proxima run --draws N --draws-out writes CSV and JSON draws', () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxima-vi-'));
    writeFileSync(join(dir, 'm.opt'), MODEL + 'infer vi(guide = full_rank)\n');
    writeFileSync(join(dir, 'd.json'), JSON.stringify(DATA));
    const cli = (out: string) =>
      spawnSync(
        process.execPath,
        [
          'cli/proxima.js',
          'run',
          join(dir, 'm.opt'),
          '--data',
          join(dir, 'd.json'),
          '--draws',
          '7',
          '--draws-out',
          join(dir, out),
          '--json',
        ],
        { encoding: 'utf8' },
      );
    const r = cli('draws.csv');
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.options.draws).toBe(7);
    expect(Object.keys(res.posterior)).toEqual(['mu', 's', 'w', 'y_rep']);
    const lines = readFileSync(join(dir, 'draws.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('mu,s,w[0],w[1],y_rep');
    expect(lines.length).toBe(8);
    expect(
      lines.slice(1).every((l) => l.split(',').length === 5 && l.split(',').every((x) => Number.isFinite(Number(x)))),
    ).toBe(true);
    expect(cli('draws.json').status).toBe(0);
    const j = JSON.parse(readFileSync(join(dir, 'draws.json'), 'utf8'));
    expect(j.w.length).toBe(7);
    expect(j.w[0].length).toBe(2);
    expect(j.s.every((x: number) => x > 0)).toBe(true);
  });

  it('a user guide block: its params are fitted and its draws are the posterior', async () => {
    const src =
      MODEL.replace('param { mu: real; s: real > 0; w: real[2] }', 'param { mu: real; s: real > 0 }')
        .replace('  w ~ Normal(0, 1)\n', '')
        .replace('mu + w[0] - w[1]', 'mu') +
      'guide {\n  param m: real\n  param logsd: real = -1\n  param a: real\n  param b: real > 0 = 0.3\n  mu ~ Normal(m, exp(logsd))\n  s ~ LogNormal(a, b)\n}\ninfer vi(guide = guide, steps = 2000, optimizer = adam(lr = 0.05))\n';
    const r = await run({ source: src, file: 'g.opt' }, { data: DATA, backend: 'ref' });
    expect(r.status).not.toBe('error');
    // The exact posterior mean of mu is near the sample mean 1.53; sd near s / sqrt(6).
    expect(r.values.mu as number).toBeGreaterThan(1.2);
    expect(r.values.mu as number).toBeLessThan(1.9);
    expect(r.posterior!.s!.q05 as number).toBeGreaterThan(0);
    expect(r.posterior!.y_rep).toBeDefined();
  });

  it('a guide that misses a param is an error that names it', async () => {
    const r = await run(
      { source: MODEL + 'guide {\n  param m: real\n  mu ~ Normal(m, 1)\n}\ninfer vi(guide = guide)\n', file: 'g.opt' },
      { data: DATA },
    );
    expect(r.status).toBe('error');
    expect(r.messages.map((m) => m.message).join()).toMatch(/does not draw the param `s`/);
  });

  it('checkpoint and resume give the uninterrupted VI result bit for bit', async () => {
    const src = { source: MODEL + 'infer vi(guide = mean_field, steps = 700)\n', file: 'c.opt' };
    const full = await run(src, { data: DATA, backend: 'ref', draws: 100 });
    const saved: Checkpoint[] = [];
    await run(src, {
      data: DATA,
      backend: 'ref',
      draws: 100,
      checkpoint: { every: 100, save: (s) => saved.push(JSON.parse(JSON.stringify(s))) },
      shouldStop: () => saved.length >= 1,
    });
    expect(saved.length).toBeGreaterThan(0);
    const resumed = await run(src, {
      data: DATA,
      backend: 'ref',
      draws: 100,
      checkpoint: { every: 100, save: () => {}, resume: saved[0] },
    });
    // The whole result: values, posterior, messages and every diagnostic (the ELBO trace and
    // the stopping rule's checks included); only the clocks differ.
    const strip = (r: typeof full) => ({ ...r, time_ms: 0, compile_ms: 0 });
    expect(strip(resumed)).toEqual(strip(full));
  });
});
