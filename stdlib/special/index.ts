// Special functions, composed from runtime primitives (so derivatives of every order come free).
export { lgamma } from './lgamma.js';
export { digamma, trigamma } from './digamma.js';
export { lbeta, betaln, lchoose } from './lbeta.js';
export { erf, erfc, erfcx } from './erf.js';
export { ndtr, logNdtr, logNormalPdf } from './ndtr.js';
export { log1mexp, logAddExp, logSubExp, xlogy, xlog1py, log1pexp, logMix } from './logexp.js';
export { logGammaPQ, logIncBeta, gammaP, gammaQ, incBeta, INCOMPLETE_TERMS } from './incomplete.js';
export {
  logit,
  log1m,
  log1mInvLogit,
  invCloglog,
  phiApprox,
  tan,
  asin,
  acos,
  sinh,
  cosh,
  asinh,
  acosh,
  atanh,
  log2,
  log10,
  exp2,
  cbrt,
  atan2,
  hypot,
  tgamma,
  invPhi,
} from './elementary.js';
export { specialFunctions, type SpecialFn } from './table.js';
export { fl, EULER_GAMMA, LOG_2PI, LOG_PI, LOG_SQRT_2PI } from './series.js';
