// Golden diagnostics for malformed .opt files: tests/grammar/bad/NAME.opt must produce exactly
// the diagnostics in NAME.expected. Regenerate with `UPDATE_GOLDEN=1 npx vitest run tests/grammar`.

import { fileURLToPath } from 'node:url';
import { parse } from '../../grammar/index.js';
import { runGoldenDir } from '../harness/golden.js';

runGoldenDir(fileURLToPath(new URL('./bad', import.meta.url)), (source, file) => parse(source, file).diagnostics, {
  minCases: 40,
  expectErrors: true,
});
