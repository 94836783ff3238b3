// The data a command binds: --data files (or the program's `data from` defaults when none is
// given), then --set overrides; merge warnings become result messages. Each key remembers where
// its value came from (a file, or `--set`), so a bad value is blamed on its real origin; a
// `data from` file that cannot be read is reported at the line and column that names it.

import { dataSourceList } from '../compiler/api.js';
import { CompileError } from '../compiler/messages.js';
import { DataError, mergeData, type DataObject } from './data_files.js';

export interface BoundData {
  data: DataObject | undefined;
  dataFile: string | undefined;
  /** Where each key's value came from: a data file's path, or `--set`. */
  origins: Record<string, string>;
  warnings: string[];
}

export function bindData(file: string, dataFiles: readonly string[], sets: readonly string[]): BoundData {
  const defaults = dataFiles.length > 0 ? [] : dataSourceList(file);
  const files = dataFiles.length > 0 ? [...dataFiles] : defaults.map((d) => d.path);
  if (files.length === 0 && sets.length === 0)
    return { data: undefined, dataFile: undefined, origins: {}, warnings: [] };
  let m;
  try {
    m = mergeData(files, sets);
  } catch (e) {
    const named = e instanceof DataError ? defaults.find((d) => d.path === e.path) : undefined;
    if (named) throw new CompileError([{ severity: 'error', message: (e as DataError).message, span: named.span }]);
    throw e;
  }
  return { data: m.data, dataFile: files.join(', ') || '--set', origins: m.origins, warnings: m.warnings };
}
