// Elementwise ops: unary math, binary arithmetic with broadcasting, comparisons, logic, select.

import { emit1, lift2, NONE, asTracer, broadcastTo, type TLike, Tracer } from './core.js';
import { broadcastShapes } from '../ir/types.js';
import { TraceError } from '../ir/tracer.js';

type Unary =
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
  | 'not'
  | 'stop_gradient';
const un =
  (p: Unary) =>
  (x: TLike): Tracer =>
    emit1(p, [asTracer(x)], NONE);

export const neg = un('neg');
export const exp = un('exp');
export const log = un('log');
export const log1p = un('log1p');
export const expm1 = un('expm1');
export const sin = un('sin');
export const cos = un('cos');
export const atan = un('atan');
export const sqrt = un('sqrt');
export const abs = un('abs');
export const sign = un('sign');
export const floor = un('floor');
export const not = un('not');
export const stopGradient = un('stop_gradient');

type Binary =
  'add' | 'sub' | 'mul' | 'div' | 'pow' | 'max' | 'min' | 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne' | 'and' | 'or';
const bin =
  (p: Binary) =>
  (a: TLike, b: TLike): Tracer =>
    emit1(p, lift2(a, b), NONE);

export const add = bin('add');
export const sub = bin('sub');
export const mul = bin('mul');
export const div = bin('div');
export const pow = bin('pow');
export const maximum = bin('max');
export const minimum = bin('min');
export const lt = bin('lt');
export const le = bin('le');
export const gt = bin('gt');
export const ge = bin('ge');
export const eq = bin('eq');
export const ne = bin('ne');
export const and = bin('and');
export const or = bin('or');

export const square = (x: Tracer): Tracer => emit1('mul', [x, x], NONE);
export const reciprocal = (x: Tracer): Tracer => div(1, x);
export const ceil = (x: Tracer): Tracer => neg(floor(neg(x)));
export const rem = (a: TLike, b: TLike): Tracer => {
  const [x, y] = lift2(a, b);
  return sub(x, mul(y, floor(div(x, y))));
};

/** where(cond, a, b): elementwise choice with broadcasting over all three. */
export function where(cond: Tracer, a: TLike, b: TLike): Tracer {
  let [x, y] = lift2(a, b);
  const shape = broadcastShapes(cond.shape, x.shape);
  if (!shape) throw new TraceError(`where: condition [${cond.shape}] does not broadcast with [${x.shape}]`);
  if (cond.dtype !== 'bool') throw new TraceError('where: the condition must be bool');
  x = broadcastTo(x, shape);
  y = broadcastTo(y, shape);
  return emit1('select', [broadcastTo(cond, shape), x, y], NONE);
}
