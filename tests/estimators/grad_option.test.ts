// `grad = stl | dreg` from the language: `infer vi(objective = elbo(grad = stl))` and
// `iwae(k = 5, grad = dreg)` lower to the stdlib Objective's `gradient` (objective_program.ts),
// checked by the option table (solvers.ts; a wrong value is an error with a suggestion). Through
// the compiler (infer.ts objectiveGraph), on a small continuous model at a fixed guide near the
// posterior: DReG's guide-gradient estimator has the same mean as plain IWAE's (4 SE) and a lower
// variance; STL's ELBO gradient has the same mean as the plain ELBO's and a lower variance.

import { describe, expect, it } from 'vitest';
import { check, compile, run } from '../../index.js';
import { simplify } from '../../runtime/index.js';
import { foldIn, keyFromSeed } from '../../runtime/kernels/threefry.js';
import { prepare } from '../../compiler/running/backend_seam.js';
import { objectiveGraph } from '../../compiler/running/infer.js';
import { autoEngine } from '../../compiler/lower/vi_graphs.js';
import { resolveObjective } from '../../compiler/lower/objective_program.js';
import { gaussianFamily } from '../../stdlib/vi/index.js';
import { meanSd, totalVariance, type Draws } from './harness.js';

const SRC = (objective: string) => ({
  source: `data { y: real[4] }
param { mu: real; tau: real }
model {
  mu ~ Normal(0, 3)
  tau ~ Normal(mu, 1)
  y ~ Normal(tau, 1)
}
infer vi(objective = ${objective})
`,
  file: 'grad_option.opt',
});
const DATA = { y: [1.2, 0.7, 1.9, 1.1] };

async function sampler(objective: string) {
  const compiled = await compile(SRC(objective), { data: DATA });
  const o = compiled.algorithm!.options;
  const obj = resolveObjective(o.objective, compiled.checked.objectives, o.samples as number);
  const { kit, layout, dataArrays } = compiled.internals;
  const n = layout.n;
  const engine = autoEngine(kit, layout, gaussianFamily('mean_field'), {
    kind: 'diag',
    shift: new Float64Array(n),
    a: new Float64Array(n).fill(1),
    logDet: 0,
  });
  const exe = await prepare(
    simplify(objectiveGraph(engine, engine.m, kit.specs.slice(1), obj, true)),
    'ref',
    2 + engine.extras.length,
    dataArrays,
  );
  const root = keyFromSeed(5);
  return {
    obj,
    draw(phi: Float64Array, N: number): Draws {
      const d: Draws = { values: new Float64Array(N), grads: [] };
      for (let i = 0; i < N; i++) {
        const [v, g] = exe.run([
          { data: phi, shape: [phi.length] },
          { data: foldIn(root, i), shape: [2] },
          ...engine.extras,
        ]);
        d.values[i] = v!.data[0]!;
        d.grads.push(Float64Array.from(g!.data));
      }
      return d;
    },
  };
}

// Posterior (Gaussian, exact): near mu 1.0, tau 1.2 with sds about 0.9 and 0.45; mean-field phi
// is [means, log sds].
const PHI = Float64Array.of(0.9, 1.15, Math.log(0.8), Math.log(0.45));
const N = 2000;

function sameMean(a: Draws, b: Draws, label: string) {
  const ma = meanSd(a);
  const mb = meanSd(b);
  const n = a.grads.length;
  for (let j = 0; j < ma.mean.length; j++) {
    const se = Math.sqrt((ma.sd[j]! ** 2 + mb.sd[j]! ** 2) / n);
    expect(Math.abs(ma.mean[j]! - mb.mean[j]!), `${label}: coordinate ${j}`).toBeLessThanOrEqual(4 * se + 1e-12);
  }
}

describe('grad = dreg / stl through the compiler', () => {
  it('IWAE(5): DReG has the mean of the plain estimator and a lower guide-gradient variance', async () => {
    const plain = await sampler('iwae(k = 5)');
    const dreg = await sampler('iwae(k = 5, grad = dreg)');
    expect(plain.obj.gradient).toBe('standard');
    expect(dreg.obj.gradient).toBe('dreg');
    const dp = plain.draw(PHI, N);
    const dd = dreg.draw(PHI, N);
    sameMean(dp, dd, 'IWAE vs DReG');
    const v = { iwae: totalVariance(dp), dreg: totalVariance(dd) };
    console.log('IWAE(5) guide-gradient variance (sum over the 4 coordinates), plain vs DReG:', JSON.stringify(v));
    expect(v.dreg).toBeLessThan(v.iwae);
  }, 120_000);

  it('ELBO: STL has the mean of the plain estimator and a lower variance near the posterior', async () => {
    const plain = await sampler('elbo(grad = standard)');
    const stl = await sampler('elbo(grad = stl)');
    expect(stl.obj.gradient).toBe('stl');
    const dp = plain.draw(PHI, N);
    const ds = stl.draw(PHI, N);
    sameMean(dp, ds, 'ELBO vs STL');
    const v = { elbo: totalVariance(dp), stl: totalVariance(ds) };
    console.log('ELBO guide-gradient variance, plain vs STL:', JSON.stringify(v));
    expect(v.stl).toBeLessThan(v.elbo);
  }, 120_000);

  it('a fit with grad = dreg runs and reports it; a bad value is an error with a suggestion', async () => {
    const r = await run(SRC('iwae(k = 5, grad = dreg)'), { data: DATA });
    expect(r.status).not.toBe('error');
    expect(String(r.diagnostics!.objective)).toMatch(/grad = dreg/);
    expect(Math.abs((r.values as Record<string, number>).tau - 1.2)).toBeLessThan(0.3);
    const bad = check(SRC('iwae(k = 5, grad = dreq)'));
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad.messages)).toMatch(/unknown grad `dreq`.*dreg/);
    const wrong = check(SRC('elbo(grad = dreg)'));
    expect(wrong.ok).toBe(false);
    expect(JSON.stringify(wrong.messages)).toMatch(/choices: standard, stl|stl/);
  }, 120_000);
});
