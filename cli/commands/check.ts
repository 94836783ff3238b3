// `proxima check`: names, types and shapes without data, then the objective's decomposition and
// the algorithm it implies.

import { existsSync } from 'node:fs';
import { check, formatMessages } from '../../compiler/index.js';
import { CHECK_HELP } from '../help.js';
import { parseOptions, sizeOption, UsageError } from '../options.js';

export async function checkCommand(argv: readonly string[]): Promise<number> {
  const { values: o, positionals } = parseOptions('check', argv, {
    json: { type: 'boolean' },
    'max-memory': { type: 'string' },
  } as const);
  if (o.help) {
    console.log(CHECK_HELP);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError('proxima check: give exactly one .opt file (see proxima check --help)');
  const file = positionals[0]!;
  if (!existsSync(file)) throw new UsageError(`proxima check: cannot read ${file}: no such file`);
  const r = check(file, { maxMemory: sizeOption('check', 'max-memory', o['max-memory']) });
  if (o.json) {
    process.stdout.write(JSON.stringify(r) + '\n');
    return r.ok ? 0 : 1;
  }
  if (r.messages.length) process.stderr.write(formatMessages(r.messages) + '\n');
  if (!r.ok) return 1;
  const lines: string[] = [`${file}: ok`];
  if (r.decomposition) {
    lines.push('decomposition:');
    for (const [k, v] of Object.entries(r.decomposition)) if (k !== 'bilevel') lines.push(`  ${k}: ${describe(v)}`);
    const b = r.decomposition.bilevel;
    if (b)
      lines.push(
        `  bilevel: ${b.sense ?? 'argmin'} over ${(b.inner ?? [b.variable]).join(', ')} inside, outer ${(b.outer ?? b.over).join(', ')}`,
        ...(b.plan ? [`bilevel plan: ${b.plan}`] : []),
      );
  }
  if (r.algorithm) lines.push(`algorithm: ${r.algorithm.name}${r.algorithm.reason ? ` (${r.algorithm.reason})` : ''}`);
  if (r.sampler) {
    const o = r.sampler.options;
    const extra = r.sampler.method === 'nuts' ? `max_depth ${o.max_depth}` : `${o.steps} leapfrog steps`;
    lines.push(
      `sampler: ${r.sampler.method}: ${o.chains} chains x (${o.warmup} warmup + ${o.draws} draws), metric ${o.metric}, target_accept ${o.target_accept}, ${extra}`,
    );
    lines.push('parameters (sampled on the unconstrained scale; log-Jacobians included):');
    for (const p of r.sampler.parameters) lines.push(`  ${p.name}: ${p.type}  [${p.transform}]`);
    if (r.sampler.refusal) lines.push(`cannot run: ${r.sampler.refusal}`);
  }
  if (r.estimators?.length) {
    lines.push('estimators:');
    for (const e of r.estimators) lines.push(`  ${e.site}: ${e.estimator} (${e.reason})`);
  }
  console.log(lines.join('\n'));
  return 0;
}

function describe(v: unknown): string {
  if (Array.isArray(v))
    return v.length === 0
      ? 'none'
      : v
          .map((x) =>
            typeof x === 'object' && x && 'text' in x ? String((x as { text: unknown }).text) : JSON.stringify(x),
          )
          .join('; ');
  if (v === null || v === undefined) return 'none';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
