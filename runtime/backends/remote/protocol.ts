// The wire protocol between a thread that runs plans synchronously (the client) and a thread
// that owns a WebGPU device (the server). WebGPU reads results back only asynchronously, and the
// plan interpreter, the solvers and control flow read synchronously; so the device lives in its
// own thread, the client sends it batches of operations without waiting, and blocks (Atomics.wait)
// only when it needs values back. The server never blocks: it awaits its reads and answers
// through shared memory.
// Invariants: the client names every value (ids) so it never waits for a reply to go on; batches
// run in the order they were sent; a batch's last op may be a read or a sync, answered through
// the response block; an error in any op is kept and reported at the next read or sync.

import type { AVal, DType } from '../../ir/types.js';
import type { PrimName } from '../../prims/params.js';
import type { Region } from '../tfjs.js';

/** An equation as the server needs it: primitive, static params, input and output types. */
export interface EqnSpec {
  prim: PrimName;
  params: unknown;
  inputs: { id: number; aval: AVal }[];
  outputs: { id: number; aval: AVal }[];
}

/** A plan step the server can run: one equation (maybe a lazy broadcast) or a fused region. */
export interface StepSpec {
  eqn: EqnSpec;
  lazy: boolean;
  fused?: EqnSpec[];
  region?: Region;
}

export type Op =
  | ['def', number, StepSpec]
  | ['up', number, Float32Array | Int32Array, number[], DType]
  | ['ex', number, number[], number[]]
  | ['cp', number, number]
  | ['fr', number]
  | ['unstack', number, number[]]
  | ['stack', number[], number]
  | ['zeros', number, number[], DType]
  | ['rd', number]
  | ['sync'];

export type Message =
  | { kind: 'init'; control: SharedArrayBuffer; data: SharedArrayBuffer }
  | { kind: 'buffer'; data: SharedArrayBuffer }
  | { kind: 'batch'; ops: Op[] };

/** Control block (Int32Array over 16 bytes): [state, status, byteLength, unused]. */
export const CTRL = { state: 0, status: 1, length: 2 } as const;
export const STATE = { waiting: 0, ready: 1 } as const;
export const STATUS = { ok: 0, error: 1 } as const;
