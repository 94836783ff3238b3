// Regression tests for issue #13's estimator bugs and the `via` estimators on continuous params,
// through the compiler (the stdlib estimator on the program's site API, infer_sites.ts):
//   - affine objectives are trained as themselves, not as the ELBO: for the ELBO, expect(logp),
//     expect(-logq) and expect(2 logp - logq), the compiled gradient's mean over many keys matches
//     the exact gradient (enumeration of every assignment, central differences) within 4 SE, under
//     the plan's enumeration and under REINFORCE; a 3-armed bandit written `expect(logp)` puts
//     more than 0.95 on its best arm (the ELBO optimum, softmax(reward), puts 0.67 there);
//   - `via reinforce(...)` and `via mvd` on a continuous param (mean-field: a Normal guide site)
//     are unbiased for the closed-form ELBO gradient of a conjugate Normal model, and a fit with
//     each recovers the posterior.

import { describe, expect, it } from 'vitest';
import { run } from '../../index.js';
import { compiledSampler } from './compiled_sampler.js';
import { expectUnbiased } from './harness.js';
import { gradient } from '../helpers/fd.js';

// ---- affine objectives on a program with only discrete latents ----------------------------------

const Y = [0.4, -0.8];
const SMALL = (objective: string, via = '') => ({
  source: `data { y: real[2] }
param z: int[2]
model {
  z ~ Bernoulli(0.3)${via ? ` via ${via}` : ''}
  y ~ Normal(2 * z - 1, 1)
}
objective elbo2 = expect(logp - logq)
objective logp_only = expect(logp)
objective neg_logq = expect(-logq)
objective mixed = expect(2 * logp - logq)
infer vi(objective = ${objective})
`,
  file: 'affine.opt',
});
const sig = (x: number) => 1 / (1 + Math.exp(-x));
const ZS = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const logp = (z: number[]) =>
  z.reduce(
    (s, zi, i) => s + Math.log(zi ? 0.3 : 0.7) - 0.5 * (Y[i]! - (2 * zi - 1)) ** 2 - 0.5 * Math.log(2 * Math.PI),
    0,
  );
const logq = (z: number[], l: number[]) => z.reduce((s, zi, i) => s + Math.log(zi ? sig(l[i]!) : 1 - sig(l[i]!)), 0);
/** E_q[a logp + b logq] by enumeration of the 4 assignments. */
const exact = (a: number, b: number) => (l: number[]) =>
  ZS.reduce((s, z) => s + Math.exp(logq(z, l)) * (a * logp(z) + b * logq(z, l)), 0);

describe('affine objectives are estimated as themselves (exact enumeration)', () => {
  const L = [0.4, -0.9];
  const cases: [string, number, number][] = [
    ['elbo2', 1, -1],
    ['logp_only', 1, 0],
    ['neg_logq', 0, -1],
    ['mixed', 2, -1],
  ];
  for (const [name, a, b] of cases) {
    for (const [via, n] of [
      ['', 200],
      ['reinforce(baseline = mean)', 4000],
    ] as const) {
      it(`expect(${a} logp + ${b} logq), ${via || 'the plan (enumeration)'}`, async () => {
        const s = await compiledSampler(SMALL(name, via), { y: Y });
        const d = s.draw(Float64Array.from(L), n, -2);
        const g = gradient((x) => exact(a, b)([...x]), Float64Array.from(L));
        const r = expectUnbiased(d, g, name);
        console.log(`${name} ${via || 'enum'}: max |z| ${r.maxZ.toFixed(2)} over ${n} keys`);
      }, 120_000);
    }
  }

  it('a 3-armed bandit written expect(logp) puts > 0.95 on its best arm', async () => {
    const r = await run(
      {
        source: `// the arm's reward is 1 + a
param a: int
model {
  a ~ Categorical([1, 1, 1] / 3)
  target += 1 + a
}
objective reward = expect(logp)
infer vi(objective = reward)
`,
        file: 'bandit.opt',
      },
      { backend: 'ref' },
    );
    expect(r.status, JSON.stringify(r.messages)).toBe('converged');
    // a in {0, 1, 2}: mean >= 1.95 means P(a = 2) >= 0.95.
    const mean = r.posterior!.a!.mean as number;
    console.log(`bandit: E[a] = ${mean.toFixed(4)} (the ELBO optimum gives ${(2 * 0.665 + 0.245).toFixed(3)})`);
    expect(mean).toBeGreaterThan(1.95);
    expect(r.diagnostics.summaries).toBe('guide');
  }, 120_000);
});

