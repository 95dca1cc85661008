import { closedError } from '../../errors.js';
import {
  detectPriceFormat,
  importGenaiPrices,
  importLangfuseModels,
  importLiteLLM,
} from '../../pricing/importers/index.js';
import type { CatalogData, CatalogSource } from '../../pricing/types.js';
import { validateCatalog } from '../../pricing/validate.js';
import { PriceSyncError } from './errors.js';
import type { RawPriceFormat } from './guards.js';

/** A published price list the sync knows by name. */
export interface NamedPriceSource {
  /** Short id used on the command line. */
  id: 'genai-prices' | 'litellm';
  /** Where the list is published. */
  url: string;
  /** Its format. */
  format: RawPriceFormat;
  /** Provenance recorded in the synced catalog. */
  source: CatalogSource;
}

/** The price lists `prices sync --from` accepts by name. */
export const PRICE_SOURCES: Readonly<Record<NamedPriceSource['id'], NamedPriceSource>> = {
  'genai-prices': {
    id: 'genai-prices',
    // genai-prices' own runtime updater fetches this versioned v2 file (REMOTE_DATA_JSON_URL).
    url: 'https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/new_data/v2/data.json',
    format: 'genai-prices',
    source: { name: 'genai-prices (pydantic/genai-prices, data v2)', license: 'MIT' },
  },
  litellm: {
    id: 'litellm',
    url: 'https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json',
    format: 'litellm',
    source: { name: 'LiteLLM model_prices_and_context_window.json', license: 'MIT' },
  },
};

/** A source resolved from `--from`. */
export interface ResolvedSource {
  /** `genai-prices`, `litellm` or `url`. */
  id: string;
  /** URL to download. */
  url: string;
  /** Format, when known before downloading. */
  format?: RawPriceFormat;
  /** Provenance. */
  source: CatalogSource;
}

/**
 * Resolve `--from`: a known source name, or an http(s) URL of a file in one of the supported formats
 * (genai-prices v2, LiteLLM, Langfuse model definitions, or our catalog format).
 */
export function resolveSource(from: string | undefined, format?: RawPriceFormat): ResolvedSource {
  try {
    return resolveSourceUnchecked(from, format);
  } catch (err) {
    throw closedError(err, 'resolveSource');
  }
}

function resolveSourceUnchecked(from: string | undefined, format?: RawPriceFormat): ResolvedSource {
  const name = (from ?? 'genai-prices').trim();
  const known = PRICE_SOURCES[name as NamedPriceSource['id']];
  if (known)
    return {
      id: known.id,
      url: known.url,
      format: format ?? known.format,
      source: { ...known.source, url: known.url },
    };
  let u: URL;
  try {
    u = new URL(name);
  } catch {
    throw new PriceSyncError(
      'unknown-format',
      `unknown price source "${name}": use genai-prices, litellm or an http(s) URL`,
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new PriceSyncError(
      'unknown-format',
      `unsupported URL scheme ${u.protocol} for a price source: use http(s)`,
    );
  }
  return { id: 'url', url: name, ...(format ? { format } : {}), source: { name: u.host, url: name } };
}

/** Guess the format of a parsed price file from its shape (the importers' own detection). */
export function detectRawFormat(raw: unknown): RawPriceFormat | null {
  try {
    return detectRawFormatUnchecked(raw);
  } catch (err) {
    throw closedError(err, 'detectRawFormat');
  }
}

function detectRawFormatUnchecked(raw: unknown): RawPriceFormat | null {
  return detectPriceFormat(raw) ?? null;
}

/** Convert a parsed price file to our catalog format. */
export function importRaw(raw: unknown, format: RawPriceFormat, source: CatalogSource): CatalogData {
  try {
    return importRawUnchecked(raw, format, source);
  } catch (err) {
    throw closedError(err, 'importRaw');
  }
}

function importRawUnchecked(raw: unknown, format: RawPriceFormat, source: CatalogSource): CatalogData {
  switch (format) {
    case 'genai-prices':
      return importGenaiPrices(raw, { source });
    case 'litellm':
      return importLiteLLM(raw, { source });
    case 'langfuse':
      return importLangfuseModels(raw, { source });
    case 'catalog': {
      const data = validateCatalog(raw, source.url ?? source.name);
      return { ...data, source: { ...source, ...(data.source ?? {}) } };
    }
  }
}
