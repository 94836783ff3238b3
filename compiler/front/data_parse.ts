// Parsing data text (no files): CSV tables and JSON objects with NaN/Inf spelled as strings.
// Shared by data_files.ts (which reads the files) and the playground's data upload,
// which runs in a browser, so nothing here imports a Node module.
// CSV binding (docs/cli.md): a header row; a column `y` binds a vector y; columns `X[0]`, `X[1]`,
// ... bind the columns of a matrix X (0-based, as in the language). Every failure is a DataError
// naming the file, and the row and column for cells. Cells are decimal numbers (not `0x10`);
// JSON booleans bind only `bool` data (the compiler's check).

export type DataValue = number | boolean | DataValue[];
export type DataObject = Record<string, DataValue>;

export class DataError extends Error {
  /** The data file the error is about, when it is about one. */
  constructor(
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

/** A decimal number as people write one in a data file: `3`, `-0.5`, `1e-9`, `.5`, `+2.`. */
const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

export function parseCsv(text: string, file: string): DataObject {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new DataError(`${file}: the CSV file is empty (it needs a header row)`);
  const header = splitRow(lines[0]!).map((h) => h.trim());
  const seen = new Set<string>();
  header.forEach((h, j) => {
    if (h === '') throw new DataError(`${file}:1: column ${j + 1} has an empty name`);
    if (seen.has(h)) throw new DataError(`${file}:1: column name \`${h}\` appears twice`);
    seen.add(h);
  });
  const cols: number[][] = header.map(() => []);
  for (let i = 1; i < lines.length; i++) {
    const cells = splitRow(lines[i]!);
    if (cells.length !== header.length) {
      throw new DataError(`${file}:${i + 1}: row ${i + 1} has ${cells.length} cells, the header has ${header.length}`);
    }
    cells.forEach((c, j) => cols[j]!.push(parseCell(c, file, i + 1, header[j]!)));
  }
  const out: DataObject = {};
  const matrices = new Map<string, Map<number, number[]>>();
  header.forEach((h, j) => {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\[(\d+)\]$/.exec(h);
    if (m) {
      const cols2 = matrices.get(m[1]!) ?? new Map<number, number[]>();
      cols2.set(Number(m[2]), cols[j]!);
      matrices.set(m[1]!, cols2);
    } else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(h)) {
      out[h] = cols[j]!;
    } else {
      throw new DataError(`${file}:1: column name \`${h}\` is not a name or name[index]`);
    }
  });
  for (const [name, byIndex] of matrices) {
    if (name in out) throw new DataError(`${file}:1: \`${name}\` is both a vector column and matrix columns`);
    const k = byIndex.size;
    for (let j = 0; j < k; j++) {
      if (!byIndex.has(j))
        throw new DataError(`${file}:1: matrix \`${name}\` has ${k} columns but \`${name}[${j}]\` is missing`);
    }
    const rows = lines.length - 1;
    out[name] = Array.from({ length: rows }, (_, r) => Array.from({ length: k }, (_, j) => byIndex.get(j)![r]!));
  }
  return out;
}

function splitRow(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cur);
      cur = '';
    } else cur += ch;
  }
  cells.push(cur);
  return cells;
}

function parseCell(cell: string, file: string, row: number, col: string): number {
  const c = cell.trim();
  if (/^(nan)$/i.test(c)) return NaN;
  if (/^\+?inf(inity)?$/i.test(c)) return Infinity;
  if (/^-inf(inity)?$/i.test(c)) return -Infinity;
  const v = DECIMAL.test(c) ? Number(c) : NaN;
  if (Number.isNaN(v)) {
    throw new DataError(`${file}:${row}: column \`${col}\`: \`${cell}\` is not a number (row ${row}, column ${col})`);
  }
  return v;
}

/** JSON with the non-standard tokens NaN/Infinity written as strings "NaN", "Inf", "-Inf" accepted. */
export function parseJsonData(text: string, file: string): DataObject {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new DataError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new DataError(`${file}: the JSON data must be an object of named values`);
  const out: DataObject = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = jsonValue(x, `${file}: \`${k}\``);
  return out;
}

export function jsonValue(x: unknown, where: string): DataValue {
  if (typeof x === 'number' || typeof x === 'boolean') return x;
  if (typeof x === 'string') {
    if (/^nan$/i.test(x)) return NaN;
    if (/^\+?inf(inity)?$/i.test(x)) return Infinity;
    if (/^-inf(inity)?$/i.test(x)) return -Infinity;
    throw new DataError(`${where}: "${x}" is not a number`);
  }
  if (Array.isArray(x)) return x.map((e, i) => jsonValue(e, `${where}[${i}]`));
  throw new DataError(`${where}: ${x === null ? 'null' : typeof x} is not a number, boolean or array`);
}
