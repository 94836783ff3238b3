// The one table of built-in functions: name, parameters (positional order and names, which are
// also the named-argument spellings), the shape rule, the lowering to runtime ops, and what the
// structural analysis needs (smooth or not; the prox operator it has on a whole variable).
// Every entry composes existing ops; none adds a primitive. Axis arguments are integer literals.

import { ops as P, type Tracer } from '../../runtime/index.js';
import { valueSparseEnvelope } from '../../stdlib/index.js';
import { broadcast, matmulShape, reduceShape } from './shape_rules.js';
import { dimEq, shapeText, valuesText, type Dim } from './static_types.js';
import {
  needRank,
  numeric,
  q,
  real,
  reduction,
  unary,
  zeroGrad,
  type Builtin,
  type LowerCtx,
  type TypeCtx,
  type TypeOut,
} from './builtin_kit.js';
import { MATH_BUILTINS } from './builtins_math.js';
import { DIST_BUILTINS } from './builtins_dist.js';
import { MODEL_BUILTINS } from './builtins_model.js';
import { LINALG_BUILTINS } from './builtins_linalg.js';
import { MATRIX_BUILTINS } from './builtins_matrix.js';
import { DERIVATIVE_BUILTINS } from './builtins_derivative.js';

export type {
  ArgInfo,
  Builtin,
  BuiltinParam,
  FnSig,
  LowerCtx,
  ParamKind,
  ProxArgs,
  TypeCtx,
  TypeOut,
} from './builtin_kit.js';

/** Non-overlapping groups (lists of flat indices, by increasing id) from a vector of group ids. */
export function groupsFromIds(ids: ArrayLike<number>, size: number): number[][] {
  if (ids.length !== size) throw new Error(`the group ids have ${ids.length} entries; the var has ${size}`);
  const by = new Map<number, number[]>();
  for (let i = 0; i < ids.length; i++) {
    const g = ids[i]!;
    if (!(Number.isInteger(g) && g >= 0)) throw new Error(`group id ${g} at entry ${i} is not an int >= 0`);
    (by.get(g) ?? (by.set(g, []), by.get(g)!)).push(i);
  }
  return [...by.keys()].sort((a, b) => a - b).map((g) => by.get(g)!);
}

/** Per-group weights (indexed by group id) for the groups present in `ids`, in increasing id order. */
function groupWeights(ids: ArrayLike<number>, w: Float64Array | number | undefined): number[] | undefined {
  if (w === undefined) return undefined;
  const present = [...new Set(Array.from(ids))].sort((a, b) => a - b);
  return present.map((g) => {
    const v = typeof w === 'number' ? w : w[g];
    if (v === undefined)
      throw new Error(`no weight for group id ${g} (the weights have ${typeof w === 'number' ? 1 : w.length} entries)`);
    if (!(v >= 0)) throw new Error(`the weight of group ${g} is ${v}; weights must be >= 0`);
    return v;
  });
}

/** ||x_g||_2 for group ids g in 0..G-1 (x flat; ids an int or real vector). */
const groupNormsOf = (x: Tracer, ids: Tracer, G: number): Tracer =>
  P.safeSqrt(P.scatterAdd(P.square(P.reshape(x, [-1])), P.cast(P.reshape(ids, [-1]), 'int32'), 0, G));
/** The group-norm vector v_g = w_g ||x_g|| (G = the weights' length, else the size of x: ids in 0..G-1). */
const weightedGroupNorms = (x: Tracer, ids: Tracer, w?: Tracer): Tracer => {
  const G = w ? (w.shape[0] ?? 1) : x.shape.reduce((a, b) => a * b, 1);
  const v = groupNormsOf(x, ids, G);
  return w ? P.mul(v, P.reshape(w, [-1])) : v;
};

/** Type rule of group built-ins: x numeric, groups an int vector with one id per entry of x. */
function groupsCheck(c: TypeCtx, gi: number): string | null {
  const [x, g] = [c.args[0]!, c.args[gi]!];
  if (g.elem !== 'int' || g.shape.length !== 1)
    return `${q(c.expr)}: the groups ${g.text} must be an int vector of group ids (one per entry of ${x.text})`;
  const n = x.shape.reduce<number | null>((a, d) => (a === null || d.value === null ? null : a * d.value), 1);
  if (n !== null && g.shape[0]!.value !== null && g.shape[0]!.value !== n)
    return `${q(c.expr)}: ${g.text} has ${g.shape[0]!.value} group ids; ${x.text} has ${n} entries`;
  return null;
}

