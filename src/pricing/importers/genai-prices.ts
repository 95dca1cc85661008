/**
 * Importer for genai-prices v2 data (`prices/new_data/v2/data.json`, also the data bundled in the
 * `@pydantic/genai-prices` npm package): an array of providers, each with match rules and models.
 *
 * Conversions (facts from genai-prices' unit registry and its TypeScript engine):
 * - `*_mtok` prices are already USD per 1M tokens; `*_kcount` prices are USD per 1,000 and are divided
 *   by 1,000 exactly (decimal shift, no float drift).
 * - Tiered prices `{base, tiers: [{start, price}]}` are cliff prices: the engine bills every token of
 *   the call at the price of the highest tier whose `start` is strictly below the call's total
 *   `input_tokens` (`input_tokens > start`; that total includes cache reads/writes and audio input).
 *   Our {@link ContextTier} applies when prompt tokens (same inclusive count) `> above`, so
 *   `above = start` exactly — including the source's `199999`/`271999` starts, which encode "≥ 200k".
 *   Price keys with different tier starts are merged: every tier lists each tiered key's price in
 *   effect at that threshold.
 * - Conditional prices: `start_date` constraints become several catalog entries with the same id and
 *   `validFrom`/`validUntil`. Time-of-day constraints (DeepSeek peak/off-peak windows) cannot be
 *   expressed in our format; for each date period we keep the one price the source's engine applies
 *   for most of the UTC day (for `deepseek-chat` that is the 00:30–16:30 UTC standard price, for the
 *   V4 models the off-peak price that covers 17 of 24 hours) and drop the other windows. The dropped
 *   windows are reported in the import notes only.
 * - A model with an empty price object is free in the source (its engine prices it at $0): it is
 *   kept with `free: true`. `audio_hours`/`input_audio_hours` (USD per hour of audio) price the
 *   `audioSeconds` bucket. A model priced only in units we cannot express (document pages) is skipped,
 *   so it can never be priced at a silent $0.
 * - Match rules map one to one (`starts_with` → `startsWith`, …). The source matches a lower-cased
 *   model name, so string operands are lower-cased; top-level `equals` names become `aliases`.
 */
import { closedError } from '../../errors.js';
import type {
  CatalogData,
  CatalogModel,
  CatalogProvider,
  ContextTier,
  MatchRule,
  ModelMode,
  PriceKey,
  PriceSet,
} from '../types.js';
import {
  addNote,
  badInput,
  compactModel,
  countDroppedKey,
  countSkip,
  finishImport,
  hasAnyPrice,
  type ImportOptions,
  isPrice,
  isRecord,
  newStats,
  scaleDecimal,
} from './shared.js';

/** Options of {@link importGenaiPrices}. */
export interface GenaiPricesImportOptions extends ImportOptions {}

/** genai-prices price key → our price key and the decimal shift to USD per 1M tokens (or per unit). */
const KEY_MAP: Readonly<Record<string, { key: PriceKey; shift: number }>> = {
  input_mtok: { key: 'input', shift: 0 },
  cache_read_mtok: { key: 'cacheRead', shift: 0 },
  cache_write_mtok: { key: 'cacheWrite', shift: 0 },
  cache_write_1h_mtok: { key: 'cacheWrite1h', shift: 0 },
  input_audio_mtok: { key: 'inputAudio', shift: 0 },
  input_image_mtok: { key: 'inputImage', shift: 0 },
  output_mtok: { key: 'output', shift: 0 },
  output_reasoning_mtok: { key: 'reasoning', shift: 0 },
  output_audio_mtok: { key: 'outputAudio', shift: 0 },
  requests_kcount: { key: 'perRequest', shift: -3 },
  web_searches_kcount: { key: 'perWebSearch', shift: -3 },
  // USD per hour of audio, our audio row's own unit (whisper-1 lists both keys, with one price).
  input_audio_hours: { key: 'perAudioHour', shift: 0 },
  audio_hours: { key: 'perAudioHour', shift: 0 },
};

interface ConvertedPrices {
  prices: PriceSet;
  contextTiers?: ContextTier[];
}