// ---- via on a continuous param ------------------------------------------------------------------

// mu ~ Normal(0, 1), y ~ Normal(mu, 1): q(mu) = Normal(x0 + m, exp(s)) (the plain start's map).
const YC = [0.8, 1.6, 1.1];
const NORMAL = (via: string, guide = 'mean_field') => ({
  source: `data { y: real[3] }
param mu: real
model {
  mu ~ Normal(0, 1) via ${via}
  y ~ Normal(mu, 1)
}
infer vi(guide = ${guide})
`,
  file: 'normal_via.opt',
});
const LOG2PI = Math.log(2 * Math.PI);
/** The ELBO of q = Normal(M, S) against the model, in closed form. */
const elboNormal = (M: number, S: number) =>
  -0.5 * (M * M + S * S) -
  0.5 * LOG2PI +
  YC.reduce((a, y) => a - 0.5 * ((y - M) ** 2 + S * S) - 0.5 * LOG2PI, 0) +
  Math.log(S) +
  0.5 * (1 + LOG2PI);

describe('via reinforce and via mvd on a continuous param', () => {
  for (const [via, n] of [
    ['mvd', 400],
    ['reinforce(baseline = mean)', 4000],
  ] as const) {
    it(`${via}: unbiased for the closed-form ELBO gradient`, async () => {
      const s = await compiledSampler(NORMAL(via), { y: YC });
      expect(s.plan.entries).toEqual([{ site: 'mu', estimator: via, reason: `via ${via}`, via }]);
      const x0 = s.x0[0]!;
      const phi = Float64Array.of(0.3, -0.4);
      const g = gradient((p) => elboNormal(x0 + p[0]!, Math.exp(p[1]!)), phi);
      const d = s.draw(phi, n, elboNormal(x0 + 0.3, Math.exp(-0.4)));
      const r = expectUnbiased(d, g, via);
      console.log(`continuous ${via}: max |z| ${r.maxZ.toFixed(2)} over ${n} keys`);
    }, 120_000);

    it(`${via}: a fit recovers the posterior`, async () => {
      const r = await run(NORMAL(via), { backend: 'ref', data: { y: YC } });
      expect(r.status, JSON.stringify(r.messages)).not.toBe('error');
      const prec = 1 + YC.length;
      const mean = YC.reduce((a, b) => a + b, 0) / prec;
      const sd = Math.sqrt(1 / prec);
      const p = r.posterior!.mu! as { mean: number; sd: number };
      console.log(
        `fit with via ${via}: mean ${p.mean.toFixed(4)} (exact ${mean.toFixed(4)}), sd ${p.sd.toFixed(4)} (${sd.toFixed(4)}), ${r.steps} steps`,
      );
      expect(Math.abs(p.mean - mean) / sd).toBeLessThan(0.15);
      expect(Math.abs(p.sd / sd - 1)).toBeLessThan(0.1);
    }, 120_000);
  }

  it('the plan refuses estimators that do not suit the site, at the `via`', async () => {
    const enumOnReal = await run(NORMAL('enumerate'), { backend: 'ref', data: { y: YC } });
    expect(enumOnReal.status).toBe('error');
    expect(enumOnReal.messages[0]!.message).toMatch(/no finite support to enumerate/);
    const fullRank = await run(NORMAL('mvd', 'full_rank'), { backend: 'ref', data: { y: YC } });
    expect(fullRank.status).toBe('error');
    expect(fullRank.messages[0]!.message).toMatch(
      /under guide = full_rank the continuous params are one joint Gaussian/,
    );
    expect(fullRank.messages[0]!.hint).toMatch(/guide = mean_field/);
  });
});
