// One tiny graph per primitive (a row), shared by the backend conformance tests: every backend
// runs the whole primitive table against the float64 ref backend. A test fails when a primitive
// has no row.

import { ops as P } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/ir/tracer.js';
import type { DType } from '../../runtime/ir/types.js';
import type { Gen } from './tfjs_support.js';

type Arg = [number[], DType?, Gen?];
export interface Row {
  args: Arg[];
  f: (...xs: Tracer[]) => Tracer | Tracer[];
}

const f64 = (shape: number[], gen: Gen = 'normal'): Arg => [shape, 'float64', gen];
const i32 = (shape: number[], gen: Gen = 'int'): Arg => [shape, 'int32', gen];
const bool = (shape: number[]): Arg => [shape, 'bool', 'bool'];
const un = (op: (x: Tracer) => Tracer, gen: Gen = 'normal'): Row => ({ args: [f64([2, 3], gen)], f: op });
const bin = (op: (a: Tracer, b: Tracer) => Tracer, ga: Gen = 'normal', gb: Gen = 'normal'): Row => ({
  args: [f64([2, 3], ga), f64([2, 3], gb)],
  f: op,
});
const spd = (a: Tracer) =>
  P.add(
    P.matmul(a, a, false, true),
    P.constant([
      [3, 0, 0],
      [0, 3, 0],
      [0, 0, 3],
    ]),
  );

