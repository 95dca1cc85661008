/**
 * Helpers shared by the price-format importers: exact decimal scaling, import statistics,
 * and small type guards. No runtime dependency, no Node import.
 */
import { CatalogValidationError } from '../../errors.js';
import { BUCKET_OF_PRICE, BUCKET_ROW } from '../../usage/buckets.js';
import type {
  CatalogData,
  CatalogModel,
  CatalogProvider,
  CatalogSource,
  PriceKey,
  PriceSet,
} from '../types.js';
import { MAX_PRICE } from '../validate.js';

/** What an importer did with its input, for reports and the `prices:update` script. */
export interface ImportStats {
  /** Format that was imported. */
  format: 'catalog' | 'litellm' | 'genai-prices' | 'langfuse' | 'models.dev';
  /** Records (models) seen in the input. */
  seen: number;
  /** Catalog models written (one record can give several, e.g. dated price periods). */
  imported: number;
  /** Records skipped. */
  skipped: number;
  /** Skipped records by reason, e.g. `no token price (image_generation)`. */
  skippedByReason: Record<string, number>;
  /** Source price keys that have no equivalent in our format, with how many records used them. */
  droppedPriceKeys: Record<string, number>;
  /** Notable lossy conversions (bounded list), e.g. time-of-day prices reduced to one price. */
  notes: string[];
}

/** Options every importer accepts. */
export interface ImportOptions {
  /** Receives the statistics of the import. */
  onStats?: (stats: ImportStats) => void;
  /** Provenance to record in the result's `source` (each importer has a sensible default). */
  source?: CatalogSource;
}

const MAX_NOTES = 200;

/** A fresh statistics object. */
export function newStats(format: ImportStats['format']): ImportStats {
  return { format, seen: 0, imported: 0, skipped: 0, skippedByReason: {}, droppedPriceKeys: {}, notes: [] };
}

/** Count one skipped record under `reason`. */
export function countSkip(stats: ImportStats, reason: string): void {
  stats.skipped++;
  stats.skippedByReason[reason] = (stats.skippedByReason[reason] ?? 0) + 1;
}

/** Count one use of a price key we cannot represent. */
export function countDroppedKey(stats: ImportStats, key: string): void {
  stats.droppedPriceKeys[key] = (stats.droppedPriceKeys[key] ?? 0) + 1;
}

/** Add a note (the list is bounded so a huge input cannot grow it without limit). */
export function addNote(stats: ImportStats, note: string): void {
  if (stats.notes.length < MAX_NOTES) stats.notes.push(note);
}

/**
 * Multiply a decimal by 10^places without float drift: the shift is done on the number's shortest
 * decimal representation and the result parsed once, so `scaleDecimal(2.5e-6, 6)` is exactly `2.5`
 * (float multiplication would give 2.4999999999999996).
 */
export function scaleDecimal(value: number, places: number): number {
  if (!Number.isFinite(value)) return Number.NaN;
  if (value === 0) return 0;
  const s = String(value);
  const e = s.indexOf('e');
  const mantissa = e >= 0 ? s.slice(0, e) : s;
  const exp = e >= 0 ? Number(s.slice(e + 1)) : 0;
  return Number(`${mantissa}e${exp + places}`);
}

/** USD per token (or per unit of a usage key) → USD per 1M tokens, exactly. */
export function perTokenToPerMillion(value: number): number {
  return scaleDecimal(value, 6);
}

/**
 * USD per single unit (a token, a second, a character, an image: how LiteLLM and Langfuse state every
 * price) → USD in the unit of `key`'s bucket row (per 1M tokens or characters, per hour of audio, per
 * image), exactly: a power-of-ten unit is a decimal shift, an hour a multiplication of integer
 * femto-USD (the per-second price has at most 15 decimals).
 */
export function perUnitToPrice(key: PriceKey, usdPerUnit: number): number {
  const per = BUCKET_ROW[BUCKET_OF_PRICE[key]].per;
  const places = Math.log10(per);
  if (Number.isInteger(places)) return scaleDecimal(usdPerUnit, places);
  const femto = scaleDecimal(usdPerUnit, 15);
  if (!Number.isSafeInteger(femto) || !Number.isSafeInteger(femto * per)) return usdPerUnit * per;
  return scaleDecimal(femto * per, -15);
}

/** Plain-object guard. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A finite, non-negative number. */
export function isPrice(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

/** Throw a {@link CatalogValidationError} for input that is not in the expected format at all. */
export function badInput(format: string, path: string, message: string): never {
  throw new CatalogValidationError([{ path, message }], `(${format} data)`);
}

/** True when a price set has at least one price. */
export function hasAnyPrice(p: PriceSet): boolean {
  return Object.keys(p).length > 0;
}

/** Drop `undefined` members so the JSON output stays compact and key order stays stable. */
export function compactModel(m: CatalogModel): CatalogModel {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) {
    if (v === undefined) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out as unknown as CatalogModel;
}

/**
 * The first price of a model above the catalog's plausibility limit ({@link MAX_PRICE} USD per 1M
 * tokens), as `key=value`, or undefined. Importers skip such records (a unit error upstream) instead
 * of failing the whole import.
 */
export function implausiblePrice(m: CatalogModel): string | undefined {
  const sets: PriceSet[] = [m.prices, ...(m.contextTiers ?? []).map((t) => t.prices)];
  for (const st of Object.values(m.serviceTiers ?? {})) {
    if (!st) continue;
    sets.push(st, ...(st.contextTiers ?? []).map((t) => t.prices));
  }
  for (const set of sets) {
    for (const [k, v] of Object.entries(set)) {
      if (k !== 'multiplier' && k !== 'contextTiers' && typeof v === 'number' && v > MAX_PRICE)
        return `${k}=${v}`;
    }
  }
  return undefined;
}

/**
 * Add `model` to `models` and count it, unless one of its prices is implausible: then it is skipped,
 * counted under `implausible price` and noted with `label` (the record's key in the input).
 * @returns whether the model was kept.
 */
export function keepPlausible(
  stats: ImportStats,
  models: CatalogModel[],
  model: CatalogModel,
  label: string,
): boolean {
  const bad = implausiblePrice(model);
  if (bad) {
    countSkip(stats, 'implausible price');
    addNote(stats, `${label}: skipped, implausible price ${bad} USD per 1M tokens (unit error upstream?)`);
    return false;
  }
  models.push(model);
  stats.imported++;
  return true;
}

/**
 * Close an import: hand the statistics to `options.onStats` and wrap the models in a catalog
 * document whose provenance is `options.source`, else the importer's `defaultSource`.
 */
export function finishImport(
  stats: ImportStats,
  options: ImportOptions,
  defaultSource: CatalogSource,
  models: CatalogModel[],
  providers?: Record<string, CatalogProvider>,
): CatalogData {
  options.onStats?.(stats);
  const source = options.source ?? defaultSource;
  return providers ? { version: 1, source, providers, models } : { version: 1, source, models };
}
