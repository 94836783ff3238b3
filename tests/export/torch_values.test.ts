// The exported PyTorch objective against Proxima's ref backend: for every example that export
// supports, the value and the gradient (torch autograd vs Proxima's reverse mode) at the start
// point and at a random point agree to 1e-10 relative, in float64. The examples export refuses
// are listed with the reason, and must stay refused with it (tests/export/torch_refusals).
import { describe, expect, it, beforeAll } from 'vitest';
import { join } from 'node:path';
import { assertTorch, exportProgram, python } from '../helpers/torch.js';
import type { CompiledProgram } from '../../compiler/index.js';

const EX = join(import.meta.dirname, '../../examples');
const PDB = [
  'M0_data-M0_model',
  'arK-arK',
  'arma-arma11',
  'earnings-log10earn_height',
  'earnings-logearn_height',
  'earnings-logearn_interaction_z',
  'eight_schools-eight_schools_noncentered',
  'garch-garch11',
  'gp_pois_regr-gp_pois_regr',
  'gp_pois_regr-gp_regr',
  'kidiq-kidscore_momiq',
  'kilpisjarvi_mod-kilpisjarvi',
  'low_dim_gauss_mix-low_dim_gauss_mix',
  'mesquite-logmesquite_logvolume',
  'sblrc-blr',
];
/** Every example export supports (docs/scale-out.md lists the same). */
export const SUPPORTED = [
  'quickstart.opt',
  'normal_mean.opt',
  'eight_schools.opt',
  'categorical_latents.opt',
  'discrete_latents.opt',
  'hmm.opt',
  'mcmc/eight_schools_centered.opt',
  'mcmc/eight_schools_noncentered.opt',
  ...PDB.map((p) => `posteriordb/${p}/model.opt`),
  // A minibatch plate: the exact log density runs it over every row (a scan: a Python loop).
  '../tests/export/fixtures/blr_minibatch.opt',
];

/** A point near x: x + uniform(-0.5, 0.5) from a fixed LCG (deterministic). */
function near(x: Float64Array, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from(x, (v) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return v + s / 2 ** 32 - 0.5;
  });
}

type Num = number | string;
const num = (v: Num) => (typeof v === 'string' ? Number(v) : v);

function agree(torch: number, ref: number, scale: number) {
  if (!Number.isFinite(ref)) return Object.is(torch, ref) || (Number.isNaN(torch) && Number.isNaN(ref));
  return Math.abs(torch - ref) <= 1e-10 * Math.max(1, scale);
}

describe('proxima export --to torch: value and gradient equal the ref backend', () => {
  const jobs: { file: string; c: CompiledProgram; dir: string; points: number[][] }[] = [];
  let results: { f: Num; g: Num[] }[][] = [];
  beforeAll(async () => {
    assertTorch();
    for (const f of SUPPORTED) {
      const { c, dir } = await exportProgram(join(EX, f));
      const x0 = c.initialPoint(c.seed);
      jobs.push({ file: f, c, dir, points: [Array.from(x0), near(x0, 7)] });
    }
    results = JSON.parse(
      python([join(import.meta.dirname, 'torch_points.py')], {
        input: JSON.stringify(jobs.map((j) => ({ dir: j.dir, points: j.points }))),
      }),
    );
  }, 120_000);

  it.each(SUPPORTED.map((f, i) => [f, i] as const))('%s', (_f, i) => {
    const { c, points } = jobs[i]!;
    const target = c.graphs.objective ? c.objective! : c.logDensity!;
    points.forEach((p, k) => {
      const ref = target.evaluate(Float64Array.from(p), 0);
      const t = results[i]![k]!;
      const scaleF = Math.abs(ref.f);
      expect(agree(num(t.f), ref.f, scaleF), `value at point ${k}: torch ${t.f}, ref ${ref.f}`).toBe(true);
      const scaleG = Math.max(...Array.from(ref.g, Math.abs));
      ref.g.forEach((gr, j) =>
        expect(agree(num(t.g[j]!), gr, scaleG), `gradient[${j}] at point ${k}: torch ${t.g[j]}, ref ${gr}`).toBe(true),
      );
    });
  });
});
