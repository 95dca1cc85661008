/**
 * Importer for LiteLLM's `model_prices_and_context_window.json`: a flat object
 * `{ "<key>": { litellm_provider, mode, input_cost_per_token, … } }` with prices in USD per token.
 *
 * Conversions:
 * - Per-token prices become per-1M prices by shifting the decimal point of the number's shortest
 *   decimal form (`2.5e-06` → exactly `2.5`), never by float multiplication.
 * - `…_above_<N>k_tokens` keys become context tiers `above: N × 1000` (LiteLLM bills the whole call at
 *   that tier when `prompt_tokens > N × 1000`; for xAI it uses `>=`, so those tiers get `above: N×1000 − 1`).
 *   `tiered_pricing` range tables (`range: [start, end]`, chosen when `start < tokens ≤ end`) become
 *   context tiers `above: start`.
 * - `…_batches`, `…_priority`, `…_flex` keys become `serviceTiers.batch / priority / flex` prices.
 *   When both batch input and output prices are exactly half the standard ones, the batch tier also
 *   gets `multiplier: 0.5`, so buckets LiteLLM leaves unpriced (cache reads…) are discounted too.
 * - `input_cost_per_request` → `perRequest`; the medium `search_context_cost_per_query` → `perWebSearch`.
 * - Units beyond tokens, by mode: `input_cost_per_second` (audio_transcription) → `perAudioHour`,
 *   `input_cost_per_character` (audio_speech) → `characters` (per 1M), `output_cost_per_image` or
 *   `input_cost_per_image` (image_generation) → `perImage`; an image variant key
 *   `hd/1024-x-1792/dall-e-3` becomes the id `dall-e-3/1024x1792/hd` (the full key stays an alias).
 * - Regional uplifts, per-pixel, per-page and output per-second prices have no equivalent and are
 *   reported in the import statistics.
 *
 * Provider ids: `litellm_provider` values are mapped to the genai-prices ids this library uses
 * (bedrock/bedrock_converse → `aws`, gemini → `google`, xai → `x-ai`, together_ai → `together`, …).
 * Vertex AI (`vertex_ai`, `vertex_ai-*`) becomes `vertex-ai`, a provider of its own that falls back
 * to `google` and `anthropic`: LiteLLM prices Vertex and the Gemini API differently for the same model
 * name (its bare `gemini-2.0-flash-001` key is the Vertex price), so they cannot share one provider.
 * The import declares the usual Vertex provider names (`gcp.vertex_ai`, `vertex_ai`, …) as its aliases,
 * so Vertex calls get Vertex prices while this data is loaded, and Gemini API prices otherwise.
 * Unknown providers keep their LiteLLM name with `_` replaced by `-`.
 *
 * Model id: the key without its provider prefix (`openrouter/openai/gpt-4o` → `openai/gpt-4o`); the
 * full key is kept as an alias. When two keys give the same id under one provider, the later one keeps
 * its full key as id.
 */
import { closedError } from '../../errors.js';
import type {
  CatalogData,
  CatalogModel,
  CatalogProvider,
  ContextTier,
  ModelMode,
  PriceKey,
  PriceSet,
  ServiceTier,
  ServiceTierPrices,
} from '../types.js';
import {
  addNote,
  badInput,
  compactModel,
  countDroppedKey,
  countSkip,
  finishImport,
  type ImportOptions,
  type ImportStats,
  isPrice,
  isRecord,
  keepPlausible,
  newStats,
  perTokenToPerMillion,
  perUnitToPrice,
} from './shared.js';

/** Options of {@link importLiteLLM}. */
export interface LiteLLMImportOptions extends ImportOptions {
  /**
   * Records whose `deprecation_date` is on or before this day are flagged `deprecated`
   * (default: today). Pass a fixed date for reproducible output.
   */
  now?: Date;
}

