// Per-primitive rows, one line each: every name in primNames has at least one row (asserted), and
// every row's graph really contains its primitive (asserted). A differentiable row checks the ref
// value against an independent float64 computation (or a property), reverse and forward mode
// against central finite differences, and second order (hvp, grad of grad) against differences
// of the AD gradient. A non-differentiable row checks values and that derivatives are exactly 0.
// Inputs come from generators inside each primitive's domain, away from poles and kinks.

import { describe, expect, it } from 'vitest';
import { ops as P, primNames, type Shape, grad, trace } from '../../runtime/index.js';
import type { PrimName } from '../../runtime/prims/params.js';
import type { Tracer } from '../../runtime/ir/tracer.js';
import { checkDerivatives, checkZeroDerivatives } from '../helpers/ad_check.js';
import { compile, primsOf, type Fn } from '../helpers/run.js';
import { assertClose, rng } from '../helpers/fd.js';

// ---------- input generators ----------
type R = () => number;
type Gen = (r: R, n: number) => Float64Array;
const U =
  (lo: number, hi: number): Gen =>
  (r, n) =>
    Float64Array.from({ length: n }, () => lo + (hi - lo) * r());
/** Fixed values (cases a random draw could miss, such as negative quotients). */
const fixed =
  (v: number[]): Gen =>
  () =>
    Float64Array.from(v);
/** |x| in [lo, hi] with a random sign: away from 0 (abs, sign, div). */
const away =
  (lo: number, hi: number): Gen =>
  (r, n) =>
    Float64Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1) * (lo + (hi - lo) * r()));
/** Distinct values: a shuffled ladder 0.5 apart plus jitter below 0.1 (sort, max, argmax). */
const distinct: Gen = (r, n) => {
  const v = Float64Array.from({ length: n }, (_, i) => (i - n / 2) * 0.5 + 0.2 * (r() - 0.5));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [v[i], v[j]] = [v[j]!, v[i]!];
  }
  return v;
};
/** Values 0.25..0.75 above an integer: floor has no jump nearby. */
const offInteger: Gen = (r, n) => Float64Array.from({ length: n }, () => Math.floor(6 * r() - 3) + 0.25 + 0.5 * r());
/** A symmetric n x n matrix with diagonal offsets 4 apart: Gershgorin keeps eigenvalues >= 1 apart. */
const sepSym =
  (n: number): Gen =>
  (r) => {
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = i === j ? 4 * i + 2 + r() - 0.5 : r() - 0.5;
    return a;
  };
/** SPD: a diagonally dominant symmetric matrix. */
const spd =
  (n: number): Gen =>
  (r) => {
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = i === j ? n + 1 + r() : r() - 0.5;
    return a;
  };
/** An m x n matrix with diagonal 1, 2.5, 4, ... plus entries in (-0.2, 0.2): separated singular values. */
const sepRect =
  (m: number, n: number): Gen =>
  (r) =>
    Float64Array.from(
      { length: m * n },
      (_, k) => (Math.floor(k / n) === k % n ? 1 + 1.5 * (k % n) : 0) + 0.4 * (r() - 0.5),
    );
/** A triangular-friendly matrix: diagonal in (1.5, 2.5), the rest in (-0.5, 0.5). */
const triish =
  (n: number): Gen =>
  (r) =>
    Float64Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) === k % n ? 1.5 + r() : r() - 0.5));

// ---------- independent float64 references ----------
type Ref = (...xs: Float64Array[]) => ArrayLike<number>[];
const m1 =
  (f: (x: number) => number): Ref =>
  (x) => [x.map(f)];
const m2 =
  (f: (a: number, b: number) => number): Ref =>
  (a, b) => [a.map((v, i) => f(v, b![i]!))];
const b2 =
  (f: (a: number, b: number) => boolean): Ref =>
  (a, b) => [a.map((v, i) => (f(v, b![i]!) ? 1 : 0))];
/** C[m, n] = A[m, k] B[k, n], row-major. */
function mm(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) for (let l = 0; l < k; l++) c[i * n + j] += a[i * k + l]! * b[l * n + j]!;
  return c;
}
const tr = (a: ArrayLike<number>, m: number, n: number) =>
  Float64Array.from({ length: m * n }, (_, k) => a[(k % m) * n + Math.floor(k / m)]!);
