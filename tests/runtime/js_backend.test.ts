// The js backend (generated JavaScript over preallocated float64 buffers) against the float64 ref
// backend: the whole primitive table (tests/runtime/conformance_cases.ts), each row's gradient graph, and
// fused structures the rows alone do not reach (views read inside loops, reductions fused with
// their producers, regions that must close, control flow bodies reading outer buffers in place).
// Agreement: int32 and bool exact; floats within 1e-12 (1 + |ref|), since only the summation
// order of dot products differs from ref.

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { trace, valueAndGrad, hvp, primNames, ops as P, isFloat } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/ir/tracer.js';
import type { Graph } from '../../runtime/ir/graph.js';
import { compileSync } from '../../runtime/backends/index.js';
import type { HostArray } from '../../runtime/backends/types.js';
import { makeInput, seeded, PRIM_ROWS as rows } from './conformance_cases.js';
import { build, describeProg, inputsOf, programArb } from './random_grammar.js';

export function expectClose(actual: HostArray, expected: HostArray, what: string): void {
  expect(actual.shape, `${what}: shape`).toEqual(expected.shape);
  expect(actual.data.constructor, `${what}: array type`).toBe(expected.data.constructor);
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i]!,
      a = actual.data[i]!;
    if (Object.is(e, a) || e === a) continue;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!(Math.abs(a - e) <= 1e-12 * (1 + Math.abs(e)))) expect.fail(`${what}[${i}]: js ${a} vs ref ${e}`);
  }
}

/** Runs g on ref and js (the same inputs) and compares every output. */
export function checkJs(g: Graph, inputs: HostArray[], what: string): HostArray[] {
  const ref = compileSync(g, { backend: 'ref' }).run(inputs);
  const js = compileSync(g, { backend: 'js' });
  const out = js.run(inputs);
  out.forEach((o, k) => expectClose(o, ref[k]!, `${what}, output ${k}`));
  // A second call on the same buffers gives the same values (no state leaks between calls).
  js.run(inputs).forEach((o, k) => expectClose(o, ref[k]!, `${what} (second call), output ${k}`));
  return ref;
}

describe('the primitive table on js agrees with ref', () => {
  it('has one row per primitive', () => {
    expect(Object.keys(rows).sort()).toEqual([...primNames].sort());
  });
  for (const name of Object.keys(rows)) {
    it(name, () => {
      const row = rows[name]!;
      const avals = row.args.map(([shape, dtype]) => ({ shape, dtype: dtype ?? ('float64' as const) }));
      const g = trace((...xs) => row.f(...xs), avals);
      const r = seeded(name.length * 7919 + name.charCodeAt(0));
      const inputs = g.inputs.map((v, i) => makeInput(v.aval, row.args[i]![2] ?? 'normal', r));
      checkJs(g, inputs, name);
      // The reverse-mode graph of sum(w * outputs) over the float inputs, where there is one.
      const floatIn = avals.map((a) => isFloat(a.dtype));
      if (!floatIn.some((f) => f) || name === 'while_loop') return;
      const scalar = (...xs: Tracer[]) => {
        const outs = [row.f(...xs)].flat().filter((o) => isFloat(o.dtype));
        return outs.reduce<Tracer>((acc, o, k) => P.add(acc, P.sum(P.mul(P.sin(P.mul(o, k + 1)), 0.5))), P.constant(0));
      };
      const wrt = floatIn.flatMap((f, i) => (f ? [i] : []));
      const gg = trace((...xs) => valueAndGrad(scalar, wrt)(...xs)[1], avals);
      checkJs(gg, inputs, `${name} gradient`);
    });
  }
});

describe('random expression graphs on js agree with ref', () => {
  // The grammar of random_graphs.test.ts: values, gradients and Hessian-vector products.
  it('values, gradients and hvps', () => {
    fc.assert(
      fc.property(programArb(8), (prog) => {
        const f = build(prog);
        const avals = prog.shapes.map((shape) => ({ shape, dtype: 'float64' as const }));
        const scalar = (...xs: Tracer[]) =>
          f(...xs).reduce<Tracer>(
            (acc, o, k) => P.add(acc, P.sum(P.mul(P.cos(P.mul(o, 0.3 * (k + 1))), 1.5))),
            P.constant(0),
          );
        const all = prog.shapes.map((_, i) => i);
        const g = trace(
          (...xs) => [
            ...f(...xs),
            ...valueAndGrad(scalar, all)(...xs)[1],
            ...hvp(
              scalar,
              xs,
              xs.map((x) => P.sin(x)),
            ),
          ],
          avals,
        );
        const inputs = inputsOf(prog).map((data, i) => ({ data, shape: prog.shapes[i]! }));
        try {
          checkJs(g, inputs, 'program');
        } catch (e) {
          throw new Error(`${describeProg(prog)}\n${(e as Error).message}`);
        }
      }),
      { numRuns: 60, seed: 20261201 },
    );
  });
});

