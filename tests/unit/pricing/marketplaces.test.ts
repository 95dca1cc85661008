/**
 * Models served by Vertex AI Model Garden (MaaS) and Azure AI Foundry (serverless partner models),
 * with the ids and provider hints clients send, on the bundled catalog. Expected prices are written
 * here from the marketplaces' published prices (USD per 1M input / output tokens; the pages are named
 * per case), never read from the catalog.
 */
import { describe, expect, it } from 'vitest';
import { calculateCost } from '../../../src/pricing/calculator.js';
import { getDefaultCatalog } from '../../../src/pricing/default-catalog.js';

/** 1M input + 1M output tokens: the cost in USD is input price + output price. */
const MILLION = { input: 1_000_000, output: 1_000_000 };
/** A day the bundled prices apply, whatever today is. */
const AT = '2026-11-23';

function price(model: string, provider?: string) {
  return calculateCost({ model, ...(provider ? { provider } : {}), usage: MILLION, at: AT });
}

describe('Vertex AI Model Garden (MaaS): the marketplace price, attributed to google', () => {
  it.each([
    // Vertex AI pricing, partner models: Llama 4 Maverick $0.35 / $1.15
    ['meta/llama-4-maverick-17b-128e-instruct-maas', 'vertex_ai', 1.5],
    ['publishers/meta/models/llama-4-maverick-17b-128e-instruct-maas', undefined, 1.5],
    [
      'projects/acme/locations/us-east5/publishers/meta/models/llama-4-maverick-17b-128e-instruct-maas',
      'google_vertexai',
      1.5,
    ],
    // Llama 3.3 70B $0.72 / $0.72 (was unpriced)
    ['meta/llama-3.3-70b-instruct-maas', 'vertex_ai', 1.44],
    ['meta/llama-3.3-70b-instruct-maas', 'google-vertex', 1.44],
    // Llama 3.1 405B $5 / $16
    ['meta/llama-3.1-405b-instruct-maas', 'google-vertex', 21],
    // DeepSeek R1 0528 $1.35 / $5.40
    ['deepseek-ai/deepseek-r1-0528-maas', 'vertex_ai', 6.75],
    // Qwen3 235B Instruct 2507 $0.25 / $1
    ['qwen/qwen3-235b-a22b-instruct-2507-maas', 'vertex_ai', 1.25],
    // gpt-oss-120b $0.15 / $0.60: the `openai/` in the id is the model's maker, not where it ran
    ['openai/gpt-oss-120b-maas', undefined, 0.75],
    // Claude Sonnet 4 on Vertex $3 / $15 (the `@` version is Vertex's shape)
    ['claude-sonnet-4@20250514', 'vertex_ai', 18],
  ])('%s (hint %s) → $%d, provider google', (model, hint, usd) => {
    const r = price(model, hint);
    expect(r?.provider).toBe('google');
    expect(r?.providerGuessed).toBe(false);
    expect(r?.totalPico).toBe(Math.round(usd * 1e12));
  });

  it('a MaaS model no source prices is unpriced, not priced as another provider', () => {
    // Llama 3.2 90B Vision MaaS: no bundled Vertex price (it was a no-charge preview).
    expect(price('meta/llama-3.2-90b-vision-instruct-maas', 'vertex_ai')).toBeNull();
  });

  it('without a Vertex price, the vendor’s price stands in with the provider flagged as guessed', () => {
    // Mistral Large 24.11 on Vertex: Mistral's own $2 / $6, attributed to google, guessed.
    const r = price('mistral-large-2411@001', 'vertex_ai');
    expect(r?.provider).toBe('google');
    expect(r?.providerGuessed).toBe(true);
    expect(r?.totalPico).toBe(8_000_000_000_000);
  });
});

describe('Azure AI Foundry (serverless partner models): the marketplace price, attributed to azure', () => {
  it.each([
    // Azure Marketplace offer, Meta Llama 3.1 405B Instruct: $5.33 / $16 (was unknown)
    ['Meta-Llama-3.1-405B-Instruct', 'azure_ai', 21.33],
    ['azure_ai/Meta-Llama-3.1-405B-Instruct', undefined, 21.33],
    // Llama 3.3 70B Instruct $0.71 / $0.71 (was unknown)
    ['Llama-3.3-70B-Instruct', 'azure_ai', 1.42],
    // Mistral Large 2407 $2 / $6 (was Mistral's price, provider guessed)
    ['Mistral-large-2407', 'azure_ai', 8],
    // DeepSeek R1 on Azure $1.35 / $5.40 (was DeepSeek's own $0.55 / $2.19, unflagged)
    ['DeepSeek-R1', 'azure_ai', 6.75],
    ['azure_ai/DeepSeek-R1', undefined, 6.75],
    // DeepSeek V3 (0324) $1.14 / $4.56
    ['DeepSeek-V3-0324', 'azure', 5.7],
  ])('%s (hint %s) → $%d, provider azure', (model, hint, usd) => {
    const r = price(model, hint);
    expect(r?.provider).toBe('azure');
    expect(r?.providerGuessed).toBe(false);
    expect(r?.totalPico).toBe(Math.round(usd * 1e12));
  });

  it('each entry names where its price comes from', () => {
    const catalog = getDefaultCatalog();
    const azure = catalog.resolve('Meta-Llama-3.1-405B-Instruct', 'azure_ai', AT);
    const vertex = catalog.resolve('meta/llama-4-scout-17b-16e-instruct-maas', 'vertex_ai', AT);
    expect(azure?.model.source).toBe('azure.microsoft.com/ai-foundry-models');
    expect(vertex?.model.source).toBe('cloud.google.com/vertex-ai/generative-ai/pricing');
    const listed = catalog.sources().map((s) => s.source?.url);
    expect(listed).toContain('https://cloud.google.com/vertex-ai/generative-ai/pricing');
    expect(listed).toContain('https://azure.microsoft.com/en-us/pricing/details/ai-foundry-models/');
  });
});
