/**
 * The bucket table (src/usage/buckets.ts) is the one list of price buckets. Every path that names
 * buckets either derives from it at run time or is generated from it (scripts/generate-bucket-code.ts):
 * these tests fail when a generated file is stale, and walk the table bucket by bucket through each
 * path — usage validation, prompt/completion sides, the calculator with its fallbacks, the record
 * check, the ledger line and the Langfuse details — so a path that puts a bucket's tokens or money
 * under another bucket's key (the risk of any unrolled code) is caught.
 */
import { describe, expect, it } from 'vitest';
import { staleBucketCode } from '../../../scripts/generate-bucket-code.js';
import { InvalidRecordError, InvalidUsageError } from '../../../src/errors.js';
import { ledgerLineJson } from '../../../src/ledger/line.js';
import { calculateCost } from '../../../src/pricing/calculator.js';
import { PriceCatalog } from '../../../src/pricing/catalog.js';
import type { PriceSet } from '../../../src/pricing/types.js';
import { CostTracker } from '../../../src/tracker/index.js';
import { BUCKETS, type BucketRow, PRICE_KEYS } from '../../../src/usage/buckets.js';
import { toLangfuseCostDetails, toLangfuseUsageDetails } from '../../../src/usage/details.js';
import { completionTokens, normalizeUsage, promptTokens } from '../../../src/usage/token-usage.js';

const ROWS: readonly BucketRow[] = BUCKETS;
const N = 7;

/** A catalog with one model whose every price key has its own price: key i costs i + 1 (USD per unit). */
function catalogWith(prices: PriceSet): PriceCatalog {
  return PriceCatalog.fromData(
    { version: 1, models: [{ id: 'm', provider: 'acme', prices }] },
    'user',
    'test',
  );
}
const distinct: PriceSet = Object.fromEntries(PRICE_KEYS.map((k, i) => [k, i + 1]));

/**
 * USD for `n` units of bucket `r` at `usdPerUnit` (a price for `r.per` units: 1M tokens or characters,
 * an hour of audio, one image), in pico, rounded once as the calculator rounds.
 */
function pico(r: BucketRow, n: number, usdPerUnit: number): number {
  return Math.round((n * usdPerUnit * 1e12) / r.per);
}

it('the generated files are up to date (regenerate: npm run generate)', () => {
  expect(staleBucketCode()).toEqual([]);
}, 30_000);

describe.each(ROWS.map((r, i) => [r.key, r, i] as const))('bucket %s', (key, row, i) => {
  const usage = { [key]: N };

  it('is read and validated under its own key', () => {
    const u = normalizeUsage(usage) as unknown as Record<string, number>;
    for (const r of ROWS) expect(u[r.key], r.key).toBe(r.key === key ? N : 0);
    expect(() => normalizeUsage({ [key]: -1 })).toThrow(InvalidUsageError);
    expect(() => normalizeUsage({ [key]: -1 })).toThrow(`usage.${key}`);
  });

  it('counts on its side of the call', () => {
    const u = normalizeUsage(usage);
    expect(promptTokens(u)).toBe(row.side === 'input' ? N : 0);
    expect(completionTokens(u)).toBe(row.side === 'output' ? N : 0);
  });

  it('is priced at its own price, under its own key, and only there', () => {
    const r = calculateCost({ model: 'm', usage }, catalogWith(distinct))!;
    const costs = r.costs as Record<string, number>;
    const perRequestFee = pico(ROWS.find((x) => x.minPerCall > 0)!, 1, PRICE_KEYS.indexOf('perRequest') + 1);
    for (const other of ROWS) {
      let want = other.key === key ? pico(row, N, i + 1) : 0;
      // A per-request fee is charged once per call when the usage counts no request.
      if (other.minPerCall > 0 && other.key !== key) want = perRequestFee;
      expect(costs[other.key]! * 1e12, other.key).toBeCloseTo(want, 3);
    }
  });

  it(`falls back to ${row.fallback ?? 'nothing'} when it has no price of its own`, () => {
    const prices: PriceSet = { ...distinct };
    delete prices[row.price as keyof PriceSet];
    const r = calculateCost({ model: 'm', usage }, catalogWith(prices))!;
    const fallbackPrice = row.fallback === null ? 0 : PRICE_KEYS.indexOf(row.fallback as never) + 1;
    expect((r.costs as Record<string, number>)[key]! * 1e12).toBeCloseTo(pico(row, N, fallbackPrice), 3);
  });

  it('keeps its key through the record check, the ledger line and the Langfuse details', () => {
    const result = calculateCost({ model: 'm', usage }, catalogWith(distinct))!;
    const t = new CostTracker();
    const rec = t.record(result);
    expect((rec.usage as unknown as Record<string, number>)[key]).toBe(N);
    const line = JSON.parse(ledgerLineJson(rec)) as {
      usage_details: Record<string, number>;
      cost_details: Record<string, number>;
    };
    const cost = (result.costs as Record<string, number>)[key]!;
    if (row.usageDetail) {
      expect(line.usage_details[row.langfuse]).toBe(N);
      expect(toLangfuseUsageDetails(result.usage)[row.langfuse]).toBe(N);
    } else expect(line.usage_details[row.langfuse]).toBeUndefined();
    expect(line.cost_details[row.langfuse]).toBeCloseTo(cost, 12);
    expect(toLangfuseCostDetails(result)[row.langfuse]).toBeCloseTo(cost, 12);
    // A bad value under this key is refused, naming it.
    const bad = { ...result, usage: { ...result.usage, [key]: 1.5 } };
    expect(() => t.record(bad)).toThrow(InvalidRecordError);
    expect(() => t.record(bad)).toThrow(`result.usage.${key}`);
  });
});

it('every Langfuse key holds "input" or "output", so Langfuse splits costs by side', () => {
  const SIDE = { input: /^input/, output: /^output/, fee: /^(input|output)_/ };
  for (const r of ROWS) expect(r.langfuse, r.key).toMatch(SIDE[r.side]);
  expect(new Set(ROWS.map((r) => r.langfuse)).size).toBe(ROWS.length);
  expect(new Set(ROWS.map((r) => r.flag)).size).toBe(ROWS.length);
});

it('token buckets come first (slots below the token count are tokens, in aggregates)', () => {
  const firstCount = ROWS.findIndex((r) => r.kind === 'count');
  expect(ROWS.slice(firstCount).every((r) => r.kind === 'count')).toBe(true);
});