/**
 * Convert genai-prices v2 provider data into a catalog.
 *
 * @param data - the parsed `data.json` (an array of providers).
 * @returns a catalog whose model ids are genai-prices model ids and whose provider ids are
 *   genai-prices provider ids (`openai`, `anthropic`, `google`, `aws`, `x-ai`, …).
 * @throws {CatalogValidationError} when `data` is not genai-prices provider data.
 */
export function importGenaiPrices(data: unknown, options: GenaiPricesImportOptions = {}): CatalogData {
  try {
    return importGenaiPricesUnchecked(data, options);
  } catch (err) {
    throw closedError(err, 'importGenaiPrices');
  }
}

function importGenaiPricesUnchecked(data: unknown, options: GenaiPricesImportOptions = {}): CatalogData {
  const stats = newStats('genai-prices');
  if (!Array.isArray(data)) badInput('genai-prices', '$', 'expected an array of providers (v2 data.json)');
  const providers: Record<string, CatalogProvider> = {};
  const models: CatalogModel[] = [];

  data.forEach((p: unknown, pi) => {
    if (!isRecord(p) || typeof p.id !== 'string' || !Array.isArray(p.models)) {
      badInput('genai-prices', `[${pi}]`, 'expected a provider {id, models: [...]}');
    }
    const providerId = p.id;
    const meta: CatalogProvider = {};
    const aliases = providerMatchNames(p.provider_match).filter((a) => a !== providerId);
    if (aliases.length > 0) meta.aliases = aliases;
    if (Array.isArray(p.fallback_model_providers) && p.fallback_model_providers.length > 0) {
      meta.fallbackProviders = p.fallback_model_providers.filter((x): x is string => typeof x === 'string');
    }
    providers[providerId] = meta;

    for (const m of p.models as unknown[]) {
      stats.seen++;
      if (!isRecord(m) || typeof m.id !== 'string' || m.prices === undefined) {
        countSkip(stats, 'malformed model');
        continue;
      }
      const periods = pricePeriods(m.prices, `${providerId}:${m.id}`, stats);
      const converted = periods.map((period) => ({
        ...period,
        converted: convertPrices(period.prices, stats),
      }));
      // No price keys at all means the source prices the model at $0 (free tiers, `:free` slugs,
      // subscription models); only unsupported keys (document pages) means we cannot price it.
      const free = periods.every((p) => isRecord(p.prices) && Object.keys(p.prices).length === 0);
      if (!free && converted.every((c) => !hasAnyPrice(c.converted.prices))) {
        countSkip(stats, 'no token price');
        continue;
      }
      const { aliases: modelAliases, match } = splitMatch(m.match, m.id);
      const mode = inferMode(providerId, m.id);
      for (const c of converted) {
        models.push(
          compactModel({
            id: m.id,
            provider: providerId,
            name: typeof m.name === 'string' ? m.name : undefined,
            aliases: modelAliases,
            match,
            mode,
            prices: c.converted.prices,
            contextTiers: c.converted.contextTiers,
            validFrom: c.validFrom,
            validUntil: c.validUntil,
            free: free ? true : undefined,
            deprecated: m.deprecated === true ? true : undefined,
            contextWindow:
              typeof m.context_window === 'number' && m.context_window > 0 ? m.context_window : undefined,
          }),
        );
        stats.imported++;
      }
    }
  });

  return finishImport(
    stats,
    options,
    { name: 'genai-prices', url: 'https://github.com/pydantic/genai-prices', license: 'MIT' },
    models,
    providers,
  );
}

/** Exact names a provider goes by, from its `provider_match` rule (string operands only). */
function providerMatchNames(rule: unknown): string[] {
  if (!isRecord(rule)) return [];
  const out: string[] = [];
  for (const k of ['equals', 'contains', 'starts_with', 'ends_with'] as const) {
    const v = rule[k];
    if (typeof v === 'string') out.push(v.toLowerCase());
  }
  // `and` rules (e.g. huggingface + novita) describe no single name; only `or` adds names.
  if (Array.isArray(rule.or)) for (const r of rule.or) out.push(...providerMatchNames(r));
  return [...new Set(out)];
}

/** Convert a genai-prices match rule to ours; string operands lower-cased (the source lower-cases names). */
export function convertMatchRule(rule: unknown): MatchRule | undefined {
  try {
    return convertMatchRuleUnchecked(rule);
  } catch (err) {
    throw closedError(err, 'convertMatchRule');
  }
}

