// The random-graph grammar shared by the property tests (random_graphs.test.ts checks derivatives
// on ref; js_backend.test.ts runs the same programs on js against ref): random well-typed
// expression graphs over 1-3 float64 inputs of small shapes. A program is a list of steps; each
// step applies one grammar op to values picked from a pool (inputs and earlier results), so graphs
// are DAGs with shared subexpressions and every result is an output. Each op pairs primitives
// with a domain-safe wrapper: no poles (log(1 + x^2), division by 1 + x^2, ...), no kinks within
// the finite-difference stencil (max/sort/select/floor act on values kept >= 0.4 apart by bounded
// tanh terms plus fixed offsets), bounded arguments to exp.

import fc from 'fast-check';
import { ops as P, sizeOf, type Shape } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/ir/tracer.js';

// ---------- coercions and fixed patterns ----------
const sameShape = (a: Shape, b: Shape) => a.length === b.length && a.every((d, i) => d === b[i]);
/** Brings x to `shape`: itself, a reshape (same size), a broadcast (scalar), else a broadcast sum. */
function as(x: Tracer, shape: Shape): Tracer {
  if (sameShape(x.shape, shape)) return x;
  if (sizeOf(x.shape) === sizeOf(shape)) return P.reshape(x, shape);
  if (sizeOf(x.shape) === 1) return P.broadcastTo(P.reshape(x, []), shape);
  return P.broadcastTo(P.mul(0.5, P.sum(x)), shape);
}
const last = (x: Tracer) => x.shape[x.rank - 1]!;
/** +-0.7 in a fixed pattern: added to 0.3*tanh(.) it decides comparisons with margin >= 0.4. */
const pat = (shape: Shape, k: number) =>
  P.constant(
    Array.from({ length: sizeOf(shape) }, (_, i) => (((i + k) * 5) % 3 === 0 ? 0.7 : -0.7)),
    'float64',
    shape,
  );
/** A permuted ladder 0, 1, ..., n-1 along the last axis (from iota, gathered by a permutation). */
function ladder(shape: Shape, k: number): Tracer {
  const n = shape[shape.length - 1]!;
  const perm = Array.from({ length: n }, (_, i) => (i * (2 * (k % 3) + 1) + k) % n);
  // n coprime to 1, 3, 5 keeps it a permutation for n in {1, 2, 3, 4, 6} only when distinct: dedupe.
  const p = new Set(perm).size === n ? perm : Array.from({ length: n }, (_, i) => (i + k) % n);
  return P.take(P.iota(shape, shape.length - 1, 'float64'), p, shape.length - 1);
}
/** Values whose elements along the last axis are >= 0.4 apart. */
const spread = (x: Tracer, k: number) => P.add(P.mul(0.3, P.tanh(x)), ladder(x.shape, k));
const sep = (x: Tracer, k: number) => P.add(P.mul(0.3, P.tanh(x)), pat(x.shape, k));
/** +-1 + 0.5 + 0.3*tanh(x): at least 0.2 from an integer, so floor is locally constant (+-1). */
const intish = (x: Tracer, k: number) => P.add(P.add(P.mul(0.3, P.tanh(x)), 0.5), P.div(pat(x.shape, k), 0.7));
const atLeast1 = (x: Tracer) => (x.rank === 0 ? P.reshape(x, [1]) : x);
const vec3 = (x: Tracer) => as(x, [3]);

const customSin = P.customVjp(
  (x) => [P.sin(x)],
  (x) => ({ outs: [P.sin(x)], residuals: [P.cos(x)] }),
  ([c], [ct]) => [P.mul(ct!, c!)],
);

/** A 3x3 SPD matrix from any value: B B^T + 3 I with B = tanh(v c^T + C). */
function spdOf(x: Tracer, k: number): { A: Tracer; B: Tracer } {
  const v = vec3(x);
  const c = P.constant([0.5, -1, 0.8 + 0.1 * (k % 3)]);
  const C = P.constant([
    [0.1, -0.4, 0.3],
    [0.7, 0.2, -0.5],
    [-0.3, 0.6, 0.1],
  ]);
  const B = P.tanh(P.add(P.outer(v, c), C));
  const A = P.add(
    P.matmul(B, P.mT(B)),
    P.mul(
      3,
      P.constant([
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ]),
    ),
  );
  return { A, B };
}

