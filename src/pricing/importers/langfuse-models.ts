/**
 * Importer for Langfuse model definitions: the server's `default-model-prices.json` (an array of
 * `{modelName, matchPattern, pricingTiers}`) and the public API's `GET /api/public/models` response
 * (`{data: Model[], meta}`, where a model has `pricingTiers`, the default tier's `prices`
 * as `{key: {price}}`, and the legacy `inputPrice` / `outputPrice` / `totalPrice`).
 *
 * Conversions:
 * - Langfuse prices are USD per unit, keyed by usage-detail key name; the many names Langfuse lists for
 *   one bucket (`input_cached_tokens`, `input_cache_read`, `cache_read_input_tokens`, …) collapse into
 *   our bucket, per 1M tokens (exact decimal shift). When aliases disagree, the first name in
 *   {@link USAGE_KEYS} wins. A `total` price (old embedding models) prices both input and output.
 * - `matchPattern` is a POSIX regex with a `(?i)` prefix; it becomes `{regex}` without the inline flag.
 *   Our rules match case-insensitively against the lower-cased name, which is what `(?i)` asked for.
 *   A pattern JavaScript cannot compile is dropped (the model keeps its exact name, with a note); one
 *   it can but the linear-time match engine does not accept (backreferences, lookbehinds, lookaheads
 *   past the leading `^`) is kept, so validation rejects the import naming the definition and the
 *   pattern rather than letting the model silently lose its rule.
 * - Pricing tiers: usage conditions `gt N` (`gte N` → `above: N − 1`) become context tiers
 *   (Langfuse sums the matching usage keys, i.e. the whole prompt including cache, like ours);
 *   `service_tier in [fast|priority]` and `speed in [fast]` → `serviceTiers.priority`, `flex` → `flex`,
 *   `batch` → `batch`; a tier with both kinds becomes a context tier of that service tier.
 *   Tiers with other conditions are dropped and noted.
 * - `startDate` → `validFrom`; definitions sharing a model name get `validUntil` = the next one's start.
 *   A project-level (custom) definition replaces a Langfuse-managed one with the same name and start.
 * - Langfuse has no provider field: it is inferred from the name (claude → anthropic, gemini → google,
 *   gpt/o-series/embeddings → openai, …), else `options.defaultProvider` (default `unknown`).
 */
