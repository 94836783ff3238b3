// The user's own spelling of a node, for messages. Parentheses leave no trace in the AST, so a
// span can start inside a parenthesis that closes within it (`(a + b)^2` spans `a + b)^2`):
// the unmatched brackets are restored so the text reads as the user wrote it.

import type { Span } from '../../grammar/index.js';

export function sourceText(sources: ReadonlyMap<string, string>, span: Span, max = 60): string {
  const src = sources.get(span.file);
  if (src === undefined) return '<expr>';
  let t = src.slice(span.start, span.end).replace(/\s+/g, ' ');
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
  t = '('.repeat(open) + t + ')'.repeat(depth);
  return t.length > max ? t.slice(0, max - 3) + '...' : t;
}
