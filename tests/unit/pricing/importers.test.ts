import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CatalogValidationError } from '../../../src/errors.js';
import {
  detectPriceFormat,
  type ImportStats,
  importAny,
  importGenaiPrices,
  importLangfuseModels,
  importLiteLLM,
  importModelsDev,
  perTokenToPerMillion,
} from '../../../src/pricing/importers/index.js';
import { calculateCost, PriceCatalog } from '../../../src/pricing/index.js';
import type { CatalogData, CatalogModel } from '../../../src/pricing/types.js';
import { collectCatalogIssues } from '../../../src/pricing/validate.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/prices');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));

function find(data: CatalogData, id: string, provider?: string): CatalogModel[] {
  return data.models.filter((m) => m.id === id && (provider === undefined || m.provider === provider));
}

function one(data: CatalogData, id: string, provider?: string): CatalogModel {
  const found = find(data, id, provider);
  expect(found, `${provider ?? '*'}/${id}`).toHaveLength(1);
  return found[0]!;
}

describe('exact decimal conversion', () => {
  it('shifts the decimal string, so per-token prices that drift under float multiplication stay exact', () => {
    // 2e-7 * 1e6 is 0.19999999999999998 and 5e-8 * 1e6 is 0.049999999999999996 in floats.
    expect(2e-7 * 1e6).not.toBe(0.2);
    expect(perTokenToPerMillion(2e-7)).toBe(0.2);
    expect(perTokenToPerMillion(4e-7)).toBe(0.4);
    expect(perTokenToPerMillion(5e-8)).toBe(0.05);
    expect(perTokenToPerMillion(2.5e-6)).toBe(2.5);
    expect(perTokenToPerMillion(0.0000225)).toBe(22.5);
    expect(perTokenToPerMillion(0)).toBe(0);
  });
});

