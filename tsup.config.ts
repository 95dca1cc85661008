import { defineConfig, type Options } from 'tsup';

type Plugin = NonNullable<Options['plugins']>[number];

/** Any character outside ASCII (above U+007F). */
const NON_ASCII = /[\u0080-\uffff]/g;

/**
 * Writes the non-ASCII characters esbuild leaves in its output as `\uXXXX`. esbuild escapes them in
 * code (its default `charset: 'ascii'`) but keeps comments as they are, and ours have `—`, `→`, `≤`:
 * one such character makes Node read the whole file (the core chunk is 800 KB) as two-byte text, and
 * `require('langfuse-cost')` cost about 1.2 ms more for it (bench/cold-start.ts). What is left is in
 * comments, where the escape is plain text (in code it would be the same character).
 * scripts/check-dist.mjs fails the build if a non-ASCII byte reaches dist/.
 */
const asciiOnly: Plugin = {
  name: 'ascii-only',
  renderChunk(code) {
    return { code: code.replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) };
  },
};

/**
 * Every entry (src/node/index.ts, src/otel/portable.ts, …) starts with a bare `import '../index.js'`, so
 * that every module of the core is reached from every entry: esbuild's code splitting puts modules
 * reached by the same set of entries in one chunk, so the whole core becomes ONE shared chunk instead
 * of one per set of entries, and `import 'langfuse-cost'` loads 2 files instead of 12 (a cold start
 * about 5 ms shorter; bench/cold-start.ts). The core stays one instance for all entries, and
 * tests/package/module-graph.test.ts fails if the root's graph grows again. esbuild drops the
 * statement itself, as the package's `sideEffects` allows, but still counts the root as reached; this
 * keeps it from printing that, once per entry and format, on every build.
 */
const quietBareRootImport: NonNullable<Options['esbuildOptions']> = (options) => {
  options.logOverride = { ...options.logOverride, 'ignored-bare-import': 'silent' };
};

// Peer and optional dependencies stay external: each subpath loads only what it needs.
const external = [
  /^@langchain\//,
  /^@opentelemetry\//,
  /^@langfuse\//,
  'langfuse',
  'langfuse-langchain',
  'langchain',
  'chdb',
  '@clickhouse/client',
  'yaml',
  'ai',
  'playwright-core',
  'nodemailer',
  'redis',
];

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      langchain: 'src/langchain/index.ts',
      'langchain-portable': 'src/langchain/portable.ts',
      otel: 'src/otel/index.ts',
      'otel-portable': 'src/otel/portable.ts',
      langfuse: 'src/langfuse/index.ts',
      node: 'src/node/index.ts',
      dashboards: 'src/dashboards/index.ts',
      fleet: 'src/fleet/index.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    splitting: true,
    // The CJS files get `import.meta.url` from __filename; scripts/check-dist.mjs fails the build
    // if any ESM-only syntax still reaches a .cjs file.
    shims: true,
    sourcemap: false,
    clean: false,
    target: 'node20',
    external,
    plugins: [asciiOnly],
    esbuildOptions: quietBareRootImport,
  },
  {
    // The CLI, and the ledger report's worker thread (loaded by file path, so a file of its own).
    entry: { cli: 'src/cli/main.ts', 'report-worker': 'src/node/ledger/report-worker.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
    target: 'node20',
    external,
    plugins: [asciiOnly],
    esbuildOptions: quietBareRootImport,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
