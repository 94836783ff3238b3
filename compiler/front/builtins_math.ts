// Built-in mathematical functions beyond the core arithmetic (builtins.ts): Stan's special
// functions (stdlib/special), the inverse trigonometric and hyperbolic functions, link functions,
// conversions, vector statistics and constants. Names and argument orders are Stan's. Every entry
// composes runtime ops, so derivatives of any order come free (tests/compiler/builtins.test.ts
// checks the values; tests/compiler/builtin_derivatives.test.ts the derivatives against finite
// differences).

import { ops as P, type Tracer } from '../../runtime/index.js';
import { special as S } from '../../stdlib/index.js';
import { reduceShape } from './shape_rules.js';
import {
  constantFn,
  elementwise,
  filledType,
  needRank,
  numeric,
  q,
  real,
  reduction,
  unary,
  zeroGrad,
  type Builtin,
} from './builtin_kit.js';

const f64 = (x: Tracer) => P.cast(x, 'float64');

/** log_sum_exp(x) over all entries, or log_sum_exp(a, b) elementwise. */
const logSumExp: Builtin = {
  name: 'log_sum_exp',
  params: [
    { name: 'a', kind: 'x' },
    { name: 'b', kind: 'x' },
  ],
  required: 1,
  smooth: true,
  summary: 'log(sum(exp(a))) over every entry of a; with b, log(exp(a) + exp(b)) elementwise',
  type: (c) => {
    const e = numeric(c);
    if (e) return e;
    if (c.args.length === 1) return real([]);
    return elementwise('log_sum_exp', ['a', 'b'], S.logAddExp, '').type(c);
  },
  lower: (c) => (c.args.length === 1 ? P.logsumexp(c.args[0]!) : S.logAddExp(c.args[0]!, c.args[1]!)),
};

/** log_mix(theta, lp1, lp2) elementwise, or log_mix(theta, lps) over the last axis (Stan's forms). */
const logMix: Builtin = {
  name: 'log_mix',
  params: [
    { name: 'theta', kind: 'x' },
    { name: 'lp1', kind: 'x' },
    { name: 'lp2', kind: 'x' },
  ],
  required: 2,
  smooth: true,
  summary:
    'log(theta exp(lp1) + (1 - theta) exp(lp2)) elementwise; log_mix(theta, lps): log sum_k theta_k exp(lps_k) over the last axis (theta a simplex)',
  type: (c) => {
    const e = numeric(c);
    if (e) return e;
    if (c.args.length === 3) return elementwise('log_mix', ['theta', 'lp1', 'lp2'], S.logMix, '').type(c);
    const [t, l] = [c.args[0]!, c.args[1]!];
    if (t.shape.length === 0 || l.shape.length === 0)
      return `${q(c.expr)}: with two arguments, log_mix takes mixing weights and log densities along a last axis (vectors)`;
    const s = elementwise('log_mix', ['theta', 'lps'], S.logMix, '').type(c);
    if (typeof s === 'string') return s;
    const r = reduceShape(c.expr, { shape: s.shape, text: c.expr }, -1);
    return typeof r === 'string' ? r : real(r);
  },
  lower: (c) =>
    c.args.length === 3
      ? S.logMix(c.args[0]!, c.args[1]!, c.args[2]!)
      : P.logsumexp(P.add(P.log(c.args[0]!), c.args[1]!), -1),
};

/** to_real / to_int: bools and ints to numbers (to_int truncates toward zero, as Stan's). */
const conversion = (name: 'to_real' | 'to_int'): Builtin => ({
  name,
  params: [{ name: 'x', kind: 'x' }],
  required: 1,
  smooth: name === 'to_real',
  summary:
    name === 'to_real'
      ? 'the value as a real (true is 1, false is 0)'
      : 'the value as an int: a bool to 0 or 1, a real truncated toward zero',
  type: (c) => {
    const a = c.args[0]!;
    if (name === 'to_real') return real(a.shape);
    return {
      elem: 'int',
      shape: a.shape,
      ...(a.static !== undefined ? { static: a.static } : {}),
    };
  },
  // The lowering sees float64 arguments (bools as 0 and 1).
  lower: (c) =>
    name === 'to_real'
      ? c.args[0]!
      : P.cast(P.where(P.lt(c.args[0]!, 0), P.ceil(c.args[0]!), P.floor(c.args[0]!)), 'int32'),
});