/** LiteLLM provider name → our canonical provider id (where it differs from the default rule). */
const PROVIDER_MAP: Readonly<Record<string, string>> = {
  openai: 'openai',
  'text-completion-openai': 'openai',
  azure: 'azure',
  azure_text: 'azure',
  azure_ai: 'azure',
  anthropic: 'anthropic',
  bedrock: 'aws',
  bedrock_converse: 'aws',
  bedrock_mantle: 'aws',
  gemini: 'google',
  palm: 'google',
  vertex_ai: 'vertex-ai',
  mistral: 'mistral',
  codestral: 'mistral',
  'text-completion-codestral': 'mistral',
  xai: 'x-ai',
  fireworks_ai: 'fireworks',
  'fireworks_ai-embedding-models': 'fireworks',
  together_ai: 'together',
  cohere: 'cohere',
  cohere_chat: 'cohere',
  moonshot: 'moonshotai',
  voyage: 'voyageai',
  github_copilot: 'github-copilot',
};

/** Our provider id for a `litellm_provider` value. */
export function litellmProviderId(litellmProvider: string): string {
  try {
    return litellmProviderIdUnchecked(litellmProvider);
  } catch (err) {
    throw closedError(err, 'litellmProviderId');
  }
}

function litellmProviderIdUnchecked(litellmProvider: string): string {
  const p = litellmProvider.toLowerCase();
  const mapped = PROVIDER_MAP[p];
  if (mapped) return mapped;
  if (p.startsWith('vertex_ai')) return 'vertex-ai';
  return p.replace(/_/g, '-');
}

/** Names emitters give Vertex AI (OTel `gen_ai.provider.name`, LangChain, LiteLLM). */
const VERTEX_NAMES = ['gcp.vertex_ai', 'google-vertex', 'google_vertexai', 'vertex', 'vertex_ai', 'vertexai'];

/**
 * Provider metadata of a LiteLLM import: LiteLLM's own provider names as aliases. Fallback providers
 * are declared only for the Vertex provider this importer introduces; other providers keep the
 * fallbacks of the catalog they are loaded over.
 */
function providerMeta(seen: Map<string, Set<string>>): Record<string, CatalogProvider> {
  const out: Record<string, CatalogProvider> = {};
  for (const [id, names] of [...seen].sort(([a], [b]) => a.localeCompare(b))) {
    const all = id === 'vertex-ai' ? [...names, ...VERTEX_NAMES] : [...names];
    const aliases = [...new Set(all)].filter((n) => n !== id).sort();
    const meta: CatalogProvider = {};
    if (aliases.length > 0) meta.aliases = aliases;
    if (id === 'vertex-ai') meta.fallbackProviders = ['google', 'anthropic'];
    out[id] = meta;
  }
  return out;
}

/** Base LiteLLM cost key → our bucket. */
const BASE_KEYS: Readonly<Record<string, PriceKey>> = {
  input_cost_per_token: 'input',
  output_cost_per_token: 'output',
  cache_read_input_token_cost: 'cacheRead',
  input_cost_per_token_cache_hit: 'cacheRead',
  cache_creation_input_token_cost: 'cacheWrite',
  cache_creation_input_token_cost_above_1hr: 'cacheWrite1h',
  input_cost_per_audio_token: 'inputAudio',
  output_cost_per_audio_token: 'outputAudio',
  output_cost_per_reasoning_token: 'reasoning',
  input_cost_per_image_token: 'inputImage',
};

const SERVICE_SUFFIX: Readonly<Record<string, Exclude<ServiceTier, 'standard'>>> = {
  batches: 'batch',
  priority: 'priority',
  flex: 'flex',
};

// base key, optional `_above_<N>k_tokens`, optional service-tier suffix.
const COST_KEY =
  /^(input_cost_per_token_cache_hit|input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost_above_1hr|cache_creation_input_token_cost|input_cost_per_audio_token|output_cost_per_audio_token|output_cost_per_reasoning_token|input_cost_per_image_token)(?:_above_(\d+)k_tokens)?(?:_(batches|priority|flex))?$/;

const TOKEN_MODES = new Set(['chat', 'completion', 'responses', 'embedding']);