describe('importLiteLLM', () => {
  let stats: ImportStats | undefined;
  const data = importLiteLLM(fixture('litellm-sample.json'), {
    now: new Date('2026-11-22T00:00:00Z'),
    onStats: (s) => {
      stats = s;
    },
  });

  it('produces a valid catalog and reports what it skipped', () => {
    expect(collectCatalogIssues(data)).toEqual([]);
    // 19 records besides sample_spec: dall-e-3 (per image) and whisper-1 (per second) are priced in
    // their own units; the wandb record has a per-token price of $0.015 (= $15,000 per 1M), an
    // upstream unit error. whisper-1's output_cost_per_second has no equivalent.
    expect(stats?.seen).toBe(19);
    expect(stats?.imported).toBe(18);
    expect(stats?.skippedByReason).toEqual({ 'implausible price': 1 });
    expect(stats?.droppedPriceKeys).toMatchObject({ output_cost_per_second: 1 });
    expect(one(data, 'dall-e-3', 'openai').prices).toEqual({ perImage: 0.04 });
    expect(one(data, 'whisper-1', 'openai').prices).toEqual({ perAudioHour: 0.36 });
  });

  it('converts per-token prices to per-1M prices exactly', () => {
    const gpt4o = one(data, 'gpt-4o', 'openai');
    expect(gpt4o.prices).toEqual({ input: 2.5, cacheRead: 1.25, output: 10 });
    expect(gpt4o.mode).toBe('chat');
    expect(gpt4o.contextWindow).toBe(128000);
    const grok = one(data, 'grok-4-fast-reasoning', 'x-ai');
    expect(grok.prices).toEqual({ input: 0.2, cacheRead: 0.05, output: 0.5 });
  });

  it('turns _batches prices into a batch tier, with a 0.5 multiplier when they are exactly half', () => {
    expect(one(data, 'gpt-4o', 'openai').serviceTiers).toEqual({
      batch: { input: 1.25, output: 5, multiplier: 0.5 },
    });
    // text-embedding-3-small: input 2e-8 → batch 1e-8 (half); output 0 → 0.
    expect(one(data, 'text-embedding-3-small', 'openai').serviceTiers?.batch).toEqual({
      input: 0.01,
      output: 0,
      multiplier: 0.5,
    });
  });

  it('maps _above_Nk_tokens, _priority and _flex keys to context and service tiers', () => {
    const m = one(data, 'gpt-5.6', 'openai');
    expect(m.prices).toEqual({ input: 5, cacheWrite: 6.25, cacheRead: 0.5, output: 30 });
    expect(m.contextTiers).toEqual([{ above: 272000, prices: { input: 10, cacheRead: 1, output: 45 } }]);
    expect(m.serviceTiers?.priority).toEqual({
      input: 10,
      cacheRead: 1,
      output: 60,
      contextTiers: [{ above: 272000, prices: { input: 20 } }],
    });
    expect(m.serviceTiers?.flex).toEqual({ input: 2.5, cacheRead: 0.25, output: 15 });
  });

  it('maps cache writes (5m and 1h), the >200k tier and the web-search fee of Anthropic models', () => {
    const m = one(data, 'claude-sonnet-4-5-20250929', 'anthropic');
    expect(m.prices).toEqual({
      input: 3,
      cacheWrite: 3.75,
      cacheWrite1h: 6,
      cacheRead: 0.3,
      output: 15,
      perWebSearch: 0.01,
    });
    expect(m.contextTiers).toEqual([
      {
        above: 200000,
        prices: { input: 6, cacheWrite: 7.5, cacheWrite1h: 12, cacheRead: 0.6, output: 22.5 },
      },
    ]);
  });

  it('uses an inclusive threshold for xAI (LiteLLM bills its higher tier from the threshold itself)', () => {
    expect(one(data, 'grok-4-fast-reasoning', 'x-ai').contextTiers).toEqual([
      { above: 127999, prices: { input: 0.4, output: 1 } },
    ]);
  });

  it('turns tiered_pricing range tables into context tiers above the range start', () => {
    const m = one(data, 'qwen-flash', 'dashscope');
    expect(m.prices).toEqual({ input: 0.05, output: 0.4 });
    expect(m.contextTiers).toEqual([{ above: 256000, prices: { input: 0.25, output: 2 } }]);
  });

  it('maps audio, reasoning, per-request and DeepSeek cache-hit prices', () => {
    expect(one(data, 'gpt-4o-audio-preview', 'openai').prices).toEqual({
      input: 2.5,
      inputAudio: 40,
      output: 10,
      outputAudio: 80,
    });
    expect(one(data, 'qwen-plus-2025-07-14', 'dashscope').prices).toEqual({
      input: 0.4,
      output: 1.2,
      reasoning: 4,
    });
    expect(one(data, 'sonar-medium-online', 'perplexity').prices).toEqual({
      input: 0,
      output: 1.8,
      perRequest: 0.005,
    });
    expect(one(data, 'deepseek-coder', 'deepseek').prices).toEqual({
      input: 0.14,
      cacheRead: 0.014,
      output: 0.28,
    });
  });

  it('maps providers, strips the provider prefix from ids and keeps the full key as an alias', () => {
    expect(one(data, 'openai/gpt-4o', 'openrouter').aliases).toEqual(['openrouter/openai/gpt-4o']);
    expect(one(data, 'us-east-1/anthropic.claude-3-haiku-20240307-v1:0', 'aws').aliases).toEqual([
      'bedrock/us-east-1/anthropic.claude-3-haiku-20240307-v1:0',
    ]);
    expect(one(data, 'text-embedding-3-small', 'azure').mode).toBe('embedding');
    // Vertex and the Gemini API price the same model name differently: two providers.
    expect(one(data, 'gemini-2.0-flash-001', 'google').prices).toEqual({
      input: 0.1,
      cacheRead: 0.025,
      inputAudio: 0.7,
      output: 0.4,
    });
    expect(one(data, 'gemini-2.0-flash-001', 'vertex-ai').prices).toEqual({
      input: 0.15,
      cacheRead: 0.0375,
      inputAudio: 1,
      output: 0.6,
    });
    expect(data.providers?.['vertex-ai']).toEqual({
      aliases: [
        'gcp.vertex_ai',
        'google-vertex',
        'google_vertexai',
        'vertex',
        'vertex_ai',
        'vertex_ai-anthropic_models',
        'vertex_ai-language-models',
        'vertexai',
      ],
      fallbackProviders: ['google', 'anthropic'],
    });
    // Loaded into a catalog, a Vertex hint gets the Vertex price and a Gemini hint the Gemini API price.
    const catalog = PriceCatalog.fromData(data, 'user');
    const oneMillionInput = { input: 1_000_000, output: 0 };
    const viaVertex = calculateCost(
      { model: 'gemini-2.0-flash-001', provider: 'gcp.vertex_ai', usage: oneMillionInput },
      catalog,
    );
    const viaGemini = calculateCost(
      { model: 'gemini-2.0-flash-001', provider: 'google_genai', usage: oneMillionInput },
      catalog,
    );
    expect(viaVertex?.total).toBe(0.15);
    expect(viaGemini?.total).toBe(0.1);
    expect(data.providers?.['x-ai']).toEqual({ aliases: ['xai'] });
  });

  it('flags records past their deprecation_date as deprecated', () => {
    expect(one(data, 'claude-3-7-sonnet@20250219', 'vertex-ai').deprecated).toBe(true);
    expect(one(data, 'grok-4-fast-reasoning', 'x-ai').deprecated).toBe(true);
    expect(one(data, 'gpt-4o', 'openai').deprecated).toBeUndefined();
    const before = importLiteLLM(fixture('litellm-sample.json'), { now: new Date('2026-01-01T00:00:00Z') });
    expect(one(before, 'claude-3-7-sonnet@20250219', 'vertex-ai').deprecated).toBeUndefined();
  });

  it('rejects input that is not a LiteLLM map', () => {
    expect(() => importLiteLLM([1, 2])).toThrow(CatalogValidationError);
  });
});

