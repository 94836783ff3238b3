// Function-level transforms over traced TypeScript functions: trace, vjp, grad, valueAndGrad, jvp,
// hvp (forward over reverse) and jacobian (a scan of VJPs over basis vectors, so its graph does
// not grow with the output size). Each traces the function into a sub-graph, transforms it and
// inlines the result into the current trace, so they nest to any order: grad(grad(f)).
// Values a function closes over are constants to that transform, yet an enclosing transform still
// differentiates through them, because all of it is one graph.

import type { Graph } from '../ir/graph.js';
import { Builder, hasBuilder, traceSub, withBuilder, type Tracer, TraceError } from '../ir/tracer.js';
import { aval, isFloat, type AVal, type DType, type Shape } from '../ir/types.js';
import { jvpTrace } from './jvp.js';
import { vjpTrace } from './vjp.js';
import * as P from '../ops/index.js';

type Fn = (...args: Tracer[]) => Tracer | Tracer[];
const asList = (r: Tracer | Tracer[]): Tracer[] => (Array.isArray(r) ? r : [r]);

export type ArgSpec = AVal | Shape | { shape: Shape; dtype?: DType };

function toAVal(s: ArgSpec, dtype: DType): AVal {
  if (Array.isArray(s)) return aval(s as Shape, dtype);
  const o = s as { shape: Shape; dtype?: DType };
  return aval(o.shape, o.dtype ?? dtype);
}

/** Traces `f` on inputs of the given shapes (float64 unless said) into a closed graph. */
export function trace(f: Fn, args: readonly ArgSpec[], dtype: DType = 'float64'): Graph {
  if (hasBuilder()) throw new TraceError('trace() cannot be nested; use the transforms inside the traced function');
  const b = new Builder(null);
  return withBuilder(b, () => {
    const ins = args.map((a) => b.addInput(toAVal(a, dtype)));
    return b.build(asList(f(...ins)));
  });
}

export interface Vjp {
  outs: Tracer[];
  pullback(cts: readonly (Tracer | null)[]): Tracer[];
}

export function vjp(f: Fn, primals: readonly Tracer[]): Vjp {
  const sub = traceSub(
    f,
    primals.map((p) => p.aval),
  );
  const n = primals.length;
  const r = vjpTrace(
    sub.graph,
    [...primals, ...sub.captures],
    sub.graph.inputs.map((_, i) => i < n),
  );
  return {
    outs: r.outs,
    pullback: (cts) =>
      r
        .backward(cts)
        .slice(0, n)
        .map((c, i) => c ?? P.zerosLike(primals[i]!)),
  };
}

function checkScalar(y: Tracer, what: string): void {
  if (y.rank !== 0 || !isFloat(y.dtype))
    throw new TraceError(`${what} needs a function returning a float scalar, got shape [${y.shape}] ${y.dtype}`);
}

/** valueAndGrad(f, argnums)(...args) -> [value, grads (one per argnum)]. */
export function valueAndGrad(f: Fn, argnums: number | readonly number[] = 0) {
  const nums = typeof argnums === 'number' ? [argnums] : [...argnums];
  return (...args: Tracer[]): [Tracer, Tracer[]] => {
    const r = vjp(f, args);
    const y = r.outs[0]!;
    checkScalar(y, 'grad');
    const g = r.pullback([P.onesLike(y), ...r.outs.slice(1).map(() => null)]);
    return [y, nums.map((i) => g[i]!)];
  };
}

/** grad(f, argnum)(...args): the gradient of a scalar function (one tensor, or a list for several argnums). */
export function grad(f: Fn, argnums: number | readonly number[] = 0) {
  const vg = valueAndGrad(f, argnums);
  return (...args: Tracer[]): Tracer => {
    const g = vg(...args)[1];
    return typeof argnums === 'number' ? g[0]! : P.concat(g.map((t) => P.flatten(t)));
  };
}

/** grads(f)(...args): one gradient per argument. */
export const grads =
  (f: Fn) =>
  (...args: Tracer[]): Tracer[] =>
    valueAndGrad(
      f,
      args.map((_, i) => i),
    )(...args)[1];

/** jvp(f, primals, tangents) -> [outputs, output tangents]. */
export function jvp(f: Fn, primals: readonly Tracer[], tangents: readonly Tracer[]): [Tracer[], Tracer[]] {
  const sub = traceSub(
    f,
    primals.map((p) => p.aval),
  );
  const [outs, touts] = jvpTrace(
    sub.graph,
    [...primals, ...sub.captures],
    [...tangents, ...sub.captures.map(() => null)],
  );
  return [outs, touts.map((t, i) => t ?? P.zerosLike(outs[i]!))];
}

/** Hessian-vector products of a scalar function, forward over reverse: one per argument. */
export function hvp(f: Fn, primals: readonly Tracer[], vs: readonly Tracer[]): Tracer[] {
  return jvp((...a: Tracer[]) => grads(f)(...a), primals, vs)[1];
}

/** jacobian(f, argnum)(...args): d f(args) / d args[argnum], shape out.shape ++ arg.shape. */
export function jacobian(f: Fn, argnum = 0) {
  return (...args: Tracer[]): Tracer => {
    const r = vjp(f, args);
    const y = r.outs[0]!;
    const x = args[argnum]!;
    const m = y.shape.reduce((a, b) => a * b, 1);
    const basis = P.constant(identity(m), y.dtype, [m, m]);
    const { ys } = P.scan(
      (_c, [e]) => {
        const cts = [P.reshape(e!, y.shape), ...r.outs.slice(1).map(() => null)];
        return [[], [P.flatten(r.pullback(cts)[argnum]!)]];
      },
      [],
      [basis],
    );
    return P.reshape(ys[0]!, [...y.shape, ...x.shape]);
  };
}

/** The Hessian of a scalar function with respect to one argument. */
export const hessian = (f: Fn, argnum = 0) => jacobian((...a: Tracer[]) => grad(f, argnum)(...a), argnum);

function identity(m: number): Float64Array {
  const d = new Float64Array(m * m);
  for (let i = 0; i < m; i++) d[i * m + i] = 1;
  return d;
}
