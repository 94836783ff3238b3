// scan: a 1,000-step AR(1) log-likelihood differentiated through P.scan equals the unrolled loop,
// the closed form and finite differences; its graphs (value, gradient, hvp) have the same
// equation count for T = 10 and T = 1000 (nothing is unrolled). Also second order through scan,
// forward mode, reverse scans, several carries and ys, int carries and nested scans.

import { describe, expect, it } from 'vitest';
import { boxMuller, ops as P, grad, grads, hvp, jvp } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/ir/tracer.js';
import { checkDerivatives } from '../helpers/ad_check.js';
import { compile, countEqns, primCounts } from '../helpers/run.js';
import { assertClose, directional, gradient, hvpByGradient, rng, uniformVec } from '../helpers/fd.js';

// ---------- AR(1): x_t = phi x_{t-1} + sigma e_t ----------
function ar1Data(T: number): Float64Array {
  const r = rng(99);
  const x = new Float64Array(T + 1);
  for (let t = 1; t <= T; t++) {
    // Box-Muller from the test PRNG.
    const e = boxMuller(1 - r(), r());
    x[t] = 0.6 * x[t - 1]! + 0.8 * e;
  }
  return x;
}
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** One step's log-density term. */
const term = (x: Tracer, prev: Tracer, phi: Tracer, sigma: Tracer) => {
  const e = P.sub(x, P.mul(phi, prev));
  return P.sub(P.neg(P.add(HALF_LOG_2PI, P.log(sigma))), P.div(P.square(e), P.mul(2, P.square(sigma))));
};

/** theta = [phi, sigma]; the log-likelihood written with scan. */
const ar1Scan =
  (data: Float64Array) =>
  (theta: Tracer): Tracer => {
    const phi = P.index(theta, 0),
      sigma = P.index(theta, 1);
    const d = P.constant(data);
    const { carry } = P.scan(
      ([prev, acc], [x]) => [[x!, P.add(acc!, term(x!, prev!, phi, sigma))], []],
      [P.index(d, 0), P.constant(0)],
      [P.slice(d, [1])],
    );
    return carry[1]!;
  };

/** The same log-likelihood unrolled: a plain loop emitting every step. */
const ar1Unrolled =
  (data: Float64Array) =>
  (theta: Tracer): Tracer => {
    const phi = P.index(theta, 0),
      sigma = P.index(theta, 1);
    const d = P.constant(data);
    let acc: Tracer = P.constant(0);
    for (let t = 1; t < data.length; t++) acc = P.add(acc, term(P.index(d, t), P.index(d, t - 1), phi, sigma));
    return acc;
  };

function ar1Js(data: Float64Array, [phi, sigma]: Float64Array) {
  let ll = 0,
    gp = 0,
    gs = 0,
    hpp = 0,
    hps = 0,
    hss = 0;
  const s = sigma!;
  for (let t = 1; t < data.length; t++) {
    const p = data[t - 1]!,
      e = data[t]! - phi! * p;
    ll += -HALF_LOG_2PI - Math.log(s) - (e * e) / (2 * s * s);
    gp += (e * p) / (s * s);
    gs += -1 / s + (e * e) / s ** 3;
    hpp += -(p * p) / (s * s);
    hps += (-2 * e * p) / s ** 3;
    hss += 1 / (s * s) - (3 * e * e) / s ** 4;
  }
  return {
    ll,
    grad: [gp, gs],
    hess: [
      [hpp, hps],
      [hps, hss],
    ],
  };
}

