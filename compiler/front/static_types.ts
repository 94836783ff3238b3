// The compiler's static types: element kind plus a shape of symbolic dimensions.
// A Dim keeps the user's spelling (`n`, `d`, `3`, `n - 1`) for messages and, once data binds it,
// its value. Two dims are equal when their values agree, or (values unknown) when they are
// spelled alike; otherwise equality is undecided until data binds them, and the check is
// deferred rather than reported. `dyn` marks a value that depends on a var or param, which is
// what the structural analysis and the "data-only" rules care about.

export type Elem = 'real' | 'int' | 'bool';

export interface Dim {
  text: string;
  value: number | null;
}

export interface TensorTy {
  kind: 'tensor';
  elem: Elem;
  shape: Dim[];
  /** Depends on a decision variable or parameter. */
  dyn: boolean;
  /** A scalar int known before tracing (literals, int data, dims, arithmetic on those). */
  static?: number;
}

export type Ty =
  | TensorTy
  | { kind: 'range'; start: Dim; length: Dim }
  | { kind: 'batch'; size: Dim; batch: Dim }
  /** A distribution: its batch shape, the rank of one draw, and whether draws are discrete. */
  | { kind: 'dist'; name: string; shape: Dim[]; dyn: boolean; eventRank: number; discrete: boolean }
  | { kind: 'string' }
  /** Already reported; every rule accepts it silently so one mistake gives one message. */
  | { kind: 'error' };

export const ERROR: Ty = { kind: 'error' };

export const dimOf = (n: number): Dim => ({ text: String(n), value: n });

export function tensor(elem: Elem, shape: Dim[], dyn: boolean, stat?: number): TensorTy {
  return stat === undefined ? { kind: 'tensor', elem, shape, dyn } : { kind: 'tensor', elem, shape, dyn, static: stat };
}

export const scalar = (elem: Elem, dyn = false, stat?: number): TensorTy => tensor(elem, [], dyn, stat);

/** true / false when decidable, null when it must wait for data. */
export function dimEq(a: Dim, b: Dim): boolean | null {
  if (a.value !== null && b.value !== null) return a.value === b.value;
  if (a.text === b.text) return true;
  return null;
}

export const isOne = (d: Dim): boolean => d.value === 1;

export function shapeText(shape: readonly Dim[]): string {
  return `[${shape.map((d) => d.text).join(', ')}]`;
}

/** ` (n = 3, k = 4)` for the dims whose values are known and not already their spelling. */
export function valuesText(dims: readonly Dim[]): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const d of dims) {
    if (d.value === null || d.text === String(d.value) || seen.has(d.text)) continue;
    seen.add(d.text);
    parts.push(`${d.text} = ${d.value}`);
  }
  return parts.length ? ` (${parts.join(', ')})` : '';
}

export function tyText(t: Ty): string {
  switch (t.kind) {
    case 'tensor':
      return t.shape.length === 0 ? t.elem : `${t.elem}${shapeText(t.shape)}`;
    case 'range':
      return 'a range';
    case 'batch':
      return 'a minibatch';
    case 'dist':
      return `a ${t.name} distribution`;
    case 'string':
      return 'a string';
    case 'error':
      return 'an invalid value';
  }
}

/** Dim arithmetic for slices and literal sizes: keeps a readable spelling. */
export function dimArith(a: Dim, op: '+' | '-' | '*', b: Dim): Dim {
  const value =
    a.value !== null && b.value !== null
      ? op === '+'
        ? a.value + b.value
        : op === '-'
          ? a.value - b.value
          : a.value * b.value
      : null;
  if (a.value !== null && b.value !== null && a.text === String(a.value) && b.text === String(b.value))
    return { text: String(value), value };
  if (op === '-' && b.value === 0) return a;
  if (op === '+' && b.value === 0) return a;
  if (op === '+' && a.value === 0) return b;
  const wrap = (d: Dim) => (/^[\w.]+$/.test(d.text) ? d.text : `(${d.text})`);
  return { text: `${wrap(a)} ${op} ${wrap(b)}`, value };
}
