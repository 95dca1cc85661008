import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The packed-package suite has its own config (a global setup that packs and installs once):
    // vitest run --config tests/package/vitest.config.ts, the last step of `npm test`.
    exclude: [...configDefaults.exclude, 'tests/package/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
