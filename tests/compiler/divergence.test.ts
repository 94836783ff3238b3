// Runs that run away end `diverged` (exit 3) with the likely cause, and never `converged`
// (issues #12 and #13): the unbounded-objective cases of #12 through the real CLI, the entropic
// optimal-transport dual of #13 whose random start overflows exp (it used to report `converged`
// at step 1 with objective -2e124), the reason's numbers agreeing with the printed objective,
// and the analysis' warning at `check` for an objective linear in an unbounded var.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, run } from '../../index.js';
import { formatNumber } from '../../stdlib/index.js';

const BIN = join(import.meta.dirname, '../../cli/proxima.js');
const dir = mkdtempSync(join(tmpdir(), 'proxima-div-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, 'run', ...args, '--json'], { encoding: 'utf8', timeout: 60_000 });
  return {
    code: r.status,
    json: JSON.parse(r.stdout) as { status: string; objective: number; diagnostics: Record<string, unknown> },
  };
};

const examples = join(import.meta.dirname, '../../examples');
const sora = readFileSync(join(examples, 'sora.opt'), 'utf8');
/** The program with sora's data beside it. */
const withData = (p: string) => (copyFileSync(join(examples, 'sora.json'), join(dir, 'sora.json')), p);

describe('unbounded objectives end diverged with exit 3 (#12)', () => {
  const cases: [string, string[]][] = [
    ['quickstart with lambda = -1 (a concave ridge)', ['examples/quickstart.opt', '--set', 'lambda=-1']],
    ['minimize sum(x) with x free', [file('linear.opt', 'var x: real[2]\nminimize sum(x)\n')]],
    ['minimize -exp(x)', [file('negexp.opt', 'var x: real\nminimize -exp(x)\n')]],
    [
      'sora with lr = 100 (a step size too large)',
      [withData(file('sora_lr.opt', sora.replace(/lr = [\d.]+/, 'lr = 100')))],
    ],
  ];
  it.each(cases)(
    '%s',
    (_name, args) => {
      const r = cli(...args);
      expect(r.json.status).toBe('diverged');
      expect(r.code).toBe(3);
      const reason = r.json.diagnostics.stop_reason as string;
      expect(reason).toMatch(/unbounded|overflows|step size is likely too large/);
      // The reason's last objective is the printed objective (user's sign, 3 digits).
      const m = /(?:to|became) (\S+) at step/.exec(reason);
      if (m && r.json.objective !== null) expect(m[1]).toBe(formatNumber(r.json.objective));
    },
    60_000,
  );
});

describe('converged on garbage (#13)', () => {
  const n = 10;
  const xs = Array.from({ length: n }, (_, i) => i / (n - 1));
  const ys = Array.from({ length: n }, (_, i) => (i + 0.5) / n);
  const data = {
    a: new Array(n).fill(1 / n),
    b: new Array(n).fill(1 / n),
    C: xs.map((x) => ys.map((y) => (x - y) ** 2)),
    u: new Array(n).fill(1),
  };
  const ot = (start: string) => ({
    file: 'ot.opt',
    source: `// entropic optimal transport, the dual, eps = 0.01
data {
  a: real[n]
  b: real[n]
  C: real[n, n]
  u: real[n]
}
let eps = 0.01
var f: real[n]
var g: real[n]
maximize dot(a, f) + dot(b, g) - eps * sum(exp((outer(f, u) + outer(u, g) - C) / eps))
${start}solve newton_cg
`,
  });

  it('the random start overflows exp: diverged, naming the overflow and the missing start', async () => {
    const r = await run(ot(''), { data, backend: 'ref' });
    expect(r.status).toBe('diverged');
    const reason = r.diagnostics.stop_reason as string;
    expect(reason).toMatch(/at the starting point: it overflows \(an exp/);
    expect(r.messages.at(-1)!.hint).toMatch(/give a `start`/);
    expect(r.diagnostics.divergence).toMatchObject({ cause: 'overflow', step: 0 });
  });

  it('with a start it converges, and the test it prints holds', async () => {
    const r = await run(ot('start f = 0\nstart g = 0\n'), { data, backend: 'ref' });
    expect(r.status).toBe('converged');
    expect(r.diagnostics.stop_reason).toMatch(/gradient norm .* <= /);
    expect(r.diagnostics.gradient_norm as number).toBeLessThanOrEqual(1e-8 * Math.max(1, Math.abs(r.objective!)));
  });
});

describe('check warns about objectives it can see are unbounded', () => {
  it('linear in a var nothing bounds', () => {
    const c = check({ file: 'lin.opt', source: 'var x: real[2]\nvar y: real\nminimize sum(x) + y^2\n' });
    const w = c.messages.filter((m) => m.severity === 'warning');
    expect(w.map((m) => m.message)).toEqual([
      'the objective is linear in `x` and nothing bounds `x`: it is unbounded below unless the coefficient of `x` is zero',
    ]);
  });
  it('not when a constraint, a domain or a penalty bounds it', () => {
    for (const src of [
      'var x: real[2]\nminimize sum(x)\nsubject to { x >= 0 }',
      'var x: real[2] >= 0\nminimize sum(x)',
      'var x: real[2]\nminimize sum(x) + norm1(x)',
      'var x: real[2]\nminimize sum(x) + sumsq(x)',
    ])
      expect(check({ file: 'b.opt', source: src }).messages.filter((m) => /linear in/.test(m.message))).toEqual([]);
  });
});
