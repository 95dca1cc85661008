import type { CostResult } from '../../src/pricing/cost-result.js';
import { emptyCosts } from '../../src/pricing/cost-result.js';
import { calculateCost, PriceCatalog } from '../../src/pricing/index.js';
import { emptyUsage, type TokenUsage } from '../../src/usage/token-usage.js';

/** Price facts of the test catalog, USD per 1M tokens (tests compute expected costs from these). */
export const PRICES = {
  'gpt-4o': { input: 2.5, cacheRead: 1.25, output: 10 },
  'claude-x': { input: 3, cacheRead: 0.3, cacheWrite: 3.75, output: 15 },
  mini: { input: 0.15, output: 0.6 },
} as const;

/** A small catalog with the prices above. */
export function testCatalog(): PriceCatalog {
  return PriceCatalog.fromData({
    version: 1,
    models: [
      { id: 'gpt-4o', provider: 'openai', prices: { ...PRICES['gpt-4o'] } },
      { id: 'claude-x', provider: 'anthropic', prices: { ...PRICES['claude-x'] } },
      { id: 'mini', provider: 'openai', prices: { ...PRICES.mini } },
    ],
  });
}

const catalog = testCatalog();

/** Price a call with the test catalog. */
export function priced(model: keyof typeof PRICES, usage: Partial<TokenUsage>): CostResult {
  const r = calculateCost({ model, usage }, catalog);
  if (r === null) throw new Error(`test catalog has no ${model}`);
  return r;
}

/**
 * A CostResult built by hand with an exact pico cost (all of it on `input`), for tests that need
 * arbitrary amounts.
 */
export function handResult(pico: number, model = 'hand-model', provider = 'openai', input = 100): CostResult {
  const usage = { ...emptyUsage(), input };
  const costs = { ...emptyCosts(), input: pico / 1e12 };
  return {
    model,
    resolvedModel: model,
    provider,
    usage,
    costs,
    total: pico / 1e12,
    totalPico: pico,
    currency: 'USD',
    tier: 'standard',
    serviceTier: 'standard',
    contextTier: null,
    source: 'catalog',
    layer: 'bundled',
    estimated: false,
  };
}

/** Exact decimal string (12 decimals) of a BigInt pico amount, computed independently of the library. */
export function decimal12(pico: bigint): string {
  const s = pico.toString().padStart(13, '0');
  return `${s.slice(0, -12)}.${s.slice(-12)}`;
}

/** A controllable clock. */
export function clock(start: number): { now: () => number; set(t: number): void; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    set(v: number) {
      t = v;
    },
    advance(ms: number) {
      t += ms;
    },
  };
}
