// Every ```opt example in docs/language.md parses without diagnostics, so the reference cannot
// show syntax the parser rejects. Fragments that only make sense inside a block (a `for` over
// `batch`, a `state` loop) are tried inside `model { ... }` when they fail at the top level.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from '../../grammar/index.js';

const doc = readFileSync(fileURLToPath(new URL('../../docs/language.md', import.meta.url)), 'utf8');
const examples = [...doc.matchAll(/```opt\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('docs/language.md examples', () => {
  it('has examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(12);
  });
  examples.forEach((code, i) => {
    it(`example ${i + 1}: ${code.split('\n')[0]}`, () => {
      const top = parse(code, 'doc.opt');
      const diagnostics =
        top.program !== null ? top.diagnostics : parse(`model {\n${code}\n}\n`, 'doc.opt').diagnostics;
      expect(diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.message}`)).toEqual([]);
    });
  });
});
