// The package version, read once from package.json (the one source of truth), and the version
// of the result JSON schema (docs/result.schema.json), bumped when the result's shape changes.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULT_SCHEMA = 1;

/** Proxima's package.json: the nearest one named `proxima` above this module (or its bundle). */
function packageJson(): { version: string } | null {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'proxima') return pkg;
    }
    if (dirname(dir) === dir) return null;
  }
}

export const PROXIMA_VERSION: string = packageJson()?.version ?? '0.0.0';
