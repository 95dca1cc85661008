import { describeValue, InvalidArgumentError, InvalidUsageError, LangfuseCostError } from '../errors.js';
import { BUCKET_ROW, USAGE_BUCKETS, type UsageBucket } from '../usage/buckets.js';
import { parseServiceTier, type ServiceTier } from '../usage/service-tiers.js';
import { usageToSlots } from '../usage/token-usage.generated.js';
import { normalizeUsage, promptTokens, type TokenUsage, type UsageInput } from '../usage/token-usage.js';
import { emptyCosts, priceBuckets, unpricedUnit } from './bucket-costs.generated.js';
import type { PriceCatalog } from './catalog.js';
import type { CostResult, CostSource } from './cost-result.js';
import { getDefaultCatalog } from './default-catalog.js';
import { PICO_PER_USD } from './money.js';
import { type CompiledModel, epochMs, pickVersion } from './price-table.js';
import type { PriceLayer } from './types.js';

export { parseServiceTier };

/** What to price: the arguments of {@link calculateCost}. */
export interface CostQuery {
  /** Model name as it appears in the request or response. */
  model: string;
  /** Provider hint (`gen_ai.provider.name`, LangChain `ls_provider`, or a catalog provider id). */
  provider?: string;
  /** Disjoint token usage. */
  usage: UsageInput;
  /** Service tier of the call: `standard` (also `default`, `auto`), `priority`, `flex` or `batch`. */
  serviceTier?: ServiceTier | string;
  /** When the call happened (prices valid at that time apply); default now. */
  at?: Date | number | string;
}

function parseAt(at: Date | number | string): number {
  const type = typeof at;
  if (type !== 'number' && type !== 'string' && !(at instanceof Date)) {
    throw new InvalidUsageError('at', `expected a Date, epoch ms or an ISO string, got ${describeValue(at)}`);
  }
  const t = epochMs(at);
  if (!Number.isFinite(t)) throw new InvalidUsageError('at', `not a valid time: ${describeValue(at)}`);
  return t;
}

const SOURCE_OF_LAYER: Record<PriceLayer, CostSource> = {
  override: 'override',
  user: 'override',
  synced: 'synced',
  bundled: 'catalog',
  fallback: 'fallback',
};

/**
 * Price one call exactly.
 *
 * Returns `null` when the model is unknown and the catalog has no fallback price (callers log and
 * count it; it is never reported as $0). Reasoning tokens are priced at their own rate, else at the
 * output rate; the long-context tier is chosen from the whole prompt (input + cache + audio/image);
 * free models cost 0 with tokens still counted.
 *
 * @throws {InvalidUsageError} for negative, NaN, fractional or absurd token counts, or a bad `at`.
 * @throws {UnknownServiceTierError} for an unknown service tier.
 *
 * @example
 * ```ts
 * const r = calculateCost({ model: 'gpt-4o-2024-08-06', usage: { input: 1200, output: 300 } });
 * r?.total; // 0.006 with input $2.50 and output $10 per 1M tokens
 * ```
 */
export function calculateCost(
  query: CostQuery,
  catalog: PriceCatalog = getDefaultCatalog(),
): CostResult | null {
  // The closed error contract: whatever the query holds (getters that throw, Proxies, a fake Date),
  // only a LangfuseCostError leaves. try/catch costs nothing on the path that does not throw.
  try {
    if (query === null || typeof query !== 'object')
      throw new InvalidUsageError('query', 'expected { model, usage }');
    const { model, provider } = query;
    // trim() only when the name could be all whitespace: it costs more than the rest of a memo hit.
    if (
      typeof model !== 'string' ||
      model.length === 0 ||
      (model.charCodeAt(0) <= 32 && model.trim() === '')
    ) {
      throw new InvalidUsageError('model', 'expected a non-empty model name');
    }
    if (provider !== undefined && provider !== null && typeof provider !== 'string') {
      throw new InvalidUsageError('provider', `expected a provider name, got ${describeValue(provider)}`);
    }
    const usage = normalizeUsage(query.usage);
    const service = query.serviceTier === undefined ? 'standard' : parseServiceTier(query.serviceTier);
    const when = query.at === undefined ? undefined : parseAt(query.at);
    if (catalog === null || typeof catalog !== 'object' || typeof catalog.resolveMemo !== 'function') {
      throw new InvalidArgumentError('catalog', `expected a PriceCatalog, got ${describeValue(catalog)}`);
    }
    return priceUsage(catalog, model, provider ?? undefined, usage, service, when);
  } catch (err) {
    if (err instanceof LangfuseCostError) throw err;
    throw new InvalidUsageError('query', `could not be read: ${errorText(err)}`, { cause: err });
  }
}

/** The message of a foreign error, read without trusting it. */
function errorText(err: unknown): string {
  try {
    const m = err instanceof Error ? err.message : undefined;
    return typeof m === 'string' ? m.slice(0, 200) : describeValue(err);
  } catch {
    return 'unreadable error';
  }
}

/**
 * @internal The pricing step of {@link calculateCost} for input already validated: resolution,
 * price version at `when` (default now), cross-provider warning, fallback (unless `fallback` is
 * false: `priceCall` tries every name of a call before it settles for the fallback price). Adapters
 * whose extractors produce a valid `TokenUsage` call this to skip re-validating and copying it.
 */
