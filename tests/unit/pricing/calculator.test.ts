import { describe, expect, it } from 'vitest';
import { InvalidUsageError, UnknownServiceTierError } from '../../../src/errors.js';
import { calculateCost, PriceCatalog, picoToDecimalString, sumCosts } from '../../../src/pricing/index.js';
import type { CatalogData } from '../../../src/pricing/types.js';

// Price facts (USD per 1M tokens; fees in USD each), written out for the expectations below.
const data: CatalogData = {
  version: 1,
  models: [
    {
      id: 'full',
      provider: 'acme',
      prices: {
        input: 3,
        cacheRead: 0.3,
        cacheWrite: 3.75,
        cacheWrite1h: 6,
        inputAudio: 40,
        inputImage: 2,
        output: 15,
        reasoning: 20,
        outputAudio: 80,
        perRequest: 0.005,
        perWebSearch: 0.01,
      },
    },
    { id: 'plain', provider: 'acme', prices: { input: 2, output: 8 } },
    {
      id: 'long',
      provider: 'acme',
      prices: { input: 3, cacheRead: 0.3, cacheWrite: 3.75, output: 15 },
      contextTiers: [
        { above: 200_000, prices: { input: 6, cacheRead: 0.6, cacheWrite: 7.5, output: 22.5 } },
        { above: 128_000, prices: { input: 4, output: 18 } },
      ],
      serviceTiers: {
        batch: { multiplier: 0.5 },
        priority: {
          input: 5,
          output: 25,
          contextTiers: [{ above: 200_000, prices: { input: 10, output: 40 } }],
        },
      },
    },
    { id: 'freebie', provider: 'acme', free: true, prices: {} },
    { id: 'dated', provider: 'acme', validUntil: '2025-01-01', prices: { input: 10, output: 10 } },
    { id: 'dated', provider: 'acme', validFrom: '2025-01-01', prices: { input: 1, output: 1 } },
  ],
};
const catalog = PriceCatalog.fromData(data);
const cost = (q: Parameters<typeof calculateCost>[0]) => {
  const r = calculateCost(q, catalog);
  if (!r) throw new Error(`no price for ${q.model}`);
  return r;
};

describe('every bucket at its own rate', () => {
  const buckets: [string, number, number][] = [
    ['input', 1000, 3],
    ['cacheRead', 1000, 0.3],
    ['cacheWrite', 1000, 3.75],
    ['cacheWrite1h', 1000, 6],
    ['inputAudio', 1000, 40],
    ['inputImage', 1000, 2],
    ['output', 1000, 15],
    ['reasoning', 1000, 20],
    ['outputAudio', 1000, 80],
  ];
  for (const [bucket, tokens, perMillion] of buckets) {
    it(bucket, () => {
      const r = cost({ model: 'full', usage: { [bucket]: tokens } });
      const fee = 0.005; // per-request fee is charged once per call
      expect(r.costs[bucket as keyof typeof r.costs]).toBeCloseTo((tokens * perMillion) / 1e6, 12);
      expect(r.total).toBeCloseTo((tokens * perMillion) / 1e6 + fee, 12);
    });
  }
  it('per-request and per-search fees', () => {
    const r = cost({ model: 'full', usage: { requests: 2, webSearches: 3 } });
    expect(r.costs.requests).toBeCloseTo(0.01, 12);
    expect(r.costs.webSearches).toBeCloseTo(0.03, 12);
    expect(r.totalPico).toBe(40_000_000_000);
  });
});