// ---------- the grammar ----------
type Op = (a: Tracer, b: Tracer, k: number) => Tracer;
export const grammar: Record<string, Op> = {
  sin: (a) => P.sin(a),
  cos: (a) => P.cos(a),
  expTanh: (a) => P.exp(P.tanh(a)),
  logSq: (a) => P.log(P.add(1, P.square(a))),
  log1pSq: (a) => P.log1p(P.square(a)),
  sqrtSq: (a) => P.sqrt(P.add(P.square(a), 1)),
  rational: (a) => P.div(a, P.add(1, P.square(a))),
  atan: (a) => P.atan(a),
  expm1Sin: (a) => P.expm1(P.sin(a)),
  sigmoid: (a) => P.sigmoid(a),
  softplus: (a) => P.softplus(a),
  neg: (a) => P.neg(a),
  absShift: (a) => P.abs(P.add(2, P.sin(a))),
  floorStep: (a, _b, k) => P.add(a, P.mul(0.1, P.floor(intish(a, k)))),
  signFlip: (a, _b, k) => P.mul(a, P.sign(sep(a, k))),
  add: (a, b) => P.add(a, as(b, a.shape)),
  sub: (a, b) => P.sub(as(b, a.shape), a),
  mul: (a, b) => P.mul(a, as(b, a.shape)),
  div: (a, b) => P.div(a, P.add(1, P.square(as(b, a.shape)))),
  pow: (a, b) => P.pow(P.add(1, P.square(a)), P.mul(0.5, P.sin(as(b, a.shape)))),
  powConst: (a, _b, k) => P.pow(a, 2 + (k % 2)),
  max: (a, b, k) => P.maximum(sep(a, k), P.mul(0.3, P.tanh(as(b, a.shape)))),
  min: (a, b, k) => P.minimum(P.mul(0.3, P.tanh(as(b, a.shape))), sep(a, k)),
  select: (a, b, k) => {
    const bb = as(b, a.shape);
    const s = sep(bb, k),
      z = P.zerosLike(s);
    const c = [P.gt(s, z), P.ge(s, z), P.lt(s, z), P.le(s, z)][k % 4]!;
    return P.where(c, a, P.sin(bb));
  },
  logic: (a, b, k) => {
    const s1 = sep(a, k),
      s2 = sep(as(b, a.shape), k + 1),
      z = P.zerosLike(s1);
    const c = [P.and(P.gt(s1, z), P.not(P.lt(s2, z))), P.or(P.gt(s1, z), P.gt(s2, z))][k % 2]!;
    return P.where(c, P.cos(a), a);
  },
  eqInt: (a, b, k) => {
    // Integer-valued floors of separated values: equality is exact and stable under the FD step.
    const f1 = P.floor(intish(a, k)),
      f2 = P.floor(intish(as(b, a.shape), k + 2));
    return P.where([P.eq(f1, f2), P.ne(f1, f2)][k % 2]!, P.mul(a, 2), a);
  },
  transpose: (a) => (a.rank >= 2 ? P.mT(a) : P.reshape(a, [1, sizeOf(a.shape)])),
  reshape: (a) =>
    sizeOf(a.shape) === 6
      ? P.reshape(a, sameShape(a.shape, [2, 3]) ? [3, 2] : [2, 3])
      : P.reshape(a, [sizeOf(a.shape)]),
  slice: (a, _b, k) => {
    const x = atLeast1(a);
    const n = last(x);
    if (n < 2) return P.mul(x, 1.5);
    const starts = x.shape.map(() => 0),
      limits = [...x.shape],
      strides = x.shape.map(() => 1);
    if (k % 2) starts[x.rank - 1] = 1;
    else strides[x.rank - 1] = 2;
    return P.slice(x, starts, limits, strides);
  },
  concat: (a, b) => {
    const x = atLeast1(a);
    return last(x) > 4 ? P.sum(x, -1) : P.concat([x, P.sin(as(b, x.shape))], x.rank - 1);
  },
  pad: (a) => {
    const x = atLeast1(a);
    return last(x) > 4
      ? P.mul(x, 0.5)
      : P.pad(
          x,
          x.shape.map(() => 0),
          x.shape.map((_, i) => (i === x.rank - 1 ? 2 : 0)),
        );
  },
  gather: (a, _b, k) => {
    const x = atLeast1(a);
    const n = last(x);
    return P.take(x, [k % n, (k + 1) % n, k % n], x.rank - 1);
  },
  scatter: (a, _b, k) => {
    const x = atLeast1(a);
    const n = x.shape[0]!;
    const idx = Array.from({ length: n }, (_, i) => (i * (k + 1)) % Math.max(1, n - 1));
    return P.scatterAdd(x, P.constant(idx, 'int32'), 0, n);
  },
  broadcast: (a, _b, k) =>
    a.rank <= 1 ? P.mul(P.broadcastTo(a, [2, ...a.shape]), pat([2, ...a.shape], k)) : P.sum(a, 0),
  sum: (a, _b, k) => (a.rank === 0 ? P.mul(a, 3) : P.sum(a, k % a.rank)),
  mean: (a) => P.mean(a),
  reduceMax: (a, _b, k) => P.max(spread(atLeast1(a), k), -1),
  reduceMin: (a, _b, k) => P.min(spread(atLeast1(a), k), -1),
  argmaxTake: (a, b, k) => {
    const x = P.flatten(atLeast1(a));
    return P.take(P.sin(as(b, x.shape)), P.argmax(spread(x, k)), 0);
  },
  cumsum: (a, _b, k) => P.cumsum(atLeast1(a), -1, k % 2 === 1),
  sort: (a, _b, k) => P.sort(spread(atLeast1(a), k), k % 2 === 1).values,
  topK: (a, _b, k) => {
    const x = spread(atLeast1(a), k);
    return P.topK(x, Math.min(2, last(x))).values;
  },
  logsumexp: (a) => P.logsumexp(atLeast1(a), -1),
  matvec: (a, b) => P.matmul(as(a, [2, 3]), vec3(b)),
  matmulT: (a, b) => P.matmul(P.tanh(as(a, [2, 3])), as(b, [2, 3]), false, true),
  cholesky: (a, _b, k) => P.cholesky(spdOf(a, k).A),
  trisolve: (a, b, k) => {
    const L = P.cholesky(spdOf(a, k).A);
    return P.triangularSolve(k % 2 ? P.mT(L) : L, as(b, [3, 2]), k % 2 === 0, k % 4 >= 2);
  },
  eigh: (a, _b, k) => {
    const { B } = spdOf(a, k);
    const { w, v } = P.eigh(
      P.add(
        P.matmul(B, P.mT(B)),
        P.constant([
          [1, 0, 0],
          [0, 5, 0],
          [0, 0, 9],
        ]),
      ),
    );
    return P.concat([w, P.flatten(P.mul(v, v))]);
  },
  svd: (a, b) => {
    const M = P.add(
      P.constant([
        [1, 0],
        [0, 2.5],
        [0, 0],
      ]),
      P.mul(0.2, P.tanh(as(a, [3, 2]))),
    );
    return P.svd(P.add(M, P.mul(0.05, P.sin(as(b, [3, 2]))))).s;
  },
  scan: (a) => {
    const x = atLeast1(a);
    const r = P.scan(
      ([c], [xt]) => {
        const n = P.tanh(P.add(P.mul(0.5, c!), xt!));
        return [[n], [P.mul(n, xt!)]];
      },
      [P.zerosLike(P.index(x, 0))],
      [x],
    );
    return r.ys[0]!;
  },
  fixedPoint: (a) =>
    P.fixedPoint((x, t) => P.add(P.mul(0.5, P.cos(x)), t!), P.zerosLike(a), [P.mul(0.5, P.tanh(a))], { tol: 1e-15 }),
  customVjp: (a) => customSin(a)[0]!,
  noise: (a, _b, k) => P.add(a, P.mul(0.1, P.normal(P.keyConstant(k), a.shape))),
  convert: (a) => P.cast(P.cast(a, 'float32'), 'float64'),
};
export const opNames = Object.keys(grammar);

