import { PriceCatalog } from '../../src/pricing/index.js';
import type { CostRecord } from '../../src/tracker/index.js';
import { CostTracker } from '../../src/tracker/index.js';

/**
 * Price facts of the LangChain integration tests, USD per 1M tokens. Tests compute expected costs
 * from these numbers themselves (pico-USD per token = price × 1e6).
 */
export const PRICES = {
  gpt4o: { input: 2.5, cacheRead: 1.25, output: 10 },
  gpt4oPriority: { input: 4.25, cacheRead: 2.125, output: 17 },
  o4mini: { input: 1.1, cacheRead: 0.275, output: 4.4 },
  sonnet: { input: 3, cacheRead: 0.3, cacheWrite: 3.75, cacheWrite1h: 6, output: 15 },
  gemini: { input: 0.3, cacheRead: 0.075, output: 2.5 },
  bedrockSonnet: { input: 3, cacheRead: 0.3, cacheWrite: 3.75, output: 15 },
  mistral: { input: 2, output: 6 },
  groq: { input: 0.59, output: 0.79 },
} as const;

/** Pico-USD for `tokens` at `pricePerMillion` USD per 1M tokens (exact for the prices above). */
export function pico(tokens: number, pricePerMillion: number): number {
  return Math.round(tokens * pricePerMillion * 1e6);
}

/** A small catalog with only the test's price facts (override layer). */
export function testCatalog(): PriceCatalog {
  return PriceCatalog.fromData(
    {
      version: 1,
      models: [
        {
          id: 'gpt-4o-2024-08-06',
          provider: 'openai',
          aliases: ['gpt-4o'],
          prices: { ...PRICES.gpt4o },
          serviceTiers: { priority: { ...PRICES.gpt4oPriority }, flex: { multiplier: 0.5 } },
        },
        { id: 'o4-mini-2025-04-16', provider: 'openai', aliases: ['o4-mini'], prices: { ...PRICES.o4mini } },
        {
          id: 'claude-sonnet-4-5-20250929',
          provider: 'anthropic',
          aliases: ['claude-sonnet-4-5'],
          prices: { ...PRICES.sonnet },
        },
        { id: 'gemini-2.5-flash', provider: 'google', prices: { ...PRICES.gemini } },
        {
          id: 'anthropic.claude-3-5-sonnet-20241022-v2:0',
          provider: 'aws',
          prices: { ...PRICES.bedrockSonnet },
        },
        {
          id: 'mistral-large-2411',
          provider: 'mistral',
          aliases: ['mistral-large-latest'],
          prices: { ...PRICES.mistral },
        },
        { id: 'llama-3.3-70b-versatile', provider: 'groq', prices: { ...PRICES.groq } },
      ],
    },
    'override',
  );
}

/** A tracker with no sinks (nothing written to disk). */
export function testTracker(options: ConstructorParameters<typeof CostTracker>[0] = {}): CostTracker {
  return new CostTracker({ sinks: [], ...options });
}

/** The only record of a tracker (fails the test when there is not exactly one). */
export function onlyRecord(tracker: CostTracker): CostRecord {
  const all = tracker.recent();
  if (all.length !== 1) throw new Error(`expected exactly one record, got ${all.length}`);
  return all[0]!;
}

/** The usage buckets of a record that are not zero. */
export function nonZero(usage: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(usage).filter(([, v]) => v !== 0));
}