describe('scan: 1,000-step AR(1) log-likelihood', () => {
  const T = 1000;
  const data = ar1Data(T);
  const theta = Float64Array.of(0.55, 0.9);
  const js = ar1Js(data, theta);

  it('value and gradient: scan = unrolled = closed form = finite differences', () => {
    const scanV = compile(ar1Scan(data), [[2]]);
    const unrV = compile(ar1Unrolled(data), [[2]]);
    const ll = scanV.run(theta)[0]![0]!;
    assertClose([ll], [js.ll], 'scan value vs closed form', 1e-9, 1e-12);
    assertClose(unrV.run(theta)[0]!, [ll], 'unrolled value vs scan', 1e-9, 1e-12);

    const gScan = compile(grad(ar1Scan(data)), [[2]]).run(theta)[0]!;
    const gUnr = compile(grad(ar1Unrolled(data)), [[2]]).run(theta)[0]!;
    assertClose(gScan, gUnr, 'scan gradient vs unrolled gradient', 1e-9, 1e-12);
    assertClose(gScan, js.grad, 'scan gradient vs closed form', 1e-9, 1e-12);
    assertClose(
      gScan,
      gradient((x) => scanV.run(x)[0]![0]!, theta),
      'scan gradient vs finite differences',
    );
  });

  it('the graph does not grow with the number of steps', () => {
    const sizes = (n: number) => {
      const d = ar1Data(n);
      return [
        countEqns(compile(ar1Scan(d), [[2]]).graph),
        countEqns(compile(grad(ar1Scan(d)), [[2]]).graph),
        countEqns(compile((th, v) => hvp(ar1Scan(d), [th!], [v!])[0]!, [[2], [2]]).graph),
        countEqns(compile((th) => grad((u) => P.sum(grad(ar1Scan(d))(u)))(th), [[2]]).graph),
      ];
    };
    const small = sizes(10),
      big = sizes(1000);
    expect(big).toEqual(small);
    // The unrolled loop, by contrast, does grow: the count really measures the steps.
    expect(countEqns(compile(ar1Unrolled(ar1Data(100)), [[2]]).graph)).toBeGreaterThan(
      (10 * countEqns(compile(ar1Unrolled(ar1Data(10)), [[2]]).graph)) / 2,
    );
    // The gradient is one forward and one reverse scan, not per-step equations.
    expect(primCounts(compile(grad(ar1Scan(data)), [[2]]).graph).get('scan')).toBe(2);
  });

  it('second order: hvp and grad of grad through scan = closed-form Hessian = differences of the gradient', () => {
    const gradG = compile(grad(ar1Scan(data)), [[2]]);
    const hvpG = compile((th, v) => hvp(ar1Scan(data), [th!], [v!])[0]!, [[2], [2]]);
    const gogG = compile((th, v) => grad((u) => P.sum(P.mul(grad(ar1Scan(data))(u), v!)))(th!), [[2], [2]]);
    for (const v of [Float64Array.of(1, 0), Float64Array.of(0, 1), Float64Array.of(0.3, -0.7)]) {
      const want = [0, 1].map((i) => js.hess[i]![0]! * v[0]! + js.hess[i]![1]! * v[1]!);
      const fdh = hvpByGradient((x) => gradG.run(x)[0]!, theta, v);
      assertClose(fdh, want, 'differences of the AD gradient vs closed-form Hessian', 1e-6, 1e-6);
      assertClose(hvpG.run(theta, v)[0]!, fdh, 'hvp through scan vs differences of the gradient');
      assertClose(gogG.run(theta, v)[0]!, fdh, 'grad of grad through scan vs differences of the gradient');
      assertClose(hvpG.run(theta, v)[0]!, want, 'hvp through scan vs closed form', 1e-9, 1e-12);
    }
  });

  it('forward mode through scan matches finite differences', () => {
    const v = Float64Array.of(0.4, -1.1);
    const f = ar1Scan(data);
    const t = compile((th, dv) => jvp(f, [th!], [dv!])[1][0]!, [[2], [2]]).run(theta, v)[0]![0]!;
    assertClose([t], [js.grad[0]! * v[0]! + js.grad[1]! * v[1]!], 'jvp through scan vs closed form', 1e-9, 1e-12);
    const val = compile(f, [[2]]);
    assertClose(
      [t],
      directional((x) => val.run(x)[0]!, theta, v),
      'jvp through scan vs finite differences',
    );
  });
});

