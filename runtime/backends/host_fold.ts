// Small values that the GPU backends know on the host (uploads and host-kernel results keep a
// host mirror) stay known through exact operations: data movement (reshape, slice, concatenate,
// transpose, broadcast, gather) in any dtype, and any primitive whose results are int32 or bool
// (exact arithmetic). Such a step runs its ref rule on the mirrors and uploads the result, with
// its own mirror, instead of dispatching a kernel; so a chain of random-key splits and slices
// never reads back from the GPU. Float arithmetic is never folded: it stays float32 on the device.

import type { AnyEqn } from '../ir/graph.js';
import { sizeOf, type AVal } from '../ir/types.js';
import { primTable } from '../prims/table.js';
import type { PrimName } from '../prims/params.js';
import type { PrimRule, RefArray } from '../prims/rule.js';

/** Largest value kept as a host mirror (elements). */
export const MIRROR_MAX = 1 << 16;

const MOVEMENT = new Set<PrimName>(['reshape', 'slice', 'concatenate', 'transpose', 'broadcast_in_dim', 'gather']);
const NEVER = new Set<PrimName>(['scan', 'fixed_point', 'while_loop', 'custom_vjp', 'constant']);

/** Whether a step may run on host mirrors (all of its inputs must have one). */
export function foldable(e: AnyEqn): boolean {
  if (NEVER.has(e.prim) || e.inputs.length === 0) return false;
  if (!e.outputs.every((v) => sizeOf(v.aval.shape) <= MIRROR_MAX)) return false;
  if (MOVEMENT.has(e.prim)) return true;
  const rule = primTable[e.prim] as unknown as PrimRule<PrimName>;
  return rule.tfjs !== 'host' && e.outputs.every((v) => v.aval.dtype === 'int32' || v.aval.dtype === 'bool');
}

/** Runs the ref rule on mirrored inputs (float32 values as they are on the device). */
export function foldOnHost(e: AnyEqn, mirrors: readonly ArrayLike<number>[]): RefArray[] {
  const ins: RefArray[] = mirrors.map((m, i) => {
    const a: AVal = e.inputs[i]!.aval;
    const data =
      a.dtype === 'int32' ? Int32Array.from(m) : a.dtype === 'bool' ? Uint8Array.from(m) : Float64Array.from(m);
    return { data, shape: [...a.shape] };
  });
  const rule = primTable[e.prim] as unknown as PrimRule<PrimName>;
  return rule.ref(
    ins,
    e.params as never,
    e.outputs.map((v) => v.aval),
    {
      run: () => {
        throw new Error('folded steps do not run sub-graphs');
      },
    },
  );
}
