import { closedError } from '../../errors.js';
import type { CatalogData } from '../../pricing/types.js';
import { collectCatalogIssues, MAX_PRICE } from '../../pricing/validate.js';
import { PriceSyncError } from './errors.js';

/** Largest price accepted for a token, per 1M tokens (USD); the catalog validator uses the same bound. */
export const MAX_PRICE_PER_MILLION = MAX_PRICE;
/** Largest price accepted for a non-token unit (request, image, second, page, search), USD. */
export const MAX_PRICE_PER_UNIT = MAX_PRICE;

/** Source formats the guards understand. */
export type RawPriceFormat = 'catalog' | 'litellm' | 'genai-prices' | 'langfuse';

/** One implausible value found in a downloaded price file. */
export interface HostileValue {
  /** JSON path of the value. */
  path: string;
  /** The value as found. */
  value: unknown;
  /** Why it was rejected. */
  why: string;
}

const GENAI_UNIT = /_(mtok|kcount|mchars|hours|gpixels|kpages)$/;

function check(value: unknown, path: string, max: number, unit: string, out: HostileValue[]): void {
  if (value === null || value === undefined) return;
  if (typeof value !== 'number') {
    out.push({ path, value, why: 'not a number' });
  } else if (!Number.isFinite(value)) {
    out.push({ path, value, why: 'not a finite number' });
  } else if (value < 0) {
    out.push({ path, value, why: 'negative price' });
  } else if (value > max) {
    out.push({ path, value, why: `implausible price (> ${max} ${unit})` });
  }
}

/**
 * LiteLLM prices are USD per single unit. Keys that mention `token` are per token
 * (bounded at $10,000 per 1M tokens); other cost keys are per image, second, page, query…
 * (bounded at $10,000 per unit). Nested cost objects (`search_context_cost_per_query`,
 * `tiered_pricing`) are walked too.
 */
