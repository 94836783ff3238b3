// Adding a method is its rule file and its table entry (issue #13's "Done when"): Lion (Chen et
// al. 2023) was added by exactly the files in LION_FILES, and it is a real method: reachable as
// `solve lion(lr = ...)` from .opt, its options checked, listed in the options table (`proxima
// methods`), checkpointable and resumable bit for bit, its update the paper's. The last test
// checks that no other file in the repository needed to mention it.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, run } from '../../index.js';
import { ops as P, runRef, trace } from '../../runtime/index.js';
import { methodList, methodTable, optionsTable, withDefaults, type Checkpoint } from '../../stdlib/index.js';

/** The whole diff that added Lion: its rule file, the table's line, and this test. */
const LION_FILES = ['stdlib/optim/lion.ts', 'stdlib/methods/table.ts', 'tests/stdlib/lion.test.ts'];

const ROOT = join(import.meta.dirname, '../..');
const quad = (solve: string) => ({
  file: 'lion.opt',
  source: `var x: real[3]\nminimize sumsq(x - [1, -2, 0.5]) + 0.1 * sumsq(x)\nsolve ${solve}\n`,
});
const xStar = [1, -2, 0.5].map((c) => c / 1.1);

describe('lion, a method added by its rule file and its table entry', () => {
  it('runs from .opt as `solve lion(...)` and reaches the minimizer', async () => {
    const r = await run(quad('lion(lr = 0.02, schedule = cosine, steps = 3000)'), { backend: 'ref' });
    expect(r.status).not.toBe('error');
    expect(r.options).toMatchObject({ method: 'lion', lr: 0.02, beta1: 0.9, beta2: 0.99, weight_decay: 0 });
    (r.values.x as number[]).forEach((v, i) => expect(Math.abs(v - xStar[i]!)).toBeLessThan(1e-3));
  });

  it('checks its options like every method', () => {
    const bad = check(quad('lion(beta1 = 1.5, wd = 0.1)'));
    const text = bad.messages.map((m) => `${m.message} ${m.hint ?? ''}`).join('\n');
    expect(text).toMatch(/lion\(beta1 = \.\.\.\): must lie strictly between 0 and 1, got 1.5/);
    expect(text).toMatch(/lion has no option `wd`/);
  });

  it('is documented in the options table', () => {
    const row = optionsTable(methodList)
      .split('\n')
      .find((l) => l.startsWith('| `lion`'));
    expect(row).toMatch(/Chen et al\. 2023/);
    expect(row).toMatch(/lr \(0\.0001, > 0\)/);
    expect(row).toMatch(/beta1 \(0\.9, in \(0, 1\)\).*beta2 \(0\.99, in \(0, 1\)\).*weight_decay \(0, >= 0\)/);
  });

  it('checkpoints and resumes bit for bit', async () => {
    const prog = quad('lion(lr = 0.01, steps = 300, tol = 0, weight_decay = 0.1)');
    const full = await run(prog, { backend: 'ref' });
    const saved: Checkpoint[] = [];
    await run(prog, {
      backend: 'ref',
      steps: 300,
      checkpoint: { every: 100, save: (s) => saved.push(JSON.parse(JSON.stringify(s))) },
    });
    expect(saved[1]).toMatchObject({ method: 'lion', state: { method: 'lion', step: 200 } });
    const resumed = await run(prog, { backend: 'ref', checkpoint: { every: 1000, save: () => {}, resume: saved[1] } });
    expect(resumed.values).toEqual(full.values);
    expect(resumed.objective).toBe(full.objective);
  });

  it('updates as the paper: x -= lr (sign(b1 m + (1 - b1) g) + wd x), m = b2 m + (1 - b2) g', () => {
    const o = { ...withDefaults(methodTable.lion.options, {}), weight_decay: 0.5 } as never;
    const g = trace(
      (x, grad, m) => {
        const r = methodTable.lion.graph.update(x, grad, [m], P.constant(0.1), P.constant(1), o);
        return [r.x, r.s[0]!];
      },
      [[3], [3], [3]],
    );
    const [x1, m1] = runRef(g, [
      { data: Float64Array.of(1, -1, 2), shape: [3] },
      { data: Float64Array.of(0.5, 2, -3), shape: [3] },
      { data: Float64Array.of(-1, -1, 1), shape: [3] },
    ]).map((a) => Array.from(a.data));
    // c = 0.9 m + 0.1 g = (-0.85, -0.7, 0.6): sign (-1, -1, 1).
    expect(x1).toEqual(
      [1 - 0.1 * (-1 + 0.5), -1 - 0.1 * (-1 - 0.5), 2 - 0.1 * (1 + 1)].map((v) => expect.closeTo(v, 12)),
    );
    expect(m1).toEqual(
      [0.99 * -1 + 0.01 * 0.5, 0.99 * -1 + 0.01 * 2, 0.99 * 1 + 0.01 * -3].map((v) => expect.closeTo(v, 12)),
    );
  });

  it('no file outside its rule, its table entry and this test names it', () => {
    const mentions: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir)) {
        if (['node_modules', '.git', 'dist', '.cache'].includes(e)) continue;
        const p = join(dir, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(ts|js|mjs|cjs|md|opt|json)$/.test(e) && e !== 'package-lock.json') {
          if (/\blion\b/i.test(readFileSync(p, 'utf8'))) mentions.push(relative(ROOT, p));
        }
      }
    };
    walk(ROOT);
    expect(mentions.sort()).toEqual([...LION_FILES].sort());
  });
});
