// The human-readable form of a run result: status, objective, values, then the messages with
// their source excerpts.

import { formatMessages, type RunResult } from '../compiler/index.js';

type Nested = number | null | Nested[];

function fmtValue(v: Nested): string {
  if (v === null) return 'null';
  if (typeof v === 'number')
    return Number.isInteger(v)
      ? String(v)
      : v
          .toPrecision(6)
          .replace(/(\.\d*?)0+(e|$)/, '$1$2')
          .replace(/\.(e|$)/, '$1');
  return `[${v.map(fmtValue).join(', ')}]`;
}

export function printResult(r: RunResult, out: NodeJS.WriteStream = process.stdout): void {
  const lines: string[] = [];
  const why = typeof r.diagnostics.stop_reason === 'string' ? ` (${r.diagnostics.stop_reason})` : '';
  lines.push(`status:    ${r.status}${why}`);
  if (r.status !== 'error') {
    lines.push(`objective: ${r.objective === null ? 'null' : fmtValue(r.objective)}`);
    lines.push(
      `steps:     ${r.steps}   time ${r.time_ms.toFixed(0)} ms (compile ${r.compile_ms.toFixed(0)} ms)   backend ${r.backend}   seed ${r.seed}`,
    );
    const names = Object.keys(r.values);
    if (names.length) {
      lines.push('values:');
      const w = Math.max(...names.map((n) => n.length));
      for (const n of names) lines.push(`  ${n.padEnd(w)} = ${fmtValue(r.values[n] as Nested)}`);
    }
    // Inference: the values are posterior means; the table adds the spread (generate outputs too).
    if (r.posterior && Object.values(r.posterior).some((s) => s.rhat !== undefined)) lines.push(...mcmcTable(r));
    else if (r.posterior) {
      const post = Object.keys(r.posterior);
      const w = Math.max(4, ...post.map((n) => n.length));
      lines.push(`posterior:  ${'name'.padEnd(w)}  mean / sd / [q05, q50, q95]`);
      for (const n of post) {
        const s = r.posterior[n]!;
        lines.push(
          `  ${n.padEnd(w)}  ${fmtValue(s.mean as Nested)} / ${fmtValue(s.sd as Nested)} / [${fmtValue(s.q05 as Nested)}, ${fmtValue(s.q50 as Nested)}, ${fmtValue(s.q95 as Nested)}]`,
        );
      }
    }
  }
  out.write(lines.join('\n') + '\n');
  if (r.messages.length) process.stderr.write(formatMessages(r.messages) + '\n');
}

/** MCMC summaries: one row per scalar, with R-hat and bulk/tail ESS (Stan's summary layout). */
function mcmcTable(r: RunResult): string[] {
  const rows: string[][] = [];
  const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v === null ? NaN : (v as number)]);
  for (const [name, s] of Object.entries(r.posterior!)) {
    const cols = [s.mean, s.sd, s.q05, s.q50, s.q95, s.rhat, s.ess_bulk, s.ess_tail].map(flat);
    const labels = scalarLabels(name, s.mean);
    labels.forEach((label, j) =>
      rows.push([
        label,
        ...cols.slice(0, 5).map((c) => num(c[j]!)),
        Number.isFinite(cols[5]![j]!) ? cols[5]![j]!.toFixed(3) : '-',
        ...cols.slice(6).map((c) => (Number.isFinite(c[j]!) ? c[j]!.toFixed(0) : '-')),
      ]),
    );
  }
  const head = ['', 'mean', 'sd', 'q05', 'q50', 'q95', 'rhat', 'ess_bulk', 'ess_tail'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    '  ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return ['posterior:', line(head), ...rows.map(line)];
}

function num(v: number): string {
  return Number.isFinite(v) ? fmtValue(v) : String(v);
}

function scalarLabels(name: string, v: unknown, prefix: number[] = []): string[] {
  if (!Array.isArray(v)) return [prefix.length ? `${name}[${prefix.join(',')}]` : name];
  return v.flatMap((x, i) => scalarLabels(name, x, [...prefix, i]));
}
