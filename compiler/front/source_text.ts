// The user's own spelling of a node, for messages. Parentheses leave no trace in the AST, so a
// span can start inside a parenthesis that closes within it (`(a + b)^2` spans `a + b)^2`):
// the unmatched brackets are restored so the text reads as the user wrote it.

import type { Span } from '../../grammar/index.js';

export function sourceText(sources: ReadonlyMap<string, string>, span: Span, max = 60): string {
  const src = sources.get(span.file);
  if (src === undefined) return '<expr>';
  // Only the start is shown, so only the start is read: a 100,000-term sum has 100,000 nested
  // spans, and slicing each whole would be quadratic.
  const long = span.end - span.start > 2 * max;
  let t = src.slice(span.start, long ? span.start + 2 * max : span.end).replace(/\s+/g, ' ');
  let depth = 0;
  let open = 0;
  let quoted = false;
  for (let i = 0; i < t.length; i++) {
    const ch = t[i]!;
    // Brackets inside a string literal are its text, not the expression's.
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '(') depth++;
    else if (ch === ')') {
      if (depth === 0) open++;
      else depth--;
    }
  }
  t = '('.repeat(open) + t + (long ? '' : ')'.repeat(depth));
  return t.length > max || long ? t.slice(0, max - 3) + '...' : t;
}

/** The span of the first string literal on a statement's first line (the statement's own span if none). */
export function quotedSpan(sources: ReadonlyMap<string, string>, span: Span): Span {
  const text = sources.get(span.file) ?? '';
  const lineEnd = text.indexOf('\n', span.start);
  const head = text.slice(span.start, lineEnd < 0 ? span.end : Math.min(lineEnd, span.end));
  const open = head.search(/["']/);
  const close = open < 0 ? -1 : head.indexOf(head[open]!, open + 1);
  if (open < 0 || close < 0) return span;
  return {
    ...span,
    start: span.start + open,
    end: span.start + close + 1,
    col: span.col + open,
    endLine: span.line,
    endCol: span.col + close + 1,
  };
}
