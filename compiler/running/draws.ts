// Posterior draws in the user's terms: per variable (params, then `generate` outputs) the draws
// as a flat [D, ...shape] array; summaries nested in the declared shape; scalar column names for
// --draws-out (0-based, as the language: `beta[0]`, `Sigma[0,1]`).

import { summarize } from '../../stdlib/index.js';
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
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export function summaries(t: DrawTable): Record<string, PosteriorSummary> {
  const out: Record<string, PosteriorSummary> = {};
  for (const v of t.variables) {
    const k = sizeOf(v.shape);
    const cols = Array.from({ length: k }, (_, j) => {
      const col = new Float64Array(t.draws);
      for (let d = 0; d < t.draws; d++) col[d] = v.data[d * k + j]!;
      return summarize(col);
    });
    const field = (f: keyof PosteriorSummary) =>
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
