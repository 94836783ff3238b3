// The bilevel facet of a compiled program (`where v = argmin(v, ...) { ... }`): the outer
// objective F (the built problem's smooth part, the sense applied) and the inner objective g (the
// `where` block lowered over the same flat vector z, negated for argmax), with z's split into the
// outer vector x and the inner vector w by whole vars (compiler/analysis/bilevel_plan.ts names
// them). stdlib/bilevel runs the rest. Data enter both graphs as constants.

import { ops as P, type Tracer } from '../../runtime/index.js';
import type { BilevelFacet, GraphRunner } from '../../stdlib/index.js';
import { bilevelVars } from '../analysis/bilevel_plan.js';
import type { CompiledProgram } from '../compile.js';
import { BuildError, type BuiltProblem } from './solve_problem.js';

const constantOf = (a: { data: ArrayLike<number>; shape: readonly number[] }): Tracer =>
  P.constant(
    a.data as Float64Array,
    a.data instanceof Int32Array ? 'int32' : a.data instanceof Uint8Array ? 'bool' : 'float64',
    [...a.shape],
  );

export function bilevelFacet(compiled: CompiledProgram, pb: BuiltProblem, runner?: GraphRunner): BilevelFacet {
  const p = compiled.checked;
  const where = p.where;
  if (!where) throw new BuildError(compiled.anchor, 'bilevel needs an inner problem: `where v = argmin(v) { ... }`');
  if (pb.prox.length || pb.eq || pb.ineq || pb.simplex.length)
    throw new BuildError(
      compiled.anchor,
      'bilevel takes a smooth outer objective without constraints or sets in this release',
    );
  const { kit, layout, dataArrays } = compiled.internals;
  const { inner } = bilevelVars(p);
  const isInner = new Set(inner);
  const blocks: { from: 'x' | 'w'; offset: number; size: number }[] = [];
  const names: { x: string[]; w: string[] } = { x: [], w: [] };
  let nx = 0,
    nw = 0;
  for (const e of layout.entries) {
    const from = isInner.has(e.name) ? 'w' : 'x';
    blocks.push({ from, offset: from === 'x' ? nx : nw, size: e.size });
    for (let k = 0; k < e.size; k++) names[from].push(pb.coordName(e.offset + k));
    if (from === 'x') nx += e.size;
    else nw += e.size;
  }
  for (let i = 0; i < layout.n; i++)
    if (pb.lower[i]! > -Infinity || pb.upper[i]! < Infinity)
      throw new BuildError(
        compiled.anchor,
        `${pb.coordName(i)} has bounds; bilevel takes unbounded vars in this release`,
        'reparameterize (e.g. exp(log_lam) for a positive penalty)',
      );
  const sign = where.sense === 'argmax' ? -1 : 1;
  const g = (z: Tracer): Tracer => {
    const s = kit.setup(dataArrays.map(constantOf));
    kit.unpack(z, s.env, s.low);
    const v = s.low.real(s.low.block(where.body, s.env.child()), where.body.result.span);
    return sign > 0 ? P.sum(v) : P.neg(P.sum(v));
  };
  return {
    F: (z) => pb.smooth(z),
    g,
    blocks,
    nx,
    nw,
    coordName: (from, i) => names[from][i]!,
    ...(runner ? { runner } : {}),
  };
}
