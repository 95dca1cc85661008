import { describe, expect, it } from 'vitest';
import { calculateCost, PriceCatalog } from '../../../src/pricing/index.js';
import type { CatalogData } from '../../../src/pricing/types.js';

// Price facts for these tests (USD per 1M tokens), written out here rather than read from the code.
const data: CatalogData = {
  version: 1,
  providers: { azure: { fallbackProviders: ['openai'] }, google: { fallbackProviders: ['anthropic'] } },
  models: [
    { id: 'gpt-4o', provider: 'openai', prices: { input: 2.5, cacheRead: 1.25, output: 10 } },
    { id: 'gpt-4o-2024-05-13', provider: 'openai', prices: { input: 5, output: 15 } },
    { id: 'gpt-4-0613', provider: 'openai', aliases: ['gpt-4'], prices: { input: 30, output: 60 } },
    { id: 'claude-3-5-sonnet-20241022', provider: 'anthropic', prices: { input: 3, output: 15 } },
    { id: 'claude-3-7-sonnet-20250219', provider: 'anthropic', prices: { input: 3.3, output: 16 } },
    { id: 'gemini-1.5-pro', provider: 'google', prices: { input: 1.25, output: 5 } },
    {
      id: 'gemini-2.0-flash',
      provider: 'google',
      match: { contains: 'gemini-2.0-flash' },
      prices: { input: 0.1, output: 0.4 },
    },
    { id: 'llama-v3p1-70b-instruct', provider: 'fireworks', prices: { input: 0.9, output: 0.9 } },
    { id: 'meta-llama/llama-3.1-8b-instruct', provider: 'openrouter', prices: { input: 0.02, output: 0.05 } },
    { id: 'anthropic/claude-3.5-sonnet', provider: 'openrouter', prices: { input: 3.1, output: 15.1 } },
    { id: 'gpt-4o', provider: 'azure', prices: { input: 2.75, output: 11 } },
    {
      id: 'mistral-large-2411',
      provider: 'mistral',
      aliases: ['mistral-large-latest'],
      prices: { input: 2, output: 6 },
    },
    {
      id: 'my-regex-model',
      provider: 'acme',
      match: { regex: '^acme-(small|large)-v\\d+$' },
      prices: { input: 7, output: 7 },
    },
  ],
};
const catalog = PriceCatalog.fromData(data);
const resolved = (model: string, provider?: string) => {
  const r = catalog.resolve(model, provider);
  return r ? `${r.group.provider}/${r.model.id}` : null;
};

