// The options table, generated from the method table (the one source): per method its kind,
// family, the problems it takes, its options with defaults and ranges, what `steps` counts and
// what `tol` measures. `proxima methods` prints it; docs point to it rather than copy it.

import { FEATURES } from './choose.js';
import { describeOptions } from './options.js';
import { RESTRICTING, type AnyMethod } from './rule.js';

/** What a method takes, in words. */
export function takesText(m: AnyMethod): string {
  const allows = m.takes.allows.filter((f) => RESTRICTING.includes(f)).map((f) => FEATURES[f].takes);
  const needs = (m.takes.requires ?? []).map((f) => FEATURES[f].takes);
  const base = m.kind === 'infer' ? 'models' : m.kind === 'hypergrad' ? 'bilevel problems' : 'smooth problems';
  return [base, ...allows].join(', ') + (needs.length ? `; needs ${needs.join(', ')}` : '');
}

/** One markdown row per method. */
export function optionsTable(methods: readonly AnyMethod[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const rows = methods.map((m) =>
    [
      `\`${m.name}\`${m.available ? '' : ' (not available yet)'}`,
      `${m.kind} / ${m.family.replace(/_/g, '-')}`,
      esc(m.summary),
      esc(takesText(m)),
      esc(describeOptions(m.options).join('; ')),
      esc(m.test ?? ''),
    ].join(' | '),
  );
  return [
    '| method | kind / family | what | takes | options (default, range) | `steps` counts / `tol` measures |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
  ].join('\n');
}
