// Abstract values of the IR: static shapes and the four dtypes.
// Invariant: shapes are plain arrays of non-negative integers, never mutated after creation.

export type DType = 'float32' | 'float64' | 'int32' | 'bool';
export type Shape = readonly number[];

export interface AVal {
  readonly shape: Shape;
  readonly dtype: DType;
}

export const aval = (shape: Shape, dtype: DType): AVal => ({ shape: [...shape], dtype });

export const isFloat = (d: DType): boolean => d === 'float32' || d === 'float64';

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const sameAVal = (a: AVal, b: AVal): boolean => a.dtype === b.dtype && sameShape(a.shape, b.shape);

const short: Record<DType, string> = { float32: 'f32', float64: 'f64', int32: 'i32', bool: 'bool' };

export const avalString = (a: AVal): string => `${short[a.dtype]}[${a.shape.join(',')}]`;

/** Row-major strides of a shape. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Numpy broadcasting of two shapes; null when incompatible. */
export function broadcastShapes(a: Shape, b: Shape): number[] | null {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Normalizes a possibly negative axis; throws on out-of-range axes. */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new RangeError(`axis ${axis} out of range for rank ${rank}`);
  return a;
}
