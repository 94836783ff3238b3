// The fixed affine map z = shift + A w between a guide's whitened coordinates w and the
// unconstrained parameters z (see gaussian.ts for why), built from a start Gaussian
// N(mean, Sigma) given by the eigendecomposition of its precision. A is diagonal for the
// families whose structure a full map would destroy (mean-field, low-rank plus diagonal) and a
// full square root of Sigma for full-rank. `C` and `P` are the start Gaussian's covariance and
// precision in w coordinates, from which each family takes its start; `logDet` = log|det A|
// enters the ELBO as a constant.
//
// Mean-field: the KL(q || p) optimum of a diagonal Gaussian against a Gaussian p has the
// *conditional* variances 1 / diag(Sigma^-1), not the marginal ones (diag Sigma): with
// correlation 0.999 these differ by a factor 22 in sd. So A = diag(P_z)^-1/2 (P_z the precision
// in z) and the start is w ~ N(0, I). Low-rank keeps the marginal sds (its low-rank part carries
// the correlated directions, probabilistic PCA of the correlation matrix).

import { ops as P, type Tracer } from '../../runtime/index.js';
import type { GuideName } from './gaussian.js';

export interface Whitening {
  n: number;
  shift: Float64Array;
  /** 'diag': a is [n]; 'full': a is row-major [n, n]. */
  kind: 'diag' | 'full';
  a: Float64Array;
  logDet: number;
  /** The start covariance and precision in whitened coordinates, row-major [n, n]. */
  C: Float64Array;
  P: Float64Array;
}

/** A Gaussian by its mean and the eigendecomposition of its precision (eigenvectors as columns). */
export interface StartGaussian {
  mean: Float64Array;
  w: Float64Array;
  v: Float64Array;
}

/**
 * The start when there is no usable Gaussian approximation: sd `sd` around x0 (as Stan's ADVI
 * starts), in the map of the given kind so that one compiled graph serves every start.
 */
export function plainWhitening(x0: Float64Array, sd: number, kind: 'diag' | 'full' = 'diag'): Whitening {
  const n = x0.length;
  const a = kind === 'diag' ? new Float64Array(n).fill(sd) : identity(n).map((x) => x * sd);
  return { n, shift: Float64Array.from(x0), kind, a, logDet: n * Math.log(sd), C: identity(n), P: identity(n) };
}

export function gaussianWhitening(g: StartGaussian, guide: GuideName): Whitening {
  const n = g.mean.length;
  const { w, v } = g;
  const shift = Float64Array.from(g.mean);
  if (guide === 'delta') return { n, shift, kind: 'diag', a: new Float64Array(n).fill(1), logDet: 0, ...unit(n) };
  if (guide === 'full_rank') {
    // A = V diag(w^-1/2): A A' is Sigma, so q starts as the Gaussian itself.
    const a = new Float64Array(n * n);
    let logDet = 0;
    for (let j = 0; j < n; j++) {
      const s = 1 / Math.sqrt(w[j]!);
      logDet += Math.log(s);
      for (let i = 0; i < n; i++) a[i * n + j] = v[i * n + j]! * s;
    }
    return { n, shift, kind: 'full', a, logDet, ...unit(n) };
  }
  const cov = quadForm(v, w, n, (x) => 1 / x);
  const prec = quadForm(v, w, n, (x) => x);
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++)
    a[i] = guide === 'mean_field' ? 1 / Math.sqrt(prec[i * n + i]!) : Math.sqrt(cov[i * n + i]!);
  const C = new Float64Array(n * n);
  const Pw = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      C[i * n + j] = cov[i * n + j]! / (a[i]! * a[j]!);
      Pw[i * n + j] = prec[i * n + j]! * a[i]! * a[j]!;
    }
  return { n, shift, kind: 'diag', a, logDet: a.reduce((s, x) => s + Math.log(x), 0), C, P: Pw };
}

/** V diag(f(w)) V' (row-major). */
function quadForm(v: Float64Array, w: Float64Array, n: number, f: (x: number) => number): Float64Array {
  const fw = Float64Array.from(w, f);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += v[i * n + k]! * v[j * n + k]! * fw[k]!;
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  return out;
}

/** The affine map as graph values (inputs of the compiled graphs, so one graph serves any start). */
export interface AffineT {
  kind: 'diag' | 'full';
  shift: Tracer;
  a: Tracer;
}

/** z = shift + A w, in a graph (w [n]). */
export function unwhiten(W: AffineT, w: Tracer): Tracer {
  return P.add(W.shift, W.kind === 'full' ? P.matmul(W.a, w) : P.mul(W.a, w));
}

function unit(n: number): { C: Float64Array; P: Float64Array } {
  return { C: identity(n), P: identity(n) };
}

function identity(n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = 1;
  return a;
}
