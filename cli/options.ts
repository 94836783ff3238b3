// Command-line option parsing on node:util's parseArgs, with readable errors (UsageError) in
// place of its exceptions, and strictly checked values: an integer option takes decimal digits
// only (`--seed ""`, `--seed 1e20`, `--steps 0x10` are errors, never 0 or a rounded number), a
// size takes a number and a unit, and a single-valued option given twice is an error rather
// than the last one silently winning.

import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

const HELP = { help: { type: 'boolean' } } as const;

export function parseOptions<T extends FlagSpec>(command: string, argv: readonly string[], options: T) {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...options, ...HELP } as T & typeof HELP,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(
      `proxima ${command}: ${msg.charAt(0).toLowerCase()}${msg.slice(1)} (see proxima ${command} --help)`,
    );
  }
  const seen = new Set<string>();
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== 'option' || (options[t.name] as { multiple?: boolean } | undefined)?.multiple) continue;
    if (seen.has(t.name)) throw new UsageError(`proxima ${command}: --${t.name} is given twice; give it once`);
    seen.add(t.name);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

/** A non-negative integer option: decimal digits only, at least `min`, at most 2^53 - 1. */
export function intOption(command: string, name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\+?[0-9]+$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min)
    throw new UsageError(
      `proxima ${command}: --${name} needs an integer from ${min} to ${Number.MAX_SAFE_INTEGER}, got \`${v}\``,
    );
  return n;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** A size in bytes: `512MB`, `8G`, `1.5GB`, `100000` (bytes); units are binary (1 GB = 2^30 bytes). */
export function sizeOption(command: string, name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(v);
  const bytes = m ? Number(m[1]) * UNITS[m[2]!.toLowerCase()]! : NaN;
  if (!(bytes >= 1) || !Number.isFinite(bytes))
    throw new UsageError(`proxima ${command}: --${name} needs a size such as 512MB or 8GB, got \`${v}\``);
  return Math.floor(bytes);
}
