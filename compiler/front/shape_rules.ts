// Shape rules over symbolic dimensions, shared by operators and built-in functions. Each returns
// the result shape or a message in the user's terms (the operands' source text and declared
// dimension names). An undecidable comparison (two different symbols, values not yet bound) is
// accepted here and decided again once data binds the dimensions.

import { dimEq, isOne, shapeText, valuesText, type Dim } from './static_types.js';
import { backquote as q } from '../../runtime/index.js';

export interface Operand {
  shape: Dim[];
  /** The operand's source text, as the user wrote it. */
  text: string;
}

/** An expression's text for messages, or a function that reads it only when a message needs it. */
export type ExprText = string | (() => string);
const textOf = (t: ExprText): string => (typeof t === 'string' ? t : t());

/** numpy broadcasting: trailing dims equal, or one of them 1. */
export function broadcast(expr: ExprText, a: Operand, b: Operand): Dim[] | string {
  const n = Math.max(a.shape.length, b.shape.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const da = a.shape[a.shape.length - n + i];
    const db = b.shape[b.shape.length - n + i];
    if (!da) {
      out.push(db!);
      continue;
    }
    if (!db) {
      out.push(da);
      continue;
    }
    if (isOne(da)) {
      out.push(db);
      continue;
    }
    if (isOne(db)) {
      out.push(da);
      continue;
    }
    if (dimEq(da, db) === false) {
      const which = a.shape.length === 1 && b.shape.length === 1 ? 'the lengths' : 'the dimensions';
      return `${q(textOf(expr))}: ${a.text} is ${shapeText(a.shape)} and ${b.text} is ${shapeText(b.shape)}; ${which} ${da.text} and ${db.text} must be equal${valuesText([da, db])}`;
    }
    // Prefer a known value, then the left operand's spelling.
    out.push(da.value === null && db.value !== null ? db : da);
  }
  return out;
}

/** `@` for vectors and matrices (numpy rules: a vector is a row on the left, a column on the right). */
export function matmulShape(expr: ExprText, a: Operand, b: Operand): Dim[] | string {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra === 0 || rb === 0 || ra > 2 || rb > 2) {
    const bad = ra === 0 || ra > 2 ? a : b;
    return `${q(textOf(expr))}: \`@\` takes vectors and matrices, but ${bad.text} is ${bad.shape.length === 0 ? 'a scalar' : shapeText(bad.shape)}`;
  }
  const inA = a.shape[ra - 1]!;
  const inB = b.shape[rb === 1 ? 0 : 0]!;
  if (dimEq(inA, inB) === false) {
    return `${q(textOf(expr))}: ${a.text} is ${shapeText(a.shape)} and ${b.text} is ${shapeText(b.shape)}; the inner dimensions ${inA.text} and ${inB.text} must be equal${valuesText([inA, inB])}`;
  }
  const out: Dim[] = [];
  if (ra === 2) out.push(a.shape[0]!);
  if (rb === 2) out.push(b.shape[1]!);
  return out;
}

/** Removes one axis (a reduction); null axis removes all. */
export function reduceShape(expr: string, x: Operand, axis: number | null): Dim[] | string {
  if (axis === null) return [];
  const r = x.shape.length;
  const a = axis < 0 ? axis + r : axis;
  if (a < 0 || a >= r)
    return `${q(expr)}: axis ${axis} is out of range for ${x.text}, which is ${r === 0 ? 'a scalar' : shapeText(x.shape)}`;
  return x.shape.filter((_, i) => i !== a);
}

export function sameShape(expr: string, a: Operand, b: Operand): Dim[] | string {
  if (a.shape.length !== b.shape.length) {
    return `${q(expr)}: ${a.text} is ${shapeText(a.shape)} and ${b.text} is ${shapeText(b.shape)}; they must have the same shape`;
  }
  return broadcast(expr, a, b);
}