describe('importGenaiPrices', () => {
  let stats: ImportStats | undefined;
  const data = importGenaiPrices(fixture('genai-prices-v2-sample.json'), {
    onStats: (s) => {
      stats = s;
    },
  });

  it('produces a valid catalog and skips models without a token price', () => {
    expect(collectCatalogIssues(data)).toEqual([]);
    expect(stats?.seen).toBe(17);
    expect(stats?.skippedByReason).toEqual({ 'no token price': 1 });
    expect(find(data, 'mistral-ocr-latest')).toHaveLength(0);
    expect(stats?.droppedPriceKeys).toEqual({ input_document_kpages: 1, cache_audio_read_mtok: 1 });
  });

  it('converts tiered prices to context tiers above the tier start', () => {
    const m = one(data, 'claude-sonnet-4-5', 'anthropic');
    expect(m.prices).toEqual({
      input: 3,
      cacheWrite: 3.75,
      cacheRead: 0.3,
      output: 15,
      cacheWrite1h: 6,
      perWebSearch: 0.01,
    });
    expect(m.contextTiers).toEqual([
      { above: 200000, prices: { input: 6, cacheWrite: 7.5, cacheRead: 0.6, output: 22.5 } },
    ]);
    expect(m.contextWindow).toBe(1000000);
  });

  it('merges keys tiered at different starts: each tier lists every price in effect there', () => {
    const m = one(data, 'synthetic-two-thresholds', 'openai');
    expect(m.prices).toEqual({ input: 1, output: 4 });
    expect(m.contextTiers).toEqual([
      { above: 128000, prices: { input: 2 } },
      { above: 199999, prices: { input: 3, output: 8 } },
    ]);
  });

  it('divides _kcount prices by 1,000 and maps reasoning prices', () => {
    expect(one(data, 'sonar-deep-research', 'perplexity').prices).toEqual({
      input: 2,
      output: 8,
      reasoning: 3,
      perWebSearch: 0.005,
      perRequest: 0.005,
    });
    expect(one(data, 'gpt-4o-audio-preview', 'openai').prices).toEqual({
      input: 2.5,
      output: 10,
      inputAudio: 40,
      outputAudio: 80,
    });
  });

  it('turns start_date constraints into dated entries with the same id', () => {
    const o3 = find(data, 'o3', 'openai');
    expect(o3.map((m) => [m.validFrom, m.validUntil, m.prices])).toEqual([
      [undefined, '2025-06-10', { input: 10, cacheRead: 2.5, output: 40 }],
      ['2025-06-10', undefined, { input: 2, cacheRead: 0.5, output: 8 }],
    ]);
    expect(
      find(data, 'gemini-3.6-flash', 'google').map((m) => [m.validFrom, m.validUntil, m.prices.input]),
    ).toEqual([
      [undefined, '2027-01-01', 0.75],
      ['2027-01-01', undefined, 1.5],
    ]);
  });

  it('keeps, per date period, the time-of-day price that applies for most of the UTC day', () => {
    // deepseek-chat: 00:30–16:30 UTC (16 h) at 0.27/1.1, the other 8 h at 0.135/0.55.
    const chat = one(data, 'deepseek-chat', 'deepseek');
    expect(chat.prices).toEqual({ input: 0.27, cacheRead: 0.07, output: 1.1 });
    expect(chat.validFrom).toBeUndefined();
    // deepseek-v4-flash: peak windows cover 7 h, so the off-peak price (17 h) is kept in each period.
    const v4 = find(data, 'deepseek-v4-flash', 'deepseek');
    expect(v4.map((m) => [m.validFrom, m.validUntil, m.prices.input])).toEqual([
      [undefined, '2026-08-17', 0.14],
      ['2026-08-17', undefined, 0.22],
    ]);
    expect(stats?.notes.filter((n) => n.includes('time-of-day'))).toHaveLength(2);
  });

  it('turns top-level equals rules into aliases and keeps the rest as lower-cased match rules', () => {
    const gpt4o = one(data, 'gpt-4o', 'openai');
    expect(gpt4o.aliases).toEqual(['gpt-4o-2024-08-06', 'gpt-4o-2024-11-20']);
    expect(gpt4o.match).toBeUndefined();
    expect(one(data, 'mistral-large-latest', 'mistral').aliases).toEqual(['mistral-large-2411']);
    expect(one(data, 'deepseek-chat', 'deepseek')).toMatchObject({
      aliases: ['deepseek-chat-v3-0324'],
      match: { startsWith: 'deepseek-chat' },
    });
    expect(one(data, 'gemini-2.5-pro', 'google').match).toEqual({
      and: [{ startsWith: 'gemini-2.5-pro' }, { regex: '^(?!.*-[tT][tT][sS](?:$|-))' }],
    });
  });

  it('keeps deprecated models, provider aliases and fallback providers', () => {
    expect(one(data, 'claude-3-5-haiku-latest', 'anthropic').deprecated).toBe(true);
    // `google` itself is the id, so only the other names are aliases.
    expect(data.providers?.google).toEqual({
      aliases: ['vertex', 'gemini'],
      fallbackProviders: ['anthropic'],
    });
    expect(data.providers?.['x-ai']).toEqual({ aliases: ['xai'] });
    expect(data.providers?.anthropic).toEqual({});
    // An `and` rule names no single provider.
    expect(data.providers?.huggingface_novita).toEqual({});
  });

  it('keeps models the source prices at $0 (empty price object) as free', () => {
    expect(one(data, 'gpt-4o', 'github-copilot')).toMatchObject({ free: true, prices: {} });
    expect(data.providers?.['github-copilot']).toEqual({ aliases: ['copilot'] });
    const catalog = PriceCatalog.fromData(data, 'user');
    const r = calculateCost(
      { model: 'gpt-4o', provider: 'github-copilot', usage: { input: 1000, output: 10 } },
      catalog,
    );
    expect(r).toMatchObject({
      total: 0,
      source: 'free',
      resolvedModel: 'gpt-4o',
      provider: 'github-copilot',
    });
    expect(r?.usage.input).toBe(1000);
  });

  it('names embedding models', () => {
    expect(one(data, 'text-embedding-3-large', 'openai').mode).toBe('embedding');
    expect(one(data, 'gpt-4o', 'openai').mode).toBe('chat');
  });

  it('prices a long prompt at the converted tier, counting cache in the prompt', () => {
    const catalog = PriceCatalog.fromData(data, 'user');
    // 150k uncached input + 60k cache reads = 210k prompt tokens > 200k: the whole call at tier prices.
    const usage = { input: 150_000, cacheRead: 60_000, output: 2_000 };
    const r = calculateCost({ model: 'claude-sonnet-4-5-20250929', provider: 'anthropic', usage }, catalog);
    const expectedPico = 150_000 * 6e6 + 60_000 * 0.6e6 + 2_000 * 22.5e6; // pico-USD per token = price per 1M × 1e6
    expect(r?.totalPico).toBe(expectedPico);
    expect(r?.contextTier).toBe(200000);
    // At exactly 200k prompt tokens the source engine still bills base prices (tier needs > start).
    const atStart = calculateCost(
      { model: 'claude-sonnet-4-5', provider: 'anthropic', usage: { input: 200_000, output: 0 } },
      catalog,
    );
    expect(atStart?.totalPico).toBe(200_000 * 3e6);
  });

  it('rejects input that is not provider data', () => {
    expect(() => importGenaiPrices({ models: [] })).toThrow(CatalogValidationError);
    expect(() => importGenaiPrices([{ name: 'no id' }])).toThrow(/provider/);
  });
});

