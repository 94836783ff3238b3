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
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new DataError(`cannot read the data file ${path}: ${why}`, path);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    if (/\.csv$/i.test(path)) return parseCsv(text, path);
    if (/\.json$/i.test(path)) return parseJsonData(text, path);
  } catch (e) {
    if (e instanceof DataError && e.path === undefined) throw new DataError(e.message, path);
    throw e;
  }
  throw new DataError(`${path}: data files must end in .json or .csv`, path);
}

export interface MergedData {
  data: DataObject;
  /** Where each key's value came from: a file's path, or `--set`. */
  origins: Record<string, string>;
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
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new DataError(`--set ${s}: \`${name}\` is not a name (expected name=VALUE, e.g. --set lambda=0.5)`);
    const text = s.slice(eq + 1);
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new DataError(`--set ${name}: \`${text}\` is not JSON (numbers, true/false, [arrays])`);
    }
    data[name] = jsonValue(v, `--set ${name}`);
    origin.set(name, '--set');
  }
  return { data, origins: Object.fromEntries(origin), warnings };
}
