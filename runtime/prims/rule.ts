// The shape of one primitive-table entry. Each rule is written against the tracing ops, so the
// derivative rules themselves emit graph nodes and can be differentiated again (any order).
// Invariants: `shape` validates its inputs and throws ShapeError with a readable message;
// `jvp`/`vjp` return null for a zero tangent/cotangent (never a materialized zero unless needed);
// `ref` computes in float64 (int32 and bool stay exact); `tfjs` is a kernel lowering or 'host'.

import type * as TF from '@tensorflow/tfjs';
import type { Graph } from '../ir/graph.js';
import type { AVal } from '../ir/types.js';
import type { Tracer } from '../ir/tracer.js';
import type { PrimName, PrimParams } from './params.js';

/** A dense array on the float64 reference backend (row-major). */
export interface RefArray {
  readonly data: Float64Array | Int32Array | Uint8Array;
  readonly shape: readonly number[];
}

export class ShapeError extends Error {}

/** What a backend offers to rules that run sub-graphs (control flow). */
export interface RefContext {
  run(graph: Graph, inputs: RefArray[]): RefArray[];
}
export interface TfContext {
  tf: typeof TF;
  run(graph: Graph, inputs: TF.Tensor[]): TF.Tensor[];
  /** Runs the ref implementation of this equation on host data (transfers counted by the plan). */
  host(inputs: TF.Tensor[]): TF.Tensor[];
}

export type Ct = Tracer | null;

export interface PrimRule<P extends PrimName> {
  /** Output abstract values; throws ShapeError on invalid inputs. */
  shape(inputs: readonly AVal[], params: PrimParams[P]): AVal[];
  /** Tangents of the outputs, given primal inputs/outputs and input tangents (null = zero). */
  jvp(primals: Tracer[], tangents: Ct[], params: PrimParams[P], outs: Tracer[]): Ct[];
  /** Cotangents of the inputs (null = zero or not differentiable). */
  vjp(cts: Ct[], primals: Tracer[], outs: Tracer[], params: PrimParams[P], residuals: Tracer[]): Ct[];
  /** Optional forward hook for reverse mode: computes outputs plus residuals the vjp needs. */
  forward?(primals: Tracer[], params: PrimParams[P]): { outs: Tracer[]; residuals: Tracer[] };
  /** Float64 reference implementation. */
  ref(inputs: RefArray[], params: PrimParams[P], outAvals: AVal[], ctx: RefContext): RefArray[];
  /** tfjs lowering (float32), or 'host' for a declared host-side JavaScript kernel. */
  tfjs: ((inputs: TF.Tensor[], params: PrimParams[P], outAvals: AVal[], ctx: TfContext) => TF.Tensor[]) | 'host';
}

export type PrimTable = { [P in PrimName]: PrimRule<P> };
export type PartialTable<K extends PrimName> = { [P in K]: PrimRule<P> };
