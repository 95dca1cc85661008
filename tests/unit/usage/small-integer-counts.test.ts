/**
 * Token counts that arrive as heap numbers (integral doubles: float arithmetic upstream, e.g. the
 * bench's `(k * 104729) % 800` past k = 20,505, or `>>> 0` of a 32-bit value) are stored in usages
 * as small integers. One heap number stored in a usage field makes V8 keep that field of every usage
 * (they share one hidden class) as a boxed double from then on: a box allocated with each usage, and
 * the code that reads the field made again for doubles. V8 never goes back, so these checks run in a
 * file of their own (vitest runs each file in a fresh process): another test that stores a heap
 * number first would make every usage field read back as one.
 */
import { setFlagsFromString } from 'node:v8';
import { expect, it } from 'vitest';
import { calculateCost, PriceCatalog } from '../../../src/pricing/index.js';
import { extractOtelUsage } from '../../../src/usage/extract-otel.js';
import type { TokenUsage } from '../../../src/usage/token-usage.js';

/** V8's own answer to "is this number a small integer (not a heap number)?" (natives syntax, for this one function). */
function isSmallInteger(n: number): boolean {
  setFlagsFromString('--allow-natives-syntax');
  return new Function('n', 'return %IsSmi(n)')(n) as boolean;
}

/** `n` as a heap number of the same value. */
const asDouble = (n: number) => (n * 2 ** 40) / 2 ** 40;

const counts = (u: TokenUsage) => [u.input, u.cacheRead, u.output];

it('the counts are heap numbers to begin with', () => {
  expect([asDouble(1200), asDouble(200), asDouble(300)].map(isSmallInteger)).toEqual([false, false, false]);
});

it('extractOtelUsage gives them back as small integers of the same value', () => {
  const x = extractOtelUsage({
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.usage.input_tokens': asDouble(1200),
    'gen_ai.usage.cache_read.input_tokens': asDouble(200),
    'gen_ai.usage.output_tokens': asDouble(300),
  });
  expect(counts(x.usage!)).toEqual([1000, 200, 300]);
  expect(counts(x.usage!).map(isSmallInteger)).toEqual([true, true, true]);
});

it('calculateCost too', () => {
  const catalog = PriceCatalog.fromData(
    { version: 1, models: [{ id: 'm', provider: 'p', prices: { input: 1, output: 2 } }] },
    'user',
    'test',
  );
  const r = calculateCost(
    { model: 'm', usage: { input: asDouble(1000), cacheRead: asDouble(200), output: asDouble(300) } },
    catalog,
  )!;
  expect(counts(r.usage)).toEqual([1000, 200, 300]);
  expect(counts(r.usage).map(isSmallInteger)).toEqual([true, true, true]);
});

it('-0 stays -0 (last: it is a heap number itself)', () => {
  const x = extractOtelUsage({
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.usage.input_tokens': 10,
    'gen_ai.usage.output_tokens': -0,
  });
  expect(Object.is(x.usage!.output, -0)).toBe(true);
  const r = calculateCost(
    { model: 'gpt-4o', usage: { input: 10, output: -0 } },
    PriceCatalog.fromData(
      { version: 1, models: [{ id: 'gpt-4o', provider: 'openai', prices: { input: 1, output: 2 } }] },
      'user',
      'test',
    ),
  )!;
  expect(Object.is(r.usage.output, -0)).toBe(true);
});