function scanLiteLLM(data: Record<string, unknown>, out: HostileValue[]): void {
  const walk = (v: unknown, path: string, key: string): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${path}[${i}]`, key));
      return;
    }
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'range') continue;
        walk(x, `${path}.${k}`, /cost/.test(k) ? k : key);
      }
      return;
    }
    if (!/cost/.test(key) || /multiplier|billing_unit/.test(key)) return;
    const perToken = /token/.test(key);
    check(
      v,
      path,
      perToken ? MAX_PRICE_PER_MILLION / 1e6 : MAX_PRICE_PER_UNIT,
      perToken ? 'USD per token' : 'USD per unit',
      out,
    );
  };
  for (const [model, rec] of Object.entries(data)) {
    if (model === 'sample_spec' || !rec || typeof rec !== 'object') continue;
    for (const [k, v] of Object.entries(rec as Record<string, unknown>)) {
      if (/cost/.test(k) || k === 'tiered_pricing') walk(v, `${JSON.stringify(model)}.${k}`, k);
    }
  }
}

/** genai-prices: a price is a number or `{base, tiers: [{start, price}]}`, keyed by a unit (`_mtok`, `_kcount`…). */
function scanGenai(data: unknown[], out: HostileValue[]): void {
  const scanPrices = (prices: unknown, path: string): void => {
    if (!prices || typeof prices !== 'object') return;
    for (const [k, v] of Object.entries(prices as Record<string, unknown>)) {
      if (!GENAI_UNIT.test(k)) continue;
      const max = k.endsWith('_mtok') ? MAX_PRICE_PER_MILLION : MAX_PRICE_PER_UNIT * 1000;
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const t = v as { base?: unknown; tiers?: unknown };
        check(t.base, `${path}.${k}.base`, max, 'USD per 1M', out);
        if (Array.isArray(t.tiers)) {
          t.tiers.forEach((tier, i) =>
            check(
              (tier as { price?: unknown })?.price,
              `${path}.${k}.tiers[${i}].price`,
              max,
              'USD per 1M',
              out,
            ),
          );
        }
      } else {
        check(v, `${path}.${k}`, max, k.endsWith('_mtok') ? 'USD per 1M tokens' : 'USD per unit block', out);
      }
    }
  };
  data.forEach((provider, pi) => {
    const models = (provider as { models?: unknown })?.models;
    if (!Array.isArray(models)) return;
    models.forEach((m, mi) => {
      const prices = (m as { prices?: unknown })?.prices;
      const path = `[${pi}].models[${mi}].prices`;
      if (Array.isArray(prices))
        prices.forEach((c, ci) => scanPrices((c as { prices?: unknown })?.prices, `${path}[${ci}].prices`));
      else scanPrices(prices, path);
    });
  });
}

/** Langfuse model definitions: prices per usage key per unit (USD per token for token keys). */
function scanLangfuse(data: unknown[], out: HostileValue[]): void {
  data.forEach((m, mi) => {
    const tiers = (m as { pricingTiers?: unknown })?.pricingTiers;
    if (!Array.isArray(tiers)) return;
    tiers.forEach((t, ti) => {
      const prices = (t as { prices?: unknown })?.prices;
      if (!prices || typeof prices !== 'object') return;
      for (const [k, v] of Object.entries(prices as Record<string, unknown>)) {
        check(v, `[${mi}].pricingTiers[${ti}].prices.${k}`, MAX_PRICE_PER_UNIT, 'USD per unit', out);
      }
    });
  });
}

/**
 * Scan a downloaded price file, before any import, for values no real price list contains:
 * negative, non-numeric, non-finite or enormous prices. Importers may drop such records quietly;
 * a sync must instead refuse the whole file, because a source that publishes one absurd price may
 * publish others that look plausible.
 */
export function findHostileValues(raw: unknown, format: RawPriceFormat): HostileValue[] {
  try {
    return findHostileValuesUnchecked(raw, format);
  } catch (err) {
    throw closedError(err, 'findHostileValues');
  }
}

function findHostileValuesUnchecked(raw: unknown, format: RawPriceFormat): HostileValue[] {
  const out: HostileValue[] = [];
  if (format === 'litellm' && raw && typeof raw === 'object' && !Array.isArray(raw))
    scanLiteLLM(raw as Record<string, unknown>, out);
  else if (format === 'genai-prices' && Array.isArray(raw)) scanGenai(raw, out);
  else if (format === 'langfuse' && Array.isArray(raw)) scanLangfuse(raw, out);
  // The catalog format is checked by the catalog validator after import.
  return out;
}

/** Throw when {@link findHostileValues} found anything. */
export function assertNoHostileValues(raw: unknown, format: RawPriceFormat, where: string): void {
  try {
    assertNoHostileValuesUnchecked(raw, format, where);
  } catch (err) {
    throw closedError(err, 'assertNoHostileValues');
  }
}

function assertNoHostileValuesUnchecked(raw: unknown, format: RawPriceFormat, where: string): void {
  const bad = findHostileValues(raw, format);
  if (bad.length === 0) return;
  const lines = bad.slice(0, 5).map((b) => `  - ${b.path} = ${JSON.stringify(b.value)}: ${b.why}`);
  if (bad.length > 5) lines.push(`  … and ${bad.length - 5} more`);
  throw new PriceSyncError(
    'hostile-values',
    `refusing ${where}: ${bad.length} implausible price value(s):\n${lines.join('\n')}`,
  );
}

/** Throw unless the imported catalog passes the catalog validator and prices at least `minModels` models. */
export function assertValidCatalog(data: CatalogData, where: string, minModels: number): void {
  try {
    assertValidCatalogUnchecked(data, where, minModels);
  } catch (err) {
    throw closedError(err, 'assertValidCatalog');
  }
}

function assertValidCatalogUnchecked(data: CatalogData, where: string, minModels: number): void {
  const issues = collectCatalogIssues(data);
  if (issues.length > 0) {
    const lines = issues.slice(0, 5).map((i) => `  - ${i.path}: ${i.message}`);
    if (issues.length > 5) lines.push(`  … and ${issues.length - 5} more`);
    throw new PriceSyncError(
      'invalid-data',
      `refusing ${where}: the imported prices do not validate:\n${lines.join('\n')}`,
    );
  }
  if (data.models.length < minModels) {
    throw new PriceSyncError(
      'invalid-data',
      `refusing ${where}: it yields ${data.models.length} priced model(s), fewer than the minimum of ${minModels}`,
    );
  }
}

/**
 * The shrink guard: a source that suddenly lists far fewer models than last time is more likely
 * broken (a truncated or placeholder file) than pruned. Refuse when the new count is below
 * `previous × (1 − maxShrinkRatio)`.
 */
export function assertNotShrunk(
  count: number,
  previous: number | undefined,
  maxShrinkRatio: number,
  where: string,
): void {
  try {
    assertNotShrunkUnchecked(count, previous, maxShrinkRatio, where);
  } catch (err) {
    throw closedError(err, 'assertNotShrunk');
  }
}

function assertNotShrunkUnchecked(
  count: number,
  previous: number | undefined,
  maxShrinkRatio: number,
  where: string,
): void {
  if (previous === undefined || previous <= 0) return;
  const floor = Math.ceil(previous * (1 - maxShrinkRatio));
  if (count < floor) {
    throw new PriceSyncError(
      'shrink',
      `refusing ${where}: it lists ${count} models, down from ${previous} last time (more than ${Math.round(maxShrinkRatio * 100)}% fewer). ` +
        'If the source really dropped them, run the sync with a higher --max-shrink.',
    );
  }
}