/**
 * Per-unit prices by LiteLLM mode, in order of preference: seconds of audio transcribed, characters
 * spoken, images generated. LiteLLM states them per single unit; {@link perUnitToPrice} converts to
 * the bucket row's unit exactly (per hour, per 1M characters, per image). Per-pixel image prices are
 * left out: LiteLLM's are rounded (`7.629e-08` × 1024² is $0.07999…, where OpenAI lists $0.08).
 */
const UNIT_PRICES: Readonly<Record<string, readonly (readonly [string, PriceKey])[]>> = {
  audio_transcription: [['input_cost_per_second', 'perAudioHour']],
  audio_speech: [['input_cost_per_character', 'characters']],
  image_generation: [
    ['output_cost_per_image', 'perImage'],
    ['input_cost_per_image', 'perImage'],
  ],
};

/**
 * LiteLLM's image variant keys, `[<quality>/]<w>-x-<h>/<model>` (`hd/1024-x-1792/dall-e-3`), named the
 * way the media extractor looks them up: `<model>/<w>x<h>/<quality>` (`dall-e-3/1024x1792/hd`).
 */
const IMAGE_VARIANT = /^(?:(standard|hd|low|medium|high|auto)\/)?(\d+)-x-(\d+)\/(.+)$/;

/** Our id of a LiteLLM image variant key, or the id unchanged. */
function imageVariantId(id: string): string {
  const m = IMAGE_VARIANT.exec(id);
  return m ? `${m[4]}/${m[2]}x${m[3]}/${m[1] ?? 'standard'}` : id;
}

const IGNORED_KEYS = new Set([
  'litellm_provider',
  'mode',
  'source',
  'deprecation_date',
  'tiered_pricing',
  'search_context_cost_per_query',
  'input_cost_per_request',
  'input_cost_per_second',
  'input_cost_per_character',
  'input_cost_per_image',
  'output_cost_per_image',
  'regional_processing_uplift_multiplier_eu',
  'regional_processing_uplift_multiplier_us',
]);

/** Mutable builder of one model's prices. */
interface Builder {
  prices: PriceSet;
  tiers: Map<number, PriceSet>;
  service: Map<Exclude<ServiceTier, 'standard'>, { prices: PriceSet; tiers: Map<number, PriceSet> }>;
}

/**
 * Convert LiteLLM's price map into a catalog. Records without any per-token price (image generation,
 * audio per second, rerank, search, OCR, …) are skipped and counted.
 *
 * @param data - the parsed `model_prices_and_context_window.json`.
 * @throws {CatalogValidationError} when `data` is not a LiteLLM price map.
 */
export function importLiteLLM(data: unknown, options: LiteLLMImportOptions = {}): CatalogData {
  try {
    return importLiteLLMUnchecked(data, options);
  } catch (err) {
    throw closedError(err, 'importLiteLLM');
  }
}

