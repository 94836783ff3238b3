// Keeps section 14 of docs/language.md in step with the built-in table: one row per function
// (signature, smoothness, description: the entry's own `summary`) and one row per distribution
// listing its density functions. A new built-in without its docs row, or a row for a function that
// is gone, fails here with the row to write.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILTINS } from '../../compiler/front/builtins.js';
import { signature } from '../../compiler/front/builtin_kit.js';
import { distributions } from '../../stdlib/distributions/index.js';

const doc = readFileSync(fileURLToPath(new URL('../../docs/language.md', import.meta.url)), 'utf8');
const section = doc.slice(doc.indexOf('## 14. Built-in functions'));
const esc = (s: string) => s.replace(/\|/g, '\\|');

const densityNames = new Set(
  Object.values(distributions).flatMap((d) => [
    `${d.fn}_${d.support.discrete ? 'lpmf' : 'lpdf'}`,
    ...(d.cdf ? ['lcdf', 'lccdf', 'cdf'].map((k) => `${d.fn}_${k}`) : []),
  ]),
);

describe('docs/language.md section 14', () => {
  it('has a row for every function, as the table describes it', () => {
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    const want = BUILTINS.filter((b) => !densityNames.has(b.name)).map(
      (b) => `| \`${esc(signature(b))}\` | ${b.smooth ? 'yes' : 'no'} | ${esc(b.summary)} |`,
    );
    for (const w of want) expect(rows, `missing or different row:\n${w}`).toContain(w);
    expect(rows.length).toBe(want.length);
  });

  it('lists every distribution with its density functions', () => {
    for (const d of Object.values(distributions)) {
      const fns = [...densityNames].filter(
        (n) => n.startsWith(`${d.fn}_`) && /_(lpdf|lpmf|lcdf|lccdf|cdf)$/.test(n.slice(d.fn.length)),
      );
      const own = fns.filter((n) => /^_(lpdf|lpmf|lcdf|lccdf|cdf)$/.test(n.slice(d.fn.length)));
      const row = `| ${d.name} | ${own.map((f) => '`' + f + '`').join(', ')} | ${d.params.map((p) => p.name).join(', ')} |`;
      expect(section, `missing row:\n${row}`).toContain(row);
    }
    for (const n of densityNames)
      expect(
        BUILTINS.some((b) => b.name === n),
        n,
      ).toBe(true);
  });
});
