// The names an expression (or a function body) mentions, for the lowering of derivatives: which
// `let`s must be recomputed when grad(e, v) rebinds v. Iterative, so a long operator chain costs no
// stack (grammar/spine.ts). Names bound inside the expression are included: an over-approximation,
// which at worst recomputes a `let` whose value does not change.

import type { Expr, Fn, Stmt } from '../../grammar/index.js';

export function namesUsed(root: Expr | Fn | readonly Stmt[]): Set<string> {
  const out = new Set<string>();
  const todo: unknown[] = [root];
  while (todo.length) {
    const x = todo.pop();
    if (!x || typeof x !== 'object') continue;
    if (Array.isArray(x)) {
      for (const y of x) todo.push(y);
      continue;
    }
    const n = x as { kind?: string; name?: unknown };
    if (n.kind === 'Ident' && typeof n.name === 'string') out.add(n.name);
    for (const [k, v] of Object.entries(x)) if (k !== 'span' && v && typeof v === 'object') todo.push(v);
  }
  return out;
}
