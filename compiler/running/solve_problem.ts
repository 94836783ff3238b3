// From a compiled optimization program to what the stdlib solvers take, all over the flat decision
// vector x (the layout's order): the smooth part of the objective as a graph function (the
// structural analysis' smooth terms, the sense applied: always minimized), each prox term bound
// to its var's slice with its options (lambda from the coefficients, groups from the axis),
// simple sets as per-coordinate bounds (var domains and one-var constraints) or a simplex,
// and the general constraints as vector functions c_E(x) = 0, c_I(x) >= 0 whose rows remember
// which constraint (label, else index as written) they came from, for the multipliers.
// Data enter the graphs as constants; bounds, coefficients and row layouts are evaluated once
// here, on `ref`. Loops of constraints (`for i in 0..n { ... }`) are unrolled.

import type { ConstraintItem, Expr, Span } from '../../grammar/index.js';
import { inline, ops as P, runRef, trace, type Tracer } from '../../runtime/index.js';
import { analyze, type ObjectiveTerm } from '../analysis/analyze.js';
import type { CompiledProgram } from '../compile.js';
import { orderArgs, type Env, type Lowerer } from '../lower/lower.js';
import { builtinTable } from '../front/builtins.js';
import { sourceText } from '../front/source_text.js';
import { backquote as q } from '../../runtime/index.js';

