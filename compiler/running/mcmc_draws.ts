// MCMC draws in the user's terms: every param (constrained) and every `generate` output at each
// sampled point, as one scan over the draws on float64 ref (the unconstrained draws come in as one
// [D, n] input; draw d's `generate` block gets key d of a split, so its random statements are
// reproducible per draw). Rows are chain-major: chain 1's draws, then chain 2's, ...

import { ops as P, simplify, trace, type Tracer } from '../../runtime/index.js';
import { prepare } from './backend_seam.js';
import type { CompiledProgram } from '../compile.js';
import type { LV } from '../lower/lower.js';
import type { DrawTable } from './draws.js';

/** Constrained params and generate outputs at the points `thetas` ([D, n], row-major). */
export async function drawsAt(
  compiled: CompiledProgram,
  thetas: Float64Array,
  D: number,
  key: Int32Array,
): Promise<DrawTable> {
  const { kit, layout, dataArrays } = compiled.internals;
  const n = layout.n;
  const dataSpecs = kit.specs.slice(1);
  const specs = [[Math.max(D, 1), n], { shape: [2], dtype: 'int32' }, ...dataSpecs] as Parameters<typeof trace>[1];
  let genNames: { name: string; shape: number[] }[] = [];
  const g = trace((th: Tracer, k: Tracer, ...data: Tracer[]) => {
    const { ys } = P.scan(
      (_c, [row, kd]) => {
        const { env, low } = kit.setup(data, kd!);
        kit.unpack(row!, env, low);
        const vals = layout.entries.map((e) => low.real((env.get(e.name) as { v: LV }).v, e.decl.span));
        const gen = kit.generate(env, low);
        genNames = gen.map((x) => ({ name: x.name, shape: [...x.value.shape] }));
        return [[], [...vals, ...gen.map((x) => x.value)]];
      },
      [],
      [th, P.splitKeys(k, Math.max(D, 1))],
    );
    return ys.length ? ys : [P.zeros([0])];
  }, specs);
  const exe = await prepare(simplify(g), 'ref', 2, dataArrays);
  const input = D > 0 ? thetas : new Float64Array(n);
  const outs = exe.run([
    { data: input, shape: [Math.max(D, 1), n] },
    { data: key, shape: [2] },
  ]);
  const variables = [
    ...layout.entries.map((e, i) => ({ name: e.name, shape: e.shape, data: Float64Array.from(outs[i]!.data) })),
    ...genNames.map((x, i) => ({
      name: x.name,
      shape: x.shape,
      data: Float64Array.from(outs[layout.entries.length + i]!.data),
    })),
  ];
  if (D === 0) for (const v of variables) v.data = new Float64Array(0);
  return { draws: D, variables };
}
