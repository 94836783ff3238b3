// The data a command binds: --data files (or the program's `data from` defaults when none is
// given), then --set overrides; merge warnings become result messages.

import { dataSources } from '../compiler/index.js';
import { mergeData, type DataObject } from './data_files.js';

export interface BoundData {
  data: DataObject | undefined;
  dataFile: string | undefined;
  warnings: string[];
}

export function bindData(file: string, dataFiles: readonly string[], sets: readonly string[]): BoundData {
  const files = dataFiles.length > 0 ? dataFiles : dataSources(file);
  if (files.length === 0 && sets.length === 0) return { data: undefined, dataFile: undefined, warnings: [] };
  const m = mergeData(files, sets);
  return { data: m.data, dataFile: files.join(', ') || '--set', warnings: m.warnings };
}
