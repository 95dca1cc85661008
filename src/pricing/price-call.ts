/**
 * One LLM call → one pricing outcome. The LangChain handler, the span processor and the CLI all price
 * through here, so the same provider response gives the same record whichever path it took: the
 * model names tried and their order, what a provider-reported cost means when there is no price,
 * what a missing or estimated usage does to the result, and which failures leave a call unpriced.
 */
import { InvalidUsageError, LangfuseCostError } from '../errors.js';
import type { ServiceTier } from '../usage/service-tiers.js';
import { MAX_TOKENS_PER_BUCKET } from '../usage/token-count.js';
import { addBuckets, emptyUsage } from '../usage/token-usage.generated.js';
import type { TokenUsage } from '../usage/token-usage.js';
import { emptyCosts } from './bucket-costs.generated.js';
import { priceUsage } from './calculator.js';
import type { PriceCatalog } from './catalog.js';
import type { CostResult } from './cost-result.js';
import { PICO_PER_USD, usdToPico } from './money.js';
import { GPU_PRICED, pickVersion } from './price-table.js';

/** What an adapter knows about a call once its usage is extracted. */
export interface CallFacts {
  /**
   * Model names to try, in order: the model the response says served the call, then the one
   * requested. Absent and repeated names are skipped; the first name is the call's model.
   */
  models: readonly (string | undefined)[];
  /** Provider hint (LangChain `ls_provider`, `gen_ai.provider.name`, …). */
  provider?: string;
  /** The call's usage, already validated by an extractor. */
  usage: TokenUsage;
  /** Service tier the response (or request) reported. */
  serviceTier?: ServiceTier;
  /** A cost the provider or gateway reported itself, USD. */
  providedCost?: number;
  /** The response carried no token usage at all (the usage is all zeros). */
  usageMissing?: boolean;
  /** The extractor estimated some counts (e.g. a stream without a usage chunk). */
  usageEstimated?: boolean;
  /** The extractor's warnings, carried onto the result. */
  warnings?: readonly string[];
  /** When the call happened (epoch ms), for prices valid at that time; default now. */
  at?: number;
  /**
   * The call went to an endpoint on this machine (`http://localhost:11434`, `127.0.0.1`, `[::1]`;
   * see `isLocalEndpoint`): a model the catalog does not know is then self-hosted and costs $0
   * (`free`) instead of being unpriced. A name the catalog prices keeps its price, because a local
   * proxy (LiteLLM, a gateway) forwarding to a paid API looks the same from here.
   */
  selfHosted?: boolean;
  /**
   * How long the call took, in milliseconds (a span's start to end, a LangChain run's start to end).
   * Used only for a model priced per GPU hour (`perGpuHour`: a self-hosted or dedicated deployment,
   * from your price file): its usage gets `gpuMilliseconds` = duration × the entry's `gpus`
   * (default 1), unless the usage already counts GPU time. It is read only then, at most once, so it
   * may be a getter that works the duration out on demand (the span processor's does).
   */
  readonly durationMs?: number | undefined;
}

/**
 * How a call was priced.
 * - `priced`: a catalog price (or the fallback price, `estimated`); `free` when the model costs nothing.
 * - `provided`: no price, but the provider reported the cost: that is the cost.
 * - `unpriced`: neither; `reason` says why: no price, or (`failed`) the calculator's error message.
 *   Never a $0 cost.
 */
export type PriceOutcome =
  | { status: 'priced' | 'free' | 'provided'; model: string; result: CostResult }
  | { status: 'unpriced'; model: string; reason: string; failed: boolean };

/** The model name of a call with no usable name. */
export const UNKNOWN_MODEL = 'unknown';

/**
 * Price one call. Never throws for the call's own data: a usage or model the calculator refuses
 * (a cost over $9,007, say) becomes `unpriced` with the reason and `failed: true`, so the caller can
 * warn and still record the call.
 */
