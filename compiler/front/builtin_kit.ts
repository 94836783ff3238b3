// What one entry of the built-in function table is (the table itself: builtins.ts), and the
// constructors the table files share: elementwise functions of any arity with numpy
// broadcasting, reductions, and the small type-rule helpers. A new built-in is one entry made
// with these (or written out); a missing field is a compile error.
// Parameter kinds: 'x' a tensor; 'axis' an integer literal; 'int' an int known before the run;
// 'num' a real known before the run (a literal, e.g. a tolerance); 'fn' the name of a
// user-defined `fn` (the ODE right-hand side); 'body' an expression lowered as a function of the
// 'wrt' arguments, which name a var, a param, a `let` or a function argument (grad(e, v)). `rest` takes extra positional tensors (an ODE's
// parameters); params marked `named` are given by name only (options after the rest).

import { backquote as q, type Tracer } from '../../runtime/index.js';
import { broadcast, reduceShape, type Operand } from './shape_rules.js';
import { shapeText, type Dim, type Elem } from './static_types.js';

export interface ArgInfo extends Operand {
  elem: Elem;
  static?: number;
  /** Depends on a var or param. */
  dyn?: boolean;
}

/** A user function passed to a built-in: its name and its type at given argument types. */
export interface FnSig {
  name: string;
  /** The type of the call with these arguments (dyn as given), or a message. */
  call(args: ArgInfo[]): (TypeOut & { dyn: boolean }) | string;
}

export interface TypeCtx {
  /** The whole call as written, for messages. */
  expr: string;
  /** The 'x', 'int', 'body' and 'wrt' arguments that were given, in parameter order, then the rest. */
  args: ArgInfo[];
  /** The `axis` argument when given (a literal int), else null. */
  axis: number | null;
  /** The 'fn' arguments, in order. */
  fns: FnSig[];
  /** The 'num' arguments in parameter order (null where absent or not known yet). */
  nums: (number | null)[];
  /** How many of `args` are rest arguments (at the end). */
  restCount: number;
}

export interface TypeOut {
  elem: Elem;
  shape: Dim[];
  static?: number;
}

export interface LowerCtx {
  /** The 'x' arguments that were given, in parameter order, then the rest (all float). */
  args: Tracer[];
  axis: number | undefined;
  /** Static integer arguments (for `zeros(n)`), in order. */
  ints: number[];
  /** The 'fn' arguments as functions of tensors. */
  fns?: ((...xs: Tracer[]) => Tracer)[];
  /** The 'num' arguments in parameter order (undefined where absent). */
  nums?: (number | undefined)[];
  /** How many of `args` are rest arguments (at the end). */
  restCount?: number;
  /** The 'body' argument as a function of the 'wrt' values (grad's expression). */
  body?: (...wrt: Tracer[]) => Tracer;
  /** The current values of the 'wrt' arguments (then the rest, when they are 'wrt'), in order. */
  wrt?: Tracer[];
}

export type ParamKind = 'x' | 'axis' | 'int' | 'num' | 'fn' | 'body' | 'wrt';

export interface BuiltinParam {
  name: string;
  kind: ParamKind;
  /** Given by name only (an option after the rest arguments). */
  named?: boolean;
  /** Only this argument's value is used, never its gradient (`stop(x)`, the forward of
   *  `straight_through`): a zero-gradient function inside it draws no warning. */
  valueOnly?: boolean;
}

