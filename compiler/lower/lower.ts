// Lowering: evaluating a checked AST with runtime ops while a trace is open, so the result is
// a graph. Values are either compile-time numbers and booleans (literals, int data, dimensions,
// and arithmetic on them: these fold on the host and drive indices, ranges and shapes) or
// Tracers. Functions inline at each call; a `for` loop becomes one `scan` whose carry is every
// enclosing `state` the body assigns (plus the log-density accumulator when it samples), so a
// loop is never unrolled. Ranges are half-open unless `..=`; indices are 0-based and negative
// ones count from the end. The checker has already accepted the program, so a LowerError here
// means a construct this release does not lower, reported at its span.
// Randomness (generate draws, guide draws, minibatch indices) comes from the key bound under KEY:
// each use splits it, and a loop hands every iteration its own key, so no two draws share bits.
// Without a key a `batch` loop runs over all N indices: that is the exact log density.

import type { Block, Call, Expr, Fn, Index, Span, Stmt, Truncation } from '../../grammar/index.js';
import { isLeftChain, leftSpine } from '../../grammar/index.js';
import { ops as P, type Tracer } from '../../runtime/index.js';
import { special } from '../../stdlib/index.js';
import { builtinTable, type Builtin } from '../front/builtins.js';
import { bindBuiltin } from '../front/builtin_kit.js';
import { nestedBodies } from '../front/stmt_walk.js';
import { namesUsed } from './names_used.js';
import { literalInt } from '../front/check_expr.js';
import { resolveCall, type DistSpec } from '../front/distribution_names.js';

export type LV = number | boolean | Tracer | RangeV | DistV;
export interface RangeV {
  kind: 'range';
  start: number;
  length: number;
}
export interface DistV {
  kind: 'dist';
  spec: DistSpec;
  params: Tracer[];
}