describe('js loop nests and kernels', () => {
  const r = seeded(4242);
  const f64 = (shape: number[]) => makeInput({ shape, dtype: 'float64' }, 'normal', r);
  const cases: [string, [number[], 'float64' | 'int32'][], (...x: Tracer[]) => Tracer | Tracer[]][] = [
    [
      'reductions over leading, trailing and all axes',
      [[[5, 7], 'float64']],
      (x) => [P.sum(x!, 0), P.max(x!, 1), P.sum(P.exp(x!))],
    ],
    ['softmax: a reduction read back through a broadcast', [[[4, 9], 'float64']], (x) => P.softmax(x!, 1)],
    [
      'a transposed and a strided operand read in a loop',
      [
        [[6, 4], 'float64'],
        [[4, 6], 'float64'],
      ],
      (a, b) => P.add(P.mT(a!), P.mul(b!, P.slice(P.concat([b!, b!], 1), [0, 0], [4, 12], [1, 2]))),
    ],
    [
      'row and column broadcasts',
      [
        [[5, 3], 'float64'],
        [[3], 'float64'],
        [[5, 1], 'float64'],
      ],
      (x, row, col) => P.div(P.sub(x!, row!), P.add(1, P.square(col!))),
    ],
    [
      'a select of a branch that is NaN elsewhere',
      [[[8], 'float64']],
      (x) => P.where(P.gt(x!, 0), P.log(x!), P.neg(x!)),
    ],
    [
      'int32 arithmetic wraps as Int32Array stores do',
      [[[4], 'int32']],
      (n) => [
        P.mul(P.mul(n!, P.constant(1 << 20, 'int32')), P.constant(1 << 12, 'int32')),
        P.div(n!, P.constant(3, 'int32')),
      ],
    ],
    [
      'a scan reading an outer buffer in place',
      [
        [[3, 3], 'float64'],
        [[5, 3], 'float64'],
      ],
      (W, xs) => {
        const s = P.scan(
          ([h], [x]) => {
            const n = P.tanh(P.add(P.matmul(W!, P.reshape(h!, [3, 1])), P.reshape(x!, [3, 1])));
            return [[P.reshape(n, [3])], [P.sum(n)]];
          },
          [P.zerosLike(P.index(xs!, 0))],
          [xs!],
        );
        return [...s.carry, ...s.ys];
      },
    ],
    [
      // arK's nested loops: the inner carry starts at a leading slice (offset 0) of a longer
      // buffer, whose view has no access of its own; the scan once copied the whole base into the
      // one-element carry ("offset is out of bounds").
      'nested scans whose inner carry starts at a leading slice of a longer buffer',
      [
        [[7], 'float64'],
        [[4, 5], 'float64'],
      ],
      (theta, xs) => {
        const alpha = P.reshape(P.slice(theta!, [0], [1]), []);
        const beta = P.slice(theta!, [1], [6]);
        const outer = P.scan(
          ([acc], [row]) => {
            const inner = P.scan(([mu], [b, y]) => [[P.add(mu!, P.mul(b!, y!))], []], [alpha], [beta, row!]);
            return [[P.add(acc!, P.square(inner.carry[0]!))], [inner.carry[0]!]];
          },
          [P.reshape(P.slice(theta!, [6], [7]), [])],
          [xs!],
        );
        const single = P.scan(([c], [x]) => [[P.add(c!, P.sum(x!))], []], [alpha], [xs!]);
        return [...outer.carry, ...outer.ys, ...single.carry];
      },
    ],
  ];
  for (const [name, args, f] of cases)
    it(name, () => {
      const g = trace(
        f,
        args.map(([shape, dtype]) => ({ shape, dtype })),
      );
      const inputs = args.map(([shape, dtype]) =>
        dtype === 'int32' ? { data: Int32Array.of(3, -7, 1 << 15, 12345), shape } : f64(shape),
      );
      checkJs(g, inputs, name);
    });

  it('matmul: every transpose combination, edge sizes, batches, NaN and Inf', () => {
    for (const [m, k, n, batch] of [
      [1, 1, 1, 1],
      [5, 3, 7, 1],
      [4, 8, 4, 2],
      [9, 6, 1, 1],
      [1, 6, 9, 3],
      [7, 13, 5, 1],
      [9, 21, 1, 1], // A^T x: eight rows, four rows, then single rows per update
      [1, 21, 9, 1],
    ]) {
      for (const ta of [false, true])
        for (const tb of [false, true]) {
          const g = trace(
            (a, b) => P.matmul(a!, b!, ta, tb),
            [
              { shape: batch > 1 ? [batch, ...(ta ? [k, m] : [m, k])] : ta ? [k, m] : [m, k] },
              { shape: batch > 1 ? [batch, ...(tb ? [n, k] : [k, n])] : tb ? [n, k] : [k, n] },
            ],
          );
          const inputs = g.inputs.map((v) => f64([...v.aval.shape]));
          (inputs[0]!.data as Float64Array)[0] = NaN;
          (inputs[1]!.data as Float64Array)[inputs[1]!.data.length - 1] = Infinity;
          checkJs(g, inputs, `matmul ${m}x${k}x${n} batch ${batch} transA=${ta} transB=${tb}`);
        }
    }
  });
});
