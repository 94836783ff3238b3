// --draws-out: the posterior draws of an inference run, written atomically (a temporary file in
// the same folder, then a rename). CSV: a header with one column per scalar, named as in the
// language, 0-based (`mu`, `beta[0]`, `Sigma[0,1]`; a name with a comma is quoted), then one row
// per draw. JSON: an object mapping each variable to its draws, an array of D values in the
// variable's declared shape.

import { renameSync, writeFileSync } from 'node:fs';
import { nest, scalarNames, type DrawTable } from '../compiler/index.js';

export type DrawsFormat = 'csv' | 'json';

/** The format a path asks for, or null for an extension we do not write. */
export function drawsFormat(path: string): DrawsFormat | null {
  const p = path.toLowerCase();
  return p.endsWith('.csv') ? 'csv' : p.endsWith('.json') ? 'json' : null;
}

export function writeDraws(path: string, t: DrawTable): void {
  const text = drawsFormat(path) === 'csv' ? toCsv(t) : toJson(t);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const cell = (x: number) => (Number.isFinite(x) ? String(x) : Number.isNaN(x) ? 'NaN' : x > 0 ? 'Inf' : '-Inf');

function toCsv(t: DrawTable): string {
  const header = t.variables.flatMap((v) => scalarNames(v.name, v.shape)).map((n) => (n.includes(',') ? `"${n}"` : n));
  const lines = [header.join(',')];
  for (let d = 0; d < t.draws; d++) {
    const row: string[] = [];
    for (const v of t.variables) {
      const k = size(v.shape);
      for (let j = 0; j < k; j++) row.push(cell(v.data[d * k + j]!));
    }
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

function toJson(t: DrawTable): string {
  const out: Record<string, unknown> = {};
  for (const v of t.variables) {
    const k = size(v.shape);
    const flat = Array.from(v.data, (x) => (Number.isFinite(x) ? x : cell(x)));
    out[v.name] = Array.from({ length: t.draws }, (_, d) => nest(flat.slice(d * k, (d + 1) * k) as number[], v.shape));
  }
  return JSON.stringify(out) + '\n';
}