describe('inherited rates', () => {
  it('reasoning at the output rate, cache and audio at the input rate when unpriced', () => {
    const r = cost({
      model: 'plain',
      usage: {
        input: 100,
        cacheRead: 200,
        cacheWrite: 300,
        cacheWrite1h: 50,
        inputAudio: 10,
        output: 40,
        reasoning: 60,
        outputAudio: 5,
      },
    });
    const expected = ((100 + 200 + 300 + 50 + 10) * 2 + (40 + 60 + 5) * 8) / 1e6;
    expect(r.total).toBeCloseTo(expected, 12);
    expect(r.costs.reasoning).toBeCloseTo((60 * 8) / 1e6, 12);
  });
  it('1h cache writes fall back to the 5m cache-write rate before the input rate', () => {
    const c = PriceCatalog.fromData({
      version: 1,
      models: [{ id: 'm', provider: 'p', prices: { input: 1, cacheWrite: 1.25, output: 2 } }],
    });
    expect(calculateCost({ model: 'm', usage: { cacheWrite1h: 1_000_000 } }, c)?.total).toBe(1.25);
  });
  it('units with no price and nothing to fall back to are flagged, never a silent $0', () => {
    // 'plain' has token prices only: 90 s of audio and 2 images cannot be billed from them.
    const r = cost({ model: 'plain', usage: { input: 1000, audioSeconds: 90, images: 2 } });
    expect(r.totalPico).toBe(2_000_000_000); // 1,000 × $2 per 1M; the units add nothing
    expect(r.estimated).toBe(true);
    expect(r.warnings).toEqual([
      '"plain" has no per audio hour price; its audioSeconds cost $0 here (estimated)',
    ]);
    // No per-request fee is no gap: a call on a model without one is exact.
    const plain = cost({ model: 'plain', usage: { input: 1000, requests: 1 } });
    expect(plain.estimated).toBe(false);
    expect(plain.warnings).toBeUndefined();
  });
});

describe('tiers', () => {
  it('long-context tier from the whole prompt, cache included', () => {
    // 150k input + 60k cache read = 210k prompt tokens > 200k: every token at the >200k prices
    const r = cost({ model: 'long', usage: { input: 150_000, cacheRead: 60_000, output: 1000 } });
    expect(r.contextTier).toBe(200_000);
    expect(r.tier).toBe('>200k');
    expect(r.total).toBeCloseTo((150_000 * 6 + 60_000 * 0.6 + 1000 * 22.5) / 1e6, 12);
  });
  it('the middle tier, and its unpriced buckets keep the base price', () => {
    const r = cost({ model: 'long', usage: { input: 100_000, cacheRead: 50_000, output: 1000 } });
    expect(r.tier).toBe('>128k');
    expect(r.total).toBeCloseTo((100_000 * 4 + 50_000 * 0.3 + 1000 * 18) / 1e6, 12);
  });
  it('exactly at the threshold is not above it', () => {
    expect(cost({ model: 'long', usage: { input: 128_000 } }).tier).toBe('standard');
    expect(cost({ model: 'long', usage: { input: 128_001 } }).tier).toBe('>128k');
  });
  it('batch multiplier of the standard prices, and of long-context prices', () => {
    expect(
      cost({ model: 'long', usage: { input: 1000, output: 1000 }, serviceTier: 'batch' }).total,
    ).toBeCloseTo(((1000 * 3 + 1000 * 15) * 0.5) / 1e6, 12);
    const r = cost({ model: 'long', usage: { input: 300_000, output: 1000 }, serviceTier: 'batch' });
    expect(r.tier).toBe('batch >200k');
    expect(r.total).toBeCloseTo(((300_000 * 6 + 1000 * 22.5) * 0.5) / 1e6, 12);
  });
  it('explicit priority prices, with their own long-context prices', () => {
    expect(
      cost({ model: 'long', usage: { input: 1000, output: 1000 }, serviceTier: 'priority' }).total,
    ).toBeCloseTo((1000 * 5 + 1000 * 25) / 1e6, 12);
    expect(
      cost({ model: 'long', usage: { input: 250_000, output: 1000 }, serviceTier: 'priority' }).total,
    ).toBeCloseTo((250_000 * 10 + 1000 * 40) / 1e6, 12);
  });
  it('accepts provider spellings of tiers and warns when a model has no such tier', () => {
    expect(cost({ model: 'long', usage: { input: 1000 }, serviceTier: 'default' }).serviceTier).toBe(
      'standard',
    );
    const r = cost({ model: 'plain', usage: { input: 1000 }, serviceTier: 'flex' });
    expect(r.serviceTier).toBe('standard');
    expect(r.total).toBeCloseTo(0.002, 12);
    expect(r.warnings?.join()).toMatch(/no flex price/);
  });
  it('rejects unknown tiers with a typed error', () => {
    expect(() => cost({ model: 'plain', usage: { input: 1 }, serviceTier: 'turbo' })).toThrow(
      UnknownServiceTierError,
    );
  });
});

