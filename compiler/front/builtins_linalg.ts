// Stan's vector and matrix functions under Stan's names and argument orders, so that a Stan model
// translates line by line: products (dot_product, quad_form, diag_pre_multiply, ...), triangular
// solves and the SPD log determinant (by Cholesky), distances, cumulative sums, head / tail /
// reverse / sorts, to_vector (column-major, as Stan's), append_row, rep_array, and
// std_normal_lpdf. Every entry composes runtime ops, so derivatives of any order come free. Where
// Proxima already has the function under another name (dot, cumsum, cholesky, diag), the entry
// here is that function under Stan's name.

import { ops as P, type Tracer } from '../../runtime/index.js';
import { dimEq, shapeText, valuesText, type Dim } from './static_types.js';
import { elementwise, filledType, needRank, numeric, q, real, type Builtin, type TypeCtx } from './builtin_kit.js';
import { special as S } from '../../stdlib/index.js';

const X = [{ name: 'x', kind: 'x' as const }];
const two = (a: string, b: string) => [
  { name: a, kind: 'x' as const },
  { name: b, kind: 'x' as const },
];

/** Null when dims i and j of arguments a and b may be equal, else the message. */
function sameDim(c: TypeCtx, a: number, i: number, b: number, j: number, what: string): string | null {
  const [x, y] = [c.args[a]!, c.args[b]!];
  const [dx, dy] = [x.shape[i]!, y.shape[j]!];
  if (dimEq(dx, dy) !== false) return null;
  return `${q(c.expr)}: ${x.text} is ${shapeText(x.shape)} and ${y.text} is ${shapeText(y.shape)}; ${what} (${dx.text} and ${dy.text})${valuesText([dx, dy])}`;
}

const square = (c: TypeCtx, i: number, what: string): string | null =>
  needRank(c, i, [2], what) ?? sameDim(c, i, 0, i, 1, `${c.args[i]!.text} must be square`);

/** Two vectors of one length. */
const vectors = (c: TypeCtx, name: string): string | null =>
  numeric(c) ??
  needRank(c, 0, [1], `${name} takes two vectors`) ??
  needRank(c, 1, [1], `${name} takes two vectors`) ??
  sameDim(c, 0, 0, 1, 0, 'the lengths must be equal');

const vecPair = (name: string, summary: string, f: (a: Tracer, b: Tracer) => Tracer): Builtin => ({
  name,
  params: two('a', 'b'),
  required: 2,
  smooth: name !== 'distance',
  summary,
  type: (c) => vectors(c, name) ?? real([]),
  lower: (c) => f(c.args[0]!, c.args[1]!),
});

/** rows_dot_product / columns_dot_product: two matrices of one shape, the dot product per row or column. */
const byAxis = (name: string, axis: 0 | 1): Builtin => ({
  name,
  params: two('a', 'b'),
  required: 2,
  smooth: true,
  summary: `the dot product of each ${axis === 1 ? 'row' : 'column'} of a with the same ${axis === 1 ? 'row' : 'column'} of b (matrices of one shape)`,
  type: (c) =>
    numeric(c) ??
    needRank(c, 0, [2], `${name} takes two matrices`) ??
    needRank(c, 1, [2], `${name} takes two matrices`) ??
    sameDim(c, 0, 0, 1, 0, 'the row counts must be equal') ??
    sameDim(c, 0, 1, 1, 1, 'the column counts must be equal') ??
    real([c.args[0]!.shape[1 - axis]!]),
  lower: (c) => P.sum(P.mul(c.args[0]!, c.args[1]!), axis),
});

/** One square matrix in, one of its shape out. */
const squareMap = (name: string, summary: string, f: (a: Tracer) => Tracer, smooth = true): Builtin => ({
  name,
  params: X,
  required: 1,
  smooth,
  summary,
  type: (c) => numeric(c) ?? square(c, 0, `${name} takes a square matrix`) ?? real([...c.args[0]!.shape]),
  lower: (c) => f(c.args[0]!),
});

