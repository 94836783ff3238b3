// Test runner configuration: every tests/**/*.test.ts file, run in Node. `proxima` resolves to
// the sources (as tsconfig.json's paths say for tsc and tsx), so documentation code that imports
// the package runs in tests without a build.
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  resolve: { alias: { proxima: fileURLToPath(new URL('./index.ts', import.meta.url)) } },
  test: {
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/harness/fast_check_seed.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
