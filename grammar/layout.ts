// Layout pass, between the lexer and the parser. Two jobs, one linear scan:
//
// 1. Which newlines end a statement. A newline becomes a separator (a `Newline` token,
//    category Sep) only when
//    - it is not inside `(...)` or `[...]` (inside `{...}` it counts again),
//    - the token before it can end a statement (a name, literal, `)`, `]` or `}`), and
//    - the next line does not start with a token that can only continue an expression
//      (a binary operator other than `-`, `then`, `else`, `{`, `)`, `]`, `,`, `=`, `~` ...).
//    So a long expression may be broken after an operator, or before one, except before
//    `-`, which starts a new statement (a constraint such as `-x <= 0`). Runs collapse.
//
// 2. Bracket repair. Unbalanced brackets are reported here, where the whole bracket structure
//    is visible, and repaired so that the parser sees balanced input: a `}` or a line that
//    starts with a statement keyword (`let`, `minimize`, ...) closes any `(` or `[` left open
//    in its block; a closer of the wrong kind closes the innermost opener; a closer with no
//    opener is dropped. Besides clearer messages ("expected `)` to close the parenthesis
//    opened at 3:7"), this keeps chevrotain's recovery, whose cost grows with nesting depth,
//    out of the common cases. Unclosed brackets at the end of the file are left to the parser.
// Nesting deeper than MAX_NESTING is refused before parsing, so recursion depth stays bounded.

import { tokenMatcher, type IToken, type TokenType } from 'chevrotain';
import type { DiagnosticBag } from './diagnostics.js';
import type { LineMap } from './span.js';
import * as T from './tokens.js';

/** Deeper bracket nesting than this is refused before parsing. */
export const MAX_NESTING = 32;

const ENDERS: TokenType[] = [
  T.Identifier,
  T.NumberToken,
  T.StringLiteral,
  T.RParen,
  T.RBracket,
  T.RCurly,
  T.Kw.true,
  T.Kw.false,
];

const CONTINUERS = new Set<TokenType>([
  T.Plus,
  T.Star,
  T.Slash,
  T.Percent,
  T.At,
  T.Caret,
  T.EqEq,
  T.NotEq,
  T.LtEq,
  T.GtEq,
  T.Lt,
  T.Gt,
  T.AndAnd,
  T.OrOr,
  T.DotDot,
  T.DotDotEq,
  T.Kw.then,
  T.Kw.else,
  T.LCurly,
  T.RParen,
  T.RBracket,
  T.RCurly,
  T.Comma,
  T.Colon,
  T.Tilde,
  T.Assign,
  T.PlusEq,
  T.MinusEq,
  T.StarEq,
  T.SlashEq,
]);

/** Reserved words that can only begin a statement, never appear inside an expression. */
const STATEMENT_STARTERS = new Set<TokenType>([
  T.Kw.let,
  T.Kw.fn,
  T.Kw.for,
  T.Kw.var,
  T.Kw.import,
  T.Kw.minimize,
  T.Kw.maximize,
  T.Kw.subject,
  T.Kw.where,
  T.Kw.solve,
  T.Kw.infer,
]);

const PAIRS = new Map<TokenType, { closer: TokenType; text: string; what: string }>([
  [T.LParen, { closer: T.RParen, text: ')', what: 'parenthesis' }],
  [T.LBracket, { closer: T.RBracket, text: ']', what: 'bracket' }],
  [T.LCurly, { closer: T.RCurly, text: '}', what: 'block' }],
]);

export interface LayoutResult {
  tokens: IToken[];
  /** The opener at which nesting first exceeded MAX_NESTING, if it did. */
  tooDeep: IToken | null;
}

function isEnder(t: IToken): boolean {
  return ENDERS.some((e) => tokenMatcher(t, e));
}

/** A zero-width closer the parser reads in place of a missing one. */
function virtualCloser(opener: TokenType, at: IToken, offset: number): IToken {
  const pair = PAIRS.get(opener)!;
  return {
    image: pair.text,
    startOffset: offset,
    endOffset: offset - 1,
    startLine: at.startLine,
    startColumn: at.startColumn,
    endLine: at.startLine,
    endColumn: (at.startColumn ?? 1) - 1,
    tokenTypeIdx: pair.closer.tokenTypeIdx!,
    tokenType: pair.closer,
  };
}

