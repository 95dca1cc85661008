import type { CostBreakdown } from '../usage/buckets.js';
import type { TokenUsage } from '../usage/token-usage.js';
import type { PriceLayer, ServiceTier } from './types.js';

/**
 * Where a cost came from:
 * - `override`: a price given in code (`catalog.override(...)`) or a user price file;
 * - `catalog`: the bundled catalog;
 * - `synced`: the synced price cache;
 * - `fallback`: the fallback price for unknown models (always `estimated: true`);
 * - `free`: a model marked free (cost 0, tokens still counted);
 * - `provided`: the provider or gateway reported the cost itself.
 */
export type CostSource = 'override' | 'catalog' | 'synced' | 'fallback' | 'free' | 'provided';

export type { CostBreakdown } from '../usage/buckets.js';

/** The result of pricing one call. Amounts are USD numbers rounded to 12 decimals. */
export interface CostResult {
  /** The model name as given. */
  model: string;
  /** The catalog entry id it resolved to (the given name for fallback results). */
  resolvedModel: string;
  /** Provider of the resolved entry (or the hint, for fallback results). */
  provider: string;
  /** The disjoint usage that was priced. */
  usage: TokenUsage;
  /** Cost per bucket, USD. */
  costs: CostBreakdown;
  /** Total cost, USD (sum of `costs`, exact to 1e-12). */
  total: number;
  /** Total cost in integer pico-USD (1e-12 USD): exact, safe to sum. */
  totalPico: number;
  /** Currency of every amount; always USD. */
  currency: 'USD';
  /** Human label of the tier applied, e.g. `standard`, `>200k`, `batch`, `priority >272k`. */
  tier: string;
  /** Service tier applied. */
  serviceTier: ServiceTier;
  /** Long-context threshold applied (prompt tokens > this), or null. */
  contextTier: number | null;
  /** Where the price came from. */
  source: CostSource;
  /** Catalog layer of the price entry. */
  layer: PriceLayer;
  /**
   * True when the cost is not entirely from known prices of this model: the fallback price, or a
   * bucket with tokens that has no price of its own and borrowed another's (cache reads billed at the
   * input price); `warnings` says which.
   */
  estimated: boolean;
  /**
   * True when `provider` was guessed: nothing said where the call ran and several providers price the
   * name, or the named provider has no price and another's was used. `explain` says why. Every
   * result of `calculateCost` carries it (false when the provider was not guessed); it is optional
   * for results built by hand.
   */
  providerGuessed?: boolean;
  /** A cost reported by the provider or gateway, USD, when there was one (kept beside ours). */
  providedCost?: number;
  /** Warnings about this result, e.g. "priced with fallback". */
  warnings?: string[];
}

/** Why a model name resolved the way it did: one line per step (see `--explain`). */
export interface ResolutionTrace {
  /** The model as given. */
  model: string;
  /** Provider hint as given. */
  provider?: string;
  /** Steps tried, in order, each with the candidate and whether it matched. */
  steps: { rule: string; candidate: string; matched: boolean; detail?: string }[];
}

export { emptyCosts } from './bucket-costs.generated.js';