// ---------- programs ----------
interface Step {
  op: number;
  a: number;
  b: number;
  k: number;
}
export interface Program {
  shapes: Shape[];
  steps: Step[];
  inputs: number[][];
}

const shapeArb = fc.constantFrom<Shape>([], [3], [2, 3], [3, 2]);
const stepArb = fc.record({ op: fc.nat({ max: opNames.length - 1 }), a: fc.nat(20), b: fc.nat(20), k: fc.nat(11) });
export const programArb = (maxSteps: number): fc.Arbitrary<Program> =>
  fc.record({
    shapes: fc.array(shapeArb, { minLength: 1, maxLength: 3 }),
    steps: fc.array(stepArb, { minLength: 1, maxLength: maxSteps }),
    inputs: fc.array(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 6, maxLength: 6 }), {
      minLength: 3,
      maxLength: 3,
    }),
  });

/** The program as a traced function: every step's result is an output. */
export const build =
  (prog: Program) =>
  (...xs: Tracer[]): Tracer[] => {
    const pool = [...xs];
    const outs: Tracer[] = [];
    for (const s of prog.steps) {
      const y = grammar[opNames[s.op]!]!(pool[s.a % pool.length]!, pool[s.b % pool.length]!, s.k);
      pool.push(y);
      outs.push(y);
    }
    return outs;
  };
export const inputsOf = (prog: Program) =>
  prog.shapes.map((s, i) => Float64Array.from(prog.inputs[i]!.slice(0, sizeOf(s))));
export const describeProg = (p: Program) =>
  `inputs [${p.shapes.map((s) => `[${s}]`).join(' ')}]; steps ${p.steps.map((s) => `${opNames[s.op]}(${s.a},${s.b};${s.k})`).join(' ')}`;
