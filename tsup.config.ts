import { defineConfig } from 'tsup';

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
  },
  {
    // The CLI, and the ledger report's worker thread (loaded by file path, so a file of its own).
    entry: { cli: 'src/cli/main.ts', 'report-worker': 'src/node/ledger/report-worker.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
    target: 'node20',
    external,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