function convertMatchRuleUnchecked(rule: unknown): MatchRule | undefined {
  if (!isRecord(rule)) return undefined;
  if (typeof rule.equals === 'string') return { equals: rule.equals.toLowerCase() };
  if (typeof rule.starts_with === 'string') return { startsWith: rule.starts_with.toLowerCase() };
  if (typeof rule.ends_with === 'string') return { endsWith: rule.ends_with.toLowerCase() };
  if (typeof rule.contains === 'string') return { contains: rule.contains.toLowerCase() };
  if (typeof rule.regex === 'string') return { regex: rule.regex };
  for (const k of ['or', 'and'] as const) {
    const list = rule[k];
    if (Array.isArray(list)) {
      const rules = list.map(convertMatchRule).filter((r): r is MatchRule => r !== undefined);
      if (rules.length === 0) return undefined;
      return k === 'or' ? { or: rules } : { and: rules };
    }
  }
  return undefined;
}

/** Top-level `equals` names become aliases; whatever else the rule says stays a match rule. */
function splitMatch(rule: unknown, id: string): { aliases: string[]; match?: MatchRule } {
  const converted = convertMatchRule(rule);
  if (!converted) return { aliases: [] };
  const members = 'or' in converted ? converted.or : [converted];
  const names: string[] = [];
  const rest: MatchRule[] = [];
  for (const r of members) {
    if ('equals' in r) names.push(r.equals);
    else rest.push(r);
  }
  const lowerId = id.toLowerCase();
  const aliases = [...new Set(names)].filter((n) => n !== lowerId);
  const match = rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : { or: rest };
  return { aliases, match };
}

/** Our mode from the model id; genai-prices has no mode field, so only clear cases are named. */
function inferMode(provider: string, id: string): ModelMode {
  const s = id.toLowerCase();
  if (s.includes('rerank')) return 'other';
  if (s.includes('embed') || provider === 'voyageai') return 'embedding';
  if (/whisper|(^|[-/_.])tts|transcribe/.test(s)) return 'audio';
  if (/dall-e|imagen|gpt-image|flux|stable-diffusion/.test(s)) return 'image';
  if (s.includes('ocr')) return 'other';
  return 'chat';
}

/** One conversion of a genai-prices `ModelPrice` object. */
function convertPrices(raw: unknown, stats: ReturnType<typeof newStats>): ConvertedPrices {
  const prices: PriceSet = {};
  const tiered = new Map<PriceKey, { base: number; tiers: { start: number; price: number }[] }>();
  if (!isRecord(raw)) return { prices };
  for (const [srcKey, value] of Object.entries(raw)) {
    if (value === undefined || value === null) continue;
    const target = KEY_MAP[srcKey];
    if (!target) {
      countDroppedKey(stats, srcKey);
      continue;
    }
    if (isPrice(value)) {
      prices[target.key] = scaleDecimal(value, target.shift);
    } else if (isRecord(value) && isPrice(value.base) && Array.isArray(value.tiers)) {
      const tiers = value.tiers
        .filter(
          (t): t is { start: number; price: number } => isRecord(t) && isPrice(t.start) && isPrice(t.price),
        )
        .map((t) => ({ start: t.start, price: scaleDecimal(t.price, target.shift) }))
        .sort((a, b) => a.start - b.start);
      let base = scaleDecimal(value.base, target.shift);
      // A tier starting at 0 applies to every non-empty call: it is the real base price.
      while (tiers.length > 0 && tiers[0]!.start <= 0) base = tiers.shift()!.price;
      prices[target.key] = base;
      if (tiers.length > 0) tiered.set(target.key, { base, tiers });
    }
  }
  if (tiered.size === 0) return { prices };
  const starts = [...new Set([...tiered.values()].flatMap((t) => t.tiers.map((x) => x.start)))].sort(
    (a, b) => a - b,
  );
  const contextTiers: ContextTier[] = starts.map((above) => {
    const tierPrices: PriceSet = {};
    for (const [key, t] of tiered) {
      // The price in effect for this key once the prompt is above `above` tokens.
      let price = t.base;
      for (const x of t.tiers) if (x.start <= above) price = x.price;
      if (price !== t.base) tierPrices[key] = price;
    }
    return { above, prices: tierPrices };
  });
  return { prices, contextTiers };
}

