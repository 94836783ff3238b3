// Runs the CLI's `main` in this process with stdout and stderr captured: the same code path as
// the bin after start-up, without paying a process and a bundle per case.

import { main } from '../../cli/main.js';

export interface CliOutcome {
  code: number;
  out: string;
  err: string;
}

/** Runs `proxima ...argv` in-process; stdout and stderr are captured, not printed. */
export async function cliInProcess(...argv: string[]): Promise<CliOutcome> {
  let out = '';
  let err = '';
  const w = {
    out: process.stdout.write,
    err: process.stderr.write,
    log: console.log,
    error: console.error,
    warn: console.warn,
  };
  process.stdout.write = ((s: string | Uint8Array) => ((out += String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => ((err += String(s)), true)) as typeof process.stderr.write;
  console.log = (...a: unknown[]) => void (out += a.join(' ') + '\n');
  console.error = console.warn = (...a: unknown[]) => void (err += a.join(' ') + '\n');
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    process.stdout.write = w.out;
    process.stderr.write = w.err;
    console.log = w.log;
    console.error = w.error;
    console.warn = w.warn;
  }
}

/** The one JSON object a `--json` command printed (throws unless exactly one line of JSON). */
export function oneJson(out: string): Record<string, unknown> {
  const lines = out.trim().split('\n');
  if (lines.length !== 1) throw new Error(`expected one JSON line, got ${lines.length}:\n${out}`);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}