export interface Builtin {
  name: string;
  params: BuiltinParam[];
  /** How many leading params are required. */
  required: number;
  /** Extra positional tensor arguments after the positional params, e.g. an ODE's parameters. */
  rest?: { name: string; kind?: 'wrt' };
  /** False for functions that are not differentiable everywhere (abs, norms, max, ...). */
  smooth: boolean;
  /** The gradient is zero almost everywhere (round, floor, sign, ...): `check` warns where the
   *  argument depends on a var or param, unless the call is inside a value-only argument. */
  zeroGradient?: boolean;
  /** The prox operator of `c * f(v)` (c >= 0) for a whole variable v (the first argument), when
   *  one is known: its name in stdlib/prox/registry.ts, how `proxima check` describes it, and the
   *  registry options (besides lambda = c) from the other arguments, evaluated before the run.
   *  This field is the one map from built-ins to prox entries. */
  prox?: { op: string; text: string; options?(a: ProxArgs): Record<string, unknown> };
  summary: string;
  type(c: TypeCtx): TypeOut | string;
  /** A warning about a call that type-checks (a usage that works but costs or misleads). */
  warn?(c: TypeCtx): string | null;
  lower(c: LowerCtx): Tracer | number;
}

/** The other arguments of a prox built-in, evaluated on the host (ints as numbers), by param name. */
export interface ProxArgs {
  /** Entries of the var. */
  size: number;
  args: Record<string, number | Float64Array | undefined>;
}

export { q };
export const real = (shape: Dim[]): TypeOut => ({ elem: 'real', shape });

/** The first bool argument, as a message; null when all are numbers. */
export function numeric(c: TypeCtx): string | null {
  for (const a of c.args) if (a.elem === 'bool') return `${q(c.expr)}: ${a.text} is bool, not a number`;
  return null;
}

export function needRank(c: TypeCtx, i: number, ranks: number[], what: string): string | null {
  const a = c.args[i]!;
  if (ranks.includes(a.shape.length)) return null;
  return `${q(c.expr)}: ${a.text} is ${a.shape.length === 0 ? 'a scalar' : shapeText(a.shape)}; ${what}`;
}

/** The broadcast shape of every argument, or a message. */
export function broadcastAll(c: TypeCtx, args: readonly ArgInfo[] = c.args): Dim[] | string {
  let acc: Operand = { shape: [], text: '' };
  for (const a of args) {
    if (acc.text === '') {
      acc = a;
      continue;
    }
    const s = broadcast(c.expr, acc, a);
    if (typeof s === 'string') return s;
    acc = { shape: s, text: `${acc.text}, ${a.text}` };
  }
  return acc.shape;
}

const X = [{ name: 'x', kind: 'x' as const }];

export const unary = (name: string, f: (x: Tracer) => Tracer, summary: string, smooth = true): Builtin => ({
  name,
  params: X,
  required: 1,
  smooth,
  summary,
  type: (c) => numeric(c) ?? real(c.args[0]!.shape),
  lower: (c) => f(c.args[0]!),
});

/** An elementwise function of several tensors with numpy broadcasting; `required` leading ones. */
export function elementwise(
  name: string,
  params: readonly string[],
  f: (...xs: Tracer[]) => Tracer,
  summary: string,
  smooth = true,
  required = params.length,
): Builtin {
  return {
    name,
    params: params.map((p) => ({ name: p, kind: 'x' as const })),
    required,
    smooth,
    summary,
    type: (c) => {
      const e = numeric(c);
      if (e) return e;
      const s = broadcastAll(c);
      return typeof s === 'string' ? s : real(s);
    },
    lower: (c) => f(...c.args),
  };
}

/** A reduction over all entries, or over `axis` when given. */
export function reduction(
  name: string,
  f: (x: Tracer, axis?: number) => Tracer,
  summary: string,
  smooth = true,
  prox?: Builtin['prox'],
): Builtin {
  return {
    name,
    params: [
      { name: 'x', kind: 'x' },
      { name: 'axis', kind: 'axis' },
    ],
    required: 1,
    smooth,
    summary,
    ...(prox ? { prox } : {}),
    type: (c) => {
      const e = numeric(c);
      if (e) return e;
      const s = reduceShape(c.expr, c.args[0]!, c.axis);
      return typeof s === 'string' ? s : real(s);
    },
    lower: (c) => f(c.args[0]!, c.axis),
  };
}

