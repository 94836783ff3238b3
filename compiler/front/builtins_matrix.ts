// Built-ins for ordering and dense linear algebra beyond Stan's names (builtins_linalg.ts): sort,
// top_k and its indices, argmin / argmax, eye, solve, cholesky_solve, inverse, logdet and expm,
// and the gradient-shaping stop and straight_through. The solves and expm are the stdlib's
// compositions of primitives (stdlib/linalg), so derivatives of any order come free; sort and
// top_k follow their permutation; the index functions are ints (no gradient).

import { ops as P, type Tracer } from '../../runtime/index.js';
import { linalg } from '../../stdlib/index.js';
import { broadcast, reduceShape } from './shape_rules.js';
import { dimEq, shapeText, valuesText } from './static_types.js';
import { needRank, numeric, q, real, type Builtin, type TypeCtx } from './builtin_kit.js';

const X = [{ name: 'x', kind: 'x' as const }];
const XK = [
  { name: 'x', kind: 'x' as const },
  { name: 'k', kind: 'int' as const },
];

/** Null when dims i and j of arguments a and b may be equal, else the message. */
function sameDim(c: TypeCtx, a: number, i: number, b: number, j: number, what: string): string | null {
  const [x, y] = [c.args[a]!, c.args[b]!];
  const [dx, dy] = [x.shape[i]!, y.shape[j]!];
  if (dimEq(dx, dy) !== false) return null;
  return `${q(c.expr)}: ${x.text} is ${shapeText(x.shape)} and ${y.text} is ${shapeText(y.shape)}; ${what} (${dx.text} and ${dy.text})${valuesText([dx, dy])}`;
}

function square(c: TypeCtx, i: number, what: string): string | null {
  const e = needRank(c, i, [2], what);
  if (e) return e;
  const x = c.args[i]!;
  const [r, k] = [x.shape[0]!, x.shape[1]!];
  return dimEq(r, k) === false
    ? `${q(c.expr)}: ${x.text} is ${shapeText(x.shape)}, not square; ${what}${valuesText([r, k])}`
    : null;
}

/** A square matrix A and a right-hand side b (a vector or a matrix with as many rows). */
const system = (c: TypeCtx, name: string, a: string): string | null =>
  numeric(c) ??
  square(c, 0, `${name} takes a square matrix ${a}`) ??
  needRank(c, 1, [1, 2], 'b is a vector or a matrix') ??
  sameDim(c, 0, 0, 1, 0, `the size of ${a} and the rows of b must be equal`);

/** k (an int known before the run) between 1 and the length of the last axis of x. */
function topKCheck(c: TypeCtx, name: string): string | null {
  const e = numeric(c);
  if (e) return e;
  const [x, k] = [c.args[0]!, c.args[1]!];
  if (x.shape.length === 0) return `${q(c.expr)}: ${x.text} is a scalar; ${name} takes a vector (or a matrix, by rows)`;
  if (k.elem !== 'int' || k.shape.length !== 0) return `${q(c.expr)}: k (${k.text}) must be an int`;
  const n = x.shape[x.shape.length - 1]!;
  if (k.static !== undefined && (k.static < 1 || (n.value !== null && k.static > n.value)))
    return `${q(c.expr)}: k = ${k.static} is outside 1..${n.value ?? n.text} (the length of the last axis of ${x.text})`;
  return null;
}

const topKShape = (c: TypeCtx) => [
  ...c.args[0]!.shape.slice(0, -1),
  { text: c.args[1]!.text, value: c.args[1]!.static ?? null },
];

/** argmin / argmax: the int index of the extreme entry (row-major over all entries, or along `axis`). */
const argExtreme = (name: 'argmin' | 'argmax'): Builtin => ({
  name,
  params: [
    { name: 'x', kind: 'x' },
    { name: 'axis', kind: 'axis' },
  ],
  required: 1,
  smooth: false,
  summary: `the int index of the ${name === 'argmin' ? 'smallest' : 'largest'} entry (the first on ties): over all entries (row-major) or, with \`axis\`, along it`,
  type: (c) => {
    const e = numeric(c);
    if (e) return e;
    if (c.args[0]!.shape.length === 0)
      return `${q(c.expr)}: ${c.args[0]!.text} is a scalar; ${name} takes a vector or a matrix`;
    if (c.axis === null) return { elem: 'int', shape: [] };
    const s = reduceShape(c.expr, c.args[0]!, c.axis);
    return typeof s === 'string' ? s : { elem: 'int', shape: s };
  },
  lower: (c) => {
    const x = name === 'argmin' ? P.neg(c.args[0]!) : c.args[0]!;
    return c.axis === undefined ? P.argmax(P.reshape(x, [-1])) : P.argmax(x, c.axis);
  },
});

