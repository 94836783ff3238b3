// The contract between the plan interpreter and a backend: how values are uploaded, executed,
// downloaded, copied and freed. One Device instance serves one executable (and its sub-graphs).
// Invariants: exec returns values the interpreter owns; free is called exactly once per owned
// value; download returns a fresh array typed by the aval (see types.ts).

import type { AVal } from '../ir/types.js';
import type { Step, Plan } from '../plan/plan.js';
import type { BackendName, ExecStats, HostArray } from './types.js';

export interface Device<T> {
  readonly name: BackendName;
  /** Prepares per-plan decisions (e.g. which broadcasts stay lazy); called once per plan. */
  prepare(plan: Plan): void;
  upload(x: HostArray, a: AVal, persist: boolean): T;
  download(t: T, a: AVal): HostArray;
  exec(step: Step, ins: T[]): T[];
  copy(t: T): T;
  free(t: T): void;
  /** Makes this device current (tfjs has one global backend). */
  activate(): void;
  /** Frees what the device holds for sub-graphs. */
  dispose?(): void;
  /** Host-kernel counters. */
  readonly counters: Pick<ExecStats, 'hostCalls' | 'hostDownloads' | 'hostUploads' | 'hostBytes'>;
}
