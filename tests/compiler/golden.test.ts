// Golden diagnostics for programs the compiler rejects: tests/compiler/bad/NAME.opt must give
// exactly the messages in NAME.expected (the grammar's harness renders them). When NAME.json is
// beside it, that is the program's data, and the case covers the errors only data reveals.
// Regenerate with `UPDATE_GOLDEN=1 npx vitest run tests/compiler/golden.test.ts`.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindProgram, frontEnd } from '../../compiler/compile.js';
import { CompileError } from '../../compiler/messages.js';
import { runGoldenDir } from '../harness/golden.js';

const dir = fileURLToPath(new URL('./bad', import.meta.url));
const read = (p: string) => readFileSync(join(dir, p), 'utf8');

runGoldenDir(
  dir,
  (source, file) => {
    const dataPath = join(dir, file.replace(/\.opt$/, '.json'));
    if (!existsSync(dataPath)) return frontEnd({ source, file }, read).diagnostics;
    const dataFile = file.replace(/\.opt$/, '.json');
    try {
      return bindProgram(
        { source, file },
        { data: JSON.parse(readFileSync(dataPath, 'utf8')), dataFile, readFile: read, backend: 'ref' },
      ).warnings;
    } catch (e) {
      if (e instanceof CompileError) return e.diagnostics;
      throw e;
    }
  },
  { minCases: 30, expectErrors: true },
);
