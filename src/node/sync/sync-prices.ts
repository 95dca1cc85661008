import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { CatalogData } from '../../pricing/types.js';
import { type CatalogDiff, diffCatalogs, isEmptyDiff, modelKey } from './diff.js';
import { downloadPriceFile, type FetchLike, redactUrl } from './download.js';
import { PriceSyncError } from './errors.js';
import { assertNoHostileValues, assertNotShrunk, assertValidCatalog, type RawPriceFormat } from './guards.js';
import { mergeKeepingRemoved } from './merge.js';
import { readSyncedCatalog, readSyncMeta, type SyncMeta, writeSyncedCatalog, writeSyncMeta } from './meta.js';
import { type Env, resolveCacheDir } from './paths.js';
import { detectRawFormat, importRaw, resolveSource } from './sources.js';

/** Default time a synced copy is considered fresh: 6 hours. */
export const DEFAULT_SYNC_TTL_MS = 6 * 60 * 60 * 1000;
/** Default download timeout: 30 seconds. */
export const DEFAULT_SYNC_TIMEOUT_MS = 30_000;
/** Default size limit: 16 MiB (LiteLLM's file is about 1.7 MB, genai-prices' about 0.5 MB). */
export const DEFAULT_SYNC_MAX_BYTES = 16 * 1024 * 1024;
/** Default shrink guard: refuse a source that lists more than half fewer models than last time. */
export const DEFAULT_MAX_SHRINK_RATIO = 0.5;

/** Options of {@link syncPrices}. */
export interface SyncPricesOptions {
  /** `genai-prices` (default), `litellm`, or an http(s) URL. */
  from?: string;
  /** Format of a URL source, when it cannot be recognised from the content. */
  format?: RawPriceFormat;
  /** Cache directory (default: {@link resolveCacheDir}). */
  cacheDir?: string;
  /** Environment used to find the cache directory (default `process.env`). */
  env?: Env;
  /** Download, validate and diff, but write nothing. */
  dryRun?: boolean;
  /** Ignore the TTL and ask the source now (still a conditional request). */
  force?: boolean;
  /** A synced copy younger than this is used without asking the source (default 6 h). */
  ttlMs?: number;
  /** Download timeout in ms (default 30 s). */
  timeoutMs?: number;
  /** Largest accepted download in bytes (default 16 MiB). */
  maxBytes?: number;
  /** Shrink guard ratio (default 0.5). */
  maxShrinkRatio?: number;
  /** Fewest priced models a download must yield (default 1). */
  minModels?: number;
  /** fetch implementation (default the global one). */
  fetch?: FetchLike;
  /** Clock, for tests. */
  now?: () => number;
}

/** What {@link syncPrices} did. */
export interface SyncResult {
  /**
   * - `fresh`: the synced copy is younger than the TTL; the source was not contacted.
   * - `not-modified`: the source answered 304; the synced copy is current.
   * - `unchanged`: downloaded, identical prices.
   * - `updated`: new prices validated and stored.
   * - `preview`: dry run; `diff` shows what a sync would change, nothing was written.
   */
  status: 'fresh' | 'not-modified' | 'unchanged' | 'updated' | 'preview';
  /** Source id (`genai-prices`, `litellm`, `url`). */
  source: string;
  /** URL of the source (credentials and query string removed). */
  url: string;
  /** Cache directory used. */
  cacheDir: string;
  /** Changes against the previously synced copy (null when nothing was downloaded). */
  diff: CatalogDiff | null;
  /** Models the source lists now (or listed at the last download). */
  upstreamModels: number | undefined;
  /** Models in the synced catalog, kept ones included. */
  models: number | undefined;
  /** Models kept although the source no longer lists them. */
  kept: number;
  /** When the stored copy was downloaded (ISO). */
  fetchedAt: string | undefined;
  /** Notes for the person running the sync (e.g. a source change, suspicious price jumps). */
  warnings: string[];
  /** The synced catalog in force after this call (the would-be catalog for a dry run). */
  catalog: CatalogData | null;
}