describe('free, validity dates, fallback', () => {
  it('free models cost 0 and keep their tokens', () => {
    const r = cost({ model: 'freebie', usage: { input: 500, output: 20 } });
    expect(r.total).toBe(0);
    expect(r.source).toBe('free');
    expect(r.usage.input).toBe(500);
  });
  it('markFree and free providers', () => {
    const c = PriceCatalog.fromData(data).markFree('plain');
    expect(calculateCost({ model: 'plain', usage: { input: 5 } }, c)?.source).toBe('free');
    expect(calculateCost({ model: 'llama3.1:8b', provider: 'ollama', usage: { input: 5 } }, c)?.total).toBe(
      0,
    );
  });
  it('prices valid at the time of the call', () => {
    expect(cost({ model: 'dated', usage: { input: 1_000_000 }, at: '2024-06-01' }).total).toBe(10);
    expect(cost({ model: 'dated', usage: { input: 1_000_000 }, at: new Date('2025-06-01') }).total).toBe(1);
  });
  it('unknown model: null without fallback, estimated with one', () => {
    expect(calculateCost({ model: 'nope', usage: { input: 1 } }, catalog)).toBeNull();
    const c = new PriceCatalog({ layers: [{ layer: 'bundled', data }], fallback: { input: 1, output: 4 } });
    const r = calculateCost({ model: 'nope', provider: 'acme', usage: { input: 1000, output: 1000 } }, c);
    expect(r?.source).toBe('fallback');
    expect(r?.estimated).toBe(true);
    expect(r?.total).toBeCloseTo(0.005, 12);
    expect(r?.warnings?.[0]).toMatch(/fallback price \(estimated\)/);
  });
});

describe('layers', () => {
  it('override → user → synced → bundled', () => {
    const c = new PriceCatalog();
    c.addLayer('bundled', { version: 1, models: [{ id: 'm', provider: 'p', prices: { input: 1 } }] });
    const price = () => calculateCost({ model: 'm', usage: { input: 1_000_000 } }, c);
    expect(price()?.total).toBe(1);
    expect(price()?.source).toBe('catalog');
    c.addLayer('synced', { version: 1, models: [{ id: 'm', provider: 'p', prices: { input: 2 } }] });
    expect(price()?.total).toBe(2);
    expect(price()?.source).toBe('synced');
    c.addLayer('user', { version: 1, models: [{ id: 'm', provider: 'p', prices: { input: 3 } }] });
    expect(price()?.total).toBe(3);
    expect(price()?.source).toBe('override');
    c.override({ id: 'm', provider: 'p', prices: { input: 4 } });
    expect(price()?.total).toBe(4);
    expect(c.list().find((m) => m.id === 'm')?.layer).toBe('override');
  });
});

describe('bad input is a typed error that says what is wrong', () => {
  const bad: [unknown, RegExp][] = [
    [{ input: -1 }, /usage\.input: is negative/],
    [{ output: Number.NaN }, /usage\.output: is NaN/],
    [{ input: 1.5 }, /fractional/],
    [{ input: 5e9 }, /implausibly large/],
    [{ prompt_tokens: 10 }, /usage\.prompt_tokens: unknown usage bucket/],
    // a known bucket beside the unknown one must not hide it (the check compares key counts)
    [{ input: 10, output: 5, cached_tokens: 3 }, /usage\.cached_tokens: unknown usage bucket/],
    [{ input: '12' }, /expected a number/],
  ];
  for (const [usage, msg] of bad) {
    it(JSON.stringify(usage), () => {
      expect(() => calculateCost({ model: 'plain', usage: usage as never }, catalog)).toThrow(
        InvalidUsageError,
      );
      expect(() => calculateCost({ model: 'plain', usage: usage as never }, catalog)).toThrow(msg);
    });
  }
  it('null or undefined buckets are 0, known or not', () => {
    const u = { input: 1_000_000, output: null, reasoning: undefined, legacy: null } as never;
    expect(calculateCost({ model: 'plain', usage: u }, catalog)?.usage.output).toBe(0);
    expect(calculateCost({ model: 'plain', usage: u }, catalog)?.usage.input).toBe(1_000_000);
  });
  it('empty model name', () => {
    expect(() => calculateCost({ model: ' ', usage: {} }, catalog)).toThrow(
      /model: expected a non-empty model name/,
    );
  });
});

