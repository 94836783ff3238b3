// Names: what an identifier can denote, and lexical scopes. The global scope holds every
// top-level declaration of the program and its imports (order-independent: a `fn` may call one
// defined below it); blocks, loops and function bodies open child scopes whose bindings are
// visible only after their statement. Function bodies see the globals and their own
// parameters, never the caller's locals (functions are inlined, but scoped lexically).

import type { Decl, Fn, Ident, Let, State } from '../../grammar/index.js';
import { closest } from '../../grammar/index.js';
import type { TensorTy, Ty } from './static_types.js';

export type Sym =
  /** `broken`: the declaration's type was reported; uses of the name stay silent. */
  | { kind: 'data'; name: Ident; decl: Decl; ty: TensorTy; broken?: boolean }
  | { kind: 'var'; name: Ident; decl: Decl; ty: TensorTy; broken?: boolean }
  | { kind: 'param'; name: Ident; decl: Decl; ty: TensorTy; order: number; broken?: boolean }
  /** A dimension bound by the shape of a data value, e.g. `n` in `X: real[n, d]`. */
  | { kind: 'dim'; name: Ident; of: Decl; axis: number; ty: TensorTy }
  /** Top-level lets are typed on first use (`ty` null while in progress, to catch cycles). */
  | { kind: 'let'; name: Ident; node: Let; ty: Ty | null | undefined }
  | { kind: 'state'; name: Ident; node: State; ty: Ty }
  | { kind: 'fn'; name: Ident; node: Fn }
  | {
      kind: 'local';
      name: Ident;
      ty: Ty;
      what: 'loop index' | 'argument' | 'output' | 'variational parameter' | 'latent';
    };

export class Scope {
  private readonly table = new Map<string, Sym>();

  constructor(readonly parent: Scope | null) {}

  get(name: string): Sym | undefined {
    return this.table.get(name) ?? this.parent?.get(name);
  }

  /** Only this scope's own binding (for duplicate checks). */
  own(name: string): Sym | undefined {
    return this.table.get(name);
  }

  set(name: string, sym: Sym): void {
    this.table.set(name, sym);
  }

  names(): string[] {
    const out = new Set<string>(this.parent ? this.parent.names() : []);
    for (const k of this.table.keys()) out.add(k);
    return [...out];
  }

  child(): Scope {
    return new Scope(this);
  }
}

/** "; did you mean `x`?" or '' when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const list = [...candidates];
  // One-letter names are all one edit apart; only a change of case is a real suggestion.
  if (word.length === 1) {
    const same = list.find((c) => c !== word && c.toLowerCase() === word.toLowerCase());
    return same ? `did you mean \`${same}\`?` : '';
  }
  const c = closest(word, list);
  return c === undefined ? '' : `did you mean \`${c}\`?`;
}