export class LowerError extends Error {
  constructor(
    readonly span: Span,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** A block's `let` remembers its expression and the states it read (their values then), so that
 *  grad(e, v) can recompute it from a rebound v (LetDef); a top-level let is `lazy` (its expression
 *  evaluated in the globals, or in `env` when given). */
interface LetDef {
  expr: Expr;
  states: ReadonlyMap<string, LV>;
}
type Binding =
  | { kind: 'value'; v: LV; def?: LetDef }
  | { kind: 'state'; v: LV }
  | { kind: 'fn'; fn: Fn }
  | { kind: 'lazy'; expr: Expr; v?: LV; busy?: boolean; env?: Env };

export class Env {
  private readonly map = new Map<string, Binding>();
  constructor(readonly parent: Env | null) {}
  get(name: string): Binding | undefined {
    return this.map.get(name) ?? this.parent?.get(name);
  }
  set(name: string, b: Binding): void {
    this.map.set(name, b);
  }
  child(): Env {
    return new Env(this);
  }
  /** Every visible binding by name, the nearest of each name. */
  visible(): Map<string, Binding> {
    const out = new Map<string, Binding>();
    for (let e: Env | null = this; e; e = e.parent) for (const [k, b] of e.map) if (!out.has(k)) out.set(k, b);
    return out;
  }
}

/** The name under which the log-density accumulator lives in model scopes (not a valid identifier). */
export const TARGET = '#target';
/** The name under which the random key (int32[2]) lives when a graph draws (not an identifier). */
export const KEY = '#key';
/** A state a site-checking graph accumulates per `~` statement (compiler/running/site_check.ts). */
export const SITES = '#sites';

/** A fresh key from the scope's key (which advances), or null when the graph has no key. */
export function nextKey(env: Env): Tracer | null {
  const b = env.get(KEY);
  if (!b || b.kind !== 'state') return null;
  const [keep, use] = P.splitKey(b.v as Tracer, 2);
  b.v = keep!;
  return use!;
}

const isTracer = (v: LV): v is Tracer => typeof v === 'object' && !('kind' in v);

export class Lowerer {
  constructor(readonly globals: Env) {}

  /** Called with each `name ~ D(...)` statement's target name and lowered distribution (the
   * discrete engine reads a latent's support size, a Categorical's K, from it). */
  onSample?: (name: string, dist: DistV) => void;

  /** Called with every `~` statement and its lowered distribution, in its scope (site checks). */
  onSite?: (st: Extract<Stmt, { kind: 'Sample' }>, dist: DistV, env: Env) => void;

  tensor(v: LV, span: Span): Tracer {
    if (typeof v === 'number') return P.full([], v);
    if (typeof v === 'boolean') return P.full([], v ? 1 : 0, 'bool');
    if (isTracer(v)) return v;
    throw new LowerError(span, `${v.kind === 'range' ? 'a range' : 'a distribution'} is not a value here`);
  }

  /** A float tensor (ints and bools converted), for arithmetic that must be real. */
  real(v: LV, span: Span): Tracer {
    return P.cast(this.tensor(v, span), 'float64');
  }

  expr(e: Expr, env: Env): LV {
    switch (e.kind) {
      case 'Number':
        return e.value;
      case 'Bool':
        return e.value;
      case 'String':
        throw new LowerError(e.span, 'a string is not a value');
      case 'Ident':
        return this.ident(e.name, e.span, env);
      case 'Unary': {
        const v = this.expr(e.operand, env);
        if (e.op === '!') return typeof v === 'boolean' ? !v : P.not(this.tensor(v, e.span));
        return typeof v === 'number' ? -v : P.neg(this.tensor(v, e.span));
      }
      case 'Binary': {
        if (isLeftChain(e) && isLeftChain(e.left)) {
          // `a + b + c + ...` in a loop: a chain's length costs no stack (grammar/spine.ts).
          const { leaf, spine } = leftSpine(e);
          let v = this.expr(leaf, env);
          for (const b of spine) v = this.binary(b.op, v, this.expr(b.right, env), b.span);
          return v;
        }
        return this.binary(e.op, this.expr(e.left, env), this.expr(e.right, env), e.span);
      }
      case 'Compare': {
        const vs = e.operands.map((o) => this.expr(o, env));
        let acc: LV = true;
        for (let i = 0; i < e.ops.length; i++) {
          const c = compare(e.ops[i]!, vs[i]!, vs[i + 1]!, (x) => this.tensor(x, e.span));
          acc =
            typeof acc === 'boolean' && typeof c === 'boolean'
              ? acc && c
              : P.and(this.tensor(acc, e.span), this.tensor(c, e.span));
        }
        return acc;
      }
      case 'Range': {
        const a = this.expr(e.start, env);
        const b = this.expr(e.end, env);
        if (typeof a !== 'number' || typeof b !== 'number')
          throw new LowerError(e.span, 'range bounds must be known before the run (literals, int data or dimensions)');
        return { kind: 'range', start: a, length: Math.max(0, b - a + (e.inclusive ? 1 : 0)) };
      }
      case 'If': {
        const c = this.expr(e.cond, env);
        if (typeof c === 'boolean') return this.expr(c ? e.then : e.else, env);
        const a = this.expr(e.then, env);
        const b = this.expr(e.else, env);
        const [x, y] = [this.tensor(a, e.then.span), this.tensor(b, e.else.span)];
        return P.where(this.tensor(c, e.cond.span), x, y);
      }
      case 'Call':
        return this.call(e, env);
      case 'Index':
        return this.index(e, env);
      case 'Vector': {
        const vs = e.elements.map((x) => this.expr(x, env));
        if (vs.every((v) => typeof v === 'number'))
          return P.constant(
            vs as number[],
            (vs as number[]).every(Number.isInteger) && e.elements.every((x) => isIntLiteral(x)) ? 'int32' : 'float64',
          );
        return P.stack(vs.map((v, i) => this.real(v, e.elements[i]!.span)));
      }
      case 'Matrix': {
        const rows = e.rows.map((r) => r.map((x) => this.expr(x, env)));
        if (rows.every((r) => r.every((v) => typeof v === 'number'))) return P.constant(rows as number[][]);
        return P.stack(rows.map((r, i) => P.stack(r.map((v, j) => this.real(v, e.rows[i]![j]!.span)))));
      }
      case 'Block':
        return this.block(e, env.child());
    }
  }

  private ident(name: string, span: Span, env: Env): LV {
    const b = env.get(name);
    if (!b) throw new LowerError(span, `internal: \`${name}\` has no value`);
    switch (b.kind) {
      case 'value':
      case 'state':
        return b.v;
      case 'fn':
        throw new LowerError(span, `\`${name}\` is a function`);
      case 'lazy':
        if (b.v === undefined) {
          if (b.busy) throw new LowerError(span, `\`${name}\` is defined in terms of itself`);
          b.busy = true;
          b.v = this.expr(b.expr, b.env ?? this.globals);
          b.busy = false;
        }
        return b.v;
    }
  }

  binary(op: string, a: LV, b: LV, span: Span): LV {
    if (typeof a === 'number' && typeof b === 'number') {
      switch (op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return a / b;
        case '%':
          return a - b * Math.floor(a / b);
        case '^':
          return Math.pow(a, b);
      }
    }
    if (typeof a === 'boolean' && typeof b === 'boolean') {
      if (op === '&&') return a && b;
      if (op === '||') return a || b;
    }
    // A JS number stays weakly typed, so `t - 1` keeps an int loop index an int.
    const wa = typeof a === 'number' ? a : this.tensor(a, span);
    const wb = typeof b === 'number' ? b : this.tensor(b, span);
    switch (op) {
      case '+':
        return P.add(wa, wb);
      case '-':
        return P.sub(wa, wb);
      case '*':
        return P.mul(wa, wb);
    }
    const x = this.tensor(a, span);
    const y = this.tensor(b, span);
    switch (op) {
      case '/':
        return P.div(P.cast(x, 'float64'), P.cast(y, 'float64'));
      case '%': {
        const r = P.rem(P.cast(x, 'float64'), P.cast(y, 'float64'));
        return x.dtype === 'int32' && y.dtype === 'int32' ? P.cast(r, 'int32') : r;
      }
      case '^':
        return pow(P.cast(x, 'float64'), b);
      case '@':
        return P.matmul(P.cast(x, 'float64'), P.cast(y, 'float64'));
      case '&&':
        return P.and(x, y);
      case '||':
        return P.or(x, y);
    }
    throw new LowerError(span, `internal: operator ${op}`);
  }

  private call(e: Call, env: Env): LV {
    const name = e.callee.name;
    const b = env.get(name);
    if (b && b.kind === 'fn') return this.inline(b.fn, e, env);
    const bi = builtinTable.get(name);
    if (bi) return this.builtinCall(e, bi, env);
    const r = resolveCall(
      name,
      e.args.map((a) => a.name?.name ?? null),
    );
    if (typeof r !== 'string') {
      return {
        kind: 'dist',
        spec: r.spec,
        params: r.order.map((i) => {
          const a = e.args[i]!.value;
          return this.tensor(this.expr(a, env), a.span);
        }),
      };
    }
    throw new LowerError(e.span, `internal: unknown function \`${name}\``);
  }

  /** A built-in call: arguments evaluated by their kind, then the table entry's lowering. */
  private builtinCall(e: Call, bi: Builtin, env: Env): LV {
    const bound = bindBuiltin(
      bi,
      e.args.map((a) => a.name?.name ?? null),
    );
    if ('error' in bound) throw new LowerError(e.span, bound.error);
    const tensors: Tracer[] = [];
    const ints: number[] = [];
    const nums: (number | undefined)[] = [];
    const fns: ((...xs: Tracer[]) => Tracer)[] = [];
    const wrt: string[] = [];
    let body: Expr | undefined;
    let axis: number | undefined;
    bi.params.forEach((p, i) => {
      const k = bound.slots[i]!;
      const a = k >= 0 ? e.args[k]!.value : undefined;
      if (p.kind === 'num') nums.push(a ? this.staticNumber(a, env) : undefined);
      if (!a) return;
      if (p.kind === 'axis') axis = literalInt(a) ?? undefined;
      else if (p.kind === 'int') {
        const v = this.expr(a, env);
        if (typeof v !== 'number') throw new LowerError(a.span, 'a size must be known before the run');
        ints.push(v);
      } else if (p.kind === 'fn') {
        const b = a.kind === 'Ident' ? env.get(a.name) : undefined;
        if (!b || b.kind !== 'fn') throw new LowerError(a.span, `internal: \`${this.text(a)}\` is not a function`);
        fns.push((...xs: Tracer[]) => this.real(this.inlineValues(b.fn, xs), a.span));
      } else if (p.kind === 'x') tensors.push(this.real(this.expr(a, env), a.span));
      else if (p.kind === 'body') body = a;
      else if (p.kind === 'wrt') wrt.push(this.wrtName(a));
    });
    for (const k of bound.rest) {
      const a = e.args[k]!.value;
      if (bi.rest?.kind === 'wrt') wrt.push(this.wrtName(a));
      else tensors.push(this.real(this.expr(a, env), a.span));
    }
    const derivative = body
      ? { body: this.functionOf(body, env, wrt), wrt: wrt.map((n) => this.real(this.ident(n, e.span, env), e.span)) }
      : {};
    return bi.lower({ args: tensors, axis, ints, nums, fns, restCount: bound.rest.length, ...derivative });
  }

  private wrtName(a: Expr): string {
    if (a.kind !== 'Ident') throw new LowerError(a.span, 'internal: a variable of differentiation is a name');
    return a.name;
  }

  /**
   * `e` as a function of the bindings `names` (grad(e, v) and the other derivative built-ins): `e`
   * lowered with each name bound to the function's argument, and every `let` whose definition uses
   * one of them (directly, through other lets, or through a function's body) recomputed from it.
   * Everything else keeps its value: a constant of the transform, which an enclosing transform
   * still differentiates (runtime/transforms/api.ts). A block's let is recomputed with the states
   * it read at its definition. Functions see the rebinding too: they inline in a scope whose
   * globals carry it.
   */
  functionOf(e: Expr, env: Env, names: readonly string[]): (...vals: Tracer[]) => Tracer {
    const visible = env.visible();
    const fnUses = new Map<Fn, Set<string>>();
    const memo = new Map<string, boolean>();
    const rebound = new Set(names);
    const depends = (n: string): boolean => {
      if (rebound.has(n)) return true;
      const m = memo.get(n);
      if (m !== undefined) return m;
      memo.set(n, false); // a cycle contributes nothing
      const b = visible.get(n);
      let used: Set<string> | null = null;
      if (b?.kind === 'lazy') used = namesUsed(b.expr);
      else if (b?.kind === 'value' && b.def) used = namesUsed(b.def.expr);
      else if (b?.kind === 'fn') {
        if (!fnUses.has(b.fn)) fnUses.set(b.fn, namesUsed(b.fn));
        used = fnUses.get(b.fn)!;
      }
      const r = !!used && [...used].some((u) => u !== n && depends(u));
      memo.set(n, r);
      return r;
    };
    // A top-level let the body reads unchanged is evaluated now, in this trace: evaluated first
    // inside the transform, its cached value would belong to the transform's trace.
    const seen = new Set<string>();
    const reach = (used: Iterable<string>): void => {
      for (const n of used) {
        if (seen.has(n)) continue;
        seen.add(n);
        const b = visible.get(n);
        if (b?.kind === 'fn') reach(fnUses.get(b.fn) ?? namesUsed(b.fn));
        else if (b?.kind === 'lazy' && !depends(n)) {
          if (b.v === undefined) this.ident(n, e.span, env);
        } else if (b?.kind === 'lazy') reach(namesUsed(b.expr));
        else if (b?.kind === 'value' && b.def && depends(n)) reach(namesUsed(b.def.expr));
      }
    };
    reach(namesUsed(e));
    return (...vals: Tracer[]): Tracer => {
      const globals = this.globals.child();
      const scope = env.child();
      const isGlobal = (n: string) => this.globals.get(n) === visible.get(n);
      const shadow = (n: string, b: Binding) => {
        scope.set(n, b);
        if (isGlobal(n)) globals.set(n, b);
      };
      names.forEach((n, i) => shadow(n, { kind: 'value', v: vals[i]! }));
      for (const [n, b] of visible) {
        if (rebound.has(n) || !depends(n)) continue;
        if (b.kind === 'lazy') shadow(n, { kind: 'lazy', expr: b.expr });
        else if (b.kind === 'value' && b.def) {
          const at = scope.child();
          for (const [s, v] of b.def.states) at.set(s, { kind: 'value', v });
          shadow(n, { kind: 'lazy', expr: b.def.expr, env: at });
        }
      }
      const low = new Lowerer(globals);
      return low.real(low.expr(e, scope), e.span);
    };
  }

  /** A number known before the run (a literal or static arithmetic). */
  private staticNumber(e: Expr, env: Env): number {
    const v = this.expr(e, env);
    if (typeof v !== 'number') throw new LowerError(e.span, 'this must be a number known before the run');
    return v;
  }

  private text(e: Expr): string {
    return e.kind === 'Ident' ? e.name : e.kind;
  }

  /** A user function applied to values (a built-in's function argument). */
  inlineValues(fn: Fn, values: readonly LV[]): LV {
    const inner = this.globals.child();
    fn.params.forEach((p, i) => inner.set(p.name.name, { kind: 'value', v: values[i]! }));
    return fn.body.kind === 'Block' ? this.block(fn.body, inner) : this.expr(fn.body, inner);
  }

  private inline(fn: Fn, e: Call, env: Env): LV {
    const args = orderArgs(
      e,
      fn.params.map((p) => p.name.name),
    );
    const inner = this.globals.child();
    fn.params.forEach((p, i) => inner.set(p.name.name, { kind: 'value', v: this.expr(args[i]!, env) }));
    return fn.body.kind === 'Block' ? this.block(fn.body, inner) : this.expr(fn.body, inner);
  }

  block(b: Block, env: Env): LV {
    this.stmts(b.body, env);
    return this.expr(b.result, env);
  }

  // ---- indexing -------------------------------------------------------------------------

  private index(e: Index, env: Env): LV {
    let x = this.tensor(this.expr(e.target, env), e.target.span);
    let axis = 0;
    for (const ix of e.indices) {
      const d = x.shape[axis]!;
      if (ix.kind === 'Slice') {
        const lo = ix.start ? this.staticInt(ix.start, env) : 0;
        const hi = ix.end ? this.staticInt(ix.end, env) : d;
        x = sliceAxis(x, axis, norm(lo, d), norm(hi, d));
        axis++;
        continue;
      }
      const v = this.expr(ix, env);
      if (typeof v === 'object' && 'kind' in v && v.kind === 'range') {
        x = sliceAxis(x, axis, v.start, v.start + v.length);
        axis++;
      } else if (typeof v === 'number') {
        x = P.index(x, v, axis);
      } else {
        const t = this.tensor(v, ix.span);
        const i = P.cast(t, 'int32');
        const fixed = P.where(P.lt(i, 0), P.add(i, d), i);
        x = P.take(x, fixed, axis);
        axis += t.rank;
      }
    }
    return x;
  }

  staticInt(e: Expr, env: Env): number {
    const v = this.expr(e, env);
    if (typeof v !== 'number')
      throw new LowerError(e.span, 'this must be known before the run (an int literal, int data or a dimension)');
    return v;
  }

  // ---- statements -----------------------------------------------------------------------

  stmts(body: readonly Stmt[], env: Env): void {
    for (const st of body) this.stmt(st, env);
  }

  private stmt(st: Stmt, env: Env): void {
    switch (st.kind) {
      case 'Let': {
        const states = new Map<string, LV>();
        for (const n of namesUsed(st.value)) {
          const sb = env.get(n);
          if (sb?.kind === 'state') states.set(n, sb.v);
        }
        env.set(st.name.name, { kind: 'value', v: this.expr(st.value, env), def: { expr: st.value, states } });
        return;
      }
      case 'State':
        env.set(st.name.name, { kind: 'state', v: this.expr(st.value, env) });
        return;
      case 'Assign':
        return this.assign(st, env);
      case 'For':
        return this.forLoop(st, env);
      case 'Sample': {
        const dist = this.expr(st.dist, env) as DistV;
        if (this.onSample && st.target.kind === 'Ident') this.onSample(st.target.name, dist);
        this.onSite?.(st, dist, env);
        if (st.target.kind === 'Ident' && !env.get(st.target.name)) return this.draw(st.target.name, dist, st, env);
        const x0 = this.tensor(this.expr(st.target, env), st.target.span);
        const x = dist.spec.support.discrete ? x0 : P.cast(x0, 'float64');
        let lp = dist.spec.logProb(dist.params, x);
        if (st.truncation) lp = this.truncate(dist, x, lp, st.truncation, env);
        this.addTarget(env, P.sum(lp), st.span);
        return;
      }
      case 'IfStmt':
        return this.ifStmt(st, env);
      case 'TargetAdd':
        this.addTarget(env, this.real(this.expr(st.value, env), st.value.span), st.span);
        return;
      case 'Param':
        return; // guide params: the inference issue lowers guides
      default:
        throw new LowerError(st.span, 'this statement is not lowered inside a block');
    }
  }

  /**
   * `T[lo, hi]`: the log density renormalized by the mass of [lo, hi], -inf outside. The mass is
   * log(F(hi) - F(lo)) from the log CDFs, or from the complementary ones when lo is in the upper
   * half (both in log space, so a far tail keeps its digits). For a discrete distribution the
   * interval includes lo: F(lo - 1) replaces F(lo).
   */
  private truncate(dist: DistV, x: Tracer, lp: Tracer, tr: Truncation, env: Env): Tracer {
    const cdf = dist.spec.cdf!;
    const discrete = dist.spec.support.discrete;
    const lo = tr.lo ? this.real(this.expr(tr.lo, env), tr.lo.span) : null;
    const hi = tr.hi ? this.real(this.expr(tr.hi, env), tr.hi.span) : null;
    const below = lo ? (discrete ? P.sub(lo, 1) : lo) : null;
    const xf = P.cast(x, 'float64');
    let inside: Tracer | null = null;
    if (lo) inside = P.ge(xf, lo);
    if (hi) inside = inside ? P.and(inside, P.le(xf, hi)) : P.le(xf, hi);
    let logMass: Tracer;
    if (below && hi) {
      const lFlo = cdf.lcdf(dist.params, below);
      const lower = special.logSubExp(cdf.lcdf(dist.params, hi), lFlo);
      const upper = special.logSubExp(cdf.lccdf(dist.params, below), cdf.lccdf(dist.params, hi));
      logMass = P.where(P.gt(lFlo, -Math.LN2), upper, lower);
    } else if (below) logMass = cdf.lccdf(dist.params, below);
    else logMass = cdf.lcdf(dist.params, hi!);
    return P.where(inside!, P.sub(lp, logMass), -Infinity);
  }

  /**
   * `if c { } else { }`. A condition known before the run (data, literals) lowers one branch. A
   * traced one (a loop index, a param) lowers both, each on its own copy of the enclosing states
   * (the log density, keys, every `state` either branch assigns), and merges them with a select:
   * the branch not taken computes but contributes nothing.
   */
  private ifStmt(st: Extract<Stmt, { kind: 'IfStmt' }>, env: Env): void {
    const c = this.expr(st.cond, env);
    if (typeof c === 'boolean') {
      this.stmts(c ? st.then : (st.else ?? []), env.child());
      return;
    }
    const cond = this.tensor(c, st.cond.span);
    const bodies = [st.then, st.else ?? []];
    const names = [...new Set(bodies.flatMap((b) => [...assignedNames(b)]))].filter(
      (n) => env.get(n)?.kind === 'state',
    );
    if (bodies.some(samples) && env.get(TARGET)) names.push(TARGET);
    if (bodies.some(needsKey) && env.get(KEY)) names.push(KEY);
    const boxes = names.map((n) => env.get(n) as { kind: 'state'; v: LV });
    const results = bodies.map((body) => {
      const inner = env.child();
      names.forEach((n, i) => inner.set(n, { kind: 'state', v: boxes[i]!.v }));
      this.stmts(body, inner);
      return names.map((n) => (inner.get(n) as { v: LV }).v);
    });
    boxes.forEach((b, i) => {
      const [a, e] = [results[0]![i]!, results[1]![i]!];
      if (a === e) return void (b.v = a);
      const [x, y] = [this.tensor(a, st.span), this.tensor(e, st.span)];
      const dtype = x.dtype === 'float64' || y.dtype === 'float64' ? 'float64' : x.dtype;
      b.v = P.where(cond, P.cast(x, dtype), P.cast(y, dtype));
    });
  }

  /**
   * `name ~ D(...)` for a new name: a draw (a generate output, or a guide's latent). In a guide
   * (a log-density accumulator in scope) the draw's log density is added: that is log q. The
   * draw must be pathwise differentiable there, since the ELBO's gradient flows through it.
   */
  private draw(name: string, dist: DistV, st: Extract<Stmt, { kind: 'Sample' }>, env: Env): void {
    const key = nextKey(env);
    if (!key) throw new LowerError(st.span, `internal: \`${name}\` is drawn where there is no random key`);
    const inGuide = env.get(TARGET)?.kind === 'state';
    if (inGuide && !dist.spec.reparameterizable) {
      throw new LowerError(
        st.dist.span,
        `${dist.spec.name} cannot be reparameterized, and a guide block's draws are differentiated through (use a reparameterizable family such as Normal or LogNormal; discrete latents take the automatic guide: declare them \`int\` params)`,
      );
    }
    const x = dist.spec.sample(dist.params, key);
    env.set(name, { kind: 'value', v: x });
    if (inGuide) this.addTarget(env, P.sum(dist.spec.logProb(dist.params, x)), st.span);
  }

  private addTarget(env: Env, lp: Tracer, span: Span): void {
    const b = env.get(TARGET);
    if (!b || b.kind !== 'state') throw new LowerError(span, '`~` and `target +=` belong in a model');
    b.v = typeof b.v === 'number' ? P.add(lp, b.v) : P.add(this.tensor(b.v, span), lp);
  }

  private assign(st: Extract<Stmt, { kind: 'Assign' }>, env: Env): void {
    const base = st.target.kind === 'Index' ? st.target.target : st.target;
    if (base.kind !== 'Ident') throw new LowerError(st.span, 'only a state can be assigned');
    const b = env.get(base.name);
    if (!b || b.kind !== 'state') {
      if (!b) {
        env.set(base.name, { kind: 'value', v: this.expr(st.value, env) });
        return;
      } // generate outputs
      throw new LowerError(st.span, `\`${base.name}\` is not a state`);
    }
    const rhs = this.expr(st.value, env);
    const old = st.target.kind === 'Index' ? this.expr(st.target, env) : b.v;
    const next = st.op === '=' ? rhs : this.binary(st.op[0]!, old, rhs, st.span);
    if (st.target.kind !== 'Index') {
      b.v = keepShape(next, b.v, (v) => this.tensor(v, st.span));
      return;
    }
    // x[i, j] = v: add (v - x[i, j]) at that position through a one-hot mask per indexed axis.
    const x = this.tensor(b.v, st.span);
    let mask: Tracer | null = null;
    st.target.indices.forEach((ix, axis) => {
      if (ix.kind === 'Slice' || ix.kind === 'Range')
        throw new LowerError(ix.span, 'assigning to a slice is not supported yet; assign elements in a loop');
      const d = x.shape[axis]!;
      const iv = this.expr(ix, env);
      const i =
        typeof iv === 'number'
          ? norm(iv, d)
          : P.where(P.lt(this.tensor(iv, ix.span), 0), P.add(this.tensor(iv, ix.span), d), this.tensor(iv, ix.span));
      const shape = x.shape.map((_, k) => (k === axis ? d : 1));
      const hot = P.reshape(P.cast(P.eq(P.arange(d), i), x.dtype), shape);
      mask = mask ? P.mul(mask, hot) : hot;
    });
    const delta = P.sub(this.tensor(next, st.span), this.tensor(old, st.span));
    const k = st.target.indices.length;
    const expanded = P.reshape(P.cast(delta, x.dtype), [...new Array(k).fill(1), ...x.shape.slice(k)]);
    b.v = P.add(x, P.mul(mask!, expanded));
  }

  private forLoop(st: Extract<Stmt, { kind: 'For' }>, env: Env): void {
    if (st.iter.kind === 'Call' && st.iter.callee.name === 'batch') return this.batchLoop(st, st.iter, env);
    const r = this.expr(st.iter, env);
    if (typeof r !== 'object' || !('kind' in r) || r.kind !== 'range')
      throw new LowerError(st.iter.span, 'a loop runs over a range');
    if (r.length === 0) return;
    this.loop(st, env, P.add(P.arange(r.length), r.start), 1);
  }

  /**
   * `for i in batch(N, B)`: a plate over N independent terms, B of them per evaluation. With a
   * key, B distinct indices are drawn (the B largest of N uniforms: a uniform subset) and the
   * body's log-density terms are scaled by N / B, so the estimate is unbiased for the full sum.
   * Without a key (MAP, Laplace, the exact log density) the loop runs over all N, unscaled.
   */
  private batchLoop(st: Extract<Stmt, { kind: 'For' }>, iter: Call, env: Env): void {
    const args = orderArgs(iter, ['n', 'size']);
    const N = this.staticInt(args[0]!, env);
    const B = Math.min(N, this.staticInt(args[1]!, env));
    const assigned = [...new Set(assignedNames(st.body))].filter((n) => env.get(n)?.kind === 'state');
    if (assigned.length)
      throw new LowerError(
        st.span,
        `a \`batch\` loop is a plate of independent terms, so it cannot update the state \`${assigned[0]}\`` +
          '; use `for i in 0..N` for a recurrence',
      );
    if (N <= 0 || B <= 0) return;
    const key = B < N ? nextKey(env) : null;
    if (!key) return this.loop(st, env, P.arange(N), 1);
    const idx = P.cast(P.topK(P.uniform(key, [N]), B).indices, 'int32');
    this.loop(st, env, idx, N / B);
  }

  /** One scan over the index values `xs`; the body's log-density terms are multiplied by `scale`. */
  private loop(st: Extract<Stmt, { kind: 'For' }>, env: Env, indices: Tracer, scale: number): void {
    const length = indices.shape[0]!;
    // The carry: every enclosing state the body assigns, and the target if the body samples.
    const names = [...new Set(assignedNames(st.body))].filter((n) => env.get(n)?.kind === 'state');
    const sampling = samples(st.body) && env.get(TARGET);
    if (sampling) names.push(TARGET);
    if (sampling && env.get(SITES)?.kind === 'state') names.push(SITES);
    const boxes = names.map((n) => env.get(n) as { kind: 'state'; v: LV });
    // A scaled plate accumulates its own sum from 0, scaled once after the loop.
    const init = boxes.map((b, i) => (scale !== 1 && names[i] === TARGET ? P.zeros([]) : this.tensor(b.v, st.span)));
    const xs = [indices];
    // Each iteration gets its own key when the body may draw (generate, guides, nested batches).
    const key = needsKey(st.body) ? nextKey(env) : null;
    if (key) xs.push(P.splitKeys(key, length));
    const { carry } = P.scan(
      (c, [t, k]) => {
        const inner = env.child();
        names.forEach((n, i) => inner.set(n, { kind: 'state', v: c[i]! }));
        inner.set(st.name.name, { kind: 'value', v: t! });
        if (k) inner.set(KEY, { kind: 'state', v: k });
        this.stmts(st.body, inner);
        const out = names.map((n, i) => {
          const v = (inner.get(n) as { v: LV }).v;
          const want = c[i]!;
          return P.broadcastTo(P.cast(this.tensor(v, st.span), want.dtype), want.shape);
        });
        return [out, []];
      },
      init,
      xs,
    );
    boxes.forEach((b, i) => {
      if (scale !== 1 && names[i] === TARGET) b.v = P.add(this.tensor(b.v, st.span), P.mul(carry[i]!, scale));
      else b.v = carry[i]!;
    });
  }
}

function keepShape(next: LV, prev: LV, tensor: (v: LV) => Tracer): LV {
  if (typeof next === 'number' && typeof prev === 'number') return next;
  const p = tensor(prev);
  const n = tensor(next);
  return P.broadcastTo(p.dtype === 'float64' ? P.cast(n, 'float64') : n, p.shape);
}

function pow(x: Tracer, b: LV): Tracer {
  // Small integer powers as products: exact, and the derivative at 0 stays finite.
  if (b === 2) return P.square(x);
  if (b === 1) return x;
  if (b === 3) return P.mul(P.square(x), x);
  return P.pow(x, typeof b === 'number' ? b : P.cast(b as Tracer, 'float64'));
}

function compare(op: string, a: LV, b: LV, tensor: (v: LV) => Tracer): LV {
  if (typeof a === 'number' && typeof b === 'number') {
    switch (op) {
      case '==':
        return a === b;
      case '!=':
        return a !== b;
      case '<':
        return a < b;
      case '<=':
        return a <= b;
      case '>':
        return a > b;
      case '>=':
        return a >= b;
    }
  }
  const [x, y] = [tensor(a), tensor(b)];
  switch (op) {
    case '==':
      return P.eq(x, y);
    case '!=':
      return P.ne(x, y);
    case '<':
      return P.lt(x, y);
    case '<=':
      return P.le(x, y);
    case '>':
      return P.gt(x, y);
    default:
      return P.ge(x, y);
  }
}

const norm = (i: number, d: number) => Math.max(0, Math.min(d, i < 0 ? i + d : i));

function sliceAxis(x: Tracer, axis: number, lo: number, hi: number): Tracer {
  const starts = x.shape.map(() => 0);
  const limits = [...x.shape];
  starts[axis] = lo;
  limits[axis] = hi;
  return P.slice(x, starts, limits);
}

function isIntLiteral(e: Expr): boolean {
  return literalInt(e) !== null;
}

/** Arguments in parameter order (positional first, then by name). */
export function orderArgs(
  e: { args: readonly { name: { name: string } | null; value: Expr }[] },
  params: readonly string[],
): (Expr | undefined)[] {
  const out: (Expr | undefined)[] = new Array(params.length).fill(undefined);
  let pos = 0;
  for (const a of e.args) {
    if (a.name === null) out[pos++] = a.value;
    else out[params.indexOf(a.name.name)] = a.value;
  }
  return out;
}

function* assignedNames(body: readonly Stmt[]): Generator<string> {
  const local = new Set<string>();
  for (const st of body) {
    if (st.kind === 'State' || st.kind === 'Let') local.add(st.name.name);
    if (st.kind === 'Assign') {
      const base = st.target.kind === 'Index' ? st.target.target : st.target;
      if (base.kind === 'Ident' && !local.has(base.name)) yield base.name;
    }
    for (const b of nestedBodies(st)) for (const n of assignedNames(b)) if (!local.has(n)) yield n;
  }
}

/** Whether a loop body may need random bits: a draw of a new name, or a nested minibatch. */
function needsKey(body: readonly Stmt[]): boolean {
  return body.some(
    (st) =>
      (st.kind === 'Sample' && st.target.kind === 'Ident') ||
      (st.kind === 'For' && st.iter.kind === 'Call' && st.iter.callee.name === 'batch') ||
      nestedBodies(st).some(needsKey),
  );
}

function samples(body: readonly Stmt[]): boolean {
  return body.some((st) => st.kind === 'Sample' || st.kind === 'TargetAdd' || nestedBodies(st).some(samples));
}
