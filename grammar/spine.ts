// Long expressions without deep recursion. A chain of left-associative operators (`a + b + c +
// ...`, the sums of generated models with 100,000 terms) nests its left operands as deep as
// the chain is long: every walker over expressions (checker, analysis, lowering, printer)
// handles such a chain in a loop with leftSpine, so its length costs no stack. Every other
// kind of nesting (unary operators, exponents, `if`, calls, indexing, the right operand of a
// binary operator) is bounded by MAX_DEPTH, checked once after parsing (nestingProblem) with
// an explicit stack, so a recursive walker is never deeper than that.

import type { Binary, BinaryOp, Expr, Program } from './ast.js';
import type { Span } from './span.js';

/** How deep expressions may nest, the links of a left-associative chain not counted (docs/grammar.md). */
export const MAX_DEPTH = 256;

/** A binary operation whose operator chains to the left (every binary operator but `^`). */
export type LeftChain = Binary & { op: Exclude<BinaryOp, '^'> };

/** `a op b` whose operator chains to the left (every binary operator but `^`). */
export const isLeftChain = (e: Expr): e is LeftChain => e.kind === 'Binary' && e.op !== '^';

/**
 * The left spine of a chain: `leaf` is the innermost left operand that is not itself a
 * left-associative Binary, `spine` the Binary nodes from the innermost (whose left is `leaf`)
 * out to `e`. Walk it with `for (const b of spine)` to visit the operators in source order.
 */
export function leftSpine(e: LeftChain): { leaf: Expr; spine: LeftChain[] } {
  const spine: LeftChain[] = [];
  let x: Expr = e;
  while (isLeftChain(x)) {
    spine.push(x);
    x = x.left;
  }
  spine.reverse();
  return { leaf: x, spine };
}

/**
 * The first place where the program nests deeper than MAX_DEPTH, or null. Counts every node
 * (statement, expression, argument) below the statement list, except that the left operand of a
 * left-associative operator stands at its parent's depth. Iterative: any depth is measured.
 */
export function nestingProblem(program: Program): Span | null {
  const stack: { node: object; depth: number }[] = program.body.map((node) => ({ node, depth: 0 }));
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    if (depth > MAX_DEPTH) return (node as { span: Span }).span;
    const leftOf = isNode(node) && isLeftChain(node as Expr) ? (node as Binary).left : null;
    for (const [key, v] of Object.entries(node)) {
      if (key === 'span' || v === null || typeof v !== 'object') continue;
      const items = Array.isArray(v) ? v.flat(2) : [v];
      for (const item of items)
        if (isNode(item)) stack.push({ node: item, depth: item === leftOf ? depth : depth + 1 });
    }
  }
  return null;
}

const isNode = (v: unknown): v is { kind: string } =>
  typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string';

/** Every name an expression mentions (any depth, any length; scopes not resolved). */
export function namesIn(root: object): Set<string> {
  const out = new Set<string>();
  const stack: object[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if ((node as { kind?: unknown }).kind === 'Ident') out.add((node as { name: string }).name);
    for (const [key, v] of Object.entries(node)) {
      if (key === 'span' || v === null || typeof v !== 'object') continue;
      for (const item of Array.isArray(v) ? v.flat(2) : [v]) if (isNode(item)) stack.push(item);
    }
  }
  return out;
}

/**
 * Top-level bindings (`let`s) in an order where each comes after the bindings it mentions, ties
 * in source order: evaluating them in this order keeps a chain of 10,000 lets that use one
 * another (generated code writes them) from recursing 10,000 deep. Bindings on a cycle, and those
 * that use one, are left out: the caller meets them in source order, where the checker reports
 * the cycle as it always has.
 */
export function dependencyOrder<T extends { name: string; value: object }>(items: readonly T[]): T[] {
  const byName = new Map(items.map((it) => [it.name, it]));
  const done = new Set<T>();
  const bad = new Set<T>(); // on a cycle, or using something on one
  const out: T[] = [];
  for (const root of items) {
    if (done.has(root)) continue;
    const stack: { it: T; deps: T[] | null; i: number }[] = [{ it: root, deps: null, i: 0 }];
    const open = new Set<T>([root]);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      top.deps ??= [...namesIn(top.it.value)].map((n) => byName.get(n)).filter((d): d is T => d !== undefined);
      for (; top.i < top.deps.length; top.i++) {
        const d = top.deps[top.i]!;
        if (open.has(d)) {
          // a cycle: everything from d up to the top is on it
          for (let k = stack.length - 1; k >= 0 && stack[k]!.it !== d; k--) bad.add(stack[k]!.it);
          bad.add(d);
        } else if (!done.has(d)) break;
        else if (bad.has(d)) bad.add(top.it);
      }
      if (top.i < top.deps.length) {
        const next = top.deps[top.i]!;
        open.add(next);
        stack.push({ it: next, deps: null, i: 0 });
        continue;
      }
      stack.pop();
      open.delete(top.it);
      done.add(top.it);
      if (stack.length && bad.has(top.it)) bad.add(stack[stack.length - 1]!.it);
      out.push(top.it);
    }
  }
  return out.filter((it) => !bad.has(it));
}