function importLiteLLMUnchecked(data: unknown, options: LiteLLMImportOptions = {}): CatalogData {
  if (!isRecord(data)) badInput('litellm', '$', 'expected the LiteLLM price map object {"<model>": {...}}');
  const stats = newStats('litellm');
  const today = (options.now ?? new Date()).toISOString().slice(0, 10);
  const models: CatalogModel[] = [];
  const used = new Set<string>();
  const providerNames = new Map<string, Set<string>>();

  for (const [key, rec] of Object.entries(data)) {
    if (key === 'sample_spec' || key === 'fallback_generalizations') continue;
    stats.seen++;
    if (!isRecord(rec) || typeof rec.litellm_provider !== 'string') {
      countSkip(stats, 'no litellm_provider');
      continue;
    }
    const litellmProvider = rec.litellm_provider;
    const provider = litellmProviderId(litellmProvider);
    const modeRaw = typeof rec.mode === 'string' ? rec.mode : 'chat';
    const built = buildPrices(key, rec, provider, stats);
    const hasTokenPrice = built.tokenPriced;
    if (!hasTokenPrice) {
      countSkip(stats, `no token price (${modeRaw})`);
      continue;
    }
    if (!providerNames.has(provider)) providerNames.set(provider, new Set());
    providerNames.get(provider)!.add(litellmProvider.toLowerCase());

    let id = imageVariantId(stripProviderPrefix(key, litellmProvider, provider));
    if (used.has(`${provider}\u0000${id.toLowerCase()}`)) {
      addNote(stats, `${key}: id "${id}" already used under ${provider}; kept the full key as id`);
      id = key;
    }
    if (used.has(`${provider}\u0000${id.toLowerCase()}`)) {
      countSkip(stats, 'duplicate key');
      continue;
    }

    const deprecated =
      typeof rec.deprecation_date === 'string' && rec.deprecation_date.slice(0, 10) <= today
        ? true
        : undefined;
    const contextWindow =
      typeof rec.max_input_tokens === 'number' && rec.max_input_tokens > 0 ? rec.max_input_tokens : undefined;
    const model = compactModel({
      id,
      provider,
      aliases: id === key ? [] : [key],
      mode: modeOf(modeRaw),
      prices: built.prices,
      contextTiers: built.contextTiers,
      serviceTiers: built.serviceTiers,
      deprecated,
      contextWindow,
    });
    if (keepPlausible(stats, models, model, key)) used.add(`${provider}\u0000${id.toLowerCase()}`);
  }

  return finishImport(
    stats,
    options,
    {
      name: 'litellm',
      url: 'https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json',
      license: 'MIT',
    },
    models,
    providerMeta(providerNames),
  );
}

function modeOf(mode: string): ModelMode {
  if (TOKEN_MODES.has(mode)) return mode as ModelMode;
  if (mode === 'realtime') return 'chat';
  if (mode.startsWith('audio')) return 'audio';
  if (mode.startsWith('image')) return 'image';
  return 'other';
}

/** `openrouter/openai/gpt-4o` → `openai/gpt-4o` when the first segment names the record's provider. */
function stripProviderPrefix(key: string, litellmProvider: string, provider: string): string {
  const slash = key.indexOf('/');
  if (slash <= 0) return key;
  const seg = key.slice(0, slash).toLowerCase();
  const lp = litellmProvider.toLowerCase();
  const norm = (s: string) => s.replace(/-/g, '_');
  const names =
    seg === lp || norm(seg) === norm(lp) || lp.startsWith(`${seg}-`) || litellmProviderId(seg) === provider;
  return names && slash < key.length - 1 ? key.slice(slash + 1) : key;
}

