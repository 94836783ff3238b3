// `check` prints the plan that `run` executes (issue #13): over every example with `infer vi` and
// the test programs with latents (discrete latents, `via` on continuous params, a Categorical
// with a literal probability vector: the case where check said REINFORCE and run enumerated),
// `proxima check --json`'s `estimators` equals the run's `diagnostics.estimators`. Both come
// from compiler/analysis/site_plan.ts on the same data-free program; the run hands the plan to
// the estimator as every site's `via`. The runs are one step long: only the plan matters here.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../index.js';

function optFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? optFiles(p) : p.endsWith('.opt') ? [p] : [];
  });
}

const EIGHT_SCHOOLS = { J: 8, y: [28, 8, -3, 7, -1, 1, 18, 12], sigma: [15, 10, 16, 11, 9, 11, 10, 18] };
const examples = optFiles('examples').filter((f) => /^infer vi/m.test(readFileSync(f, 'utf8')));

const inline: Record<string, { source: string; data?: Record<string, unknown> }> = {
  'bernoulli, enumeration': {
    source: `data { y: real[2] }\nparam z: int[2]\nmodel {\n  z ~ Bernoulli(0.3)\n  y ~ Normal(2 * z - 1, 1)\n}\ninfer vi\n`,
    data: { y: [0.4, -0.8] },
  },
  'bernoulli, iwae': {
    source: `data { y: real[2] }\nparam z: int[2]\nmodel {\n  z ~ Bernoulli(0.3)\n  y ~ Normal(2 * z - 1, 1)\n}\ninfer vi(objective = iwae(k = 3))\n`,
    data: { y: [0.4, -0.8] },
  },
  'categorical with a literal probability vector': {
    source: `param a: int\nmodel {\n  a ~ Categorical([1, 1, 1] / 3)\n  target += 1 + a\n}\ninfer vi\n`,
  },
  'categorical with data-sized probabilities': {
    source: `data { K: int; w: real[K] }\nparam a: int\nmodel {\n  a ~ Categorical(w)\n  target += a\n}\ninfer vi\n`,
    data: { K: 3, w: [0.2, 0.3, 0.5] },
  },
  'a user objective': {
    source: `param a: int\nmodel {\n  a ~ Categorical([1, 1, 1] / 3)\n  target += 1 + a\n}\nobjective reward = expect(logp)\ninfer vi(objective = reward)\n`,
  },
  'continuous via mvd and reinforce': {
    source: `data { y: real[3] }\nparam { mu: real; s: real > 0 }\nmodel {\n  mu ~ Normal(0, 1) via mvd\n  s ~ LogNormal(0, 1) via reinforce(baseline = mean)\n  y ~ Normal(mu, s)\n}\ninfer vi\n`,
    data: { y: [0.8, 1.6, 1.1] },
  },
  'a guide block': {
    source: `data { y: real[3] }\nparam mu: real\nmodel {\n  mu ~ Normal(0, 1)\n  y ~ Normal(mu, 1)\n}\nguide {\n  param m: real = 0\n  mu ~ Normal(m, 0.5)\n}\ninfer vi(guide = guide)\n`,
    data: { y: [0.8, 1.6, 1.1] },
  },
};

function cliPlan(file: string): unknown {
  const r = spawnSync(process.execPath, ['cli/proxima.js', 'check', file, '--json'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status, r.stderr + r.stdout).toBe(0);
  return (JSON.parse(r.stdout) as { estimators: unknown }).estimators;
}

describe('check --json prints the plan run executes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plan-'));
  const cases: { label: string; file: string; data?: Record<string, unknown> }[] = [
    ...examples.map((f) => ({ label: f, file: f, data: f.endsWith('eight_schools.opt') ? EIGHT_SCHOOLS : undefined })),
    ...Object.entries(inline).map(([label, p]) => {
      const file = join(dir, `${label.replace(/\W+/g, '_')}.opt`);
      writeFileSync(file, p.source);
      return { label, file, data: p.data };
    }),
  ];
  for (const c of cases) {
    it(
      c.label,
      async () => {
        const printed = cliPlan(c.file);
        expect(Array.isArray(printed) && printed.length > 0, JSON.stringify(printed)).toBe(true);
        const r = await run(c.file, { backend: 'ref', steps: 1, draws: 20, data: c.data });
        expect(r.status, JSON.stringify(r.messages)).not.toBe('error');
        expect(r.diagnostics.estimators).toEqual(printed);
      },
      120_000,
    );
  }
});
