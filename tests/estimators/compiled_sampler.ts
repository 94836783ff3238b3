// The compiled gradient estimator of an .opt program with discrete latents (or a `via`), as
// `infer vi` runs it (compiler/running/infer_sites.ts: the stdlib estimator over the program's
// site API, with the plan `check` prints), drawn under many keys at a fixed guide parameter.

import { compile } from '../../index.js';
import { simplify } from '../../runtime/index.js';
import { foldIn, keyFromSeed } from '../../runtime/kernels/threefry.js';
import { plainWhitening } from '../../stdlib/vi/index.js';
import { prepare } from '../../compiler/running/backend_seam.js';
import { siteEngine } from '../../compiler/running/infer_sites.js';
import { sitePlan } from '../../compiler/analysis/site_plan.js';
import { resolveObjective } from '../../compiler/lower/objective_program.js';
import type { Draws } from './harness.js';

export async function compiledSampler(
  input: { source: string; file: string },
  data?: Record<string, unknown>,
  seed = 7,
) {
  const compiled = await compile(input, { data, backend: 'ref' });
  const o = compiled.algorithm!.options;
  const plan = sitePlan(compiled.checked)!;
  const obj = resolveObjective(o.objective, compiled.checked.objectives, o.samples as number);
  const x0 = compiled.initialPoint(compiled.seed);
  const W = plainWhitening(x0, 1, 'diag');
  const se = siteEngine(compiled, 'mean_field', W, plan, obj);
  const exe = await prepare(simplify(se.gradGraph), 'ref', 3, compiled.internals.dataArrays);
  const root = keyFromSeed(seed);
  const B = se.baselines.length;
  return {
    m: se.program.m,
    plan,
    /** The start's shift: the guide's unconstrained draw is x0 + w. */
    x0,
    draw(phi: Float64Array, n: number, baseline = 0): Draws {
      const d: Draws = { values: new Float64Array(n), grads: [] };
      for (let i = 0; i < n; i++) {
        const [v, g] = exe.run([
          { data: phi, shape: [phi.length] },
          { data: foldIn(root, i), shape: [2] },
          { data: new Float64Array(B).fill(baseline), shape: [B] },
        ]);
        d.values[i] = v!.data[0]!;
        d.grads.push(Float64Array.from(g!.data));
      }
      return d;
    },
  };
}
