// The flat decision vector: every var and param in declaration order, each a contiguous slice
// of unconstrained coordinates. A param with a constrained type maps through its transform
// (stdlib/constraints); a var is the identity, its domain kept aside as a solver constraint.
// Invariant: entries tile [0, n) without gaps, in declaration order.

import type { Decl, Expr } from '../../grammar/index.js';
import { arrayOf, transforms, type ConstraintTransform } from '../../stdlib/index.js';
import type { CheckedProgram, Family } from '../front/check_program.js';

export interface Entry {
  name: string;
  kind: 'var' | 'param';
  decl: Decl;
  family: Family;
  /** The constrained value's shape. */
  shape: number[];
  offset: number;
  size: number;
  transform: ConstraintTransform;
  /** Bound expressions the transform takes (params), in its order. */
  bounds: Expr[];
  /** A var's domain, for the solver: lower and upper bound expressions. */
  domain: { lo: Expr | null; hi: Expr | null } | null;
}

export interface Layout {
  entries: Entry[];
  n: number;
}

export function buildLayout(p: CheckedProgram): Layout {
  const entries: Entry[] = [];
  let offset = 0;
  for (const d of p.decls) {
    if (d.kind === 'data') continue;
    const shape = d.ty.shape.map((x) => {
      if (x.value === null) throw new Error(`internal: dimension ${x.text} of ${d.decl.name.name} is unbound`);
      return x.value;
    });
    const dom = d.decl.type.domain;
    let transform: ConstraintTransform = transforms.identity!;
    let bounds: Expr[] = [];
    let domain: Entry['domain'] = null;
    if (d.kind === 'var') {
      if (dom)
        domain =
          dom.kind === 'Interval'
            ? { lo: dom.lo, hi: dom.hi }
            : dom.op.startsWith('>')
              ? { lo: dom.value, hi: null }
              : { lo: null, hi: dom.value };
    } else if ((d.family === 'real' || d.family === 'ordered') && dom) {
      const pre = d.family === 'ordered' ? 'ordered_' : '';
      if (dom.kind === 'Interval') [transform, bounds] = [transforms[`${pre}interval`]!, [dom.lo, dom.hi]];
      else if (dom.op.startsWith('>')) [transform, bounds] = [transforms[`${pre}lower`]!, [dom.value]];
      else [transform, bounds] = [transforms[`${pre}upper`]!, [dom.value]];
    } else if (d.family !== 'real') {
      transform = transforms[d.family]!;
    }
    // `simplex[k][m]`: the transform over the array's leading axes.
    transform = arrayOf(transform, d.decl.type.arrayDims.length);
    const size = d.kind === 'var' ? shape.reduce((a, b) => a * b, 1) : transform.size(shape);
    entries.push({
      name: d.decl.name.name,
      kind: d.kind,
      decl: d.decl,
      family: d.family,
      shape,
      offset,
      size,
      transform,
      bounds,
      domain,
    });
    offset += size;
  }
  return { entries, n: offset };
}
