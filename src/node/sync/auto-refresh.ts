import { getLogger } from '../../logger.js';
import type { PriceCatalog } from '../../pricing/catalog.js';
import type { CatalogData } from '../../pricing/types.js';
import { PriceSyncError } from './errors.js';
import { readSyncedCatalog } from './meta.js';
import { resolveCacheDir } from './paths.js';
import { DEFAULT_SYNC_TTL_MS, type SyncPricesOptions, type SyncResult, syncPrices } from './sync-prices.js';

/** Options of {@link autoRefresh}. */
export interface AutoRefreshOptions extends Omit<SyncPricesOptions, 'dryRun' | 'force' | 'ttlMs'> {
  /** Refresh interval and cache TTL in ms (default 6 h). */
  ttl?: number;
  /** Called after each refresh that changed the synced prices. Exceptions it throws are logged. */
  onUpdate?: (result: SyncResult) => void;
  /** Called when a refresh fails (the previous prices stay in force). Exceptions it throws are logged. */
  onError?: (error: Error) => void;
  /** Check the source right away (default true); false waits one `ttl` first. The cache is loaded at once either way. */
  immediate?: boolean;
}

/** Handle returned by {@link autoRefresh}. */
export interface AutoRefreshHandle {
  /** Stop refreshing (idempotent). */
  stop(): void;
  /** Resolves once the cached prices have been loaded into the catalog (or found absent). */
  readonly ready: Promise<void>;
  /** Refresh now (TTL ignored); resolves to the result, or null when it failed or was stopped. Never rejects. */
  refreshNow(): Promise<SyncResult | null>;
  /** The last successful result. */
  readonly lastResult: SyncResult | null;
  /** The last failure since the last success. */
  readonly lastError: Error | null;
}

/**
 * Keep a catalog's `synced` layer current in a long-running process. Loads the cached prices, then
 * checks the source every `ttl` on an unref'd timer (it never keeps the process alive), swaps the
 * synced layer when prices change, and never blocks a cost calculation or throws into the host:
 * failures are logged once per reason and the previous prices stay in force.
 *
 * @example
 * ```ts
 * const catalog = getDefaultCatalog();
 * const refresher = autoRefresh(catalog, { ttl: 6 * 3600_000 });
 * // … on shutdown:
 * refresher.stop();
 * ```
 */
export function autoRefresh(catalog: PriceCatalog, options: AutoRefreshOptions = {}): AutoRefreshHandle {
  const ttl = options.ttl ?? DEFAULT_SYNC_TTL_MS;
  if (!(ttl > 0)) throw new RangeError(`autoRefresh: ttl must be a positive number of ms, got ${ttl}`);
  const cacheDir = options.cacheDir ?? resolveCacheDir(options.env ?? process.env);
  const { onUpdate, onError, immediate, ttl: _ttl, ...syncOptions } = options;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<SyncResult | null> | null = null;
  let lastResult: SyncResult | null = null;
  let lastError: Error | null = null;
  let lastWarned = '';

  const apply = (data: CatalogData | null): void => {
    if (!data) return;
    const c = catalog as PriceCatalog & { setLayer?: PriceCatalog['setLayer'] };
    // Replace the layer rather than stacking datasets, so a process running for months holds one copy.
    if (typeof c.setLayer === 'function') c.setLayer('synced', data, 'synced price cache');
    else catalog.addLayer('synced', data, 'synced price cache');
  };

  const safe = (fn: (() => void) | undefined): void => {
    try {
      fn?.();
    } catch (err) {
      getLogger().warn(`autoRefresh: a callback threw: ${(err as Error)?.message ?? String(err)}`);
    }
  };

  const run = async (force: boolean): Promise<SyncResult | null> => {
    try {
      await loading;
      if (stopped) return null;
      const result = await syncPrices({ ...syncOptions, cacheDir, ttlMs: ttl, force });
      if (stopped) return null;
      if (result.status === 'updated') {
        apply(result.catalog);
        safe(() => onUpdate?.(result));
      }
      lastResult = result;
      lastError = null;
      lastWarned = '';
      return result;
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      lastError = e;
      const key = err instanceof PriceSyncError ? err.reason : e.message;
      if (key !== lastWarned) {
        lastWarned = key;
        getLogger().warn(`price refresh failed, previous prices stay in force: ${e.message}`);
      }
      safe(() => onError?.(e));
      return null;
    }
  };

  // The cached prices are loaded at once (no network), so a restart prices with the last synced copy
  // even before the first refresh completes.
  const loading = readSyncedCatalog(cacheDir, (err) =>
    getLogger().warn(`ignoring the damaged price cache in ${cacheDir}: ${(err as Error).message}`),
  )
    .then((data) => {
      if (!stopped) apply(data);
    })
    .catch((err) =>
      getLogger().warn(
        `could not load the price cache in ${cacheDir}: ${(err as Error)?.message ?? String(err)}`,
      ),
    );

  const once = (force: boolean): Promise<SyncResult | null> => {
    if (inFlight) return inFlight;
    inFlight = run(force).finally(() => {
      inFlight = null;
    });
    return inFlight;
  };

  const schedule = (delay: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      void once(false).finally(() => schedule(Math.max(ttl, 1000)));
    }, delay);
    timer.unref?.();
  };

  schedule(immediate === false ? ttl : 0);

  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    refreshNow() {
      if (stopped) return Promise.resolve(null);
      return once(true);
    },
    ready: loading,
    get lastResult() {
      return lastResult;
    },
    get lastError() {
      return lastError;
    },
  };
}