/** Price jumps larger than this factor are called out in the preview. */
const SUSPICIOUS_RATIO = 20;

/**
 * Refresh the synced price cache from a published price list.
 *
 * Downloads with a conditional request (ETag / Last-Modified), a timeout and a size limit; refuses
 * files with hostile values, files that do not validate and files that list far fewer models than
 * last time; diffs against the previous copy; merges without deleting (models no longer listed are
 * kept, marked deprecated); and writes the cache atomically. On any failure the previous cache is
 * left exactly as it was and a {@link PriceSyncError} says why.
 *
 * @example
 * ```ts
 * const r = await syncPrices({ from: 'genai-prices', dryRun: true });
 * console.log(r.diff?.changed.length, 'models would change');
 * ```
 */
export async function syncPrices(options: SyncPricesOptions = {}): Promise<SyncResult> {
  const now = options.now ?? Date.now;
  const cacheDir = options.cacheDir ?? resolveCacheDir(options.env ?? process.env);
  const src = resolveSource(options.from, options.format);
  const where = src.id === 'url' ? redactUrl(src.url) : `${src.id} (${redactUrl(src.url)})`;
  const ttlMs = options.ttlMs ?? DEFAULT_SYNC_TTL_MS;
  const meta = await readSyncMeta(cacheDir);
  const previous = await readSyncedCatalog(cacheDir);
  const sameSource = !!meta && meta.url === src.url && previous !== null;
  const base = { source: src.id, url: redactUrl(src.url), cacheDir };

  if (sameSource && !options.force && !options.dryRun && meta.checkedAt) {
    const age = now() - Date.parse(meta.checkedAt);
    if (age >= 0 && age < ttlMs) {
      return {
        ...base,
        status: 'fresh',
        diff: null,
        upstreamModels: meta.upstreamModels,
        models: previous.models.length,
        kept: meta.kept?.length ?? 0,
        fetchedAt: meta.fetchedAt,
        warnings: [],
        catalog: previous,
      };
    }
  }

  const fail = async (err: unknown): Promise<never> => {
    const e =
      err instanceof PriceSyncError
        ? err
        : new PriceSyncError(
            'io',
            `price sync from ${where} failed: ${(err as Error)?.message ?? String(err)}`,
            { cause: err },
          );
    if (!options.dryRun && meta && meta.url === src.url) {
      await writeSyncMeta(cacheDir, {
        ...meta,
        lastError: { at: new Date(now()).toISOString(), reason: e.reason, message: e.message },
      }).catch(() => {});
    }
    throw e;
  };

  let download: Awaited<ReturnType<typeof downloadPriceFile>>;
  try {
    download = await downloadPriceFile({
      url: src.url,
      timeoutMs: options.timeoutMs ?? DEFAULT_SYNC_TIMEOUT_MS,
      maxBytes: options.maxBytes ?? DEFAULT_SYNC_MAX_BYTES,
      ...(sameSource && meta.etag ? { etag: meta.etag } : {}),
      ...(sameSource && meta.lastModified ? { lastModified: meta.lastModified } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  } catch (err) {
    return fail(err);
  }
  const nowIso = new Date(now()).toISOString();

  if (download.status === 'not-modified') {
    if (!sameSource)
      return fail(
        new PriceSyncError('http', `${where} answered 304 Not Modified to an unconditional request`),
      );
    if (!options.dryRun) {
      const { lastError: _drop, ...rest } = meta;
      await writeSyncMeta(cacheDir, { ...rest, checkedAt: nowIso, ...validators(download, meta) }).catch(
        () => {},
      );
    }
    return {
      ...base,
      status: 'not-modified',
      diff: null,
      upstreamModels: meta.upstreamModels,
      models: previous.models.length,
      kept: meta.kept?.length ?? 0,
      fetchedAt: meta.fetchedAt,
      warnings: [],
      catalog: previous,
    };
  }

  let incoming: CatalogData;
  let format: RawPriceFormat;
  const sha256 = createHash('sha256').update(download.body).digest('hex');
  try {
    let raw: unknown;
    try {
      raw = JSON.parse(download.body);
    } catch (err) {
      throw new PriceSyncError(
        'invalid-json',
        `${where} did not send valid JSON (${(err as Error).message}); the download may have been cut off`,
        { cause: err },
      );
    }
    const detected = src.format ?? detectRawFormat(raw);
    if (!detected) {
      throw new PriceSyncError(
        'unknown-format',
        `${where} is not a price file this tool understands (genai-prices v2, LiteLLM, Langfuse models or our catalog format)`,
      );
    }
    format = detected;
    assertNoHostileValues(raw, format, where);
    try {
      incoming = importRaw(raw, format, { ...src.source, date: nowIso });
    } catch (err) {
      throw new PriceSyncError('invalid-data', `refusing ${where}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    assertValidCatalog(incoming, where, options.minModels ?? 1);
    assertNotShrunk(
      incoming.models.length,
      sameSource ? meta.upstreamModels : undefined,
      options.maxShrinkRatio ?? DEFAULT_MAX_SHRINK_RATIO,
      where,
    );
  } catch (err) {
    return fail(err);
  }

  const warnings: string[] = [];
  if (previous && meta && meta.url !== src.url) {
    warnings.push(
      `the synced prices came from ${redactUrl(meta.url)} until now; models that ${where} does not list are kept, marked deprecated (run \`prices cache clear\` first to start afresh)`,
    );
  }
  const keptBefore = new Set(sameSource ? (meta.kept ?? []) : []);
  const listedBefore = (previous?.models ?? []).filter((m) => !keptBefore.has(modelKey(m)));
  const diff = diffCatalogs(listedBefore, incoming.models);
  for (const c of diff.changed) {
    if (c.maxRatio >= SUSPICIOUS_RATIO) {
      warnings.push(
        `${c.provider}/${c.id}: a price changed by a factor of ${Math.round(c.maxRatio)}; check it against the provider's page`,
      );
    }
  }
  const merged = mergeKeepingRemoved(previous, incoming);
  const result: SyncResult = {
    ...base,
    status: options.dryRun ? 'preview' : isEmptyDiff(diff) && sameSource ? 'unchanged' : 'updated',
    diff,
    upstreamModels: incoming.models.length,
    models: merged.data.models.length,
    kept: merged.kept.length,
    fetchedAt: options.dryRun ? meta?.fetchedAt : nowIso,
    warnings,
    catalog: merged.data,
  };
  if (options.dryRun) return result;

  const nextMeta: SyncMeta = {
    version: 1,
    source: src.id,
    url: src.url,
    format,
    ...validators(download, undefined),
    fetchedAt: nowIso,
    checkedAt: nowIso,
    upstreamModels: incoming.models.length,
    models: merged.data.models.length,
    kept: merged.kept,
    bytes: download.bytes,
    sha256,
  };
  try {
    await mkdir(cacheDir, { recursive: true });
    // Catalog first, then metadata: a crash in between leaves old validators, which only costs a
    // full download next time; the reverse order could pin a stale catalog behind a fresh ETag.
    if (result.status === 'updated') await writeSyncedCatalog(cacheDir, merged.data);
    await writeSyncMeta(cacheDir, nextMeta);
  } catch (err) {
    return fail(
      new PriceSyncError('io', `could not write the price cache in ${cacheDir}: ${(err as Error).message}`, {
        cause: err,
      }),
    );
  }
  return result;
}

function validators(
  d: { etag?: string; lastModified?: string },
  fallback: SyncMeta | undefined,
): Pick<SyncMeta, 'etag' | 'lastModified'> {
  const etag = d.etag ?? fallback?.etag;
  const lastModified = d.lastModified ?? fallback?.lastModified;
  return { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
}
