// Turns chevrotain's recognition exceptions into Proxima diagnostics.
// chevrotain calls `errorMessageProvider` while parsing; it returns a JSON payload (what was
// expected, in which rule) rather than prose, and `describeSyntaxError` later writes the
// message with context chevrotain does not have: which bracket is unclosed and where it was
// opened, whether a line began with `-`, what keyword a misspelt word resembles.

import {
  EOF,
  tokenMatcher,
  type IParserErrorMessageProvider,
  type IRecognitionException,
  type IToken,
  type TokenType,
} from 'chevrotain';
import type { Diagnostic } from './diagnostics.js';
import { tokenSpan } from './lex.js';
import type { LineMap, Span } from './span.js';
import { closest } from './suggest.js';
import * as T from './tokens.js';

interface Payload {
  kind: 'mismatch' | 'noalt' | 'extra';
  expected: string[];
  rule: string;
}

function firstTokens(paths: TokenType[][][] | TokenType[][]): string[] {
  const names = new Set<string>();
  const visit = (p: unknown): void => {
    if (Array.isArray(p)) {
      if (p.length > 0 && !Array.isArray(p[0])) names.add((p[0] as TokenType).name);
      else for (const q of p) visit(q);
    }
  };
  visit(paths);
  return [...names];
}

export const errorMessageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, ruleName }) =>
    JSON.stringify({ kind: 'mismatch', expected: [expected.name], rule: ruleName } satisfies Payload),
  buildNotAllInputParsedMessage: ({ ruleName }) =>
    JSON.stringify({ kind: 'extra', expected: [], rule: ruleName } satisfies Payload),
  buildNoViableAltMessage: ({ expectedPathsPerAlt, ruleName }) =>
    JSON.stringify({ kind: 'noalt', expected: firstTokens(expectedPathsPerAlt), rule: ruleName } satisfies Payload),
  buildEarlyExitMessage: ({ expectedIterationPaths, ruleName }) =>
    JSON.stringify({ kind: 'noalt', expected: firstTokens(expectedIterationPaths), rule: ruleName } satisfies Payload),
};

const CLOSERS: Record<string, { open: TokenType; text: string; what: string }> = {
  RCurly: { open: T.LCurly, text: '}', what: 'block' },
  RParen: { open: T.LParen, text: ')', what: 'parenthesis' },
  RBracket: { open: T.LBracket, text: ']', what: 'bracket' },
};

const EXPRESSION_RULES = new Set(['expression', 'ifExpr', 'arithExpr', 'unaryExpr', 'arrayRow', 'arg']);

/** Words that can begin a top-level statement, for "did you mean" on a misspelt one. */
const ITEM_WORDS = [
  'import',
  'data',
  'var',
  'param',
  'start',
  'model',
  'guide',
  'generate',
  'let',
  'fn',
  'minimize',
  'maximize',
  'subject',
  'where',
  'solve',
  'infer',
  'objective',
];

const RESERVED = new Set<string>(T.RESERVED_WORDS);

function describeExpected(name: string): string {
  if (name.startsWith('Kw_')) return `\`${name.slice(3)}\``;
  switch (name) {
    case 'Identifier':
      return 'a name';
    case 'Number':
      return 'a number';
    case 'StringLiteral':
    case 'String':
      return 'a string';
    case 'Sep':
      return 'a newline or `;`';
    case 'EOF':
      return 'the end of the file';
  }
  const t = (T.ALL_TOKENS as TokenType[]).find((x) => x.name === name);
  const lit = t === undefined ? undefined : T.literalOf(t);
  return lit === undefined ? name : `\`${lit}\``;
}

export function describeFound(tok: IToken): string {
  if (tok.tokenType === EOF) return 'the end of the file';
  if (tok.tokenType === T.Newline) return 'the end of the line';
  const img = tok.image.length > 24 ? `${tok.image.slice(0, 21)}...` : tok.image;
  return `\`${img}\``;
}

