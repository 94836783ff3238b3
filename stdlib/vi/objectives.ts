// Variational objectives as programs: a small expression language over the per-particle
// log-densities, with `expect` at the top. Built-in objectives are written in it, and the
// compiler lowers `objective name = ...` to the same combinators, so one estimator construction
// (estimate.ts) serves both.
//
//   logp, logq           per particle: the model's and the guide's log density at a guide draw
//   logmeanexp(e)        over the particle axis (the K draws of `expect(..., { samples: K })`)
//   mean(e), sum(e), softmax(e)   over the particle axis
//   stop(e)              no gradient (wake-sleep weights)
//   add, sub, mul, div, neg, exp, log, constants
//   expect(e, { samples: K })     the expectation over K independent guide draws; an
//                        expression still carrying the particle axis is averaged over it.
//
// Invariant: particle-axis operations act on the last axis of a tensor [...enum dims, K]; every
// other operation is elementwise, so enumeration axes broadcast through any objective.

import { ops as P, type Tracer } from '../../runtime/index.js';

export type Expr =
  | { op: 'logp' | 'logq' }
  | { op: 'const'; value: number }
  | { op: 'add' | 'sub' | 'mul' | 'div'; a: Expr; b: Expr }
  | { op: 'neg' | 'exp' | 'log' | 'logmeanexp' | 'mean' | 'sum' | 'softmax' | 'stop'; a: Expr };

export type Gradient = 'standard' | 'stl' | 'dreg';

export interface Objective {
  name: string;
  body: Expr;
  /** Particles K per estimate. */
  samples: number;
  /** False for wake-sleep: choices are sampled with no gradient through them. */
  pathwise: boolean;
  /**
   * For reparameterized sites: 'stl' scores log q with the guide's parameters held fixed
   * (sticking the landing; unbiased for linear objectives), 'dreg' is the doubly reparameterized
   * IWAE gradient (Tucker et al. 2018; the body must be IWAE's).
   */
  gradient: Gradient;
}

type E = Expr | number;
const lift = (e: E): Expr => (typeof e === 'number' ? { op: 'const', value: e } : e);

export const logp: Expr = { op: 'logp' };
export const logq: Expr = { op: 'logq' };
export const add = (a: E, b: E): Expr => ({ op: 'add', a: lift(a), b: lift(b) });
export const sub = (a: E, b: E): Expr => ({ op: 'sub', a: lift(a), b: lift(b) });
export const mul = (a: E, b: E): Expr => ({ op: 'mul', a: lift(a), b: lift(b) });
export const div = (a: E, b: E): Expr => ({ op: 'div', a: lift(a), b: lift(b) });
export const neg = (a: E): Expr => ({ op: 'neg', a: lift(a) });
export const exp = (a: E): Expr => ({ op: 'exp', a: lift(a) });
export const log = (a: E): Expr => ({ op: 'log', a: lift(a) });
export const logmeanexp = (a: E): Expr => ({ op: 'logmeanexp', a: lift(a) });
export const mean = (a: E): Expr => ({ op: 'mean', a: lift(a) });
export const sum = (a: E): Expr => ({ op: 'sum', a: lift(a) });
export const softmax = (a: E): Expr => ({ op: 'softmax', a: lift(a) });
export const stop = (a: E): Expr => ({ op: 'stop', a: lift(a) });
/** log w = log p - log q. */
export const logw: Expr = sub(logp, logq);

export function expect(
  body: E,
  opts: { samples?: number; name?: string; pathwise?: boolean; gradient?: Gradient } = {},
): Objective {
  return {
    name: opts.name ?? 'objective',
    body: lift(body),
    samples: opts.samples ?? 1,
    pathwise: opts.pathwise ?? true,
    gradient: opts.gradient ?? 'standard',
  };
}

// ---- built-in objectives ------------------------------------------------------------------

export const elbo = (samples = 1, gradient: Gradient = 'standard'): Objective =>
  expect(logw, { samples, name: 'elbo', gradient });
/** The importance-weighted bound (Burda et al. 2016). */
export const iwae = (k: number, gradient: Gradient = 'standard'): Objective =>
  expect(logmeanexp(logw), { samples: k, name: 'iwae', gradient });
/** The Renyi bound of order alpha != 1 (Li & Turner 2016): log E[w^(1-alpha)] / (1 - alpha). */
export const renyi = (alpha: number, k: number): Objective =>
  expect(div(logmeanexp(mul(1 - alpha, logw)), 1 - alpha), { samples: k, name: 'renyi' });
