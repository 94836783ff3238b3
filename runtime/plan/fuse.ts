// Grouping of elementwise equations into fused regions: runs of equations of one output shape
// (operands of that shape or single elements) that a backend executes as a single loop.
// Invariants: a region's members keep their relative order; a region is closed before any
// non-member that reads one of its values, so executing the region at its last member's position
// respects every dependency; regions have at least two members (one is just a kernel call).

import type { AnyEqn } from '../ir/graph.js';
import { sizeOf } from '../ir/types.js';

/**
 * Splits a stage's equations (in order) into singletons and fused regions. `fusible(e)` says
 * whether an equation may join a region; its shape key comes from its first output.
 */
export function fuseRegions(eqns: readonly AnyEqn[], fusible: (e: AnyEqn) => boolean): AnyEqn[][] {
  const groups: AnyEqn[][] = [];
  let open: AnyEqn[] = [];
  let openKey = '';
  let openVars = new Set<number>();
  const close = () => {
    if (open.length) groups.push(open);
    open = [];
    openKey = '';
    openVars = new Set();
  };
  for (const e of eqns) {
    const reads = e.inputs.some((v) => openVars.has(v.id));
    if (fusible(e)) {
      const key = e.outputs[0]!.aval.shape.join(',');
      if (key !== openKey) close();
      openKey = key;
      open.push(e);
      for (const v of e.outputs) openVars.add(v.id);
      continue;
    }
    if (reads) close();
    groups.push([e]);
  }
  close();
  return groups;
}

/** Region inputs must be of the region's size or single elements. */
export function regionShapeOk(e: AnyEqn, maxSize: number): boolean {
  const o = e.outputs[0]!.aval;
  const n = sizeOf(o.shape);
  if (n < 2 || n > maxSize || e.outputs.length !== 1) return false;
  return e.inputs.every((v) => {
    const m = sizeOf(v.aval.shape);
    return (
      m === 1 || (m === n && v.aval.shape.length === o.shape.length && v.aval.shape.every((d, i) => d === o.shape[i]))
    );
  });
}
