// Posterior draws in the user's terms: per variable (params, then `generate` outputs) the draws
// as a flat [D, ...shape] array; summaries nested in the declared shape; scalar column names for
// --draws-out (0-based, as the language: `beta[0]`, `Sigma[0,1]`).

import { summarize, summarizeWeighted, type Summary } from '../../stdlib/index.js';
import type { NestedValue, PosteriorSummary } from './result.js';

export interface DrawVariable {
  name: string;
  shape: number[];
  /** Row-major [draws, ...shape]. */
  data: Float64Array;
}

export interface DrawTable {
  draws: number;
  variables: DrawVariable[];
  /** MCMC: each draw's chain (1-based); the draws are chain-major. */
  chains?: Int32Array;
  /** MCMC: the sampler's per-draw columns (lp__, accept_stat__, ..., as Stan names them). */
  stats?: { name: string; data: Float64Array }[];
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export function summaries(t: DrawTable): Record<string, PosteriorSummary> {
  return weightedSummaries(t, null);
}

/** Summaries under normalized importance weights (one per draw), or plain ones (null). */
export function weightedSummaries(t: DrawTable, w: Float64Array | null): Record<string, PosteriorSummary> {
  const out: Record<string, PosteriorSummary> = {};
  for (const v of t.variables) {
    const k = sizeOf(v.shape);
    const cols = Array.from({ length: k }, (_, j) => {
      const col = new Float64Array(t.draws);
      for (let d = 0; d < t.draws; d++) col[d] = v.data[d * k + j]!;
      return w ? summarizeWeighted(col, w) : summarize(col);
    });
    const field = (f: keyof Summary) =>
      nest(
        cols.map((c) => c[f]),
        v.shape,
      );
    out[v.name] = { mean: field('mean'), sd: field('sd'), q05: field('q05'), q50: field('q50'), q95: field('q95') };
  }
  return out;
}

export function nest(flat: readonly number[], shape: readonly number[]): NestedValue {
  if (shape.length === 0) return flat[0]!;
  const inner = sizeOf(shape.slice(1));
  return Array.from({ length: shape[0]! }, (_, i) => nest(flat.slice(i * inner, (i + 1) * inner), shape.slice(1)));
}

/** Column names of one variable's scalars, row-major: `x`, `beta[0]`, `Sigma[0,1]`. */
export function scalarNames(name: string, shape: readonly number[]): string[] {
  if (shape.length === 0) return [name];
  const out: string[] = [];
  const idx = shape.map(() => 0);
  for (let j = 0; j < sizeOf(shape); j++) {
    out.push(`${name}[${idx.join(',')}]`);
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++idx[a]! < shape[a]!) break;
      idx[a] = 0;
    }
  }
  return out;
}

/**
 * D draws resampled with replacement in proportion to normalized weights (importance
 * resampling, as Pathfinder returns its draws), by systematic resampling from one uniform
 * drawn from `key`: the --draws-out file of a PSIS-weighted fit.
 */
export function resample(t: DrawTable, w: Float64Array, key: Int32Array, D = t.draws): DrawTable {
  const u0 = ((key[0]! >>> 0) * 2 ** -32 + (key[1]! >>> 0) * 2 ** -64) / D;
  const pick = new Int32Array(D);
  let c = w[0]!;
  let j = 0;
  for (let i = 0; i < D; i++) {
    const u = u0 + i / D;
    while (u > c && j < t.draws - 1) c += w[++j]!;
    pick[i] = j;
  }
  return {
    draws: D,
    variables: t.variables.map((v) => {
      const k = sizeOf(v.shape);
      const data = new Float64Array(D * k);
      for (let i = 0; i < D; i++) data.set(v.data.subarray(pick[i]! * k, (pick[i]! + 1) * k), i * k);
      return { ...v, data };
    }),
  };
}

/** The first D draws of a table. */
export function headDraws(t: DrawTable, D: number): DrawTable {
  if (D >= t.draws) return t;
  return {
    draws: D,
    variables: t.variables.map((v) => ({ ...v, data: v.data.slice(0, D * sizeOf(v.shape)) })),
  };
}