/** VIMCO (Mnih & Rezende 2016): IWAE whose score-function sites take leave-one-out baselines. */
export const vimco = (k: number): Objective => ({ ...iwae(k), name: 'vimco' });
/** Reweighted wake-sleep, wake phase for the model (Bornschein & Bengio 2015): sum w~_k log p_k. */
export const rwsWakeP = (k: number): Objective =>
  expect(sum(mul(stop(softmax(logw)), logp)), { samples: k, name: 'rws_wake_p', pathwise: false });
/** Reweighted wake-sleep, wake phase for the guide: sum w~_k log q_k (maximized). */
export const rwsWakeQ = (k: number): Objective =>
  expect(sum(mul(stop(softmax(logw)), logq)), { samples: k, name: 'rws_wake_q', pathwise: false });

// ---- analysis and evaluation ----------------------------------------------------------------

/** Coefficients when e = a logp + b logq + c per particle (then E[e] splits by factor), else null. */
export function affine(e: Expr): { a: number; b: number; c: number } | null {
  switch (e.op) {
    case 'logp':
      return { a: 1, b: 0, c: 0 };
    case 'logq':
      return { a: 0, b: 1, c: 0 };
    case 'const':
      return { a: 0, b: 0, c: e.value };
    case 'mean':
      return affine(e.a);
    case 'neg': {
      const x = affine(e.a);
      return x && { a: -x.a, b: -x.b, c: -x.c };
    }
    case 'add':
    case 'sub': {
      const x = affine(e.a);
      const y = affine(e.b);
      const s = e.op === 'add' ? 1 : -1;
      return x && y && { a: x.a + s * y.a, b: x.b + s * y.b, c: x.c + s * y.c };
    }
    case 'mul':
    case 'div': {
      const x = affine(e.a);
      const y = affine(e.b);
      if (!x || !y) return null;
      const isConst = (t: { a: number; b: number }) => t.a === 0 && t.b === 0;
      if (e.op === 'div') return isConst(y) ? { a: x.a / y.c, b: x.b / y.c, c: x.c / y.c } : null;
      if (isConst(x)) return { a: x.c * y.a, b: x.c * y.b, c: x.c * y.c };
      if (isConst(y)) return { a: y.c * x.a, b: y.c * x.b, c: y.c * x.c };
      return null;
    }
    default:
      return null;
  }
}

/** Evaluates a body on per-particle tensors lp, lq of one shape [..., K]; a remaining particle axis is averaged. */
export function evaluate(e: Expr, lp: Tracer, lq: Tracer): Tracer {
  const K = lp.shape[lp.rank - 1]!;
  const go = (x: Expr): Tracer => {
    switch (x.op) {
      case 'logp':
        return lp;
      case 'logq':
        return lq;
      case 'const':
        return P.full([], x.value);
      case 'add':
        return P.add(go(x.a), go(x.b));
      case 'sub':
        return P.sub(go(x.a), go(x.b));
      case 'mul':
        return P.mul(go(x.a), go(x.b));
      case 'div':
        return P.div(go(x.a), go(x.b));
      case 'neg':
        return P.neg(go(x.a));
      case 'exp':
        return P.exp(go(x.a));
      case 'log':
        return P.log(go(x.a));
      case 'stop':
        return P.stopGradient(go(x.a));
      case 'logmeanexp':
        return P.sub(P.logsumexp(particles(go(x.a)), -1, true), Math.log(K));
      case 'mean':
        return P.mean(particles(go(x.a)), -1, true);
      case 'sum':
        return P.sum(particles(go(x.a)), -1, true);
      case 'softmax':
        return P.softmax(particles(go(x.a)), -1);
    }
  };
  // lp and lq share one shape, and everything derives from them, so broadcasting to it is exact.
  const particles = (t: Tracer) => P.broadcastTo(t, lp.shape);
  return P.mean(particles(go(e)), -1);
}

/** A short text form (for messages and `proxima check`). */
export function show(e: Expr): string {
  switch (e.op) {
    case 'logp':
    case 'logq':
      return e.op;
    case 'const':
      return String(e.value);
    case 'add':
      return `(${show(e.a)} + ${show(e.b)})`;
    case 'sub':
      return `(${show(e.a)} - ${show(e.b)})`;
    case 'mul':
      return `${show(e.a)} * ${show(e.b)}`;
    case 'div':
      return `${show(e.a)} / ${show(e.b)}`;
    default:
      return `${e.op}(${show(e.a)})`;
  }
}
