import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The package suite: the packed tarball installed into consumer projects and used as users do, with
// plain node (no tsx, no loader). `npm test` runs it after the main suite:
//   vitest run --config tests/package/vitest.config.ts
// It needs dist/ built (npm test builds first). global-setup.ts packs and installs once; the test
// files start child processes and mostly wait on them, so a few files run at once even on 2 cores.
const root = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  root,
  test: {
    include: ['tests/package/**/*.test.ts'],
    globalSetup: ['tests/package/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { minForks: 1, maxForks: 3 } },
  },
});
