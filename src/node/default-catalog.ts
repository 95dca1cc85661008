/**
 * The process-wide pricing catalog for Node: every layer of the design, highest first —
 * code overrides (`catalog.override(...)`) → user price files (`LANGFUSE_COST_PRICES`, then the
 * `priceFiles` option) → the synced cache (`<cacheDir>/synced-catalog.json`, written by
 * `langfuse-cost prices sync`) → the bundled catalog → the fallback price
 * (`LANGFUSE_COST_FALLBACK_PRICE`, if set).
 *
 * Each layer fails alone: a file that cannot be read or validated is skipped with one warning and
 * recorded in {@link catalogHealth}, and every other layer keeps pricing. One bad file must never
 * take a team's negotiated prices (or every price) down with it.
 */

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { closedError, describeValue, InvalidArgumentError, LangfuseCostError } from '../errors.js';
import { getLogger } from '../logger.js';
import { bundledCatalog, bundledLayerOptions, bundledModelCount } from '../pricing/bundled/index.js';
import { PriceCatalog } from '../pricing/catalog.js';
import { importAny } from '../pricing/importers/index.js';
import type { CatalogData, PriceSet } from '../pricing/types.js';
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
  /**
   * Where the one warning per skipped layer goes when the catalog is built (default: the library
   * logger). The CLI prints {@link catalogHealth} itself and passes a no-op here.
   */
  onWarning?: (message: string) => void;
}

/** One layer of a Node catalog as it was loaded (or skipped). */
export interface PriceLayerStatus {
  /** The layer: `user` files, the `synced` cache, the `bundled` catalog, the `fallback` price. */
  layer: 'user' | 'synced' | 'bundled' | 'fallback';
  /** Where it came from: the absolute file path, `bundled catalog`, or `LANGFUSE_COST_FALLBACK_PRICE`. */
  origin: string;
  /** `loaded`, or `skipped` (it could not be read or validated; the other layers price without it). */
  state: 'loaded' | 'skipped';
  /** Models it holds (0 when skipped or for the fallback price). */
  models: number;
  /** The `source.name` the file declares, if any (e.g. `genai-prices`). */
  source?: string;
  /** Why it was skipped: the error code (e.g. `PRICE_FILE_PARSE`, `INVALID_CATALOG`) and its message. */
  error?: { code: string; message: string };
}

/** The health of a Node catalog: every layer it tried to load, highest first. */
export interface CatalogHealth {
  /** True when no layer was skipped. */
  ok: boolean;
  /** Every layer, highest first (the last user file first: later files win over earlier ones). */
  layers: PriceLayerStatus[];
  /** The skipped layers only (empty when `ok`). */
  skipped: PriceLayerStatus[];
}

let current: { key: string; catalog: PriceCatalog } | null = null;
/** Layer statuses of the catalogs built here (a catalog built elsewhere has none). */
const statuses = new WeakMap<PriceCatalog, PriceLayerStatus[]>();

/** The user price files the Node catalog loads, in load order, absolute. */
export interface NodePriceFiles {
  /** Files in load order (later ones win). */
  files: string[];
  /** How many of them come from `LANGFUSE_COST_PRICES` (the first ones). */
  fromEnv: number;
  /** The default user price file (`prices set` writes it) when it is loaded, i.e. `LANGFUSE_COST_PRICES` is unset. */
  defaultFile: string | null;
}

/**
 * The user price files {@link getNodeCatalog} loads for these options: those of `LANGFUSE_COST_PRICES`;
 * without it, the default user file (`~/.config/langfuse-cost/prices.json`) when it exists; then the
 * `priceFiles` option. One answer for the runtime, `prices validate` and the `prices set` hint.
 */
