// The prox registry: name -> { prox builder, value builder, options schema, conjugate }. The
// compiler looks terms up here by name (e.g. `norm1` -> weighted l1 prox); `proxOf` / `valueOf`
// validate the options against the schema first. Options are plain JSON values. Groups are lists
// of flat (row-major) indices; weights are a number or one number per entry (per group for
// group operators).

import type { ProxEntry, ProxFn, ValueFn, ProxOptionSpec } from './types.js';
import * as Pen from './penalties.js';
import * as Prj from './projections.js';
import * as Env from './envelope.js';
import { ops as P } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/index.js';
import { flat } from './common.js';

type O = Record<string, any>;

const lambdaOpt: ProxOptionSpec = { type: 'number', required: false, default: 1, doc: 'penalty weight lambda >= 0' };
const radiusOpt: ProxOptionSpec = { type: 'number', required: false, default: 1, doc: 'radius r > 0' };
const groupsOpt: ProxOptionSpec = { type: 'groups', required: true, doc: 'non-overlapping lists of flat indices' };
const lam = (o: O) => (o.lambda ?? 1) as number;

/** An indicator's value: 0 inside the set (to a tolerance relative to x's scale), +inf outside. */
const indicator =
  (dist: (x: Tracer) => Tracer, tol = 1e-9): ValueFn =>
  (x) =>
    P.where(P.le(dist(x), P.mul(tol, P.add(1, P.max(P.abs(flat(x)))))), 0, Infinity);
const distTo =
  (proj: ProxFn): ((x: Tracer) => Tracer) =>
  (x) =>
    P.max(P.abs(flat(P.sub(proj(x, 1), x))));
const fromProj = (proj: ProxFn): ValueFn => indicator(distTo(proj));

function entry<T extends O>(e: ProxEntry<T>): ProxEntry<O> {
  return e as unknown as ProxEntry<O>;
}