import { closedError } from '../../errors.js';
import { BUCKETS, type BucketRow, LANGFUSE_KEYS_OF_BUCKET } from '../../usage/buckets.js';
import type {
  CatalogData,
  CatalogModel,
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

/** Options of {@link importLangfuseModels}. */
export interface LangfuseImportOptions extends ImportOptions {
  /** Provider id for models whose provider cannot be inferred from the name. Default `unknown`. */
  defaultProvider?: string;
}

/**
 * Usage keys of Langfuse model definitions beyond the bucket table's Langfuse keys: provider-native
 * names that definitions in the wild price (OpenAI, Gemini and Anthropic field names).
 */
const EXTRA_USAGE_KEYS: Readonly<Partial<Record<PriceKey, readonly string[]>>> = {
  input: [
    'input_tokens',
    'input_text_tokens',
    'input_text',
    'prompt_tokens',
    'prompt_token_count',
    'promptTokenCount',
    'input_modality_1',
  ],
  cacheRead: [
    'input_cached_text_tokens',
    'cached_content_token_count',
    'cachedContentTokenCount',
    'cached_tokens',
  ],
  cacheWrite: ['cache_write_tokens'],
  output: [
    'output_tokens',
    'output_text_tokens',
    'output_text',
    'completion_tokens',
    'candidates_token_count',
    'candidatesTokenCount',
    'output_modality_1',
  ],
  reasoning: ['reasoning_tokens', 'thoughts_token_count', 'thoughtsTokenCount'],
  perRequest: ['request', 'requests'],
  perWebSearch: ['web_search_queries', 'webSearchQueries', 'grounding_queries', 'groundingQueries'],
};

/** Our bucket → Langfuse usage keys that price it, most authoritative first (ours, aliases, extras). */
const USAGE_KEYS = Object.fromEntries(
  BUCKETS.map((r) => [
    r.price,
    [
      ...((r as BucketRow).usageDetail ? LANGFUSE_KEYS_OF_BUCKET[r.key] : []),
      ...(EXTRA_USAGE_KEYS[r.price] ?? []),
    ],
  ]),
) as unknown as Readonly<Record<PriceKey, readonly string[]>>;

const KNOWN_KEYS: ReadonlySet<string> = new Set([...Object.values(USAGE_KEYS).flat(), 'total']);

interface RawModel {
  modelName: string;
  matchPattern?: string;
  startDate?: string;
  managed: boolean;
  tiers: {
    name: string;
    isDefault: boolean;
    priority: number;
    conditions: unknown[];
    prices: Record<string, number>;
  }[];
}

/**
 * Convert Langfuse model definitions into a catalog.
 *
 * @param data - the parsed `default-model-prices.json` array, a `GET /api/public/models` response
 *   (`{data: [...], meta}`), or an array of public-API models.
 * @throws {CatalogValidationError} when `data` is neither.
 */
export function importLangfuseModels(data: unknown, options: LangfuseImportOptions = {}): CatalogData {
  try {
    return importLangfuseModelsUnchecked(data, options);
  } catch (err) {
    throw closedError(err, 'importLangfuseModels');
  }
}

function importLangfuseModelsUnchecked(data: unknown, options: LangfuseImportOptions = {}): CatalogData {
  const list = isRecord(data) && Array.isArray(data.data) ? data.data : data;
  if (!Array.isArray(list)) {
    badInput(
      'langfuse',
      '$',
      'expected an array of Langfuse models or a GET /api/public/models response {data: [...]}',
    );
  }
  const stats = newStats('langfuse');
  const raws: RawModel[] = [];
  list.forEach((m: unknown) => {
    stats.seen++;
    const raw = readModel(m, stats);
    if (raw) raws.push(raw);
  });

  // Custom (project) definitions replace Langfuse-managed ones with the same name and start date.
  const byKey = new Map<string, RawModel>();
  for (const r of raws) {
    const k = `${r.modelName.toLowerCase()}\u0000${r.startDate ?? ''}`;
    const prev = byKey.get(k);
    if (prev && (!prev.managed || r.managed)) {
      countSkip(stats, 'duplicate definition');
      continue;
    }
    if (prev) countSkip(stats, 'overridden by a custom definition');
    byKey.set(k, r);
  }
  const kept = [...byKey.values()];
  const groups = new Map<string, RawModel[]>();
  for (const r of kept) {
    const k = r.modelName.toLowerCase();
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }

  const models: CatalogModel[] = [];
  for (const group of groups.values()) {
    group.sort((a, b) => (a.startDate ?? '').localeCompare(b.startDate ?? ''));
    group.forEach((r, i) => {
      const next = group[i + 1];
      const model = toCatalogModel(r, next?.startDate, options.defaultProvider ?? 'unknown', stats);
      if (model) keepPlausible(stats, models, model, r.modelName);
    });
  }

  return finishImport(
    stats,
    options,
    { name: 'langfuse', url: 'https://langfuse.com/docs/model-usage-and-cost', license: 'MIT' },
    models,
  );
}

function readModel(m: unknown, stats: ImportStats): RawModel | undefined {
  if (!isRecord(m) || typeof m.modelName !== 'string' || m.modelName === '') {
    countSkip(stats, 'malformed model');
    return undefined;
  }
  if (typeof m.unit === 'string' && m.unit.toUpperCase() !== 'TOKENS') {
    countSkip(stats, `unit ${m.unit}`);
    return undefined;
  }
  const tiers: RawModel['tiers'] = [];
  if (Array.isArray(m.pricingTiers) && m.pricingTiers.length > 0) {
    for (const t of m.pricingTiers) {
      if (!isRecord(t) || !isRecord(t.prices)) continue;
      tiers.push({
        name: typeof t.name === 'string' ? t.name : '',
        isDefault: t.isDefault === true,
        priority: typeof t.priority === 'number' ? t.priority : 0,
        conditions: Array.isArray(t.conditions) ? t.conditions : [],
        prices: numericPrices(t.prices),
      });
    }
  } else {
    // Public API without tiers: `prices: {key: {price}}`, else the legacy flat fields.
    const prices: Record<string, number> = {};
    if (isRecord(m.prices)) {
      for (const [k, v] of Object.entries(m.prices)) {
        const p = isRecord(v) ? v.price : v;
        if (isPrice(p)) prices[k] = p;
      }
    }
    if (Object.keys(prices).length === 0) {
      if (isPrice(m.inputPrice)) prices.input = m.inputPrice;
      if (isPrice(m.outputPrice)) prices.output = m.outputPrice;
      if (isPrice(m.totalPrice)) prices.total = m.totalPrice;
    }
    tiers.push({ name: 'Standard', isDefault: true, priority: 0, conditions: [], prices });
  }
  if (!tiers.some((t) => t.isDefault) && tiers.length > 0) tiers[0]!.isDefault = true;
  return {
    modelName: m.modelName,
    matchPattern: typeof m.matchPattern === 'string' ? m.matchPattern : undefined,
    startDate: typeof m.startDate === 'string' && m.startDate !== '' ? m.startDate : undefined,
    managed: m.isLangfuseManaged !== false,
    tiers,
  };
}

function numericPrices(p: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(p)) {
    const n = typeof v === 'string' ? Number(v) : v;
    if (isPrice(n)) out[k] = n;
  }
  return out;
}

