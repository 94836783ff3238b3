// The graph IR: SSA variables, equations (one primitive application each, possibly with several
// outputs) and graphs (inputs, equations in topological order, outputs).
// Invariants: every Var is defined exactly once (as a graph input or an equation output) before
// it is used; Var ids are unique process-wide, so graphs can be inlined into one another freely;
// equations of a graph are always in a valid topological order.

import type { AVal } from './types.js';
import type { PrimName, PrimParams } from '../prims/params.js';

let nextId = 1;

export class Var {
  readonly id = nextId++;
  constructor(readonly aval: AVal) {}
}

export interface Eqn<P extends PrimName = PrimName> {
  readonly prim: P;
  readonly params: PrimParams[P];
  readonly inputs: readonly Var[];
  readonly outputs: readonly Var[];
}

/** Discriminated view: narrowing on `prim` narrows `params`. */
export type AnyEqn = { [P in PrimName]: Eqn<P> }[PrimName];

export class Graph {
  constructor(
    readonly inputs: readonly Var[],
    readonly eqns: readonly AnyEqn[],
    readonly outputs: readonly Var[],
  ) {}

  get inAvals(): AVal[] {
    return this.inputs.map((v) => v.aval);
  }

  get outAvals(): AVal[] {
    return this.outputs.map((v) => v.aval);
  }
}
