// --draws-out: the posterior draws of an inference run, written atomically (output_files.ts).
// CSV: a header with one column per scalar, named as in the language, 0-based (`mu`, `beta[0]`,
// `Sigma[0,1]`; a name with a comma is quoted), then one row per draw. JSON: an object mapping
// each variable to its draws, an array of D values in the variable's declared shape. MCMC draws
// add a first column `chain` (1-based; rows are chain-major) and the sampler's columns after the
// variables (lp__, accept_stat__, stepsize__, treedepth__, n_leapfrog__, divergent__, energy__,
// as Stan writes them).

import { writeAtomic } from './output_files.js';
import { nest, scalarNames, type DrawTable } from '../compiler/index.js';

export type DrawsFormat = 'csv' | 'json';

/** The format a path asks for, or null for an extension we do not write. */
export function drawsFormat(path: string): DrawsFormat | null {
  const p = path.toLowerCase();
  return p.endsWith('.csv') ? 'csv' : p.endsWith('.json') ? 'json' : null;
}

export function writeDraws(path: string, t: DrawTable): void {
  const text = drawsFormat(path) === 'csv' ? toCsv(t) : toJson(t);
  writeAtomic(path, text);
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const cell = (x: number) => (Number.isFinite(x) ? String(x) : Number.isNaN(x) ? 'NaN' : x > 0 ? 'Inf' : '-Inf');

function toCsv(t: DrawTable): string {
  const header = t.variables.flatMap((v) => scalarNames(v.name, v.shape)).map((n) => (n.includes(',') ? `"${n}"` : n));
  const stats = t.stats ?? [];
  const lines = [[...(t.chains ? ['chain'] : []), ...header, ...stats.map((s) => s.name)].join(',')];
  for (let d = 0; d < t.draws; d++) {
    const row: string[] = t.chains ? [String(t.chains[d])] : [];
    for (const v of t.variables) {
      const k = size(v.shape);
      for (let j = 0; j < k; j++) row.push(cell(v.data[d * k + j]!));
    }
    for (const s of stats) row.push(cell(s.data[d]!));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

function toJson(t: DrawTable): string {
  const out: Record<string, unknown> = t.chains ? { chain: Array.from(t.chains) } : {};
  for (const v of t.variables) {
    const k = size(v.shape);
    const flat = Array.from(v.data, (x) => (Number.isFinite(x) ? x : cell(x)));
    out[v.name] = Array.from({ length: t.draws }, (_, d) => nest(flat.slice(d * k, (d + 1) * k) as number[], v.shape));
  }
  for (const s of t.stats ?? []) out[s.name] = Array.from(s.data, (x) => (Number.isFinite(x) ? x : cell(x)));
  return JSON.stringify(out) + '\n';
}
