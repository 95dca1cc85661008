import { createRequire } from 'node:module';
import type * as Sucrase from 'sucrase';
import { defineConfig, type Options } from 'tsup';

// The sucrase tsup itself uses (its dependency, not ours): see cjsAsWritten.
const localRequire = createRequire(import.meta.url);
const { transform } = createRequire(localRequire.resolve('tsup'))('sucrase') as typeof Sucrase;

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
    return { code: toAscii(code) };
  },
};

/** `code` with each non-ASCII character written as `\uXXXX` (see {@link asciiOnly}). */
function toAscii(code: string): string {
  return code.replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

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

/**
 * Turns each CommonJS chunk from the ES module esbuild writes into CommonJS without lowering `?.`, `??`
 * and class fields. With code splitting, tsup makes its CommonJS files that way with sucrase, whose
 * defaults also rewrite every optional chain as a helper call with an array and a closure per
 * evaluation and every `??` as another: slower at every call, and 21 KB more for a fresh
 * `require('langfuse-cost')` to compile (0.87 ms of it, bench/cold-start.ts). Node 20 runs them as
 * written. This plugin runs before tsup's own pass and hands the file over as an asset, which tsup
 * writes as it is and no later plugin touches (tsup 8's PluginContainer; the only later ones that do
 * anything to a CommonJS chunk here are that pass and the size report).
 * tests/package/module-graph.test.ts fails if the helpers come back.
 */
const cjsAsWritten: Plugin = {
  name: 'cjs-as-written',
  renderChunk(code, info) {
    if (this.format !== 'cjs' || !this.splitting || info.type !== 'chunk' || !/\.(js|cjs)$/.test(info.path))
      return;
    const cjs = transform(code, { filePath: info.path, transforms: ['imports'], disableESTransforms: true });
    const asAsset = info as unknown as { type: 'asset'; contents: Uint8Array };
    asAsset.type = 'asset';
    asAsset.contents = Buffer.from(toAscii(cjs.code));
  },
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
    // cjsAsWritten first: it writes the CommonJS files itself (ASCII too); asciiOnly does the ES modules.
    plugins: [cjsAsWritten, asciiOnly],
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
