// The package version, read once from package.json (the one source of truth), and the version
// of the result JSON schema (docs/result.schema.json), bumped when the result's shape changes.

import { readFileSync } from 'node:fs';

export const RESULT_SCHEMA = 1;

export const PROXIMA_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();
