// The modelling constructs of issue #11 from .opt source to log density: truncation (against
// scipy.stats 1.17's truncated densities, scripted), `if` statements (a loop with an `if` against
// the same density written without one), elementwise `if ... then ... else`, bool-to-number
// conversion, constrained types (positive_ordered, bounded ordered, arrays of simplexes), the
// density functions' `|` call form, and the `~` support check (no warning for ordered ~ Normal).

import { describe, expect, it } from 'vitest';
import { check, compile } from '../../index.js';
import type { CompiledProgram } from '../../compiler/compile.js';

const program = (source: string, data: Record<string, unknown>) =>
  compile({ source, file: 'm.opt' }, { data, backend: 'ref' }) as Promise<CompiledProgram>;

/** log p at an unconstrained point (identity transforms: the point is the params' values). */
const logp = (c: CompiledProgram, x: number[]) => c.logDensity!.evaluate(Float64Array.from(x), 0).f;

const warnings = (source: string) =>
  check({ source, file: 'w.opt' })
    .messages.filter((m) => m.severity === 'warning')
    .map((m) => m.message);

describe('truncation', () => {
  const y = { y: [0.3, 1.2, 2.5] };
  it('Normal T[0, 3] and T[0, ] are scipy truncnorm', async () => {
    const two = await program(`data { y: real[3] }\nparam { mu: real }\nmodel { y ~ Normal(mu, 1.3) T[0, 3] }`, y);
    const one = await program(`data { y: real[3] }\nparam { mu: real }\nmodel { y ~ Normal(mu, 1.3) T[0, ] }`, y);
    expect(logp(two, [0.7])).toBeCloseTo(-3.4063884557524116, 10);
    expect(logp(one, [0.7])).toBeCloseTo(-3.574567674493375, 10);
  });

  it('Poisson T[2, 7], T[2, ], T[, 7] include their bounds', async () => {
    const k = { k: [2, 3, 5, 7] };
    const run = async (t: string) =>
      logp(await program(`data { k: int[4] }\nparam { lam: real }\nmodel { k ~ Poisson(lam) ${t} }`, k), [4.2]);
    expect(await run('T[2, 7]')).toBeCloseTo(-7.588889467550437, 10);
    expect(await run('T[2, ]')).toBeCloseTo(-7.876382386165046, 10);
    expect(await run('T[, 7]')).toBeCloseTo(-7.936805744287248, 10);
  });

  it('Weibull T[0, 3] and Gumbel T[0, ] are scipy weibull_min and gumbel_r truncated', async () => {
    const y = { y: [0.3, 1.2, 2.5] };
    const w = await program(`data { y: real[3] }\nparam { s: real }\nmodel { y ~ Weibull(1.7, s) T[0, 3] }`, y);
    const g = await program(`data { y: real[3] }\nparam { m: real }\nmodel { y ~ Gumbel(m, 2) T[0, ] }`, y);
    expect(logp(w, [2])).toBeCloseTo(-3.4977452877759285, 10);
    expect(logp(g, [0.5])).toBeCloseTo(-4.534472365865571, 10);
  });

  it('y ~ OrderedLogistic(eta, c) and ordered_logistic_lpmf are the ordered logistic (scipy expit)', async () => {
    const d = { y: [0, 2, 3], c: [-1.2, 0.3, 2.5] };
    const head = 'data { y: int[3]; c: real[3] }\nparam { eta: real }\n';
    const a = await program(`${head}model { y ~ OrderedLogistic(eta, c) }`, d);
    const b = await program(`${head}model { target += ordered_logistic_lpmf(y | eta, c) }`, d);
    expect(logp(a, [0.4])).toBeCloseTo(-4.876773096134279, 12);
    expect(logp(b, [0.4])).toBeCloseTo(-4.876773096134279, 12);
  });

  it('a value outside the truncation has log density -inf', async () => {
    const c = await program(`data { y: real[2] }\nparam { mu: real }\nmodel { y ~ Normal(mu, 1) T[0, ] }`, {
      y: [1, -0.5],
    });
    expect(logp(c, [0])).toBe(-Infinity);
  });
});

