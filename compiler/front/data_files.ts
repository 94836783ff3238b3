// Reading data files, in one layer for the library and the CLI alike: JSON objects and CSV
// tables, merged in order (later files override earlier ones, with one warning per overridden
// key), then `name=JSON` overrides (the CLI's --set).
// CSV binding (docs/cli.md): a header row; a column `y` binds a vector y; columns `X[0]`, `X[1]`,
// ... bind the columns of a matrix X (0-based, as in the language). "NaN", "Inf", "+Inf" and
// "-Inf" cells are read as such; whether they are allowed is the compiler's data check.
// Every failure is a DataError with a message naming the file, and the row and column for cells.

import { platform } from '../../runtime/index.js';

export { DataError, parseCsv, parseJsonData, type DataObject, type DataValue } from './data_parse.js';
import { DataError, jsonValue, parseCsv, parseJsonData, type DataObject } from './data_parse.js';

export type ReadText = (path: string) => string;
const readUtf8: ReadText = (p) => platform.readText(p);

export function readDataFile(path: string, read: ReadText = readUtf8): DataObject {
  let text: string;
  try {
    text = read(path);
  } catch {
    throw new DataError(`${path}: cannot read the data file (does it exist?)`);
  }
  if (/\.csv$/i.test(path)) return parseCsv(text, path);
  if (/\.json$/i.test(path)) return parseJsonData(text, path);
  throw new DataError(`${path}: data files must end in .json or .csv`);
}

export interface MergedData {
  data: DataObject;
  warnings: string[];
}

/** Merges data files in order, then `--set name=JSON` overrides. */
export function mergeData(files: readonly string[], sets: readonly string[], read: ReadText = readUtf8): MergedData {
  const data: DataObject = {};
  const origin = new Map<string, string>();
  const warnings: string[] = [];
  for (const f of files) {
    for (const [k, v] of Object.entries(readDataFile(f, read))) {
      if (origin.has(k)) warnings.push(`data \`${k}\` from ${f} overrides the value from ${origin.get(k)}`);
      data[k] = v;
      origin.set(k, f);
    }
  }
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new DataError(`--set ${s}: expected name=VALUE (VALUE is JSON, e.g. --set lambda=0.5)`);
    const name = s.slice(0, eq).trim();
    const text = s.slice(eq + 1);
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new DataError(`--set ${name}: \`${text}\` is not JSON (numbers, true/false, [arrays])`);
    }
    data[name] = jsonValue(v, `--set ${name}`);
  }
  return { data, warnings };
}