function kCheck(c: TypeCtx, i: number): string | null {
  const k = c.args[i]!;
  return k.elem === 'int' && k.shape.length === 0 && (k.static ?? 1) >= 1
    ? null
    : `${q(c.expr)}: k (${k.text}) must be an int >= 1 known before the run`;
}

const X = [{ name: 'x', kind: 'x' as const }];
const XA = [
  { name: 'x', kind: 'x' as const },
  { name: 'axis', kind: 'axis' as const },
];
const AB = [
  { name: 'a', kind: 'x' as const },
  { name: 'b', kind: 'x' as const },
];

const sameAxis = (name: string, f: (x: Tracer, axis: number) => Tracer, summary: string): Builtin => ({
  name,
  params: XA,
  required: 1,
  smooth: true,
  summary,
  type: (c) => {
    const e = numeric(c);
    if (e) return e;
    if (c.args[0]!.shape.length === 0)
      return `${q(c.expr)}: ${c.args[0]!.text} is a scalar; ${name} needs a vector or matrix`;
    const s = reduceShape(c.expr, c.args[0]!, c.axis ?? -1);
    return typeof s === 'string' ? s : real(c.args[0]!.shape);
  },
  lower: (c) => f(c.args[0]!, c.axis ?? -1),
});

const binaryEw = (name: string, f: (a: Tracer, b: Tracer) => Tracer, summary: string): Builtin => ({
  name,
  params: AB,
  required: 2,
  smooth: false,
  summary,
  type: (c) => {
    const e = numeric(c);
    if (e) return e;
    const s = broadcast(c.expr, c.args[0]!, c.args[1]!);
    return typeof s === 'string' ? s : real(s);
  },
  lower: (c) => f(c.args[0]!, c.args[1]!),
});

const eye = (n: number): Tracer => P.cast(P.eq(P.iota([n, n], 0), P.iota([n, n], 1)), 'float64');

const axesOrAll = (x: Tracer, axis?: number) => (axis === undefined ? undefined : axis);