export const proxRegistry: Record<string, ProxEntry<O>> = {
  norm1: entry({
    name: 'norm1',
    kind: 'norm',
    domain: 'vector',
    doc: 'lambda * sum_i w_i |x_i|',
    options: {
      lambda: lambdaOpt,
      weights: { type: 'weights', required: false, doc: 'per-coordinate weights w_i >= 0 (default 1)' },
    },
    prox: (o) => Pen.proxL1(lam(o), o.weights ?? 1),
    value: (o) => Pen.valueL1(lam(o), o.weights ?? 1),
    conjugate: (o) => {
      const w = o.weights ?? 1;
      const r = typeof w === 'number' ? lam(o) * w : (w as number[]).map((v) => lam(o) * v);
      return { name: 'box', options: { lower: typeof r === 'number' ? -r : r.map((v) => -v), upper: r } };
    },
  }),
  elastic_net: entry({
    name: 'elastic_net',
    kind: 'penalty',
    domain: 'vector',
    doc: 'l1 ||x||_1 + (l2 / 2) ||x||^2',
    options: {
      l1: { type: 'number', required: true, doc: 'l1 weight' },
      l2: { type: 'number', required: true, doc: 'squared-l2 weight' },
    },
    prox: (o) => Pen.proxElasticNet(o.l1, o.l2),
    value: (o) => Pen.valueElasticNet(o.l1, o.l2),
  }),
  ridge: entry({
    name: 'ridge',
    kind: 'penalty',
    domain: 'vector',
    doc: '(lambda / 2) ||x||^2',
    options: { lambda: lambdaOpt },
    prox: (o) => Pen.proxRidge(lam(o)),
    value: (o) => Pen.valueRidge(lam(o)),
    conjugate: (o) => ({ name: 'ridge', options: { lambda: 1 / lam(o) } }),
  }),
  norm2: entry({
    name: 'norm2',
    kind: 'norm',
    domain: 'vector',
    doc: 'lambda ||x||_2',
    options: { lambda: lambdaOpt },
    prox: (o) => Pen.proxL2(lam(o)),
    value: (o) => Pen.valueL2(lam(o)),
    conjugate: (o) => ({ name: 'l2_ball', options: { radius: lam(o) } }),
  }),
  norminf: entry({
    name: 'norminf',
    kind: 'norm',
    domain: 'vector',
    doc: 'lambda ||x||_inf',
    options: { lambda: lambdaOpt },
    prox: (o) => Pen.proxLinf(lam(o)),
    value: (o) => Pen.valueLinf(lam(o)),
    conjugate: (o) => ({ name: 'l1_ball', options: { radius: lam(o) } }),
  }),
  group_lasso: entry({
    name: 'group_lasso',
    kind: 'norm',
    domain: 'vector',
    doc: 'lambda * sum_g w_g ||x_g||_2',
    options: {
      groups: groupsOpt,
      lambda: lambdaOpt,
      weights: { type: 'vector', required: false, doc: 'per-group weights w_g (default 1)' },
    },
    prox: (o) => Pen.proxGroupLasso(o.groups, lam(o), o.weights),
    value: (o) => Pen.valueGroupLasso(o.groups, lam(o), o.weights),
    conjugate: (o) => ({ name: 'group_ball', options: { groups: o.groups, radius: lam(o), weights: o.weights } }),
  }),
  nuclear: entry({
    name: 'nuclear',
    kind: 'norm',
    domain: 'matrix',
    doc: 'lambda ||X||_* (sum of singular values)',
    options: { lambda: lambdaOpt },
    prox: (o) => Pen.proxNuclear(lam(o)),
    value: (o) => Pen.valueNuclear(lam(o)),
    proxAndValue: (o) => Pen.proxValueNuclear(lam(o)),
    conjugate: (o) => ({ name: 'spectral_ball', options: { radius: lam(o) } }),
  }),
  l0: entry({
    name: 'l0',
    kind: 'nonconvex',
    domain: 'vector',
    doc: 'lambda * #{i : x_i != 0} (prox: hard threshold at sqrt(2 t lambda))',
    options: { lambda: lambdaOpt },
    prox: (o) => Pen.proxL0(lam(o)),
    value: (o) => Pen.valueL0(lam(o)),
  }),
  sparse_envelope: entry({
    name: 'sparse_envelope',
    kind: 'penalty',
    domain: 'vector',
    doc: 'lambda S_k(x), S_k = half the squared k-support norm',
    options: { k: { type: 'int', required: true, doc: 'sparsity level k >= 1' }, lambda: lambdaOpt },
    prox: (o) => Env.proxSparseEnvelope(o.k, lam(o)),
    value: (o) => Env.valueSparseEnvelope(o.k, lam(o)),
  }),
  wgsef: entry({
    name: 'wgsef',
    kind: 'penalty',
    domain: 'vector',
    doc: 'lambda S_k(v), v_g = w_g ||x_g||_2 (weighted group sparse envelope)',
    options: {
      groups: groupsOpt,
      k: { type: 'int', required: true, doc: 'number of active groups k >= 1' },
      lambda: lambdaOpt,
      weights: { type: 'vector', required: false, doc: 'per-group weights w_g > 0 (default 1)' },
    },
    prox: (o) => Env.proxWgsef(o.groups, o.k, lam(o), o.weights),
    value: (o) => Env.valueWgsef(o.groups, o.k, lam(o), o.weights),
  }),
  wgsef_gap: entry({
    name: 'wgsef_gap',
    kind: 'nonconvex',
    domain: 'vector',
    doc: 'lambda (S_k(v) - 0.5 ||v||^2), v_g = ||x_g||_2: zero iff at most k groups are nonzero (needs steps t < 1 / lambda)',
    options: {
      groups: groupsOpt,
      k: { type: 'int', required: true, doc: 'number of active groups k >= 1' },
      lambda: lambdaOpt,
    },
    prox: (o) => Env.proxWgsefGap(o.groups, o.k, lam(o)),
    value: (o) => Env.valueWgsefGap(o.groups, o.k, lam(o)),
  }),
  // Indicators (prox = projection).
  nonneg: entry({
    name: 'nonneg',
    kind: 'indicator',
    domain: 'vector',
    doc: 'x >= 0',
    options: {},
    prox: () => Prj.projNonneg(),
    value: () => fromProj(Prj.projNonneg()),
  }),
  box: entry({
    name: 'box',
    kind: 'indicator',
    domain: 'vector',
    doc: 'lower <= x <= upper',
    options: {
      lower: { type: 'weights', required: true, doc: 'lower bound (number or per entry; -Infinity allowed)' },
      upper: { type: 'weights', required: true, doc: 'upper bound' },
    },
    prox: (o) => Prj.projBox(o.lower, o.upper),
    value: (o) => fromProj(Prj.projBox(o.lower, o.upper)),
  }),
  simplex: entry({
    name: 'simplex',
    kind: 'indicator',
    domain: 'vector',
    doc: 'x >= 0, sum x = radius',
    options: { radius: radiusOpt },
    prox: (o) => Prj.projSimplex(o.radius ?? 1),
    value: (o) => fromProj(Prj.projSimplex(o.radius ?? 1)),
  }),
  l1_ball: entry({
    name: 'l1_ball',
    kind: 'indicator',
    domain: 'vector',
    doc: '||x||_1 <= radius',
    options: { radius: radiusOpt },
    prox: (o) => Prj.projL1Ball(o.radius ?? 1),
    value: (o) => fromProj(Prj.projL1Ball(o.radius ?? 1)),
    conjugate: (o) => ({ name: 'norminf', options: { lambda: o.radius ?? 1 } }),
  }),
  l2_ball: entry({
    name: 'l2_ball',
    kind: 'indicator',
    domain: 'vector',
    doc: '||x||_2 <= radius',
    options: { radius: radiusOpt },
    prox: (o) => Prj.projL2Ball(o.radius ?? 1),
    value: (o) => fromProj(Prj.projL2Ball(o.radius ?? 1)),
    conjugate: (o) => ({ name: 'norm2', options: { lambda: o.radius ?? 1 } }),
  }),
  linf_ball: entry({
    name: 'linf_ball',
    kind: 'indicator',
    domain: 'vector',
    doc: '||x||_inf <= radius',
    options: { radius: radiusOpt },
    prox: (o) => Prj.projLinfBall(o.radius ?? 1),
    value: (o) => fromProj(Prj.projLinfBall(o.radius ?? 1)),
    conjugate: (o) => ({ name: 'norm1', options: { lambda: o.radius ?? 1 } }),
  }),
  hyperplane: entry({
    name: 'hyperplane',
    kind: 'indicator',
    domain: 'vector',
    doc: "a'x = b",
    options: {
      a: { type: 'vector', required: true, doc: 'normal a (nonzero)' },
      b: { type: 'number', required: true, doc: 'offset b' },
    },
    prox: (o) => Prj.projHyperplane(o.a, o.b),
    value: (o) => fromProj(Prj.projHyperplane(o.a, o.b)),
  }),
  halfspace: entry({
    name: 'halfspace',
    kind: 'indicator',
    domain: 'vector',
    doc: "a'x <= b",
    options: {
      a: { type: 'vector', required: true, doc: 'normal a (nonzero)' },
      b: { type: 'number', required: true, doc: 'offset b' },
    },
    prox: (o) => Prj.projHalfspace(o.a, o.b),
    value: (o) => fromProj(Prj.projHalfspace(o.a, o.b)),
  }),
  affine: entry({
    name: 'affine',
    kind: 'indicator',
    domain: 'vector',
    doc: 'A x = b (A of full row rank)',
    options: {
      A: { type: 'matrix', required: true, doc: 'm x n matrix (rows)' },
      b: { type: 'vector', required: true, doc: 'right-hand side, length m' },
    },
    prox: (o) => Prj.projAffine(o.A, o.b),
    value: (o) => fromProj(Prj.projAffine(o.A, o.b)),
  }),
  sparse: entry({
    name: 'sparse',
    kind: 'nonconvex',
    domain: 'vector',
    doc: '||x||_0 <= k (keeps the k largest magnitudes)',
    options: { k: { type: 'int', required: true, doc: 'number of nonzeros kept' } },
    prox: (o) => Prj.projSparse(o.k),
    value: (o) => fromProj(Prj.projSparse(o.k)),
  }),
  group_ball: entry({
    name: 'group_ball',
    kind: 'indicator',
    domain: 'vector',
    doc: '||x_g||_2 <= radius * w_g for every group',
    options: {
      groups: groupsOpt,
      radius: radiusOpt,
      weights: { type: 'vector', required: false, doc: 'per-group weights (default 1)' },
    },
    prox: (o) => Prj.projGroupBall(o.groups, o.radius ?? 1, o.weights),
    value: (o) => fromProj(Prj.projGroupBall(o.groups, o.radius ?? 1, o.weights)),
    conjugate: (o) => ({
      name: 'group_lasso',
      options: { groups: o.groups, lambda: o.radius ?? 1, weights: o.weights },
    }),
  }),
  spectral_ball: entry({
    name: 'spectral_ball',
    kind: 'indicator',
    domain: 'matrix',
    doc: '||X||_2 (largest singular value) <= radius',
    options: { radius: radiusOpt },
    prox: (o) => Prj.projSpectralBall(o.radius ?? 1),
    value: (o) => fromProj(Prj.projSpectralBall(o.radius ?? 1)),
    conjugate: (o) => ({ name: 'nuclear', options: { lambda: o.radius ?? 1 } }),
  }),
};