interface PricePeriod {
  prices: unknown;
  validFrom?: string;
  validUntil?: string;
}

interface Constraint {
  startDate?: string;
  window?: { start: number; end: number };
}

/**
 * Split `prices` (a price object or a list of conditional prices) into date periods, each with the
 * one price object that applies. Mirrors the source engine: the last entry whose constraint holds wins,
 * and the first entry is the fallback.
 */
function pricePeriods(raw: unknown, label: string, stats: ReturnType<typeof newStats>): PricePeriod[] {
  if (!Array.isArray(raw)) return [{ prices: raw }];
  const entries = raw
    .filter(isRecord)
    .map((e) => ({ prices: e.prices, constraint: parseConstraint(e.constraint) }));
  if (entries.length === 0) return [{ prices: undefined }];
  const hasWindows = entries.some((e) => e.constraint?.window);
  const dates = [
    ...new Set(entries.map((e) => e.constraint?.startDate).filter((d): d is string => !!d)),
  ].sort();

  const active = (t: Date): number => {
    for (let i = entries.length - 1; i >= 0; i--) {
      const c = entries[i]!.constraint;
      if (!c) return i;
      if (c.startDate !== undefined && t.getTime() >= Date.parse(`${c.startDate}T00:00:00Z`)) return i;
      if (c.window) {
        const sec = t.getUTCHours() * 3600 + t.getUTCMinutes() * 60 + t.getUTCSeconds();
        const { start, end } = c.window;
        if (end < start ? sec >= start || sec < end : sec >= start && sec < end) return i;
      }
    }
    return 0;
  };
  // The entry that applies for most of a UTC day (ties go to the earlier entry).
  const majority = (dayStartMs: number): number => {
    const counts = new Array<number>(entries.length).fill(0);
    for (let minute = 0; minute < 1440; minute++) counts[active(new Date(dayStartMs + minute * 60_000))]!++;
    let best = 0;
    for (let i = 1; i < counts.length; i++) if (counts[i]! > counts[best]!) best = i;
    return best;
  };

  const dayMs = 86_400_000;
  const firstDay = dates.length > 0 ? Date.parse(`${dates[0]}T00:00:00Z`) - dayMs : Date.UTC(2000, 0, 1);
  const boundaries: { from?: string; day: number }[] = [{ day: firstDay }];
  for (const d of dates) boundaries.push({ from: d, day: Date.parse(`${d}T00:00:00Z`) });

  const periods: PricePeriod[] = [];
  let lastKey = '';
  for (const b of boundaries) {
    const chosen = entries[majority(b.day)]!;
    const key = JSON.stringify(chosen.prices);
    if (periods.length > 0 && key === lastKey) continue;
    const prev = periods[periods.length - 1];
    if (prev && b.from) prev.validUntil = b.from;
    periods.push(b.from ? { prices: chosen.prices, validFrom: b.from } : { prices: chosen.prices });
    lastKey = key;
  }
  if (hasWindows) {
    addNote(stats, `${label}: time-of-day prices reduced to the price that applies for most of the UTC day`);
  }
  return periods;
}

function parseConstraint(c: unknown): Constraint | undefined {
  if (!isRecord(c)) return undefined;
  if (typeof c.start_date === 'string') return { startDate: c.start_date.slice(0, 10) };
  if (typeof c.start_time === 'string' && typeof c.end_time === 'string') {
    const start = timeOfDaySeconds(c.start_time);
    const end = timeOfDaySeconds(c.end_time);
    if (start !== undefined && end !== undefined) return { window: { start, end } };
  }
  return undefined;
}

/** `HH:MM:SS[.fff](Z|±HH:MM)` → seconds after UTC midnight. */
function timeOfDaySeconds(s: string): number | undefined {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/.exec(s);
  if (!m) return undefined;
  const local = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  const offset = m[4] === 'Z' ? 0 : (m[5] === '+' ? 1 : -1) * (Number(m[6]) * 3600 + Number(m[7]) * 60);
  return (((local - offset) % 86_400) + 86_400) % 86_400;
}