export function priceCall(facts: CallFacts, catalog: PriceCatalog): PriceOutcome {
  const named = firstName(facts.models);
  const model = named ?? UNKNOWN_MODEL;
  const tier = facts.serviceTier ?? 'standard';
  let result: CostResult | null = null;
  let tried: string | undefined;
  let provider = facts.provider;
  try {
    // Every name first without the fallback price, so a later name the catalog knows wins over an
    // earlier one it does not (an image variant `dall-e-3/1024x1792/hd`, then `dall-e-3`).
    for (const m of facts.models) {
      if (!m || m === tried) continue;
      tried = m;
      result = priceUsage(catalog, m, provider, facts.usage, tier, facts.at, false);
      if (result) break;
    }
    // An unknown model on a local endpoint is self-hosted: the catalog's `self-hosted` provider,
    // free by default like `ollama` (`new PriceCatalog({ freeProviders })` changes both).
    if (result === null && facts.selfHosted === true && named !== undefined) {
      result = priceUsage(catalog, model, SELF_HOSTED, facts.usage, tier, facts.at, false);
      tried = model;
      provider = SELF_HOSTED;
    }
    // A model priced per GPU hour is charged for the time the call held its GPUs. The duration is
    // read only when some model is priced so (none of the bundled ones is).
    if (result !== null && GPU_PRICED.seen && result.source !== 'free') {
      const durationMs = facts.durationMs;
      if (durationMs !== undefined)
        result = withGpuTime(result, facts, durationMs, catalog, tried!, provider, tier);
    }
    if (result === null && catalog.fallback && named !== undefined)
      result = priceUsage(catalog, model, facts.provider, facts.usage, tier, facts.at);
    if (result === null && facts.providedCost !== undefined)
      return { status: 'provided', model, result: providedResult(model, facts, facts.providedCost) };
  } catch (err) {
    const reason = err instanceof LangfuseCostError ? err.message : String(err);
    return { status: 'unpriced', model, reason, failed: true };
  }
  if (result === null)
    return { status: 'unpriced', model, reason: `no price for model "${model}"`, failed: false };
  if (facts.providedCost !== undefined) result.providedCost = facts.providedCost;
  if (facts.usageMissing) {
    result.estimated = true;
    (result.warnings ??= []).push('the response carried no token usage');
  } else if (facts.usageEstimated) result.estimated = true;
  if (facts.warnings && facts.warnings.length > 0) (result.warnings ??= []).push(...facts.warnings);
  return { status: result.source === 'free' ? 'free' : 'priced', model, result };
}

function firstName(models: readonly (string | undefined)[]): string | undefined {
  for (const m of models) if (m) return m;
  return undefined;
}

/**
 * The call priced again with its GPU time when its model is priced per GPU hour; else `result` as it
 * is. Kept out of {@link priceCall} so that its size (and so what the JIT inlines into it) stays that
 * of the path every other call takes.
 */
function withGpuTime(
  result: CostResult,
  facts: CallFacts,
  durationMs: number,
  catalog: PriceCatalog,
  model: string,
  provider: string | undefined,
  tier: ServiceTier,
): CostResult {
  if (facts.usage.gpuMilliseconds !== 0) return result;
  const gpuMs = gpuMilliseconds(catalog, model, provider, durationMs, facts.at);
  if (gpuMs === 0) return result;
  const usage = emptyUsage();
  addBuckets(usage, facts.usage);
  usage.gpuMilliseconds = gpuMs;
  return priceUsage(catalog, model, provider, usage, tier, facts.at, false) ?? result;
}

/**
 * The GPU time of a call to `model`: its duration × the entry's `gpus` (default 1), in whole
 * milliseconds, when the entry in force at `at` is priced per GPU hour; else 0. The resolution is the
 * memoised one the call was just priced with (a memo hit: no scan, no allocation), so calls to other
 * models pay one lookup. A duration that is not a finite number > 0, or a GPU time beyond a bucket's
 * range, counts 0 (the call keeps its token price).
 */
function gpuMilliseconds(
  catalog: PriceCatalog,
  model: string,
  provider: string | undefined,
  durationMs: number,
  at: number | undefined,
): number {
  if (typeof durationMs !== 'number' || !(durationMs > 0) || durationMs === Number.POSITIVE_INFINITY)
    return 0;
  const r = catalog.resolveMemo(model, provider);
  if (r === null || r.free) return 0;
  const versions = r.group.versions;
  const v = versions.length === 1 ? versions[0]! : pickVersion(versions, at ?? Date.now());
  const rate = v.model.prices.perGpuHour;
  if (rate === undefined || !(rate > 0) || v.free) return 0;
  const ms = Math.round(durationMs * (v.model.gpus ?? 1));
  return ms <= MAX_TOKENS_PER_BUCKET ? ms : 0;
}

/** The provider of a call to an unknown model on a local endpoint (see `CallFacts.selfHosted`). */
const SELF_HOSTED = 'self-hosted';

/** A result for a call whose model has no price but which reported its own cost. */
function providedResult(model: string, facts: CallFacts, provided: number): CostResult {
  const totalPico = usdToPico(provided);
  if (!Number.isSafeInteger(totalPico) || totalPico < 0)
    throw new InvalidUsageError('providedCost', `expected a cost from $0 to $9,007, got ${provided}`);
  return {
    model,
    resolvedModel: model,
    provider: facts.provider ?? 'unknown',
    usage: facts.usage,
    costs: emptyCosts(),
    total: totalPico / PICO_PER_USD,
    totalPico,
    currency: 'USD',
    tier: 'provided',
    serviceTier: facts.serviceTier ?? 'standard',
    contextTier: null,
    source: 'provided',
    layer: 'fallback',
    estimated: false,
    providerGuessed: false,
    providedCost: provided,
    warnings: [`no catalog price for "${model}"; the cost is the one the provider reported`],
  };
}
