// Random expression graphs (values and reverse-mode gradients) on tfjs cpu and wasm against ref.
// A small seeded generator of its own: smooth, bounded unary maps, binary arithmetic with
// broadcasting, reductions and matmuls, so float32 stays within the agreement tolerance.

import { describe, it, beforeAll } from 'vitest';
import { trace, grads, ops as P } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/ir/tracer.js';
import { initBackend } from '../../runtime/backends/index.js';
import { checkBackends, makeInput, seeded } from './tfjs_support.js';

type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const unary: ((x: Tracer) => Tracer)[] = [
  P.sin,
  P.cos,
  P.tanh,
  P.sigmoid,
  P.softplus,
  P.atan,
  (x) => P.exp(P.mul(0.3, P.tanh(x))),
  (x) => P.log(P.add(1, P.square(x))),
  (x) => P.sqrt(P.add(1, P.square(x))),
  (x) => P.mul(x, 0.5),
  P.neg,
  (x) => P.maximum(x, P.mul(0.1, x)),
];
const binary: ((a: Tracer, b: Tracer) => Tracer)[] = [
  P.add,
  P.sub,
  (a, b) => P.mul(P.tanh(a), b),
  (a, b) => P.div(a, P.add(2, P.sin(b))),
  (a, b) => P.where(P.gt(a, b), a, P.mul(0.5, b)),
  (a, b) => P.add(a, P.sum(b, 1, true)), // broadcast a reduced column back
  (a, b) => P.add(a, P.mean(b, 0, true)),
  (a, b) => P.matmul(P.tanh(a), P.matmul(b, P.tanh(a), true, false)), // [3,4] @ ([4,3]@[3,4]) -> [3,4]
];

function randomExpr(r: R, xs: Tracer[], depth: number): Tracer {
  if (depth === 0) return pick(r, xs);
  if (r() < 0.4) return pick(r, unary)(randomExpr(r, xs, depth - 1));
  return pick(r, binary)(randomExpr(r, xs, depth - 1), randomExpr(r, xs, depth - 1));
}

beforeAll(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
}, 60_000);

describe('random graphs on tfjs agree with ref', () => {
  for (let seed = 1; seed <= 24; seed++) {
    it(`graph ${seed}: value and gradients`, async () => {
      const r = seeded(seed * 104729);
      const depth = 2 + (seed % 4);
      const exprSeed = Math.floor(r() * 2 ** 31);
      const f = (a: Tracer, b: Tracer) => P.sum(P.mul(randomExpr(seeded(exprSeed), [a, b], depth), 0.1));
      const g = trace(
        (a, b) => [f(a!, b!), ...grads(f)(a!, b!)],
        [
          [3, 4],
          [3, 4],
        ],
      );
      const inputs = g.inputs.map((v) => makeInput(v.aval, 'normal', r));
      await checkBackends(g, inputs, `graph ${seed}`);
    });
  }
});