/** A user error found while building (reported as a run error at `span`). */
export class BuildError extends Error {
  constructor(
    readonly span: Span | null,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export interface VarSlice {
  name: string;
  offset: number;
  size: number;
  shape: number[];
}

export interface ProxSpec extends VarSlice {
  /** The registry operator (stdlib/prox/registry.ts) and its options. */
  op: string;
  options: Record<string, unknown>;
  term: string;
}

/** Where a constraint's rows and bounds are, to key its multipliers (label, else its index). */
export interface ConstraintKey {
  key: string;
  /** Rows in c_E / c_I with the sign they enter the combined multiplier (double-sided: +lo, -hi). */
  eq: { row: number; sign: number }[][];
  ineq: { row: number; sign: number }[][];
  /** Coordinates whose bound this constraint set (and which side), for bound multipliers. */
  bounds: { i: number; side: 'lo' | 'hi' }[];
}

export interface BuiltProblem {
  n: number;
  /** The smooth part to minimize (the sense applied). */
  smooth(x: Tracer): Tracer;
  /** The smooth part with the data arrays (graph order) given as tracers (adaptive batches: rows). */
  smoothWith(x: Tracer, data: Tracer[]): Tracer;
  /** For gauss_newton / lm: r with smooth = 0.5 ||r||^2, when the objective is c * sumsq(e). */
  residual: ((x: Tracer) => Tracer) | null;
  prox: ProxSpec[];
  /** Vars declared `simplex`. */
  simplex: VarSlice[];
  lower: Float64Array;
  upper: Float64Array;
  eq: ((x: Tracer) => Tracer) | null;
  ineq: ((x: Tracer) => Tracer) | null;
  mEq: number;
  mIneq: number;
  keys: ConstraintKey[];
  /** Names a flat coordinate in the user's terms: `x[1]`, `W[0, 2]`. */
  coordName(i: number): string;
  vars: VarSlice[];
}

export function buildProblem(compiled: CompiledProgram): BuiltProblem {
  const p = compiled.checked;
  if (!p.optimize) throw new BuildError(compiled.anchor, 'there is nothing to solve: the program has no objective');
  const parts = analyze(p).parts;
  const b = buildContext(compiled);

  // ---- objective terms ----
  const smoothTerms = parts.terms.filter((t) => !t.prox);
  const smoothWith = smoothOf(b, smoothTerms);
  const smooth = (x: Tracer): Tracer => smoothWith(x);
  const prox = proxSpecs(
    b,
    parts.terms.filter((t) => t.prox),
  );
  const residual = residualOf(b, smoothTerms);

  // ---- simple sets: bounds ----
  const bounds = new Bounds(b.n);
  const simplex = domainBounds(b, bounds);

  // ---- constraints: bounds and general rows ----
  const leaves = constraintLeaves(b, p.constraints);
  boundConstraints(
    b,
    leaves.filter((l) => parts.constraints.get(l.it) === 'bound'),
    bounds,
  );
  bounds.close();
  const generalLeaves = leaves.filter((l) => parts.constraints.get(l.it) === 'general');
  const rowsOf = generalRows(b, generalLeaves);
  const { mEq, mIneq } = generalLeaves.length ? rowLayout(b.n, rowsOf, bounds) : { mEq: 0, mIneq: 0 };
  // Simplex vars under the augmented Lagrangian: sum x = 1 as an equality row, x >= 0 as bounds.
  const eqFn = mEq ? (x: Tracer) => cat(rowsOf(x).eq) : null;
  const ineqFn = mIneq ? (x: Tracer) => cat(rowsOf(x).ineq) : null;

  const coordName = coordNamer(b.vars);
  return {
    n: b.n,
    smooth,
    smoothWith,
    residual,
    prox,
    simplex,
    lower: bounds.lower,
    upper: bounds.upper,
    eq: eqFn,
    ineq: ineqFn,
    mEq,
    mIneq,
    keys: bounds.keys,
    coordName,
    vars: b.vars,
  };
}

type HostValue = { data: Float64Array; shape: number[] };

/** What the parts of the build share: the program, its vars, and the scopes to evaluate in. */
interface Build {
  compiled: CompiledProgram;
  n: number;
  vars: VarSlice[];
  byName: Map<string, VarSlice>;
  /** A scope with the vars bound from theta (a graph input) or to their flat indices (host evaluation). */
  scope(theta: Tracer | null, data?: Tracer[]): { env: Env; low: Lowerer };
  /**
   * Evaluates on the host, with the vars bound to their flat indices. `count` is how many values
   * `f` returns: with none there is nothing to trace (a plain objective builds its problem with no
   * trace at all, so a template's rerun on new data of the same shapes traces nothing).
   */
  evalHost(count: number, f: (env: Env, low: Lowerer) => Tracer[]): HostValue[];
}

function buildContext(compiled: CompiledProgram): Build {
  const { kit, layout, dataArrays } = compiled.internals;
  const vars: VarSlice[] = layout.entries.map((e) => ({
    name: e.name,
    offset: e.offset,
    size: e.size,
    shape: e.shape,
  }));
  const byName = new Map(vars.map((v) => [v.name, v]));
  if (layout.entries.some((e) => e.kind === 'param')) {
    const e = layout.entries.find((x) => x.kind === 'param')!;
    throw new BuildError(
      e.decl.span,
      `${q(e.name)} is a param; an optimization program optimizes vars (declare it \`var\`)`,
    );
  }

  const consts = (): Tracer[] => dataArrays.map(constantOf);
  const scope = (theta: Tracer | null, data?: Tracer[]): { env: Env; low: Lowerer } => {
    const s = kit.setup(data ?? consts());
    if (theta) kit.unpack(theta, s.env, s.low);
    else
      for (const v of vars)
        s.env.set(v.name, {
          kind: 'value',
          v: P.constant(
            Float64Array.from({ length: v.size }, (_, k) => v.offset + k),
            'float64',
            v.shape,
          ),
        });
    return s;
  };
  const evalHost = (count: number, f: (env: Env, low: Lowerer) => Tracer[]): HostValue[] => {
    if (count === 0) return [];
    const g = trace(() => {
      const { env, low } = scope(null);
      const outs = f(env, low);
      return outs.length ? outs : [P.zeros([])];
    }, []);
    return runRef(g, []).map((r) => ({ data: Float64Array.from(r.data), shape: [...r.shape] }));
  };
  return { compiled, n: layout.n, vars, byName, scope, evalHost };
}

const real = (low: Lowerer, env: Env, e: Expr) => low.real(low.expr(e, env), e.span);

/** flip * prod(coefs) * e, lowered in `env`. */
function termValue(t: ObjectiveTerm, env: Env, low: Lowerer): Tracer {
  let v = real(low, env, t.e);
  for (const c of t.coefs) v = c.op === '*' ? P.mul(real(low, env, c.e), v) : P.div(v, real(low, env, c.e));
  return t.flip < 0 ? P.neg(v) : v;
}

/** The smooth part (the sum of the smooth terms) with the data arrays given, or the constants. */
function smoothOf(b: Build, smoothTerms: ObjectiveTerm[]): (x: Tracer, data?: Tracer[]) => Tracer {
  return (x, data) => {
    const { env, low } = b.scope(x, data);
    let f: Tracer = P.mul(0, P.sum(x));
    for (const t of smoothTerms) f = P.add(f, P.sum(termValue(t, env, low)));
    return f;
  };
}

/** Each prox term bound to its var's slice: lambda from its coefficients, and its options. */
function proxSpecs(b: Build, proxTerms: ObjectiveTerm[]): ProxSpec[] {
  const { compiled } = b;
  // Coefficients of the prox terms: flip * prod(coefs), scalars known before the run.
  const coefVals = b.evalHost(proxTerms.length, (env, low) =>
    proxTerms.map((t) => {
      let c: Tracer = P.full([], t.flip);
      for (const k of t.coefs) c = k.op === '*' ? P.mul(c, real(low, env, k.e)) : P.div(c, real(low, env, k.e));
      return c;
    }),
  );
  return proxTerms.map((t, i) => {
    const v = b.byName.get(t.prox!.var)!;
    const c = coefVals[i]!;
    if (c.data.length !== 1)
      throw new BuildError(t.e.span, `the coefficient of ${q(text(compiled, t.e.span))} must be a scalar`);
    const lambda = c.data[0]!;
    if (!(lambda >= 0))
      throw new BuildError(
        t.e.span,
        `the coefficient of ${q(text(compiled, t.e.span))} is ${lambda}; a prox term needs a coefficient >= 0 (for a minimized term)`,
      );
    const options: Record<string, unknown> = { lambda };
    if (t.prox!.op === 'group_lasso' && t.prox!.axis !== null) options.groups = fibers(v.shape, t.prox!.axis);
    Object.assign(options, proxOptions(b, t, v));
    if (t.prox!.op === 'nuclear' && v.shape.length !== 2)
      throw new BuildError(t.e.span, `nuclear_norm needs a matrix var; ${q(v.name)} has shape [${v.shape}]`);
    return { ...v, op: t.prox!.op, options, term: text(compiled, t.e.span) };
  });
}

/**
 * Options from the term's other arguments (weights of norm1(w * x); groups, k, weights of the
 * group built-ins), evaluated before the run; the built-in's `prox.options` maps them.
 */
function proxOptions(b: Build, t: ObjectiveTerm, v: VarSlice): Record<string, unknown> {
  const { compiled } = b;
  const pr = t.prox!;
  const where = pr.call ?? pr.weights?.e ?? t.e;
  try {
    if (pr.weights) {
      const w = b.evalHost(1, (env, low) => [P.broadcastTo(real(low, env, pr.weights!.e), v.shape)])[0]!.data;
      const ws = Array.from(w, (x) => (pr.weights!.abs ? Math.abs(x) : x));
      const bad = ws.findIndex((x) => !(x >= 0));
      if (bad >= 0)
        throw new BuildError(
          pr.weights.e.span,
          `the weight ${q(text(compiled, pr.weights.e.span))} is ${ws[bad]} at entry ${bad}; the weights of an l1 term must be >= 0`,
          'write norm1(w * x) to weight by |w|',
        );
      return { weights: ws };
    }
    if (!pr.call) return {};
    const bt = builtinTable.get(pr.call.callee.name)!;
    const ordered = orderArgs(
      pr.call,
      bt.params.map((x) => x.name),
    );
    const names = bt.params.map((x) => x.name).filter((_, i) => i > 0 && ordered[i]);
    const vals = b.evalHost(names.length, (env, low) =>
      bt.params.flatMap((x, i) => {
        const a = ordered[i];
        if (i === 0 || !a) return [];
        const r = low.expr(a, env);
        return [typeof r === 'number' ? P.full([], r) : real(low, env, a)];
      }),
    );
    const args: Record<string, number | Float64Array> = {};
    names.forEach((nm, j) => {
      const kind = bt.params.find((x) => x.name === nm)!.kind;
      args[nm] = kind === 'int' ? vals[j]!.data[0]! : vals[j]!.data;
    });
    return bt.prox!.options!({ size: v.size, args });
  } catch (e) {
    if (e instanceof BuildError) throw e;
    throw new BuildError(where.span, `${q(text(compiled, where.span))}: ${(e as Error).message}`);
  }
}

/** Gauss-Newton structure: a single smooth term c * sumsq(r), c > 0, gives r * sqrt(2c). */
function residualOf(b: Build, smoothTerms: ObjectiveTerm[]): BuiltProblem['residual'] {
  if (!(
    smoothTerms.length === 1 &&
    smoothTerms[0]!.e.kind === 'Call' &&
    smoothTerms[0]!.e.callee.name === 'sumsq' &&
    smoothTerms[0]!.e.args.length === 1
  ))
    return null;
  const t = smoothTerms[0]!;
  // Literal coefficients (the usual `0.5 * sumsq(r)`) need no trace.
  const literal = t.coefs.every((k) => k.e.kind === 'Number');
  const c = literal
    ? t.coefs.reduce<number>((acc, k) => {
        const v = (k.e as Extract<Expr, { kind: 'Number' }>).value;
        return k.op === '*' ? acc * v : acc / v;
      }, t.flip)
    : b.evalHost(1, (env, low) => [
        t.coefs.reduce<Tracer>(
          (acc, k) => (k.op === '*' ? P.mul(acc, real(low, env, k.e)) : P.div(acc, real(low, env, k.e))),
          P.full([], t.flip),
        ),
      ])[0]!.data[0]!;
  if (!(c > 0)) return null;
  const arg = (t.e as Extract<Expr, { kind: 'Call' }>).args[0]!.value;
  return (x) => {
    const { env, low } = b.scope(x);
    return P.mul(Math.sqrt(2 * c), P.reshape(real(low, env, arg), [-1]));
  };
}

/**
 * Per-coordinate bounds, which constraint set each side (the tightest wins), and the constraints'
 * multiplier keys in the order they were made (domains, then constraints as they are met).
 */
class Bounds {
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  readonly keys: ConstraintKey[] = [];
  private readonly owner: { lo: (ConstraintKey | null)[]; hi: (ConstraintKey | null)[] };
  private readonly keyOf = new Map<string, ConstraintKey>();

  constructor(readonly n: number) {
    this.lower = new Float64Array(n).fill(-Infinity);
    this.upper = new Float64Array(n).fill(Infinity);
    this.owner = { lo: new Array(n).fill(null), hi: new Array(n).fill(null) };
  }

  newKey(key: string): ConstraintKey {
    const k = { key, eq: [], ineq: [], bounds: [] };
    this.keys.push(k);
    return k;
  }

  /** The one key of a constraint's label (else its index as written), made when first asked. */
  key(s: string): ConstraintKey {
    return this.keyOf.get(s) ?? (this.keyOf.set(s, this.newKey(s)), this.keyOf.get(s)!);
  }

  set(i: number, side: 'lo' | 'hi', v: number, k: ConstraintKey): void {
    if (side === 'lo' ? v > this.lower[i]! : v < this.upper[i]!) {
      (side === 'lo' ? this.lower : this.upper)[i] = v;
      this.owner[side][i] = k;
    }
  }

  /** Gives each key the coordinates whose bound it set, once every bound is in. */
  close(): void {
    for (let i = 0; i < this.n; i++) {
      if (this.owner.lo[i]) this.owner.lo[i]!.bounds.push({ i, side: 'lo' });
      if (this.owner.hi[i]) this.owner.hi[i]!.bounds.push({ i, side: 'hi' });
    }
  }
}

/** The vars' domains as bounds; returns the vars declared `simplex`. */
function domainBounds(b: Build, bounds: Bounds): VarSlice[] {
  const simplex: VarSlice[] = [];
  const domains = b.compiled.internals.layout.entries.filter((e) => e.domain || e.family === 'simplex');
  for (const e of domains) if (e.family === 'simplex') simplex.push(b.byName.get(e.name)!);
  const domVals = b.evalHost(domains.filter((e) => e.domain).length, (env, low) =>
    domains.flatMap((e) =>
      (e.domain ? [e.domain.lo, e.domain.hi] : []).map((x) =>
        x ? P.broadcastTo(real(low, env, x), e.shape) : P.zeros([0]),
      ),
    ),
  );
  let di = 0;
  for (const e of domains) {
    if (!e.domain) continue;
    const k = bounds.newKey(`${e.name} (domain)`);
    for (const side of ['lo', 'hi'] as const) {
      const v = domVals[di++]!;
      if (v.data.length) for (let j = 0; j < e.size; j++) bounds.set(e.offset + j, side, v.data[j]!, k);
    }
  }
  return simplex;
}

/** A constraint as written, its key, and how to rebuild its scope (the loop variables bound). */
type Leaf = { it: Extract<ConstraintItem, { kind: 'Constraint' }>; key: string; env: (base: Env) => Env };

/** The leaf constraints, loops unrolled now (their ranges are static). */
function constraintLeaves(b: Build, constraints: readonly ConstraintItem[]): Leaf[] {
  const leaves: Leaf[] = [];
  if (!constraints.length) return leaves;
  const rangeOf = (it: Extract<ConstraintItem, { kind: 'ConstraintFor' }>, env: Env, low: Lowerer) => {
    const r = low.expr(it.iter, env);
    if (typeof r !== 'object' || !('kind' in r) || r.kind !== 'range')
      throw new BuildError(it.iter.span, 'a loop of constraints runs over a range known before the run');
    return r;
  };
  trace(() => {
    const { env: env0, low } = b.scope(null);
    const walk = (items: readonly ConstraintItem[], bind: (base: Env) => Env, top: string | null) => {
      items.forEach((it, i) => {
        const key = top === null ? String(i) : top;
        if (it.kind === 'Constraint') {
          leaves.push({ it, key: it.label?.name ?? key, env: bind });
          return;
        }
        const r = rangeOf(it, bind(env0), low);
        for (let j = 0; j < r.length; j++) {
          const v = r.start + j;
          walk(
            it.body,
            (base) => {
              const e = bind(base).child();
              e.set(it.name.name, { kind: 'value', v });
              return e;
            },
            key,
          );
        }
      });
    };
    walk(constraints, (x) => x, null);
    return P.zeros([]);
  }, []);
  return leaves;
}

const cmp = (l: Leaf) => l.it.expr as Extract<Expr, { kind: 'Compare' }>;

/** Constraints that bound one var: each operand evaluated with the vars bound to their flat indices. */
function boundConstraints(b: Build, boundLeaves: Leaf[], bounds: Bounds): void {
  const isVarSide = (e: Expr): boolean => {
    const base = e.kind === 'Index' ? e.target : e;
    return base.kind === 'Ident' && b.byName.has(base.name);
  };
  const bvals = b.evalHost(boundLeaves.length, (base, low) =>
    boundLeaves.flatMap((l) => {
      const env = l.env(base);
      return cmp(l).operands.map((o) => real(low, env, o));
    }),
  );
  let bi = 0;
  for (const l of boundLeaves) {
    const c = cmp(l);
    const vals = c.operands.map(() => bvals[bi++]!);
    const k = bounds.key(l.key);
    for (let j = 0; j < c.ops.length; j++) {
      const [x, y] = [c.operands[j]!, c.operands[j + 1]!];
      const op = c.ops[j]!;
      const aVar = isVarSide(x),
        bVar = isVarSide(y);
      if (aVar === bVar) continue;
      const idx = aVar ? vals[j]! : vals[j + 1]!;
      const bound = aVar ? vals[j + 1]! : vals[j]!;
      const less = op === '<' || op === '<=';
      // var <= bound: upper; var >= bound: lower; bound <= var: lower; bound >= var: upper.
      const side: 'lo' | 'hi' = aVar === less ? 'hi' : 'lo';
      const len = Math.max(idx.data.length, bound.data.length);
      for (let m = 0; m < len; m++) {
        const i = idx.data[idx.data.length === 1 ? 0 : m]!;
        const v = bound.data[bound.data.length === 1 ? 0 : m]!;
        bounds.set(i, side, v, k);
      }
    }
  }
}

type RowLayout = { key: string; kind: 'eq' | 'ineq'; len: number; pair: number; sign: number }[];
type Rows = { eq: Tracer[]; ineq: Tracer[]; layout: RowLayout };

/** General constraints: rows of c_E (a - b for ==) and c_I (b - a for a <= b; a - b for a >= b). */
function generalRows(b: Build, generalLeaves: Leaf[]): (x: Tracer) => Rows {
  return (x) => {
    const { env: base, low } = b.scope(x);
    const eq: Tracer[] = [],
      ineq: Tracer[] = [];
    const lay: RowLayout = [];
    for (const l of generalLeaves) {
      const env = l.env(base);
      const c = cmp(l);
      const vs = c.operands.map((o) => real(low, env, o));
      const twoSided = c.ops.length === 2 && c.ops.every((o) => o !== '==');
      for (let j = 0; j < c.ops.length; j++) {
        const op = c.ops[j]!;
        const [u, w] = [vs[j]!, vs[j + 1]!];
        const row = P.reshape(op === '==' || op === '>=' || op === '>' ? P.sub(u, w) : P.sub(w, u), [-1]);
        const kind = op === '==' ? 'eq' : 'ineq';
        (kind === 'eq' ? eq : ineq).push(row);
        // A double-sided constraint's multiplier is mu(lower side) - mu(upper side).
        const lowerSide = (op === '<=' || op === '<') === (j === 0);
        lay.push({ key: l.key, kind, len: row.shape[0]!, pair: j, sign: twoSided && !lowerSide ? -1 : 1 });
      }
    }
    return { eq, ineq, layout: lay };
  };
}

/** One trace to learn the row layout (shapes are static): the row counts, and each key's rows. */
function rowLayout(n: number, rowsOf: (x: Tracer) => Rows, bounds: Bounds): { mEq: number; mIneq: number } {
  let mEq = 0,
    mIneq = 0;
  trace(
    (x: Tracer) => {
      const r = rowsOf(x);
      for (const e of r.layout) {
        const k = bounds.key(e.key);
        const list = e.kind === 'eq' ? k.eq : k.ineq;
        const start = e.kind === 'eq' ? mEq : mIneq;
        const rows = Array.from({ length: e.len }, (_, j) => ({ row: start + j, sign: e.sign }));
        if (list.length <= e.pair) list.push(rows);
        else list[e.pair]!.push(...rows);
        if (e.kind === 'eq') mEq += e.len;
        else mIneq += e.len;
      }
      return P.zeros([]);
    },
    [[n]],
  );
  return { mEq, mIneq };
}

const cat = (xs: Tracer[]) => (xs.length === 1 ? xs[0]! : P.concat(xs));

/** Groups (lists of flat row-major indices) of the fibers along `axis` of an array of `shape`. */
export function fibers(shape: readonly number[], axis: number): number[][] {
  const r = shape.length;
  const a = axis < 0 ? axis + r : axis;
  if (a < 0 || a >= r) return [Array.from({ length: shape.reduce((x, y) => x * y, 1) }, (_, i) => i)];
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((x, y) => x * y, 1));
  const groups = new Map<string, number[]>();
  const total = shape.reduce((x, y) => x * y, 1);
  for (let i = 0; i < total; i++) {
    const key = shape.map((s, d) => (d === a ? '*' : String(Math.floor(i / strides[d]!) % s))).join(',');
    (groups.get(key) ?? (groups.set(key, []), groups.get(key)!)).push(i);
  }
  return [...groups.values()];
}

const text = (c: CompiledProgram, span: Span): string => sourceText(c.sources, span, 80);

/**
 * A model's MAP problem: minimize -log p (+ log|J|) on the unconstrained scale, from the compiled
 * objective graph with the data inlined as constants; no sets (the transforms took them).
 */
export function modelProblem(compiled: CompiledProgram): BuiltProblem {
  const g = compiled.graphs.objective;
  if (!g) throw new BuildError(compiled.anchor, 'there is nothing to solve: the model has no log density');
  const { layout, dataArrays } = compiled.internals;
  const vars: VarSlice[] = layout.entries.map((e) => ({
    name: e.name,
    offset: e.offset,
    size: e.size,
    shape: e.shape,
  }));
  const consts = () => dataArrays.map(constantOf);
  const smoothWith = (x: Tracer, data?: Tracer[]) => inline(g, [x, ...(data ?? consts())])[0]!;
  return {
    n: layout.n,
    smooth: (x) => smoothWith(x),
    smoothWith,
    residual: null,
    prox: [],
    simplex: [],
    lower: new Float64Array(layout.n).fill(-Infinity),
    upper: new Float64Array(layout.n).fill(Infinity),
    eq: null,
    ineq: null,
    mEq: 0,
    mIneq: 0,
    keys: [],
    coordName: coordNamer(vars),
    vars,
  };
}

/** A data array as a graph constant. */
const constantOf = (a: { data: ArrayLike<number>; shape: readonly number[] }): Tracer =>
  P.constant(
    a.data as Float64Array,
    a.data instanceof Int32Array ? 'int32' : a.data instanceof Uint8Array ? 'bool' : 'float64',
    [...a.shape],
  );

/** Names a flat coordinate in the user's terms: `x[1]`, `W[0, 2]`. */
function coordNamer(vars: readonly VarSlice[]): (i: number) => string {
  return (i) => {
    const v = vars.find((w) => i >= w.offset && i < w.offset + w.size)!;
    if (!v.shape.length) return v.name;
    let r = i - v.offset;
    const ix: number[] = [];
    for (let d = v.shape.length - 1; d >= 0; d--) {
      ix.unshift(r % v.shape[d]!);
      r = Math.floor(r / v.shape[d]!);
    }
    return `${v.name}[${ix.join(', ')}]`;
  };
}