describe('importLangfuseModels', () => {
  let stats: ImportStats | undefined;
  const data = importLangfuseModels(fixture('langfuse-default-model-prices.json'), {
    onStats: (s) => {
      stats = s;
    },
  });

  it('reads the default-model-prices file', () => {
    expect(collectCatalogIssues(data)).toEqual([]);
    expect(stats?.imported).toBe(6);
    expect(stats?.droppedPriceKeys).toEqual({ input_cached_audio_tokens: 1 });
  });

  it('collapses the usage-key aliases into buckets per 1M tokens', () => {
    const claude = one(data, 'claude-sonnet-4-20250514', 'anthropic');
    expect(claude.prices).toEqual({
      input: 3,
      cacheRead: 0.3,
      cacheWrite: 3.75,
      cacheWrite1h: 6,
      output: 15,
    });
    const live = one(data, 'gemini-live-2.5-flash-native-audio', 'google');
    expect(live.prices).toEqual({ input: 0.5, inputAudio: 3, inputImage: 3, output: 2, outputAudio: 12 });
  });

  it('prices input and output with a total price (old embedding models)', () => {
    expect(one(data, 'text-embedding-ada-002', 'openai')).toMatchObject({
      mode: 'embedding',
      prices: { input: 0.1, output: 0.1 },
    });
  });

  it('converts matchPattern to a regex rule without the inline (?i) flag', () => {
    expect(one(data, 'gpt-4o').match).toEqual({ regex: '^(openai/)?(gpt-4o)$' });
    const catalog = PriceCatalog.fromData(data, 'user');
    expect(catalog.resolve('us.anthropic.claude-sonnet-4-20250514-v1:0')?.model.id).toBe(
      'claude-sonnet-4-20250514',
    );
    expect(catalog.resolve('OPENAI/GPT-4O')?.model.id).toBe('gpt-4o');
  });

  it('maps Large Context, Fast mode and Flex tiers (and their combination)', () => {
    const gemini = one(data, 'gemini-2.5-pro', 'google');
    expect(gemini.prices).toEqual({
      input: 1.25,
      cacheRead: 0.125,
      output: 10,
      reasoning: 10,
      perWebSearch: 0.035,
    });
    expect(gemini.contextTiers).toEqual([
      {
        above: 200000,
        prices: { input: 2.5, cacheRead: 0.25, output: 15, reasoning: 15, perWebSearch: 0.035 },
      },
    ]);
    expect(one(data, 'gpt-4o').serviceTiers).toEqual({
      priority: { input: 4.25, cacheRead: 2.125, output: 17 },
    });
    const gpt54 = one(data, 'gpt-5.4');
    expect(gpt54.contextTiers).toEqual([
      { above: 272000, prices: { input: 5, cacheRead: 0.5, output: 22.5, reasoning: 22.5 } },
    ]);
    expect(gpt54.serviceTiers).toEqual({
      flex: {
        input: 1.25,
        cacheRead: 0.13,
        output: 7.5,
        reasoning: 7.5,
        contextTiers: [
          { above: 272000, prices: { input: 2.5, cacheRead: 0.25, output: 11.25, reasoning: 11.25 } },
        ],
      },
      priority: { input: 5, cacheRead: 0.5, output: 30, reasoning: 30 },
    });
    expect(stats?.notes).toEqual(['gpt-5.4: tier "EU data zone" dropped (attribute condition on "region")']);
  });

  it('prices a flex call through the converted tiers', () => {
    const catalog = PriceCatalog.fromData(data, 'user');
    const usage = { input: 10_000, cacheRead: 2_000, output: 1_000, reasoning: 500 };
    const r = calculateCost({ model: 'gpt-5.4', usage, serviceTier: 'flex' }, catalog);
    const expected = (10_000 * 1.25 + 2_000 * 0.13 + 1_000 * 7.5 + 500 * 7.5) / 1e6;
    expect(r?.total).toBeCloseTo(expected, 12);
    expect(r?.totalPico).toBe(10_000 * 1.25e6 + 2_000 * 0.13e6 + 1_000 * 7.5e6 + 500 * 7.5e6);
  });

  it('reads a GET /api/public/models response: legacy prices, custom overrides, start dates, units', () => {
    let apiStats: ImportStats | undefined;
    const api = importLangfuseModels(fixture('langfuse-api-models.json'), {
      defaultProvider: 'acme',
      onStats: (s) => {
        apiStats = s;
      },
    });
    expect(collectCatalogIssues(api)).toEqual([]);
    // The custom gpt-4o-mini definition replaces the Langfuse-managed one.
    expect(one(api, 'gpt-4o-mini', 'openai').prices).toEqual({ input: 0.12, output: 0.5 });
    // Two start dates → two dated entries.
    expect(find(api, 'my-finetune').map((m) => [m.provider, m.validFrom, m.validUntil, m.prices])).toEqual([
      ['acme', '2025-01-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z', { input: 0.3, output: 1.2 }],
      ['acme', '2026-03-01T00:00:00.000Z', undefined, { input: 0.2, output: 0.8 }],
    ]);
    expect(find(api, 'my-finetune')[0]!.match).toEqual({
      regex: '^ft:gpt-4o-mini-2024-07-18:acme:.*$',
    });
    expect(find(api, 'tts-1')).toHaveLength(0);
    expect(apiStats?.skippedByReason).toEqual({
      'overridden by a custom definition': 1,
      'unit CHARACTERS': 1,
    });
  });
});