export function nodePriceFiles(
  options: Pick<NodeCatalogOptions, 'env' | 'cwd' | 'priceFiles'> = {},
): NodePriceFiles {
  try {
    if (typeof options !== 'object' || options === null)
      throw new InvalidArgumentError('options', `expected an object, got ${describeValue(options)}`);
    const env = options.env ?? process.env;
    const cwd = options.cwd ?? process.cwd();
    const envFiles = splitPriceFileList(env[PRICES_ENV]);
    const defaultFile = envFiles.length === 0 ? defaultUserPricesPath(env) : null;
    const loadedDefault = defaultFile && existsSync(defaultFile) ? defaultFile : null;
    const files = [...envFiles, ...(loadedDefault ? [loadedDefault] : []), ...(options.priceFiles ?? [])].map(
      (p) => resolve(cwd, p),
    );
    return { files, fromEnv: envFiles.length, defaultFile: loadedDefault && resolve(cwd, loadedDefault) };
  } catch (err) {
    throw closedError(err, 'nodePriceFiles');
  }
}

/**
 * The process-wide Node catalog, built on first use and reused while the configuration
 * (files, cache directory, fallback) is the same. Add code overrides with `catalog.override(...)`.
 *
 * Never throws because of a layer: a user price file that is missing, unreadable, unparsable or
 * invalid, an unreadable synced cache and a malformed `LANGFUSE_COST_FALLBACK_PRICE` are each skipped
 * with one warning naming the file (or variable) and the reason, and every other layer keeps pricing.
 * {@link catalogHealth} lists what was loaded and what was skipped.
 */
export function getNodeCatalog(options: NodeCatalogOptions = {}): PriceCatalog {
  const env = options.env ?? process.env;
  const { files, fromEnv } = nodePriceFiles(options);
  const cacheDir = options.synced === false ? null : (options.cacheDir ?? resolveCacheDir(env));
  const fallbackText = env[FALLBACK_PRICE_ENV]?.trim() || null;
  const key = JSON.stringify({ files, cacheDir, fallbackText, fromEnv });
  if (current && current.key === key && !options.reload) return current.catalog;

  const catalog = new PriceCatalog();
  const layers: PriceLayerStatus[] = [];
  catalog.addLayer('bundled', bundledCatalog, 'bundled catalog', bundledLayerOptions());
  layers.push({
    layer: 'bundled',
    origin: 'bundled catalog',
    state: 'loaded',
    // Counted without parsing the entries: a price reads only the few it needs.
    models: bundledModelCount(),
    ...sourceOf(bundledCatalog),
  });
  if (cacheDir) {
    const synced = addSyncedLayer(catalog, syncedCatalogPath(cacheDir));
    if (synced) layers.push(synced);
  }
  files.forEach((path, i) => {
    layers.push(addPriceFileLayer(catalog, path, i < fromEnv ? { from: PRICES_ENV } : {}));
  });
  if (fallbackText) layers.push(addFallback(catalog, fallbackText));
  const warn = options.onWarning ?? ((m: string) => getLogger().warn(m));
  for (const s of layers) {
    if (s.state !== 'skipped') continue;
    try {
      warn(skippedLayerMessage(s));
    } catch {
      // A warning sink that throws must not take the catalog down either.
    }
  }
  statuses.set(catalog, layers);
  current = { key, catalog };
  return catalog;
}

/**
 * What a Node catalog loaded and what it skipped, highest layer first. Pass the catalog you price
 * with (`getNodeCatalog()`, `handler.catalog`); a catalog not built by `getNodeCatalog` reports its
 * layers as loaded.
 *
 * @example
 * ```ts
 * const health = catalogHealth(getNodeCatalog());
 * for (const s of health.skipped) console.error(`${s.origin}: ${s.error?.message}`);
 * ```
 * @throws {InvalidArgumentError} when `catalog` is not a `PriceCatalog`.
 */
export function catalogHealth(catalog: PriceCatalog): CatalogHealth {
  try {
    if (!(catalog instanceof PriceCatalog))
      throw new InvalidArgumentError('catalog', `expected a PriceCatalog, got ${describeValue(catalog)}`);
    const known = statuses.get(catalog);
    const layers = known
      ? highestFirst(known)
      : catalog.sources().map(
          (s): PriceLayerStatus => ({
            layer: s.layer === 'override' ? 'user' : s.layer,
            origin: s.source?.name ?? s.layer,
            state: 'loaded',
            models: s.models,
          }),
        );
    const skipped = layers.filter((s) => s.state === 'skipped');
    return { ok: skipped.length === 0, layers, skipped };
  } catch (err) {
    throw closedError(err, 'catalogHealth');
  }
}

