// The shape of one primitive-table entry. Each rule is written against the tracing ops, so the
// derivative rules themselves emit graph nodes and can be differentiated again (any order).
// Invariants: `shape` validates its inputs and throws ShapeError with a readable message;
// `jvp`/`vjp` return null for a zero tangent/cotangent (never a materialized zero unless needed);
// `ref` computes in float64 (int32 and bool stay exact); `tfjs` is a kernel lowering or 'host'.
// The optional fields say what a backend may do beyond calling `ref`/`tfjs`: `elementwise` makes
// a primitive elementwise (fused into generated loops; natively broadcast by tfjs kernels),
// `reduction` and `view` let fused loops accumulate and index instead of materializing, and `js`
// is the js backend's kernel on preallocated buffers. Each follows the `ref` rule exactly.

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

/** Scalar code of an elementwise primitive, shared by every backend that generates loops. */
export interface ElementwiseRule<P extends PrimName> {
  /**
   * A JavaScript expression of one output element from its operands' element expressions (pure;
   * an operand may appear more than once). Floats compute in float64, int32 arithmetic wraps as
   * an Int32Array store does, bools are 0/1: the same values as the `ref` rule.
   */
  js(x: readonly string[], params: PrimParams[P], out: AVal): string;
}

/** A reduction over axes, accumulated inside a generated loop. */
export interface ReductionRule<P extends PrimName> {
  /** The reduced axes of the (single) operand. */
  axes(params: PrimParams[P]): readonly number[];
  /** The accumulator's initial value (a JavaScript expression). */
  init: string;
  /** The accumulator after one more element `x`, in the `ref` rule's order and NaN semantics. */
  js(acc: string, x: string): string;
}

/** Where an array's elements live: element c (a multi-index) is at offset + sum_d c_d * strides[d]. */
export interface Access {
  readonly offset: number;
  readonly strides: readonly number[];
}

/** A view: each output element is one element of the operand, at an affine position. */
export interface ViewRule<P extends PrimName> {
  /** The output's access given the operand's, or null when it is not affine (then materialize). */
  view(src: Access, inShape: readonly number[], params: PrimParams[P], outShape: readonly number[]): Access | null;
}

/** What the js backend offers to a kernel's code generation. */
export interface JsContext {
  /** A name the generated code can use for `value` (a kernel function, a table, an options object). */
  ref(value: unknown): string;
  /** A name for an array of the named buffers (built once; the generated code allocates nothing). */
  buffers(names: readonly string[]): string;
  /** A compiled sub-graph (a JsProgram); `bind[k]` names the buffer input k reads in place, else it has its own. */
  sub(graph: Graph, bind?: readonly (string | null)[]): string;
  /** Statements copying `shape` elements from `src` (read at `from`) into `dst` (written at `to`). */
  copy(src: string, from: Access, dst: string, to: Access, shape: readonly number[]): string;
}

/**
 * A sub-graph compiled by the js backend: `run()` computes `outs` from `ins` (its buffers, each
 * the graph dtype's typed array: Float64Array for floats, Int32Array, Uint8Array for bool).
 */
export interface JsProgram {
  readonly ins: readonly JsBuffer[];
  readonly outs: readonly JsBuffer[];
  run(): void;
}
export type JsBuffer = Float64Array | Int32Array | Uint8Array;

/**
 * The js backend's kernel: statements computing the output buffers from the input buffers (names
 * of typed arrays in the generated code), or null where this case runs the `ref` rule instead.
 */
export interface JsRule<P extends PrimName> {
  emit(
    ins: readonly string[],
    outs: readonly string[],
    params: PrimParams[P],
    inAvals: readonly AVal[],
    outAvals: readonly AVal[],
    ctx: JsContext,
  ): string | null;
}

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
  /** Elementwise primitives: one output element's code (fused loops on js and in tfjs regions). */
  elementwise?: ElementwiseRule<P>;
  /** Reductions that generated loops can accumulate. */
  reduction?: ReductionRule<P>;
  /** Views that generated loops can read through (index arithmetic, never materialized). */
  view?: ViewRule<P>;
  /** The js backend's kernel; without it js runs `ref` and copies the result into place. */
  js?: JsRule<P>;
}

export type PrimTable = { [P in PrimName]: PrimRule<P> };
export type PartialTable<K extends PrimName> = { [P in K]: PrimRule<P> };

/** Primitives that have a given optional field, derived from the table. */
export type RuleField = 'elementwise' | 'reduction' | 'view' | 'js';
