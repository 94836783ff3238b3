// Backend conformance cases, shared by the Node tests (tfjs cpu and wasm) and the browser suite
// (webgl and webgpu in Chromium, tests/browser/): one tiny graph per primitive with deterministic
// inputs, random expression graphs with their gradients, and the agreement rules against ref
// (float32 on the CPU backends, looser on GPUs: see GPU_TOL).
// No test framework here, so the browser bundle can import it.

import { trace, grads, ops as P } from '../../runtime/index.js';
import type { Graph } from '../../runtime/ir/graph.js';
import type { Tracer } from '../../runtime/ir/tracer.js';
import { sizeOf, type AVal, type DType } from '../../runtime/ir/types.js';
import type { HostArray } from '../../runtime/backends/types.js';

export type Gen = 'normal' | 'pos' | 'int' | 'nonzeroInt' | 'bool' | 'key' | 'offgrid' | { idx: number };

export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

export function makeInput(a: AVal, gen: Gen, r: () => number): HostArray {
  const n = sizeOf(a.shape);
  const f = (): number => {
    if (typeof gen === 'object') return Math.floor(r() * gen.idx);
    switch (gen) {
      case 'normal':
        return r() * 4 - 2;
      case 'pos':
        return 0.5 + r() * 2.5;
      case 'int':
        return Math.floor(r() * 11) - 5;
      case 'nonzeroInt': {
        const v = Math.floor(r() * 9) + 1;
        return r() < 0.5 ? -v : v;
      }
      case 'bool':
        return r() < 0.5 ? 1 : 0;
      case 'key':
        return Math.floor(r() * 1000);
      case 'offgrid':
        return Math.floor(r() * 8) - 4 + 0.25 + r() * 0.5;
    }
  };
  const vals = Array.from({ length: n }, f);
  const data =
    a.dtype === 'int32'
      ? Int32Array.from(vals)
      : a.dtype === 'bool'
        ? Uint8Array.from(vals)
        : a.dtype === 'float32'
          ? Float32Array.from(vals)
          : Float64Array.from(vals);
  return { data, shape: a.shape };
}

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

export const PRIM_ROWS: Record<string, Row> = {
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
    f: (x, n) => [
      P.cast(x!, 'int32'),
      P.cast(x!, 'bool'),
      P.cast(n!, 'float64'),
      P.cast(x!, 'float32'),
      // A converted value consumed on the device (tfjs-webgpu converts int32 lazily).
      P.add(P.cast(n!, 'float64'), 0.5),
      P.add(P.cast(P.lt(n!, P.constant(0, 'int32')), 'float64'), 0.25),
    ],
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

/** A row's graph and its inputs (seeded by the row's name). */
export function rowCase(name: string): { graph: Graph; inputs: HostArray[] } {
  const row = PRIM_ROWS[name]!;
  const graph = trace(
    (...xs) => row.f(...xs),
    row.args.map(([shape, dtype]) => ({ shape, dtype: dtype ?? 'float64' })),
  );
  const r = seeded(name.length * 7919 + name.charCodeAt(0));
  const inputs = graph.inputs.map((v, i) => makeInput(v.aval, row.args[i]![2] ?? 'normal', r));
  return { graph, inputs };
}

/** Agreement with float64 ref: |error| <= abs + rel |value|. */
export interface Tolerance {
  abs: number;
  rel: number;
}

/** float32 arithmetic with correctly rounded elementary functions (tfjs cpu and wasm). */
export const F32_TOL: Tolerance = { abs: 1e-4, rel: 1e-3 };
/**
 * GPU shaders: float32, but elementary functions are only as accurate as the shading languages
 * promise (WGSL: sin and cos to an absolute 2^-11 on [-pi, pi], exp to 3 + 2|x| ULP; GLSL ES
 * leaves them to the driver), and errors compound through deep gradient graphs.
 */
export const GPU_TOL: Tolerance = { abs: 1e-3, rel: 2e-3 };

/** The first disagreement of `actual` with the float64 `expected`, or null when they agree. */
export function disagreement(
  actual: HostArray,
  expected: HostArray,
  what: string,
  tol: Tolerance = F32_TOL,
): string | null {
  if (actual.shape.join(',') !== expected.shape.join(','))
    return `${what}: shape [${actual.shape}] vs ref [${expected.shape}]`;
  if (actual.data.length !== expected.data.length)
    return `${what}: length ${actual.data.length} vs ref ${expected.data.length}`;
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i]!,
      a = actual.data[i]!;
    if (Number.isNaN(e)) {
      if (!Number.isNaN(a)) return `${what}[${i}]: expected NaN, got ${a}`;
      continue;
    }
    if (e === a) continue;
    const err = Math.abs(a - e);
    if (!(err <= tol.abs + tol.rel * Math.abs(e))) return `${what}[${i}]: ${a} vs ref ${e} (|error| ${err})`;
  }
  return null;
}

// Random expression graphs: smooth, bounded unary maps, binary arithmetic with broadcasting,
// reductions and matmuls, so float32 stays within the agreement tolerance.
type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const unary: ((x: Tracer) => Tracer)[] = [
  P.sin,
  P.cos,
  P.tanh,
  P.sigmoid,
  P.softplus,
  P.atan,
  (x) => P.exp(P.mul(0.3, P.tanh(x))),
  (x) => P.log(P.add(1, P.square(x))),
  (x) => P.sqrt(P.add(1, P.square(x))),
  (x) => P.mul(x, 0.5),
  P.neg,
  (x) => P.maximum(x, P.mul(0.1, x)),
];
const binary: ((a: Tracer, b: Tracer) => Tracer)[] = [
  P.add,
  P.sub,
  (a, b) => P.mul(P.tanh(a), b),
  (a, b) => P.div(a, P.add(2, P.sin(b))),
  (a, b) => P.where(P.gt(a, b), a, P.mul(0.5, b)),
  (a, b) => P.add(a, P.sum(b, 1, true)), // broadcast a reduced column back
  (a, b) => P.add(a, P.mean(b, 0, true)),
  (a, b) => P.matmul(P.tanh(a), P.matmul(b, P.tanh(a), true, false)), // [3,4] @ ([4,3]@[3,4]) -> [3,4]
];

export function randomExpr(r: R, xs: Tracer[], depth: number): Tracer {
  if (depth === 0) return pick(r, xs);
  if (r() < 0.4) return pick(r, unary)(randomExpr(r, xs, depth - 1));
  return pick(r, binary)(randomExpr(r, xs, depth - 1), randomExpr(r, xs, depth - 1));
}

/** Random graph `seed`: the value of a random expression in two [3, 4] inputs and its gradients. */
export function randomGraphCase(seed: number): { graph: Graph; inputs: HostArray[] } {
  const r = seeded(seed * 104729);
  const depth = 2 + (seed % 4);
  const exprSeed = Math.floor(r() * 2 ** 31);
  const f = (a: Tracer, b: Tracer) => P.sum(P.mul(randomExpr(seeded(exprSeed), [a, b], depth), 0.1));
  const graph = trace(
    (a, b) => [f(a!, b!), ...grads(f)(a!, b!)],
    [
      [3, 4],
      [3, 4],
    ],
  );
  return { graph, inputs: graph.inputs.map((v) => makeInput(v.aval, 'normal', r)) };
}