describe('if statements and elementwise choice', () => {
  // posteriordb's M0 model as written in Stan (a loop with an `if`), and the vectorized form of
  // examples/posteriordb/M0_data-M0_model: one log density.
  const y = [
    [0, 0, 1],
    [1, 1, 0],
    [0, 0, 0],
    [1, 0, 1],
    [0, 0, 0],
  ];
  const data = { M: 5, T: 3, y };
  const looped = `
data { M: int; T: int; y: int[M, T] }
param { omega: real; p: real }
model {
  for i in 0..M {
    let s = sum(y[i])
    if s > 0 {
      target += bernoulli_lpmf(1 | omega) + binomial_lpmf(s | T, p)
    } else if s == 0 {
      target += log_sum_exp(bernoulli_lpmf(1 | omega) + binomial_lpmf(0 | T, p), bernoulli_lpmf(0 | omega))
    } else {
      target += negative_infinity()
    }
  }
}`;
  const vectorized = `
data { M: int; T: int; y: int[M, T] }
param { omega: real; p: real }
model {
  let s = sum(y, axis = 1)
  let seen = sum(to_real(s > 0))
  let missed = M - seen
  target += seen * bernoulli_lpmf(1 | omega) + binomial_lpmf(s | T, p) - missed * binomial_lpmf(0 | T, p)
  target += missed * log_sum_exp(bernoulli_lpmf(1 | omega) + binomial_lpmf(0 | T, p), bernoulli_lpmf(0 | omega))
}`;
  it('a loop with if / else if / else gives the density of the vectorized form', async () => {
    const [a, b] = await Promise.all([program(looped, data), program(vectorized, data)]);
    for (const x of [
      [0.3, 0.6],
      [0.8, 0.1],
    ]) {
      const [fa, fb] = [
        a.logDensity!.evaluate(Float64Array.from(x), 0),
        b.logDensity!.evaluate(Float64Array.from(x), 0),
      ];
      expect(fa.f).toBeCloseTo(fb.f, 10);
      fa.g.forEach((g, i) => expect(g).toBeCloseTo(fb.g[i]!, 8));
    }
  });

  it('an if on a param switches the density (both branches traced, one taken)', async () => {
    const c = await program(`param { x: real }\nmodel { if x > 0 { target += -x } else { target += 2 * x } }`, {});
    expect(logp(c, [1.5])).toBeCloseTo(-1.5, 12);
    expect(logp(c, [-1.5])).toBeCloseTo(-3, 12);
  });

  it('elementwise if-then-else and to_real', async () => {
    const c = await program(
      `data { y: real[4] }\nparam { a: real }\nmodel { target += sum(if y > 0 then a * y else to_real(y == -1)) }`,
      { y: [1, -1, 2, -3] },
    );
    expect(logp(c, [0.5])).toBeCloseTo(0.5 * 3 + 1, 12);
  });
});

