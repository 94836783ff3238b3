// The TextMate grammar is data, so check what can drift: it is valid JSON, every regex
// compiles, and every keyword of the language is highlighted somewhere.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONTEXTUAL_WORDS, RESERVED_WORDS } from '../../grammar/index.js';

const text = readFileSync(fileURLToPath(new URL('../../editors/proxima.tmLanguage.json', import.meta.url)), 'utf8');
const grammar = JSON.parse(text) as { scopeName: string; fileTypes: string[]; repository: Record<string, unknown> };

function regexes(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => regexes(n, out));
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if ((k === 'match' || k === 'begin' || k === 'end') && typeof v === 'string') out.push(v);
      else regexes(v, out);
    }
  }
  return out;
}

describe('editors/proxima.tmLanguage.json', () => {
  it('names the language and file type', () => {
    expect(grammar.scopeName).toBe('source.proxima');
    expect(grammar.fileTypes).toEqual(['opt']);
  });

  it('has only regexes that compile', () => {
    const all = regexes(grammar.repository);
    expect(all.length).toBeGreaterThan(10);
    // Oniguruma is close enough to JavaScript for these patterns (no possessive or \h).
    for (const r of all) expect(() => new RegExp(r)).not.toThrow();
  });

  it('highlights every keyword', () => {
    const keywordPatterns = regexes((grammar.repository as Record<string, unknown>)['keywords']).map(
      (r) => new RegExp(r),
    );
    for (const w of [...RESERVED_WORDS, ...CONTEXTUAL_WORDS]) {
      const sample = w === 'to' ? 'subject to {' : `${w} x {`;
      expect(
        keywordPatterns.some((r) => r.test(sample)),
        w,
      ).toBe(true);
    }
  });
});
