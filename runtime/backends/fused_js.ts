// Fused elementwise regions compiled to one JavaScript loop (new Function), so a chain of k
// elementwise primitives costs one pass over the data instead of k kernel dispatches and k
// intermediate tensors. Values are computed in float64 and stored in the outputs' array types
// (float32 for graph floats on tfjs). Each member's code is its rule's `elementwise.js`, the one
// definition the js backend's loops use too.

import type { AnyEqn } from '../ir/graph.js';
import type { DType } from '../ir/types.js';
import { sizeOf } from '../ir/types.js';
import { ruleOf } from '../prims/table.js';

/** One member's element expression, from the rule's shared code generation. */
function expr(e: AnyEqn, a: string[]): string {
  const r = ruleOf(e.prim).elementwise;
  if (!r) throw new Error(`fused region: ${e.prim} is not elementwise`);
  return r.js(a, e.params, e.outputs[0]!.aval);
}

export type ArrayCtor = Float32Array | Float64Array | Int32Array | Uint8Array;

/** A compiled region: given its input arrays (length n or 1), fills fresh output arrays. */
export interface FusedKernel {
  readonly n: number;
  run(inputs: readonly ArrayLike<number>[]): ArrayCtor[];
}

export function compileRegion(
  members: readonly AnyEqn[],
  inIds: readonly number[],
  outIds: readonly number[],
  outArray: (d: DType) => 'Float32Array' | 'Float64Array' | 'Int32Array' | 'Uint8Array',
): FusedKernel {
  const n = sizeOf(members[members.length - 1]!.outputs[0]!.aval.shape);
  // One loop per pattern of single-element operands (a lazy broadcast may deliver one element
  // for a full-size operand); in practice one pattern per plan.
  const bySig = new Map<string, (ins: readonly ArrayLike<number>[]) => ArrayCtor[]>();
  const build = (scalar: boolean[]) => {
    const name = new Map<number, string>();
    const pre: string[] = [];
    inIds.forEach((id, k) => {
      pre.push(scalar[k] ? `const c${k} = ins[${k}][0];` : `const a${k} = ins[${k}];`);
      name.set(id, scalar[k] ? `c${k}` : `a${k}[i]`);
    });
    // A value read once inside the region and not stored is inlined where it is read, so a
    // select evaluates only the branch it takes (the double-where pattern then costs one side).
    const uses = new Map<number, number>();
    for (const e of members) for (const v of e.inputs) uses.set(v.id, (uses.get(v.id) ?? 0) + 1);
    const stored = new Set(outIds);
    const body: string[] = [];
    members.forEach((e, t) => {
      const id = e.outputs[0]!.id;
      const code = expr(
        e,
        e.inputs.map((x) => name.get(x.id)!),
      );
      if (uses.get(id) === 1 && !stored.has(id)) name.set(id, code);
      else {
        body.push(`const t${t} = ${code};`);
        name.set(id, `t${t}`);
      }
    });
    const decl = outIds.map(
      (id, k) =>
        `const o${k} = new ${outArray(members.find((m) => m.outputs[0]!.id === id)!.outputs[0]!.aval.dtype)}(${n});`,
    );
    const stores = outIds.map((id, k) => `o${k}[i] = ${name.get(id)};`);
    const src = [
      ...pre,
      ...decl,
      `for (let i = 0; i < ${n}; i++) {`,
      ...body,
      ...stores,
      '}',
      `return [${outIds.map((_, k) => `o${k}`).join(', ')}];`,
    ].join('\n');
    return new Function('ins', src) as (ins: readonly ArrayLike<number>[]) => ArrayCtor[];
  };
  return {
    n,
    run(ins) {
      let sig = '';
      for (const a of ins) sig += a.length === 1 && n !== 1 ? 's' : 'f';
      let fn = bySig.get(sig);
      if (!fn) bySig.set(sig, (fn = build([...sig].map((c) => c === 's'))));
      return fn(ins);
    },
  };
}