/** Langfuse per-unit prices keyed by usage key → our price set. */
function convertPrices(prices: Record<string, number>, stats: ImportStats): PriceSet {
  const out: PriceSet = {};
  for (const [bucket, names] of Object.entries(USAGE_KEYS) as [PriceKey, readonly string[]][]) {
    const name = names.find((n) => prices[n] !== undefined);
    if (name === undefined) continue;
    const v = prices[name]!;
    // Langfuse prices every key per unit; ours are per the row's unit (1M tokens, an hour, an image).
    out[bucket] = perUnitToPrice(bucket, v);
  }
  if (prices.total !== undefined) {
    const total = perTokenToPerMillion(prices.total);
    if (out.input === undefined) out.input = total;
    if (out.output === undefined) out.output = total;
  }
  for (const k of Object.keys(prices)) if (!KNOWN_KEYS.has(k)) countDroppedKey(stats, k);
  return out;
}

interface TierPlacement {
  service?: Exclude<ServiceTier, 'standard'>;
  above?: number;
}

/** Where a conditional Langfuse tier goes in our format, or a reason it cannot be expressed. */
function placeTier(conditions: unknown[]): TierPlacement | string {
  const place: TierPlacement = {};
  for (const c of conditions) {
    if (!isRecord(c)) return 'malformed condition';
    if (typeof c.usageDetailPattern === 'string') {
      if (typeof c.value !== 'number') return 'usage condition without a value';
      if (c.operator === 'gt') place.above = c.value;
      else if (c.operator === 'gte') place.above = c.value - 1;
      else return `usage condition "${String(c.operator)}"`;
      continue;
    }
    if (typeof c.key === 'string' && Array.isArray(c.values)) {
      const key = c.key.toLowerCase();
      const values = c.values.map((v) => String(v).toLowerCase());
      if (key === 'service_tier' || key === 'speed') {
        if (values.some((v) => v === 'priority' || v === 'fast')) place.service = 'priority';
        else if (values.includes('flex')) place.service = 'flex';
        else if (values.includes('batch')) place.service = 'batch';
        else return `${key} in [${values.join(', ')}]`;
        continue;
      }
      return `attribute condition on "${c.key}"`;
    }
    return 'unknown condition';
  }
  if (place.above !== undefined && !(place.above > 0)) return 'usage threshold ≤ 0';
  return place;
}

