/**
 * The catalog format: one JSON (or YAML) document a person can write by hand.
 * Prices are USD per 1M tokens for token buckets, USD per unit for fees.
 *
 * @example
 * ```json
 * {
 *   "version": 1,
 *   "models": [
 *     { "id": "gpt-4o-2024-08-06", "provider": "openai", "aliases": ["gpt-4o"],
 *       "prices": { "input": 2.5, "cacheRead": 1.25, "output": 10 },
 *       "serviceTiers": { "batch": { "multiplier": 0.5 } } }
 *   ]
 * }
 * ```
 */

export { SERVICE_TIERS, type ServiceTier } from '../usage/service-tiers.js';

import type { ServiceTier } from '../usage/service-tiers.js';

export { PRICE_KEYS, type PriceKey } from '../usage/buckets.js';
export type { PriceSet } from './price-set.generated.js';

import type { PriceSet } from './price-set.generated.js';

/**
 * A long-context tier: when the prompt (input + cache reads + cache writes + audio/image input)
 * is larger than `above` tokens, every token of the call is billed at these prices
 * (buckets not listed keep the base price).
 */
export interface ContextTier {
  /** Threshold in prompt tokens, e.g. 200000. The tier applies when prompt tokens > above. */
  above: number;
  /** Prices that replace the base prices inside this tier. */
  prices: PriceSet;
}

/**
 * Prices of a service tier (priority, flex, batch). Either explicit prices, a multiplier of the
 * standard prices, or both (explicit prices win for the buckets they name).
 */
export interface ServiceTierPrices extends PriceSet {
  /** Multiplier applied to standard prices for buckets not priced explicitly (e.g. 0.5 for batch). */
  multiplier?: number;
  /** Long-context prices specific to this service tier. */
  contextTiers?: ContextTier[];
}

/** Rules matched against a lower-cased model name when no exact id or alias matches. */
export type MatchRule =
  | { equals: string }
  | { startsWith: string }
  | { endsWith: string }
  | { contains: string }
  | { regex: string }
  | { or: MatchRule[] }
  | { and: MatchRule[] };

/** Kind of model; only used for listing and reporting. */
export type ModelMode = 'chat' | 'completion' | 'embedding' | 'responses' | 'audio' | 'image' | 'other';

/** One priced model in a catalog. */
export interface CatalogModel {
  /** Canonical id, e.g. `gpt-4o-2024-08-06` or `claude-3-5-sonnet-20241022`. */
  id: string;
  /** Canonical provider id, e.g. `openai`, `anthropic`, `google`, `aws`, `azure`, `mistral`. */
  provider: string;
  /** Display name. */
  name?: string;
  /** Other exact names (case-insensitive) that mean this model. */
  aliases?: string[];
  /** Match rules tried when no exact id/alias matches. */
  match?: MatchRule | MatchRule[];
  /** Kind of model. */
  mode?: ModelMode;
  /** Standard prices. */
  prices: PriceSet;
  /** Long-context tiers, any order. */
  contextTiers?: ContextTier[];
  /** Priority, flex and batch prices. */
  serviceTiers?: Partial<Record<Exclude<ServiceTier, 'standard'>, ServiceTierPrices>>;
  /** The model costs nothing (tokens are still counted). */
  free?: boolean;
  /** First day (ISO date or date-time) these prices apply. */
  validFrom?: string;
  /** Day (ISO date or date-time) from which these prices no longer apply (exclusive). */
  validUntil?: string;
  /** Retired upstream; kept so old traces still get a price. */
  deprecated?: boolean;
  /** Context window in tokens, informational. */
  contextWindow?: number;
  /**
   * GPUs that serve this model, for a `perGpuHour` price: a call's GPU time is its duration times
   * this (default 1). See docs/pricing.md, "Self-hosted models".
   */
  gpus?: number;
  /**
   * Where this entry's prices come from, when not from the document's `source`: a key of the
   * document's `sources` (e.g. `models.dev`, `openai.com/api/pricing`).
   */
  source?: string;
}

/** Provenance of a catalog. */
export interface CatalogSource {
  /** Source name, e.g. `@pydantic/genai-prices` or `user`. */
  name: string;
  /** Source version. */
  version?: string;
  /** ISO date the data was taken. */
  date?: string;
  /** URL of the source. */
  url?: string;
  /** License of the data. */
  license?: string;
}

/** Provider metadata: other names a provider goes by and where to look when a model is missing. */
export interface CatalogProvider {
  /** Other names (e.g. `aws.bedrock`, `amazon_bedrock` for `aws`). */
  aliases?: string[];
  /** Providers whose models this one also serves (e.g. azure → openai). */
  fallbackProviders?: string[];
}

/** A deployment name mapped to the model it runs (Azure deployments, gateway aliases). */
export type DeploymentTarget = string | { model: string; provider?: string };

/** A whole catalog document. */
export interface CatalogData {
  /** Format version; always 1. */
  version: 1;
  /** Where the data came from. */
  source?: CatalogSource;
  /** Other sources some entries come from, by the key their `source` field names. */
  sources?: Record<string, CatalogSource>;
  /** Provider metadata. */
  providers?: Record<string, CatalogProvider>;
  /** The priced models. */
  models: CatalogModel[];
  /** Deployment name → model (e.g. Azure deployment `prod-gpt4o-eastus` → `gpt-4o-2024-08-06`). */
  deployments?: Record<string, DeploymentTarget>;
  /** Price used for unknown models; results priced with it are flagged `estimated`. */
  fallback?: PriceSet;
}

/** Which layer of the catalog a price came from. */
export type PriceLayer = 'override' | 'user' | 'synced' | 'bundled' | 'fallback';
