import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Test files that bound a wall-clock time, so no other file runs beside them: they run after every
 * other file, one at a time. (html-scale: a 1M-call report must open in Chromium within 2 s; it took
 * 1.0 s alone and 1.6 s beside another file on a 2-core machine.)
 */
const ALONE = ['tests/integration/dashboards/html-scale.test.ts'];

/**
 * The packed-package suite has its own config (a global setup that packs and installs once):
 * `vitest run --config tests/package/vitest.config.ts`, the last step of `npm test`.
 */
const EXCLUDE = [...configDefaults.exclude, 'tests/package/**'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One file per core. Vitest's default leaves a core to itself (one file at a time on 2 cores),
    // but most files here wait on child processes, servers or chDB: on 2 cores the suite took 504 s
    // one file at a time and 366 s two at a time.
    maxWorkers: availableParallelism(),
    minWorkers: 1,
    projects: [
      {
        extends: true,
        test: { name: 'suite', include: ['tests/**/*.test.ts'], exclude: [...EXCLUDE, ...ALONE] },
      },
      {
        extends: true,
        test: { name: 'alone', include: ALONE, exclude: EXCLUDE, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