describe('scan: other shapes of loops', () => {
  const r = rng(5);
  const u = (n: number, lo = -1, hi = 1) => uniformVec(r, n, lo, hi);

  it('reverse scan: discounted returns G_t = r_t + g G_{t+1}', () => {
    const f = (rw: Tracer, g: Tracer) => {
      const { carry, ys } = P.scan(
        ([G], [x]) => {
          const n = P.add(x!, P.mul(g, G!));
          return [[n], [n]];
        },
        [P.constant(0)],
        [rw],
        { reverse: true },
      );
      return [carry[0]!, ys[0]!];
    };
    const rw = u(6),
      g = Float64Array.of(0.8);
    const [G0, Gs] = compile(f, [[6], []]).run(rw, g);
    const want = new Float64Array(6);
    for (let t = 5, acc = 0; t >= 0; t--) want[t] = acc = rw[t]! + 0.8 * acc;
    assertClose(Gs!, want, 'reverse scan ys', 1e-14, 1e-14);
    assertClose(G0!, [want[0]!], 'reverse scan carry', 1e-14, 1e-14);
    checkDerivatives(f, [[6], []], [rw, g]);
  });

  it('several carries and several ys (a tiny recurrent cell)', () => {
    const f = (xs: Tracer, W: Tracer, h0: Tracer) => {
      const { carry, ys } = P.scan(
        ([h, c], [x]) => {
          const z = P.tanh(P.add(P.matmul(W, h!), x!));
          const c2 = P.add(P.mul(0.5, c!), P.mul(P.sigmoid(x!), z));
          return [
            [z, c2],
            [P.sum(P.square(z)), P.mul(c2, z)],
          ];
        },
        [h0, P.zerosLike(h0)],
        [xs],
      );
      return [...carry, ...ys];
    };
    const shapes = [[5, 3], [3, 3], [3]];
    checkDerivatives(f, shapes, [u(15), u(9, -0.5, 0.5), u(3)]);
  });

  it('an int carry (step counter) next to float carries, and an int ys', () => {
    const f = (xs: Tracer, a: Tracer) => {
      const { carry, ys } = P.scan(
        ([t, s], [x]) => {
          const tf = P.cast(t!, 'float64');
          return [
            [P.add(t!, 1), P.add(s!, P.mul(P.sin(P.mul(a, x!)), tf))],
            [P.mul(t!, 2), P.mul(x!, tf)],
          ];
        },
        [P.constant(0, 'int32'), P.constant(0)],
        [xs],
      );
      return [...carry, ...ys];
    };
    const xs = u(7),
      a = Float64Array.of(1.3);
    const [t, s, t2, y] = compile(f, [[7], []]).run(xs, a);
    expect(Array.from(t!)).toEqual([7]);
    expect(Array.from(t2!)).toEqual([0, 2, 4, 6, 8, 10, 12]);
    assertClose(
      s!,
      [Array.from(xs).reduce((acc, x, i) => acc + Math.sin(1.3 * x) * i, 0)],
      'int-carry scan value',
      1e-13,
      1e-13,
    );
    assertClose(
      y!,
      xs.map((x, i) => x * i),
      'int-carry ys',
      1e-14,
      1e-14,
    );
    checkDerivatives(f, [[7], []], [xs, a]);
  });

  it('a scan with only a length (no xs) and captured constants', () => {
    const f = (x0: Tracer, k: Tracer) =>
      P.scan(([x]) => [[P.add(P.mul(0.9, P.sin(x!)), k)], [x!]], [x0], [], { length: 8 }).ys[0]!;
    checkDerivatives(f, [[2], [2]], [u(2), u(2)]);
  });

  it('nested scans: a scan whose body scans over a row', () => {
    const f = (M: Tracer) =>
      P.scan(
        ([acc], [row]) => {
          const inner = P.scan(([s], [x]) => [[P.add(P.mul(0.5, s!), P.sin(x!))], []], [acc!], [row!]).carry[0]!;
          return [[P.tanh(inner)], [inner]];
        },
        [P.constant(0.1)],
        [M],
      ).ys[0]!;
    checkDerivatives(f, [[3, 4]], [u(12)]);
  });

  it('grads through a scan flow to consts, init and xs alike', () => {
    const f = (c: Tracer, h: Tracer, xs: Tracer) =>
      P.scan(([s], [x]) => [[P.add(P.mul(c, s!), P.square(x!))], []], [h], [xs]).carry[0]!;
    const c = Float64Array.of(0.7),
      h = Float64Array.of(0.3),
      xs = u(4);
    const g = compile((a, b, d) => grads(f)(a!, b!, d!), [[], [], [4]]).run(c, h, xs);
    // s_T = c^4 h + sum_t c^(3-t) x_t^2.
    assertClose(g[1]!, [0.7 ** 4], 'd/dh', 1e-14, 1e-14);
    assertClose(
      g[2]!,
      xs.map((x, t) => 2 * x * 0.7 ** (3 - t)),
      'd/dxs',
      1e-14,
      1e-14,
    );
    assertClose(
      g[0]!,
      [4 * 0.7 ** 3 * 0.3 + Array.from(xs).reduce((a, x, t) => a + (3 - t) * 0.7 ** (2 - t) * x * x, 0)],
      'd/dc',
      1e-13,
      1e-13,
    );
  });
});

