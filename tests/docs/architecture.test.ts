// docs/architecture.md stays true: every repository file it names in backquotes (a path with a
// folder and an extension) exists, so the "How to add ..." paragraphs and the maps cannot drift
// from the tree (the renames section, which names old paths, excepted).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const full = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
// The renames section names the old paths on purpose.
const doc = full.slice(0, full.indexOf('## Renamed and moved'));
const TOP = /^(grammar|runtime|stdlib|compiler|cli|tests|bench|examples|docs)\//;

describe('docs/architecture.md names files that exist', () => {
  const named = [...new Set([...doc.matchAll(/`([\w./-]+\.(?:ts|cjs|json|md))`/g)].map((m) => m[1]!))];
  const paths = named.filter((p) => TOP.test(p));
  it('names a good number of repository files', () => expect(paths.length).toBeGreaterThan(40));
  it.each(paths)('%s', (p) => expect(existsSync(join(ROOT, p)), `${p} is named in docs/architecture.md`).toBe(true));

  it('each "How to add" paragraph names files that exist', () => {
    const how = doc.slice(doc.indexOf('## How to add'));
    for (const what of ['A primitive.', 'A method.', 'A distribution.', 'A prox operator.', 'A gradient estimator.']) {
      const start = how.indexOf(`**${what}**`);
      expect(start, what).toBeGreaterThan(0);
      const para = how.slice(start, how.indexOf('\n\n', start));
      const files = [...para.matchAll(/`([\w./-]+\.ts)`/g)].map((m) => m[1]!).filter((p) => TOP.test(p));
      expect(files.length, what).toBeGreaterThan(1);
      for (const f of files) expect(existsSync(join(ROOT, f)), `${what} ${f}`).toBe(true);
    }
  });
});