describe('detectPriceFormat and importAny', () => {
  it('recognises every format', () => {
    expect(detectPriceFormat(fixture('litellm-sample.json'))).toBe('litellm');
    expect(detectPriceFormat(fixture('genai-prices-v2-sample.json'))).toBe('genai-prices');
    expect(detectPriceFormat(fixture('langfuse-default-model-prices.json'))).toBe('langfuse');
    expect(detectPriceFormat(fixture('langfuse-api-models.json'))).toBe('langfuse');
    expect(detectPriceFormat({ version: 1, models: [] })).toBe('catalog');
    expect(detectPriceFormat({ hello: 'world' })).toBeUndefined();
    expect(detectPriceFormat([1, 2, 3])).toBeUndefined();
  });

  it('imports whatever it detects and names the origin when it cannot', () => {
    expect(importAny(fixture('genai-prices-v2-sample.json')).models.some((m) => m.id === 'gpt-4o')).toBe(
      true,
    );
    const own: CatalogData = { version: 1, models: [{ id: 'x', provider: 'acme', prices: { input: 1 } }] };
    expect(importAny(own)).toBe(own);
    expect(() => importAny({ hello: 'world' }, '/tmp/prices.json')).toThrow(
      /prices\.json[\s\S]*unrecognised price format/,
    );
  });
});

