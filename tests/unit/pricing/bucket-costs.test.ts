/**
 * Cost breakdowns (src/pricing/bucket-costs.generated.ts) are plain objects, exactly as a literal
 * would make them, but built by a constructor so that V8 gives them a hidden class of their own. With
 * the literal, usages and breakdowns shared one hidden class (same keys, same order), and the dollar
 * fractions stored in breakdowns made V8 box every token count of every usage as a heap number — about
 * 1 KB more garbage per priced and recorded call.
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { emptyCosts } from '../../../src/pricing/bucket-costs.generated.js';
import { calculateCost } from '../../../src/pricing/calculator.js';
import { PriceCatalog } from '../../../src/pricing/catalog.js';
import type { CostResult } from '../../../src/pricing/cost-result.js';
import { CostTracker } from '../../../src/tracker/index.js';
import { BUCKETS } from '../../../src/usage/buckets.js';

// gpt-4o as OpenAI publishes it: $2.50 input, $1.25 cached input, $10 output per 1M tokens.
const catalog = PriceCatalog.fromData(
  {
    version: 1,
    models: [{ id: 'gpt-4o', provider: 'openai', prices: { input: 2.5, cacheRead: 1.25, output: 10 } }],
  },
  'user',
  'test',
);
const usage = { input: 1000, cacheRead: 200, output: 300 };

/** The price of the call above (the catalog has it). */
function priced(): CostResult {
  const r = calculateCost({ model: 'gpt-4o', usage }, catalog);
  if (r === null) throw new Error('gpt-4o has a price in this catalog');
  return r;
}

/** V8's own answer to "same hidden class?" (natives syntax, enabled for this one function). */
function sameHiddenClass(a: object, b: object): boolean {
  setFlagsFromString('--allow-natives-syntax');
  return new Function('a', 'b', 'return %HaveSameMap(a, b)')(a, b) as boolean;
}

describe('cost breakdowns', () => {
  it('are plain objects with the buckets in table order, like a literal', () => {
    const literal = Object.fromEntries(BUCKETS.map((b) => [b.key, 0]));
    for (const costs of [emptyCosts(), priced().costs, new CostTracker().record(priced()).costs]) {
      expect(Object.getPrototypeOf(costs)).toBe(Object.prototype);
      expect(costs.constructor).toBe(Object);
      expect(Object.keys(costs)).toEqual(BUCKETS.map((b) => b.key));
      expect(costs).toStrictEqual({ ...literal, ...costs });
    }
    const r = priced();
    // 1000 uncached × $2.50, 200 cached × $1.25 and 300 output × $10, per 1M tokens.
    expect(JSON.stringify(r.costs)).toBe(
      JSON.stringify({ ...literal, input: 0.0025, cacheRead: 0.00025, output: 0.003 }),
    );
  });

  it('do not share a hidden class with token usages (which then stay unboxed small integers)', () => {
    const r = priced();
    expect(sameHiddenClass(r.usage, r.costs)).toBe(false);
    const rec = new CostTracker().record(r);
    expect(sameHiddenClass(rec.usage, rec.costs)).toBe(false);
    expect(sameHiddenClass(rec.costs, r.costs)).toBe(true);
  });
});
