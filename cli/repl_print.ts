// How the REPL shows a value: its type and shape on the first line, then the numbers. Small
// tensors print in full, right-aligned in columns (a matrix as rows); large ones print their
// first and last entries around `...` plus min / mean / max. Numbers get six significant
// digits with trailing zeros dropped; ints print as ints, bools as true/false.

export interface ShownValue {
  data: ArrayLike<number>;
  shape: readonly number[];
  elem: 'real' | 'int' | 'bool';
}

/** Vectors up to this length, and matrices up to this many rows and columns, print in full. */
const FULL_LEN = 24;
const FULL_ROWS = 12;
const FULL_COLS = 10;
/** Entries kept at each end of a summarized axis. */
const EDGE = 3;

export function fmtNumber(x: number, elem: ShownValue['elem'] = 'real'): string {
  if (elem === 'bool') return x ? 'true' : 'false';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  if (elem === 'int' || (Number.isInteger(x) && Math.abs(x) < 1e15)) return String(x);
  const a = Math.abs(x);
  const s = a !== 0 && (a < 1e-4 || a >= 1e6) ? x.toExponential(5) : x.toPrecision(6);
  return s.replace(/(\.\d*?)0+(e|$)/, '$1$2').replace(/\.(e|$)/, '$1');
}

export function typeLine(v: ShownValue): string {
  return v.shape.length ? `${v.elem}[${v.shape.join(', ')}]` : v.elem;
}

/** The value as lines: `real[3]  [1, 2.5, -3]`, a matrix below its type, a summary for large ones. */
export function showValue(v: ShownValue): string {
  const head = typeLine(v);
  const n = v.data.length;
  if (v.shape.length === 0) return `${head}  ${fmtNumber(v.data[0]!, v.elem)}`;
  if (n === 0) return `${head}  []`;
  const big =
    v.shape.length === 1 ? n > FULL_LEN : v.shape.length > 2 || v.shape[0]! > FULL_ROWS || v.shape[1]! > FULL_COLS;
  const stats = big && v.elem !== 'bool' ? `  ${summary(v)}` : '';
  if (v.shape.length === 1) {
    const line = vector(v);
    return !stats && head.length + line.length < 96 ? `${head}  ${line}` : `${head}${stats}\n  ${line}`;
  }
  if (v.shape.length === 2) return `${head}${stats}\n${matrix(v)}`;
  return `${head}${stats}\n  ${vector({ ...v, shape: [n] })}  (flattened)`;
}

function summary(v: ShownValue): string {
  let lo = Infinity;
  let hi = -Infinity;
  let sum = 0;
  for (let i = 0; i < v.data.length; i++) {
    const x = v.data[i]!;
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
    sum += x;
  }
  const mean = sum / v.data.length;
  return `min ${fmtNumber(lo, v.elem)}  mean ${fmtNumber(mean)}  max ${fmtNumber(hi, v.elem)}`;
}

/** Indices shown along an axis of length n: all, or EDGE at each end with null for `...`. */
function shown(n: number, full: number): (number | null)[] {
  if (n <= full) return Array.from({ length: n }, (_, i) => i);
  return [...Array.from({ length: EDGE }, (_, i) => i), null, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)];
}

function vector(v: ShownValue): string {
  const idx = shown(v.data.length, FULL_LEN);
  return `[${idx.map((i) => (i === null ? '...' : fmtNumber(v.data[i]!, v.elem))).join(', ')}]`;
}

function matrix(v: ShownValue): string {
  const [r, c] = v.shape as [number, number];
  const rows = shown(r, FULL_ROWS);
  const cols = shown(c, FULL_COLS);
  const cells = rows.map((i) =>
    cols.map((j) =>
      i === null ? (j === null ? '' : '...') : j === null ? '...' : fmtNumber(v.data[i * c + j]!, v.elem),
    ),
  );
  const widths = cols.map((_, k) => Math.max(...cells.map((row) => row[k]!.length)));
  return cells
    .map((row, k) => {
      const body = row.map((s, j) => s.padStart(widths[j]!)).join('  ');
      return `${k === 0 ? '  [' : '   '}${body}${k === cells.length - 1 ? ']' : ''}`;
    })
    .join('\n');
}
