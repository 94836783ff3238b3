// Tagged templates: results against closed forms, the per-site caches counted (a second call with
// new data of the same shapes parses, checks and traces nothing: the parser, the checker and the
// tracer are wrapped to count their calls), interpolations that try to inject source text,
// messages on the template as written, the kinds of values accepted (typed arrays, tf.Tensors,
// { data, shape }), declared and inferred dimensions, solve/infer overrides, grad and graph.

import { describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';

const counts = vi.hoisted(() => ({ parse: 0, check: 0, trace: 0 }));
vi.mock('../../grammar/index.js', async (orig) => {
  const m = await orig<typeof import('../../grammar/index.js')>();
  return { ...m, parse: (...a: Parameters<typeof m.parse>) => (counts.parse++, m.parse(...a)) };
});
vi.mock('../../compiler/front/check_program.js', async (orig) => {
  const m = await orig<typeof import('../../compiler/front/check_program.js')>();
  return {
    ...m,
    checkProgram: (...a: Parameters<typeof m.checkProgram>) => (counts.check++, m.checkProgram(...a)),
  };
});
vi.mock('../../runtime/index.js', async (orig) => {
  const m = await orig<typeof import('../../runtime/index.js')>();
  return { ...m, trace: (...a: Parameters<typeof m.trace>) => (counts.trace++, m.trace(...a)) };
});

const { opt, templateCounters, TemplateError } = await import('../../index.js');

/** The least-squares solution by the normal equations (2 unknowns). */
function normal(A: number[][], b: number[]): number[] {
  let [a, c, d, u, v] = [0, 0, 0, 0, 0];
  A.forEach((r, i) => {
    a += r[0]! * r[0]!;
    c += r[0]! * r[1]!;
    d += r[1]! * r[1]!;
    u += r[0]! * b[i]!;
    v += r[1]! * b[i]!;
  });
  const det = a * d - c * c;
  return [(d * u - c * v) / det, (a * v - c * u) / det];
}

const leastSquares = (A: number[][] | Float64Array[], b: number[] | Float64Array) =>
  opt<{ x: number[] }>`var x: real[n]
minimize sumsq(${A} @ x - ${b})`;

/** The message of what `f` throws. */
function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateError);
    return (e as Error).message.replace(/^opt template at [^\n]*\n/, '');
  }
  throw new Error('expected a TemplateError');
}

