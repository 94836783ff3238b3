// The ref backend behind the common executable interface: each plan step runs its primitive's
// float64 ref rule, and control-flow sub-graphs run through runRef. Arrays are immutable and
// garbage-collected, so copy and free cost nothing.

import type { AVal } from '../ir/types.js';
import type { Step } from '../plan/plan.js';
import { ruleOf } from '../prims/table.js';
import type { RefArray, RefContext } from '../prims/rule.js';
import { runRef } from './ref.js';
import type { Device } from './device.js';
import { typedCopy } from './host_args.js';
import type { HostArray } from './types.js';

const ctx: RefContext = { run: runRef };

export class RefDevice implements Device<RefArray> {
  readonly name = 'ref' as const;
  readonly counters = { hostCalls: 0, hostDownloads: 0, hostUploads: 0, hostBytes: 0 };

  prepare(): void {}
  activate(): void {}

  upload(x: HostArray, a: AVal, persist: boolean): RefArray {
    const d = x.data;
    const ok =
      a.dtype === 'int32'
        ? d instanceof Int32Array
        : a.dtype === 'bool'
          ? d instanceof Uint8Array
          : d instanceof Float64Array;
    // Ref arrays are shared, never written: only values that stay resident need a private copy.
    if (ok && !persist) return { data: d as RefArray['data'], shape: [...a.shape] };
    const data =
      a.dtype === 'int32'
        ? Int32Array.from(d)
        : a.dtype === 'bool'
          ? Uint8Array.from(d, (v) => (v ? 1 : 0))
          : Float64Array.from(d);
    return { data, shape: [...a.shape] };
  }

  download(t: RefArray, a: AVal): HostArray {
    return { data: typedCopy(t.data, a), shape: [...a.shape] };
  }

  exec(step: Step, ins: RefArray[]): RefArray[] {
    const e = step.eqn;
    const rule = ruleOf(e.prim);
    return rule.ref(
      ins,
      e.params,
      e.outputs.map((v) => v.aval),
      ctx,
    );
  }

  copy(t: RefArray): RefArray {
    return t;
  }

  free(): void {}
}
