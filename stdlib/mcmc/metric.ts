// Euclidean metrics of Hamiltonian Monte Carlo (Stan's unit_e, diag_e, dense_e). A metric is
// stored as its inverse M^-1, the posterior covariance estimate that warmup learns: the kinetic
// energy is p' M^-1 p / 2, the velocity (Stan's dtau_dp, "p sharp") is M^-1 p, and momenta are
// drawn from N(0, M): p = z / sqrt(v) for a diagonal M^-1 = diag(v), and p = L^-T z for a dense
// M^-1 = L L'. The inverse metric is plain JSON (a checkpoint stores it); the Cholesky factor is
// derived.

import { choleskyKernel } from '../../runtime/index.js';
import type { Stream } from './rng.js';

export type MetricKind = 'unit' | 'diag' | 'dense';

export interface Metric {
  kind: MetricKind;
  n: number;
  /** diag: the n variances; dense: the n x n covariance, row-major; unit: empty. */
  inverse: Float64Array;
  /** Lower Cholesky factor of a dense inverse metric. */
  chol: Float64Array | null;
}

export function unitMetric(n: number, kind: MetricKind = 'unit'): Metric {
  if (kind === 'unit') return { kind, n, inverse: new Float64Array(0), chol: null };
  if (kind === 'diag') return { kind, n, inverse: new Float64Array(n).fill(1), chol: null };
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = 1;
  return { kind, n, inverse: a, chol: Float64Array.from(a) };
}

/** A metric from its inverse (a copy); throws when a dense one is not positive definite. */
export function metricFrom(kind: MetricKind, n: number, inverse: ArrayLike<number>): Metric {
  const inv = Float64Array.from(inverse);
  if (kind !== 'dense') return { kind, n, inverse: inv, chol: null };
  const chol = choleskyKernel(inv, 1, n);
  if (!Number.isFinite(chol[0]!)) throw new Error('the dense inverse metric is not positive definite');
  return { kind, n, inverse: inv, chol };
}

/** out = M^-1 p. */
export function velocity(m: Metric, p: Float64Array, out: Float64Array): Float64Array {
  const n = m.n;
  if (m.kind === 'unit') out.set(p);
  else if (m.kind === 'diag') for (let i = 0; i < n; i++) out[i] = m.inverse[i]! * p[i]!;
  else {
    const a = m.inverse;
    for (let i = 0; i < n; i++) {
      let s = 0;
      const r = i * n;
      for (let j = 0; j < n; j++) s += a[r + j]! * p[j]!;
      out[i] = s;
    }
  }
  return out;
}

/** p' M^-1 p / 2. */
export function kinetic(m: Metric, p: Float64Array): number {
  const n = m.n;
  let s = 0;
  if (m.kind === 'unit') for (let i = 0; i < n; i++) s += p[i]! * p[i]!;
  else if (m.kind === 'diag') for (let i = 0; i < n; i++) s += m.inverse[i]! * p[i]! * p[i]!;
  else {
    const a = m.inverse;
    for (let i = 0; i < n; i++) {
      let t = 0;
      const r = i * n;
      for (let j = 0; j < n; j++) t += a[r + j]! * p[j]!;
      s += p[i]! * t;
    }
  }
  return 0.5 * s;
}

/** Draws p ~ N(0, M) into `p`. */
export function sampleMomentum(m: Metric, rng: Stream, p: Float64Array): Float64Array {
  const n = m.n;
  rng.normals(p);
  if (m.kind === 'diag') for (let i = 0; i < n; i++) p[i] = p[i]! / Math.sqrt(m.inverse[i]!);
  else if (m.kind === 'dense') {
    // Back substitution L' p = z (L' is upper triangular; L is stored row-major, so L'[i][j] = L[j][i]).
    const l = m.chol!;
    for (let i = n - 1; i >= 0; i--) {
      let s = p[i]!;
      for (let j = i + 1; j < n; j++) s -= l[j * n + i]! * p[j]!;
      p[i] = s / l[i * n + i]!;
    }
  }
  return p;
}
