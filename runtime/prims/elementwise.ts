// Table entries of the elementwise primitives: constants, unary math, binary arithmetic,
// comparisons, logic, select, convert and stop_gradient. Binary primitives take operands of one
// shape and dtype (broadcasting happens in the ops layer), which keeps every rule here local.

import type * as TF from '@tensorflow/tfjs';
import type { AVal } from '../ir/types.js';
import { aval, avalString, isFloat, sameAVal, sameShape } from '../ir/types.js';
import type { Tracer } from '../ir/tracer.js';
import * as P from '../ops/index.js';
import type { PartialTable, PrimRule } from './rule.js';
import { ShapeError } from './rule.js';
import { map1, map2 } from './ref_loops.js';
import type { PrimParams } from './params.js';

type None = Record<string, never>;
const tfDtype = (a: AVal): TF.DataType => (a.dtype === 'float64' ? 'float32' : a.dtype);

function floatUnaryShape(name: string) {
  return ([x]: readonly AVal[]): AVal[] => {
    if (!isFloat(x!.dtype)) throw new ShapeError(`${name} needs a float operand, got ${avalString(x!)}`);
    return [x!];
  };
}

/** A unary float primitive from its value, its derivative (in ops) and its tfjs kernel. */
type UnaryP = 'exp' | 'log' | 'log1p' | 'expm1' | 'sin' | 'cos' | 'atan' | 'sqrt';
function unary<P extends UnaryP>(
  name: P,
  f: (x: number) => number,
  deriv: ((x: Tracer, out: Tracer) => Tracer) | null,
  tf: (t: typeof TF, x: TF.Tensor) => TF.Tensor,
): PrimRule<P> {
  return {
    shape: floatUnaryShape(name),
    jvp: ([x], [t], _p, [out]) => [t && deriv ? P.mul(t, deriv(x!, out!)) : null],
    vjp: ([ct], [x], [out]) => (ct && deriv ? [P.mul(ct, deriv(x!, out!))] : [null]),
    ref: ([x], _p, [o]) => [map1(x!, o!, f)],
    tfjs: ([x], _p, _o, ctx) => [tf(ctx.tf, x!)],
    elementwise: { js: ([x]) => `Math.${name}(${x})` },
  };
}

const sameBinaryShape =
  (name: string, float: boolean) =>
  ([a, b]: readonly AVal[]): AVal[] => {
    if (!sameAVal(a!, b!)) throw new ShapeError(`${name}: operands ${avalString(a!)} and ${avalString(b!)} differ`);
    if (float && !isFloat(a!.dtype) && a!.dtype !== 'int32')
      throw new ShapeError(`${name} needs numeric operands, got ${avalString(a!)}`);
    return [a!];
  };

const orZero = (t: Tracer | null, like: Tracer): Tracer => t ?? P.zerosLike(like);

function compare<Q extends 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne'>(
  name: Q,
  op: '<' | '<=' | '>' | '>=' | '===' | '!==',
  f: (a: number, b: number) => boolean,
  tf: (t: typeof TF, a: TF.Tensor, b: TF.Tensor) => TF.Tensor,
): PrimRule<Q> {
  return {
    shape: ([a, b]) => {
      if (!sameAVal(a!, b!)) throw new ShapeError(`${name}: operands ${avalString(a!)} and ${avalString(b!)} differ`);
      return [aval(a!.shape, 'bool')];
    },
    jvp: () => [null],
    vjp: () => [null, null],
    ref: ([a, b], _p, [o]) => [map2(a!, b!, o!, (x, y) => (f(x, y) ? 1 : 0))],
    tfjs: ([a, b], _p, _o, ctx) => [tf(ctx.tf, a!, b!)],
    elementwise: { js: ([x, y]) => `(${x} ${op} ${y} ? 1 : 0)` },
  };
}