function joinOr(items: string[]): string {
  if (items.length <= 1) return items[0] ?? 'something else';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/**
 * The bracket structure of the token stream, as the layout pass sees it: for any token index,
 * the chain of brackets still open there. Built once per parse in linear time; each lookup
 * walks at most MAX_NESTING links.
 */
export class OpenBrackets {
  private readonly tops: (Frame | null)[] = [];

  constructor(private readonly tokens: readonly IToken[]) {
    let top = null as Frame | null;
    for (const tok of tokens) {
      this.tops.push(top);
      const type = tok.tokenType;
      if (type === T.LParen || type === T.LBracket || type === T.LCurly) top = { tok, parent: top };
      else if (type === T.RCurly || type === T.RParen || type === T.RBracket) {
        const want = type === T.RCurly ? T.LCurly : type === T.RParen ? T.LParen : T.LBracket;
        for (let f: Frame | null = top; f !== null; f = f.parent) {
          if (f.tok.tokenType === want) {
            top = f.parent;
            break;
          }
          if (f.tok.tokenType === T.LCurly && want !== T.LCurly) break;
        }
      }
    }
    this.tops.push(top);
  }

  /** The innermost `opener` still open just before `tokens[index]` (index may be tokens.length). */
  innermost(index: number, opener: TokenType): IToken | undefined {
    for (let f: Frame | null = this.tops[Math.min(index, this.tops.length - 1)] ?? null; f !== null; f = f.parent) {
      if (f.tok.tokenType === opener) return f.tok;
    }
    return undefined;
  }

  indexOf(tok: IToken): number {
    if (tok.tokenType === EOF || Number.isNaN(tok.startOffset)) return this.tokens.length;
    let lo = 0;
    let hi = this.tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.tokens[mid]!.startOffset < tok.startOffset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

interface Frame {
  tok: IToken;
  parent: Frame | null;
}

export interface ErrorContext {
  map: LineMap;
  tokens: readonly IToken[];
  brackets: OpenBrackets;
}

function parsePayload(e: IRecognitionException): Payload {
  try {
    return JSON.parse(e.message) as Payload;
  } catch {
    return { kind: 'noalt', expected: [], rule: '' };
  }
}

export function describeSyntaxError(e: IRecognitionException, ctx: ErrorContext): Diagnostic {
  const payload = parsePayload(e);
  const tok = e.token;
  const index = ctx.brackets.indexOf(tok);
  const prev = index > 0 ? ctx.tokens[index - 1] : undefined;
  const atEof = tok.tokenType === EOF || Number.isNaN(tok.startOffset);
  const found = describeFound(atEof ? ({ tokenType: EOF } as IToken) : tok);
  const rule = payload.rule || (e.context?.ruleStack?.[e.context.ruleStack.length - 1] ?? '');
  const expected = payload.expected;

  // Point at the offending token, or just after the previous one when the problem is that
  // something is missing at the end of a line (or of the file).
  let span: Span;
  const afterPrev =
    prev === undefined ? ctx.map.span(0, 0) : ctx.map.span(tokenSpan(prev, ctx.map).end, tokenSpan(prev, ctx.map).end);
  if (atEof) span = afterPrev;
  else if (
    prev !== undefined &&
    tok.startLine !== undefined &&
    prev.endLine !== undefined &&
    tok.startLine > prev.endLine &&
    (payload.kind === 'mismatch' || EXPRESSION_RULES.has(rule)) &&
    rule !== 'program' &&
    rule !== 'item'
  )
    span = afterPrev;
  else span = tokenSpan(tok, ctx.map);

  let message: string;
  let hint: string | undefined;
  const closer = payload.kind === 'mismatch' && expected.length === 1 ? CLOSERS[expected[0]!] : undefined;
  const opener = closer === undefined ? undefined : ctx.brackets.innermost(index, closer.open);
  if (closer !== undefined && opener !== undefined) {
    const where = `${opener.startLine}:${opener.startColumn}`;
    message = `expected \`${closer.text}\` to close the ${closer.what} opened at ${where}${atEof ? '' : `, found ${found}`}`;
  } else if (payload.kind === 'extra' || rule === 'item' || rule === 'program') {
    message = `expected a top-level statement, found ${found}`;
    hint = multiplyHint(tok, prev) ?? topLevelHint(tok, index, ctx);
  } else if (payload.kind === 'noalt' && (EXPRESSION_RULES.has(rule) || expected.includes('Number'))) {
    message =
      prev?.tokenType === T.Tilde
        ? `expected a distribution after \`~\`, found ${found}`
        : `expected an expression, found ${found}`;
  } else if (payload.kind === 'noalt' && rule === 'blockStmt') {
    message = `expected a statement, found ${found}`;
  } else if (payload.kind === 'noalt' && rule === 'constraintItem') {
    message = `expected a constraint, found ${found}`;
  } else {
    const names = expected.map(describeExpected);
    message = `expected ${joinOr(names.length > 6 ? [...names.slice(0, 5), 'others'] : names)}, found ${found}`;
  }
  hint ??= genericHint(tok, prev, expected, rule);
  return hint === undefined ? { severity: 'error', message, span } : { severity: 'error', message, span, hint };
}

function topLevelHint(tok: IToken, index: number, ctx: ErrorContext): string | undefined {
  if (tok.tokenType === T.RCurly) return 'this `}` closes no block';
  if (tok.tokenType === T.Kw.for)
    return '`for` loops go inside a block: `model { ... }`, `generate { ... }` or `subject to { ... }`';
  if (tok.tokenType === T.Minus) {
    return 'a line that starts with `-` begins a new statement; to continue the line above, end it with the operator or wrap the expression in parentheses';
  }
  if (!tokenMatcher(tok, T.Identifier)) return undefined;
  const guess = closest(tok.image, ITEM_WORDS);
  if (guess !== undefined) return `did you mean \`${guess}\`?`;
  for (let i = index + 1; i < ctx.tokens.length; i++) {
    const t = ctx.tokens[i]!;
    if (tokenMatcher(t, T.Sep)) break;
    if (t.tokenType === T.Tilde) return 'sampling statements such as `y ~ Normal(0, 1)` belong inside `model { ... }`';
    if (t.tokenType === T.Assign) return 'top-level bindings start with `let`: `let x = ...`';
  }
  return 'each top-level statement starts with a keyword such as `var`, `data`, `model` or `minimize`';
}

/** `2x` or `2(a + b)`: a number directly followed by a name or a parenthesis. */
function multiplyHint(tok: IToken, prev: IToken | undefined): string | undefined {
  if (prev === undefined || prev.tokenType !== T.NumberToken || (prev.endOffset ?? -2) + 1 !== tok.startOffset)
    return undefined;
  if (!tokenMatcher(tok, T.Identifier) && tok.tokenType !== T.LParen) return undefined;
  return `write \`${prev.image} * ${tok.image}\` to multiply`;
}

function startsExpression(tok: IToken): boolean {
  return (
    tokenMatcher(tok, T.Identifier) ||
    tokenMatcher(tok, T.StringLiteral) ||
    tok.tokenType === T.NumberToken ||
    tok.tokenType === T.LParen ||
    tok.tokenType === T.LBracket ||
    tok.tokenType === T.Minus ||
    tok.tokenType === T.Bang
  );
}

function genericHint(tok: IToken, prev: IToken | undefined, expected: string[], rule: string): string | undefined {
  if (tok.tokenType === T.Assign && (EXPRESSION_RULES.has(rule) || expected.includes('EqEq') || rule === 'ifExpr')) {
    return '`=` assigns; use `==` to compare';
  }
  const multiply = multiplyHint(tok, prev);
  if (multiply !== undefined) return multiply;
  if (expected.length === 1 && expected[0] === 'LCurly' && (rule === 'subjectToItem' || rule === 'constraintBlock')) {
    return 'constraints go in braces: `subject to { x >= 0 }`';
  }
  if (tok.tokenType === T.LCurly && EXPRESSION_RULES.has(rule))
    return 'group with parentheses `( )`; braces only open blocks';
  if (rule === 'domain' && expected.includes('LBracket')) return 'an interval domain reads `in [lo, hi]`';
  if (rule === 'unaryExpr' && tok.tokenType === T.Comma && expected.includes('RParen'))
    return 'vectors are written in brackets: `[1, 2]`';
  if (
    (rule === 'argList' || rule === 'arrayRow' || rule === 'indexSuffix') &&
    startsExpression(tok) &&
    tok.startLine === prev?.endLine
  ) {
    return 'separate the items with `,`';
  }
  if ((rule === 'solveItem' || rule === 'inferItem') && expected.includes('Identifier'))
    return 'name the method first, as in `solve lbfgs(steps = 100)`';
  if (rule === 'decl' && expected.includes('Colon')) return 'declare a name with its type: `x: real[n]`';
  if (expected.includes('Identifier') && RESERVED.has(tok.image))
    return `\`${tok.image}\` is a reserved word and cannot be used as a name`;
  if (rule === 'ifExpr' && (expected.includes('Kw_then') || expected.includes('Kw_else')))
    return 'write `if condition then a else b`';
  if (tok.tokenType === T.Tilde && rule !== 'simpleStmt')
    return '`~` gives a variable a distribution, inside `model { ... }` or `guide { ... }`';
  return undefined;
}