describe('exact money', () => {
  it('a sum of one million random costs equals the exact decimal sum', () => {
    // Prices with ≤ 6 decimals per 1M tokens cost an integer number of pico-USD per token:
    // cost(pico) = tokens × price × 1e6, computed here in BigInt from the facts.
    const models = [
      { id: 'a', prices: { input: 2.5, output: 10 }, pico: [2_500_000n, 10_000_000n] },
      { id: 'b', prices: { input: 0.15, output: 0.6 }, pico: [150_000n, 600_000n] },
      { id: 'c', prices: { input: 0.075, output: 0.3 }, pico: [75_000n, 300_000n] },
      { id: 'd', prices: { input: 3.333333, output: 0.000001 }, pico: [3_333_333n, 1n] },
    ];
    const c = PriceCatalog.fromData({
      version: 1,
      models: models.map((m) => ({ id: m.id, provider: 'x', prices: m.prices })),
    });
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    let expected = 0n;
    const results: { totalPico: number }[] = [];
    for (let i = 0; i < 1_000_000; i++) {
      const m = models[rnd(4)]!;
      const input = rnd(20_000);
      const output = rnd(4_000);
      expected += BigInt(input) * m.pico[0]! + BigInt(output) * m.pico[1]!;
      const r = calculateCost({ model: m.id, usage: { input, output } }, c)!;
      results.push(r);
    }
    const sum = sumCosts(results);
    expect(sum.totalPico).toBe(expected);
    expect(sum.exact).toBe(picoToDecimalString(expected));
    expect(sum.count).toBe(1_000_000);
  });

  it('rounds half-up once per bucket at 1e-12 USD', () => {
    // 1 token at $0.0000015 per 1M = 1.5e-12 USD → 2 pico; 1 token at $0.0000014 per 1M → 1 pico
    const c = PriceCatalog.fromData({
      version: 1,
      models: [{ id: 'tiny', provider: 'x', prices: { input: 0.0000015, output: 0.0000014 } }],
    });
    const r = calculateCost({ model: 'tiny', usage: { input: 1, output: 1 } }, c)!;
    expect(r.totalPico).toBe(3);
  });

  it('no float drift in a single cost', () => {
    // 0.1 + 0.2 style: 3 tokens at $0.1/1M + 3 tokens at $0.2/1M = exactly 9e-7 USD
    const c = PriceCatalog.fromData({
      version: 1,
      models: [{ id: 'f', provider: 'x', prices: { input: 0.1, output: 0.2 } }],
    });
    const r = calculateCost({ model: 'f', usage: { input: 3, output: 3 } }, c)!;
    expect(r.totalPico).toBe(900_000);
    expect(picoToDecimalString(r.totalPico)).toBe('0.000000900000');
  });
});

describe('markFree for names the catalog does not know', () => {
  it('prices an unknown name marked free at 0, tokens counted', () => {
    const c = PriceCatalog.fromData(data).markFree('my-local-finetune');
    const r = calculateCost({ model: 'My-Local-Finetune', usage: { input: 42, output: 7 } }, c);
    expect(r?.source).toBe('free');
    expect(r?.total).toBe(0);
    expect(r?.usage.output).toBe(7);
    expect(calculateCost({ model: 'other-unknown', usage: { input: 1 } }, c)).toBeNull();
  });
});
