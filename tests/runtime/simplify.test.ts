// Graph passes and the pretty-printer, tested through inline snapshots of printed graphs.
import { describe, expect, it } from 'vitest';
import {
  trace,
  grad,
  ops as P,
  printGraph,
  simplify,
  dce,
  cse,
  constantFold,
  algebraic,
  runRef,
  toRefArray,
  countEqns,
} from '../../runtime/index.js';

const run = (g: ReturnType<typeof trace>, ...xs: number[][]) =>
  runRef(
    g,
    xs.map((x, i) => toRefArray(x, g.inputs[i]!.aval)),
  ).map((r) => Array.from(r.data));

describe('printer', () => {
  it('names variables by order of definition, independent of ids', () => {
    const f = (x: P.Tracer) => P.exp(P.neg(x));
    expect(printGraph(trace(f, [[2]]))).toBe(printGraph(trace(f, [[2]])));
    expect(printGraph(trace(f, [[2]]))).toMatchInlineSnapshot(`
      "{ lambda a:f64[2] .
        b:f64[2] = neg a
        c:f64[2] = exp b
        in (c) }"
    `);
  });
});

describe('passes', () => {
  it('dce removes unused equations', () => {
    const g = trace(
      (x) => {
        P.exp(x);
        return P.sin(x);
      },
      [[2]],
    );
    expect(printGraph(dce(g))).toMatchInlineSnapshot(`
      "{ lambda a:f64[2] .
        b:f64[2] = sin a
        in (b) }"
    `);
  });

  it('cse merges identical equations', () => {
    const g = trace((x) => P.add(P.sin(x), P.sin(x)), [[2]]);
    expect(countEqns(cse(g))).toBe(2);
  });

  it('constant folding evaluates constant subexpressions', () => {
    const g = trace((x) => P.mul(x, P.exp(P.constant([0, 1]))), [[2]]);
    expect(printGraph(dce(constantFold(g)))).toMatchInlineSnapshot(`
      "{ lambda a:f64[2] .
        b:f64[2] = constant[dtype=float64 shape=[2] value=[1,2.71828]]
        c:f64[2] = mul a b
        in (c) }"
    `);
  });

  it('algebraic identities: x*1, x+0, x-0, x/1, --x, x-x', () => {
    const g = trace((x) => P.add(P.sub(P.div(P.mul(P.neg(P.neg(x)), 1), 1), 0), P.sub(x, x)), [[3]]);
    expect(printGraph(simplify(g))).toMatchInlineSnapshot(`
      "{ lambda a:f64[3] .
        in (a) }"
    `);
    expect(run(simplify(g), [1, 2, 3])).toEqual([[1, 2, 3]]);
  });

  it('simplify shrinks a gradient graph and keeps its values', () => {
    const f = (x: P.Tracer) => P.sum(P.mul(P.sin(x), 2));
    const g = trace((x) => grad(f)(x), [[3]]);
    const s = simplify(g);
    expect(countEqns(s)).toBeLessThan(countEqns(g));
    expect(run(s, [1, 2, 3])).toEqual(run(g, [1, 2, 3]));
    expect(printGraph(s)).toMatchInlineSnapshot(`
      "{ lambda a:f64[3] .
        b:f64[] = constant[dtype=float64 shape=[] value=[2]]
        c:f64[3] = broadcast_in_dim[dims=[] shape=[3]] b
        d:f64[3] = cos a
        e:f64[3] = mul c d
        in (e) }"
    `);
  });

  it('simplifies inside scan bodies', () => {
    const g = trace(
      (x) => P.scan(([c], [xi]) => [[P.add(c, P.mul(P.mul(xi, 1), xi))], []], [P.zeros([])], [x]).carry[0]!,
      [[4]],
    );
    expect(printGraph(simplify(g))).toMatchInlineSnapshot(`
      "{ lambda a:f64[4] .
        b:f64[] = constant[dtype=float64 shape=[] value=[0]]
        c:f64[] = scan[body={ lambda a:f64[] b:f64[] .
          c:f64[] = mul b b
          d:f64[] = add a c
          in (d) } length=4 numCarry=1 numConsts=0 reverse=false] b a
        in (c) }"
    `);
    expect(run(simplify(g), [1, 2, 3, 4])).toEqual([[30]]);
  });

  it('A u + A v becomes A (u + v) when each product is read only by the sum (the gradient of X @ w written twice)', () => {
    const [n, d] = [6, 3];
    const X = Array.from({ length: n * d }, (_, i) => Math.sin(i + 1));
    const y = Array.from({ length: n }, (_, i) => i % 2);
    const loss = (w: P.Tracer) => {
      const Xc = P.reshape(P.constant(X), [n, d]);
      const yc = P.constant(y);
      return P.mean(P.sub(P.softplus(P.matmul(Xc, w)), P.mul(yc, P.matmul(Xc, w))));
    };
    const g = trace((w) => grad(loss)(w), [[d]]);
    const matmuls = (h: ReturnType<typeof trace>) => h.eqns.filter((e) => e.prim === 'matmul').length;
    expect(matmuls(dce(cse(g)))).toBe(3); // X w merged; two products with X'
    const s = simplify(g);
    expect(matmuls(s)).toBe(2); // X w once, X' (u + v) once
    const w = [0.3, -0.2, 0.5];
    const [a, b] = [run(g, w)[0]!, run(s, w)[0]!];
    a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-14));
  });

  it('keeps both products when one is also read elsewhere', () => {
    const g = trace(
      (A, u, v) => {
        const au = P.matmul(A!, u!);
        return [P.add(au, P.matmul(A!, v!)), P.exp(au)];
      },
      [[2, 2], [2], [2]],
    );
    expect(simplify(g).eqns.filter((e) => e.prim === 'matmul').length).toBe(2);
    expect(algebraic(g).eqns.some((e) => e.prim === 'add')).toBe(true);
  });
});
