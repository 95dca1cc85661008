/**
 * GPU time (`gpuMilliseconds`, priced `perGpuHour`): filled by priceCall from the call's duration
 * only for a model priced per GPU hour, times its `gpus`. Rates are written here: $2.49 per GPU hour
 * (an on-demand H100), $98.32 per hour for a whole 8-GPU node.
 */
import { describe, expect, it, vi } from 'vitest';
import { CatalogValidationError } from '../../../src/errors.js';
import { calculateCost } from '../../../src/pricing/calculator.js';
import { PriceCatalog } from '../../../src/pricing/catalog.js';
import { priceCall } from '../../../src/pricing/price-call.js';
import { normalizeUsage } from '../../../src/usage/token-usage.js';

const H100 = 2.49;

function gpuCatalog(gpus?: number): PriceCatalog {
  return new PriceCatalog().addLayer('user', {
    version: 1,
    models: [
      {
        id: 'llama3.3:70b',
        provider: 'ollama',
        prices: { input: 0.01, output: 0.01, perGpuHour: H100 },
        ...(gpus === undefined ? {} : { gpus }),
      },
      { id: 'per-token-only', provider: 'vllm', prices: { input: 0.2, output: 0.2 } },
    ],
  });
}

const usage = normalizeUsage({ input: 1000, output: 1000 });
/** 2,000 tokens × $0.01/1M */
const TOKENS_PICO = 20_000_000;

describe('priceCall: GPU time from the call duration', () => {
  it('one GPU by default: 1 h of call = $2.49 plus the tokens', () => {
    const o = priceCall(
      { models: ['llama3.3:70b'], provider: 'ollama', usage, durationMs: 3_600_000 },
      gpuCatalog(),
    );
    expect(o.status).toBe('priced');
    if (o.status === 'unpriced') return;
    expect(o.result.usage.gpuMilliseconds).toBe(3_600_000);
    expect(o.result.totalPico).toBe(2_490_000_000_000 + TOKENS_PICO);
  });

  it('times the entry’s GPUs, rounded to the millisecond once', () => {
    // 1,234.4 ms × 8 = 9,875.2 → 9,875 GPU-ms; 9,875 × $2.49 / 3,600,000 = $0.006830208333…
    const o = priceCall(
      { models: ['llama3.3:70b'], provider: 'ollama', usage, durationMs: 1234.4 },
      gpuCatalog(8),
    );
    if (o.status === 'unpriced') throw new Error('unpriced');
    expect(o.result.usage.gpuMilliseconds).toBe(9875);
    expect(o.result.costs.gpuMilliseconds).toBe(0.006830208333);
    expect(o.result.totalPico).toBe(6_830_208_333 + TOKENS_PICO);
  });

  it('a model without a GPU rate, a missing or bad duration: no GPU time', () => {
    const c = gpuCatalog();
    for (const durationMs of [undefined, Number.NaN, -5, Number.POSITIVE_INFINITY, 0]) {
      const o = priceCall({ models: ['llama3.3:70b'], provider: 'ollama', usage, durationMs }, c);
      if (o.status === 'unpriced') throw new Error('unpriced');
      expect(o.result.usage.gpuMilliseconds).toBe(0);
      expect(o.result.totalPico).toBe(TOKENS_PICO);
    }
    const t = priceCall({ models: ['per-token-only'], provider: 'vllm', usage, durationMs: 5000 }, c);
    if (t.status === 'unpriced') throw new Error('unpriced');
    expect(t.result.usage.gpuMilliseconds).toBe(0);
    // 2,000 tokens × $0.20/1M
    expect(t.result.totalPico).toBe(400_000_000);
  });

  it('a usage that already counts GPU time keeps it', () => {
    const own = normalizeUsage({ input: 1000, output: 1000, gpuMilliseconds: 720_000 });
    const o = priceCall(
      { models: ['llama3.3:70b'], provider: 'ollama', usage: own, durationMs: 9999 },
      gpuCatalog(),
    );
    if (o.status === 'unpriced') throw new Error('unpriced');
    expect(o.result.usage.gpuMilliseconds).toBe(720_000);
    // 0.2 h × $2.49 = $0.498
    expect(o.result.totalPico).toBe(498_000_000_000 + TOKENS_PICO);
  });

  it('a free self-hosted model stays free and gets no GPU time', () => {
    const o = priceCall(
      { models: ['llama3.2:3b'], provider: 'ollama', usage, durationMs: 5000 },
      gpuCatalog(),
    );
    expect(o.status).toBe('free');
    if (o.status === 'unpriced') return;
    expect(o.result.usage.gpuMilliseconds).toBe(0);
  });

  it('a catalog priced after its first call is seen (the check follows the catalog version)', () => {
    const c = new PriceCatalog().addLayer('user', {
      version: 1,
      models: [{ id: 'm', provider: 'vllm', prices: { input: 1, output: 1 } }],
    });
    const before = priceCall({ models: ['m'], provider: 'vllm', usage, durationMs: 3_600_000 }, c);
    if (before.status === 'unpriced') throw new Error('unpriced');
    expect(before.result.usage.gpuMilliseconds).toBe(0);
    c.override({ id: 'm', provider: 'vllm', prices: { perGpuHour: H100 } });
    const after = priceCall({ models: ['m'], provider: 'vllm', usage, durationMs: 3_600_000 }, c);
    if (after.status === 'unpriced') throw new Error('unpriced');
    expect(after.result.totalPico).toBe(2_490_000_000_000);
  });
});

describe('the cost of looking for a GPU rate', () => {
  it('is one memoised resolution: no catalog scan, not even on the first call', () => {
    const c = gpuCatalog();
    const list = vi.spyOn(c, 'list');
    const resolve = vi.spyOn(c, 'resolve');
    for (let i = 0; i < 3; i++)
      priceCall({ models: ['per-token-only'], provider: 'vllm', usage, durationMs: 5000 }, c);
    expect(list).not.toHaveBeenCalled();
    expect(resolve).not.toHaveBeenCalled();
  });
});

describe('perGpuHour prices', () => {
  it('are exact per millisecond: a whole node at $98.32/h', () => {
    const c = new PriceCatalog().addLayer('user', {
      version: 1,
      models: [{ id: 'node', provider: 'vllm', prices: { perGpuHour: 98.32 } }],
    });
    // 1 ms = $98.32 / 3,600,000 = $0.0000273111… → 27,311,111 pico (rounded once)
    expect(
      calculateCost({ model: 'node', provider: 'vllm', usage: { gpuMilliseconds: 1 } }, c)?.totalPico,
    ).toBe(27_311_111);
    // 3,600,000 × 1 ms, each rounded, would drift; the hour is exact.
    expect(
      calculateCost({ model: 'node', provider: 'vllm', usage: { gpuMilliseconds: 3_600_000 } }, c)?.totalPico,
    ).toBe(98_320_000_000_000);
  });

  it('a model without a GPU rate given GPU time warns instead of a silent $0', () => {
    const c = gpuCatalog();
    const r = calculateCost(
      { model: 'per-token-only', provider: 'vllm', usage: { gpuMilliseconds: 1000 } },
      c,
    );
    expect(r?.warnings?.join(' ')).toMatch(/no per GPU hour price/);
  });

  it('gpus must be a whole number from 1', () => {
    for (const gpus of [0, 1.5, -1, '2', 1e6]) {
      expect(() =>
        new PriceCatalog().addLayer('user', {
          version: 1,
          models: [{ id: 'x', provider: 'vllm', prices: { perGpuHour: 1 }, gpus: gpus as number }],
        }),
      ).toThrow(CatalogValidationError);
    }
  });
});