/** rep_vector(x, n) / rep_matrix(x, m, n): a constant filled to a shape. */
const rep = (name: string, dims: string[]): Builtin => ({
  name,
  params: [{ name: 'x', kind: 'x' as const }, ...dims.map((d) => ({ name: d, kind: 'int' as const }))],
  required: 1 + dims.length,
  smooth: true,
  summary: `a ${dims.length === 1 ? 'vector' : 'matrix'} with every entry x (a scalar)`,
  type: filledType,
  lower: (c) => P.broadcastTo(c.args[0]!, c.ints),
});

/** Sample variance (n - 1 in the denominator, Stan's) over all entries or along `axis`. */
function variance(x: Tracer, axis?: number): Tracer {
  const n = axis === undefined ? x.shape.reduce((a, b) => a * b, 1) : x.shape[axis < 0 ? axis + x.rank : axis]!;
  const m = P.mean(x, axis, true);
  return P.div(P.sum(P.square(P.sub(x, m)), axis), n - 1);
}

/** The product of the entries (over `axis` if given): a scan of multiplications, exact in value
 *  and in every derivative (also at zeros, which a log-sum formula would get wrong). */
function prod(x: Tracer, axis?: number): Tracer {
  const a = axis === undefined ? 0 : axis < 0 ? axis + x.rank : axis;
  const xs =
    axis === undefined ? P.reshape(x, [-1]) : P.transpose(x, [a, ...x.shape.map((_, i) => i).filter((i) => i !== a)]);
  const { carry } = P.scan((c, [row]) => [[P.mul(c[0]!, row!)], []], [P.ones(xs.shape.slice(1))], [xs]);
  return carry[0]!;
}

const step = (x: Tracer): Tracer => f64(P.ge(x, 0));
const intStep = (x: Tracer): Tracer => f64(P.gt(x, 0));
const round = (x: Tracer): Tracer => P.where(P.lt(x, 0), P.neg(P.floor(P.add(P.neg(x), 0.5))), P.floor(P.add(x, 0.5)));
const trunc = (x: Tracer): Tracer => P.where(P.lt(x, 0), P.ceil(x), P.floor(x));