export const MATRIX_BUILTINS: readonly Builtin[] = [
  // ordering
  {
    name: 'sort',
    params: X,
    required: 1,
    smooth: false,
    summary:
      'the entries in ascending order along the last axis (sort_desc for descending; derivatives follow the permutation)',
    type: (c) =>
      numeric(c) ??
      (c.args[0]!.shape.length === 0
        ? `${q(c.expr)}: ${c.args[0]!.text} is a scalar; sort takes a vector or a matrix (sorted by rows)`
        : null) ??
      real([...c.args[0]!.shape]),
    lower: (c) => P.sort(c.args[0]!).values,
  },
  {
    name: 'top_k',
    params: XK,
    required: 2,
    smooth: false,
    summary:
      'the k largest entries along the last axis, largest first (top_k_indices gives where they are; derivatives follow the selection)',
    type: (c) => topKCheck(c, 'top_k') ?? real(topKShape(c)),
    lower: (c) => P.topK(c.args[0]!, c.ints[0]!).values,
  },
  {
    name: 'top_k_indices',
    params: XK,
    required: 2,
    smooth: false,
    summary: 'the int positions of the k largest entries along the last axis, largest first (the indices of top_k)',
    type: (c) => topKCheck(c, 'top_k_indices') ?? { elem: 'int', shape: topKShape(c) },
    lower: (c) => P.cast(P.topK(c.args[0]!, c.ints[0]!).indices, 'int32'),
  },
  argExtreme('argmin'),
  argExtreme('argmax'),
  // dense linear algebra (stdlib/linalg)
  {
    name: 'eye',
    params: [{ name: 'n', kind: 'int' }],
    required: 1,
    smooth: true,
    summary: 'the n x n identity matrix',
    type: (c) => {
      const n = c.args[0]!;
      if (n.elem !== 'int' || n.shape.length !== 0) return `${q(c.expr)}: the size ${n.text} must be an int`;
      if (n.static !== undefined && n.static < 0) return `${q(c.expr)}: the size ${n.text} is negative`;
      const d = { text: n.text, value: n.static ?? null };
      return real([d, d]);
    },
    lower: (c) => linalg.eye(c.ints[0]!),
  },
  {
    name: 'solve',
    params: [
      { name: 'A', kind: 'x' },
      { name: 'b', kind: 'x' },
    ],
    required: 2,
    smooth: true,
    summary:
      'the solution x of A x = b for a square matrix A (b a vector or a matrix): Gauss-Jordan with partial pivoting',
    type: (c) => system(c, 'solve', 'A') ?? real([...c.args[1]!.shape]),
    lower: (c) => linalg.solve(c.args[0]!, c.args[1]!),
  },
  {
    name: 'cholesky_solve',
    params: [
      { name: 'L', kind: 'x' },
      { name: 'b', kind: 'x' },
    ],
    required: 2,
    smooth: true,
    summary:
      "the solution x of L L' x = b from the lower Cholesky factor L (its lower triangle) of A = L L': two triangular solves",
    type: (c) => system(c, 'cholesky_solve', 'L') ?? real([...c.args[1]!.shape]),
    lower: (c) => {
      const n = c.args[0]!.shape[0]!;
      const l = P.mul(c.args[0]!, P.cast(P.ge(P.iota([n, n], 0), P.iota([n, n], 1)), 'float64'));
      return P.triangularSolve(l, P.triangularSolve(l, c.args[1]!, true), true, true);
    },
  },
  {
    name: 'inverse',
    params: X,
    required: 1,
    smooth: true,
    summary:
      'the inverse A^-1 of a square matrix (Gauss-Jordan with partial pivoting; inv(x) is the elementwise 1 / x)',
    type: (c) => numeric(c) ?? square(c, 0, 'inverse takes a square matrix') ?? real([...c.args[0]!.shape]),
    lower: (c) => linalg.inverse(c.args[0]!),
  },
  {
    name: 'logdet',
    params: X,
    required: 1,
    smooth: true,
    summary:
      'log |det A| of a square matrix, from the pivots of Gauss-Jordan elimination (log_determinant_spd for a covariance)',
    type: (c) => numeric(c) ?? square(c, 0, 'logdet takes a square matrix') ?? real([]),
    lower: (c) => linalg.logAbsDet(c.args[0]!),
  },
  {
    name: 'expm',
    params: X,
    required: 1,
    smooth: true,
    summary: 'the matrix exponential e^A of a square matrix: scaling and squaring with the [13/13] Pade approximant',
    type: (c) => numeric(c) ?? square(c, 0, 'expm takes a square matrix') ?? real([...c.args[0]!.shape]),
    lower: (c) => linalg.expm(c.args[0]!),
  },
  // gradient shaping
  {
    name: 'stop',
    params: [{ name: 'x', kind: 'x', valueOnly: true }],
    required: 1,
    smooth: true,
    summary: 'the value of x with a zero gradient: derivatives do not flow through it',
    type: (c) => numeric(c) ?? real([...c.args[0]!.shape]),
    lower: (c) => P.stopGradient(c.args[0]!),
  },
  {
    name: 'straight_through',
    params: [
      { name: 'forward', kind: 'x', valueOnly: true },
      { name: 'surrogate', kind: 'x' },
    ],
    required: 2,
    smooth: true,
    summary: 'the value of forward with the gradient of surrogate: surrogate + stop(forward - surrogate)',
    type: (c) => {
      const e = numeric(c);
      if (e) return e;
      const s = broadcast(c.expr, c.args[0]!, c.args[1]!);
      return typeof s === 'string' ? s : real(s);
    },
    lower: (c) => P.add(c.args[1]!, P.stopGradient(P.sub(c.args[0]!, c.args[1]!))),
  },
];