describe('opt templates', () => {
  it('solve least squares, with n inferred from the columns of A', async () => {
    const A = [
      [1, 0],
      [0, 2],
      [1, 1],
    ];
    const r = await leastSquares(A, [1, 2, 3]).solve();
    expect(r.status).toBe('converged');
    r.values.x.forEach((v, i) => expect(v).toBeCloseTo(normal(A, [1, 2, 3])[i]!, 8));
  });

  it('parse and check once per site, bind and trace once per shapes; new data of the same shapes does none', async () => {
    const A1 = [
      [1, 2],
      [3, 4],
      [5, 7],
    ];
    // A site of its own (a template site is where `opt` appears in the source).
    const fit = (A: number[][], b: number[] | Float64Array) =>
      opt<{ x: number[] }>`var x: real[n]\nminimize sumsq(${A} @ x - ${b})`;
    const before = { ...templateCounters };
    const first = await fit(A1, [1, 0, 1]).solve();
    const c1 = { ...counts };
    const t1 = { ...templateCounters };
    expect(t1.parses - before.parses).toBe(1);
    expect(t1.checks - before.checks).toBe(1);
    expect(t1.binds - before.binds).toBe(1);
    expect(c1.trace).toBeGreaterThan(0);

    // Same shapes, new numbers: no parse, no check, no trace; the executables are rebound.
    const A2 = [
      [2, 1],
      [0, 1],
      [1, 3],
    ];
    const b2 = Float64Array.from([4, 1, 2]);
    const second = await fit(A2, b2).solve();
    expect({ ...counts }).toEqual(c1);
    expect({ ...templateCounters }).toEqual(t1);
    second.values.x.forEach((v, i) => expect(v).toBeCloseTo(normal(A2, [4, 1, 2])[i]!, 8));
    expect(first.values.x).not.toEqual(second.values.x);

    // New shapes: bound and traced again, still no parse or check.
    const A3 = [...A2, [1, 1]];
    await fit(A3, [4, 1, 2, 0]).solve();
    expect(templateCounters.parses).toBe(t1.parses);
    expect(templateCounters.checks).toBe(t1.checks);
    expect(templateCounters.binds).toBe(t1.binds + 1);
    expect(counts.parse).toBe(c1.parse);
    expect(counts.trace).toBeGreaterThan(c1.trace);
  });

  it('programs of one site with different data run side by side, each on its own data', async () => {
    const make = (s: number) =>
      leastSquares(
        [
          [1, 0],
          [0, 1],
        ],
        [s, 2 * s],
      );
    const [r1, r2] = await Promise.all([make(1).solve(), make(5).solve()]);
    expect(r1.values.x[0]).toBeCloseTo(1, 8);
    expect(r2.values.x[0]).toBeCloseTo(5, 8);
  });

  it.each([
    ['1) + y; var y: real //'],
    ['x"; var y: real\nminimize y'],
    ['\\" + 1'],
    ['}\nvar z: real\nminimize z\n{'],
    ['0'],
    ['${b}'],
  ])('an interpolated string cannot change the program: %j', (s) => {
    const msg = thrown(
      () => opt`var x: real
minimize (x - ${s})^2`,
    );
    // Exactly one message, about the string as a value: nothing of its text became syntax.
    expect(msg).toBe(
      [
        'template:2:15: error: `${0}` is a string, not a value',
        ' 2 | minimize (x - ${0})^2',
        '   |               ^~~~',
        `  hint: \${0} is the string ${JSON.stringify(s)}`,
      ].join('\n'),
    );
  });

  it('a string is a string where one fits: `data from ${path}`', async () => {
    const path = join(import.meta.dirname, 'fixtures', 'ls.json');
    const r = await opt<{ x: number[] }>`data from ${path} {
  A: real[m, n]
  b: real[m]
}
var x: real[n]
minimize sumsq(A @ x - b)`.solve();
    expect(r.values.x[0]).toBeCloseTo(13 / 9, 8);
  });

  it('an interpolation is never a name, never glued to text, never inside a comment or string', () => {
    expect(thrown(() => opt`var ${1}: real\nminimize 1`)).toBe(
      [
        'template:1:5: error: ${0}: an interpolation is a value, never a name',
        ' 1 | var ${0}: real',
        '   |     ^~~~',
      ].join('\n'),
    );
    expect(thrown(() => opt`var x: real\nminimize x${2}`)).toContain(
      'template:2:11: error: ${0}: an interpolation must stand alone as a value',
    );
    expect(thrown(() => opt`var x: real // ${3}\nminimize x^2`)).toContain(
      'template:1:16: error: ${0} is inside a comment, where it would be ignored',
    );
  });

  it('errors point into the template and say which interpolation they concern', () => {
    expect(thrown(() => opt`var x: real[${3}]\nminimize sumsq(x - ${[1, 2]})`)).toBe(
      [
        'template:2:16: error: `x - ${1}`: x is [${0}] and ${1} is [${1}.shape[0]]; the lengths ${0} and ${1}.shape[0] must be equal (${0} = 3, ${1}.shape[0] = 2)',
        ' 2 | minimize sumsq(x - ${1})',
        '   |                ^~~~~~~~',
        '  hint: ${0} is the number 3; ${1} is an array of length 2',
      ].join('\n'),
    );
    expect(thrown(() => opt`var x: real[3]\nminimize sumsq(x - ${Float64Array.of(1, NaN, 3)})`)).toBe(
      [
        'template:2:20: error: data `${0}[1]` in the template is NaN; `${0}` must be finite',
        ' 2 | minimize sumsq(x - ${0})',
        '   |                    ^~~~',
        '  hint: ${0} is a Float64Array of length 3',
      ].join('\n'),
    );
    expect(thrown(() => opt`data { s: real > 0 = ${-1} }\nvar x: real\nminimize (x - s)^2`)).toBe(
      [
        'template:1:16: error: data `s` in the template is -1, outside its domain > 0',
        ' 1 | data { s: real > 0 = ${0} }',
        '   |                ^~~',
        '  hint: `s` is ${0}, the number -1',
      ].join('\n'),
    );
    expect(thrown(() => opt`var x: real\nminimize (x - ${{} as never})^2`)).toContain(
      '${0}: cannot be data: it is an object; pass a number, an array, a typed array, a tf.Tensor or { data, shape }',
    );
  });

  it('an unbound dimension that the values cannot decide is an error that says how to state it', () => {
    expect(thrown(() => opt`var x: real[n]\nminimize sumsq(x)`)).toContain(
      'template:1:13: error: cannot infer the dimension `n`: no interpolated value has a shape\n 1 | var x: real[n]\n   |             ^\n  hint: state it: interpolate it (`real[${n}]`) or declare data that binds it (`data A: real[m, n] = ${A}`)',
    );
    expect(thrown(() => opt`var x: real[n]\nminimize sumsq(x) + sumsq(${[1, 2]}) + sumsq(${[1, 2, 3]})`)).toContain(
      'cannot infer the dimension `n`: the interpolated values fit n = 2 and n = 3',
    );
  });

  it('declared data bind their dimensions: data A: real[m, n] = ${A}', async () => {
    const A = [
      [1, 0],
      [0, 2],
      [1, 1],
    ];
    const p = opt<{ x: number[] }>`data { A: real[m, n] = ${A}; lambda: real = 0.1 }
var x: real[n]
minimize sumsq(A @ x - ${[1, 2, 3]}) + lambda * sumsq(x)`;
    expect(p.check().algorithm?.name).toBe('lbfgs');
    const r = await p.solve();
    expect(r.status).toBe('converged');
    // (A'A + 0.1 I) x = A'b
    const [a, c, d] = [2.1, 1, 5.1];
    const [u, v] = [4, 7];
    expect(r.values.x[0]).toBeCloseTo((d * u - c * v) / (a * d - c * c), 8);
  });

  it('typed arrays, arrays of rows, tf.Tensors and { data, shape } are data of their kind', async () => {
    const rows = [Float64Array.of(1, 2), Float64Array.of(3, 4), Float64Array.of(5, 7)];
    const b = [1, 2, 3];
    const want = normal(
      rows.map((r) => [...r]),
      b,
    );
    for (const A of [
      rows,
      tf.tensor2d([
        [1, 2],
        [3, 4],
        [5, 7],
      ]),
      { data: Float32Array.of(1, 2, 3, 4, 5, 7), shape: [3, 2] },
    ]) {
      const r = await opt<{ x: number[] }>`var x: real[n]\nminimize sumsq(${A} @ x - ${b})`.solve();
      r.values.x.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    }
    // Int32Array is int data: it may index and size things.
    const idx = Int32Array.of(2, 0);
    const r = await opt<{ x: number[] }>`var x: real[3]
minimize sumsq(x - ${[1, 2, 3]}) + sumsq(x[${idx}])`.solve();
    expect(r.values.x[1]).toBeCloseTo(2, 6);
    expect(r.values.x[0]).toBeCloseTo(0.5, 6);
  });

  it('infer: a conjugate normal mean from typed-array data matches the exact posterior', async () => {
    const y = Float64Array.from([2.1, 1.9, 2.4, 1.7, 2.2, 2.0, 1.8, 2.3]);
    const m = opt<{ mu: number }>`param mu: real
model {
  mu ~ Normal(0, 10)
  ${y} ~ Normal(mu, 0.5)
}`;
    const r = await m.infer({ options: { steps: 2000, samples: 4 }, seed: 3 });
    const prec = 1 / 100 + y.length / 0.25;
    const mean = y.reduce((a, x) => a + x, 0) / 0.25 / prec;
    expect(r.values.mu).toBeCloseTo(mean, 1);
    expect(r.posterior!.mu.sd).toBeCloseTo(1 / Math.sqrt(prec), 1);
    // solve() on the same model: its MAP estimate by lbfgs.
    const map = await m.solve();
    expect(map.values.mu).toBeCloseTo(mean, 8);
  });

  it('solve(options) overrides the method and its options; an AbortSignal stops the run', async () => {
    const p = leastSquares(
      [
        [1, 0],
        [0, 1],
      ],
      [1, 2],
    );
    const r = await p.solve({ method: 'adam', options: { lr: 0.05 }, steps: 7 });
    expect(r.options.method).toBe('adam');
    expect(r.options.lr).toBe(0.05);
    expect(r.steps).toBe(7);
    const ac = new AbortController();
    ac.abort();
    const s = await p.solve({ method: 'adam', signal: ac.signal });
    expect(s.status).toBe('stopped');
    await expect(p.solve({ method: 'adam', options: { lr: 'fast' } })).rejects.toThrow(
      'options:1:17: error: adam(lr = ...): expected a number, got `fast`\n 1 | solve adam(lr = fast)\n   |                 ^~~~',
    );
  });

  it('grad(name, at) is the gradient of the objective; graph() shows the compiled graph', async () => {
    const A = [
      [1, 2],
      [3, 4],
    ];
    const p = leastSquares(A, [1, 1]);
    // d/dx |Ax - b|^2 = 2 A'(Ax - b) at x = (1, 0): Ax - b = (0, 2) -> (12, 16)
    expect(await p.grad('x', { x: [1, 0] })).toEqual([12, 16]);
    // Each call's data, the start values included, even when the programs share executables.
    const fromStart = (x0: number[]) => opt<{ x: number[] }>`var x: real[2]\nstart x = ${x0}\nminimize sumsq(x)`;
    const [g1, g2] = [fromStart([1, 2]), fromStart([3, 1])];
    expect(await g2.grad('x')).toEqual([6, 2]);
    expect(await g1.grad('x')).toEqual([2, 4]);
    const g = await p.graph();
    expect(g).toContain('// inputs: theta (2: x [0, 2)), ${0}, ${1}');
    expect(g).toMatch(/matmul/);
  });
});
