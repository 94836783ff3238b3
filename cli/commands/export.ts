// `proxima export FILE --to torch`: writes the program as a PyTorch package (compiler/export).
// Errors name what has no export; notes (a method without a driver, the rows chosen) go to stderr.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { compile, exportTorch, formatMessages, CompileError, DataError, ExportError } from '../../compiler/index.js';
import { EXPORT_HELP } from '../help.js';
import { parseOptions, UsageError } from '../options.js';

export async function exportCommand(argv: readonly string[]): Promise<number> {
  const { values: o, positionals } = parseOptions('export', argv, {
    to: { type: 'string' },
    out: { type: 'string' },
    rows: { type: 'string' },
    data: { type: 'string', multiple: true },
    set: { type: 'string', multiple: true },
  } as const);
  if (o.help) {
    console.log(EXPORT_HELP);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError('proxima export: give exactly one .opt file (see proxima export --help)');
  if (o.to !== 'torch') throw new UsageError(`proxima export: --to must be torch${o.to ? `, not \`${o.to}\`` : ''}`);
  const file = positionals[0]!;
  if (!existsSync(file)) throw new UsageError(`proxima export: cannot read ${file}: no such file`);
  const out = o.out ?? `${basename(file).replace(/\.opt$/, '')}_torch`;
  try {
    const c = await compile(file, { dataFiles: o.data, set: o.set, backend: 'ref' });
    const pkg = exportTorch(c, { rows: o.rows });
    mkdirSync(out, { recursive: true });
    for (const [name, text] of Object.entries(pkg.files)) writeFileSync(join(out, name), text);
    for (const n of pkg.notes) process.stderr.write(`${file}: note: ${n}\n`);
    process.stderr.write(
      `wrote ${out}/ (${Object.keys(pkg.files).join(', ')}); run: python3 ${join(out, 'driver.py')}\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof CompileError) {
      process.stderr.write(formatMessages(e.messages) + '\n');
      return 1;
    }
    if (e instanceof DataError || e instanceof ExportError) {
      process.stderr.write(`${e instanceof DataError ? `${file}: error: ` : ''}${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