function toCatalogModel(
  r: RawModel,
  validUntil: string | undefined,
  defaultProvider: string,
  stats: ImportStats,
): CatalogModel | undefined {
  const def = r.tiers.find((t) => t.isDefault);
  const prices = def ? convertPrices(def.prices, stats) : {};
  if (Object.keys(prices).length === 0) {
    countSkip(stats, 'no token price');
    return undefined;
  }
  const contextTiers: ContextTier[] = [];
  const serviceTiers: Partial<Record<Exclude<ServiceTier, 'standard'>, ServiceTierPrices>> = {};
  const conditional = r.tiers.filter((t) => !t.isDefault).sort((a, b) => a.priority - b.priority);
  for (const t of conditional) {
    const place = placeTier(t.conditions);
    if (typeof place === 'string') {
      addNote(stats, `${r.modelName}: tier "${t.name}" dropped (${place})`);
      continue;
    }
    const tierPrices = convertPrices(t.prices, stats);
    if (place.service) {
      const st = (serviceTiers[place.service] ??= {});
      if (place.above !== undefined) {
        // Lower Langfuse priority numbers win; keep the first tier for a threshold.
        st.contextTiers ??= [];
        if (!st.contextTiers.some((x) => x.above === place.above)) {
          st.contextTiers.push({ above: place.above, prices: tierPrices });
        }
      } else if (Object.keys(st).every((k) => k === 'contextTiers')) {
        Object.assign(st, tierPrices);
      }
    } else if (place.above !== undefined) {
      if (!contextTiers.some((x) => x.above === place.above))
        contextTiers.push({ above: place.above, prices: tierPrices });
    }
  }
  for (const st of Object.values(serviceTiers)) st?.contextTiers?.sort((a, b) => a.above - b.above);
  contextTiers.sort((a, b) => a.above - b.above);

  const match = regexRule(r.matchPattern, r.modelName, stats);
  return compactModel({
    id: r.modelName,
    provider: inferProvider(r.modelName, r.matchPattern) ?? defaultProvider,
    match,
    mode: inferMode(r.modelName),
    prices,
    contextTiers: contextTiers.length > 0 ? contextTiers : undefined,
    serviceTiers: Object.keys(serviceTiers).length > 0 ? serviceTiers : undefined,
    validFrom: r.startDate,
    validUntil,
  });
}

/**
 * `(?i)^(openai/)?(gpt-4o)$` → `{regex: '^(openai/)?(gpt-4o)$'}`; undefined if JS cannot compile it.
 * Whether the pattern can run in linear time is the validator's call (see the module notes).
 */
function regexRule(pattern: string | undefined, name: string, stats: ImportStats): CatalogModel['match'] {
  if (!pattern) return undefined;
  const source = pattern.replace(/^\(\?i\)/, '');
  try {
    new RegExp(source, 'i');
  } catch {
    addNote(stats, `${name}: matchPattern is not a JavaScript regex; only the exact name is kept`);
    return undefined;
  }
  return { regex: source };
}

/** Provider from the model name (Langfuse definitions carry none). */
export function inferProvider(name: string, pattern?: string): string | undefined {
  try {
    return inferProviderUnchecked(name, pattern);
  } catch (err) {
    throw closedError(err, 'inferProvider');
  }
}

function inferProviderUnchecked(name: string, pattern?: string): string | undefined {
  const s = name.toLowerCase();
  const p = (pattern ?? '').toLowerCase();
  if (s.includes('claude') || p.includes('anthropic')) return 'anthropic';
  if (/gemini|gemma|bison|gecko|unicorn|palm|imagen|veo-/.test(s)) return 'google';
  if (
    /^(ft:)?(gpt|chatgpt|o\d|text-embedding|text-davinci|text-ada|text-babbage|text-curie|davinci|babbage|curie|ada|whisper|tts|dall-e|codex|computer-use|omni-moderation|text-moderation)/.test(
      s,
    )
  ) {
    return 'openai';
  }
  if (/^(mistral|mixtral|codestral|pixtral|ministral|magistral|devstral|open-mistral|open-mixtral)/.test(s))
    return 'mistral';
  if (s.startsWith('grok')) return 'x-ai';
  if (s.startsWith('deepseek')) return 'deepseek';
  if (/^(command|embed-english|embed-multilingual)/.test(s)) return 'cohere';
  return undefined;
}

function inferMode(name: string): ModelMode {
  const s = name.toLowerCase();
  if (s.includes('embed')) return 'embedding';
  if (/whisper|^tts|transcribe/.test(s)) return 'audio';
  if (/dall-e|imagen|gpt-image/.test(s)) return 'image';
  if (/moderation/.test(s)) return 'other';
  if (/davinci|babbage|curie|^ada|instruct$/.test(s)) return 'completion';
  return 'chat';
}
