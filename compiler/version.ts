// The package version (package.json, the one source of truth, read through the platform seam)
// and the version of the result JSON schema (docs/result.schema.json), bumped when the result's shape changes.

import { platform } from '../runtime/index.js';

export const RESULT_SCHEMA = 1;

export const PROXIMA_VERSION: string = platform.version();
