// Lexing stage: source text to the token stream the parser reads, plus the comments the
// formatter re-attaches. Every lexical problem becomes a diagnostic and lexing continues:
// unknown characters are skipped, an unterminated string or block comment still yields a
// token. Never throws; linear in the input (chevrotain's lexer plus one pass per list).

import type { IToken } from 'chevrotain';
import { DiagnosticBag } from './diagnostics.js';
import { layout } from './layout.js';
import { LineMap, type Span } from './span.js';
import * as T from './tokens.js';

export interface LexResult {
  /** Tokens for the parser: no comments, no whitespace, only the newlines that separate. */
  tokens: IToken[];
  comments: IToken[];
  /** Set when brackets nest deeper than the parser can safely recurse. */
  tooDeep: IToken | null;
}

/** Advice for characters that are easy to type by mistake, keyed by the character. */
const CONFUSABLES: Record<string, string> = {
  '∼': 'did you mean `~`?',
  '～': 'did you mean `~`?',
  '〜': 'did you mean `~`?',
  '≤': 'did you mean `<=`?',
  '⩽': 'did you mean `<=`?',
  '≥': 'did you mean `>=`?',
  '⩾': 'did you mean `>=`?',
  '≠': 'did you mean `!=`?',
  '−': 'did you mean `-`?',
  '–': 'did you mean `-`?',
  '—': 'did you mean `-`?',
  '×': 'did you mean `*`?',
  '·': 'did you mean `*`?',
  '⋅': 'did you mean `*`?',
  '÷': 'did you mean `/`?',
  '“': 'strings use straight double quotes: `"..."`',
  '”': 'strings use straight double quotes: `"..."`',
  "'": 'strings use double quotes: `"..."`',
  '‘': 'strings use double quotes: `"..."`',
  '’': 'strings use double quotes: `"..."`',
  '#': 'comments start with `//`',
  '&': 'did you mean `&&`?',
  '|': 'did you mean `||`?',
  '.': 'write numbers with a digit after the point (`1.0`); ranges use `..`',
  '\\': 'a backslash only appears inside strings',
};

export function tokenSpan(t: IToken, map: LineMap): Span {
  const end = t.endOffset === undefined || Number.isNaN(t.endOffset) ? t.startOffset : t.endOffset + 1;
  if (t.tokenType === T.Newline) return map.span(t.startOffset, t.startOffset);
  if (t.startLine !== undefined && t.startColumn !== undefined && !t.image.includes('\n')) {
    return {
      file: map.file,
      start: t.startOffset,
      end,
      line: t.startLine,
      col: t.startColumn,
      endLine: t.startLine,
      endCol: t.startColumn + (end - t.startOffset),
    };
  }
  return map.span(t.startOffset, end);
}

function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0))
    return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return `\`${ch}\``;
}

/**
 * parse.ts reports at most MAX_ERRORS; collecting a few times that many is enough to choose
 * them and keeps a file with an error on every line from allocating one per line.
 */
const MAX_COLLECTED = 200;

export function lex(source: string, map: LineMap, bag: DiagnosticBag): LexResult {
  const result = T.lexer.tokenize(source);
  for (const err of result.errors.slice(0, MAX_COLLECTED)) {
    const text = source.slice(err.offset, err.offset + err.length);
    const first = String.fromCodePoint(text.codePointAt(0) ?? 0);
    const span = map.span(err.offset, err.offset + err.length);
    const what =
      [...text].length === 1
        ? `unexpected character ${describeChar(first)}`
        : `unexpected characters ${[...text].map(describeChar).join(' ')}`;
    const message = [...text].length > 12 ? `unexpected characters starting with ${describeChar(first)}` : what;
    let hint = CONFUSABLES[first];
    if (first === '.' && /\w/.test(source[err.offset - 1] ?? '') && /[A-Za-z_]/.test(source[err.offset + 1] ?? '')) {
      hint = 'names cannot contain `.`; use `_`, as in `x_y`';
    }
    if (hint === undefined && /\p{L}/u.test(first)) hint = 'names use ASCII letters, digits and `_`';
    if (hint === undefined && /\p{Cc}/u.test(first)) hint = 'an invisible control character; delete it';
    bag.error(span, message, hint);
  }
  for (const tok of result.tokens) {
    if (bag.items.length >= MAX_COLLECTED) break;
    if (tok.tokenType === T.UnterminatedString) {
      bag.error(tokenSpan(tok, map), 'unterminated string', 'close the string with `"` before the end of the line');
    } else if (tok.tokenType === T.StringToken) {
      checkEscapes(tok, map, bag);
    }
  }
  const comments = result.groups['comments'] ?? [];
  for (const c of comments) {
    if (c.tokenType === T.UnterminatedComment) {
      bag.error(map.span(c.startOffset, c.startOffset + 2), 'unterminated block comment', 'close it with `*/`');
    }
  }
  const { tokens, tooDeep } = layout(result.tokens, map, bag);
  return { tokens, comments, tooDeep };
}

const ESCAPES = new Set(['"', '\\', 'n', 't']);

function checkEscapes(tok: IToken, map: LineMap, bag: DiagnosticBag): void {
  const img = tok.image;
  for (let i = 1; i < img.length - 1; i++) {
    if (img[i] !== '\\') continue;
    const c = img[i + 1]!;
    if (!ESCAPES.has(c)) {
      const at = tok.startOffset + i;
      bag.error(
        map.span(at, at + 2),
        `unknown escape \`\\${c}\` in string`,
        'the escapes are `\\"`, `\\\\`, `\\n` and `\\t`',
      );
    }
    i++;
  }
}

/** The value of a string token: quotes removed, escapes decoded (unknown escapes kept as is). */
export function stringValue(image: string, terminated: boolean): string {
  const inner = image.slice(1, terminated ? -1 : undefined);
  return inner.replace(/\\(.)/g, (m, c: string) =>
    c === 'n' ? '\n' : c === 't' ? '\t' : c === '"' || c === '\\' ? c : m,
  );
}
