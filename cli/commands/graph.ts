// `proxima graph`: the compiled graph of a program's objective (or its gradient) as text, dot,
// json, or the JavaScript the js backend generates for it.

import { existsSync } from 'node:fs';
import { compile, compiledGraphText, formatMessages, CompileError, DataError } from '../../compiler/index.js';
import { GRAPH_HELP } from '../help.js';
import { parseOptions, sizeOption, UsageError } from '../options.js';

export async function graphCommand(argv: readonly string[]): Promise<number> {
  const { values: o, positionals } = parseOptions('graph', argv, {
    grad: { type: 'boolean' },
    format: { type: 'string' },
    data: { type: 'string', multiple: true },
    set: { type: 'string', multiple: true },
    'max-memory': { type: 'string' },
  } as const);
  if (o.help) {
    console.log(GRAPH_HELP);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError('proxima graph: give exactly one .opt file (see proxima graph --help)');
  const file = positionals[0]!;
  const format = o.format ?? 'text';
  if (!['text', 'dot', 'json', 'js'].includes(format))
    throw new UsageError(`proxima graph: --format must be text, dot, json or js, not \`${format}\``);
  if (!existsSync(file)) throw new UsageError(`proxima graph: cannot read ${file}: no such file`);
  const maxMemory = sizeOption('graph', 'max-memory', o['max-memory']);
  try {
    const c = await compile(file, { dataFiles: o.data, set: o.set, backend: 'ref', maxMemory });
    console.log(compiledGraphText(c, { grad: o.grad ?? false, format: format as 'text' }));
    return 0;
  } catch (e) {
    if (e instanceof CompileError) {
      process.stderr.write(formatMessages(e.messages) + '\n');
      return 1;
    }
    if (e instanceof DataError) {
      process.stderr.write(`${file}: error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