function logic<Q extends 'and' | 'or'>(
  name: Q,
  op: '&' | '|',
  f: (a: number, b: number) => number,
  tf: (t: typeof TF, a: TF.Tensor, b: TF.Tensor) => TF.Tensor,
): PrimRule<Q> {
  return {
    shape: ([a, b]) => {
      if (a!.dtype !== 'bool' || !sameAVal(a!, b!))
        throw new ShapeError(
          `${name} needs two bool operands of one shape, got ${avalString(a!)} and ${avalString(b!)}`,
        );
      return [a!];
    },
    jvp: () => [null],
    vjp: () => [null, null],
    ref: ([a, b], _p, [o]) => [map2(a!, b!, o!, f)],
    tfjs: ([a, b], _p, _o, ctx) => [tf(ctx.tf, a!, b!)],
    elementwise: { js: ([x, y]) => `(${x} ${op} ${y})` },
  };
}

function minmax<Q extends 'max' | 'min'>(name: Q): PrimRule<Q> {
  // Resolved at call time: this module is evaluated while the ops modules are still loading.
  const pick = (a: Tracer, b: Tracer) => (name === 'max' ? P.gt(a, b) : P.lt(a, b));
  const other = (a: Tracer, b: Tracer) => (name === 'max' ? P.lt(a, b) : P.gt(a, b));
  // Ties split the derivative evenly, as JAX does, so max(x, x) has derivative 1.
  const blend = (a: Tracer, b: Tracer, ta: Tracer, tb: Tracer) =>
    P.where(pick(a, b), ta, P.where(other(a, b), tb, P.mul(0.5, P.add(ta, tb))));
  return {
    shape: sameBinaryShape(name, true),
    jvp: ([a, b], [ta, tb]) => (ta || tb ? [blend(a!, b!, orZero(ta!, a!), orZero(tb!, b!))] : [null]),
    vjp: ([ct], [a, b]) => {
      if (!ct) return [null, null];
      const z = P.zerosLike(ct);
      return [blend(a!, b!, ct, z), blend(a!, b!, z, ct)];
    },
    ref: ([a, b], _p, [o]) => [
      map2(
        a!,
        b!,
        o!,
        name === 'max'
          ? (x, y) => (x !== x || y !== y ? NaN : Math.max(x, y))
          : (x, y) => (x !== x || y !== y ? NaN : Math.min(x, y)),
      ),
    ],
    tfjs: ([a, b], _p, _o, ctx) => [name === 'max' ? ctx.tf.maximum(a!, b!) : ctx.tf.minimum(a!, b!)],
    elementwise: { js: ([x, y]) => `(${x} !== ${x} || ${y} !== ${y} ? NaN : Math.${name}(${x}, ${y}))` },
  };
}

/** log(x) for x > 0 and 0 elsewhere: the d/dy of x^y where it exists. */
const safeLog = (x: Tracer): Tracer => P.log(P.where(P.gt(x, 0), x, 1));