describe('hmm_marginal in a model', () => {
  // examples/hmm.opt against the forward algorithm written out as posteriordb's hmm_example does
  // (a loop over time, log_sum_exp over the previous state), on simplex[2][2] and positive_ordered.
  const data = { N: 6, K: 2, y: [2.1, 3.3, 8.7, 9.4, 2.8, 9.9] };
  const builtin = `
data { N: int; K: int; y: real[N] }
param { theta: simplex[K][K]; mu: positive_ordered[K] }
model {
  let d = outer(mu, ones(N)) - outer(ones(K), y)
  target += hmm_marginal(-0.5 * d^2 - 0.5 * log(2 * pi()), theta, rep_vector(1.0 / K, K))
}`;
  const handwritten = `
data { N: int; K: int; y: real[N] }
param { theta: simplex[K][K]; mu: positive_ordered[K] }
model {
  state g = [normal_lpdf(y[0] | mu[0], 1), normal_lpdf(y[0] | mu[1], 1)] - log(2)
  for t in 1..N {
    g = [
      log_sum_exp(g + log(theta[:, 0])) + normal_lpdf(y[t] | mu[0], 1),
      log_sum_exp(g + log(theta[:, 1])) + normal_lpdf(y[t] | mu[1], 1)
    ]
  }
  target += log_sum_exp(g)
}`;
  it('equals the forward algorithm written out, value and gradient', async () => {
    const [a, b] = await Promise.all([program(builtin, data), program(handwritten, data)]);
    for (const x of [
      [0.3, -0.2, 1.0, 1.8],
      [-1.1, 0.7, 0.4, 2.2],
    ]) {
      const [fa, fb] = [
        a.logDensity!.evaluate(Float64Array.from(x), 0),
        b.logDensity!.evaluate(Float64Array.from(x), 0),
      ];
      expect(fa.f).toBeCloseTo(fb.f, 10);
      fa.g.forEach((g, i) => expect(g).toBeCloseTo(fb.g[i]!, 8));
    }
  });
  it('examples/hmm.opt compiles with its data, no warning, a finite log density and gradient', async () => {
    const c = (await compile('examples/hmm.opt', { backend: 'ref' })) as CompiledProgram;
    expect(c.messages.filter((m) => m.severity !== 'note')).toEqual([]);
    const { f, g } = c.logDensity!.evaluate(c.initialPoint(1), 0);
    expect(Number.isFinite(f)).toBe(true);
    expect(g.every(Number.isFinite)).toBe(true);
  });
});

describe('constrained types', () => {
  it('positive_ordered, bounded ordered and simplex[k][m] land in their sets', async () => {
    const c = await program(
      `param { a: positive_ordered[3]; b: ordered[3] in [-1, 2]; c: ordered[2] < 5; d: simplex[3][2] }\nmodel { a ~ Exponential(1) }`,
      {},
    );
    const x = Float64Array.from({ length: c.logDensity!.n }, (_, i) => Math.sin(3 * i + 1));
    const v = c.valuesAt(x) as Record<string, number[] & number[][]>;
    const inc = (xs: number[]) => xs.every((u, i) => i === 0 || u > xs[i - 1]!);
    expect(inc(v.a) && v.a[0]! > 0).toBe(true);
    expect(inc(v.b) && v.b[0]! > -1 && v.b[2]! < 2).toBe(true);
    expect(inc(v.c) && v.c[1]! < 5).toBe(true);
    expect(v.d.length).toBe(2);
    for (const row of v.d as number[][]) expect(row.reduce((p, q) => p + q, 0)).toBeCloseTo(1, 12);
  });

  it('density functions take their value before `|`', async () => {
    const a = await program(`data { y: real[2] }\nparam { m: real }\nmodel { target += normal_lpdf(y | m, 2) }`, {
      y: [0.5, 1],
    });
    const b = await program(`data { y: real[2] }\nparam { m: real }\nmodel { y ~ Normal(m, 2) }`, { y: [0.5, 1] });
    expect(logp(a, [0.3])).toBeCloseTo(logp(b, [0.3]), 12);
  });
});

describe('the ~ support check', () => {
  const cases: [string, boolean][] = [
    ['param mu: ordered[2]\nmodel { mu ~ Normal(0, 1) }', false],
    ['param mu: positive_ordered[2]\nmodel { mu ~ Exponential(1) }', false],
    ['param mu: ordered[2] > 0\nmodel { mu ~ Gamma(2, 1) }', false],
    ['param w: simplex[3]\nmodel { w ~ Beta(1, 1) }', false],
    ['param w: simplex[3][2]\nmodel { w ~ Dirichlet([1, 1, 1]) }', false],
    ['param t: real in [0.2, 0.8]\nmodel { t ~ Beta(2, 2) }', false],
    ['param t: real in [0, 1]\nmodel { t ~ Uniform(0, 1) }', false],
    ['param s: real >= 0\nmodel { s ~ Gamma(2, 1) }', false],
    ['param t: real\nmodel { t ~ Exponential(1) }', true],
    ['param t: real in [-1, 1]\nmodel { t ~ Beta(2, 2) }', true],
    ['param mu: ordered[2]\nmodel { mu ~ Exponential(1) }', true],
    ['param t: real > 0\nmodel { t ~ Uniform(0, 10) }', true],
  ];
  for (const [src, warned] of cases) {
    it(`${src.replace(/\n/g, '; ')}: ${warned ? 'warns' : 'no warning'}`, () => {
      const w = warnings(src);
      expect(
        w.some((m) => /support/.test(m)),
        w.join('\n'),
      ).toBe(warned);
    });
  }
});

