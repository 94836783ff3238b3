// Keeps docs/grammar.md in step with grammar/parser.ts: the EBNF must define exactly the
// parser's rules, and each EBNF rule must mention exactly the rules and tokens that the parser
// rule does (read from chevrotain's serialised grammar). Renaming, adding or removing a rule,
// or changing which tokens a rule uses, fails here until the document is updated.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serializeGrammar } from 'chevrotain';
import { describe, expect, it } from 'vitest';
import { parser } from '../../grammar/parser.js';
import * as T from '../../grammar/tokens.js';

const doc = readFileSync(fileURLToPath(new URL('../../docs/grammar.md', import.meta.url)), 'utf8');

/** Binary operators the EBNF abbreviates as `binaryOp` (documented there, not a rule). */
const BINARY_OP = [
  '"||"',
  '"&&"',
  '"=="',
  '"!="',
  '"<="',
  '">="',
  '"<"',
  '">"',
  '".."',
  '"..="',
  '"+"',
  '"-"',
  '"*"',
  '"/"',
  '"%"',
  '"@"',
];

function ebnfRules(): Map<string, Set<string>> {
  const block = /```ebnf\n([\s\S]*?)```/.exec(doc)?.[1];
  if (block === undefined) throw new Error('docs/grammar.md has no ```ebnf block');
  const text = block.replace(/\(\*[\s\S]*?\*\)/g, '');
  const rules = new Map<string, Set<string>>();
  for (const m of text.matchAll(/^([a-zA-Z]+)\s*=([\s\S]*?);\s*$/gm)) {
    const refs = new Set<string>();
    for (const r of m[2]!.matchAll(/"[^"]+"|[A-Za-z]+/g)) {
      if (r[0] === 'binaryOp') BINARY_OP.forEach((op) => refs.add(op));
      else refs.add(r[0]);
    }
    rules.set(m[1]!, refs);
  }
  return rules;
}

const CLASS_NAMES: Record<string, string> = {
  Identifier: 'IDENT',
  Number: 'NUMBER',
  StringLiteral: 'STRING',
  Sep: 'SEP',
};

function spell(tokenName: string): string {
  if (CLASS_NAMES[tokenName] !== undefined) return CLASS_NAMES[tokenName]!;
  const t = T.ALL_TOKENS.find((x) => x.name === tokenName);
  const lit = t === undefined ? undefined : T.literalOf(t);
  if (lit === undefined) throw new Error(`no EBNF spelling for token ${tokenName}`);
  return `"${lit}"`;
}

function parserRules(): Map<string, Set<string>> {
  const rules = new Map<string, Set<string>>();
  // The serialised form is plain JSON: {type, name?, definition?} nested.
  type Gast = { type: string; name?: string; definition?: Gast[] };
  const walk = (node: Gast, refs: Set<string>): void => {
    if (node.type === 'NonTerminal') refs.add(node.name!);
    else if (node.type === 'Terminal') refs.add(spell(node.name!));
    for (const child of node.definition ?? []) walk(child, refs);
  };
  for (const rule of serializeGrammar(Object.values(parser.getGAstProductions())) as unknown as Gast[]) {
    const refs = new Set<string>();
    walk(rule, refs);
    rules.set(rule.name!, refs);
  }
  return rules;
}

describe('docs/grammar.md matches the parser', () => {
  const documented = ebnfRules();
  const code = parserRules();

  it('defines the same rules', () => {
    expect([...documented.keys()].sort()).toEqual([...code.keys()].sort());
  });

  for (const [name, refs] of code) {
    it(`rule ${name} uses the same rules and tokens`, () => {
      expect([...(documented.get(name) ?? [])].sort()).toEqual([...refs].sort());
    });
  }

  it('lists every reserved and contextual word', () => {
    for (const w of [...T.RESERVED_WORDS, ...T.CONTEXTUAL_WORDS]) expect(doc).toContain(w);
  });
});
