// Distributions (stdlib/distributions): one table row per distribution. Each row checks the
// log-density against a closed form written here with Math (and an independent Lanczos lgamma),
// normalization (numerical integration or summation of exp(logp) over the support), sampler
// moments against the closed-form mean and variance (fixed seeds; tolerances of 5 standard
// errors, the variance's from the sample's fourth moment), and the gradient of the log-density in
// the parameters against finite differences on ref. Then: discrete samplers against their pmf,
// pathwise (reparameterized) sample gradients, broadcasting, and the registry's call resolution.
import { describe, expect, it } from 'vitest';
import { ops as P, trace, runRef, type Shape, type Tracer } from '../../runtime/index.js';
import * as D from '../../stdlib/distributions/index.js';
import { checkDerivatives } from '../helpers/ad_check.js';

// ---- independent references -------------------------------------------------------------

/** Lanczos (g = 7, n = 9) log Gamma, ~1e-15 relative for x > 0: independent of stdlib/special. */
function lg(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lg(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}
const lbeta = (a: number, b: number) => lg(a) + lg(b) - lg(a + b);
const lchoose = (n: number, k: number) => lg(n + 1) - lg(k + 1) - lg(n - k + 1);
const LS2P = 0.5 * Math.log(2 * Math.PI);
const normLp = (x: number, m: number, s: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - LS2P;
const sigm = (l: number) => 1 / (1 + Math.exp(-l));

// ---- running graphs on ref -------------------------------------------------------------

function run(
  f: (...xs: Tracer[]) => Tracer | Tracer[],
  inputs: { data: ArrayLike<number>; shape: Shape }[] = [],
): Float64Array[] {
  const g = trace(
    f,
    inputs.map((i) => [...i.shape]),
  );
  return runRef(
    g,
    inputs.map((i) => ({ data: Float64Array.from(i.data), shape: i.shape })),
  ).map((o) => Float64Array.from(o.data));
}
/** logProb of a vector of scalar values under scalar parameters. */
const logProbAt = (name: string, params: readonly number[], xs: readonly number[]): Float64Array =>
  run((x) => D.logProb(name, params, x), [{ data: xs, shape: [xs.length] }])[0]!;
const key = (seed: number) => P.keyConstant(seed);

// ---- the table -------------------------------------------------------------------------

type Norm =
  | { kind: 'real'; c: number; s: number }
  | { kind: 'positive'; s: number }
  | { kind: 'unit' }
  | { kind: 'interval'; lo: number; hi: number }
  | { kind: 'discrete'; kmax: number };

interface Row {
  name: string;
  params: number[];
  xs: number[];
  ref: (p: number[], x: number) => number;
  norm: Norm;
  /** Parameters for the moment check (default: params); 'quartile' for Cauchy-like families. */
  moments?: number[] | 'none';
  quartile?: { lo: number; hi: number; p: number };
}

const rows: Row[] = [
  {
    name: 'Normal',
    params: [0.7, 1.9],
    xs: [-3, 0, 0.7, 2.5, 40],
    ref: ([m, s], x) => normLp(x, m!, s!),
    norm: { kind: 'real', c: 0.7, s: 1.9 },
  },
  {
    name: 'HalfNormal',
    params: [1.3],
    xs: [-1, 0, 0.5, 3],
    ref: ([s], x) => (x < 0 ? -Infinity : Math.LN2 + normLp(x, 0, s!)),
    norm: { kind: 'positive', s: 1.3 },
  },
  {
    name: 'LogNormal',
    params: [0.3, 0.5],
    xs: [-1, 0.1, 1, 4],
    ref: ([m, s], x) => (x <= 0 ? -Infinity : normLp(Math.log(x), m!, s!) - Math.log(x)),
    norm: { kind: 'positive', s: 1.5 },
  },
  {
    name: 'StudentT',
    params: [3.5, -1, 2],
    xs: [-30, -1, 0, 4],
    ref: ([n, m, s], x) =>
      lg((n! + 1) / 2) -
      lg(n! / 2) -
      0.5 * Math.log(n! * Math.PI) -
      Math.log(s!) -
      ((n! + 1) / 2) * Math.log1p(((x - m!) / s!) ** 2 / n!),
    norm: { kind: 'real', c: -1, s: 2 },
    moments: [10, -1, 2],
  },
  {
    name: 'Cauchy',
    params: [2, 0.5],
    xs: [-100, 0, 2, 3],
    ref: ([m, s], x) => -Math.log(Math.PI * s! * (1 + ((x - m!) / s!) ** 2)),
    norm: { kind: 'real', c: 2, s: 0.5 },
    moments: 'none',
    quartile: { lo: 1.5, hi: 2.5, p: 0.5 },
  },
  {
    name: 'HalfCauchy',
    params: [2.5],
    xs: [-1, 0, 1, 50],
    ref: ([s], x) => (x < 0 ? -Infinity : Math.log(2 / (Math.PI * s! * (1 + (x / s!) ** 2)))),
    norm: { kind: 'positive', s: 2.5 },
    moments: 'none',
    quartile: { lo: 0, hi: 2.5, p: 0.5 },
  },
  {
    name: 'Laplace',
    params: [1, 0.8],
    xs: [-2, 0.9, 1.5, 9],
    ref: ([m, b], x) => -Math.log(2 * b!) - Math.abs(x - m!) / b!,
    norm: { kind: 'real', c: 1, s: 0.8 },
  },
  {
    name: 'Logistic',
    params: [-0.5, 1.2],
    xs: [-40, -0.5, 0, 3, 40],
    ref: ([m, s], x) => {
      const z = (x - m!) / s!;
      return -z - Math.log(s!) - 2 * Math.log1p(Math.exp(-z));
    },
    norm: { kind: 'real', c: -0.5, s: 1.2 },
  },
  {
    name: 'Gumbel',
    params: [0.5, 1.7],
    xs: [-3, 0.5, 2.5, 12],
    ref: ([m, b], x) => {
      const z = (x - m!) / b!;
      return -Math.log(b!) - z - Math.exp(-z);
    },
    norm: { kind: 'real', c: 0.5, s: 1.7 },
  },
  {
    name: 'Weibull',
    params: [1.7, 2.0],
    xs: [-1, 0, 0.4, 2, 9],
    ref: ([a, sg], x) =>
      x < 0 || x === 0 ? -Infinity : Math.log(a!) - Math.log(sg!) + (a! - 1) * Math.log(x / sg!) - (x / sg!) ** a!,
    norm: { kind: 'positive', s: 2 },
  },
  {
    name: 'Exponential',
    params: [1.7],
    xs: [-0.1, 0, 0.3, 5],
    ref: ([r], x) => (x < 0 ? -Infinity : Math.log(r!) - r! * x),
    norm: { kind: 'positive', s: 0.6 },
  },
  {
    name: 'Gamma',
    params: [2.5, 1.5],
    xs: [-1, 0.01, 1, 7],
    ref: ([a, b], x) => (x <= 0 ? -Infinity : a! * Math.log(b!) - lg(a!) + (a! - 1) * Math.log(x) - b! * x),
    norm: { kind: 'positive', s: 1.7 },
    moments: [0.3, 2],
  },
  {
    name: 'InverseGamma',
    params: [3, 2],
    xs: [-1, 0.05, 1, 8],
    ref: ([a, b], x) => (x <= 0 ? -Infinity : a! * Math.log(b!) - lg(a!) - (a! + 1) * Math.log(x) - b! / x),
    norm: { kind: 'positive', s: 1 },
    moments: [6, 2],
  },
  {
    name: 'Beta',
    params: [2.5, 3.5],
    xs: [-0.1, 0.02, 0.5, 0.97, 1.2],
    ref: ([a, b], x) =>
      x < 0 || x > 1 ? -Infinity : (a! - 1) * Math.log(x) + (b! - 1) * Math.log1p(-x) - lbeta(a!, b!),
    norm: { kind: 'unit' },
    moments: [0.5, 0.7],
  },
  {
    name: 'Uniform',
    params: [-1, 2.5],
    xs: [-1.5, -0.9, 0, 2.4, 3],
    ref: ([lo, hi], x) => (x < lo! || x > hi! ? -Infinity : -Math.log(hi! - lo!)),
    norm: { kind: 'interval', lo: -1, hi: 2.5 },
  },
  {
    name: 'Bernoulli',
    params: [0.3],
    xs: [0, 1, 2, 0.5],
    ref: ([p], x) => (x === 1 ? Math.log(p!) : x === 0 ? Math.log1p(-p!) : -Infinity),
    norm: { kind: 'discrete', kmax: 3 },
  },
  {
    name: 'BernoulliLogits',
    params: [-1.2],
    xs: [0, 1, -1],
    ref: ([l], x) => (x === 1 ? Math.log(sigm(l!)) : x === 0 ? Math.log(sigm(-l!)) : -Infinity),
    norm: { kind: 'discrete', kmax: 3 },
  },
  {
    name: 'Binomial',
    params: [12, 0.35],
    xs: [0, 3, 12, 13, 2.5, -1],
    ref: ([n, p], k) =>
      k < 0 || k > n! || k % 1 ? -Infinity : lchoose(n!, k) + k * Math.log(p!) + (n! - k) * Math.log1p(-p!),
    norm: { kind: 'discrete', kmax: 14 },
    moments: [30, 0.8],
  },
  {
    name: 'BinomialLogits',
    params: [7, 0.4],
    xs: [0, 2, 7, 8],
    ref: ([n, l], k) => (k > n! ? -Infinity : lchoose(n!, k) + k * Math.log(sigm(l!)) + (n! - k) * Math.log(sigm(-l!))),
    norm: { kind: 'discrete', kmax: 8 },
  },
  {
    name: 'Poisson',
    params: [3.5],
    xs: [0, 1, 4, 20, -1, 1.5],
    ref: ([r], k) => (k < 0 || k % 1 ? -Infinity : k * Math.log(r!) - r! - lg(k + 1)),
    norm: { kind: 'discrete', kmax: 60 },
    moments: [42],
  },
  {
    name: 'PoissonLog',
    params: [0.4],
    xs: [0, 2, 9],
    ref: ([a], k) => k * a! - Math.exp(a!) - lg(k + 1),
    norm: { kind: 'discrete', kmax: 60 },
  },
  {
    name: 'Geometric',
    params: [0.3],
    xs: [0, 1, 10, -2],
    ref: ([p], k) => (k < 0 ? -Infinity : Math.log(p!) + k * Math.log1p(-p!)),
    norm: { kind: 'discrete', kmax: 200 },
  },
  {
    name: 'NegativeBinomial',
    params: [2.5, 0.4],
    xs: [0, 3, 40],
    ref: ([a, b], k) => lg(k + a!) - lg(k + 1) - lg(a!) + a! * Math.log(b! / (1 + b!)) - k * Math.log1p(b!),
    norm: { kind: 'discrete', kmax: 400 },
  },
  {
    name: 'NegativeBinomial2',
    params: [6, 1.7],
    xs: [0, 3, 40],
    ref: ([m, f], k) => lg(k + f!) - lg(k + 1) - lg(f!) + k * Math.log(m! / (m! + f!)) + f! * Math.log(f! / (m! + f!)),
    norm: { kind: 'discrete', kmax: 600 },
  },
];

// ---- normalization ---------------------------------------------------------------------

function quadrature(n: Norm): { xs: number[]; ws: number[] } {
  const xs: number[] = [];
  const ws: number[] = [];
  if (n.kind === 'discrete') {
    for (let k = 0; k <= n.kmax; k++) (xs.push(k), ws.push(1));
    return { xs, ws };
  }
  const N = 20000;
  if (n.kind === 'real' || n.kind === 'positive') {
    // x = c + s tan(t): the mapped integrand is smooth and vanishes at the ends, even for Cauchy.
    const [a, b] = n.kind === 'real' ? [-Math.PI / 2, Math.PI / 2] : [0, Math.PI / 2];
    const c = n.kind === 'real' ? n.c : 0;
    const h = (b - a) / N;
    for (let i = 0; i < N; i++) {
      const t = a + (i + 0.5) * h;
      xs.push(c + n.s * Math.tan(t));
      ws.push((n.s * h) / Math.cos(t) ** 2);
    }
  } else {
    const [lo, hi] = n.kind === 'unit' ? [0, 1] : [n.lo - 1, n.hi + 1];
    const h = n.kind === 'unit' ? 1 / N : 0.0005; // interval bounds fall on cell edges
    for (let x = lo + h / 2; x < hi; x += h) (xs.push(x), ws.push(h));
  }
  return { xs, ws };
}

// ---- moments ---------------------------------------------------------------------------

interface Stats {
  mean: number;
  var: number;
  m4: number;
  n: number;
}
function stats(v: ArrayLike<number>): Stats {
  const n = v.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += v[i]!;
  m /= n;
  let s2 = 0,
    s4 = 0;
  for (let i = 0; i < n; i++) {
    const d = v[i]! - m;
    s2 += d * d;
    s4 += d ** 4;
  }
  return { mean: m, var: s2 / (n - 1), m4: s4 / n, n };
}
/** Sample mean and variance within 5 standard errors of the closed forms. */
function expectMoments(v: ArrayLike<number>, mean: number, variance: number, what: string): void {
  const s = stats(v);
  expect(Math.abs(s.mean - mean), `${what}: mean ${s.mean} vs ${mean}`).toBeLessThan(
    5 * Math.sqrt(variance / s.n) + 1e-12,
  );
  const seVar = Math.sqrt(Math.max(s.m4 - s.var * s.var, 0) / s.n);
  expect(Math.abs(s.var - variance), `${what}: variance ${s.var} vs ${variance}`).toBeLessThan(5 * seVar + 1e-12);
}
const NS = 20000;

describe.each(rows)('$name', (row) => {
  const spec = D.distributions[row.name]!;

  it('log-density matches the closed form (including -inf outside the support)', () => {
    const got = logProbAt(row.name, row.params, row.xs);
    row.xs.forEach((x, i) => {
      const want = row.ref(row.params, x);
      if (want === -Infinity) expect(got[i], `x = ${x}`).toBe(-Infinity);
      else
        expect(Math.abs(got[i]! - want), `x = ${x}: ${got[i]} vs ${want}`).toBeLessThan(
          1e-12 * Math.max(1, Math.abs(want)),
        );
    });
  });

  it('exp(log-density) integrates (sums) to 1 over the support', () => {
    const { xs, ws } = quadrature(row.norm);
    const lp = logProbAt(row.name, row.params, xs);
    let total = 0;
    lp.forEach((l, i) => (total += Math.exp(l) * ws[i]!));
    expect(Math.abs(total - 1), `total ${total}`).toBeLessThan(row.norm.kind === 'discrete' ? 1e-12 : 2e-6);
  });

  it('sampler moments match the closed-form mean and variance', () => {
    const ps = row.moments === undefined || row.moments === 'none' ? row.params : row.moments;
    const [draws, mean, variance] = run(() => {
      const x = D.sample(row.name, ps, key(11), [NS]);
      return [
        P.cast(x, 'float64'),
        ...(spec.mean ? [D.dist(row.name, ps).mean!(), D.dist(row.name, ps).variance!()] : []),
      ];
    });
    if (spec.support.discrete) expect(Array.from(draws!).every((v) => Number.isInteger(v))).toBe(true);
    const pts = Array.from(draws!);
    const lp = logProbAt(row.name, ps, pts.slice(0, 2000));
    expect(
      Array.from(lp).every((l) => l > -Infinity),
      'draws lie in the support',
    ).toBe(true);
    if (row.quartile) {
      const q = row.quartile;
      const frac = pts.filter((v) => v > q.lo && v <= q.hi).length / NS;
      expect(Math.abs(frac - q.p)).toBeLessThan(5 * Math.sqrt((q.p * (1 - q.p)) / NS));
    } else {
      expectMoments(draws!, mean![0]!, variance![0]!, row.name);
    }
  });

  it('gradient of the log-density in the parameters matches finite differences', () => {
    const xs = row.xs.filter((x) => row.ref(row.params, x) > -Infinity && !(spec.support.discrete && x % 1));
    const c = Float64Array.from(xs);
    const cont = row.params.map((_, i) => spec.params[i]!.constraint !== 'nonnegative_integer');
    const idx = row.params.map((_, i) => i).filter((i) => cont[i]);
    const f = (...ps: Tracer[]) => {
      const full = row.params.map((v, i) => (cont[i] ? ps[idx.indexOf(i)]! : v));
      return spec.logProb(full, P.constant(c, 'float64', [c.length]));
    };
    checkDerivatives(
      f,
      idx.map(() => []),
      idx.map((i) => Float64Array.of(row.params[i]!)),
      { modes: { rev: true, fwd: true, order2: false } },
    );
    // The value's derivative too, for continuous families (HMC-style use).
    if (!spec.support.discrete) {
      const inner = xs.filter(
        (x) =>
          ![0, -1, 2.5].includes(x) ||
          row.name === 'Normal' ||
          row.name === 'StudentT' ||
          row.name === 'Cauchy' ||
          row.name === 'Logistic',
      );
      if (inner.length)
        checkDerivatives((x) => D.logProb(row.name, row.params, x), [[inner.length]], [Float64Array.from(inner)], {
          modes: { rev: true, fwd: false, order2: false },
        });
    }
  });
});

// ---- multivariate and categorical --------------------------------------------------------

/** Gauss-Legendre nodes and weights on [a, b] (Newton on P_n). */
function gaussLegendre(n: number, a: number, b: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 1; i <= n; i++) {
    let x = Math.cos((Math.PI * (i - 0.25)) / (n + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p0 = 1,
        p1 = x;
      for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k];
      dp = (n * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    out.push([0.5 * (b - a) * x + 0.5 * (a + b), (0.5 * (b - a) * 2) / ((1 - x * x) * dp * dp)]);
  }
  return out;
}

const det2 = (S: number[][]) => S[0]![0]! * S[1]![1]! - S[0]![1]! * S[1]![0]!;
function mvnRef(x: number[], mu: number[], S: number[][]): number {
  const d = [x[0]! - mu[0]!, x[1]! - mu[1]!];
  const dt = det2(S);
  const q = (S[1]![1]! * d[0]! ** 2 - 2 * S[0]![1]! * d[0]! * d[1]! + S[0]![0]! * d[1]! ** 2) / dt;
  return -0.5 * q - 0.5 * Math.log(dt) - Math.log(2 * Math.PI);
}
const C = (v: number[] | number[][] | number[][][]) => P.constant(v as number[]);

describe('multivariate and categorical', () => {
  const mu = [0.5, -1];
  const Sig = [
    [2, 0.6],
    [0.6, 1],
  ];
  const L = [
    [Math.SQRT2, 0],
    [0.6 / Math.SQRT2, Math.sqrt(1 - 0.18)],
  ];

  it('MultivariateNormal and MultivariateNormalCholesky: closed form, normalization, moments, gradients', () => {
    const xs = [
      [0, 0],
      [3, -2],
      [0.5, -1],
    ];
    const [a, b] = run(() => [
      D.logProb('MultivariateNormal', [C(mu), C(Sig)], C(xs)),
      D.logProb('MultivariateNormalCholesky', [C(mu), C(L)], C(xs)),
    ]);
    xs.forEach((x, i) => {
      expect(Math.abs(a![i]! - mvnRef(x, mu, Sig))).toBeLessThan(1e-13);
      expect(Math.abs(b![i]! - mvnRef(x, mu, Sig))).toBeLessThan(1e-13);
    });
    // Normalization on a grid x = mu + L z (Gaussian: the trapezoid rule converges exponentially).
    const g: number[][] = [];
    const h = 0.06;
    for (let i = -150; i <= 150; i++)
      for (let j = -150; j <= 150; j++) {
        const z = [i * h, j * h];
        g.push([mu[0]! + L[0]![0]! * z[0]!, mu[1]! + L[1]![0]! * z[0]! + L[1]![1]! * z[1]!]);
      }
    const lp = run(() => D.logProb('MultivariateNormalCholesky', [C(mu), C(L)], C(g)))[0]!;
    const detL = L[0]![0]! * L[1]![1]!;
    let tot = 0;
    lp.forEach((l) => (tot += Math.exp(l) * h * h * detL));
    expect(Math.abs(tot - 1)).toBeLessThan(1e-10);
    // Moments, including the covariance.
    const [s, m, v] = run(() => [
      D.sample('MultivariateNormal', [C(mu), C(Sig)], key(3), [NS]),
      D.dist('MultivariateNormal', [C(mu), C(Sig)]).mean!(),
      D.dist('MultivariateNormal', [C(mu), C(Sig)]).variance!(),
    ]);
    expect(Array.from(m!)).toEqual(mu);
    expect(Array.from(v!)).toEqual([2, 1]);
    for (let k = 0; k < 2; k++)
      expectMoments(
        Array.from({ length: NS }, (_, i) => s![2 * i + k]!),
        mu[k]!,
        Sig[k]![k]!,
        `MVN[${k}]`,
      );
    const prod = Array.from({ length: NS }, (_, i) => (s![2 * i]! - mu[0]!) * (s![2 * i + 1]! - mu[1]!));
    expectMoments(prod, 0.6, 2 * 1 + 0.36, 'MVN covariance');
    // Gradients in mu, L (lower entries) and Sigma (symmetric).
    checkDerivatives(
      (m2, l) => D.logProb('MultivariateNormalCholesky', [m2!, l!], C(xs)),
      [[2], [2, 2]],
      [Float64Array.from(mu), Float64Array.from(L.flat())],
      { modes: { rev: true, fwd: true, order2: false } },
    );
    checkDerivatives(
      (m2, s2) => D.logProb('MultivariateNormal', [m2!, P.mul(0.5, P.add(s2!, P.mT(s2!)))], C(xs)),
      [[2], [2, 2]],
      [Float64Array.from(mu), Float64Array.from(Sig.flat())],
      { modes: { rev: true, fwd: true, order2: false } },
    );
  });

  it('Dirichlet: closed form, normalization over the simplex, moments, gradients', () => {
    const al = [2, 3, 2.5];
    const xs = [
      [0.2, 0.3, 0.5],
      [0.01, 0.01, 0.98],
      [0.5, 0.6, -0.1],
    ];
    const lp = run(() => D.logProb('Dirichlet', [C(al)], C(xs)))[0]!;
    const ref = (x: number[]) =>
      x.reduce((a, xi, i) => a + (al[i]! - 1) * Math.log(xi), 0) + lg(7.5) - al.reduce((a, v) => a + lg(v), 0);
    expect(Math.abs(lp[0]! - ref(xs[0]!))).toBeLessThan(1e-13);
    expect(Math.abs(lp[1]! - ref(xs[1]!))).toBeLessThan(1e-12);
    expect(lp[2]).toBe(-Infinity);
    // x1 = u, x2 = (1 - u) v on the unit square, Jacobian 1 - u.
    const N = 200;
    const pts: number[][] = [];
    const ws: number[] = [];
    for (let i = 0; i < N; i++)
      for (let j = 0; j < N; j++) {
        const u = (i + 0.5) / N,
          v = (j + 0.5) / N;
        const x1 = u,
          x2 = (1 - u) * v;
        pts.push([x1, x2, 1 - x1 - x2]);
        ws.push((1 - u) / (N * N));
      }
    const lq = run(() => D.logProb('Dirichlet', [C(al)], C(pts)))[0]!;
    let tot = 0;
    lq.forEach((l, i) => (tot += Math.exp(l) * ws[i]!));
    expect(Math.abs(tot - 1)).toBeLessThan(1e-4);
    const small = [0.3, 0.05, 1.5];
    const [s, m, v] = run(() => [
      D.sample('Dirichlet', [C(small)], key(5), [NS]),
      D.dist('Dirichlet', [C(small)]).mean!(),
      D.dist('Dirichlet', [C(small)]).variance!(),
    ]);
    for (let k = 0; k < 3; k++)
      expectMoments(
        Array.from({ length: NS }, (_, i) => s![3 * i + k]!),
        m![k]!,
        v![k]!,
        `Dirichlet[${k}]`,
      );
    for (let i = 0; i < NS; i++) expect(Math.abs(s![3 * i]! + s![3 * i + 1]! + s![3 * i + 2]! - 1)).toBeLessThan(1e-12);
    checkDerivatives((a) => D.logProb('Dirichlet', [a!], C(xs.slice(0, 2))), [[3]], [Float64Array.from(al)], {
      modes: { rev: true, fwd: true, order2: false },
    });
  });

  it('LKJCholesky: K = 2 closed form, K = 3 normalization, sampler correlations, gradient in eta', () => {
    const eta = 2.2;
    const rs = [-0.9, 0, 0.4];
    const Ls = rs.map((r) => [
      [1, 0],
      [r, Math.sqrt(1 - r * r)],
    ]);
    const lp = run(() => D.logProb('LKJCholesky', [eta], C(Ls)))[0]!;
    rs.forEach((r, i) => {
      const want = (eta - 1) * Math.log(1 - r * r) - ((2 * eta - 1) * Math.LN2 + lbeta(eta, eta));
      expect(Math.abs(lp[i]! - want), `r = ${r}`).toBeLessThan(1e-13);
    });
    // K = 3: L21 = sin(psi), (L31, L32) = sin(phi) (cos th, sin th); the measure is
    // dL21 dL31 dL32 = cos(psi) sin(phi) cos(phi) dpsi dphi dth (smooth after the substitution).
    // Gauss-Legendre in psi and phi (smooth integrands), the midpoint rule in th (periodic).
    const e3 = 1.5;
    const T = 4;
    const gpsi = gaussLegendre(24, -Math.PI / 2, Math.PI / 2);
    const gphi = gaussLegendre(24, 0, Math.PI / 2);
    const pts: number[][][] = [];
    const ws: number[] = [];
    for (const [psi, wpsi] of gpsi)
      for (const [phi, wphi] of gphi)
        for (let t = 0; t < T; t++) {
          const th = ((t + 0.5) * 2 * Math.PI) / T;
          const a = Math.sin(psi),
            rho = Math.sin(phi);
          pts.push([
            [1, 0, 0],
            [a, Math.cos(psi), 0],
            [rho * Math.cos(th), rho * Math.sin(th), Math.cos(phi)],
          ]);
          ws.push(Math.cos(psi) * rho * Math.cos(phi) * wpsi * wphi * ((2 * Math.PI) / T));
        }
    const l3 = run(() => D.logProb('LKJCholesky', [e3], C(pts)))[0]!;
    let tot = 0;
    l3.forEach((l, i) => (tot += Math.exp(l) * ws[i]!));
    expect(Math.abs(tot - 1), `total ${tot}`).toBeLessThan(1e-6);
    // Sampler: off-diagonal correlations of L L^T have mean 0 and variance 1/(2 eta + K - 1).
    const K = 4,
      e4 = 2;
    const n = 20000;
    const [Om, Ldraw] = run(() => {
      const Ld = D.sample('LKJCholesky', [e4], key(9), [n], { eventShape: [K, K] });
      return [P.matmul(Ld, P.mT(Ld)), Ld];
    });
    for (let i = 0; i < K; i++)
      for (let j = 0; j < i; j++) {
        expectMoments(
          Array.from({ length: n }, (_, s) => Om![s * K * K + i * K + j]!),
          0,
          1 / (2 * e4 + K - 1),
          `LKJ corr[${i},${j}]`,
        );
      }
    for (let s = 0; s < 50; s++)
      for (let i = 0; i < K; i++) expect(Math.abs(Om![s * K * K + i * K + i]! - 1)).toBeLessThan(1e-12);
    const l4 = run(() => D.logProb('LKJCholesky', [e4], P.constant(Ldraw!.slice(0, 16 * 5), 'float64', [5, K, K])))[0]!;
    expect(Array.from(l4).every(Number.isFinite)).toBe(true);
    checkDerivatives((e) => D.logProb('LKJCholesky', [e!], C(pts.slice(0, 5))), [[]], [Float64Array.of(e3)], {
      modes: { rev: true, fwd: true, order2: true },
    });
  });

  it('Categorical and CategoricalLogits: log-mass, normalization, frequencies, enumeration, gradients', () => {
    const p = [0.1, 0.6, 0.3];
    const logits = [0.3, -1, 2, 0];
    const lz = Math.log(logits.reduce((a, l) => a + Math.exp(l), 0));
    const [a, b] = run(() => [
      D.logProb('Categorical', [C(p)], P.constant([0, 1, 2, 3, -1], 'int32')),
      D.logProb('CategoricalLogits', [C(logits)], C([0, 1, 2, 3, 4])),
    ]);
    expect(Array.from(a!.slice(0, 3)).map((v, i) => Math.abs(v - Math.log(p[i]!)))).toEqual(
      [0, 0, 0].map((v) => expect.closeTo(v, 14)) as never,
    );
    expect(a![3]).toBe(-Infinity);
    expect(a![4]).toBe(-Infinity);
    logits.forEach((l, i) => expect(Math.abs(b![i]! - (l - lz))).toBeLessThan(1e-14));
    expect(b![4]).toBe(-Infinity);
    const [e1, e2] = run(() => [
      D.distributions.Categorical!.enumerate!([C(p)]),
      D.distributions.Bernoulli!.enumerate!([P.constant(0.3)]),
    ]);
    expect(Array.from(e1!)).toEqual([0, 1, 2]);
    expect(Array.from(e2!)).toEqual([0, 1]);
    const [s1, s2] = run(() => [
      P.cast(D.sample('Categorical', [C(p)], key(1), [NS]), 'float64'),
      P.cast(D.sample('CategoricalLogits', [C(logits)], key(2), [NS]), 'float64'),
    ]);
    const freq = (s: Float64Array, k: number) => s.filter((v) => v === k).length / NS;
    p.forEach((pk, k) => expect(Math.abs(freq(s1!, k) - pk)).toBeLessThan(5 * Math.sqrt((pk * (1 - pk)) / NS)));
    logits.forEach((l, k) => {
      const pk = Math.exp(l - lz);
      expect(Math.abs(freq(s2!, k) - pk)).toBeLessThan(5 * Math.sqrt((pk * (1 - pk)) / NS));
    });
    const [m, v] = run(() => [D.dist('Categorical', [C(p)]).mean!(), D.dist('Categorical', [C(p)]).variance!()]);
    expectMoments(s1!, m![0]!, v![0]!, 'Categorical');
    checkDerivatives((l) => D.logProb('CategoricalLogits', [l!], C([0, 2, 3])), [[4]], [Float64Array.from(logits)], {
      modes: { rev: true, fwd: true, order2: true },
    });
    checkDerivatives((q) => D.logProb('Categorical', [q!], C([0, 2])), [[3]], [Float64Array.from(p)], {
      modes: { rev: true, fwd: true, order2: false },
    });
  });
});

describe('OrderedLogistic', () => {
  // P(y = k) = sigm(eta - c[k-1]) - sigm(eta - c[k]), c[-1] = -inf, c[K-1] = +inf (Stan's
  // ordered_logistic, values 0-based as Categorical's).
  const eta = 0.4;
  const c = [-1.2, 0.3, 2.5];
  const pmf = [0, 1, 2, 3].map((k) => {
    const hi = k === 3 ? 1 : 1 - sigm(eta - c[k]!);
    const lo = k === 0 ? 0 : 1 - sigm(eta - c[k - 1]!);
    return hi - lo;
  });
  it('log-mass, normalization, out-of-range values, unordered cutpoints, frequencies, moments, enumeration', () => {
    const [lp, bad, en] = run(() => [
      D.logProb('OrderedLogistic', [P.constant(eta), C(c)], P.constant([0, 1, 2, 3, 4, -1], 'int32')),
      D.logProb('OrderedLogistic', [P.constant(eta), C([0.5, -0.5, 1])], P.constant([1], 'int32')),
      D.distributions.OrderedLogistic!.enumerate!([P.constant(eta), C(c)]),
    ]);
    pmf.forEach((q, k) => expect(Math.abs(lp![k]! - Math.log(q))).toBeLessThan(1e-14));
    expect(pmf.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
    expect([lp![4], lp![5]]).toEqual([-Infinity, -Infinity]);
    expect(Number.isNaN(bad![0]!)).toBe(true);
    expect(Array.from(en!)).toEqual([0, 1, 2, 3]);
    const [draws] = run(() => [P.cast(D.sample('OrderedLogistic', [P.constant(eta), C(c)], key(3), [NS]), 'float64')]);
    pmf.forEach((q, k) =>
      expect(Math.abs(draws!.filter((v) => v === k).length / NS - q)).toBeLessThan(5 * Math.sqrt((q * (1 - q)) / NS)),
    );
    const [m, v] = run(() => {
      const d = D.dist('OrderedLogistic', [P.constant(eta), C(c)]);
      return [d.mean!(), d.variance!()];
    });
    expectMoments(draws!, m![0]!, v![0]!, 'OrderedLogistic');
  });
  it('gradients in eta and the cutpoints, every mode, batched eta', () => {
    checkDerivatives(
      (e, cc) => P.sum(D.logProb('OrderedLogistic', [e!, cc!], P.constant([0, 1, 2, 3, 1], 'int32'))),
      [[5], [3]],
      [Float64Array.of(0.4, -2, 3, 0.1, 1.1), Float64Array.from(c)],
      { modes: { rev: true, fwd: true, order2: true } },
    );
  });
});

describe('discrete samplers against their pmf', () => {
  const cases: [string, number[]][] = [
    ['Poisson', [0.7]],
    ['Poisson', [9.5]],
    ['Poisson', [10]],
    ['Poisson', [31.3]],
    ['Poisson', [700]],
    ['Binomial', [20, 0.2]],
    ['Binomial', [100, 0.3]],
    ['Binomial', [100, 0.83]],
    ['Binomial', [1000, 0.004]],
    ['Binomial', [5, 1]],
    ['NegativeBinomial2', [6, 1.7]],
    ['NegativeBinomial', [2.5, 0.4]],
    ['Geometric', [0.3]],
    ['BinomialLogits', [40, 0.5]],
  ];
  it.each(cases)('%s(%j): every cell frequency within 5 SE of the pmf', (name, ps) => {
    const n = 10000;
    const s = run(() => P.cast(D.sample(name, ps, key(name.length * 7 + ps.length), [n]), 'float64'))[0]!;
    const counts = new Map<number, number>();
    for (const v of s) counts.set(v, (counts.get(v) ?? 0) + 1);
    const ks = [...counts.keys()].sort((a, b) => a - b);
    const kmin = Math.max(0, ks[0]! - 3);
    const kmax = ks[ks.length - 1]! + 3;
    const grid = Array.from({ length: kmax - kmin + 1 }, (_, i) => kmin + i);
    const pmf = logProbAt(name, ps, grid).map(Math.exp);
    grid.forEach((k, i) => {
      const p = pmf[i]!;
      const f = (counts.get(k) ?? 0) / n;
      expect(Math.abs(f - p), `k = ${k}: freq ${f} vs pmf ${p}`).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n) + 2 / n);
    });
  });
});

describe('reparameterized samplers: pathwise derivatives', () => {
  it('the draw is differentiable in reparamParams, matching finite differences (fixed key)', () => {
    const cases: [string, number[]][] = [
      ['Normal', [0.3, 1.2]],
      ['HalfNormal', [0.8]],
      ['LogNormal', [0.1, 0.4]],
      ['StudentT', [4, 1, 2]],
      ['Cauchy', [0, 1]],
      ['HalfCauchy', [1.5]],
      ['Laplace', [0, 2]],
      ['Logistic', [1, 0.5]],
      ['Gumbel', [0.3, 1.4]],
      ['Weibull', [1.6, 2.2]],
      ['Exponential', [2]],
      ['Gamma', [2, 3]],
      ['InverseGamma', [3, 2]],
      ['Uniform', [-1, 2]],
    ];
    for (const [name, ps] of cases) {
      const spec = D.distributions[name]!;
      const idx = spec.params.map((p, i) => i).filter((i) => spec.reparamParams.includes(spec.params[i]!.name));
      expect(idx.length, name).toBeGreaterThan(0);
      const f = (...t: Tracer[]) => {
        const full = ps.map((v, i) => (idx.includes(i) ? t[idx.indexOf(i)]! : v));
        return P.sum(P.atan(D.sample(name, full, key(4), [7])));
      };
      checkDerivatives(
        f,
        idx.map(() => []),
        idx.map((i) => Float64Array.of(ps[i]!)),
        { modes: { rev: true, fwd: true, order2: false } },
      );
    }
    const mvn = (m: Tracer, l: Tracer) => P.sum(P.sin(D.sample('MultivariateNormalCholesky', [m, l], key(6), [3])));
    checkDerivatives(mvn, [[2], [2, 2]], [Float64Array.of(0.5, -1), Float64Array.of(1.2, 0, 0.4, 0.9)], {
      modes: { rev: true, fwd: true, order2: false },
    });
  });

  it('flags: continuous location-scale families are reparameterizable, gamma-based and discrete ones are not', () => {
    const yes = Object.values(D.distributions)
      .filter((s) => s.reparameterizable)
      .map((s) => s.name)
      .sort();
    expect(yes).toEqual(
      [
        'Cauchy',
        'Exponential',
        'Gumbel',
        'HalfCauchy',
        'HalfNormal',
        'Laplace',
        'LogNormal',
        'Logistic',
        'MultivariateNormal',
        'MultivariateNormalCholesky',
        'Normal',
        'Uniform',
        'Weibull',
      ].sort(),
    );
  });
});

describe('broadcasting and shapes', () => {
  it('log-densities broadcast values and parameters numpy-style', () => {
    const g = trace(
      (mu, sigma, x) => [
        D.logProb('Normal', [mu, sigma], x),
        D.logProb('Gamma', [sigma, 2], P.abs(x)),
        D.logProb('Poisson', [sigma], P.constant([[1], [2]], 'int32')),
      ],
      [[3, 1], [4], [2, 1, 1]],
    );
    expect(g.outAvals.map((a) => a.shape)).toEqual([
      [2, 3, 4],
      [2, 1, 4],
      [2, 4],
    ]);
    const out = runRef(g, [
      { data: Float64Array.of(0, 1, 2), shape: [3, 1] },
      { data: Float64Array.of(0.5, 1, 2, 3), shape: [4] },
      { data: Float64Array.of(-1, 0.5), shape: [2, 1, 1] },
    ]);
    // Spot check one element: x = 0.5, mu = 2, sigma = 3 at [1, 2, 3].
    expect(out[0]!.data[12 + 2 * 4 + 3]).toBeCloseTo(normLp(0.5, 2, 3), 14);
  });

  it('multivariate and categorical values broadcast over batch dimensions', () => {
    const g = trace(
      (mu, L, x, lg2) => [
        D.logProb('MultivariateNormalCholesky', [mu, L], x),
        D.logProb('CategoricalLogits', [lg2], P.constant([[0], [1], [2], [1], [0]], 'int32')),
        D.logProb('Dirichlet', [P.exp(lg2)], P.softmax(x, -1)),
      ],
      [
        [2, 3],
        [3, 3],
        [4, 1, 3],
        [2, 3],
      ],
    );
    expect(g.outAvals.map((a) => a.shape)).toEqual([
      [4, 2],
      [5, 2],
      [4, 2],
    ]);
  });

  it('draws have shape [...sampleShape, ...batchShape, ...eventShape]', () => {
    const shapes = (f: () => Tracer[]) => trace(f, []).outAvals.map((a) => [a.shape, a.dtype]);
    expect(
      shapes(() => [
        D.sample('Normal', [P.zeros([3, 1]), P.ones([4])], key(0), [5]),
        D.sample('Gamma', [P.ones([2]), 1], key(0), [6, 7]),
        D.sample('Bernoulli', [P.full([3], 0.5)], key(0), [2]),
        D.sample(
          'MultivariateNormalCholesky',
          [
            P.zeros([2, 3]),
            P.constant([
              [1, 0, 0],
              [0, 1, 0],
              [0, 0, 1],
            ]),
          ],
          key(0),
          [4],
        ),
        D.sample('Dirichlet', [P.ones([2, 5])], key(0), [3]),
        D.sample('CategoricalLogits', [P.zeros([2, 5])], key(0), [3]),
        D.sample('LKJCholesky', [P.ones([2])], key(0), [3], { eventShape: [4, 4] }),
        D.sample('Binomial', [P.full([2], 10), 0.5], key(0), []),
      ]),
    ).toEqual([
      [[5, 3, 4], 'float64'],
      [[6, 7, 2], 'float64'],
      [[2, 3], 'int32'],
      [[4, 2, 3], 'float64'],
      [[3, 2, 5], 'float64'],
      [[3, 2], 'int32'],
      [[3, 2, 4, 4], 'float64'],
      [[2], 'int32'],
    ]);
  });
});

describe('mixtures', () => {
  it('logMix, Mixture.logProb, normalization and sampler moments', () => {
    const comps = () => [D.dist('Normal', [-2, 0.5]), D.dist('Normal', [1.5, 1])];
    const w = [0.3, 0.7];
    const xs = [-2, 0, 1.5, 4];
    const [a, b] = run(() => [
      D.Mixture(C(w), comps()).logProb(C(xs)),
      D.logMix(0.3, D.logProb('Normal', [-2, 0.5], C(xs)), D.logProb('Normal', [1.5, 1], C(xs))),
    ]);
    xs.forEach((x, i) => {
      const want = Math.log(0.3 * Math.exp(normLp(x, -2, 0.5)) + 0.7 * Math.exp(normLp(x, 1.5, 1)));
      expect(Math.abs(a![i]! - want)).toBeLessThan(1e-14);
      expect(Math.abs(b![i]! - want)).toBeLessThan(1e-14);
    });
    const { xs: qx, ws } = quadrature({ kind: 'real', c: 0, s: 2 });
    const lq = run(() => D.Mixture(C(w), comps()).logProb(C(qx)))[0]!;
    let tot = 0;
    lq.forEach((l, i) => (tot += Math.exp(l) * ws[i]!));
    expect(Math.abs(tot - 1)).toBeLessThan(2e-6);
    const [s, m, v] = run(() => {
      const mix = D.Mixture(C(w), comps());
      return [mix.sample(key(8), [NS]), mix.mean!(), mix.variance!()];
    });
    expect(m![0]).toBeCloseTo(0.3 * -2 + 0.7 * 1.5, 14);
    expectMoments(s!, m![0]!, v![0]!, 'Mixture');
    const lv = run(() => D.logMixVec(C([[0.2, 0.8]]), C([[-1, -3]])))[0]!;
    expect(lv[0]).toBeCloseTo(Math.log(0.2 * Math.exp(-1) + 0.8 * Math.exp(-3)), 14);
  });
});

describe('the registry', () => {
  it('every entry is complete and self-consistent', () => {
    for (const [name, s] of Object.entries(D.distributions)) {
      expect(s.name).toBe(name);
      expect(s.params.length).toBeGreaterThan(0);
      expect(s.doc.length).toBeGreaterThan(0);
      expect(D.families[s.family]).toContain(name);
      for (const r of s.reparamParams) expect(s.params.map((p) => p.name)).toContain(r);
      if (s.support.discrete) expect(s.reparameterizable).toBe(false);
    }
    expect(Object.keys(D.distributions).length).toBe(31);
  });

  it('resolves positional and named arguments and alternative parameterizations', () => {
    const r = (n: string, a: (string | null)[]) => {
      const x = D.resolveDistribution(n, a);
      return [x.spec.name, x.order];
    };
    expect(r('Normal', [null, null])).toEqual(['Normal', [0, 1]]);
    expect(r('Normal', ['sigma', 'mu'])).toEqual(['Normal', [1, 0]]);
    expect(r('Normal', [null, 'sigma'])).toEqual(['Normal', [0, 1]]);
    expect(r('Bernoulli', [null])).toEqual(['Bernoulli', [0]]);
    expect(r('Bernoulli', ['logits'])).toEqual(['BernoulliLogits', [0]]);
    expect(r('Bernoulli', ['probs'])).toEqual(['Bernoulli', [0]]);
    expect(r('BernoulliLogits', [null])).toEqual(['BernoulliLogits', [0]]);
    expect(r('Binomial', [null, 'logits'])).toEqual(['BinomialLogits', [0, 1]]);
    expect(r('Categorical', ['logits'])).toEqual(['CategoricalLogits', [0]]);
    expect(r('Poisson', ['log_rate'])).toEqual(['PoissonLog', [0]]);
    expect(r('NegativeBinomial', ['mu', 'phi'])).toEqual(['NegativeBinomial2', [0, 1]]);
    expect(r('MultivariateNormal', [null, 'L'])).toEqual(['MultivariateNormalCholesky', [0, 1]]);
    expect(() => D.resolveDistribution('Normal', [null])).toThrow(/Normal expects Normal\(mu, sigma\); got \(#1\)/);
    expect(() => D.resolveDistribution('Normal', ['mu', 'scale'])).toThrow(/expects/);
    expect(() => D.resolveDistribution('Normal', ['mu', null])).toThrow(/positional arguments must come before/);
    expect(() => D.resolveDistribution('Bernoulli', ['q'])).toThrow(/Bernoulli\(probs\) or BernoulliLogits\(logits\)/);
    // Aliases: argument spellings and distribution names.
    expect(r('Bernoulli', ['p'])).toEqual(['Bernoulli', [0]]);
    expect(r('Uniform', ['hi', 'lo'])).toEqual(['Uniform', [1, 0]]);
    expect(r('BernoulliLogit', ['logit'])).toEqual(['BernoulliLogits', [0]]);
    expect(r('DoubleExponential', [null, null])).toEqual(['Laplace', [0, 1]]);
    expect(D.distributions.Laplace!.smooth).toBe(false);
    expect(() => D.resolveDistribution('Nromal', [null, null])).toThrow(/unknown distribution 'Nromal'/);
  });

  it('checks supports against constraints (a wider support is allowed)', () => {
    const inc = D.supportIncludes;
    expect(inc('real', 'positive')).toBe(true); // sigma > 0 ~ Cauchy(0, 2.5)
    expect(inc('nonnegative', 'positive')).toBe(true); // sigma > 0 ~ HalfCauchy(2.5)
    expect(inc('real', 'unit_interval')).toBe(true);
    expect(inc('positive', 'real')).toBe(false);
    expect(inc('unit_interval', 'positive')).toBe(false);
    expect(inc('nonnegative_integer', 'boolean')).toBe(true);
    expect(inc('cholesky_cov', 'cholesky_corr')).toBe(true);
    expect(inc('simplex', 'real_vector')).toBe(false);
  });
});
