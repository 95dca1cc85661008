/**
 * Importers from the price formats users already have, and format detection.
 * Every importer returns our {@link CatalogData}; validate it with `validateCatalog` or load it
 * into a `PriceCatalog`, which validates.
 */
import { CatalogValidationError, closedError } from '../../errors.js';
import type { CatalogData } from '../types.js';
import { type GenaiPricesImportOptions, importGenaiPrices } from './genai-prices.js';
import { importLangfuseModels, type LangfuseImportOptions } from './langfuse-models.js';
import { importLiteLLM, type LiteLLMImportOptions } from './litellm.js';
import { type ImportOptions, isRecord } from './shared.js';

export { convertMatchRule, type GenaiPricesImportOptions, importGenaiPrices } from './genai-prices.js';
export { importLangfuseModels, inferProvider, type LangfuseImportOptions } from './langfuse-models.js';
export { importLiteLLM, type LiteLLMImportOptions, litellmProviderId } from './litellm.js';
export { importModelsDev, MODELS_DEV_SOURCE, modelsDevProviderId } from './models-dev.js';
export { type ImportOptions, type ImportStats, perTokenToPerMillion, scaleDecimal } from './shared.js';

/** A price data format this library reads. */
export type PriceFormat = 'catalog' | 'litellm' | 'genai-prices' | 'langfuse';

function isLangfuseModel(v: unknown): boolean {
  return (
    isRecord(v) &&
    typeof v.modelName === 'string' &&
    ('matchPattern' in v || 'pricingTiers' in v || 'prices' in v)
  );
}

function isGenaiProvider(v: unknown): boolean {
  return isRecord(v) && typeof v.id === 'string' && Array.isArray(v.models);
}

function isLiteLLMRecord(v: unknown): boolean {
  return (
    isRecord(v) &&
    (typeof v.litellm_provider === 'string' || 'input_cost_per_token' in v || 'output_cost_per_token' in v)
  );
}

/**
 * Which format a parsed price document is in, or `undefined` when it is none of them.
 * - `catalog`: our format, `{version: 1, models: [...]}`;
 * - `genai-prices`: an array of providers `{id, models: [...]}`;
 * - `langfuse`: an array of `{modelName, matchPattern, pricingTiers}` or a `{data: [...], meta}` API response;
 * - `litellm`: an object keyed by model name whose values carry `litellm_provider` / `*_cost_per_token`.
 */
export function detectPriceFormat(data: unknown): PriceFormat | undefined {
  try {
    return detectPriceFormatUnchecked(data);
  } catch (err) {
    throw closedError(err, 'detectPriceFormat');
  }
}

function detectPriceFormatUnchecked(data: unknown): PriceFormat | undefined {
  if (Array.isArray(data)) {
    const first = data.find((x) => x !== null && x !== undefined);
    if (first === undefined) return undefined;
    if (isGenaiProvider(first)) return 'genai-prices';
    if (isLangfuseModel(first)) return 'langfuse';
    return undefined;
  }
  if (!isRecord(data)) return undefined;
  if (
    Array.isArray(data.models) &&
    ('version' in data || data.models.length === 0 || isRecord(data.models[0]))
  ) {
    // Our own format; `version` is checked by validation so a wrong version gets a clear message.
    if (!isGenaiProvider(data)) return 'catalog';
  }
  if (Array.isArray(data.data) && (data.data.length === 0 || isLangfuseModel(data.data[0])))
    return 'langfuse';
  let seen = 0;
  for (const [k, v] of Object.entries(data)) {
    if (k === 'sample_spec') return 'litellm';
    if (isLiteLLMRecord(v)) return 'litellm';
    if (++seen >= 20) break;
  }
  return undefined;
}

/** Options of {@link importAny}. */
export interface ImportAnyOptions
  extends ImportOptions,
    LiteLLMImportOptions,
    LangfuseImportOptions,
    GenaiPricesImportOptions {
  /** Skip detection and read the data in this format. */
  format?: PriceFormat;
}

/**
 * Convert a parsed price document in any supported format into our catalog format.
 * Our own format is returned as is (validation happens when it is loaded into a catalog).
 *
 * @param data - parsed JSON/YAML.
 * @param origin - where the data came from (a file path), used in error messages.
 * @throws {CatalogValidationError} when the format cannot be recognised.
 */
export function importAny(data: unknown, origin?: string, options: ImportAnyOptions = {}): CatalogData {
  try {
    return importAnyUnchecked(data, origin, options);
  } catch (err) {
    throw closedError(err, 'importAny');
  }
}

function importAnyUnchecked(data: unknown, origin?: string, options: ImportAnyOptions = {}): CatalogData {
  const format = options.format ?? detectPriceFormat(data);
  switch (format) {
    case 'catalog':
      return data as CatalogData;
    case 'litellm':
      return importLiteLLM(data, options);
    case 'genai-prices':
      return importGenaiPrices(data, options);
    case 'langfuse':
      return importLangfuseModels(data, options);
    default:
      throw new CatalogValidationError(
        [
          {
            path: '$',
            message:
              'unrecognised price format: expected a langfuse-cost catalog {"version": 1, "models": [...]}, ' +
              "LiteLLM's model_prices_and_context_window.json, genai-prices v2 data.json, " +
              'or Langfuse model definitions (default-model-prices.json or a GET /api/public/models response)',
          },
        ],
        origin,
      );
  }
}