describe('model-name resolution', () => {
  it('matches exact ids and aliases, case-insensitively', () => {
    expect(resolved('gpt-4o')).toBe('openai/gpt-4o');
    expect(resolved('GPT-4O')).toBe('openai/gpt-4o');
    expect(resolved('  gpt-4 ')).toBe('openai/gpt-4-0613');
    expect(resolved('mistral-large-latest')).toBe('mistral/mistral-large-2411');
  });

  it('prefers the exact dated entry over the undated family', () => {
    expect(resolved('gpt-4o-2024-05-13')).toBe('openai/gpt-4o-2024-05-13');
    expect(resolved('gpt-4o-2024-08-06')).toBe('openai/gpt-4o');
  });

  it('strips dated snapshots in every shape', () => {
    expect(resolved('gpt-4o-2024-11-20')).toBe('openai/gpt-4o'); // -YYYY-MM-DD
    expect(resolved('gemini-1.5-pro-002')).toBe('google/gemini-1.5-pro'); // -NNN
    expect(resolved('claude-3-5-sonnet-latest')).toBeNull(); // no undated claude entry here
    expect(resolved('gpt-4o-latest')).toBe('openai/gpt-4o'); // -latest
  });

  it('strips provider and path prefixes', () => {
    expect(resolved('openai/gpt-4o')).toBe('openai/gpt-4o');
    expect(resolved('models/gemini-1.5-pro-002')).toBe('google/gemini-1.5-pro');
    expect(resolved('accounts/fireworks/models/llama-v3p1-70b-instruct')).toBe(
      'fireworks/llama-v3p1-70b-instruct',
    );
    expect(resolved('publishers/google/models/gemini-1.5-pro')).toBe('google/gemini-1.5-pro');
  });

  it('resolves Bedrock ids with region and version decorations', () => {
    expect(resolved('us.anthropic.claude-3-7-sonnet-20250219-v1:0')).toBe(
      'anthropic/claude-3-7-sonnet-20250219',
    );
    expect(resolved('anthropic.claude-3-5-sonnet-20241022-v2:0', 'aws.bedrock')).toBe(
      'anthropic/claude-3-5-sonnet-20241022',
    );
    expect(resolved('eu.anthropic.claude-3-5-sonnet-20241022-v2:0')).toBe(
      'anthropic/claude-3-5-sonnet-20241022',
    );
  });

  it('resolves Vertex @date names', () => {
    expect(resolved('claude-3-5-sonnet-v2@20241022', 'gcp.vertex_ai')).toBe(
      'anthropic/claude-3-5-sonnet-20241022',
    );
    expect(resolved('claude-3-7-sonnet@20250219')).toBe('anthropic/claude-3-7-sonnet-20250219');
  });

  it('resolves OpenRouter slugs and flags :free', () => {
    expect(resolved('meta-llama/llama-3.1-8b-instruct')).toBe('openrouter/meta-llama/llama-3.1-8b-instruct');
    expect(resolved('anthropic/claude-3.5-sonnet', 'openrouter')).toBe(
      'openrouter/anthropic/claude-3.5-sonnet',
    );
    const free = catalog.resolve('meta-llama/llama-3.1-8b-instruct:free');
    expect(free?.free).toBe(true);
    expect(free?.model.id).toBe('meta-llama/llama-3.1-8b-instruct');
  });

  it('uses provider hints from emitters to choose between providers', () => {
    expect(resolved('gpt-4o', 'azure')).toBe('azure/gpt-4o');
    expect(resolved('gpt-4o', 'azure.ai.openai')).toBe('azure/gpt-4o');
    expect(resolved('gpt-4o-2024-05-13', 'azure')).toBe('openai/gpt-4o-2024-05-13'); // azure → openai fallback
    expect(resolved('gpt-4o')).toBe('openai/gpt-4o'); // home provider without a hint
    expect(resolved('gemini-1.5-pro', 'google_genai')).toBe('google/gemini-1.5-pro'); // LangChain ls_provider
    expect(resolved('claude-3-5-sonnet-20241022', 'amazon_bedrock')).toBe(
      'anthropic/claude-3-5-sonnet-20241022',
    );
  });

  it('applies match rules from the catalog (contains, regex)', () => {
    expect(resolved('gemini-2.0-flash-001')).toBe('google/gemini-2.0-flash');
    expect(resolved('models/gemini-2.0-flash-lite-preview')).toBe('google/gemini-2.0-flash');
    expect(resolved('acme-large-v3')).toBe('acme/my-regex-model');
    expect(resolved('acme-medium-v3')).toBeNull();
  });

  it('maps deployment names (Azure) to models', () => {
    const c = PriceCatalog.fromData(data).mapDeployment('prod-gpt4o-eastus', 'gpt-4o', 'azure');
    expect(c.resolve('prod-gpt4o-eastus')?.group.provider).toBe('azure');
    expect(c.resolve('PROD-GPT4O-EASTUS')?.model.prices.input).toBe(2.75);
    const d = PriceCatalog.fromData({
      ...data,
      deployments: { 'my-dep': { model: 'claude-3-5-sonnet-20241022' } },
    });
    expect(d.resolve('my-dep')?.model.id).toBe('claude-3-5-sonnet-20241022');
  });

  it('returns null for unknown names and explains every step', () => {
    expect(resolved('totally-unknown-model')).toBeNull();
    const trace = catalog.explain('us.anthropic.claude-3-7-sonnet-20250219-v1:0');
    expect(trace.steps.map((s) => s.candidate)).toContain('claude-3-7-sonnet-20250219');
    // The name says Bedrock and this catalog has only Anthropic's own price: matched once, and the
    // last step says the provider was guessed.
    expect(trace.steps.filter((s) => s.matched && s.rule !== 'provider guessed')).toHaveLength(1);
    expect(trace.steps.filter((s) => s.matched).at(0)?.rule).toBe('Bedrock vendor and version');
    expect(trace.steps.at(-1)?.rule).toBe('provider guessed');
    expect(trace.resolved?.guessed).toBe(true);
  });

  it('memoises: a repeated name is a map hit, and changes invalidate the memo', () => {
    const c = PriceCatalog.fromData(data);
    c.resolveMemo('gpt-4o-2024-11-20');
    const before = { ...c.counters };
    c.resolveMemo('gpt-4o-2024-11-20');
    expect(c.counters.hits).toBe(before.hits + 1);
    expect(c.counters.misses).toBe(before.misses);
    c.override({ id: 'gpt-4o-2024-11-20', provider: 'openai', prices: { input: 1, output: 2 } });
    expect(c.resolve('gpt-4o-2024-11-20')?.model.prices.input).toBe(1);
  });

  it('prices with another provider only with a warning', () => {
    const r = calculateCost(
      { model: 'claude-3-5-sonnet-20241022', provider: 'mistral', usage: { input: 10 } },
      catalog,
    );
    expect(r?.warnings?.[0]).toMatch(/priced with anthropic/);
  });
});

