// `infer nuts` / `infer hmc` from .opt programs: eight schools against Stan's reference posterior
// at default settings, the centred funnel's divergences and the advice to reparameterize, the same
// draws on worker threads as in one thread, bit-identical resume from a checkpoint taken on
// Ctrl-C, `generate` per draw, the draws table's chain column, and the refusal of discrete latents.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run, type RunResult } from '../../index.js';
import type { DrawTable } from '../../compiler/running/draws.js';

const ref = JSON.parse(
  readFileSync(
    new URL('../posteriordb/eight_schools-eight_schools_noncentered/reference.json', import.meta.url),
    'utf8',
  ),
) as { params: Record<string, { mean: number; sd: number }> };

const NC = 'examples/mcmc/eight_schools_noncentered.opt';
const source = (body: string) => ({ file: 'tests/mcmc/inline.opt', source: body });
const eight = `data { J: int; y: real[J]; sigma: real[J] > 0 }
param { mu: real; tau: real > 0; eta: real[J] }
model {
  mu ~ Normal(0, 5)
  tau ~ Cauchy(0, 5)
  eta ~ Normal(0, 1)
  y ~ Normal(mu + tau * eta, sigma)
}
generate { theta = mu + tau * eta }
`;
const eightData = JSON.parse(readFileSync('examples/mcmc/eight_schools.json', 'utf8')) as Record<string, unknown>;
const scalar = (v: unknown, i?: number) => (i === undefined ? (v as number) : (v as number[])[i]!);

describe('eight schools', () => {
  it('non-centred, default settings: Stan reference within 0.1 sd (means) and 10 % (sds), R-hat < 1.01, no divergences', async () => {
    const r = await run(NC);
    expect(r.status).toBe('converged');
    expect(r.diagnostics.divergences).toBe(0);
    expect(r.diagnostics.rhat_max as number).toBeLessThan(1.01);
    const post = r.posterior!;
    for (const [name, s] of Object.entries(ref.params)) {
      // Stan names: theta_trans[1] is eta[0], theta[3] is theta[2].
      const m = /^(\w+?)(?:\[(\d+)\])?$/.exec(name)!;
      const ours = m[1] === 'theta_trans' ? 'eta' : m[1]!;
      const i = m[2] ? Number(m[2]) - 1 : undefined;
      const mean = scalar(post[ours]!.mean, i);
      const sd = scalar(post[ours]!.sd, i);
      expect(Math.abs(mean - s.mean) / s.sd, `${name} mean ${mean} vs ${s.mean}`).toBeLessThan(0.1);
      expect(Math.abs(sd / s.sd - 1), `${name} sd ${sd} vs ${s.sd}`).toBeLessThan(0.1);
    }
  });

  it('centred: divergences are reported, with the advice to reparameterize', async () => {
    const r = await run('examples/mcmc/eight_schools_centered.opt');
    expect(r.status).toBe('max_steps');
    expect(r.diagnostics.divergences as number).toBeGreaterThan(0);
    const w = r.messages.find((m) => m.message.includes('divergent transition'))!;
    expect(w.severity).toBe('warning');
    expect(w.hint).toMatch(/reparameterize.*non-centred/);
    expect((r.diagnostics.divergent_iterations as number[][]).flat().every((i) => i > 1000 && i <= 2000)).toBe(true);
  });
});

describe('runs', () => {
  const small = `${eight}infer nuts(warmup = 150, draws = 100, chains = 3)\n`;

  it('threads give the same draws as one thread', async () => {
    const tables: DrawTable[] = [];
    const a = await run(source(small), {
      data: eightData,
      threads: 1,
      onDraws: (t: DrawTable) => tables.push(t),
    } as never);
    const b = await run(source(small), {
      data: eightData,
      threads: 2,
      onDraws: (t: DrawTable) => tables.push(t),
    } as never);
    expect(a.diagnostics.threads).toBe(1);
    expect(b.diagnostics.threads).toBe(2);
    expect(JSON.stringify(b.posterior)).toBe(JSON.stringify(a.posterior));
    expect(Array.from(tables[1]!.variables[0]!.data)).toEqual(Array.from(tables[0]!.variables[0]!.data));
  });

  for (const threads of [1, 2])
    it(`resumes bit for bit from the checkpoint of a stopped run (${threads} thread${threads > 1 ? 's' : ''})`, async () => {
      const whole = await run(source(small), { data: eightData, threads } as never);
      let saved: unknown = null;
      // Stop once a quarter of the iterations ran (a count of progress calls would depend on speed).
      let done = 0;
      const first = await run(source(small), {
        data: eightData,
        threads,
        checkpoint: { every: 20, save: (s: unknown) => (saved = JSON.parse(JSON.stringify(s))) },
        onProgress: (p: { step: number; steps: number }) => (done = p.step / p.steps),
        shouldStop: () => done > 0.25,
      } as never);
      expect(first.status).toBe('stopped');
      expect(saved).not.toBeNull();
      const resumed = await run(source(small), {
        data: eightData,
        threads,
        checkpoint: { every: 20, save() {}, resume: saved },
      } as never);
      expect(resumed.status).toBe(whole.status);
      expect(JSON.stringify(resumed.posterior)).toBe(JSON.stringify(whole.posterior));
    });

  it('generate runs per draw; the table has a chain column and the sampler columns', async () => {
    let t: DrawTable | null = null;
    const r = await run(source(`${eight}infer hmc(warmup = 100, draws = 50, chains = 2, steps = 8)\n`), {
      data: eightData,
      threads: 1,
      onDraws: (x: DrawTable) => (t = x),
    } as never);
    expect(r.status).not.toBe('error');
    const table = t as unknown as DrawTable;
    expect(table.draws).toBe(100);
    expect(Array.from(table.chains!)).toEqual([...Array(50).fill(1), ...Array(50).fill(2)]);
    expect(table.stats!.map((s) => s.name)).toContain('divergent__');
    const v = (n: string) => table.variables.find((x) => x.name === n)!;
    for (let d = 0; d < 100; d += 7)
      for (let j = 0; j < 8; j++)
        expect(v('theta').data[d * 8 + j]).toBeCloseTo(
          v('mu').data[d]! + v('tau').data[d]! * v('eta').data[d * 8 + j]!,
          10,
        );
  });

  it('refuses discrete latents, naming the remedy', async () => {
    const r: RunResult = await run(
      source(
        `data { y: real[3] }\nparam { z: int in [0, 1]; m: real }\nmodel {\n  z ~ Bernoulli(0.5)\n  m ~ Normal(0, 1)\n  y ~ Normal(m + z, 1)\n}\ninfer nuts\n`,
      ),
      { data: { y: [0.1, 1.2, 0.7] } },
    );
    expect(r.status).toBe('error');
    expect(r.messages.at(-1)!.message).toMatch(
      /nuts cannot take this problem: the discrete latent `z` needs an estimator for discrete sites, or to be summed out of the model \(logsumexp over its values\)/,
    );
    expect(r.messages.at(-1)!.hint).toMatch(/discrete latents \(vi\)/);
  });
});
