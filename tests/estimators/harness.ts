// Shared by the programmable-VI tests: compile an estimator once (theta, phi, key -> value,
// gradients) on the float64 reference backend, draw it under many keys, and compare means with
// exact gradients within standard errors.

import { expect } from 'vitest';
import { ops as P, trace, runRef, grad, type Tracer, type Graph } from '../../runtime/index.js';
import { estimate, type VIProgram, type EstimateOptions } from '../../stdlib/vi/estimate.js';
import type { Objective } from '../../stdlib/vi/objectives.js';

export interface Draws {
  /** [N][nTheta + nPhi] gradient draws (theta first). */
  grads: Float64Array[];
  values: Float64Array;
}

/** Compiles the surrogate's value and gradient in (theta, phi); returns a drawing function. */
export function estimator(
  prog: VIProgram,
  obj: Objective,
  nTheta: number,
  nPhi: number,
  options: Omit<EstimateOptions, 'key' | 'baselines'> & { baselines?: Record<string, number> } = {},
) {
  const g: Graph = trace(
    (theta: Tracer, phi: Tracer, key: Tracer) => {
      const baselines =
        options.baselines && Object.fromEntries(Object.entries(options.baselines).map(([k, v]) => [k, P.full([], v)]));
      const opts = { ...options, baselines };
      const th = [theta];
      const ph = [phi];
      const e = estimate(prog, obj, th, ph, { ...opts, key });
      const f = (t: Tracer, p: Tracer) => estimate(prog, obj, [t], [p], { ...opts, key }).surrogate;
      return [e.value, grad(f, 0)(theta, phi), grad(f, 1)(theta, phi)];
    },
    [[nTheta], [nPhi], { shape: [2], dtype: 'int32' }],
  );
  return (theta: number[], phi: number[], n: number, seed0 = 1): Draws => {
    const grads: Float64Array[] = [];
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const [v, gt, gp] = runRef(g, [
        { data: Float64Array.from(theta), shape: [nTheta] },
        { data: Float64Array.from(phi), shape: [nPhi] },
        { data: Int32Array.from([seed0, i]), shape: [2] },
      ]);
      values[i] = v!.data[0]!;
      grads.push(Float64Array.from([...gt!.data, ...gp!.data]));
    }
    return { grads, values };
  };
}

/** Exact value and gradient of a traced function of (theta, phi). */
export function exactGrad(
  f: (theta: Tracer, phi: Tracer) => Tracer,
  theta: number[],
  phi: number[],
): { value: number; grad: Float64Array } {
  const g = trace(
    (t: Tracer, p: Tracer) => [f(t, p), grad(f, 0)(t, p), grad(f, 1)(t, p)],
    [[theta.length], [phi.length]],
  );
  const [v, gt, gp] = runRef(g, [
    { data: Float64Array.from(theta), shape: [theta.length] },
    { data: Float64Array.from(phi), shape: [phi.length] },
  ]);
  return { value: v!.data[0]!, grad: Float64Array.from([...gt!.data, ...gp!.data]) };
}

export function meanSd(d: Draws): { mean: Float64Array; sd: Float64Array } {
  const n = d.grads.length;
  const m = d.grads[0]!.length;
  const mean = new Float64Array(m);
  const sd = new Float64Array(m);
  for (const g of d.grads) for (let j = 0; j < m; j++) mean[j] += g[j]! / n;
  for (const g of d.grads) for (let j = 0; j < m; j++) sd[j] += (g[j]! - mean[j]!) ** 2 / (n - 1);
  for (let j = 0; j < m; j++) sd[j] = Math.sqrt(sd[j]!);
  return { mean, sd };
}

/** Total gradient variance (sum over coordinates of the per-draw variance). */
export function totalVariance(d: Draws): number {
  return meanSd(d).sd.reduce((a, s) => a + s * s, 0);
}

/** Every coordinate's mean within 4 standard errors of the exact gradient (plus a rounding floor). */
export function expectUnbiased(d: Draws, exact: Float64Array, label: string): { maxZ: number } {
  const { mean, sd } = meanSd(d);
  const n = d.grads.length;
  let maxZ = 0;
  for (let j = 0; j < exact.length; j++) {
    const se = sd[j]! / Math.sqrt(n);
    const err = Math.abs(mean[j]! - exact[j]!);
    const tol = 4 * se + 1e-9 * (1 + Math.abs(exact[j]!));
    if (se > 1e-9 * (1 + Math.abs(exact[j]!))) maxZ = Math.max(maxZ, err / se);
    expect(err, `${label}: coordinate ${j}: mean ${mean[j]} vs exact ${exact[j]} (se ${se})`).toBeLessThanOrEqual(tol);
  }
  return { maxZ };
}
