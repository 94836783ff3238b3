// The statement lists nested in a statement (a loop's body, an `if`'s branches), so that every
// pass that looks through blocks (carried states, sampling sites, minibatch plates) sees the
// same statements.

import type { Stmt } from '../../grammar/index.js';

/** The statement lists directly inside `st`. */
export function nestedBodies(st: Stmt): readonly (readonly Stmt[])[] {
  switch (st.kind) {
    case 'For':
      return [st.body];
    case 'IfStmt':
      return st.else ? [st.then, st.else] : [st.then];
    default:
      return [];
  }
}

/** Every statement of `body`, nested ones included, in order. */
export function* allStmts(body: readonly Stmt[]): Generator<Stmt> {
  for (const st of body) {
    yield st;
    for (const b of nestedBodies(st)) yield* allStmts(b);
  }
}