function buildPrices(
  key: string,
  rec: Record<string, unknown>,
  provider: string,
  stats: ImportStats,
): {
  prices: PriceSet;
  contextTiers?: ContextTier[];
  serviceTiers?: CatalogModel['serviceTiers'];
  tokenPriced: boolean;
} {
  const b: Builder = { prices: {}, tiers: new Map(), service: new Map() };
  // xAI bills the higher tier from the threshold itself (`>=`); our tiers apply strictly above.
  const inclusive = provider === 'x-ai';
  let tokenPriced = false;
  const deferredCacheHit: { value: number; tier?: number; service?: string }[] = [];

  for (const [k, v] of Object.entries(rec)) {
    const m = COST_KEY.exec(k);
    if (!m) {
      if (/cost|price/.test(k) && !IGNORED_KEYS.has(k)) countDroppedKey(stats, k);
      continue;
    }
    if (!isPrice(v)) continue;
    const bucket = BASE_KEYS[m[1]!]!;
    const above = m[2] ? Number(m[2]) * 1000 - (inclusive ? 1 : 0) : undefined;
    const service = m[3] ? SERVICE_SUFFIX[m[3]] : undefined;
    const price = perTokenToPerMillion(v);
    if (m[1] === 'input_cost_per_token_cache_hit') {
      // DeepSeek's older name for the cache-read price; `cache_read_input_token_cost` wins when both exist.
      deferredCacheHit.push({ value: price, tier: above, service });
      continue;
    }
    setPrice(b, bucket, price, above, service);
    tokenPriced = true;
  }
  for (const d of deferredCacheHit) {
    const target = targetSet(b, d.tier, d.service as Exclude<ServiceTier, 'standard'> | undefined);
    if (target.cacheRead === undefined) target.cacheRead = d.value;
    tokenPriced = true;
  }

  if (Array.isArray(rec.tiered_pricing)) {
    const ranges = rec.tiered_pricing
      .filter(isRecord)
      .filter((t) => Array.isArray(t.range) && typeof t.range[0] === 'number')
      .sort((a, z) => (a.range as number[])[0]! - (z.range as number[])[0]!);
    for (const t of ranges) {
      const start = (t.range as number[])[0]!;
      for (const [k, v] of Object.entries(t)) {
        const m = COST_KEY.exec(k);
        if (!m || m[2] || m[3] || !isPrice(v)) continue;
        setPrice(b, BASE_KEYS[m[1]!]!, perTokenToPerMillion(v), start > 0 ? start : undefined, undefined);
        tokenPriced = true;
      }
    }
    if (ranges.length > 0) addNote(stats, `${key}: tiered_pricing ranges converted to context tiers`);
  }

  if (isPrice(rec.input_cost_per_request)) b.prices.perRequest = rec.input_cost_per_request;
  // Units beyond tokens, each only in the mode where it means our bucket (a chat model's
  // `input_cost_per_image` is an input image, not a generated one).
  const unit = UNIT_PRICES[typeof rec.mode === 'string' ? rec.mode : ''];
  for (const [k, key] of unit ?? []) {
    const v = rec[k];
    if (!isPrice(v) || b.prices[key] !== undefined) continue;
    b.prices[key] = perUnitToPrice(key, v);
    tokenPriced = true;
  }
  const search = rec.search_context_cost_per_query;
  if (isRecord(search) && isPrice(search.search_context_size_medium)) {
    b.prices.perWebSearch = search.search_context_size_medium;
  }

  const contextTiers = tiersOf(b.tiers);
  const serviceTiers: NonNullable<CatalogModel['serviceTiers']> = {};
  for (const [tier, s] of b.service) {
    const st: ServiceTierPrices = { ...s.prices };
    const ct = tiersOf(s.tiers);
    if (ct) st.contextTiers = ct;
    if (
      tier === 'batch' &&
      b.prices.input !== undefined &&
      b.prices.output !== undefined &&
      st.input !== undefined &&
      st.output !== undefined &&
      st.input * 2 === b.prices.input &&
      st.output * 2 === b.prices.output
    ) {
      st.multiplier = 0.5;
    }
    serviceTiers[tier] = st;
  }
  return {
    prices: b.prices,
    contextTiers,
    serviceTiers: Object.keys(serviceTiers).length > 0 ? serviceTiers : undefined,
    tokenPriced,
  };
}

function targetSet(
  b: Builder,
  above: number | undefined,
  service: Exclude<ServiceTier, 'standard'> | undefined,
): PriceSet {
  let prices = b.prices;
  let tiers = b.tiers;
  if (service) {
    let s = b.service.get(service);
    if (!s) {
      s = { prices: {}, tiers: new Map() };
      b.service.set(service, s);
    }
    prices = s.prices;
    tiers = s.tiers;
  }
  if (above === undefined) return prices;
  let t = tiers.get(above);
  if (!t) {
    t = {};
    tiers.set(above, t);
  }
  return t;
}

function setPrice(
  b: Builder,
  bucket: PriceKey,
  price: number,
  above: number | undefined,
  service: Exclude<ServiceTier, 'standard'> | undefined,
): void {
  targetSet(b, above, service)[bucket] = price;
}

function tiersOf(map: Map<number, PriceSet>): ContextTier[] | undefined {
  if (map.size === 0) return undefined;
  return [...map].sort(([a], [z]) => a - z).map(([above, prices]) => ({ above, prices }));
}
