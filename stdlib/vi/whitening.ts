// The fixed affine map z = shift + A w between a guide's whitened coordinates w and the
// unconstrained parameters z (see gaussian.ts for why). A is diagonal for the families whose
// structure a full map would destroy (mean-field, low-rank plus diagonal) and a full square root
// of the Laplace covariance for full-rank. `C` is the Laplace covariance in w coordinates, from
// which each family takes its start; `logDet` = log|det A| enters the ELBO as a constant.

import { ops as P, type Tracer } from '../../runtime/index.js';
import type { GuideName } from './gaussian.js';
import type { LaplaceResult } from './laplace.js';

export interface Whitening {
  n: number;
  shift: Float64Array;
  /** 'diag': a is [n]; 'full': a is row-major [n, n]. */
  kind: 'diag' | 'full';
  a: Float64Array;
  logDet: number;
  /** The start covariance in whitened coordinates, row-major [n, n]. */
  C: Float64Array;
}

/**
 * The start when there is no usable Laplace approximation: a Gaussian of sd `sd` around x0 (as
 * Stan's ADVI starts), in the map of the given kind so that one compiled graph serves both starts.
 */
export function plainWhitening(x0: Float64Array, sd: number, kind: 'diag' | 'full' = 'diag'): Whitening {
  const n = x0.length;
  const a = kind === 'diag' ? new Float64Array(n).fill(sd) : identity(n).map((x) => x * sd);
  return { n, shift: Float64Array.from(x0), kind, a, logDet: n * Math.log(sd), C: identity(n) };
}

export function laplaceWhitening(lp: LaplaceResult, guide: GuideName): Whitening {
  const n = lp.mode.length;
  const { w, v } = lp.precision!;
  if (guide === 'delta')
    return {
      n,
      shift: Float64Array.from(lp.mode),
      kind: 'diag',
      a: new Float64Array(n).fill(1),
      logDet: 0,
      C: identity(n),
    };
  if (guide === 'full_rank') {
    // A = V diag(w^-1/2): A A' is the Laplace covariance, so q starts as the Laplace Gaussian.
    const a = new Float64Array(n * n);
    let logDet = 0;
    for (let j = 0; j < n; j++) {
      const s = 1 / Math.sqrt(w[j]!);
      logDet += Math.log(s);
      for (let i = 0; i < n; i++) a[i * n + j] = v[i * n + j]! * s;
    }
    return { n, shift: Float64Array.from(lp.mode), kind: 'full', a, logDet, C: identity(n) };
  }
  // Diagonal whitening by the marginal sds; C is then the Laplace correlation matrix.
  const cov = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += (v[i * n + k]! * v[j * n + k]!) / w[k]!;
      cov[i * n + j] = s;
    }
  }
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.sqrt(cov[i * n + i]!);
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) C[i * n + j] = cov[i * n + j]! / (a[i]! * a[j]!);
  return { n, shift: Float64Array.from(lp.mode), kind: 'diag', a, logDet: a.reduce((s, x) => s + Math.log(x), 0), C };
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

function identity(n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = 1;
  return a;
}