/** The one-line warning for a skipped layer: what was skipped, why, and that the others still price. */
export function skippedLayerMessage(s: PriceLayerStatus): string {
  const what =
    s.layer === 'user'
      ? `price file ${s.origin}`
      : s.layer === 'synced'
        ? `the synced price cache ${s.origin}`
        : s.origin;
  return `skipped ${what}: ${oneLine(s.error?.message ?? 'unknown error')} — the other price layers are in use (see \`langfuse-cost prices validate\`)`;
}

/**
 * Load one user price file into `catalog` as a `user` layer, exactly as the Node catalog does (the
 * synchronous loader, then the layer index): the status says whether it was loaded or why not.
 * Never throws. `prices validate` uses it so that it answers what the runtime does.
 */
export function addPriceFileLayer(
  catalog: PriceCatalog,
  path: string,
  options: { from?: string; cwd?: string } = {},
): PriceLayerStatus {
  const abs = resolve(options.cwd ?? process.cwd(), path);
  try {
    const data = loadPriceFileSync(abs, options.from ? { from: options.from } : {});
    // Validated by the loader just now; `trusted` skips a second pass over the same document.
    catalog.addLayer('user', data, abs, { trusted: true });
    return { layer: 'user', origin: abs, state: 'loaded', models: data.models.length, ...sourceOf(data) };
  } catch (e) {
    return { layer: 'user', origin: abs, state: 'skipped', models: 0, error: errorOf(e) };
  }
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

function addFallback(catalog: PriceCatalog, text: string): PriceLayerStatus {
  try {
    catalog.setFallback(parseFallbackPrice(text));
    return { layer: 'fallback', origin: FALLBACK_PRICE_ENV, state: 'loaded', models: 0 };
  } catch (e) {
    return { layer: 'fallback', origin: FALLBACK_PRICE_ENV, state: 'skipped', models: 0, error: errorOf(e) };
  }
}

function addSyncedLayer(catalog: PriceCatalog, path: string): PriceLayerStatus | null {
  if (!existsSync(path)) return null;
  try {
    const data = importAny(JSON.parse(readFileSync(path, 'utf8')), path);
    catalog.addLayer('synced', data, path);
    return { layer: 'synced', origin: path, state: 'loaded', models: data.models.length, ...sourceOf(data) };
  } catch (e) {
    const error = errorOf(e);
    error.message += '. Run `langfuse-cost prices sync` to refresh it, or delete the file';
    return { layer: 'synced', origin: path, state: 'skipped', models: 0, error };
  }
}

/** Statuses in load order → highest first: fallback is lowest, then bundled, synced, user files. */
function highestFirst(layers: PriceLayerStatus[]): PriceLayerStatus[] {
  const rank = { user: 0, synced: 1, bundled: 2, fallback: 3 } as const;
  return layers
    .map((s, i) => ({ s, i }))
    .sort((a, b) => rank[a.s.layer] - rank[b.s.layer] || b.i - a.i)
    .map(({ s }) => ({ ...s, ...(s.error ? { error: { ...s.error } } : {}) }));
}

function sourceOf(data: CatalogData): { source?: string } {
  return data.source?.name ? { source: data.source.name } : {};
}

function errorOf(e: unknown): { code: string; message: string } {
  const code = e instanceof LangfuseCostError ? e.code : 'PRICE_FILE_UNREADABLE';
  const message = e instanceof Error ? e.message : String(e);
  return { code, message };
}

function oneLine(s: string): string {
  // A validation error lists every bad field on its own line; the warning keeps them on one.
  return s.replace(/\s*\n\s*/g, ' ');
}
