// The primitive union: every primitive's name and the static parameters it carries.
// Adding a primitive starts here; the table in table.ts is typed over this interface, so an entry
// without all of its rules (shape, jvp, vjp, ref, tfjs) is a compile error.

import type { Graph } from '../ir/graph.js';
import type { DType } from '../ir/types.js';

type None = Record<string, never>;

export interface PrimParams {
  constant: { value: Float64Array | Int32Array | Uint8Array; shape: number[]; dtype: DType };

  // elementwise unary (float)
  neg: None;
  exp: None;
  log: None;
  log1p: None;
  expm1: None;
  sin: None;
  cos: None;
  atan: None;
  sqrt: None;
  abs: None;
  sign: None;
  floor: None;
  // elementwise binary (same shapes, same dtypes)
  add: None;
  sub: None;
  mul: None;
  div: None;
  pow: None;
  max: None;
  min: None;
  // comparisons and logic
  lt: None;
  le: None;
  gt: None;
  ge: None;
  eq: None;
  ne: None;
  and: None;
  or: None;
  not: None;
  select: None; // select(cond, onTrue, onFalse)
  convert: { dtype: DType };
  stop_gradient: None;

  // reductions over the given axes (sorted, distinct); the axes are removed
  reduce_sum: { axes: number[] };
  reduce_max: { axes: number[] };
  reduce_min: { axes: number[] };
  argmax: { axis: number };
  cumsum: { axis: number; reverse: boolean };

  // shapes and indexing
  broadcast_in_dim: { shape: number[]; dims: number[] };
  reshape: { shape: number[] };
  transpose: { perm: number[] };
  slice: { starts: number[]; limits: number[]; strides: number[] };
  concatenate: { axis: number };
  pad: { lo: number[]; hi: number[] };
  gather: { axis: number }; // take(x, idx, axis): out = x.shape[:axis] ++ idx.shape ++ x.shape[axis+1:]
  scatter_add: { axis: number; size: number }; // the transpose of gather
  iota: { shape: number[]; axis: number; dtype: DType };

  // linear algebra (batched over leading dims)
  matmul: { transA: boolean; transB: boolean };
  cholesky: None;
  triangular_solve: { lower: boolean; transA: boolean }; // solves op(A) X = B, A [..., n, n], B [..., n, m]
  eigh: None; // -> [w ascending, V]
  svd: None; // -> [U, s descending, V] (thin)

  // sorting along the last axis
  sort: { descending: boolean }; // -> [values, indices]
  top_k: { k: number }; // -> [values, indices]

  // random numbers from explicit keys (int32[2], Threefry-2x32)
  rng_uniform: { shape: number[]; dtype: DType };
  rng_split: { n: number };

  // structured control flow; sub-graphs take explicit inputs only (captures are lifted by tracing)
  scan: { body: Graph; length: number; numConsts: number; numCarry: number; reverse: boolean };
  fixed_point: { body: Graph; tol: number; maxIter: number }; // inputs [x0, ...theta]; body (x, ...theta) -> x
  while_loop: { cond: Graph; body: Graph; numCondConsts: number; numBodyConsts: number; maxIter: number };
  // inputs [args..., funCaps..., fwdCaps..., bwdCaps...]; fun (args, funCaps) -> outs;
  // fwd (args, fwdCaps) -> [outs..., residuals...]; bwd (residuals..., cts..., bwdCaps) -> arg cts
  custom_vjp: {
    fun: Graph;
    fwd: Graph;
    bwd: Graph;
    numArgs: number;
    numResiduals: number;
    numFunCaps: number;
    numFwdCaps: number;
    numBwdCaps: number;
  };
}

export type PrimName = keyof PrimParams;
