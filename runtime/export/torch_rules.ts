// The PyTorch emitter's table: per primitive, the Python expression of its outputs (float64 torch
// tensors; int32 and bool kept as torch.int32 / torch.bool), or the reason it has no export.
// Keyed by every primitive name (a mapped type), so a new primitive without an entry here is a
// compile error. Each entry follows the primitive's `ref` rule; torch's autograd differentiates
// the emitted code, so derivatives come from torch, never from Proxima's rules.
// Shapes go through ctx.shape/ctx.dim: a dimension equal to the marked row count is written as
// the symbol `n` so the same code runs on a shard of the rows (compiler/export checks the result).

import type { Graph } from '../ir/graph.js';
import type { AVal, DType } from '../ir/types.js';
import type { PrimName, PrimParams } from '../prims/params.js';

/** What the emitter offers a rule. */
export interface TorchContext {
  /** A Python tuple of a static shape, the row count written symbolically. */
  shape(dims: readonly number[]): string;
  /** One dimension, the row count written symbolically. */
  dim(d: number): string;
  /** A Python literal of a constant (float64 values exact). */
  constant(value: ArrayLike<number>, shape: readonly number[], dtype: DType): string;
  /** The name of a Python function computing a sub-graph (defined before the current line). */
  sub(g: Graph, hint: string): string;
}

export interface TorchRule<P extends PrimName> {
  /**
   * The outputs: one Python expression for single-output primitives, or an expression of a tuple
   * for multi-output ones (unpacked by the emitter).
   */
  emit(
    ins: readonly string[],
    p: PrimParams[P],
    inAvals: readonly AVal[],
    outAvals: readonly AVal[],
    ctx: TorchContext,
  ): string;
  /** The expression is a tuple even for one output (scan): the emitter unpacks it. */
  tuple?: true;
}

/** A primitive with no torch export yet, and why (listed in the export's error). */
export interface TorchUnsupported {
  unsupported: string;
}

export type TorchTable = { [P in PrimName]: TorchRule<P> | TorchUnsupported };

export const TORCH_DTYPE: Record<DType, string> = {
  float32: 'torch.float32',
  float64: 'torch.float64',
  int32: 'torch.int32',
  bool: 'torch.bool',
};

const fn1 = (f: string) => ({ emit: ([x]: readonly string[]) => `${f}(${x})` });
const bin = (op: string) => ({ emit: ([a, b]: readonly string[]) => `(${a} ${op} ${b})` });
const axesList = (axes: readonly number[]) => `[${axes.join(', ')}]`;
// torch.sum(x, dim=[]) reduces every axis (torch 1.13); an empty axis list is the identity here.
// Sums name their dtype: torch sums int32 and bool into int64.
const reduce = (f: string) => ({
  emit: ([x]: readonly string[], p: { axes: number[] }, _i: readonly AVal[], [o]: readonly AVal[]) =>
    p.axes.length === 0
      ? x!
      : `${f}(${x}, dim=${axesList(p.axes)}${f === 'torch.sum' ? `, dtype=${TORCH_DTYPE[o!.dtype]}` : ''})`,
});