describe('importModelsDev', () => {
  it('converts models.dev providers (per-1M prices) with our provider ids and per-entry provenance', () => {
    // Fireworks' published Llama 3.1 405B price, $3 / $3 per 1M tokens, in models.dev's shape.
    const data = importModelsDev({
      'fireworks-ai': {
        id: 'fireworks-ai',
        models: {
          'accounts/fireworks/models/llama-v3p1-405b-instruct': {
            id: 'accounts/fireworks/models/llama-v3p1-405b-instruct',
            name: 'Llama 3.1 405B',
            cost: { input: 3, output: 3, cache_read: 1.5 },
          },
          unpriced: { id: 'unpriced' },
        },
      },
      lmstudio: { id: 'lmstudio', models: { local: { id: 'local', cost: { input: 0, output: 0 } } } },
    });
    expect(data.models).toEqual([
      {
        id: 'accounts/fireworks/models/llama-v3p1-405b-instruct',
        provider: 'fireworks',
        name: 'Llama 3.1 405B',
        prices: { input: 3, cacheRead: 1.5, output: 3 },
        source: 'models.dev',
      },
    ]);
    expect(() => importModelsDev('nope')).toThrow(/expected an object of providers/);
  });
});

describe('units beyond tokens', () => {
  // Records as LiteLLM writes them (USD per single second, character, image).
  const litellm = {
    'whisper-1': {
      litellm_provider: 'openai',
      mode: 'audio_transcription',
      input_cost_per_second: 0.0001,
      output_cost_per_second: 0.0001,
    },
    'tts-1': { litellm_provider: 'openai', mode: 'audio_speech', input_cost_per_character: 1.5e-5 },
    'dall-e-3': { litellm_provider: 'openai', mode: 'image_generation', input_cost_per_image: 0.04 },
    'low/1024-x-1536/gpt-image-1.5': {
      litellm_provider: 'openai',
      mode: 'image_generation',
      input_cost_per_image: 0.013,
    },
    'gemini-vision': {
      litellm_provider: 'vertex_ai',
      mode: 'chat',
      input_cost_per_token: 1e-6,
      output_cost_per_token: 2e-6,
      input_cost_per_image: 0.0025,
    },
  };

  it('LiteLLM: per second → per hour of audio, per character → per 1M, per image; variants renamed', () => {
    const c = importLiteLLM(litellm);
    const by = (id: string) => c.models.find((m) => m.id === id);
    expect(by('whisper-1')?.prices).toEqual({ perAudioHour: 0.36 });
    expect(by('tts-1')?.prices).toEqual({ characters: 15 });
    expect(by('dall-e-3')?.prices).toEqual({ perImage: 0.04 });
    const variant = by('gpt-image-1.5/1024x1536/low');
    expect(variant?.prices).toEqual({ perImage: 0.013 });
    expect(variant?.aliases).toEqual(['low/1024-x-1536/gpt-image-1.5']);
    // A chat model's input image price is an input image, not a generated one.
    expect(by('gemini-vision')?.prices.perImage).toBeUndefined();
    expect(collectCatalogIssues(c)).toEqual([]);
  });

  it('genai-prices: audio_hours and input_audio_hours → per hour of audio', () => {
    const c = importGenaiPrices([
      {
        id: 'openai',
        models: [
          {
            id: 'whisper-1',
            match: { equals: 'whisper-1' },
            prices: { audio_hours: 0.36, input_audio_hours: 0.36 },
          },
        ],
      },
      {
        id: 'groq',
        models: [
          {
            id: 'whisper-large-v3',
            match: { equals: 'whisper-large-v3' },
            prices: { input_audio_hours: 0.111 },
          },
        ],
      },
    ]);
    expect(c.models.map((m) => [m.id, m.prices])).toEqual([
      ['whisper-1', { perAudioHour: 0.36 }],
      ['whisper-large-v3', { perAudioHour: 0.111 }],
    ]);
    // 60 s of whisper-1 at $0.006 per minute.
    expect(
      calculateCost({ model: 'whisper-1', usage: { audioSeconds: 60 } }, PriceCatalog.fromData(c))?.total,
    ).toBe(0.006);
  });

  it('Langfuse model definitions: per-unit prices become the row unit', () => {
    const c = importLangfuseModels([
      {
        modelName: 'whisper-1',
        matchPattern: '(?i)^(whisper-1)$',
        prices: { input_audio_seconds: 0.0001, input_characters: 1.5e-5, output_images: 0.04 },
      },
    ]);
    expect(c.models[0]?.prices).toEqual({ perAudioHour: 0.36, characters: 15, perImage: 0.04 });
  });
});
