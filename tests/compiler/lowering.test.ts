// Lowering, seen through the printed graphs: what each construct becomes in the IR (inline
// snapshots, reviewed by hand), plus the structural promises: loops are one scan whatever their
// length, constrained params carry their transform, data-only work lands in the plan's data
// stage, and the dot/json renderings agree with the text.

import { describe, expect, it } from 'vitest';
import { compile, compiledGraphText, type SourceInput } from '../../index.js';
import { primCounts, countEqns } from '../helpers/run.js';

const src = (source: string): SourceInput => ({ source, file: 'lower.opt' });
const graphOf = async (source: string, data: Record<string, unknown> = {}, grad = false) =>
  compiledGraphText(await compile(src(source), { data, backend: 'ref' }), { grad });

describe('lowering', () => {
  it('a smooth objective: ops in source order, `^2` as a product', async () => {
    expect(await graphOf('var x: real[2]\nminimize sumsq(x - 1) + x[0]^2')).toMatchInlineSnapshot(`
      "// value of the objective (to minimize)
      // inputs: theta (2: x [0, 2))
      // plan: 2 constant, 0 data-only (run once per data binding), 7 per step
      { lambda a:f64[2] .
        b:f64[] = constant[dtype=float64 shape=[] value=[1]]
        c:f64[2] = broadcast_in_dim[dims=[] shape=[2]] b
        d:f64[2] = sub a c
        e:f64[2] = mul d d
        f:f64[] = reduce_sum[axes=[0]] e
        g:f64[1] = slice[limits=[1] starts=[0] strides=[1]] a
        h:f64[] = reshape[shape=[]] g
        i:f64[] = mul h h
        j:f64[] = add f i
        in (j) }
      "
    `);
  });

  it('maximize negates; the gradient graph returns value and gradient', async () => {
    expect(await graphOf('var x: real\nmaximize -(x - 3)^2', {}, true)).toMatchInlineSnapshot(`
      "// value and gradient of the objective (to minimize)
      // inputs: theta (1: x [0, 1))
      // plan: 1 constant, 0 data-only (run once per data binding), 5 per step
      { lambda a:f64[1] .
        b:f64[] = reshape[shape=[]] a
        c:f64[] = constant[dtype=float64 shape=[] value=[3]]
        d:f64[] = sub b c
        e:f64[] = mul d d
        f:f64[] = add d d
        g:f64[1] = reshape[shape=[1]] f
        in (e, g) }
      "
    `);
  });

  it('a constrained param: slice, transform (exp for a lower bound) and no Jacobian in MAP', async () => {
    expect(await graphOf('param s: real > 1\nmodel { target += -s }\nsolve lbfgs')).toMatchInlineSnapshot(`
      "// value of the objective (to minimize)
      // inputs: theta (1: s [0, 1) lower)
      // plan: 1 constant, 0 data-only (run once per data binding), 3 per step
      { lambda a:f64[1] .
        b:f64[] = constant[dtype=float64 shape=[] value=[1]]
        c:f64[] = reshape[shape=[]] a
        d:f64[] = exp c
        e:f64[] = add b d
        in (e) }
      "
    `);
  });

  it('functions inline; indices are 0-based, negative from the end; slices are half-open', async () => {
    expect(await graphOf('var x: real[4]\nfn sq(a) = a * a\nminimize sq(x[-1]) + sum(x[1:3])')).toMatchInlineSnapshot(`
      "// value of the objective (to minimize)
      // inputs: theta (4: x [0, 4))
      // plan: 0 constant, 0 data-only (run once per data binding), 6 per step
      { lambda a:f64[4] .
        b:f64[1] = slice[limits=[4] starts=[3] strides=[1]] a
        c:f64[] = reshape[shape=[]] b
        d:f64[] = mul c c
        e:f64[2] = slice[limits=[3] starts=[1] strides=[1]] a
        f:f64[] = reduce_sum[axes=[0]] e
        g:f64[] = add d f
        in (g) }
      "
    `);
  });

  it('a loop with carried state is one scan, the same size for any trip count', async () => {
    const prog =
      'data { T: int; y: real[T] }\nparam rho: real\nmodel {\n  state h = 0.0\n  for t in 1..T {\n    h = rho * h + y[t - 1]\n    y[t] ~ Normal(h, 1)\n  }\n}\nsolve lbfgs';
    const small = await compile(src(prog), { data: { T: 5, y: [1, 2, 3, 4, 5] }, backend: 'ref' });
    const big = await compile(src(prog), {
      data: { T: 500, y: Array.from({ length: 500 }, (_, i) => Math.sin(i)) },
      backend: 'ref',
    });
    for (const c of [small, big]) expect(primCounts(c.graphs.objective!).get('scan')).toBe(1);
    expect(countEqns(big.graphs.objective!)).toBe(countEqns(small.graphs.objective!));
    expect(countEqns(big.graphs.objectiveGrad!)).toBe(countEqns(small.graphs.objectiveGrad!));
  });

  it('`..=` is inclusive and `..` half-open', async () => {
    const incl = await compile(
      src('var x: real\nfn f(v) {\n  state s = 0.0\n  for i in 0..=3 { s += v * i }\n  s\n}\nminimize (f(x) - 6)^2'),
      { backend: 'ref' },
    );
    const half = await compile(
      src('var x: real\nfn f(v) {\n  state s = 0.0\n  for i in 0..3 { s += v * i }\n  s\n}\nminimize (f(x) - 6)^2'),
      { backend: 'ref' },
    );
    expect(incl.objective!.evaluate(Float64Array.of(1), 0).f).toBeCloseTo(0, 12); // 0+1+2+3 = 6
    expect(half.objective!.evaluate(Float64Array.of(1), 0).f).toBeCloseTo(9, 12); // 0+1+2 = 3
  });

  it("data-only expressions are preprocessing: they run in the plan's data stage, once", async () => {
    const text = await graphOf(
      'data { X: real[n, d]; y: real[n] }\nvar w: real[d]\nlet G = transpose(X) @ X\nlet c = transpose(X) @ y\nminimize 0.5 * dot(w, G @ w) - dot(c, w)',
      {
        X: [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        y: [1, 2, 3],
      },
    );
    const plan = /plan: (\d+) constant, (\d+) data-only \(run once per data binding\), (\d+) per step/.exec(text)!;
    expect(Number(plan[2])).toBeGreaterThanOrEqual(2);
  });

  it('dot and json renderings', async () => {
    const c = await compile(src('var x: real[2]\nminimize sumsq(x)'), { backend: 'ref' });
    const dot = compiledGraphText(c, { format: 'dot' });
    expect(dot).toMatch(/^digraph proxima \{/);
    expect(dot).toMatch(/"a" \[shape=box, label="theta: a float64\[2\]"\]/);
    const json = JSON.parse(compiledGraphText(c, { format: 'json', grad: true })) as {
      inputs: { name: string; label: string }[];
      eqns: { prim: string }[];
      outputs: string[];
    };
    expect(json.inputs[0]).toEqual({ name: 'a', aval: 'float64[2]', label: 'theta' });
    expect(json.outputs).toHaveLength(2);
    expect(json.eqns.map((e) => e.prim)).toContain('reduce_sum');
  });
});
