import { readFile } from 'node:fs/promises';
import type { CatalogData } from '../../pricing/types.js';
import { validateCatalog } from '../../pricing/validate.js';
import { writeFileAtomic } from './atomic-write.js';
import type { RawPriceFormat } from './guards.js';
import { syncedCatalogPath, syncMetaPath } from './paths.js';

/** What the cache remembers about the last sync (`<cacheDir>/sync-meta.json`). */
export interface SyncMeta {
  /** File format version. */
  version: 1;
  /** Source id: `genai-prices`, `litellm` or `url`. */
  source: string;
  /** URL the prices came from. */
  url: string;
  /** Format of the downloaded file. */
  format: RawPriceFormat;
  /** `ETag` of the stored copy, for `If-None-Match`. */
  etag?: string;
  /** `Last-Modified` of the stored copy, for `If-Modified-Since`. */
  lastModified?: string;
  /** When the stored copy was downloaded (ISO). */
  fetchedAt?: string;
  /** When the source last confirmed the copy (a download or a 304), ISO; the TTL counts from here. */
  checkedAt?: string;
  /** Models the source listed at the last download. */
  upstreamModels?: number;
  /** Models in the synced catalog (listed + kept). */
  models?: number;
  /** Keys (`provider/id`) of models kept although the source no longer lists them. */
  kept?: string[];
  /** Size of the last download, bytes. */
  bytes?: number;
  /** SHA-256 of the last download. */
  sha256?: string;
  /** The last failed attempt, if it came after the last success. */
  lastError?: { at: string; reason: string; message: string };
}

/** Read the sync metadata; null when absent or unreadable (a broken file is treated as no cache). */
export async function readSyncMeta(cacheDir: string): Promise<SyncMeta | null> {
  try {
    const parsed = JSON.parse(await readFile(syncMetaPath(cacheDir), 'utf8')) as SyncMeta;
    return parsed && parsed.version === 1 && typeof parsed.url === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

/** Write the sync metadata atomically. */
export async function writeSyncMeta(cacheDir: string, meta: SyncMeta): Promise<void> {
  await writeFileAtomic(syncMetaPath(cacheDir), `${JSON.stringify(meta, null, 2)}\n`);
}

/**
 * Read the synced catalog; null when absent. A file that exists but does not validate is reported
 * through `onInvalid` and treated as absent, so a damaged cache never breaks pricing.
 */
export async function readSyncedCatalog(
  cacheDir: string,
  onInvalid?: (err: unknown) => void,
): Promise<CatalogData | null> {
  let text: string;
  try {
    text = await readFile(syncedCatalogPath(cacheDir), 'utf8');
  } catch {
    return null;
  }
  try {
    return validateCatalog(JSON.parse(text), syncedCatalogPath(cacheDir));
  } catch (err) {
    onInvalid?.(err);
    return null;
  }
}

/** Write the synced catalog atomically (temporary file + rename). */
export async function writeSyncedCatalog(cacheDir: string, data: CatalogData): Promise<void> {
  await writeFileAtomic(syncedCatalogPath(cacheDir), `${JSON.stringify(data)}\n`);
}