const symJs = (a: Float64Array, n: number) => a.map((v, k) => 0.5 * (v + a[(k % n) * n + Math.floor(k / n)]!));
function cholJs(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= l[j * n + k]! ** 2;
    l[j * n + j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = s / l[j * n + j]!;
    }
  }
  return l;
}
/** Solves op(T) X = B by substitution, T the lower/upper triangle of a. */
function triJs(a: Float64Array, b: Float64Array, n: number, m: number, lower: boolean, trans: boolean): Float64Array {
  const t = (i: number, j: number) => ((lower ? i >= j : i <= j) ? a[i * n + j]! : 0);
  const op = (i: number, j: number) => (trans ? t(j, i) : t(i, j));
  const fwd = lower !== trans; // op(T) is lower triangular
  const x = new Float64Array(n * m);
  for (let c = 0; c < m; c++) {
    for (let s = 0; s < n; s++) {
      const i = fwd ? s : n - 1 - s;
      let v = b[i * m + c]!;
      for (let j = 0; j < n; j++) if (j !== i) v -= op(i, j) * x[j * m + c]!;
      x[i * m + c] = v / op(i, i);
    }
  }
  return x;
}
const sortJs = (x: Float64Array, n: number, desc: boolean) => {
  const vals: number[] = [],
    idx: number[] = [];
  for (let b = 0; b < x.length / n; b++) {
    const row = Array.from({ length: n }, (_, i) => i).sort((i, j) =>
      desc ? x[b * n + j]! - x[b * n + i]! : x[b * n + i]! - x[b * n + j]!,
    );
    for (const i of row) {
      vals.push(x[b * n + i]!);
      idx.push(i);
    }
  }
  return [vals, idx];
};

// ---------- building blocks for rows ----------
const T = P.constant;
const symT = (x: Tracer) => P.mul(0.5, P.add(x, P.mT(x)));
const cSign = () =>
  T([
    [1, -1, 1],
    [-1, 1, -1],
  ]);
const key = () => P.keyConstant(42);

interface Row {
  name: PrimName;
  kind: 'diff' | 'nondiff' | 'fwd';
  shapes: Shape[];
  gens: Gen[];
  f: Fn;
  ref?: Ref;
  /** A property of the value (used where an independent computation is not "easy"). */
  prop?: (xs: Float64Array[], outs: Float64Array[]) => void;
}
const D = (name: PrimName, shapes: Shape[], gens: Gen[], f: Fn, ref?: Ref, prop?: Row['prop']): Row => ({
  name,
  kind: 'diff',
  shapes,
  gens,
  f,
  ref,
  prop,
});
const N = (name: PrimName, shapes: Shape[], gens: Gen[], f: Fn, ref?: Ref, prop?: Row['prop']): Row => ({
  name,
  kind: 'nondiff',
  shapes,
  gens,
  f,
  ref,
  prop,
});
const F = (name: PrimName, shapes: Shape[], gens: Gen[], f: Fn, ref?: Ref): Row => ({
  name,
  kind: 'fwd',
  shapes,
  gens,
  f,
  ref,
});

const S23: Shape = [2, 3];
const std = U(-1.5, 1.5);