export const torchRules: TorchTable = {
  constant: { emit: (_i, p, _a, _o, ctx) => ctx.constant(p.value, p.shape, p.dtype) },

  neg: fn1('torch.neg'),
  exp: fn1('torch.exp'),
  log: fn1('torch.log'),
  log1p: fn1('torch.log1p'),
  expm1: fn1('torch.expm1'),
  sin: fn1('torch.sin'),
  cos: fn1('torch.cos'),
  atan: fn1('torch.atan'),
  sqrt: fn1('torch.sqrt'),
  abs: fn1('torch.abs'),
  sign: fn1('torch.sign'),
  floor: fn1('torch.floor'),
  add: bin('+'),
  sub: bin('-'),
  mul: bin('*'),
  // int32 division truncates toward zero, as `(x / y) | 0` does.
  div: {
    emit: ([a, b], _p, _i, [o]) =>
      o!.dtype === 'int32' ? `torch.div(${a}, ${b}, rounding_mode='trunc')` : `(${a} / ${b})`,
  },
  pow: { emit: ([a, b]) => `torch.pow(${a}, ${b})` },
  // NaN-propagating, as the ref rule.
  max: { emit: ([a, b]) => `torch.maximum(${a}, ${b})` },
  min: { emit: ([a, b]) => `torch.minimum(${a}, ${b})` },
  lt: bin('<'),
  le: bin('<='),
  gt: bin('>'),
  ge: bin('>='),
  eq: bin('=='),
  ne: bin('!='),
  and: { emit: ([a, b]) => `torch.logical_and(${a}, ${b})` },
  or: { emit: ([a, b]) => `torch.logical_or(${a}, ${b})` },
  not: fn1('torch.logical_not'),
  select: { emit: ([c, a, b]) => `torch.where(${c}, ${a}, ${b})` },
  // float -> int32 truncates toward zero (torch's cast does); anything -> bool is x != 0.
  convert: {
    emit: ([x], p, [i]) =>
      p.dtype === 'bool' && i!.dtype !== 'bool' ? `(${x} != 0)` : `${x}.to(${TORCH_DTYPE[p.dtype]})`,
  },
  stop_gradient: { emit: ([x]) => `${x}.detach()` },

  reduce_sum: reduce('torch.sum'),
  reduce_max: reduce('torch.amax'),
  reduce_min: reduce('torch.amin'),
  argmax: { emit: ([x], p) => `torch.argmax(${x}, dim=${p.axis}).to(torch.int32)` },
  cumsum: {
    emit: ([x], p, _i, [o]) =>
      p.reverse
        ? `torch.flip(torch.cumsum(torch.flip(${x}, [${p.axis}]), dim=${p.axis}, dtype=${TORCH_DTYPE[o!.dtype]}), [${p.axis}])`
        : `torch.cumsum(${x}, dim=${p.axis}, dtype=${TORCH_DTYPE[o!.dtype]})`,
  },

  // The operand's axes land on `dims`; every other output axis is new (size 1, then expanded).
  broadcast_in_dim: {
    emit: ([x], p, [i], _o, ctx) => {
      const mid = p.shape.map((_, k) => {
        const at = p.dims.indexOf(k);
        return at < 0 ? 1 : i!.shape[at]!;
      });
      return `${x}.reshape(${ctx.shape(mid)}).expand(${ctx.shape(p.shape)})`;
    },
  },
  reshape: { emit: ([x], p, _i, _o, ctx) => `${x}.reshape(${ctx.shape(p.shape)})` },
  transpose: { emit: ([x], p) => `${x}.permute(${p.perm.join(', ')}${p.perm.length === 1 ? ',' : ''})` },
  slice: {
    emit: ([x], p, [i], _o, ctx) =>
      i!.shape.length === 0
        ? x!
        : `${x}[${p.starts.map((s, k) => `${ctx.dim(s)}:${ctx.dim(p.limits[k]!)}${p.strides[k] === 1 ? '' : `:${p.strides[k]}`}`).join(', ')}]`,
  },
  concatenate: { emit: (ins, p) => `torch.cat([${ins.join(', ')}], dim=${p.axis})` },
  // F.pad takes (lo, hi) pairs from the last axis back; the fill is zero, as in the ref rule.
  pad: {
    emit: ([x], p, [i]) => {
      const widths = p.lo
        .map((_, k) => [p.lo[k]!, p.hi[k]!])
        .reverse()
        .flat();
      return i!.shape.length === 0 ? x! : `torch.nn.functional.pad(${x}, [${widths.join(', ')}])`;
    },
  },
  gather: {
    emit: ([x, idx], p, _i, [o], ctx) =>
      `torch.index_select(${x}, ${p.axis}, ${idx}.reshape(-1).long()).reshape(${ctx.shape(o!.shape)})`,
  },
  scatter_add: {
    emit: ([u, idx], p, [, ia], [o], ctx) => {
      const out = o!.shape;
      const flat = [...out.slice(0, p.axis), ia!.shape.reduce((a, b) => a * b, 1), ...out.slice(p.axis + 1)];
      return `torch.zeros(${ctx.shape(out)}, dtype=${TORCH_DTYPE[o!.dtype]}).index_add(${p.axis}, ${idx}.reshape(-1).long(), ${u}.reshape(${ctx.shape(flat)}))`;
    },
  },
  iota: {
    emit: (_i, p, _a, _o, ctx) => {
      const mid = p.shape.map((d, k) => (k === p.axis ? d : 1));
      return `torch.arange(${ctx.dim(p.shape[p.axis]!)}).reshape(${ctx.shape(mid)}).expand(${ctx.shape(p.shape)}).to(${TORCH_DTYPE[p.dtype]})`;
    },
  },

  matmul: {
    emit: ([a, b], p) => `torch.matmul(${a}${p.transA ? '.mT' : ''}, ${b}${p.transB ? '.mT' : ''})`,
  },
  // cholesky_ex: a matrix that is not positive definite gives a (partial) factor, not an exception.
  cholesky: { emit: ([x]) => `torch.linalg.cholesky_ex(${x}).L` },
  triangular_solve: {
    emit: ([a, b], p) =>
      p.transA
        ? `torch.linalg.solve_triangular(${a}.mT, ${b}, upper=${p.lower ? 'True' : 'False'})`
        : `torch.linalg.solve_triangular(${a}, ${b}, upper=${p.lower ? 'False' : 'True'})`,
  },
  eigh: { emit: ([x]) => `tuple(torch.linalg.eigh(${x}))` },
  svd: { emit: ([x]) => `(lambda u, s, vh: (u, s, vh.mT))(*torch.linalg.svd(${x}, full_matrices=False))` },

  sort: {
    emit: ([x], p) =>
      `(lambda r: (r.values, r.indices.to(torch.int32)))(torch.sort(${x}, dim=-1, descending=${p.descending ? 'True' : 'False'}, stable=True))`,
  },
  top_k: { emit: ([x], p) => `(lambda r: (r.values, r.indices.to(torch.int32)))(torch.topk(${x}, ${p.k}, dim=-1))` },

  rng_uniform: { unsupported: 'random draws inside the objective (Threefry keys have no torch counterpart yet)' },
  rng_split: { unsupported: 'random keys inside the objective (Threefry keys have no torch counterpart yet)' },

  // A Python loop over the steps; ys are stacked along a new leading axis.
  scan: {
    tuple: true,
    emit: (ins, p, _i, outAvals, ctx) => {
      const body = ctx.sub(p.body, 'scan_body');
      const c = p.numConsts;
      const consts = ins.slice(0, c);
      const init = ins.slice(c, c + p.numCarry);
      const xs = ins.slice(c + p.numCarry);
      const steps = p.reverse ? `reversed(range(${ctx.dim(p.length)}))` : `range(${ctx.dim(p.length)})`;
      const numYs = outAvals.length - p.numCarry;
      return `_scan(${body}, [${consts.join(', ')}], [${init.join(', ')}], [${xs.join(', ')}], ${steps}, ${p.numCarry}, ${numYs}, ${p.reverse ? 'True' : 'False'})`;
    },
  },
  fixed_point: {
    unsupported: 'fixed_point (its derivative is implicit; torch autograd would differentiate the unrolled iteration)',
  },
  while_loop: { unsupported: 'while_loop (no reverse-mode derivative)' },
  custom_vjp: { unsupported: 'custom_vjp (a user-defined derivative; torch autograd would ignore it)' },
};
