/**
 * The self-hosted column of the provider table and local endpoints: self-hosted models cost $0 with
 * `source: 'free'` (never unpriced), unless your own price file prices them.
 */
import { describe, expect, it } from 'vitest';
import { calculateCost } from '../../../src/pricing/calculator.js';
import { PriceCatalog } from '../../../src/pricing/catalog.js';
import { priceCall } from '../../../src/pricing/price-call.js';
import { canonicalProvider, isLocalEndpoint, SELF_HOSTED_PROVIDERS } from '../../../src/usage/providers.js';
import { normalizeUsage } from '../../../src/usage/token-usage.js';

describe('isLocalEndpoint', () => {
  it.each([
    'http://localhost:11434',
    'http://127.0.0.1:1234/v1',
    'http://127.1.2.3:8000/v1',
    'https://user:pw@localhost/v1',
    'http://[::1]:8080/v1',
    '0.0.0.0:8000',
    'localhost',
    'http://host.docker.internal:11434',
    'http://llm.localhost:9000/v1',
  ])('%s is on this machine', (u) => expect(isLocalEndpoint(u)).toBe(true));

  it.each([
    'https://api.openai.com/v1',
    'http://10.0.0.5:4000', // a LAN gateway usually forwards to a paid API
    'http://192.168.1.20:11434',
    'https://localhost.example.com/v1',
    'http://127.0.0.1.example.com',
    '',
    undefined,
    42,
  ])('%s is not', (u) => expect(isLocalEndpoint(u)).toBe(false));
});

describe('self-hosted providers', () => {
  const catalog = PriceCatalog.fromData({
    version: 1,
    models: [{ id: 'gpt-4o', provider: 'openai', prices: { input: 2.5, output: 10 } }],
  });
  const usage = { input: 1000, output: 500 };

  it.each([
    ['ollama', 'ollama'],
    ['vllm', 'vllm'],
    ['lm-studio', 'lmstudio'],
    ['llama.cpp', 'llamacpp'],
    ['LocalAI', 'localai'],
  ])('%s: llama3.2:3b is $0, source free, tokens counted', (hint, canonical) => {
    expect(SELF_HOSTED_PROVIDERS).toContain(canonical);
    expect(canonicalProvider(hint)).toBe(canonical);
    const r = calculateCost({ model: 'llama3.2:3b', provider: hint, usage }, catalog);
    expect(r?.source).toBe('free');
    expect(r?.totalPico).toBe(0);
    expect(r?.usage.input).toBe(1000);
  });

  it('your own price for the model wins over free (your compute rate per 1M tokens)', () => {
    const mine = PriceCatalog.fromData(
      {
        version: 1,
        models: [{ id: 'llama3.2:3b', provider: 'ollama', prices: { input: 0.1, output: 0.1 } }],
      },
      'user',
    );
    const r = calculateCost({ model: 'llama3.2:3b', provider: 'ollama', usage }, mine);
    expect(r?.source).toBe('override');
    // 1,500 tokens × $0.10 / 1M = $0.00015
    expect(r?.totalPico).toBe(150_000_000);
  });

  it('freeProviders: [] prices self-hosted models like any other (unknown → unpriced)', () => {
    const strict = new PriceCatalog({ freeProviders: [] });
    expect(calculateCost({ model: 'llama3.2:3b', provider: 'ollama', usage }, strict)).toBeNull();
    const o = priceCall({ models: ['llama3.2:3b'], usage: normalizeUsage(usage), selfHosted: true }, strict);
    expect(o.status).toBe('unpriced');
  });

  it('a local endpoint makes an unknown model self-hosted, and leaves a known one its price', () => {
    const u = normalizeUsage(usage);
    const local = priceCall(
      { models: ['qwen2.5-7b-instruct'], provider: 'openai', usage: u, selfHosted: true },
      catalog,
    );
    expect(local.status).toBe('free');
    expect(local.status !== 'unpriced' && local.result.provider).toBe('self-hosted');
    const remote = priceCall({ models: ['qwen2.5-7b-instruct'], provider: 'openai', usage: u }, catalog);
    expect(remote.status).toBe('unpriced');
    const proxy = priceCall({ models: ['gpt-4o'], provider: 'openai', usage: u, selfHosted: true }, catalog);
    expect(proxy.status).toBe('priced');
    // 1,000 × $2.50/1M + 500 × $10/1M = $0.0075
    expect(proxy.status !== 'unpriced' && proxy.result.totalPico).toBe(7_500_000_000);
  });
});