export const MATH_BUILTINS: readonly Builtin[] = [
  // special functions (stdlib/special)
  unary('lgamma', S.lgamma, 'log Gamma(x), x > 0'),
  unary('digamma', S.digamma, 'd/dx lgamma(x), x > 0'),
  unary('trigamma', S.trigamma, 'd/dx digamma(x), x > 0'),
  unary('tgamma', S.tgamma, 'the gamma function Gamma(x) (poles at 0, -1, -2, ...)'),
  elementwise('lbeta', ['a', 'b'], S.lbeta, 'log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b)'),
  elementwise('lchoose', ['n', 'k'], S.lchoose, 'log of the binomial coefficient C(n, k), real n and k'),
  elementwise('gamma_p', ['a', 'x'], S.gammaP, 'regularized lower incomplete gamma P(a, x), a > 0, x >= 0'),
  elementwise('gamma_q', ['a', 'x'], S.gammaQ, 'regularized upper incomplete gamma Q(a, x) = 1 - P(a, x)'),
  elementwise('inc_beta', ['a', 'b', 'x'], S.incBeta, 'regularized incomplete beta I_x(a, b), 0 <= x <= 1'),
  unary('erf', S.erf, 'error function'),
  unary('erfc', S.erfc, '1 - erf(x), accurate in the tail'),
  unary('erfcx', S.erfcx, 'exp(x^2) erfc(x), the scaled complementary error function'),
  unary('Phi', S.ndtr, 'standard normal CDF'),
  unary('log_Phi', S.logNdtr, 'log of the standard normal CDF, stable for x -> -inf'),
  unary('inv_Phi', S.invPhi, 'the standard normal quantile (probit), 0 < p < 1'),
  unary('Phi_approx', S.phiApprox, "Stan's logistic approximation inv_logit(0.07056 x^3 + 1.5976 x) of Phi"),
  // log-space helpers
  logSumExp,
  elementwise('log_diff_exp', ['a', 'b'], S.logSubExp, 'log(exp(a) - exp(b)), a >= b'),
  unary('log1p_exp', S.log1pexp, 'log(1 + exp(x))'),
  unary('log1m_exp', S.log1mexp, 'log(1 - exp(x)), x <= 0'),
  unary('log1m', S.log1m, 'log(1 - x), accurate for small x'),
  logMix,
  elementwise('lmultiply', ['x', 'y'], S.xlogy, 'x log(y), with 0 log 0 = 0'),
  elementwise('xlogy', ['x', 'y'], S.xlogy, 'x log(y), with 0 log 0 = 0 (lmultiply)'),
  elementwise('xlog1py', ['x', 'y'], S.xlog1py, 'x log1p(y), with 0 log1p(-1) = 0'),
  // links
  unary('inv_logit', (x) => P.sigmoid(x), '1 / (1 + exp(-x))'),
  unary('log_inv_logit', (x) => P.logSigmoid(x), 'log(inv_logit(x)), stable'),
  unary('log1m_inv_logit', S.log1mInvLogit, 'log(1 - inv_logit(x)), stable'),
  unary('logit', S.logit, 'log(x / (1 - x)), 0 < x < 1'),
  unary('inv_cloglog', S.invCloglog, '1 - exp(-exp(x))'),
  // powers and logarithms
  elementwise('pow', ['x', 'y'], (x, y) => P.pow(x, y), 'x^y, elementwise'),
  {
    ...unary('inv', (x) => P.div(1, x), "1 / x, elementwise (Stan's inv; the matrix inverse is inverse(A))"),
    warn: (c) =>
      c.args[0]!.shape.length === 2
        ? `${q(c.expr)} is the elementwise reciprocal 1 / x (Stan's inv); for the matrix inverse write \`inverse(${c.args[0]!.text})\``
        : null,
  },
  unary('inv_sqrt', (x) => P.div(1, P.sqrt(x)), '1 / sqrt(x)'),
  unary('inv_square', (x) => P.div(1, P.square(x)), '1 / x^2'),
  unary('cbrt', S.cbrt, 'the real cube root'),
  unary('exp2', S.exp2, '2^x'),
  unary('log2', S.log2, 'base-2 logarithm'),
  unary('log10', S.log10, 'base-10 logarithm'),
  elementwise('hypot', ['a', 'b'], S.hypot, 'sqrt(a^2 + b^2) without overflow'),
  elementwise('fma', ['a', 'b', 'c'], (a, b, c) => P.add(P.mul(a, b), c), 'a * b + c'),
  // trigonometric and hyperbolic
  unary('tan', S.tan, 'tangent'),
  unary('asin', S.asin, 'arc sine, -1 <= x <= 1'),
  unary('acos', S.acos, 'arc cosine, -1 <= x <= 1'),
  elementwise('atan2', ['y', 'x'], S.atan2, 'the angle of the point (x, y), in (-pi, pi]', false),
  unary('sinh', S.sinh, 'hyperbolic sine'),
  unary('cosh', S.cosh, 'hyperbolic cosine'),
  unary('asinh', S.asinh, 'inverse hyperbolic sine'),
  unary('acosh', S.acosh, 'inverse hyperbolic cosine, x >= 1'),
  unary('atanh', S.atanh, 'inverse hyperbolic tangent, -1 < x < 1'),
  // piecewise
  elementwise('fmin', ['a', 'b'], P.minimum, 'elementwise smaller of a and b (minimum)', false),
  elementwise('fmax', ['a', 'b'], P.maximum, 'elementwise larger of a and b (maximum)', false),
  elementwise('fdim', ['a', 'b'], (a, b) => P.maximum(P.sub(a, b), 0), 'max(a - b, 0)', false),
  zeroGrad(unary('step', step, '1 where x >= 0, else 0 (Stan: step(0) = 1; zero gradient)', false)),
  zeroGrad(unary('int_step', intStep, '1 where x > 0, else 0 (zero gradient)', false)),
  zeroGrad(unary('ceil', P.ceil, 'round up, elementwise (zero gradient)', false)),
  zeroGrad(
    unary(
      'round',
      round,
      'round to the nearest integer, halves away from zero (zero gradient; see straight_through)',
      false,
    ),
  ),
  zeroGrad(unary('trunc', trunc, 'round toward zero (zero gradient)', false)),
  conversion('to_real'),
  conversion('to_int'),
  // vectors
  reduction('sd', (x, a) => P.sqrt(variance(x, a)), 'sample standard deviation (n - 1), over `axis` if given'),
  reduction('variance', variance, 'sample variance (n - 1), over `axis` if given'),
  reduction('prod', prod, 'product of the entries (over `axis` if given)'),
  rep('rep_vector', ['n']),
  rep('rep_matrix', ['m', 'n']),
  {
    name: 'add_diag',
    params: [
      { name: 'm', kind: 'x' },
      { name: 'd', kind: 'x' },
    ],
    required: 2,
    smooth: true,
    summary: 'the square matrix m with d (a scalar or a vector) added to its diagonal',
    type: (c) => {
      const e =
        numeric(c) ??
        needRank(c, 0, [2], 'add_diag takes a square matrix') ??
        needRank(c, 1, [0, 1], 'the diagonal is a scalar or a vector');
      if (e) return e;
      return real([...c.args[0]!.shape]);
    },
    lower: (c) => {
      const n = c.args[0]!.shape[0]!;
      const eye = f64(P.eq(P.iota([n, n], 0), P.iota([n, n], 1)));
      return P.add(c.args[0]!, P.mul(eye, P.reshape(P.broadcastTo(c.args[1]!, [n]), [1, n])));
    },
  },
  {
    name: 'gp_exp_quad_cov',
    params: [
      { name: 'x', kind: 'x' },
      { name: 'alpha', kind: 'x' },
      { name: 'rho', kind: 'x' },
    ],
    required: 3,
    smooth: true,
    summary:
      'the squared-exponential covariance alpha^2 exp(-|x_i - x_j|^2 / (2 rho^2)) of points x (a vector, or one point per row)',
    type: (c) => {
      const e =
        numeric(c) ??
        needRank(c, 0, [1, 2], 'the points are a vector or a matrix with one point per row') ??
        needRank(c, 1, [0], 'alpha is a scalar') ??
        needRank(c, 2, [0], 'rho is a scalar');
      if (e) return e;
      const n = c.args[0]!.shape[0]!;
      return real([n, n]);
    },
    lower: (c) => {
      const x = c.args[0]!.rank === 1 ? P.reshape(c.args[0]!, [-1, 1]) : c.args[0]!;
      const n = x.shape[0]!;
      const d = P.sub(P.reshape(x, [n, 1, -1]), P.reshape(x, [1, n, -1]));
      const r2 = P.sum(P.square(d), 2);
      return P.mul(P.square(c.args[1]!), P.exp(P.div(r2, P.mul(-2, P.square(c.args[2]!)))));
    },
  },
  // constants
  constantFn('pi', Math.PI, 'pi'),
  constantFn('e', Math.E, "Euler's number e"),
  constantFn('sqrt2', Math.SQRT2, 'the square root of 2'),
  constantFn('positive_infinity', Infinity, '+inf'),
  constantFn('negative_infinity', -Infinity, '-inf'),
  constantFn('not_a_number', NaN, 'NaN'),
  constantFn('machine_precision', Number.EPSILON, 'the float64 machine epsilon, 2^-52'),
];