const lowerTri = (a: Tracer): Tracer => {
  const n = a.shape[0]!;
  return P.mul(a, P.cast(P.ge(P.iota([n, n], 0), P.iota([n, n], 1)), 'float64'));
};

/** A vector's first or last n entries (n known before the run). */
const ends = (name: 'head' | 'tail'): Builtin => ({
  name,
  params: [
    { name: 'v', kind: 'x' },
    { name: 'n', kind: 'int' },
  ],
  required: 2,
  smooth: true,
  summary: `the ${name === 'head' ? 'first' : 'last'} n entries of a vector`,
  type: (c) => {
    const e = numeric(c) ?? needRank(c, 0, [1], `${name} takes a vector`);
    if (e) return e;
    const [v, n] = [c.args[0]!, c.args[1]!];
    if (n.elem !== 'int' || n.shape.length !== 0) return `${q(c.expr)}: the count ${n.text} must be an int`;
    const len = v.shape[0]!.value;
    if (n.static !== undefined && (n.static < 0 || (len !== null && n.static > len)))
      return `${q(c.expr)}: ${n.text === String(n.static) ? n.text : `${n.text} = ${n.static}`} is outside 0..${len ?? v.shape[0]!.text} (the length of ${v.text})`;
    return real([{ text: n.text, value: n.static ?? null }]);
  },
  lower: (c) => {
    const [v, n] = [c.args[0]!, c.ints[0]!];
    const len = v.shape[0]!;
    return name === 'head' ? P.slice(v, [0], [n]) : P.slice(v, [len - n], [len]);
  },
});

const sorted = (name: 'sort_asc' | 'sort_desc'): Builtin => ({
  name,
  params: X,
  required: 1,
  smooth: false,
  summary: `the entries of a vector in ${name === 'sort_asc' ? 'ascending' : 'descending'} order (derivatives follow the permutation)`,
  type: (c) => numeric(c) ?? needRank(c, 0, [1], `${name} takes a vector`) ?? real([...c.args[0]!.shape]),
  lower: (c) => P.sort(c.args[0]!, name === 'sort_desc').values,
});

const LOG_2PI = Math.log(2 * Math.PI);

/** The length of two dims laid end to end. */
const sumDim = (a: Dim, b: Dim): Dim => ({
  text: `${a.text} + ${b.text}`,
  value: a.value !== null && b.value !== null ? a.value + b.value : null,
});

