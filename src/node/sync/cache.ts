import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PriceCatalog } from '../../pricing/catalog.js';
import { readSyncedCatalog, readSyncMeta } from './meta.js';
import {
  type Env,
  resolveCacheDir,
  SYNC_META_FILE,
  SYNCED_CATALOG_FILE,
  syncedCatalogPath,
} from './paths.js';

/** Resolver counters of a catalog (hits = memoised lookups, misses = first lookups, unknown = unpriced names). */
export interface ResolverStats {
  /** Distinct priced models across layers. */
  models: number;
  /** Names memoised so far. */
  memoised: number;
  /** Lookups answered from the memo. */
  hits: number;
  /** Lookups that had to resolve a name. */
  misses: number;
  /** Lookups of names no layer prices. */
  unknown: number;
}

/** State of the synced price cache. */
export interface CacheStats {
  /** Cache directory. */
  cacheDir: string;
  /** A synced catalog is present. */
  present: boolean;
  /** Source id (`genai-prices`, `litellm`, `url`). */
  source?: string;
  /** Source URL. */
  url?: string;
  /** When the copy was downloaded (ISO). */
  fetchedAt?: string;
  /** When the source last confirmed it (ISO). */
  checkedAt?: string;
  /** Age of the copy in ms (now − fetchedAt). */
  ageMs?: number;
  /** Models in the synced catalog. */
  models?: number;
  /** Models kept although the source no longer lists them. */
  keptModels?: number;
  /** Models marked deprecated (upstream or kept). */
  deprecatedModels?: number;
  /** Size of the cache file, bytes. */
  bytes?: number;
  /** `ETag` held for conditional requests. */
  etag?: string;
  /** The last failed refresh since the last success. */
  lastError?: { at: string; reason: string; message: string };
  /** Resolver counters of the catalog passed in, if any. */
  resolver?: ResolverStats;
}

/** Read the cache state (no network). Pass the catalog in use to include its resolver counters. */
export async function getCacheStats(
  options: { cacheDir?: string; env?: Env; now?: number; catalog?: PriceCatalog } = {},
): Promise<CacheStats> {
  const cacheDir = options.cacheDir ?? resolveCacheDir(options.env ?? process.env);
  const [meta, data] = await Promise.all([readSyncMeta(cacheDir), readSyncedCatalog(cacheDir)]);
  const out: CacheStats = { cacheDir, present: data !== null };
  if (meta) {
    out.source = meta.source;
    out.url = meta.url;
    if (meta.fetchedAt) out.fetchedAt = meta.fetchedAt;
    if (meta.checkedAt) out.checkedAt = meta.checkedAt;
    if (meta.fetchedAt) out.ageMs = (options.now ?? Date.now()) - Date.parse(meta.fetchedAt);
    if (meta.etag) out.etag = meta.etag;
    out.keptModels = meta.kept?.length ?? 0;
    if (meta.lastError) out.lastError = meta.lastError;
  }
  if (data) {
    out.models = data.models.length;
    out.deprecatedModels = data.models.filter((m) => m.deprecated).length;
    out.bytes = (await stat(syncedCatalogPath(cacheDir)).catch(() => null))?.size;
  }
  const stats = (options.catalog as { stats?: () => ResolverStats } | undefined)?.stats;
  if (options.catalog && typeof stats === 'function') out.resolver = stats.call(options.catalog);
  return out;
}

/**
 * Delete the synced price cache (catalog, metadata and leftover temporary files). Pricing falls back
 * to user files and the bundled catalog. Returns the files removed.
 */
export async function clearCache(options: { cacheDir?: string; env?: Env } = {}): Promise<string[]> {
  const cacheDir = options.cacheDir ?? resolveCacheDir(options.env ?? process.env);
  let names: string[];
  try {
    names = await readdir(cacheDir);
  } catch {
    return [];
  }
  const ours = names.filter(
    (n) =>
      n === SYNCED_CATALOG_FILE ||
      n === SYNC_META_FILE ||
      ((n.startsWith(`.${SYNCED_CATALOG_FILE}.`) || n.startsWith(`.${SYNC_META_FILE}.`)) &&
        n.endsWith('.tmp')),
  );
  const removed: string[] = [];
  for (const n of ours) {
    const p = join(cacheDir, n);
    await rm(p, { force: true });
    removed.push(p);
  }
  return removed;
}
