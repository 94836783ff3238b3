// Categorical latents through the compiler (compiler/running/infer_sites.ts): `param z: int[N]` drawn
// `z ~ Categorical(probs)` / `Categorical(logits = ...)` in an .opt model (0-based categories),
// each element with a Categorical guide of K logits.
//   - unbiasedness: on a tiny program with only a Categorical latent (2 elements, K = 3), the
//     mean of the compiled gradient estimator over many keys matches the exact gradient (exact
//     enumeration of the 9 assignments, central differences) within 4 SE, for enumeration, MVD,
//     REINFORCE with and without a running-mean baseline, and IWAE(2) with leave-one-out REINFORCE;
//   - examples/categorical_latents.opt (3 well-separated clusters, N = 9) fitted with
//     enumeration recovers the clusters and the assignments;
//   - `proxima check --json` lists the site with `enum`.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { run } from '../../index.js';
import { compiledSampler } from './compiled_sampler.js';
import { expectUnbiased } from './harness.js';
import { exactElbo as elboOf, exactIwae2 as iwae2Of } from '../helpers/exact_vi.js';
import { gradient } from '../helpers/fd.js';

const EXAMPLE = 'examples/categorical_latents.opt';

const sampler = (input: { source: string; file: string }, data?: Record<string, unknown>) =>
  compiledSampler(input, data, 11);

// A tiny program: z[i] in {0, 1, 2}, y[i] ~ Normal(2 z[i] - 2, 1); prior probs (0.2, 0.5, 0.3)
// given as logits in one case, probs in the other.
const PRIOR = [0.2, 0.5, 0.3];
const SMALL = (via: string, objective = 'elbo', logits = false) => ({
  source: `data { y: real[2] }
param z: int[2]
model {
  z ~ Categorical(${logits ? `logits = [${PRIOR.map((p) => Math.log(p)).join(', ')}]` : `[${PRIOR.join(', ')}]`})${via ? ` via ${via}` : ''}
  y ~ Normal(2 * z - 2, 1)
}
infer vi(objective = ${objective})
`,
  file: 'small_cat.opt',
});
const Y = [0.4, -1.3];
const softmax = (l: number[]) => {
  const m = Math.max(...l);
  const e = l.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};
// phi = [l00, l01, l02, l10, l11, l12]: element i's logits.
const qOf = (z: number[], l: number[]) => z.reduce((a, zi, i) => a * softmax(l.slice(3 * i, 3 * i + 3))[zi]!, 1);
const logW = (z: number[], l: number[]) => {
  let s = 0;
  for (let i = 0; i < 2; i++)
    s += Math.log(PRIOR[z[i]!]!) - 0.5 * (Y[i]! - (2 * z[i]! - 2)) ** 2 - 0.5 * Math.log(2 * Math.PI);
  return s - Math.log(qOf(z, l));
};
const ZS = [0, 1, 2].flatMap((a) => [0, 1, 2].map((b) => [a, b]));
const PROGRAM = { states: ZS, q: qOf, logW };
const exactElbo = elboOf(PROGRAM);
const exactIwae2 = iwae2Of(PROGRAM);
const fdGrad = (f: (l: number[]) => number, l: number[]) => gradient((x) => f([...x]), Float64Array.from(l));

describe('compiled Categorical estimators are unbiased (exact enumeration, K = 3)', () => {
  const L = Float64Array.of(0.4, -0.9, 0.2, -0.3, 0.5, 0.1);
  const cases: [string, string, string, (l: number[]) => number, number, boolean][] = [
    ['enumeration', '', 'elbo', exactElbo, 200, false],
    ['enumeration, logits parameterization', 'enumerate', 'elbo', exactElbo, 200, true],
    ['MVD', 'mvd', 'elbo', exactElbo, 200, false],
    ['REINFORCE, no baseline', 'reinforce', 'elbo', exactElbo, 4000, false],
    ['REINFORCE, running-mean baseline', 'reinforce(baseline = mean)', 'elbo', exactElbo, 4000, false],
    ['IWAE(2), leave-one-out REINFORCE', '', 'iwae(k = 2)', exactIwae2, 4000, false],
  ];
  for (const [label, via, objective, exact, n, logits] of cases) {
    it(
      label,
      async () => {
        const s = await sampler(SMALL(via, objective, logits), { y: Y });
        expect(s.m).toBe(6);
        expect(s.plan.support.get('z')).toBe(3);
        if (!via && objective === 'elbo') expect(s.plan.entries[0]!.estimator).toBe('enum');
        const d = s.draw(L, n, -4);
        const r = expectUnbiased(d, fdGrad(exact, [...L]), label);
        console.log(
          `Categorical ${label}: max |z| ${r.maxZ.toFixed(2)} over ${n} draws; estimator ${s.plan.entries[0]!.estimator}`,
        );
      },
      120_000,
    );
  }
});

describe('examples/categorical_latents.opt end to end', () => {
  it('proxima check --json lists z with enum', () => {
    const r = spawnSync(process.execPath, ['cli/proxima.js', 'check', EXAMPLE, '--json'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { estimators: { site: string; estimator: string; reason: string }[] };
    expect(json.estimators.map((e) => `${e.site}: ${e.estimator}`)).toEqual([
      'mu0: reparam',
      'mu1: reparam',
      'mu2: reparam',
      'w: reparam',
      'z: enum',
    ]);
    expect(json.estimators.find((e) => e.site === 'z')!.reason).toMatch(/finite support of 3/);
  });

  it('an enumeration fit recovers the three clusters and the assignments', async () => {
    const r = await run(EXAMPLE);
    // The plan run is the plan `check` prints: every continuous param reparameterized, z enumerated.
    const plan = r.diagnostics!.estimators as { site: string; estimator: string }[];
    expect(plan.map((e) => `${e.site}: ${e.estimator}`)).toEqual([
      'mu0: reparam',
      'mu1: reparam',
      'mu2: reparam',
      'w: reparam',
      'z: enum',
    ]);
    const v = r.values as Record<string, number | number[]>;
    console.log(
      'categorical mixture fit:',
      JSON.stringify({ mu: [v.mu0, v.mu1, v.mu2], z: v.z, w: v.w, status: r.status }),
    );
    // Data clusters at -5.83, 0, 5.97.
    expect(Math.abs((v.mu0 as number) + 5.83)).toBeLessThan(1);
    expect(Math.abs(v.mu1 as number)).toBeLessThan(1);
    expect(Math.abs((v.mu2 as number) - 5.97)).toBeLessThan(1.5);
    (v.z as number[]).forEach((zi, i) => expect(Math.abs(zi - Math.floor(i / 3))).toBeLessThan(0.2));
  }, 120_000);
});