/** The compiler's names for terms that are the same operator under another name. */
export const proxAliases: Record<string, string> = {
  l1: 'norm1',
  l2: 'norm2',
  linf: 'norminf',
  nuclear_norm: 'nuclear',
  group_norm: 'group_lasso',
  l2_sq: 'ridge',
  sumsq: 'ridge',
  nonnegative: 'nonneg',
};

export function lookupProx(name: string): ProxEntry<O> | undefined {
  return proxRegistry[name] ?? proxRegistry[proxAliases[name] ?? ''];
}

/** Checks options against an entry's schema; returns the problems found (empty when fine). */
export function checkOptions(e: ProxEntry<O>, o: O): string[] {
  const errs: string[] = [];
  for (const [k, spec] of Object.entries(e.options)) {
    const v = o[k];
    if (v === undefined) {
      if (spec.required) errs.push(`${e.name}: missing option '${k}' (${spec.doc})`);
      continue;
    }
    const isNum = typeof v === 'number' && !Number.isNaN(v);
    const isVec = Array.isArray(v) && v.every((x) => typeof x === 'number');
    const ok =
      spec.type === 'number'
        ? isNum
        : spec.type === 'int'
          ? isNum && Number.isInteger(v) && v >= 1
          : spec.type === 'weights'
            ? isNum || isVec
            : spec.type === 'vector'
              ? isVec
              : Array.isArray(v) && v.every((r: unknown) => Array.isArray(r) && r.every((x) => typeof x === 'number'));
    if (!ok) errs.push(`${e.name}: option '${k}' must be a ${spec.type} (${spec.doc})`);
  }
  for (const k of Object.keys(o))
    if (!(k in e.options) && o[k] !== undefined) errs.push(`${e.name}: unknown option '${k}'`);
  return errs;
}

function get(name: string, o: O): ProxEntry<O> {
  const e = lookupProx(name);
  if (!e) throw new Error(`unknown prox operator '${name}' (known: ${Object.keys(proxRegistry).join(', ')})`);
  const errs = checkOptions(e, o);
  if (errs.length) throw new Error(errs.join('; '));
  return e;
}

/** The prox graph builder of a registered term: prox(x, t) = prox_{t f}(x). */
export const proxOf = (name: string, o: O = {}): ProxFn => get(name, o).prox(o);
/** prox and value at the prox from one graph, where the entry has one (else null). */
export const proxAndValueOf = (name: string, o: O = {}) => get(name, o).proxAndValue?.(o) ?? null;
/** Whether a term's prox is separable (so it accepts a per-coordinate step vector t). */
export const isSeparable = (name: string): boolean =>
  ['norm1', 'elastic_net', 'ridge', 'l0', 'nonneg', 'box', 'linf_ball'].includes(lookupProx(name)?.name ?? '');
/** The value graph builder of a registered term. */
export const valueOf = (name: string, o: O = {}): ValueFn => get(name, o).value(o);
