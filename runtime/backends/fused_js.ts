// Fused elementwise regions compiled to one JavaScript loop (new Function), so a chain of k
// elementwise primitives costs one pass over the data instead of k kernel dispatches and k
// intermediate tensors. Values are computed in float64 and stored in the outputs' array types
// (float32 for graph floats on tfjs), int32 arithmetic wraps like Int32Array stores, and every
// primitive follows its ref rule's semantics (NaN-propagating max/min, truncating int division).

import type { AnyEqn } from '../ir/graph.js';
import type { DType } from '../ir/types.js';
import { sizeOf } from '../ir/types.js';
import type { PrimName } from '../prims/params.js';

/** Primitives a region may contain. */
export const FUSIBLE = new Set<PrimName>([
  'neg',
  'exp',
  'log',
  'log1p',
  'expm1',
  'sin',
  'cos',
  'atan',
  'sqrt',
  'abs',
  'sign',
  'floor',
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'max',
  'min',
  'lt',
  'le',
  'gt',
  'ge',
  'eq',
  'ne',
  'and',
  'or',
  'not',
  'select',
  'convert',
  'stop_gradient',
]);

function expr(e: AnyEqn, a: string[]): string {
  const [x, y, z] = a;
  const int = e.outputs[0]!.aval.dtype === 'int32';
  switch (e.prim) {
    case 'neg':
      return int ? `(-${x} | 0)` : `(-${x})`;
    case 'exp':
      return `Math.exp(${x})`;
    case 'log':
      return `Math.log(${x})`;
    case 'log1p':
      return `Math.log1p(${x})`;
    case 'expm1':
      return `Math.expm1(${x})`;
    case 'sin':
      return `Math.sin(${x})`;
    case 'cos':
      return `Math.cos(${x})`;
    case 'atan':
      return `Math.atan(${x})`;
    case 'sqrt':
      return `Math.sqrt(${x})`;
    case 'abs':
      return `Math.abs(${x})`;
    case 'sign':
      return `(${x} > 0 ? 1 : ${x} < 0 ? -1 : ${x})`;
    case 'floor':
      return `Math.floor(${x})`;
    case 'add':
      return int ? `((${x} + ${y}) | 0)` : `(${x} + ${y})`;
    case 'sub':
      return int ? `((${x} - ${y}) | 0)` : `(${x} - ${y})`;
    case 'mul':
      return int ? `Math.imul(${x}, ${y})` : `(${x} * ${y})`;
    case 'div':
      return int ? `((${x} / ${y}) | 0)` : `(${x} / ${y})`;
    case 'pow':
      return `Math.pow(${x}, ${y})`;
    case 'max':
      return `(${x} !== ${x} || ${y} !== ${y} ? NaN : Math.max(${x}, ${y}))`;
    case 'min':
      return `(${x} !== ${x} || ${y} !== ${y} ? NaN : Math.min(${x}, ${y}))`;
    case 'lt':
      return `(${x} < ${y} ? 1 : 0)`;
    case 'le':
      return `(${x} <= ${y} ? 1 : 0)`;
    case 'gt':
      return `(${x} > ${y} ? 1 : 0)`;
    case 'ge':
      return `(${x} >= ${y} ? 1 : 0)`;
    case 'eq':
      return `(${x} === ${y} ? 1 : 0)`;
    case 'ne':
      return `(${x} !== ${y} ? 1 : 0)`;
    case 'and':
      return `(${x} & ${y})`;
    case 'or':
      return `(${x} | ${y})`;
    case 'not':
      return `(1 - ${x})`;
    case 'select':
      return `(${x} ? ${y} : ${z})`;
    case 'stop_gradient':
      return x!;
    case 'convert': {
      const to = e.params.dtype;
      return to === 'int32' ? `(Math.trunc(${x}) | 0)` : to === 'bool' ? `(${x} !== 0 ? 1 : 0)` : x!;
    }
    default:
      throw new Error(`fused region: ${e.prim} is not elementwise`);
  }
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
