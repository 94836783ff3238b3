// `proxima fmt`: canonical layout for .opt files. Files with syntax errors are reported, never
// rewritten.

import { readFileSync, writeFileSync } from 'node:fs';
import { format, formatDiagnostics } from '../../compiler/index.js';
import { FMT_HELP } from '../help.js';
import { parseOptions, UsageError } from '../options.js';

export async function fmtCommand(argv: readonly string[]): Promise<number> {
  const { values: o, positionals } = parseOptions('fmt', argv, {
    check: { type: 'boolean' },
    write: { type: 'boolean' },
  } as const);
  if (o.help) {
    console.log(FMT_HELP);
    return 0;
  }
  if (positionals.length === 0)
    throw new UsageError('proxima fmt: give one or more .opt files (see proxima fmt --help)');
  let code = 0;
  for (const file of positionals) {
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch {
      throw new UsageError(`proxima fmt: cannot read ${file}: no such file`);
    }
    const r = format(source, file);
    if (r.text === null) {
      process.stderr.write(formatDiagnostics(r.diagnostics, source) + '\n');
      code = 1;
      continue;
    }
    if (o.check) {
      if (r.text !== source) {
        console.log(`would reformat ${file}`);
        code = 1;
      }
    } else if (o.write) {
      if (r.text !== source) writeFileSync(file, r.text);
    } else {
      process.stdout.write(r.text);
    }
  }
  return code;
}
