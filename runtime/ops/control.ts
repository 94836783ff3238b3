// Structured control flow: scan (a loop with carried state and stacked outputs), fixed_point
// (iterate to convergence; differentiated implicitly, never unrolled), while_loop (bounded, forward
// mode only) and customVjp (user-supplied reverse rule). Bodies are traced once into sub-graphs;
// values they capture from the enclosing trace become explicit inputs.

import { emit, zeros, type Tracer } from './core.js';
import { traceSub, TraceError } from '../ir/tracer.js';
import { Graph } from '../ir/graph.js';
import { aval, avalString, sameAVal, type AVal } from '../ir/types.js';

/** Moves a sub-trace's trailing capture inputs to the front: inputs become [caps..., args...]. */
function capsFirst(g: Graph, numArgs: number): Graph {
  return new Graph([...g.inputs.slice(numArgs), ...g.inputs.slice(0, numArgs)], g.eqns, g.outputs);
}

export interface ScanOptions {
  length?: number;
  reverse?: boolean;
}

/**
 * scan(f, init, xs): for t in 0..length, [carry, y_t] = f(carry, xs[t]); returns the final carry
 * and the ys stacked along a new leading axis.
 */
export function scan(
  f: (carry: Tracer[], x: Tracer[]) => [Tracer[], Tracer[]],
  init: readonly Tracer[],
  xs: readonly Tracer[],
  opts: ScanOptions = {},
): { carry: Tracer[]; ys: Tracer[] } {
  const length = opts.length ?? xs[0]?.shape[0];
  if (length === undefined) throw new TraceError('scan: give xs or an explicit length');
  for (const x of xs) {
    if (x.shape[0] !== length)
      throw new TraceError(`scan: every xs must have leading dimension ${length}, got [${x.shape}]`);
  }
  const carryAvals = init.map((c) => c.aval);
  const xAvals = xs.map((x) => aval(x.shape.slice(1), x.dtype));
  let numYs = 0;
  const sub = traceSub(
    (...args: Tracer[]) => {
      const [c, y] = f(args.slice(0, init.length), args.slice(init.length));
      if (c.length !== init.length)
        throw new TraceError(`scan: the body returned ${c.length} carries, expected ${init.length}`);
      c.forEach((ci, i) => {
        if (!sameAVal(ci.aval, carryAvals[i]!)) {
          throw new TraceError(
            `scan: carry ${i} changes type from ${avalString(carryAvals[i]!)} to ${avalString(ci.aval)}`,
          );
        }
      });
      numYs = y.length;
      return [...c, ...y];
    },
    [...carryAvals, ...xAvals],
  );
  const body = capsFirst(sub.graph, init.length + xs.length);
  const outs = emit('scan', [...sub.captures, ...init, ...xs], {
    body,
    length,
    numConsts: sub.captures.length,
    numCarry: init.length,
    reverse: opts.reverse ?? false,
  });
  void numYs;
  return { carry: outs.slice(0, init.length), ys: outs.slice(init.length) };
}

export interface FixedPointOptions {
  tol?: number;
  maxIter?: number;
}

/**
 * fixedPoint(f, x0, theta): iterates x <- f(x, ...theta) until max|x' - x| <= tol * (1 + max|x|).
 * Derivatives with respect to theta use the implicit function theorem; x0 gets none.
 */
export function fixedPoint(
  f: (x: Tracer, ...theta: Tracer[]) => Tracer,
  x0: Tracer,
  theta: readonly Tracer[],
  opts: FixedPointOptions = {},
): Tracer {
  const sub = traceSub(
    (x: Tracer, ...th: Tracer[]) => {
      const y = f(x, ...th);
      if (!sameAVal(y.aval, x0.aval))
        throw new TraceError(`fixedPoint: f maps ${avalString(x0.aval)} to ${avalString(y.aval)}`);
      return y;
    },
    [x0.aval, ...theta.map((t) => t.aval)],
  );
  return emit('fixed_point', [x0, ...theta, ...sub.captures], {
    body: sub.graph,
    tol: opts.tol ?? 1e-10,
    maxIter: opts.maxIter ?? 1000,
  })[0]!;
}

/** whileLoop(cond, body, init, maxIter): runs body while cond holds, at most maxIter times. */
export function whileLoop(
  cond: (state: Tracer[]) => Tracer,
  body: (state: Tracer[]) => Tracer[],
  init: readonly Tracer[],
  maxIter: number,
): Tracer[] {
  const avals = init.map((t) => t.aval);
  const c = traceSub((...s: Tracer[]) => {
    const r = cond(s);
    if (r.dtype !== 'bool' || r.rank !== 0) throw new TraceError('whileLoop: cond must return a bool scalar');
    return r;
  }, avals);
  const b = traceSub((...s: Tracer[]) => {
    const r = body(s);
    r.forEach((x, i) => {
      if (!sameAVal(x.aval, avals[i]!)) throw new TraceError(`whileLoop: state ${i} changes type`);
    });
    return r;
  }, avals);
  return emit('while_loop', [...c.captures, ...b.captures, ...init], {
    cond: capsFirst(c.graph, init.length),
    body: capsFirst(b.graph, init.length),
    numCondConsts: c.captures.length,
    numBodyConsts: b.captures.length,
    maxIter,
  });
}

/**
 * customVjp(fun, fwd, bwd): a function whose reverse-mode derivative is given by the user.
 * fwd returns the outputs plus residuals; bwd maps (residuals, output cotangents) to one cotangent
 * per argument (null for none). Forward mode differentiates `fun` itself.
 */
export function customVjp(
  fun: (...args: Tracer[]) => Tracer[],
  fwd: (...args: Tracer[]) => { outs: Tracer[]; residuals: Tracer[] },
  bwd: (residuals: Tracer[], cts: Tracer[]) => (Tracer | null)[],
): (...args: Tracer[]) => Tracer[] {
  return (...args: Tracer[]) => {
    const avals = args.map((a) => a.aval);
    const funT = traceSub((...a: Tracer[]) => fun(...a), avals);
    const outAvals = funT.graph.outAvals;
    let numResiduals = 0;
    let resAvals: AVal[] = [];
    const fwdT = traceSub((...a: Tracer[]) => {
      const r = fwd(...a);
      numResiduals = r.residuals.length;
      resAvals = r.residuals.map((x) => x.aval);
      return [...r.outs, ...r.residuals];
    }, avals);
    const bwdT = traceSub(
      (...rc: Tracer[]) => {
        const cts = bwd(rc.slice(0, numResiduals), rc.slice(numResiduals));
        if (cts.length !== args.length)
          throw new TraceError(`customVjp: bwd returned ${cts.length} cotangents for ${args.length} arguments`);
        return cts.map((c, i) => {
          if (c === null) return zeros(avals[i]!.shape, avals[i]!.dtype);
          if (!sameAVal(c.aval, avals[i]!))
            throw new TraceError(
              `customVjp: cotangent ${i} is ${avalString(c.aval)}, expected ${avalString(avals[i]!)}`,
            );
          return c;
        });
      },
      [...resAvals, ...outAvals],
    );
    return emit('custom_vjp', [...args, ...funT.captures, ...fwdT.captures, ...bwdT.captures], {
      fun: funT.graph,
      fwd: fwdT.graph,
      bwd: bwdT.graph,
      numArgs: args.length,
      numResiduals,
      numFunCaps: funT.captures.length,
      numFwdCaps: fwdT.captures.length,
      numBwdCaps: bwdT.captures.length,
    });
  };
}