describe('real names against the bundled catalog', () => {
  // Price facts (USD per 1M tokens) from the providers' price lists.
  const cases: [string, string | undefined, string, number, number][] = [
    ['gpt-4o-2024-08-06', undefined, 'openai', 2.5, 10],
    ['openai/gpt-4o', undefined, 'openai', 2.5, 10],
    ['gpt-4o-mini-2024-07-18', 'openai', 'openai', 0.15, 0.6],
    ['claude-3-5-sonnet-20241022', undefined, 'anthropic', 3, 15],
    ['us.anthropic.claude-3-7-sonnet-20250219-v1:0', 'aws.bedrock', 'aws', 3, 15],
    ['us.anthropic.claude-3-7-sonnet-20250219-v1:0', undefined, 'aws', 3, 15],
    ['claude-3-5-sonnet-v2@20241022', 'gcp.vertex_ai', 'google', 3, 15],
    ['gemini-2.0-flash-001', undefined, 'google', 0.1, 0.4],
    ['anthropic/claude-3.5-sonnet', 'openrouter', 'openrouter', 3, 15],
    ['grok-3', 'xai', 'x-ai', 3, 15],
  ];
  for (const [model, provider, wantProvider, input, output] of cases) {
    it(`${model}${provider ? ` (${provider})` : ''}`, async () => {
      const { getDefaultCatalog } = await import('../../../src/pricing/index.js');
      const r = calculateCost(
        { model, ...(provider ? { provider } : {}), usage: { input: 1000, output: 1000 } },
        getDefaultCatalog(),
      );
      expect(r?.provider).toBe(wantProvider);
      expect(r?.total).toBeCloseTo((1000 * input + 1000 * output) / 1e6, 12);
      expect(r?.source).toBe('catalog');
    });
  }
  it('OpenRouter :free variants cost nothing', async () => {
    const { getDefaultCatalog } = await import('../../../src/pricing/index.js');
    const r = calculateCost(
      { model: 'meta-llama/llama-3.1-8b-instruct:free', usage: { input: 1000, output: 1000 } },
      getDefaultCatalog(),
    );
    expect(r?.total).toBe(0);
    expect(r?.source).toBe('free');
    expect(r?.usage.input).toBe(1000);
  });
});
