// The derivative check shared by the per-primitive rows and the random graphs: for f over float64
// inputs it compares, against float64 finite differences on ref (tests/helpers/fd.ts),
//   reverse mode: grad of F(x) = sum_k sum(w_k * f_k(x)) (w random), per coordinate or along
//                 random directions,
//   forward mode: jvp(f)(x; v) for a random v,
//   second order: hvp(F)(x; v) and grad(x => <grad F(x), v>) against differences of the AD gradient.
// Tolerance: the issue's |error| <= 1e-6 + 1e-6*|value|.

import { grads, jvp, hvp, ops as P, isFloat, sizeOf, type Shape } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/ir/tracer.js';
import { compile, type Fn } from './run.js';
import * as fd from './fd.js';

const asList = (r: Tracer | Tracer[]): Tracer[] => (Array.isArray(r) ? r : [r]);

export interface CheckOptions {
  /** Which derivatives to check (default: all). */
  modes?: { rev?: boolean; fwd?: boolean; order2?: boolean };
  /** Compare the full gradient coordinate-wise (default) or only along `directions` random directions. */
  directions?: number;
  /** Seed for the weights and directions. */
  seed?: number;
  h?: number;
}

/** Splits one flat vector into per-input arrays. */
function unpack(x: Float64Array, shapes: readonly Shape[]): Float64Array[] {
  let off = 0;
  return shapes.map((s) => {
    const n = sizeOf(s);
    const r = x.subarray(off, off + n);
    off += n;
    return Float64Array.from(r);
  });
}
const concat = (xs: readonly Float64Array[]): Float64Array => {
  const out = new Float64Array(xs.reduce((a, x) => a + x.length, 0));
  let off = 0;
  for (const x of xs) {
    out.set(x, off);
    off += x.length;
  }
  return out;
};

/** The scalar functional F(x) = sum_k sum(w_k * f_k(x)) over the float outputs of f. */
export function linearFunctional(f: Fn, weights: readonly Float64Array[]): (...xs: Tracer[]) => Tracer {
  return (...xs) => {
    const outs = asList(f(...xs)).filter((o) => isFloat(o.dtype));
    let acc: Tracer | null = null;
    outs.forEach((o, k) => {
      const t = P.sum(P.mul(o, P.constant(weights[k]!, o.dtype, o.shape)));
      acc = acc ? P.add(acc, t) : t;
    });
    if (!acc) throw new Error('linearFunctional: f has no float output');
    return acc;
  };
}

export interface Checked {
  value: Float64Array[];
  grad?: Float64Array;
}

/** Runs every derivative check of f at the inputs xs (all float64); throws on a mismatch. */
export function checkDerivatives(
  f: Fn,
  shapes: readonly Shape[],
  xs: readonly Float64Array[],
  opts: CheckOptions = {},
): Checked {
  const modes = { rev: true, fwd: true, order2: true, ...opts.modes };
  const r = fd.rng(opts.seed ?? 1234);
  const h = opts.h ?? fd.FD_STEP;
  const m = shapes.length;
  const value = compile(f, shapes);
  const floatOuts = value.graph.outAvals.map((a, i) => [a, i] as const).filter(([a]) => isFloat(a.dtype));
  const weights = floatOuts.map(([a]) => fd.uniformVec(r, sizeOf(a.shape), -1, 1));
  const F = linearFunctional(f, weights);
  const X = concat(xs);
  const outsFlat = (x: Float64Array): Float64Array => {
    const o = value.run(...unpack(x, shapes));
    return concat(floatOuts.map(([, i]) => o[i]!));
  };
  const Fjs = (x: Float64Array): number => fd.dotVec(outsFlat(x), concat(weights));
  const randDir = () => fd.uniformVec(r, X.length, -1, 1);

  const gradAt = (x: Float64Array) => concat(gradG().run(...unpack(x, shapes)));
  let gradC: ReturnType<typeof compile> | undefined;
  const gradG = () => (gradC ??= compile((...a) => grads(F)(...a), shapes));
  const g = modes.rev || modes.order2 ? gradAt(X) : undefined;
  if (g && modes.rev) {
    // F's value through the gradient graph must agree with F itself (the forward sweep is reused).
    if (opts.directions === undefined) {
      fd.assertClose(g, fd.gradient(Fjs, X, h), 'reverse mode: grad vs finite differences');
    } else {
      for (let k = 0; k < opts.directions; k++) {
        const v = randDir();
        fd.assertClose(
          [fd.dotVec(g, v)],
          fd.directional((x) => Float64Array.of(Fjs(x)), X, v, h),
          `reverse mode: <grad, v> vs finite differences (direction ${k})`,
        );
      }
    }
  }
  if (modes.fwd) {
    const v = randDir();
    const jg = compile(
      (...a) => {
        const [outs, touts] = jvp(f, a.slice(0, m), a.slice(m));
        return touts.filter((_, i) => isFloat(outs[i]!.dtype));
      },
      [...shapes, ...shapes],
    );
    const t = concat(jg.run(...unpack(X, shapes), ...unpack(v, shapes)));
    fd.assertClose(t, fd.directional(outsFlat, X, v, h), 'forward mode: jvp vs finite differences');
  }
  if (g && modes.order2) {
    const v = randDir();
    const expected = fd.hvpByGradient(gradAt, X, v, h);
    const hg = compile((...a) => hvp(F, a.slice(0, m), a.slice(m)), [...shapes, ...shapes]);
    fd.assertClose(
      concat(hg.run(...unpack(X, shapes), ...unpack(v, shapes))),
      expected,
      'second order: hvp vs differences of the AD gradient',
    );
    const gg = compile(
      (...a) => {
        const vs = a.slice(m);
        const inner = (...ys: Tracer[]) => {
          const gs = grads(F)(...ys);
          return gs.map((gi, i) => P.sum(P.mul(gi, vs[i]!))).reduce((p, q) => P.add(p, q));
        };
        return grads(inner)(...a.slice(0, m));
      },
      [...shapes, ...shapes],
    );
    fd.assertClose(
      concat(gg.run(...unpack(X, shapes), ...unpack(v, shapes))),
      expected,
      'second order: grad of <grad, v> vs differences of the AD gradient',
    );
  }
  return { value: value.run(...xs), grad: g };
}

/**
 * For non-differentiable primitives: the derivative of F (float-cast outputs) is exactly zero in
 * both modes, and the graph still differentiates (no rule throws).
 */
export function checkZeroDerivatives(f: Fn, shapes: readonly Shape[], xs: readonly Float64Array[]): void {
  const m = shapes.length;
  const Fc = (...a: Tracer[]) => {
    const outs = asList(f(...a));
    return outs.map((o) => P.sum(P.cast(o, 'float64'))).reduce((p, q) => P.add(p, q));
  };
  const g = compile((...a) => grads(Fc)(...a), shapes).run(...xs);
  for (const gi of g)
    for (const v of gi) if (v !== 0) throw new Error(`expected a zero gradient, got [${Array.from(gi)}]`);
  const t = compile((...a) => jvp(Fc, a.slice(0, m), a.slice(m))[1], [...shapes, ...shapes]).run(
    ...xs,
    ...xs.map((x) => x.map(() => 1)),
  );
  for (const ti of t)
    for (const v of ti) if (v !== 0) throw new Error(`expected a zero tangent, got [${Array.from(ti)}]`);
}
