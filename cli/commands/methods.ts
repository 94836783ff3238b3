// `proxima methods`: the options table of every `solve` and `infer` method (and hypergradient
// method), generated from the method table: what each takes, its options with defaults and
// ranges, and what `steps` counts and `tol` measures. `--json` prints the entries' data.

import { METHOD_LIST, optionsTable } from '../../compiler/index.js';
import { METHODS_HELP } from '../help.js';
import { parseOptions } from '../options.js';

export async function methodsCommand(argv: readonly string[]): Promise<number> {
  const { values: o } = parseOptions('methods', argv, { json: { type: 'boolean' } } as const);
  if (o.help) {
    console.log(METHODS_HELP);
    return 0;
  }
  if (o.json) {
    const rows = METHOD_LIST.map((m) => ({
      name: m.name,
      kind: m.kind,
      family: m.family,
      available: m.available,
      summary: m.summary,
      takes: m.takes,
      options: m.options,
      test: m.test ?? null,
    }));
    process.stdout.write(JSON.stringify(rows) + '\n');
    return 0;
  }
  console.log(optionsTable(METHOD_LIST));
  return 0;
}
