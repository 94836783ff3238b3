// The backend-neutral execution interface: what `compile` returns on every backend (ref, cpu,
// wasm), the values that cross it, and the counters a compiled function exposes.
// Invariants: values handed out are fresh host arrays the caller owns (never views of runtime
// buffers), or DeviceArrays the caller explicitly asked to keep; float64 values computed on a
// float32 backend come back widened to Float64Array, so output types follow the graph's dtypes.

import type { AVal } from '../ir/types.js';
import type { HostValue } from '../values/host.js';

export type BackendName = 'ref' | 'js' | 'cpu' | 'wasm' | 'webgl' | 'webgpu';

export type HostData = Float64Array | Float32Array | Int32Array | Uint8Array;

/** A dense row-major array on the host. float64 -> Float64Array, float32 -> Float32Array,
 * int32 -> Int32Array, bool -> Uint8Array. */
export interface HostArray {
  readonly data: HostData;
  readonly shape: readonly number[];
}

/** A value kept on a backend's device between calls (from runKeep); the caller releases it. */
export interface DeviceArray {
  readonly backend: BackendName;
  readonly aval: AVal;
  /** Downloads a fresh host copy. */
  read(): HostArray;
  /** Frees the device memory; the array cannot be used afterwards. */
  release(): void;
  readonly released: boolean;
}

/** What a compiled function accepts for one input. */
export type Arg = HostValue | HostArray | DeviceArray;

export interface ExecStats {
  /** Runs of the constant stage (once per plan), the data stage (once per binding), the step stage (once per call). */
  constRuns: number;
  dataRuns: number;
  stepRuns: number;
  /** Equations in each stage of the plan. */
  constEqns: number;
  dataEqns: number;
  stepEqns: number;
  /** Host-kernel invocations on a device backend, and the values moved for them. */
  hostCalls: number;
  hostDownloads: number;
  hostUploads: number;
  hostBytes: number;
}

/** A state loop that keeps some values on the device between steps (e.g. parameters). */
export interface Stepper {
  /** Runs one call; state outputs replace state inputs on the device; returns the other outputs. */
  step(inputs?: readonly Arg[]): HostArray[];
  /** Runs `n` calls, downloading nothing. */
  advance(n: number, inputs?: readonly Arg[]): void;
  /** The current state values, downloaded. */
  read(): HostArray[];
  /** Frees the state. */
  release(): void;
}

export interface Executable {
  readonly backend: BackendName;
  /** The avals of the inputs `run` takes (graph inputs other than data inputs, in order). */
  readonly inAvals: readonly AVal[];
  readonly outAvals: readonly AVal[];
  readonly stats: Readonly<ExecStats>;
  /** Binds the data inputs (graph order); recomputes the data-only part of the graph once. */
  bind(data: readonly Arg[]): void;
  /** Runs on the step inputs; returns fresh host arrays. */
  run(inputs: readonly Arg[]): HostArray[];
  /** Runs and keeps the outputs on the device: the caller owns them (release() each). */
  runKeep(inputs: readonly Arg[]): DeviceArray[];
  /**
   * A loop whose state stays on the device: `state[k] = [inputIndex, outputIndex]` (inputIndex
   * among the step inputs) with initial values `init[k]`.
   */
  stepper(state: readonly (readonly [number, number])[], init: readonly Arg[]): Stepper;
  /** Frees everything the executable holds (cached constants, bound data). */
  dispose(): void;
}

export interface BackendCompileOptions {
  backend?: BackendName | 'auto';
  /** Graph input indices bound once via bind() (or `data`) instead of passed on every call. */
  dataInputs?: readonly number[];
  /** Initial values of the data inputs (same order as dataInputs). */
  data?: readonly Arg[];
  /** Run the graph simplifier (CSE, constant folding, algebraic identities) first; default true. */
  simplify?: boolean;
  /** tfjs backends: fuse elementwise regions into JavaScript loops; default true. */
  fuse?: boolean;
}