/** Enough bracket errors to pick the reported ones from; repairs continue past it. */
const MAX_REPORTED = 200;

export function layout(raw: readonly IToken[], map: LineMap, allErrors: DiagnosticBag): LayoutResult {
  const out: IToken[] = [];
  // A file of stray brackets would otherwise allocate one diagnostic per bracket.
  const bag = {
    error: (...args: Parameters<DiagnosticBag['error']>): void => {
      if (allErrors.items.length < MAX_REPORTED) allErrors.error(...args);
    },
  };
  const open: IToken[] = [];
  let tooDeep: IToken | null = null;

  const top = (): IToken | undefined => open[open.length - 1];
  const endOfPrev = (): number => {
    const p = out[out.length - 1];
    return p === undefined ? 0 : p.startOffset + p.image.length;
  };

  /** Closes the `(` and `[` open in the current block before `at`, reporting the innermost. */
  const closeParens = (at: IToken, found: string | null): void => {
    let reported = false;
    for (let o = top(); o !== undefined && o.tokenType !== T.LCurly; o = top()) {
      if (!reported) {
        const pair = PAIRS.get(o.tokenType)!;
        const sameLine = at.startLine === out[out.length - 1]?.startLine;
        const where =
          found !== null && sameLine
            ? map.span(at.startOffset, at.startOffset + at.image.length)
            : map.span(endOfPrev(), endOfPrev());
        bag.error(
          where,
          `expected \`${pair.text}\` to close the ${pair.what} opened at ${o.startLine}:${o.startColumn}${found === null ? '' : `, found ${found}`}`,
        );
        reported = true;
      }
      out.push(virtualCloser(o.tokenType, at, endOfPrev()));
      open.pop();
    }
  };

  let i = 0;
  while (i < raw.length) {
    const tok = raw[i]!;
    const type = tok.tokenType;
    if (type === T.Newline) {
      let j = i;
      while (j < raw.length && raw[j]!.tokenType === T.Newline) j++;
      const next = raw[j];
      if (next !== undefined && STATEMENT_STARTERS.has(next.tokenType)) closeParens(next, null);
      const t = top()?.tokenType;
      const insideParens = t === T.LParen || t === T.LBracket;
      const prev = out[out.length - 1];
      if (
        !insideParens &&
        next !== undefined &&
        prev !== undefined &&
        isEnder(prev) &&
        !CONTINUERS.has(next.tokenType)
      ) {
        out.push(tok);
      }
      i = j;
      continue;
    }
    i++;
    if (PAIRS.has(type)) {
      open.push(tok);
      if (open.length > MAX_NESTING && tooDeep === null) tooDeep = tok;
      out.push(tok);
      continue;
    }
    if (type === T.RCurly) {
      if (!open.some((o) => o.tokenType === T.LCurly)) {
        bag.error(
          map.span(tok.startOffset, tok.startOffset + 1),
          'unmatched `}`',
          'this `}` closes no block; delete it or add the `{` it was meant to close',
        );
        continue;
      }
      closeParens(tok, '`}`');
      open.pop();
      out.push(tok);
      continue;
    }
    if (type === T.RParen || type === T.RBracket) {
      const o = top();
      if (o !== undefined && PAIRS.get(o.tokenType)!.closer === type) {
        open.pop();
        out.push(tok);
      } else if (o !== undefined && o.tokenType !== T.LCurly) {
        // `(1, 2]`: the closer of the wrong kind ends the innermost opener.
        const pair = PAIRS.get(o.tokenType)!;
        bag.error(
          map.span(tok.startOffset, tok.startOffset + 1),
          `expected \`${pair.text}\` to close the ${pair.what} opened at ${o.startLine}:${o.startColumn}, found \`${tok.image}\``,
        );
        open.pop();
        out.push({
          ...virtualCloser(o.tokenType, tok, tok.startOffset),
          endOffset: tok.endOffset,
          endColumn: tok.endColumn,
        });
      } else {
        const opener = type === T.RParen ? '(' : '[';
        bag.error(
          map.span(tok.startOffset, tok.startOffset + 1),
          `unmatched \`${tok.image}\``,
          `this \`${tok.image}\` closes nothing; delete it or add the \`${opener}\` it was meant to close`,
        );
      }
      continue;
    }
    out.push(tok);
  }
  return { tokens: out, tooDeep };
}