describe('ODE arguments', () => {
  // Every argument passed to the solver gets K sensitivity states; data passed there cost work
  // for nothing, so the checker warns and names them (a fn may read data directly).
  const ode = (args: string) => `
data { ts: real[3]; k0: real }
param { k: real > 0 }
fn decay(t, y, k, c) { -k * y + 0 * c }
fn decay1(t, y, k) { -k * y }
model {
  let z = ode_rk45(${args})
  k ~ Normal(1, 1)
  target += -sum(z^2)
}`;
  it('warns when an argument does not depend on a param, naming it', () => {
    const w = warnings(ode('decay, [1.0], 0, ts, k, k0'));
    expect(w.filter((m) => /sensitivities/.test(m))).toEqual([
      '`ode_rk45(decay, [1.0], 0, ts, k, k0)`: `k0` does not depend on any param; the solver integrates the sensitivities of every argument, so use data inside `decay` instead of passing it',
    ]);
  });
  it('no warning when every argument depends on a param', () => {
    expect(warnings(ode('decay1, [1.0], 0, ts, k')).filter((m) => /sensitivities/.test(m))).toEqual([]);
  });
});

describe("Stan's vector and matrix functions in a model", () => {
  // A Stan-style program (std_normal_lpdf, diag_pre_multiply, quad_form_diag, cholesky_decompose,
  // to_vector, head with a data size) against the same density written with Proxima's core ops.
  const data = { K: 2, n: 2, y: [0.4, -1.3, 0.9] };
  const stan = `
data { K: int; n: int; y: real[3] }
param { z: real[K]; tau: real[K] > 0 }
model {
  let S = quad_form_diag([[1, 0.3], [0.3, 1]], tau)
  target += std_normal_lpdf(z) + log_determinant_spd(S)
  target += dot_self(mdivide_left_tri_low(cholesky_decompose(S), head(y, n) - z))
  target += sum(to_vector(diag_pre_multiply(tau, [[1, 2], [3, 4]])) * [1, 10, 100, 1000])
}`;
  const core = `
data { K: int; n: int; y: real[3] }
param { z: real[K]; tau: real[K] > 0 }
model {
  let S = outer(tau, tau) * [[1, 0.3], [0.3, 1]]
  let L = cholesky(S)
  let r = y[0:2] - z
  let u0 = r[0] / L[0, 0]
  let u1 = (r[1] - L[1, 0] * u0) / L[1, 1]
  target += -0.5 * sumsq(z) - log(2 * pi()) + 2 * (log(L[0, 0]) + log(L[1, 1]))
  target += u0^2 + u1^2
  target += tau[0] * (1 + 200) + tau[1] * (30 + 4000)
}`;
  it('gives the density of the same model written with core ops, value and gradient', async () => {
    const [a, b] = await Promise.all([program(stan, data), program(core, data)]);
    for (const x of [
      [0.3, -0.2, 0.1, -0.4],
      [-1.1, 0.7, 0.5, 0.2],
    ]) {
      const [fa, fb] = [
        a.logDensity!.evaluate(Float64Array.from(x), 0),
        b.logDensity!.evaluate(Float64Array.from(x), 0),
      ];
      expect(fa.f).toBeCloseTo(fb.f, 10);
      fa.g.forEach((g, i) => expect(g).toBeCloseTo(fb.g[i]!, 8));
    }
  });
});
