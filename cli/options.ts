// Command-line option parsing on node:util's parseArgs, with readable errors (UsageError) in
// place of its exceptions, and checked numeric options.

import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

const HELP = { help: { type: 'boolean' } } as const;

export function parseOptions<T extends FlagSpec>(command: string, argv: readonly string[], options: T) {
  try {
    return parseArgs({
      args: [...argv],
      options: { ...options, ...HELP } as T & typeof HELP,
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(
      `proxima ${command}: ${msg.charAt(0).toLowerCase()}${msg.slice(1)} (see proxima ${command} --help)`,
    );
  }
}

export function intOption(command: string, name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`proxima ${command}: --${name} needs an integer >= ${min}, got \`${v}\``);
  return n;
}