export const elementwiseRules = {
  constant: {
    shape: (_i, p) => [aval(p.shape, p.dtype)],
    jvp: () => [null],
    vjp: () => [],
    ref: (_i, p) => [{ data: p.value, shape: p.shape }],
    // tfjs takes no Float64Array: float constants are narrowed to float32 here.
    tfjs: (_i, p, [o], ctx) => [
      ctx.tf.tensor(
        p.dtype === 'bool'
          ? Uint8Array.from(p.value, (v) => (v !== 0 ? 1 : 0))
          : p.value instanceof Float64Array
            ? Float32Array.from(p.value)
            : p.value,
        p.shape,
        tfDtype(o!),
      ),
    ],
  } satisfies PrimRule<'constant'>,

  neg: {
    shape: ([x]) => {
      if (x!.dtype === 'bool') throw new ShapeError(`neg needs a numeric operand, got ${avalString(x!)}`);
      return [x!];
    },
    jvp: (_x, [t]) => [t ? P.neg(t) : null],
    vjp: ([ct]) => [ct ? P.neg(ct) : null],
    ref: ([x], _p, [o]) => [map1(x!, o!, (v) => -v)],
    tfjs: ([x], _p, _o, ctx) => [ctx.tf.neg(x!)],
    elementwise: { js: ([x], _p, o) => (o.dtype === 'int32' ? `(-${x} | 0)` : `(-${x})`) },
  } satisfies PrimRule<'neg'>,
  exp: unary(
    'exp',
    Math.exp,
    (_x, out) => out,
    (tf, x) => tf.exp(x),
  ),
  log: unary(
    'log',
    Math.log,
    (x) => P.reciprocal(x),
    (tf, x) => tf.log(x),
  ),
  log1p: unary(
    'log1p',
    Math.log1p,
    (x) => P.reciprocal(P.add(x, 1)),
    (tf, x) => tf.log1p(x),
  ),
  expm1: unary(
    'expm1',
    Math.expm1,
    (_x, out) => P.add(out, 1),
    (tf, x) => tf.expm1(x),
  ),
  sin: unary(
    'sin',
    Math.sin,
    (x) => P.cos(x),
    (tf, x) => tf.sin(x),
  ),
  cos: unary(
    'cos',
    Math.cos,
    (x) => P.neg(P.sin(x)),
    (tf, x) => tf.cos(x),
  ),
  atan: unary(
    'atan',
    Math.atan,
    (x) => P.reciprocal(P.add(P.square(x), 1)),
    (tf, x) => tf.atan(x),
  ),
  sqrt: unary(
    'sqrt',
    Math.sqrt,
    (_x, out) => P.div(0.5, out),
    (tf, x) => tf.sqrt(x),
  ),
  abs: {
    shape: ([x]) => [x!],
    jvp: ([x], [t]) => [t ? P.mul(t, P.sign(x!)) : null],
    vjp: ([ct], [x]) => [ct ? P.mul(ct, P.sign(x!)) : null],
    ref: ([x], _p, [o]) => [map1(x!, o!, Math.abs)],
    tfjs: ([x], _p, _o, ctx) => [ctx.tf.abs(x!)],
    elementwise: { js: ([x]) => `Math.abs(${x})` },
  } satisfies PrimRule<'abs'>,
  sign: {
    shape: ([x]) => [x!],
    jvp: () => [null],
    vjp: () => [null],
    ref: ([x], _p, [o]) => [map1(x!, o!, (v) => (v > 0 ? 1 : v < 0 ? -1 : v))],
    tfjs: ([x], _p, _o, ctx) => [ctx.tf.sign(x!)],
    elementwise: { js: ([x]) => `(${x} > 0 ? 1 : ${x} < 0 ? -1 : ${x})` },
  } satisfies PrimRule<'sign'>,
  floor: {
    shape: floatUnaryShape('floor'),
    jvp: () => [null],
    vjp: () => [null],
    ref: ([x], _p, [o]) => [map1(x!, o!, Math.floor)],
    tfjs: ([x], _p, _o, ctx) => [ctx.tf.floor(x!)],
    elementwise: { js: ([x]) => `Math.floor(${x})` },
  } satisfies PrimRule<'floor'>,

  add: {
    shape: sameBinaryShape('add', true),
    jvp: ([a], [ta, tb]) => [ta && tb ? P.add(ta, tb) : (ta ?? tb ?? null)],
    vjp: ([ct]) => [ct, ct],
    ref: ([a, b], _p, [o]) => [map2(a!, b!, o!, (x, y) => x + y)],
    tfjs: ([a, b], _p, _o, ctx) => [ctx.tf.add(a!, b!)],
    elementwise: { js: ([x, y], _p, o) => (o.dtype === 'int32' ? `((${x} + ${y}) | 0)` : `(${x} + ${y})`) },
  } satisfies PrimRule<'add'>,
  sub: {
    shape: sameBinaryShape('sub', true),
    jvp: (_x, [ta, tb]) => [ta && tb ? P.sub(ta, tb) : (ta ?? (tb ? P.neg(tb) : null))],
    vjp: ([ct]) => [ct, ct ? P.neg(ct) : null],
    ref: ([a, b], _p, [o]) => [map2(a!, b!, o!, (x, y) => x - y)],
    tfjs: ([a, b], _p, _o, ctx) => [ctx.tf.sub(a!, b!)],
    elementwise: { js: ([x, y], _p, o) => (o.dtype === 'int32' ? `((${x} - ${y}) | 0)` : `(${x} - ${y})`) },
  } satisfies PrimRule<'sub'>,
  mul: {
    shape: sameBinaryShape('mul', true),
    jvp: ([a, b], [ta, tb]) => {
      const l = ta ? P.mul(ta, b!) : null;
      const r = tb ? P.mul(a!, tb) : null;
      return [l && r ? P.add(l, r) : (l ?? r)];
    },
    vjp: ([ct], [a, b]) => (ct ? [P.mul(ct, b!), P.mul(a!, ct)] : [null, null]),
    ref: ([a, b], _p, [o]) => [map2(a!, b!, o!, o!.dtype === 'int32' ? (x, y) => Math.imul(x, y) : (x, y) => x * y)],
    tfjs: ([a, b], _p, _o, ctx) => [ctx.tf.mul(a!, b!)],
    elementwise: { js: ([x, y], _p, o) => (o.dtype === 'int32' ? `Math.imul(${x}, ${y})` : `(${x} * ${y})`) },
  } satisfies PrimRule<'mul'>,
  div: {
    shape: sameBinaryShape('div', true),
    jvp: ([_a, b], [ta, tb], _p, [out]) => {
      const l = ta ? P.div(ta, b!) : null;
      const r = tb ? P.neg(P.div(P.mul(out!, tb), b!)) : null;
      return [l && r ? P.add(l, r) : (l ?? r)];
    },
    vjp: ([ct], [_a, b], [out]) => {
      if (!ct) return [null, null];
      const q = P.div(ct, b!);
      return [q, P.neg(P.mul(q, out!))];
    },
    ref: ([a, b], _p, [o]) => [map2(a!, b!, o!, o!.dtype === 'int32' ? (x, y) => Math.trunc(x / y) : (x, y) => x / y)],
    // int32 division truncates toward zero (as ref does); tfjs only has floor division.
    tfjs: ([a, b], _p, [o], ctx) => {
      const tf = ctx.tf;
      if (o!.dtype !== 'int32') return [tf.div(a!, b!)];
      return [tf.tidy(() => tf.mul(tf.mul(tf.sign(a!), tf.sign(b!)), tf.floorDiv(tf.abs(a!), tf.abs(b!))))];
    },
    elementwise: { js: ([x, y], _p, o) => (o.dtype === 'int32' ? `((${x} / ${y}) | 0)` : `(${x} / ${y})`) },
  } satisfies PrimRule<'div'>,
  pow: {
    shape: sameBinaryShape('pow', true),
    jvp: ([a, b], [ta, tb], _p, [out]) => {
      const l = ta ? P.mul(ta, P.mul(b!, P.pow(a!, P.sub(b!, 1)))) : null;
      const r = tb ? P.mul(tb, P.mul(out!, safeLog(a!))) : null;
      return [l && r ? P.add(l, r) : (l ?? r)];
    },
    vjp: ([ct], [a, b], [out]) =>
      ct ? [P.mul(ct, P.mul(b!, P.pow(a!, P.sub(b!, 1)))), P.mul(ct, P.mul(out!, safeLog(a!)))] : [null, null],
    ref: ([a, b], _p, [o]) => [map2(a!, b!, o!, Math.pow)],
    tfjs: ([a, b], _p, _o, ctx) => [ctx.tf.pow(a!, b!)],
    elementwise: { js: ([x, y]) => `Math.pow(${x}, ${y})` },
  } satisfies PrimRule<'pow'>,
  max: minmax('max'),
  min: minmax('min'),

  lt: compare(
    'lt',
    '<',
    (a, b) => a < b,
    (tf, a, b) => tf.less(a, b),
  ),
  le: compare(
    'le',
    '<=',
    (a, b) => a <= b,
    (tf, a, b) => tf.lessEqual(a, b),
  ),
  gt: compare(
    'gt',
    '>',
    (a, b) => a > b,
    (tf, a, b) => tf.greater(a, b),
  ),
  ge: compare(
    'ge',
    '>=',
    (a, b) => a >= b,
    (tf, a, b) => tf.greaterEqual(a, b),
  ),
  eq: compare(
    'eq',
    '===',
    (a, b) => a === b,
    (tf, a, b) => tf.equal(a, b),
  ),
  ne: compare(
    'ne',
    '!==',
    (a, b) => a !== b,
    (tf, a, b) => tf.notEqual(a, b),
  ),
  and: logic(
    'and',
    '&',
    (a, b) => a & b,
    (tf, a, b) => tf.logicalAnd(a, b),
  ),
  or: logic(
    'or',
    '|',
    (a, b) => a | b,
    (tf, a, b) => tf.logicalOr(a, b),
  ),
  not: {
    shape: ([x]) => {
      if (x!.dtype !== 'bool') throw new ShapeError(`not needs a bool operand, got ${avalString(x!)}`);
      return [x!];
    },
    jvp: () => [null],
    vjp: () => [null],
    ref: ([x], _p, [o]) => [map1(x!, o!, (v) => 1 - v)],
    tfjs: ([x], _p, _o, ctx) => [ctx.tf.logicalNot(x!)],
    elementwise: { js: ([x]) => `(1 - ${x})` },
  } satisfies PrimRule<'not'>,

  select: {
    shape: ([c, a, b]) => {
      if (c!.dtype !== 'bool' || !sameShape(c!.shape, a!.shape) || !sameAVal(a!, b!)) {
        throw new ShapeError(
          `select needs a bool condition and two branches of one shape, got ${avalString(c!)}, ${avalString(a!)}, ${avalString(b!)}`,
        );
      }
      return [a!];
    },
    jvp: ([c, a, b], [, ta, tb]) => (ta || tb ? [P.where(c!, orZero(ta!, a!), orZero(tb!, b!))] : [null]),
    vjp: ([ct], [c]) => {
      if (!ct) return [null, null, null];
      const z = P.zerosLike(ct);
      return [null, P.where(c!, ct, z), P.where(c!, z, ct)];
    },
    ref: ([c, a, b], _p, [o]) => {
      const r = map2(a!, b!, o!, (x) => x);
      const cd = c!.data;
      const bd = b!.data;
      for (let i = 0; i < cd.length; i++) if (!cd[i]) r.data[i] = bd[i]!;
      return [r];
    },
    tfjs: ([c, a, b], _p, _o, ctx) => [ctx.tf.where(c!, a!, b!)],
    elementwise: { js: ([c, a, b]) => `(${c} ? ${a} : ${b})` },
  } satisfies PrimRule<'select'>,

  convert: {
    shape: ([x], p) => [aval(x!.shape, p.dtype)],
    jvp: ([x], [t], p) => [t && isFloat(x!.dtype) && isFloat(p.dtype) ? P.cast(t, p.dtype) : null],
    vjp: ([ct], [x], _o, p) => [ct && isFloat(x!.dtype) && isFloat(p.dtype) ? P.cast(ct, x!.dtype) : null],
    ref: ([x], p, [o]) => [
      map1(
        x!,
        o!,
        p.dtype === 'int32' ? (v) => Math.trunc(v) | 0 : p.dtype === 'bool' ? (v) => (v !== 0 ? 1 : 0) : (v) => v,
      ),
    ],
    // tfjs's wasm Cast to bool truncates first (0.3 -> false); x != 0 is right everywhere.
    tfjs: ([x], _p, [o], ctx) => [
      o!.dtype === 'bool' && x!.dtype !== 'bool'
        ? ctx.tf.tidy(() => ctx.tf.notEqual(x!, ctx.tf.scalar(0, x!.dtype)))
        : ctx.tf.cast(x!, tfDtype(o!)),
    ],
    elementwise: {
      js: ([x], p) =>
        p.dtype === 'int32' ? `(Math.trunc(${x}) | 0)` : p.dtype === 'bool' ? `(${x} !== 0 ? 1 : 0)` : x!,
    },
  } satisfies PrimRule<'convert'>,
  stop_gradient: {
    shape: ([x]) => [x!],
    jvp: () => [null],
    vjp: () => [null],
    ref: ([x]) => [x!],
    tfjs: ([x], _p, _o, ctx) => [ctx.tf.clone(x!)],
    elementwise: { js: ([x]) => x! },
  } satisfies PrimRule<'stop_gradient'>,
} satisfies PartialTable<
  | 'constant'
  | 'neg'
  | 'exp'
  | 'log'
  | 'log1p'
  | 'expm1'
  | 'sin'
  | 'cos'
  | 'atan'
  | 'sqrt'
  | 'abs'
  | 'sign'
  | 'floor'
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'max'
  | 'min'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'eq'
  | 'ne'
  | 'and'
  | 'or'
  | 'not'
  | 'select'
  | 'convert'
  | 'stop_gradient'
>;

export type { None, PrimParams };