const CORE_BUILTINS: readonly Builtin[] = [
  unary('exp', P.exp, 'e^x, elementwise'),
  unary('log', P.log, 'natural logarithm, elementwise'),
  unary('log1p', P.log1p, 'log(1 + x), accurate near 0'),
  unary('expm1', P.expm1, 'exp(x) - 1, accurate near 0'),
  unary('sqrt', P.sqrt, 'square root, elementwise'),
  unary('square', (x) => P.square(x), 'x^2, elementwise'),
  unary('sin', P.sin, 'sine'),
  unary('cos', P.cos, 'cosine'),
  unary('atan', P.atan, 'arc tangent'),
  unary('tanh', (x) => P.tanh(x), 'hyperbolic tangent'),
  unary('sigmoid', (x) => P.sigmoid(x), '1 / (1 + exp(-x))'),
  unary('log_sigmoid', (x) => P.logSigmoid(x), 'log(sigmoid(x)), stable'),
  unary('softplus', (x) => P.softplus(x), 'log(1 + exp(x)), stable'),
  unary('abs', P.abs, '|x|, elementwise', false),
  unary('relu', (x) => P.relu(x), 'max(x, 0), elementwise', false),
  zeroGrad(unary('sign', P.sign, '-1, 0 or 1, elementwise (zero gradient)', false)),
  zeroGrad(unary('floor', P.floor, 'round down, elementwise (zero gradient; see straight_through)', false)),
  reduction('sum', (x, a) => P.sum(x, axesOrAll(x, a)), 'sum of the entries (over `axis` if given)'),
  reduction('mean', (x, a) => P.mean(x, axesOrAll(x, a)), 'mean of the entries (over `axis` if given)'),
  reduction('sumsq', (x, a) => P.sumsq(x, axesOrAll(x, a)), 'sum of squares'),
  reduction('logsumexp', (x, a) => P.logsumexp(x, axesOrAll(x, a)), 'log(sum(exp(x))), stable'),
  reduction('norm1', (x, a) => P.norm1(x, axesOrAll(x, a)), 'l1 norm: sum of |x|', false, {
    op: 'norm1',
    text: 'l1 (soft thresholding)',
  }),
  reduction('norm2', (x, a) => P.norm2(x, axesOrAll(x, a)), 'Euclidean norm', false, {
    op: 'norm2',
    text: 'l2 (block soft thresholding)',
  }),
  reduction('norm_inf', (x, a) => P.max(P.abs(x), axesOrAll(x, a)), 'max of |x|', false, {
    op: 'norminf',
    text: 'l-inf (via projection onto the l1 ball)',
  }),
  reduction('max', (x, a) => P.max(x, axesOrAll(x, a)), 'largest entry', false),
  reduction('min', (x, a) => P.min(x, axesOrAll(x, a)), 'smallest entry', false),
  sameAxis('softmax', P.softmax, 'exp(x) / sum(exp(x)) along `axis` (default last)'),
  sameAxis('log_softmax', P.logSoftmax, 'x - logsumexp(x) along `axis` (default last)'),
  sameAxis('cumsum', (x, a) => P.cumsum(x, a), 'running sum along `axis` (default last)'),
  binaryEw('maximum', P.maximum, 'elementwise larger of a and b'),
  binaryEw('minimum', P.minimum, 'elementwise smaller of a and b'),
  {
    name: 'dot',
    params: AB,
    required: 2,
    smooth: true,
    summary: 'inner product of two vectors',
    type: (c) => {
      const e =
        numeric(c) ?? needRank(c, 0, [1], 'dot takes two vectors') ?? needRank(c, 1, [1], 'dot takes two vectors');
      if (e) return e;
      const [a, b] = [c.args[0]!, c.args[1]!];
      if (dimEq(a.shape[0]!, b.shape[0]!) === false) {
        return `${q(c.expr)}: ${a.text} is ${shapeText(a.shape)} and ${b.text} is ${shapeText(b.shape)}; the lengths ${a.shape[0]!.text} and ${b.shape[0]!.text} must be equal${valuesText([a.shape[0]!, b.shape[0]!])}`;
      }
      return real([]);
    },
    lower: (c) => P.dot(c.args[0]!, c.args[1]!),
  },
  {
    name: 'outer',
    params: AB,
    required: 2,
    smooth: true,
    summary: 'outer product a b^T of two vectors',
    type: (c) =>
      numeric(c) ??
      needRank(c, 0, [1], 'outer takes two vectors') ??
      needRank(c, 1, [1], 'outer takes two vectors') ??
      real([c.args[0]!.shape[0]!, c.args[1]!.shape[0]!]),
    lower: (c) => P.outer(c.args[0]!, c.args[1]!),
  },
  {
    name: 'matmul',
    params: AB,
    required: 2,
    smooth: true,
    summary: 'matrix product, the same as a @ b',
    type: (c) => {
      const e = numeric(c);
      if (e) return e;
      const s = matmulShape(c.expr, c.args[0]!, c.args[1]!);
      return typeof s === 'string' ? s : real(s);
    },
    lower: (c) => P.matmul(c.args[0]!, c.args[1]!),
  },
  {
    name: 'transpose',
    params: X,
    required: 1,
    smooth: true,
    summary: 'matrix transpose (a vector is unchanged)',
    type: (c) =>
      numeric(c) ??
      needRank(c, 0, [1, 2], 'transpose takes a vector or a matrix') ?? {
        elem: 'real',
        shape: [...c.args[0]!.shape].reverse(),
      },
    lower: (c) => P.transpose(c.args[0]!),
  },
  {
    name: 'trace',
    params: X,
    required: 1,
    smooth: true,
    summary: 'sum of the diagonal of a square matrix',
    type: (c) => numeric(c) ?? needRank(c, 0, [2], 'trace takes a square matrix') ?? squareCheck(c) ?? real([]),
    lower: (c) => P.sum(P.mul(c.args[0]!, eye(c.args[0]!.shape[0]!))),
  },
  {
    name: 'diag',
    params: X,
    required: 1,
    smooth: true,
    summary: 'the diagonal matrix with the vector x on its diagonal',
    type: (c) =>
      numeric(c) ?? needRank(c, 0, [1], 'diag takes a vector') ?? real([c.args[0]!.shape[0]!, c.args[0]!.shape[0]!]),
    lower: (c) => P.mul(P.reshape(c.args[0]!, [-1, 1]), eye(c.args[0]!.shape[0]!)),
  },
  {
    name: 'cholesky',
    params: X,
    required: 1,
    smooth: true,
    summary: "the lower Cholesky factor L of a symmetric positive definite matrix (A = L L')",
    type: (c) =>
      numeric(c) ??
      needRank(c, 0, [2], 'cholesky takes a square matrix') ??
      squareCheck(c) ??
      real([...c.args[0]!.shape]),
    lower: (c) => P.cholesky(c.args[0]!),
  },
  {
    name: 'nuclear_norm',
    params: X,
    required: 1,
    smooth: false,
    prox: { op: 'nuclear', text: 'nuclear (singular value thresholding)' },
    summary: 'sum of the singular values of a matrix',
    type: (c) => numeric(c) ?? needRank(c, 0, [2], 'nuclear_norm takes a matrix') ?? real([]),
    lower: (c) => P.sum(P.svd(c.args[0]!).s),
  },
  {
    name: 'norm0',
    params: X,
    required: 1,
    smooth: false,
    prox: { op: 'l0', text: 'l0 (hard thresholding; nonconvex)' },
    summary: 'the number of nonzero entries (nonconvex; its prox is hard thresholding)',
    type: (c) => numeric(c) ?? real([]),
    lower: (c) => P.sum(P.cast(P.ne(c.args[0]!, 0), 'float64')),
  },
  {
    name: 'group_norm',
    params: [
      { name: 'x', kind: 'x' },
      { name: 'groups', kind: 'x' },
      { name: 'weights', kind: 'x' },
    ],
    required: 2,
    smooth: false,
    prox: {
      op: 'group_lasso',
      text: 'group l2 over user groups (block soft thresholding per group)',
      options: (a) => {
        const ids = a.args.groups as Float64Array;
        const weights = groupWeights(ids, a.args.weights);
        return { groups: groupsFromIds(ids, a.size), ...(weights ? { weights } : {}) };
      },
    },
    summary:
      'sum over groups g of w_g ||x_g||_2; groups: an int vector of group ids in 0..G-1 (one per entry of x); weights: one per group id (default 1)',
    type: (c) =>
      numeric(c) ??
      groupsCheck(c, 1) ??
      (c.args[2] && c.args[2].shape.length !== 1
        ? `${q(c.expr)}: the weights ${c.args[2].text} must be a vector (one per group id)`
        : null) ??
      real([]),
    lower: (c) => P.sum(weightedGroupNorms(c.args[0]!, c.args[1]!, c.args[2])),
  },
  {
    name: 'sparse_envelope',
    params: [
      { name: 'x', kind: 'x' },
      { name: 'k', kind: 'int' },
    ],
    required: 2,
    smooth: false,
    prox: { op: 'sparse_envelope', text: 'sparse envelope S_k (sort and search)', options: (a) => ({ k: a.args.k }) },
    summary: 'S_k(x): half the squared k-support norm, the convex envelope of 0.5 ||x||^2 on k-sparse x',
    type: (c) => numeric(c) ?? kCheck(c, 1) ?? real([]),
    lower: (c) => valueSparseEnvelope(c.ints[0]!)(c.args[0]!),
  },
  {
    name: 'wgsef',
    params: [
      { name: 'x', kind: 'x' },
      { name: 'groups', kind: 'x' },
      { name: 'k', kind: 'int' },
      { name: 'weights', kind: 'x' },
    ],
    required: 3,
    smooth: false,
    prox: {
      op: 'wgsef',
      text: 'weighted group sparse envelope (WGSEF)',
      options: (a) => {
        const ids = a.args.groups as Float64Array;
        const weights = groupWeights(ids, a.args.weights);
        return { groups: groupsFromIds(ids, a.size), k: a.args.k, ...(weights ? { weights } : {}) };
      },
    },
    summary: 'S_k(v) with v_g = w_g ||x_g||_2 over user groups (ids as in group_norm): favors at most k active groups',
    type: (c) => numeric(c) ?? groupsCheck(c, 1) ?? kCheck(c, 2) ?? real([]),
    lower: (c) => valueSparseEnvelope(c.ints[0]!)(weightedGroupNorms(c.args[0]!, c.args[1]!, c.args[2])),
  },
  {
    name: 'wgsef_gap',
    params: [
      { name: 'x', kind: 'x' },
      { name: 'groups', kind: 'x' },
      { name: 'k', kind: 'int' },
    ],
    required: 3,
    smooth: false,
    prox: {
      op: 'wgsef_gap',
      text: 'sparse-envelope gap (nonconvex; zero iff at most k groups are nonzero)',
      options: (a) => ({ groups: groupsFromIds(a.args.groups as Float64Array, a.size), k: a.args.k }),
    },
    summary: 'S_k(v) - 0.5 ||v||^2, v_g = ||x_g||_2: >= 0, zero exactly when at most k groups are nonzero (nonconvex)',
    type: (c) => numeric(c) ?? groupsCheck(c, 1) ?? kCheck(c, 2) ?? real([]),
    lower: (c) => {
      const v = weightedGroupNorms(c.args[0]!, c.args[1]!);
      return P.maximum(P.sub(valueSparseEnvelope(c.ints[0]!)(v), P.mul(0.5, P.sumsq(v))), 0);
    },
  },
  {
    name: 'size',
    params: [
      { name: 'x', kind: 'x' },
      { name: 'axis', kind: 'axis' },
    ],
    required: 1,
    smooth: true,
    summary: 'the length of x along `axis` (default 0), an int known before the run',
    type: (c) => {
      const x = c.args[0]!;
      const s = reduceShape(c.expr, x, c.axis ?? 0);
      if (typeof s === 'string') return s;
      const a = c.axis ?? 0;
      const d = x.shape[a < 0 ? a + x.shape.length : a]!;
      return d.value === null ? { elem: 'int', shape: [] } : { elem: 'int', shape: [], static: d.value };
    },
    lower: (c) => c.args[0]!.shape[normAxis(c.axis ?? 0, c.args[0]!.shape.length)]!,
  },
  filled('zeros', 0),
  filled('ones', 1),
];