/** A constant (no arguments): `pi()`. */
export const constantFn = (name: string, v: number, summary: string): Builtin => ({
  name,
  params: [],
  required: 0,
  smooth: true,
  summary,
  type: () => real([]),
  lower: () => v,
});

/** Where each argument of a call goes: the argument index per param (-1 if absent) and the rest. */
export interface BoundCall {
  slots: number[];
  rest: number[];
}

/**
 * Binds a call's arguments (`name` null = positional) to a built-in's params: positional ones fill
 * the params not marked `named`, in order, then the rest; named ones go by name. Returns the
 * binding or what went wrong, in words for the checker.
 */
export function bindBuiltin(b: Builtin, names: readonly (string | null)[]): BoundCall | { error: string; at: number } {
  const slots = b.params.map(() => -1);
  const rest: number[] = [];
  const positional = b.params.map((p, i) => (p.named ? -1 : i)).filter((i) => i >= 0);
  let pos = 0;
  for (let k = 0; k < names.length; k++) {
    const n = names[k];
    if (n === null) {
      if (pos < positional.length) slots[positional[pos++]!] = k;
      else if (b.rest) rest.push(k);
      else {
        const max = positional.length;
        return {
          error: `${b.name} takes ${max === b.required ? '' : 'at most '}${max} argument${max === 1 ? '' : 's'}${b.params.some((p) => p.named) ? ' by position' : ''}, got ${names.length}`,
          at: k,
        };
      }
      continue;
    }
    const i = b.params.findIndex((p) => p.name === n);
    if (i < 0) return { error: `${b.name} has no argument ${q(n)}`, at: k };
    if (slots[i]! >= 0) return { error: `the argument ${q(n)} of ${b.name} is given twice`, at: k };
    slots[i] = k;
  }
  const missing = b.params.slice(0, b.required).filter((_, i) => slots[i]! < 0);
  if (missing.length)
    return {
      error: `${b.name} needs ${b.required} argument${b.required === 1 ? '' : 's'}, got ${names.length}: ${missing.map((p) => q(p.name)).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`,
      at: -1,
    };
  return { slots, rest };
}

/** `f(a, b, ...rest, opt = ...)`, for hints. */
export function signature(b: Builtin): string {
  const pos = b.params.filter((p) => !p.named).map((p) => p.name);
  const named = b.params.filter((p) => p.named).map((p) => `${p.name} = ...`);
  return `${b.name}(${[...pos, ...(b.rest ? [`...${b.rest.name}`] : []), ...named].join(', ')})`;
}

/** A piecewise-constant function (round, floor, sign, ...): its gradient is zero almost everywhere. */
export const zeroGrad = (b: Builtin): Builtin => ({ ...b, zeroGradient: true });

/** The indices of a call's arguments that are value-only (BuiltinParam.valueOnly): the analysis
 *  holds them constant, since no derivative flows through them. */
export function valueOnlyArgs(b: Builtin | undefined, names: readonly (string | null)[]): Set<number> {
  const out = new Set<number>();
  if (!b || !b.params.some((p) => p.valueOnly)) return out;
  const bound = bindBuiltin(b, names);
  if ('error' in bound) return out;
  b.params.forEach((p, i) => {
    if (p.valueOnly && bound.slots[i]! >= 0) out.add(bound.slots[i]!);
  });
  return out;
}

/** The type of a scalar filled to int sizes (rep_vector, rep_matrix, rep_array): args x, then the sizes. */
export function filledType(c: TypeCtx): string | TypeOut {
  const e = numeric(c);
  if (e) return e;
  if (c.args[0]!.shape.length !== 0) return `${q(c.expr)}: ${c.args[0]!.text} must be a scalar`;
  const sizes = c.args.slice(1);
  for (const a of sizes)
    if (a.elem !== 'int' || a.shape.length !== 0) return `${q(c.expr)}: the size ${a.text} must be an int`;
  return real(sizes.map((a) => ({ text: a.text, value: a.static ?? null })));
}