const rows: Row[] = [
  D(
    'constant',
    [S23],
    [std],
    (x) =>
      P.mul(
        x,
        T([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ),
    (x) => [x.map((v, i) => v * (i + 1))],
  ),
  D(
    'neg',
    [S23],
    [std],
    (x) => P.neg(x),
    m1((v) => -v),
  ),
  D('exp', [S23], [U(-2, 2)], (x) => P.exp(x), m1(Math.exp)),
  D('log', [S23], [U(0.5, 3)], (x) => P.log(x), m1(Math.log)),
  D('log1p', [S23], [U(-0.5, 2)], (x) => P.log1p(x), m1(Math.log1p)),
  D('expm1', [S23], [U(-2, 2)], (x) => P.expm1(x), m1(Math.expm1)),
  D('sin', [S23], [U(-3, 3)], (x) => P.sin(x), m1(Math.sin)),
  D('cos', [S23], [U(-3, 3)], (x) => P.cos(x), m1(Math.cos)),
  D('atan', [S23], [U(-3, 3)], (x) => P.atan(x), m1(Math.atan)),
  D('sqrt', [S23], [U(0.5, 3)], (x) => P.sqrt(x), m1(Math.sqrt)),
  D('abs', [S23], [away(0.3, 2)], (x) => P.abs(x), m1(Math.abs)),
  N('sign', [S23], [away(0.3, 2)], (x) => P.sign(x), m1(Math.sign)),
  N('floor', [S23], [offInteger], (x) => P.floor(x), m1(Math.floor)),
  D(
    'add',
    [S23, [3]],
    [std, std],
    (a, b) => P.add(a, b),
    (a, b) => [a.map((v, i) => v + b[i % 3]!)],
  ),
  D(
    'sub',
    [S23, S23],
    [std, std],
    (a, b) => P.sub(a, b),
    m2((a, b) => a - b),
  ),
  D(
    'mul',
    [S23, S23],
    [std, std],
    (a, b) => P.mul(a, b),
    m2((a, b) => a * b),
  ),
  D(
    'div',
    [S23, S23],
    [std, away(0.5, 2)],
    (a, b) => P.div(a, b),
    m2((a, b) => a / b),
  ),
  N(
    'div',
    [S23, S23],
    [fixed([-7.5, 7.2, -3, 3.9, 5, -5]), fixed([2, 2, -2, -2, 3, 3])],
    (a, b) => P.div(P.cast(a, 'int32'), P.cast(b, 'int32')),
    m2((a, b) => Math.trunc(Math.trunc(a) / Math.trunc(b))),
  ),
  D('pow', [S23, S23], [U(0.5, 2), U(-1.5, 1.5)], (a, b) => P.pow(a, b), m2(Math.pow)),
  D(
    'pow',
    [S23],
    [std],
    (a) => P.pow(a, 3),
    m1((v) => v ** 3),
  ),
  D(
    'max',
    [S23, S23],
    [std, std],
    (a, b) => P.maximum(a, P.add(b, P.mul(cSign(), 2))),
    (a, b) => [a.map((v, i) => Math.max(v, b[i]! + 2 * [1, -1, 1, -1, 1, -1][i]!))],
  ),
  D(
    'min',
    [S23, S23],
    [std, std],
    (a, b) => P.minimum(a, P.add(b, P.mul(cSign(), 2))),
    (a, b) => [a.map((v, i) => Math.min(v, b[i]! + 2 * [1, -1, 1, -1, 1, -1][i]!))],
  ),
  D(
    'max',
    [S23],
    [away(0.2, 1)],
    (a) => P.relu(a),
    m1((v) => Math.max(v, 0)),
  ),
  N(
    'lt',
    [S23, S23],
    [distinct, distinct],
    (a, b) => P.lt(a, b),
    b2((a, b) => a < b),
  ),
  N(
    'le',
    [S23, S23],
    [distinct, distinct],
    (a, b) => P.le(a, P.minimum(a, b)),
    b2((a, b) => a <= Math.min(a, b)),
  ),
  N(
    'gt',
    [S23, S23],
    [distinct, distinct],
    (a, b) => P.gt(a, b),
    b2((a, b) => a > b),
  ),
  N(
    'ge',
    [S23, S23],
    [distinct, distinct],
    (a, b) => P.ge(P.maximum(a, b), a),
    b2((a, b) => Math.max(a, b) >= a),
  ),
  N(
    'eq',
    [S23, S23],
    [distinct, distinct],
    (a, b) => P.eq(P.floor(a), P.floor(b)),
    b2((a, b) => Math.floor(a) === Math.floor(b)),
  ),
  N(
    'ne',
    [S23, S23],
    [distinct, distinct],
    (a, b) => P.ne(P.floor(a), P.floor(b)),
    b2((a, b) => Math.floor(a) !== Math.floor(b)),
  ),
  N(
    'and',
    [S23, S23],
    [away(0.2, 1), away(0.2, 1)],
    (a, b) => P.and(P.gt(a, 0), P.gt(b, 0)),
    b2((a, b) => a > 0 && b > 0),
  ),
  N(
    'or',
    [S23, S23],
    [away(0.2, 1), away(0.2, 1)],
    (a, b) => P.or(P.gt(a, 0), P.gt(b, 0)),
    b2((a, b) => a > 0 || b > 0),
  ),
  N(
    'not',
    [S23],
    [away(0.2, 1)],
    (a) => P.not(P.gt(a, 0)),
    m1((a) => (a > 0 ? 0 : 1)),
  ),
  D(
    'select',
    [S23, S23, S23],
    [std, std, away(0.2, 1)],
    (a, b, c) => P.where(P.gt(c, 0), a, b),
    (a, b, c) => [a.map((v, i) => (c[i]! > 0 ? v : b[i]!))],
  ),
  D(
    'convert',
    [S23],
    [std],
    (x) => P.cast(P.cast(x, 'float32'), 'float64'),
    m1((v) => v),
  ),
  N('convert', [S23], [U(-3, 3)], (x) => P.cast(x, 'int32'), m1(Math.trunc)),
  N(
    'stop_gradient',
    [S23],
    [std],
    (x) => P.stopGradient(x),
    m1((v) => v),
  ),
  D(
    'reduce_sum',
    [[2, 3, 2]],
    [std],
    (x) => P.sum(x, [0, 2]),
    (x) => [[0, 1, 2].map((j) => x[2 * j]! + x[2 * j + 1]! + x[6 + 2 * j]! + x[7 + 2 * j]!)],
  ),
  D(
    'reduce_max',
    [[2, 4]],
    [distinct],
    (x) => P.max(x, 1),
    (x) => [[Math.max(...x.slice(0, 4)), Math.max(...x.slice(4))]],
  ),
  D(
    'reduce_min',
    [[2, 4]],
    [distinct],
    (x) => P.min(x, 0),
    (x) => [[0, 1, 2, 3].map((j) => Math.min(x[j]!, x[4 + j]!))],
  ),
  N(
    'argmax',
    [[2, 4]],
    [distinct],
    (x) => P.argmax(x, 1),
    (x) => [[0, 1].map((b) => x.slice(4 * b, 4 * b + 4).indexOf(Math.max(...x.slice(4 * b, 4 * b + 4))))],
  ),
  D(
    'cumsum',
    [S23],
    [std],
    (x) => P.cumsum(x, 1),
    (x) => [x.map((_, i) => x.slice(i - (i % 3), i + 1).reduce((a, b) => a + b))],
  ),
  D(
    'cumsum',
    [[3, 2]],
    [std],
    (x) => P.cumsum(x, 0, true),
    (x) => [
      x.map((_, i) => {
        let s = 0;
        for (let k = i; k < 6; k += 2) s += x[k]!;
        return s;
      }),
    ],
  ),
  D(
    'broadcast_in_dim',
    [[3]],
    [std],
    (x) => P.emit1('broadcast_in_dim', [x], { shape: [2, 3, 2], dims: [1] }),
    (x) => [Float64Array.from({ length: 12 }, (_, k) => x[Math.floor(k / 2) % 3]!)],
  ),
  D(
    'broadcast_in_dim',
    [[3, 1]],
    [std],
    (x) => P.emit1('broadcast_in_dim', [x], { shape: [3, 4], dims: [0, 1] }),
    (x) => [Float64Array.from({ length: 12 }, (_, k) => x[Math.floor(k / 4)]!)],
  ),
  D(
    'reshape',
    [S23],
    [std],
    (x) =>
      P.mul(
        P.reshape(x, [3, 2]),
        T([
          [1, 2],
          [3, 4],
          [5, 6],
        ]),
      ),
    (x) => [x.map((v, i) => v * (i + 1))],
  ),
  D(
    'transpose',
    [[2, 3, 4]],
    [std],
    (x) => P.transpose(x, [2, 0, 1]),
    (x) => [
      Float64Array.from({ length: 24 }, (_, k) => x[Math.floor(k / 6) + 4 * (k % 3) + 12 * (Math.floor(k / 3) % 2)]!),
    ],
  ),
  D(
    'slice',
    [[5, 4]],
    [std],
    (x) => P.slice(x, [1, 0], [5, 4], [2, 3]),
    (x) => [[x[4]!, x[7]!, x[12]!, x[15]!]],
  ),
  D(
    'slice',
    [[4, 3]],
    [std],
    (x) => P.slice(x, [1, 1], [3, 3]),
    (x) => [[x[4]!, x[5]!, x[7]!, x[8]!]],
  ),
  D(
    'concatenate',
    [[2, 1], S23, [2, 2]],
    [std, std, std],
    (a, b, c) => P.concat([a, b, c], 1),
    (a, b, c) => [[a[0]!, ...b.slice(0, 3), ...c.slice(0, 2), a[1]!, ...b.slice(3), ...c.slice(2)]],
  ),
  D(
    'pad',
    [S23],
    [std],
    (x) => P.pad(x, [1, 0], [0, 2]),
    (x) => [[0, 0, 0, 0, 0, ...x.slice(0, 3), 0, 0, ...x.slice(3), 0, 0]],
  ),
  D(
    'gather',
    [[4, 3]],
    [std],
    (x) =>
      P.take(
        x,
        T(
          [
            [0, 3],
            [3, 1],
            [0, 0],
          ],
          'int32',
        ),
        0,
      ),
    (x) => [[0, 3, 3, 1, 0, 0].flatMap((i) => [...x.slice(3 * i, 3 * i + 3)])],
  ),
  D(
    'gather',
    [[2, 4]],
    [std],
    (x) => P.take(x, [2, 2, 0], 1),
    (x) => [[x[2]!, x[2]!, x[0]!, x[6]!, x[6]!, x[4]!]],
  ),
  D(
    'scatter_add',
    [[5, 2]],
    [std],
    (u) => P.scatterAdd(u, T([1, 3, 1, 0, 1], 'int32'), 0, 4),
    (u) => [[u[6]!, u[7]!, u[0]! + u[4]! + u[8]!, u[1]! + u[5]! + u[9]!, 0, 0, u[2]!, u[3]!]],
  ),
  N(
    'iota',
    [[2]],
    [std],
    () => P.iota([2, 3], 1),
    () => [[0, 1, 2, 0, 1, 2]],
  ),
  N(
    'iota',
    [[2]],
    [std],
    (x) => P.mul(P.iota([3, 2], 0, 'float64'), P.stopGradient(P.sum(x))),
    (x) => [[0, 0, 1, 1, 2, 2].map((v) => v * (x[0]! + x[1]!))],
  ),
  D(
    'matmul',
    [S23, [3, 4]],
    [std, std],
    (a, b) => P.matmul(a, b),
    (a, b) => [mm(a, b, 2, 3, 4)],
  ),
  D(
    'matmul',
    [
      [2, 3, 2],
      [2, 4, 3],
    ],
    [std, std],
    (a, b) => P.emit1('matmul', [a, b], { transA: true, transB: true }),
    (a, b) => [
      [0, 1].flatMap((q) => [...tr(mm(b.slice(12 * q, 12 * q + 12), a.slice(6 * q, 6 * q + 6), 4, 3, 2), 4, 2)]),
    ],
  ),
  D(
    'matmul',
    [[2, 3], [3]],
    [std, std],
    (a, b) => P.matmul(a, b),
    (a, b) => [mm(a, b, 2, 3, 1)],
  ),
  D(
    'cholesky',
    [[3, 3]],
    [spd(3)],
    (x) => P.cholesky(symT(x)),
    (x) => [cholJs(symJs(x, 3), 3)],
  ),
  D(
    'triangular_solve',
    [
      [3, 3],
      [3, 2],
    ],
    [triish(3), std],
    (a, b) => P.triangularSolve(a, b, true, false),
    (a, b) => [triJs(a, b, 3, 2, true, false)],
  ),
  D(
    'triangular_solve',
    [
      [3, 3],
      [3, 2],
    ],
    [triish(3), std],
    (a, b) => P.triangularSolve(a, b, false, true),
    (a, b) => [triJs(a, b, 3, 2, false, true)],
  ),
  D(
    'triangular_solve',
    [[3, 3], [3]],
    [triish(3), std],
    (a, b) => P.triangularSolve(a, b, true, true),
    (a, b) => [triJs(a, b, 3, 1, true, true)],
  ),
  D(
    'triangular_solve',
    [
      [3, 3],
      [3, 2],
    ],
    [triish(3), std],
    (a, b) => P.triangularSolve(a, b, false, false),
    (a, b) => [triJs(a, b, 3, 2, false, false)],
  ),
  D(
    'eigh',
    [[3, 3]],
    [sepSym(3)],
    (x) => {
      const { w, v } = P.eigh(symT(x));
      return [w, P.mul(v, v), P.matmul(P.mul(v, T([1, -2, 0.5])), P.mT(v))];
    },
    undefined,
    eighProp,
  ),
  D('svd', [[3, 2]], [sepRect(3, 2)], (x) => svdOuts(x), undefined, svdProp(3, 2)),
  D('svd', [[2, 3]], [sepRect(2, 3)], (x) => svdOuts(x), undefined, svdProp(2, 3)),
  D('svd', [[3, 3]], [sepRect(3, 3)], (x) => svdOuts(x), undefined, svdProp(3, 3)),
  D(
    'sort',
    [[2, 4]],
    [distinct],
    (x) => {
      const s = P.sort(x);
      return [s.values, s.indices];
    },
    (x) => sortJs(x, 4, false),
  ),
  D(
    'sort',
    [[5]],
    [distinct],
    (x) => {
      const s = P.sort(x, true);
      return [s.values, s.indices];
    },
    (x) => sortJs(x, 5, true),
  ),
  D(
    'top_k',
    [[2, 4]],
    [distinct],
    (x) => {
      const s = P.topK(x, 2);
      return [s.values, s.indices];
    },
    (x) => {
      const [v, i] = sortJs(x, 4, true);
      return [[0, 1, 4, 5].map((k) => v![k]!), [0, 1, 4, 5].map((k) => i![k]!)];
    },
  ),
  D(
    'matmul',
    [
      [2, 3, 4],
      [4, 2],
    ],
    [std, std],
    (a, b) => P.matmul(a, b),
    (a, b) => [[...mm(a.slice(0, 12), b, 3, 4, 2), ...mm(a.slice(12), b, 3, 4, 2)]],
  ),
  D(
    'cholesky',
    [[2, 3, 3]],
    [(r) => Float64Array.from([...spd(3)(r, 9), ...spd(3)(r, 9)])],
    (x) => P.cholesky(symT(x)),
    (x) => [[...cholJs(symJs(x.slice(0, 9), 3), 3), ...cholJs(symJs(x.slice(9), 3), 3)]],
  ),
  D(
    'triangular_solve',
    [
      [2, 3, 3],
      [2, 3, 2],
    ],
    [(r) => Float64Array.from([...triish(3)(r, 9), ...triish(3)(r, 9)]), std],
    (a, b) => P.triangularSolve(a, b, false, true),
    (a, b) => [
      [...triJs(a.slice(0, 9), b.slice(0, 6), 3, 2, false, true), ...triJs(a.slice(9), b.slice(6), 3, 2, false, true)],
    ],
  ),
  D('eigh', [[2, 3, 3]], [(r) => Float64Array.from([...sepSym(3)(r, 9), ...sepSym(3)(r, 9)])], (x) => {
    const { w, v } = P.eigh(symT(x));
    return [w, P.mul(v, v)];
  }),
  D('svd', [[2, 3, 2]], [(r) => Float64Array.from([...sepRect(3, 2)(r, 6), ...sepRect(3, 2)(r, 6)])], (x) =>
    svdOuts(x),
  ),
  D(
    'reduce_max',
    [[2, 3, 2]],
    [distinct],
    (x) => P.max(x, [0, 2]),
    (x) => [[0, 1, 2].map((j) => Math.max(x[2 * j]!, x[2 * j + 1]!, x[6 + 2 * j]!, x[7 + 2 * j]!))],
  ),
  D(
    'cumsum',
    [[2, 2, 2]],
    [std],
    (x) => P.cumsum(x, 1),
    (x) => [x.map((v, i) => (Math.floor(i / 2) % 2 ? v + x[i - 2]! : v))],
  ),
  D(
    'gather',
    [[2, 4, 2]],
    [std],
    (x) =>
      P.take(
        x,
        T(
          [
            [3, 0],
            [1, 3],
          ],
          'int32',
        ),
        1,
      ),
    (x) => [[0, 1].flatMap((a) => [3, 0, 1, 3].flatMap((j) => [x[8 * a + 2 * j]!, x[8 * a + 2 * j + 1]!]))],
  ),
  D(
    'scatter_add',
    [[2, 2, 2, 3]],
    [std],
    (u) =>
      P.scatterAdd(
        u,
        T(
          [
            [0, 2],
            [2, 2],
          ],
          'int32',
        ),
        1,
        3,
      ),
    (u) => [
      [0, 1].flatMap((a) =>
        [0, 1, 2].flatMap((j) =>
          [0, 1, 2].map((c) =>
            [
              [0, 0],
              [0, 1],
              [1, 0],
              [1, 1],
            ].reduce(
              (s, [p, q], k) =>
                s +
                ([
                  [0, 2],
                  [2, 2],
                ][p!]![q!] === j
                  ? u[12 * a + 3 * k + c]!
                  : 0),
              0,
            ),
          ),
        ),
      ),
    ],
  ),
  D(
    'pad',
    [[2, 2]],
    [std],
    (x) => P.pad(x, [0, 1], [2, 1]),
    (x) => [[0, x[0]!, x[1]!, 0, 0, x[2]!, x[3]!, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
  ),
  D(
    'slice',
    [[4, 5]],
    [std],
    (x) => P.slice(x, [1, 1], [4, 5], [2, 2]),
    (x) => [[x[6]!, x[8]!, x[16]!, x[18]!]],
  ),
  D(
    'broadcast_in_dim',
    [[1, 3, 1]],
    [std],
    (x) => P.emit1('broadcast_in_dim', [x], { shape: [2, 1, 3, 4], dims: [1, 2, 3] }),
    (x) => [Float64Array.from({ length: 24 }, (_, k) => x[Math.floor(k / 4) % 3]!)],
  ),
  D(
    'sort',
    [[2, 2, 3]],
    [distinct],
    (x) => P.sort(x).values,
    (x) => [sortJs(x, 3, false)[0]!],
  ),
  D(
    'top_k',
    [[2, 2, 3]],
    [distinct],
    (x) => P.topK(x, 1).values,
    (x) => [[0, 1, 2, 3].map((b) => Math.max(...x.slice(3 * b, 3 * b + 3)))],
  ),
  N(
    'rng_uniform',
    [[2]],
    [std],
    () => P.uniform(key(), [2, 3]),
    undefined,
    (_x, [u]) => {
      expect(u!.every((v) => v >= 0 && v < 1)).toBe(true);
      expect(new Set(u).size).toBe(6);
    },
  ),
  N(
    'rng_split',
    [[2]],
    [std],
    () => P.emit1('rng_split', [key()], { n: 3 }),
    undefined,
    (_x, [k]) => {
      expect(k!.length).toBe(6);
      expect(k!.every(Number.isInteger)).toBe(true);
      expect(new Set(k).size).toBe(6);
    },
  ),
  D(
    'scan',
    [[5], []],
    [std, U(-1, 1)],
    (xs, a) => {
      const r = P.scan(
        ([c], [x]) => {
          const n = P.tanh(P.add(P.mul(a, c!), x!));
          return [[n], [P.square(n)]];
        },
        [P.zerosLike(a)],
        [xs],
      );
      return [r.carry[0]!, r.ys[0]!];
    },
    scanJs,
  ),
  D(
    'fixed_point',
    [[3]],
    [U(-1, 1)],
    (th) => P.fixedPoint((x, t) => P.add(P.mul(0.5, P.cos(x)), t!), P.zerosLike(th), [th], { tol: 1e-15 }),
    (th) => [
      th.map((t) => {
        let x = 0;
        for (let i = 0; i < 200; i++) x = 0.5 * Math.cos(x) + t;
        return x;
      }),
    ],
  ),
  F(
    'while_loop',
    [[3]],
    [U(-1, 1)],
    (x) =>
      P.whileLoop(
        ([i]) => P.lt(i!, 6),
        ([i, y]) => [P.add(i!, 1), P.add(P.mul(0.9, P.sin(y!)), x)],
        [P.constant(0, 'int32'), P.zerosLike(x)],
        100,
      )[1]!,
    (x) => [
      x.map((t) => {
        let y = 0;
        for (let i = 0; i < 6; i++) y = 0.9 * Math.sin(y) + t;
        return y;
      }),
    ],
  ),
  D('custom_vjp', [S23], [std], (x) => customSin(x)[0]!, m1(Math.sin)),
];

/** sin with a hand-written reverse rule (cos, itself differentiable): FD must agree with it. */
const customSin = P.customVjp(
  (x) => [P.sin(x)],
  (x) => ({ outs: [P.sin(x)], residuals: [x] }),
  ([x], [ct]) => [P.mul(ct!, P.cos(x!))],
);

function svdOuts(x: Tracer): Tracer[] {
  const { u, s, v } = P.svd(x);
  const c = T([1, -0.7, 0.4].slice(0, s.shape[0]));
  // Sign-invariant functions of the factors: singular vectors are defined up to sign.
  return [s, P.matmul(P.mul(u, c), P.mT(v)), P.mul(u, u), P.mul(v, v)];
}

function svdProp(m: number, n: number) {
  return ([a]: Float64Array[], [s, , uu, vv]: Float64Array[]) => {
    const k = Math.min(m, n);
    for (let i = 1; i < k; i++) expect(s![i - 1]!).toBeGreaterThan(s![i]!);
    // Columns of U and V have unit norm; sum_j s_j^2 = ||A||_F^2.
    for (let j = 0; j < k; j++) {
      expect(Array.from({ length: m }, (_, i) => uu![i * k + j]!).reduce((p, q) => p + q)).toBeCloseTo(1, 12);
      expect(Array.from({ length: n }, (_, i) => vv![i * k + j]!).reduce((p, q) => p + q)).toBeCloseTo(1, 12);
    }
    expect(s!.reduce((p, q) => p + q * q, 0)).toBeCloseTo(
      a!.reduce((p, q) => p + q * q, 0),
      12,
    );
  };
}

function eighProp([x]: Float64Array[], [w, , b]: Float64Array[]) {
  const a = symJs(x!, 3);
  // trace(A) = sum w; V diag(c) V^T has trace sum c; all for a 3x3 symmetric A.
  expect(w![0]!).toBeLessThan(w![1]!);
  expect(w![1]!).toBeLessThan(w![2]!);
  expect(w!.reduce((p, q) => p + q)).toBeCloseTo(a[0]! + a[4]! + a[8]!, 12);
  expect(w!.reduce((p, q) => p + q * q, 0)).toBeCloseTo(
    a.reduce((p, q) => p + q * q, 0),
    11,
  );
  expect(b![0]! + b![4]! + b![8]!).toBeCloseTo(1 - 2 + 0.5, 12);
}

function scanJs(xs: Float64Array, a: Float64Array): ArrayLike<number>[] {
  let c = 0;
  const ys = xs.map((x) => {
    c = Math.tanh(a[0]! * c + x);
    return c * c;
  });
  return [[c], ys];
}

const rowLabel = (r: Row, i: number) => `${r.name} #${i} ${r.kind} [${r.shapes.map((s) => `[${s}]`).join(' ')}]`;

describe('primitive rows', () => {
  it('every primitive in the table has a row', () => {
    const covered = new Set(rows.map((r) => r.name));
    expect(primNames.filter((n) => !covered.has(n))).toEqual([]);
    expect(primNames.length).toBe(59);
  });

  it.each(rows.map((r, i) => [rowLabel(r, i), r] as const))('%s', (_label, row) => {
    const value = compile(row.f, row.shapes);
    expect(primsOf(value.graph).has(row.name)).toBe(true);
    for (const seed of [1, 2]) {
      const r = rng(seed * 7919 + row.name.length);
      const xs = row.shapes.map((s, i) =>
        row.gens[i]!(
          r,
          s.reduce((a, b) => a * b, 1),
        ),
      );
      const outs = value.run(...xs);
      value.graph.outAvals.forEach((a, i) => expect(outs[i]!.length).toBe(a.shape.reduce((p, q) => p * q, 1)));
      if (row.ref) {
        const want = row.ref(...xs);
        want.forEach((w, i) => assertClose(outs[i]!, w, `${row.name}: ref value of output ${i}`, 1e-12, 1e-12));
      }
      row.prop?.(xs, outs);
      if (row.kind === 'nondiff') checkZeroDerivatives(row.f, row.shapes, xs);
      else
        checkDerivatives(row.f, row.shapes, xs, {
          seed,
          modes: row.kind === 'fwd' ? { rev: false, fwd: true, order2: false } : undefined,
        });
    }
  });

  it('a forward-only row refuses reverse mode with a clear error', () => {
    const wl = rows.find((r) => r.kind === 'fwd')!;
    expect(() => trace((x) => grad((y) => P.sum(wl.f(y) as Tracer))(x), wl.shapes)).toThrow(
      /while_loop has no reverse-mode derivative/,
    );
  });
});