export const rows: Record<string, Row> = {
  constant: { args: [f64([2])], f: (x) => P.add(x, P.constant([1.5, -2])) },
  neg: un(P.neg),
  exp: un(P.exp),
  log: un(P.log, 'pos'),
  log1p: un(P.log1p, 'pos'),
  expm1: un(P.expm1),
  sin: un(P.sin),
  cos: un(P.cos),
  atan: un(P.atan),
  sqrt: un(P.sqrt, 'pos'),
  abs: un(P.abs),
  sign: { args: [f64([2, 3], 'int')], f: P.sign },
  floor: un(P.floor, 'offgrid'),
  add: bin(P.add),
  sub: bin(P.sub),
  mul: bin(P.mul),
  div: {
    args: [f64([2, 3]), f64([2, 3], 'pos'), i32([2, 3]), i32([2, 3], 'nonzeroInt')],
    f: (a, b, c, d) => [P.div(a, b), P.div(c!, d!)],
  },
  pow: bin(P.pow, 'pos'),
  max: bin(P.maximum),
  min: bin(P.minimum),
  lt: bin(P.lt, 'int', 'int'),
  le: bin(P.le, 'int', 'int'),
  gt: bin(P.gt, 'int', 'int'),
  ge: bin(P.ge, 'int', 'int'),
  eq: bin(P.eq, 'int', 'int'),
  ne: bin(P.ne, 'int', 'int'),
  and: { args: [bool([5]), bool([5])], f: P.and },
  or: { args: [bool([5]), bool([5])], f: P.or },
  not: { args: [bool([5])], f: P.not },
  select: { args: [bool([2, 3]), f64([2, 3]), f64([2, 3])], f: (c, a, b) => P.where(c!, a!, b!) },
  convert: {
    args: [f64([6], 'offgrid'), i32([6])],
    f: (x, n) => [P.cast(x!, 'int32'), P.cast(x!, 'bool'), P.cast(n!, 'float64'), P.cast(x!, 'float32')],
  },
  stop_gradient: un(P.stopGradient),
  reduce_sum: { args: [f64([2, 3, 4])], f: (x) => [P.sum(x!, [1]), P.sum(x!, [0, 2]), P.sum(x!)] },
  reduce_max: { args: [f64([2, 3, 4])], f: (x) => [P.max(x!, [1]), P.max(x!)] },
  reduce_min: { args: [f64([2, 3, 4])], f: (x) => [P.min(x!, [2]), P.min(x!)] },
  argmax: { args: [f64([3, 4])], f: (x) => [P.argmax(x!, 0), P.argmax(x!, 1)] },
  cumsum: { args: [f64([3, 4])], f: (x) => [P.cumsum(x!, 0), P.cumsum(x!, 1, true)] },
  broadcast_in_dim: {
    args: [f64([3]), f64([])],
    f: (x, s) => [
      P.emit1('broadcast_in_dim', [x!], { shape: [3, 2], dims: [0] }),
      P.emit1('broadcast_in_dim', [x!], { shape: [2, 3], dims: [1] }),
      P.emit1('broadcast_in_dim', [s!], { shape: [2, 2], dims: [] }),
    ],
  },
  reshape: { args: [f64([2, 3])], f: (x) => P.reshape(x, [3, 2]) },
  transpose: { args: [f64([2, 3, 4])], f: (x) => P.transpose(x, [2, 0, 1]) },
  slice: { args: [f64([4, 5])], f: (x) => [P.slice(x, [1, 0], [3, 5]), P.slice(x, [0, 1], [4, 5], [2, 2])] },
  concatenate: { args: [f64([2, 3]), f64([2, 1])], f: (a, b) => P.concat([a!, b!], 1) },
  pad: { args: [f64([2, 3])], f: (x) => P.pad(x, [1, 0], [0, 2]) },
  gather: { args: [f64([4, 3]), i32([5], { idx: 4 })], f: (x, i) => P.take(x!, i!, 0) },
  scatter_add: { args: [f64([5, 3]), i32([5], { idx: 4 })], f: (u, i) => P.scatterAdd(u!, i!, 0, 4) },
  iota: { args: [], f: () => [P.iota([2, 3], 1, 'int32'), P.iota([3, 2], 0, 'float64')] },
  matmul: {
    args: [f64([2, 3]), f64([3, 4]), f64([2, 2, 3]), f64([2, 4, 3])],
    f: (a, b, c, d) => [P.matmul(a!, b!), P.matmul(b!, a!, true, true), P.matmul(c!, d!, false, true)],
  },
  cholesky: { args: [f64([3, 3])], f: (a) => P.cholesky(spd(a!)) },
  triangular_solve: {
    args: [f64([3, 3]), f64([3, 2])],
    f: (a, b) => {
      const l = P.cholesky(spd(a!));
      return [P.triangularSolve(l, b!, true, false), P.triangularSolve(l, b!, true, true)];
    },
  },
  eigh: {
    args: [f64([3, 3])],
    f: (a) => {
      const r = P.eigh(spd(a!));
      return [r.w, P.abs(r.v)];
    },
  },
  svd: {
    args: [f64([4, 3])],
    f: (a) => {
      const r = P.svd(a!);
      return [P.abs(r.u), r.s, P.abs(r.v)];
    },
  },
  sort: {
    args: [f64([2, 5])],
    f: (x) => {
      const r = P.sort(x!);
      const d = P.sort(x!, true);
      return [r.values, r.indices, d.values];
    },
  },
  top_k: {
    args: [f64([2, 5])],
    f: (x) => {
      const r = P.topK(x!, 3);
      return [r.values, r.indices];
    },
  },
  rng_uniform: { args: [i32([2], 'key')], f: (k) => [P.uniform(k!, [4], 'float64'), P.uniform(k!, [3], 'float32')] },
  rng_split: { args: [i32([2], 'key')], f: (k) => P.emit1('rng_split', [k!], { n: 3 }) },
  scan: {
    args: [f64([3]), f64([4, 3])],
    f: (c0, xs) => {
      const r = P.scan(([c], [x]) => [[P.add(P.mul(c!, 0.5), x!)], [P.sin(c!)]], [c0!], [xs!]);
      return [...r.carry, ...r.ys];
    },
  },
  fixed_point: {
    args: [f64([2], 'pos')],
    f: (th) => P.fixedPoint((x, t) => P.add(P.mul(0.5, P.cos(x)), t!), P.zerosLike(th!), [th!], { tol: 1e-6 }),
  },
  while_loop: {
    args: [f64([])],
    f: (x) =>
      P.whileLoop(
        ([v, i]) => P.lt(i!, P.constant(5, 'int32')),
        ([v, i]) => [P.add(P.mul(v!, 0.9), 1), P.add(i!, P.constant(1, 'int32'))],
        [x!, P.constant(0, 'int32')],
        100,
      ),
  },
  custom_vjp: {
    args: [f64([3])],
    f: (x) =>
      P.customVjp(
        (a) => [P.sin(a!)],
        (a) => ({ outs: [P.sin(a!)], residuals: [P.cos(a!)] }),
        ([c], [ct]) => [P.mul(c!, ct!)],
      )(x!),
  },
};
