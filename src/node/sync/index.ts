/**
 * Price sync and price administration: refresh the synced price cache from a published price list,
 * keep it fresh in long-running processes, inspect and clear it, edit manual prices, and re-price
 * the local ledger.
 * @packageDocumentation
 */
export { writeFileAtomic } from './atomic-write.js';
export { type AutoRefreshHandle, type AutoRefreshOptions, autoRefresh } from './auto-refresh.js';
export { type CacheStats, clearCache, getCacheStats, type ResolverStats } from './cache.js';
export {
  type CatalogDiff,
  diffCatalogs,
  diffModel,
  type ModelChange,
  modelKey,
  type PriceChange,
} from './diff.js';
export { downloadPriceFile, type FetchLike } from './download.js';
export { PriceSyncError, type PriceSyncFailure } from './errors.js';
export { findHostileValues, type HostileValue, type RawPriceFormat } from './guards.js';
export { mergeKeepingRemoved } from './merge.js';
export { readSyncedCatalog, readSyncMeta, type SyncMeta } from './meta.js';
export {
  defaultUserPricesPath,
  resolveCacheDir,
  resolveUserPricesPath,
  SYNC_META_FILE,
  SYNCED_CATALOG_FILE,
  syncedCatalogPath,
  syncMetaPath,
} from './paths.js';
export { type RepriceLedgerOptions, type RepriceLedgerResult, repriceLedger } from './reprice-ledger.js';
export { type NamedPriceSource, PRICE_SOURCES, resolveSource } from './sources.js';
export {
  DEFAULT_MAX_SHRINK_RATIO,
  DEFAULT_SYNC_MAX_BYTES,
  DEFAULT_SYNC_TIMEOUT_MS,
  DEFAULT_SYNC_TTL_MS,
  type SyncPricesOptions,
  type SyncResult,
  syncPrices,
} from './sync-prices.js';
export { type SetUserPriceOptions, setUserPrice, type UserPriceEdit, unsetUserPrice } from './user-prices.js';