describe('scan composed with other control flow and transforms', () => {
  const fp = (th: Tracer) =>
    P.fixedPoint((x, t) => P.add(P.mul(0.5, P.cos(x)), t!), P.zerosLike(th), [th], { tol: 1e-15 });
  const xs = Float64Array.of(0.3, -0.2, 0.5, 0.9),
    a = Float64Array.of(0.7);
  const rows: [string, (x: Tracer, a: Tracer) => Tracer, { rev: boolean; fwd: boolean; order2: boolean }?][] = [
    [
      'a fixed point inside the body',
      (x, k) => P.scan(([c], [t]) => [[fp(P.add(P.mul(k, c!), t!))], [c!]], [P.constant(0.1)], [x]).ys[0]!,
    ],
    [
      'a custom_vjp closing over the carry',
      (x, k) =>
        P.scan(
          ([c], [t]) => {
            const f = P.customVjp(
              (u) => [P.mul(P.sin(u), c!)],
              (u) => ({ outs: [P.mul(P.sin(u), c!)], residuals: [u] }),
              ([u], [ct]) => [P.mul(ct!, P.mul(P.cos(u!), c!))],
            );
            return [[P.add(f(P.mul(k, t!))[0]!, 0.5)], [c!]];
          },
          [P.constant(0.2)],
          [x],
        ).carry[0]!,
    ],
    [
      'a gradient taken inside the body (a gradient step per iteration)',
      (x, k) =>
        P.scan(
          ([c], [t]) => [[P.sub(c!, P.mul(0.1, grad((z: Tracer) => P.mul(P.sin(P.mul(k, z)), t!))(c!)))], []],
          [P.constant(0.4)],
          [x],
        ).carry[0]!,
    ],
    [
      'a while_loop inside the body (forward mode)',
      (x, k) =>
        P.scan(
          ([c], [t]) => [
            [
              P.whileLoop(
                ([i]) => P.lt(i!, 3),
                ([i, y]) => [P.add(i!, 1), P.sin(P.add(P.mul(k, y!), t!))],
                [P.constant(0, 'int32'), c!],
                10,
              )[1]!,
            ],
            [],
          ],
          [P.constant(0.1)],
          [x],
        ).carry[0]!,
      { rev: false, fwd: true, order2: false },
    ],
  ];
  it.each(rows)('%s', (_n, f, modes) => {
    checkDerivatives(f, [[4], []], [xs, a], { modes });
  });
});
