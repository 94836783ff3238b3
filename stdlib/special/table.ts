// Special functions by name, for the compiler's function calls (names as in Stan where one exists).
import type { Tracer } from '../../runtime/index.js';
import { ops as P } from '../../runtime/index.js';
import { lgamma } from './lgamma.js';
import { digamma, trigamma } from './digamma.js';
import { lbeta, lchoose } from './lbeta.js';
import { erf, erfc, erfcx } from './erf.js';
import { ndtr, logNdtr } from './ndtr.js';
import { log1mexp, logAddExp, logSubExp, xlogy, xlog1py, log1pexp, logMix } from './logexp.js';
import { fl } from './series.js';
import { gammaP, gammaQ, incBeta } from './incomplete.js';
import { invPhi, logit, log1m, log1mInvLogit, tgamma, phiApprox, invCloglog } from './elementary.js';

type F = (...xs: Tracer[]) => Tracer;
export interface SpecialFn {
  arity: number;
  fn: F;
  doc: string;
}

export const specialFunctions: Readonly<Record<string, SpecialFn>> = {
  lgamma: { arity: 1, fn: (x) => lgamma(x!), doc: 'log Gamma(x), x > 0' },
  digamma: { arity: 1, fn: (x) => digamma(x!), doc: 'd/dx lgamma(x), x > 0' },
  trigamma: { arity: 1, fn: (x) => trigamma(x!), doc: 'd/dx digamma(x), x > 0' },
  lbeta: { arity: 2, fn: (a, b) => lbeta(a!, b!), doc: 'log B(a, b)' },
  lchoose: { arity: 2, fn: (n, k) => lchoose(n!, k!), doc: 'log C(n, k)' },
  erf: { arity: 1, fn: (x) => erf(x!), doc: 'error function' },
  erfc: { arity: 1, fn: (x) => erfc(x!), doc: '1 - erf(x), accurate in the tail' },
  erfcx: { arity: 1, fn: (x) => erfcx(x!), doc: 'exp(x^2) erfc(x)' },
  Phi: { arity: 1, fn: (x) => ndtr(x!), doc: 'standard normal CDF' },
  log_Phi: { arity: 1, fn: (x) => logNdtr(x!), doc: 'log of the standard normal CDF, stable for x -> -inf' },
  log1m_exp: { arity: 1, fn: (x) => log1mexp(x!), doc: 'log(1 - exp(x)), x <= 0' },
  log_sum_exp: { arity: 2, fn: (a, b) => logAddExp(a!, b!), doc: 'log(exp(a) + exp(b))' },
  log_diff_exp: { arity: 2, fn: (a, b) => logSubExp(a!, b!), doc: 'log(exp(a) - exp(b)), a >= b' },
  log1p_exp: { arity: 1, fn: (x) => log1pexp(x!), doc: 'log(1 + exp(x))' },
  xlogy: { arity: 2, fn: (x, y) => xlogy(x!, y!), doc: 'x log y with 0 log 0 = 0' },
  xlog1py: { arity: 2, fn: (x, y) => xlog1py(x!, y!), doc: 'x log1p(y) with 0 log1p(-1) = 0' },
  log_mix: { arity: 3, fn: (t, a, b) => logMix(t!, a!, b!), doc: 'log(theta exp(lp1) + (1 - theta) exp(lp2))' },
  inv_logit: { arity: 1, fn: (x) => P.sigmoid(fl(x!)), doc: '1/(1 + exp(-x))' },
  log_inv_logit: { arity: 1, fn: (x) => P.logSigmoid(fl(x!)), doc: 'log(1/(1 + exp(-x)))' },
  log1m_inv_logit: { arity: 1, fn: (x) => log1mInvLogit(x!), doc: 'log(1 - inv_logit(x))' },
  logit: { arity: 1, fn: (x) => logit(x!), doc: 'log(x / (1 - x))' },
  log1m: { arity: 1, fn: (x) => log1m(x!), doc: 'log(1 - x)' },
  inv_cloglog: { arity: 1, fn: (x) => invCloglog(x!), doc: '1 - exp(-exp(x))' },
  tgamma: { arity: 1, fn: (x) => tgamma(x!), doc: 'Gamma(x)' },
  inv_Phi: { arity: 1, fn: (x) => invPhi(x!), doc: 'the standard normal quantile' },
  Phi_approx: { arity: 1, fn: (x) => phiApprox(x!), doc: 'inv_logit(0.07056 x^3 + 1.5976 x)' },
  gamma_p: { arity: 2, fn: (a, x) => gammaP(a!, x!), doc: 'regularized lower incomplete gamma' },
  gamma_q: { arity: 2, fn: (a, x) => gammaQ(a!, x!), doc: 'regularized upper incomplete gamma' },
  inc_beta: { arity: 3, fn: (a, b, x) => incBeta(a!, b!, x!), doc: 'regularized incomplete beta I_x(a, b)' },
};
