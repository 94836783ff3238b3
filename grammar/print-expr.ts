// Prints expressions and types on one line, with the fewest parentheses that parse back to
// the same tree. Each node gets a binding strength; a child weaker than its position
// requires is parenthesised. Strengths are the parser's (precedence.ts): `if` loosest, then
// || && compare range + * unary ^, then postfix and atoms.

import type * as A from './ast.js';
import { INFIX_LEVEL, LEVEL } from './precedence.js';

const { IF: P_IF, CMP: P_CMP, RANGE: P_RANGE, ADD: P_ADD, UNARY: P_UNARY, POW: P_POW, ATOM: P_ATOM } = LEVEL;

const BINARY_STRENGTH: Record<Exclude<A.BinaryOp, '^'>, number> = INFIX_LEVEL;

function strength(e: A.Expr): number {
  switch (e.kind) {
    case 'If':
      return P_IF;
    case 'Compare':
      return P_CMP;
    case 'Range':
      return P_RANGE;
    case 'Unary':
      return P_UNARY;
    case 'Binary':
      return e.op === '^' ? P_POW : BINARY_STRENGTH[e.op];
    default:
      return P_ATOM;
  }
}

/** Prints `e` where a node of at least strength `min` may stand without parentheses. */
export function printExpr(e: A.Expr, min = P_IF): string {
  const text = printBare(e);
  return strength(e) < min ? `(${text})` : text;
}

function printBare(e: A.Expr): string {
  switch (e.kind) {
    case 'Number':
      return e.raw;
    case 'String':
      return quote(e.value);
    case 'Bool':
      return e.value ? 'true' : 'false';
    case 'Ident':
      return e.name;
    case 'Unary':
      return `${e.op}${printExpr(e.operand, P_UNARY)}`;
    case 'Binary': {
      if (e.op === '^') return `${printExpr(e.left, P_ATOM)}^${printExpr(e.right, P_UNARY)}`;
      // A chain of one strength (`a + b - c + ...`) prints in a loop: its length costs no stack.
      const s = BINARY_STRENGTH[e.op];
      const parts: string[] = [];
      let x: A.Expr = e;
      while (x.kind === 'Binary' && x.op !== '^' && BINARY_STRENGTH[x.op] === s) {
        parts.push(`${x.op} ${printExpr(x.right, s + 1)}`);
        x = x.left;
      }
      parts.push(printExpr(x, s));
      return parts.reverse().join(' ');
    }
    case 'Compare':
      return e.operands.map((o, i) => (i === 0 ? '' : ` ${e.ops[i - 1]} `) + printExpr(o, P_RANGE)).join('');
    case 'Range':
      return `${printExpr(e.start, P_ADD)}${e.inclusive ? '..=' : '..'}${printExpr(e.end, P_ADD)}`;
    case 'If':
      return `if ${printExpr(e.cond)} then ${printExpr(e.then)} else ${printExpr(e.else)}`;
    case 'Call':
      if (e.bar && e.args.length > 1)
        return `${e.callee.name}(${printArgs(e.args.slice(0, 1))} | ${printArgs(e.args.slice(1))})`;
      return `${e.callee.name}(${printArgs(e.args)})`;
    case 'Index':
      return `${printExpr(e.target, P_ATOM)}[${e.indices.map(printIndex).join(', ')}]`;
    case 'Vector':
      return `[${e.elements.map((x) => printExpr(x)).join(', ')}]`;
    case 'Matrix':
      return `[${e.rows.map((r) => r.map((x) => printExpr(x)).join(', ')).join('; ')}]`;
    case 'Block':
      return `{ ${[...e.body.map(() => '...'), printExpr(e.result)].join('; ')} }`;
  }
}

function printIndex(i: A.Expr | A.Slice): string {
  if (i.kind !== 'Slice') return printExpr(i);
  return `${i.start === null ? '' : printExpr(i.start)}:${i.end === null ? '' : printExpr(i.end)}`;
}

export function printArgs(args: readonly A.Arg[]): string {
  return args.map((a) => (a.name === null ? printExpr(a.value) : `${a.name.name} = ${printExpr(a.value)}`)).join(', ');
}

export function quote(s: string): string {
  return `"${s.replace(/[\\"\n\t]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\${c}`))}"`;
}

export function printType(t: A.TypeExpr): string {
  let s = t.name.name;
  if (t.dims.length > 0) s += `[${t.dims.map((d) => printExpr(d)).join(', ')}]`;
  if (t.arrayDims.length > 0) s += `[${t.arrayDims.map((d) => printExpr(d)).join(', ')}]`;
  if (t.domain?.kind === 'Bound') s += ` ${t.domain.op} ${printExpr(t.domain.value, P_ADD)}`;
  else if (t.domain?.kind === 'Interval') s += ` in [${printExpr(t.domain.lo)}, ${printExpr(t.domain.hi)}]`;
  return s;
}

export function printTruncation(t: A.Truncation): string {
  return `T[${t.lo === null ? '' : printExpr(t.lo)}, ${t.hi === null ? '' : printExpr(t.hi)}]`;
}

export function printDecl(d: A.Decl): string {
  return `${d.name.name}: ${printType(d.type)}${d.init === null ? '' : ` = ${printExpr(d.init)}`}`;
}
