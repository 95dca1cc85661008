/**
 * The process-wide pricing catalog for Node: every layer of the design, highest first —
 * code overrides (`catalog.override(...)`) → user price files (`LANGFUSE_COST_PRICES`, then the
 * `priceFiles` option) → the synced cache (`<cacheDir>/synced-catalog.json`, written by
 * `langfuse-cost prices sync`) → the bundled catalog → the fallback price
 * (`LANGFUSE_COST_FALLBACK_PRICE`, if set).
 */

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { closedError, LangfuseCostError } from '../errors.js';
import { getLogger } from '../logger.js';
import { bundledCatalog } from '../pricing/bundled/index.js';
import { PriceCatalog } from '../pricing/catalog.js';
import { importAny } from '../pricing/importers/index.js';
import type { PriceSet } from '../pricing/types.js';
import { type Env, loadPriceFileSync, PRICES_ENV, splitPriceFileList } from './price-files.js';
import { defaultUserPricesPath, resolveCacheDir, syncedCatalogPath } from './sync/paths.js';

/** Environment variable with the fallback price for unknown models: `"input,output"` USD per 1M tokens. */
export const FALLBACK_PRICE_ENV = 'LANGFUSE_COST_FALLBACK_PRICE';

/** Options of {@link getNodeCatalog}. */
export interface NodeCatalogOptions {
  /** Environment to read (default `process.env`). */
  env?: Env;
  /** More user price files, loaded after those of `LANGFUSE_COST_PRICES` (so they win over them). */
  priceFiles?: string[];
  /** Directory relative paths are resolved against (default `process.cwd()`). */
  cwd?: string;
  /** Cache directory of the synced catalog (default: `LANGFUSE_COST_CACHE_DIR`, XDG cache, `~/.cache`). */
  cacheDir?: string;
  /** Read the synced cache (default true). */
  synced?: boolean;
  /** Build a new catalog even if one with the same configuration exists. */
  reload?: boolean;
}

let current: { key: string; catalog: PriceCatalog } | null = null;

/**
 * The process-wide Node catalog, built on first use and reused while the configuration
 * (files, cache directory, fallback) is the same. Add code overrides with `catalog.override(...)`.
 *
 * A missing or invalid user price file throws (the user asked for it); a missing synced cache is
 * normal and an unreadable one is skipped with a warning (it is only a cache).
 *
 * @throws {PriceFileError | CatalogValidationError} for a bad user price file.
 * @throws {LangfuseCostError} (`INVALID_CONFIG`) for a malformed `LANGFUSE_COST_FALLBACK_PRICE`.
 */
export function getNodeCatalog(options: NodeCatalogOptions = {}): PriceCatalog {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  // Without LANGFUSE_COST_PRICES, the default user file (`prices set` writes it) is loaded when it exists.
  const envFiles = splitPriceFileList(env[PRICES_ENV]);
  const defaultFile = envFiles.length === 0 ? defaultUserPricesPath(env) : null;
  const files = [
    ...envFiles,
    ...(defaultFile && existsSync(defaultFile) ? [defaultFile] : []),
    ...(options.priceFiles ?? []),
  ].map((p) => resolve(cwd, p));
  const cacheDir = options.synced === false ? null : (options.cacheDir ?? resolveCacheDir(env));
  const fallbackText = env[FALLBACK_PRICE_ENV]?.trim() || null;
  const key = JSON.stringify({
    files,
    cacheDir,
    fallbackText,
    envCount: splitPriceFileList(env[PRICES_ENV]).length,
  });
  if (current && current.key === key && !options.reload) return current.catalog;

  const catalog = new PriceCatalog();
  catalog.addLayer('bundled', bundledCatalog, 'bundled catalog', { trusted: true });
  if (cacheDir) addSyncedLayer(catalog, syncedCatalogPath(cacheDir));
  const fromEnv = splitPriceFileList(env[PRICES_ENV]).length;
  files.forEach((path, i) => {
    catalog.addLayer('user', loadPriceFileSync(path, i < fromEnv ? { from: PRICES_ENV } : {}), path);
  });
  if (fallbackText) catalog.setFallback(parseFallbackPrice(fallbackText));
  current = { key, catalog };
  return catalog;
}

/** Forget the process-wide Node catalog (the next {@link getNodeCatalog} builds a new one). */
export function resetNodeCatalog(): void {
  current = null;
}

/**
 * Parse `LANGFUSE_COST_FALLBACK_PRICE`: `"input,output"` USD per 1M tokens, e.g. `"3,15"`;
 * one number prices input and output alike.
 * @throws {LangfuseCostError} (`INVALID_CONFIG`) with what was expected.
 */
export function parseFallbackPrice(text: string): PriceSet {
  try {
    return parseFallbackPriceUnchecked(text);
  } catch (err) {
    throw closedError(err, 'parseFallbackPrice');
  }
}

function parseFallbackPriceUnchecked(text: string): PriceSet {
  const parts = text.split(',').map((s) => s.trim());
  const nums = parts.map((s) => (s === '' ? Number.NaN : Number(s)));
  if (parts.length > 2 || nums.some((n) => !Number.isFinite(n) || n < 0)) {
    throw new LangfuseCostError(
      'INVALID_CONFIG',
      `${FALLBACK_PRICE_ENV}="${text}" is not a price: give "input,output" in USD per 1M tokens, e.g. "3,15"`,
    );
  }
  return { input: nums[0]!, output: nums[1] ?? nums[0]! };
}

function addSyncedLayer(catalog: PriceCatalog, path: string): void {
  if (!existsSync(path)) return;
  try {
    const data = importAny(JSON.parse(readFileSync(path, 'utf8')), path);
    catalog.addLayer('synced', data, path);
  } catch (e) {
    getLogger().warn(
      `ignoring the synced price cache ${path}: ${(e as Error).message ?? String(e)}. ` +
        'Run `langfuse-cost prices sync` to refresh it, or delete the file.',
    );
  }
}