export const LINALG_BUILTINS: readonly Builtin[] = [
  // products
  vecPair('dot_product', 'inner product of two vectors (dot)', (a, b) => P.dot(a, b)),
  {
    name: 'dot_self',
    params: X,
    required: 1,
    smooth: true,
    summary: "x' x for a vector x",
    type: (c) => numeric(c) ?? needRank(c, 0, [1], 'dot_self takes a vector') ?? real([]),
    lower: (c) => P.sum(P.square(c.args[0]!)),
  },
  byAxis('rows_dot_product', 1),
  byAxis('columns_dot_product', 0),
  {
    name: 'quad_form',
    params: two('A', 'B'),
    required: 2,
    smooth: true,
    summary: "B' A B for a square matrix A and a matrix B (a scalar when B is a vector)",
    type: (c) => {
      const e =
        numeric(c) ??
        square(c, 0, 'quad_form takes a square matrix A') ??
        needRank(c, 1, [1, 2], 'B is a vector or a matrix') ??
        sameDim(c, 0, 1, 1, 0, 'the size of A and the rows of B must be equal');
      if (e) return e;
      const b = c.args[1]!;
      return real(b.shape.length === 1 ? [] : [b.shape[1]!, b.shape[1]!]);
    },
    lower: (c) => {
      const [a, b] = [c.args[0]!, c.args[1]!];
      return b.rank === 1 ? P.dot(b, P.matmul(a, b)) : P.matmul(P.transpose(b), P.matmul(a, b));
    },
  },
  {
    name: 'quad_form_diag',
    params: two('m', 'v'),
    required: 2,
    smooth: true,
    summary: 'diag(v) m diag(v) for a square matrix m and a vector v (a covariance from scales and a correlation)',
    type: (c) =>
      numeric(c) ??
      square(c, 0, 'quad_form_diag takes a square matrix') ??
      needRank(c, 1, [1], 'v is a vector') ??
      sameDim(c, 0, 0, 1, 0, 'the size of m and the length of v must be equal') ??
      real([...c.args[0]!.shape]),
    lower: (c) => {
      const [m, v] = [c.args[0]!, c.args[1]!];
      return P.mul(P.mul(P.reshape(v, [-1, 1]), m), P.reshape(v, [1, -1]));
    },
  },
  {
    name: 'diag_pre_multiply',
    params: two('v', 'm'),
    required: 2,
    smooth: true,
    summary: 'diag(v) m: row i of the matrix m times v[i]',
    type: (c) =>
      numeric(c) ??
      needRank(c, 0, [1], 'v is a vector') ??
      needRank(c, 1, [2], 'm is a matrix') ??
      sameDim(c, 0, 0, 1, 0, 'the length of v and the rows of m must be equal') ??
      real([...c.args[1]!.shape]),
    lower: (c) => P.mul(P.reshape(c.args[0]!, [-1, 1]), c.args[1]!),
  },
  {
    name: 'diag_post_multiply',
    params: two('m', 'v'),
    required: 2,
    smooth: true,
    summary: 'm diag(v): column j of the matrix m times v[j]',
    type: (c) =>
      numeric(c) ??
      needRank(c, 0, [2], 'm is a matrix') ??
      needRank(c, 1, [1], 'v is a vector') ??
      sameDim(c, 0, 1, 1, 0, 'the columns of m and the length of v must be equal') ??
      real([...c.args[0]!.shape]),
    lower: (c) => P.mul(c.args[0]!, P.reshape(c.args[1]!, [1, -1])),
  },
  {
    name: 'diag_matrix',
    params: X,
    required: 1,
    smooth: true,
    summary: 'the diagonal matrix with the vector x on its diagonal (diag)',
    type: (c) =>
      numeric(c) ??
      needRank(c, 0, [1], 'diag_matrix takes a vector') ??
      real([c.args[0]!.shape[0]!, c.args[0]!.shape[0]!]),
    lower: (c) => {
      const n = c.args[0]!.shape[0]!;
      return P.mul(P.reshape(c.args[0]!, [-1, 1]), P.cast(P.eq(P.iota([n, n], 0), P.iota([n, n], 1)), 'float64'));
    },
  },
  {
    name: 'tcrossprod',
    params: X,
    required: 1,
    smooth: true,
    summary: "x x' for a matrix x",
    type: (c) => {
      const e = numeric(c) ?? needRank(c, 0, [2], 'tcrossprod takes a matrix');
      return e ?? real([c.args[0]!.shape[0]!, c.args[0]!.shape[0]!]);
    },
    lower: (c) => P.matmul(c.args[0]!, P.transpose(c.args[0]!)),
  },
  {
    name: 'crossprod',
    params: X,
    required: 1,
    smooth: true,
    summary: "x' x for a matrix x",
    type: (c) => {
      const e = numeric(c) ?? needRank(c, 0, [2], 'crossprod takes a matrix');
      return e ?? real([c.args[0]!.shape[1]!, c.args[0]!.shape[1]!]);
    },
    lower: (c) => P.matmul(P.transpose(c.args[0]!), c.args[0]!),
  },
  squareMap(
    'multiply_lower_tri_self_transpose',
    "L L' using only the lower triangle of the square matrix L (a covariance from its Cholesky factor)",
    (a) => {
      const l = lowerTri(a);
      return P.matmul(l, P.transpose(l));
    },
  ),
  // factorizations and solves
  squareMap(
    'cholesky_decompose',
    "the lower Cholesky factor L of a symmetric positive definite matrix (A = L L'; cholesky)",
    (a) => P.cholesky(a),
  ),
  {
    name: 'mdivide_left_tri_low',
    params: two('L', 'b'),
    required: 2,
    smooth: true,
    summary: 'L \\ b: the solution x of L x = b for the lower triangle of the square matrix L (b a vector or a matrix)',
    type: (c) =>
      numeric(c) ??
      square(c, 0, 'L is a square matrix') ??
      needRank(c, 1, [1, 2], 'b is a vector or a matrix') ??
      sameDim(c, 0, 0, 1, 0, 'the size of L and the rows of b must be equal') ??
      real([...c.args[1]!.shape]),
    lower: (c) => P.triangularSolve(lowerTri(c.args[0]!), c.args[1]!, true),
  },
  {
    name: 'mdivide_right_tri_low',
    params: two('b', 'L'),
    required: 2,
    smooth: true,
    summary:
      'b / L: the solution x of x L = b for the lower triangle of the square matrix L (b a row vector, as a vector, or a matrix)',
    type: (c) => {
      const e =
        numeric(c) ??
        needRank(c, 0, [1, 2], 'b is a vector or a matrix') ??
        square(c, 1, 'L is a square matrix') ??
        sameDim(c, 0, c.args[0]!.shape.length - 1, 1, 0, 'the columns of b and the size of L must be equal');
      return e ?? real([...c.args[0]!.shape]);
    },
    // x L = b  <=>  L' x' = b'
    lower: (c) => {
      const [b, l] = [c.args[0]!, lowerTri(c.args[1]!)];
      if (b.rank === 1) return P.triangularSolve(l, b, true, true);
      return P.transpose(P.triangularSolve(l, P.transpose(b), true, true));
    },
  },
  {
    name: 'log_determinant_spd',
    params: X,
    required: 1,
    smooth: true,
    summary: 'log det A of a symmetric positive definite matrix, 2 sum(log(diag(cholesky(A))))',
    type: (c) => numeric(c) ?? square(c, 0, 'log_determinant_spd takes a square matrix') ?? real([]),
    lower: (c) => {
      const n = c.args[0]!.shape[0]!;
      const eye = P.cast(P.eq(P.iota([n, n], 0), P.iota([n, n], 1)), 'float64');
      return P.mul(2, P.sum(P.log(P.sum(P.mul(P.cholesky(c.args[0]!), eye), 1))));
    },
  },
  // distances and sums
  vecPair('squared_distance', 'the squared Euclidean distance between two vectors', (a, b) =>
    P.sum(P.square(P.sub(a, b))),
  ),
  vecPair('distance', 'the Euclidean distance between two vectors', (a, b) => P.sqrt(P.sum(P.square(P.sub(a, b))))),
  {
    name: 'cumulative_sum',
    params: X,
    required: 1,
    smooth: true,
    summary: 'the running sums of a vector (cumsum)',
    type: (c) => numeric(c) ?? needRank(c, 0, [1], 'cumulative_sum takes a vector') ?? real([...c.args[0]!.shape]),
    lower: (c) => P.cumsum(c.args[0]!, -1),
  },
  // reshaping and ordering
  {
    name: 'to_vector',
    params: X,
    required: 1,
    smooth: true,
    summary: "the entries as a vector; a matrix in column-major order, as Stan's to_vector",
    type: (c) => {
      const e = numeric(c) ?? needRank(c, 0, [0, 1, 2], 'to_vector takes a scalar, a vector or a matrix');
      if (e) return e;
      const s: Dim[] = c.args[0]!.shape;
      if (s.length < 2) return real(s.length === 0 ? [{ text: '1', value: 1 }] : [...s]);
      const n = s[0]!.value !== null && s[1]!.value !== null ? s[0]!.value * s[1]!.value : null;
      return real([{ text: `${s[0]!.text} * ${s[1]!.text}`, value: n }]);
    },
    lower: (c) => {
      const x = c.args[0]!;
      return P.reshape(x.rank === 2 ? P.transpose(x) : x, [-1]);
    },
  },
  ends('head'),
  ends('tail'),
  {
    name: 'reverse',
    params: X,
    required: 1,
    smooth: true,
    summary: 'the entries of a vector in reverse order',
    type: (c) => numeric(c) ?? needRank(c, 0, [1], 'reverse takes a vector') ?? real([...c.args[0]!.shape]),
    lower: (c) => {
      const n = c.args[0]!.shape[0]!;
      return P.concat(Array.from({ length: n }, (_, i) => P.slice(c.args[0]!, [n - 1 - i], [n - i])));
    },
  },
  sorted('sort_asc'),
  sorted('sort_desc'),
  {
    name: 'append_row',
    params: two('a', 'b'),
    required: 2,
    smooth: true,
    summary: 'a stacked above b: scalars and vectors into one vector, or matrices with as many columns',
    type: (c) => {
      const e =
        numeric(c) ??
        needRank(c, 0, [0, 1, 2], 'append_row takes scalars, vectors or matrices') ??
        needRank(c, 1, [0, 1, 2], 'append_row takes scalars, vectors or matrices');
      if (e) return e;
      const [a, b] = [c.args[0]!, c.args[1]!];
      const one: Dim = { text: '1', value: 1 };
      if (a.shape.length === 2 || b.shape.length === 2) {
        if (a.shape.length !== 2 || b.shape.length !== 2)
          return `${q(c.expr)}: ${a.text} is ${shapeText(a.shape)} and ${b.text} is ${shapeText(b.shape)}; append_row stacks two matrices, or scalars and vectors`;
        const cols = sameDim(c, 0, 1, 1, 1, 'the column counts must be equal');
        if (cols) return cols;
        return real([sumDim(a.shape[0]!, b.shape[0]!), a.shape[1]!]);
      }
      return real([sumDim(a.shape[0] ?? one, b.shape[0] ?? one)]);
    },
    lower: (c) => {
      const [a, b] = c.args.map((x) => (x.rank === 0 ? P.reshape(x, [1]) : x));
      return P.concat([a!, b!], 0);
    },
  },
  {
    name: 'rep_array',
    params: [
      { name: 'x', kind: 'x' },
      { name: 'm', kind: 'int' },
      { name: 'n', kind: 'int' },
      { name: 'k', kind: 'int' },
    ],
    required: 2,
    smooth: true,
    summary: 'an array [m], [m, n] or [m, n, k] with every entry x (a scalar)',
    type: filledType,
    lower: (c) => P.broadcastTo(c.args[0]!, c.ints),
  },
  // elementwise, Stan's names
  elementwise('multiply_log', ['x', 'y'], S.xlogy, 'x log(y), with 0 log 0 = 0 (lmultiply)'),
  elementwise(
    'log_inv_logit_diff',
    ['x', 'y'],
    (x, y) => S.logSubExp(P.logSigmoid(x), P.logSigmoid(y)),
    'log(inv_logit(x) - inv_logit(y)), x > y',
  ),
  elementwise(
    'log_falling_factorial',
    ['x', 'n'],
    (x, n) => P.sub(S.lgamma(P.add(x, 1)), S.lgamma(P.add(P.sub(x, n), 1))),
    'log of the falling factorial x (x - 1) ... (x - n + 1) = lgamma(x + 1) - lgamma(x - n + 1)',
  ),
  elementwise(
    'log_rising_factorial',
    ['x', 'n'],
    (x, n) => P.sub(S.lgamma(P.add(x, n)), S.lgamma(x)),
    'log of the rising factorial x (x + 1) ... (x + n - 1) = lgamma(x + n) - lgamma(x)',
  ),
  // a density without a distribution's parameters
  {
    name: 'std_normal_lpdf',
    params: [{ name: 'y', kind: 'x' }],
    required: 1,
    smooth: true,
    summary: 'the standard normal log density summed over the entries of y, as normal_lpdf(y | 0, 1)',
    type: (c) => numeric(c) ?? real([]),
    lower: (c) => {
      const y = c.args[0]!;
      const n = y.shape.reduce((a, b) => a * b, 1);
      return P.sub(P.mul(-0.5, P.sum(P.square(y))), 0.5 * n * LOG_2PI);
    },
  },
];