export function priceUsage(
  catalog: PriceCatalog,
  model: string,
  provider: string | undefined,
  usage: TokenUsage,
  service: ServiceTier,
  when: number | undefined,
  fallback = true,
): CostResult | null {
  const r = catalog.resolveMemo(model, provider);
  let compiled: CompiledModel;
  let layer: PriceLayer;
  let resolvedModel: string;
  let resolvedProvider: string;
  let warnings: string[] | undefined;
  let free = false;
  let guessed = false;
  if (r) {
    compiled =
      r.group.versions.length === 1
        ? r.group.versions[0]!
        : pickVersion(r.group.versions, when ?? Date.now());
    layer = r.group.layer;
    resolvedModel = r.group.id;
    resolvedProvider = r.provider;
    free = r.free || compiled.free;
    guessed = r.guessed;
    if (r.crossProvider) warnings = [`"${model}": ${r.reason ?? `priced with ${r.group.provider}'s price`}`];
  } else {
    const fb = fallback ? catalog.fallback : null;
    if (!fb) return null;
    compiled = fb;
    layer = 'fallback';
    resolvedModel = model;
    resolvedProvider = catalog.canonicalProvider(provider) ?? 'unknown';
    warnings = [`no price for model "${model}"; priced with the fallback price (estimated)`];
  }
  const result = price(
    model,
    usage,
    service,
    compiled,
    layer,
    resolvedModel,
    resolvedProvider,
    free,
    warnings,
  );
  result.providerGuessed = guessed;
  return result;
}

/** @internal Price a usage with a compiled model. */
export function price(
  model: string,
  usage: TokenUsage,
  service: ServiceTier,
  compiled: CompiledModel,
  layer: PriceLayer,
  resolvedModel: string,
  provider: string,
  free: boolean,
  warnings: string[] | undefined,
): CostResult {
  const ctx = compiled.thresholds.length === 0 ? null : compiled.contextFor(promptTokens(usage));
  if (service !== 'standard' && !compiled.hasService(service) && !free) {
    (warnings ??= []).push(`no ${service} price for "${resolvedModel}"; priced at standard rates`);
  }
  const table = compiled.table(service, ctx);
  // A free model costs 0 in every bucket, with its tokens still counted.
  const costs = emptyCosts();
  const totalPico = free ? 0 : priceBuckets(usage, table.femto, costs);
  const unpriced = free ? null : unpricedUnit(usage, table.femto);
  if (unpriced !== null) {
    (warnings ??= []).push(
      `"${resolvedModel}" has no ${BUCKET_ROW[unpriced as UsageBucket].priceLabel} price; its ${unpriced} cost $0 here (estimated)`,
    );
  }
  if (!Number.isSafeInteger(totalPico)) {
    throw new InvalidUsageError(
      'usage',
      `cost of this call exceeds $9,007 (${totalPico / PICO_PER_USD}); check the token counts`,
    );
  }
  const result: CostResult = {
    model,
    resolvedModel,
    provider,
    usage,
    costs,
    total: totalPico / PICO_PER_USD,
    totalPico,
    currency: 'USD',
    tier: free ? 'free' : table.label,
    serviceTier: table.service,
    contextTier: table.contextAbove,
    source: free ? 'free' : SOURCE_OF_LAYER[layer],
    layer,
    // A unit the model has no price for (audio seconds on a token-priced model) is missing from the
    // total, so the total is an estimate (its warning is above).
    estimated: layer === 'fallback' || unpriced !== null,
    // Always present, so that every result has one shape (hidden class) for the code reading it.
    providerGuessed: false,
  };
  // A bucket priced with another bucket's price (cache reads at the input price when the model has no
  // cache-read price) makes the cost an estimate; most tables borrow nothing.
  if (!free && table.borrowed.length > 0 && borrowsWithTokens(usage, table.borrowedSlots)) {
    for (const b of table.borrowed) {
      if (usage[b] > 0) {
        result.estimated = true;
        (warnings ??= []).push(
          `"${resolvedModel}" has no ${b} price; those tokens are billed at the ${BUCKET_ROW[b].fallback} price (estimated)`,
        );
      }
    }
  }
  if (warnings) result.warnings = warnings;
  return result;
}

/** A usage's counts by slot; filled and read synchronously, so one serves every call. */
const COUNTS = new Float64Array(USAGE_BUCKETS.length);

/**
 * True when the usage counts tokens in one of a table's borrowed buckets (`slots`, made with the
 * table). A loop of `usage[b]` over the bucket names was a keyed read with a new key each time, which
 * V8 makes megamorphic: about 560 instructions for a table that borrows four prices, a quarter of
 * pricing a call (callgrind). Here the usage is copied to slots by the generated code, and the
 * table's slots are read by index.
 */
function borrowsWithTokens(usage: TokenUsage, slots: readonly number[]): boolean {
  usageToSlots(usage, COUNTS);
  for (let i = 0; i < slots.length; i++) if (COUNTS[slots[i]!]! > 0) return true;
  return false;
}
