// Models: the log density a `model` block compiles to (what inference will use), checked against
// closed forms; distributions resolved through the stdlib registry (event ranks, named
// parameterizations); support checks on `~` targets.

import { describe, expect, it } from 'vitest';
import { check, compile } from '../../index.js';

const lnN = (x: number, m: number, s: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
const lnHalfCauchy = (x: number, s: number) => Math.log(2) - Math.log(Math.PI) - Math.log(s) - Math.log1p((x / s) ** 2);

describe('model log density', () => {
  it('eight schools: log p + log|J| at a point equals the closed form', async () => {
    const y = [28, 8, -3, 7, -1, 1, 18, 12];
    const sigma = [15, 10, 16, 11, 9, 11, 10, 18];
    const c = await compile('examples/eight_schools.opt', { data: { J: 8, y, sigma } });
    expect(c.layout.map((e) => [e.name, e.offset, e.size, e.constraint])).toEqual([
      ['mu', 0, 1, 'identity'],
      ['tau', 1, 1, 'lower'],
      ['eta', 2, 8, 'identity'],
    ]);
    const theta = Float64Array.from({ length: 10 }, (_, i) => (i === 0 ? 1.5 : i === 1 ? 0.3 : 0.1 * i));
    const mu = 1.5;
    const tau = Math.exp(0.3);
    const eta = Array.from(theta.slice(2));
    let expected = lnN(mu, 0, 5) + lnHalfCauchy(tau, 5) + 0.3; // log|J| of tau = exp(u) is u
    eta.forEach((e, j) => (expected += lnN(e, 0, 1) + lnN(y[j]!, mu + tau * e, sigma[j]!)));
    const { f, g } = c.logDensity!.evaluate(theta, 0);
    expect(f).toBeCloseTo(expected, 10);
    // The gradient agrees with central differences.
    const h = 1e-6;
    for (const i of [0, 1, 5]) {
      const tp = Float64Array.from(theta);
      tp[i] += h;
      const tm = Float64Array.from(theta);
      tm[i] -= h;
      expect(g[i]).toBeCloseTo((c.logDensity!.evaluate(tp, 0).f - c.logDensity!.evaluate(tm, 0).f) / (2 * h), 5);
    }
    expect(c.objective).toBeNull(); // inference only: nothing to minimize
  });

  it('multivariate distributions: one draw has the event rank; batches broadcast', async () => {
    const prog =
      'data { Y: real[n, k] }\nparam { mu: real[k]; L: cholesky_corr[k] }\nmodel {\n  L ~ LKJCholesky(2)\n  Y ~ MultivariateNormalCholesky(mu, L)\n}\nsolve lbfgs';
    expect(check({ source: prog, file: 'm.opt' }).ok).toBe(true);
    const c = await compile(
      { source: prog, file: 'm.opt' },
      {
        data: {
          Y: [
            [0.1, 0.2],
            [0.3, -0.1],
            [0, 0.5],
          ],
        },
      },
    );
    expect(Number.isFinite(c.logDensity!.evaluate(new Float64Array(c.n), 0).f)).toBe(true);
    const bad = check({
      source:
        'data { y: real }\nparam mu: real[2]\nmodel { y ~ MultivariateNormalCholesky(mu, [1, 0; 0, 1]) }\nsolve lbfgs',
      file: 'm.opt',
    });
    expect(bad.messages[0]!.message).toMatch(/one draw of MultivariateNormalCholesky has 1 dimension, but y is real/);
  });

  it('named parameterizations resolve (Bernoulli(logits = ...))', async () => {
    const prog =
      'data { X: real[n, d]; y: int[n] }\nparam w: real[d]\nmodel {\n  w ~ Normal(0, 1)\n  y ~ Bernoulli(logits = X @ w)\n}\nsolve lbfgs';
    const c = await compile(
      { source: prog, file: 'b.opt' },
      {
        data: {
          X: [
            [1, 0],
            [0, 1],
          ],
          y: [1, 0],
        },
      },
    );
    const lp = c.logDensity!.evaluate(Float64Array.of(0, 0), 0).f;
    expect(lp).toBeCloseTo(2 * lnN(0, 0, 1) + 2 * Math.log(0.5), 12);
  });

  it('support checks: a warning when a param can leave the support; an error for discrete latents', () => {
    const warn = check({
      source:
        'data { y: real[n] }\nparam { mu: real; tau: real }\nmodel {\n  tau ~ HalfCauchy(5)\n  y ~ Normal(mu, tau)\n}\nsolve lbfgs',
      file: 's.opt',
    });
    expect(warn.ok).toBe(true);
    expect(warn.messages[0]).toMatchObject({ severity: 'warning', hint: 'declare `tau: real > 0`' });
    const err = check({ source: 'param k: real\nmodel { k ~ Poisson(3) }\nsolve lbfgs', file: 's.opt' });
    expect(err.messages[0]!.message).toMatch(/`k` is a real param, but Poisson is discrete/);
  });
});
