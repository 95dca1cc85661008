import { homedir } from 'node:os';
import { join } from 'node:path';
import { closedError } from '../../errors.js';
import { splitPriceFileList } from '../price-files.js';

/** Environment variables this module reads (a subset of `process.env`). */
export type Env = Record<string, string | undefined>;

/** File name of the synced price cache (a catalog document) inside the cache directory. */
export const SYNCED_CATALOG_FILE = 'synced-catalog.json';
/** File name of the sync metadata (ETag, Last-Modified, fetch times) inside the cache directory. */
export const SYNC_META_FILE = 'sync-meta.json';

/**
 * The cache directory: `LANGFUSE_COST_CACHE_DIR`, else `$XDG_CACHE_HOME/langfuse-cost`,
 * else `~/.cache/langfuse-cost`.
 */
export function resolveCacheDir(env: Env = process.env): string {
  try {
    return resolveCacheDirUnchecked(env);
  } catch (err) {
    throw closedError(err, 'resolveCacheDir');
  }
}

function resolveCacheDirUnchecked(env: Env = process.env): string {
  const explicit = env.LANGFUSE_COST_CACHE_DIR?.trim();
  if (explicit) return explicit;
  const xdg = env.XDG_CACHE_HOME?.trim();
  if (xdg) return join(xdg, 'langfuse-cost');
  return join(env.HOME?.trim() || homedir(), '.cache', 'langfuse-cost');
}

/** Path of the synced catalog file in `cacheDir`. */
export function syncedCatalogPath(cacheDir: string): string {
  try {
    return syncedCatalogPathUnchecked(cacheDir);
  } catch (err) {
    throw closedError(err, 'syncedCatalogPath');
  }
}

function syncedCatalogPathUnchecked(cacheDir: string): string {
  return join(cacheDir, SYNCED_CATALOG_FILE);
}

/** Path of the sync metadata file in `cacheDir`. */
export function syncMetaPath(cacheDir: string): string {
  try {
    return syncMetaPathUnchecked(cacheDir);
  } catch (err) {
    throw closedError(err, 'syncMetaPath');
  }
}

function syncMetaPathUnchecked(cacheDir: string): string {
  return join(cacheDir, SYNC_META_FILE);
}

/**
 * The user's price file that `prices set` / `prices unset` edit: the first path in
 * `LANGFUSE_COST_PRICES` (as split by {@link splitPriceFileList}), else
 * `$XDG_CONFIG_HOME/langfuse-cost/prices.json`, else `~/.config/langfuse-cost/prices.json`.
 */
export function resolveUserPricesPath(env: Env = process.env): string {
  try {
    return resolveUserPricesPathUnchecked(env);
  } catch (err) {
    throw closedError(err, 'resolveUserPricesPath');
  }
}

function resolveUserPricesPathUnchecked(env: Env = process.env): string {
  const first = splitPriceFileList(env.LANGFUSE_COST_PRICES)[0];
  if (first) return first;
  return defaultUserPricesPath(env);
}

/**
 * The default user price file when `LANGFUSE_COST_PRICES` is not set:
 * `$XDG_CONFIG_HOME/langfuse-cost/prices.json`, else `~/.config/langfuse-cost/prices.json`.
 */
export function defaultUserPricesPath(env: Env = process.env): string {
  try {
    return defaultUserPricesPathUnchecked(env);
  } catch (err) {
    throw closedError(err, 'defaultUserPricesPath');
  }
}

function defaultUserPricesPathUnchecked(env: Env = process.env): string {
  const xdg = env.XDG_CONFIG_HOME?.trim();
  if (xdg) return join(xdg, 'langfuse-cost', 'prices.json');
  return join(env.HOME?.trim() || homedir(), '.config', 'langfuse-cost', 'prices.json');
}