function squareCheck(c: TypeCtx): string | null {
  const [r, k] = c.args[0]!.shape;
  return dimEq(r!, k!) === false
    ? `${q(c.expr)}: ${c.args[0]!.text} is ${shapeText(c.args[0]!.shape)}, not square${valuesText([r!, k!])}`
    : null;
}

function filled(name: string, v: number): Builtin {
  return {
    name,
    params: [
      { name: 'n', kind: 'int' },
      { name: 'm', kind: 'int' },
    ],
    required: 1,
    smooth: true,
    summary: `a vector (or, with m, a matrix) of ${v}s`,
    type: (c) => {
      const shape: Dim[] = [];
      for (const a of c.args) {
        if (a.elem !== 'int' || a.shape.length !== 0) return `${q(c.expr)}: the size ${a.text} must be an int`;
        shape.push({ text: a.text, value: a.static ?? null });
      }
      return real(shape);
    },
    lower: (c) => P.full(c.ints, v),
  };
}

const normAxis = (a: number, r: number) => (a < 0 ? a + r : a);

/** Every built-in function: the core above, then the tables of the other files. */
export const BUILTINS: readonly Builtin[] = [
  ...CORE_BUILTINS,
  ...MATH_BUILTINS,
  ...LINALG_BUILTINS,
  ...MATRIX_BUILTINS,
  ...DERIVATIVE_BUILTINS,
  ...DIST_BUILTINS,
  ...MODEL_BUILTINS,
];

export const builtinTable: ReadonlyMap<string, Builtin> = new Map(BUILTINS.map((b) => [b.name, b]));
