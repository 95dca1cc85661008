import { describe, expect, it } from 'vitest';
import { costDetailsJson } from '../../../src/pricing/cost-details-json.generated.js';
import { calculateCost, PriceCatalog } from '../../../src/pricing/index.js';
import { toLangfuseCostDetails, toLangfuseUsageDetails } from '../../../src/usage/details.js';
import { usageDetailsJson } from '../../../src/usage/details-json.generated.js';
import { extractOtelUsage, OTEL_ATTR } from '../../../src/usage/extract-otel.js';
import { emptyUsage, type TokenUsage } from '../../../src/usage/token-usage.js';

const usage = (u: Partial<TokenUsage>): TokenUsage => ({ ...emptyUsage(), requests: 1, ...u });

describe('extractOtelUsage: classification', () => {
  it.each([
    ['HTTP span', { 'http.request.method': 'GET' }, undefined],
    ['usage without a model or classifier', { 'gen_ai.usage.input_tokens': 10 }, undefined],
    [
      'invoke_agent',
      {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.request.model': 'm',
        'gen_ai.usage.input_tokens': 1,
      },
      'genai',
    ],
    [
      'agent_step (AI SDK v7)',
      { 'gen_ai.operation.name': 'agent_step', 'gen_ai.request.model': 'm', 'gen_ai.usage.input_tokens': 1 },
      'genai',
    ],
    ['execute_tool', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.request.model': 'm' }, 'genai'],
    [
      'OpenInference AGENT',
      { 'openinference.span.kind': 'AGENT', 'llm.token_count.prompt': 5 },
      'openinference',
    ],
    ['OpenInference RETRIEVER', { 'openinference.span.kind': 'RETRIEVER' }, 'openinference'],
    [
      'Langfuse span',
      { 'langfuse.observation.type': 'span', 'langfuse.observation.usage_details': '{"input":1}' },
      'langfuse',
    ],
    ['Langfuse chain', { 'langfuse.observation.type': 'chain' }, 'langfuse'],
    ['AI SDK ai.streamText root', { 'ai.operationId': 'ai.streamText', 'ai.usage.inputTokens': 5 }, 'ai-sdk'],
    ['AI SDK ai.embedMany root', { 'ai.operationId': 'ai.embedMany', 'ai.usage.tokens': 5 }, 'ai-sdk'],
    ['AI SDK tool call', { 'ai.operationId': 'ai.toolCall' }, 'ai-sdk'],
    ['OpenLLMetry task', { 'traceloop.span.kind': 'task', 'gen_ai.usage.input_tokens': 5 }, 'openllmetry'],
    [
      'OpenLLMetry rerank request',
      { 'llm.request.type': 'rerank', 'gen_ai.request.model': 'm' },
      'openllmetry',
    ],
  ])('%s is not billable', (_t, attrs, emitter) => {
    const x = extractOtelUsage(attrs);
    expect(x.billable).toBe(false);
    if (emitter) expect(x.emitter).toBe(emitter);
    expect(x.usage).toBeUndefined();
  });

  it.each([
    ['gen_ai chat', { 'gen_ai.operation.name': 'chat' }, 'genai'],
    ['gen_ai text_completion', { 'gen_ai.operation.name': 'text_completion' }, 'genai'],
    ['gen_ai generate_content', { 'gen_ai.operation.name': 'generate_content' }, 'genai'],
    ['gen_ai embeddings', { 'gen_ai.operation.name': 'embeddings' }, 'genai'],
    ['no operation, model + usage', {}, 'genai'],
    ['OpenLIT', { 'telemetry.sdk.name': 'openlit', 'gen_ai.operation.name': 'chat' }, 'openlit'],
    ['OpenLLMetry chat', { 'llm.request.type': 'chat' }, 'openllmetry'],
    ['Langfuse generation', { 'langfuse.observation.type': 'generation' }, 'langfuse'],
    ['Langfuse embedding', { 'langfuse.observation.type': 'embedding' }, 'langfuse'],
    ['OpenInference LLM', { 'openinference.span.kind': 'LLM' }, 'openinference'],
    ['AI SDK doGenerate', { 'ai.operationId': 'ai.generateObject.doGenerate' }, 'ai-sdk'],
    ['AI SDK doStream', { 'ai.operationId': 'ai.streamObject.doStream' }, 'ai-sdk'],
  ])('%s with usage is billable', (_t, attrs, emitter) => {
    const x = extractOtelUsage({
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 2,
      ...attrs,
    });
    expect(x.billable).toBe(true);
    expect(x.emitter).toBe(emitter);
    expect(x.usage).toMatchObject({ input: 10, output: 2 });
  });

  it('a billable span without usage says so', () => {
    const x = extractOtelUsage({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' });
    expect(x).toMatchObject({ billable: false, reason: 'no token usage', model: 'gpt-4o' });
  });
});

describe('extractOtelUsage: inclusive vs exclusive input', () => {
  const claude = (emitterAttrs: Record<string, unknown>, scope?: { name: string; version?: string }) =>
    extractOtelUsage(
      {
        'gen_ai.request.model': 'claude',
        'gen_ai.usage.input_tokens': 1000,
        'gen_ai.usage.cache_read.input_tokens': 300,
        'gen_ai.usage.output_tokens': 10,
        ...emitterAttrs,
      },
      scope,
    );

  it('GenAI semconv (any provider) follows the convention: input includes cache', () => {
    const x = claude({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic' });
    expect(x.usage).toMatchObject({ input: 700, cacheRead: 300 });
    expect(x.inputIncludedCache).toBe(true);
  });

  it.each([
    [
      'OpenLIT',
      { 'telemetry.sdk.name': 'openlit', 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'anthropic' },
      undefined,
    ],
    ['OpenInference', { 'openinference.span.kind': 'LLM', 'llm.provider': 'anthropic' }, undefined],
    [
      'OpenLLMetry 0.27.0',
      { 'llm.request.type': 'chat', 'gen_ai.provider.name': 'anthropic' },
      { name: '@traceloop/instrumentation-anthropic', version: '0.27.0' },
    ],
    [
      'OpenLLMetry without version',
      { 'llm.request.type': 'chat', 'gen_ai.provider.name': 'anthropic' },
      undefined,
    ],
    [
      'AI SDK v5 (no inputTokenDetails)',
      {
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.model.provider': 'anthropic.messages',
        'ai.usage.cachedInputTokens': 300,
      },
      undefined,
    ],
  ])('%s Anthropic: raw input excludes cache', (_t, attrs, scope) => {
    const x = claude(attrs, scope);
    expect(x.usage).toMatchObject({ input: 1000, cacheRead: 300 });
    expect(x.inputIncludedCache).toBe(false);
  });

  it.each([
    ['0.28.0', 700],
    ['1.0.0', 700],
    ['0.27.9', 1000],
    ['0.9.0', 1000],
    ['1', 700],
    ['garbage', 1000],
  ])('OpenLLMetry Anthropic %s', (version, input) => {
    const x = claude(
      { 'llm.request.type': 'chat', 'gen_ai.provider.name': 'anthropic' },
      { name: '@traceloop/instrumentation-anthropic', version },
    );
    expect(x.usage?.input).toBe(input);
  });

  it('OpenLIT OpenAI stays inclusive', () => {
    const x = claude({
      'telemetry.sdk.name': 'openlit',
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openai',
    });
    expect(x.usage?.input).toBe(700);
  });

  it('cache larger than input means exclusive, for any emitter', () => {
    const x = extractOtelUsage({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'm',
      'gen_ai.usage.input_tokens': 5,
      'gen_ai.usage.cache_read.input_tokens': 4000,
      'gen_ai.usage.cache_write.input_tokens': 100,
    });
    expect(x.usage).toMatchObject({ input: 5, cacheRead: 4000, cacheWrite: 100 });
    expect(x.inputIncludedCache).toBe(false);
  });

  it('AI SDK ≥ 6 noCacheTokens wins, also for Anthropic', () => {
    const x = extractOtelUsage({
      'ai.operationId': 'ai.streamText.doStream',
      'ai.model.provider': 'anthropic.messages',
      'ai.model.id': 'claude',
      'ai.usage.inputTokens': 1500,
      'ai.usage.inputTokenDetails.noCacheTokens': 200,
      'ai.usage.inputTokenDetails.cacheReadTokens': 1000,
      'ai.usage.inputTokenDetails.cacheWriteTokens': 300,
      'ai.usage.outputTokens': 50,
    });
    expect(x.usage).toMatchObject({ input: 200, cacheRead: 1000, cacheWrite: 300, output: 50 });
  });

  it('AI SDK ≥ 6 without noCache but with details is inclusive', () => {
    const x = extractOtelUsage({
      'ai.operationId': 'ai.generateText.doGenerate',
      'ai.model.provider': 'anthropic.messages',
      'ai.model.id': 'claude',
      'ai.usage.inputTokens': 1500,
      'ai.usage.inputTokenDetails.cacheReadTokens': 1000,
      'ai.usage.outputTokens': 50,
    });
    expect(x.usage).toMatchObject({ input: 500, cacheRead: 1000 });
  });

  it('reasoning: a subset of output unless larger than it', () => {
    const base = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'm',
      'gen_ai.usage.input_tokens': 1,
    };
    expect(
      extractOtelUsage({
        ...base,
        'gen_ai.usage.output_tokens': 500,
        'gen_ai.usage.reasoning.output_tokens': 200,
      }).usage,
    ).toMatchObject({ output: 300, reasoning: 200 });
    expect(
      extractOtelUsage({ ...base, 'gen_ai.usage.output_tokens': 100, 'gen_ai.usage.reasoning_tokens': 400 })
        .usage,
    ).toMatchObject({ output: 100, reasoning: 400 });
    expect(
      extractOtelUsage({
        ...base,
        'gen_ai.usage.output_tokens': 100,
        'gen_ai.usage.completion_tokens_details.reasoning': 40,
      }).usage,
    ).toMatchObject({ output: 60, reasoning: 40 });
  });
});

describe('extractOtelUsage: Langfuse usage_details', () => {
  const lf = (details: unknown) =>
    extractOtelUsage({
      'langfuse.observation.type': 'generation',
      'langfuse.observation.model.name': 'm',
      'langfuse.observation.usage_details': typeof details === 'string' ? details : JSON.stringify(details),
    });

  it('Langfuse keys are disjoint; unknown input_/output_ keys count at the input/output rate', () => {
    expect(
      lf({
        input: 100,
        input_cache_creation: 50,
        input_cache_creation_1h: 20,
        input_audio_tokens: 7,
        input_weird: 3,
        output: 9,
        output_audio: 4,
        output_other: 1,
        total: 194,
      }).usage,
    ).toEqual(
      usage({ input: 103, cacheWrite: 50, cacheWrite1h: 20, inputAudio: 7, output: 10, outputAudio: 4 }),
    );
  });

  it('OpenAI chat-completions shaped usage is inclusive', () => {
    expect(
      lf({
        prompt_tokens: 1000,
        completion_tokens: 300,
        total_tokens: 1300,
        prompt_tokens_details: { cached_tokens: 400 },
        completion_tokens_details: { reasoning_tokens: 100 },
      }).usage,
    ).toEqual(usage({ input: 600, cacheRead: 400, output: 200, reasoning: 100 }));
  });

  it('OpenAI responses shaped usage is inclusive', () => {
    expect(
      lf({
        input_tokens: 1000,
        output_tokens: 300,
        input_tokens_details: { cached_tokens: 400 },
        output_tokens_details: { reasoning_tokens: 100 },
      }).usage,
    ).toEqual(usage({ input: 600, cacheRead: 400, output: 200, reasoning: 100 }));
  });

  it('only a total (embedding) is all input', () => {
    expect(lf({ total: 4096 }).usage).toEqual(usage({ input: 4096 }));
  });

  it('broken JSON and bad values are reported, not priced', () => {
    expect(lf('{"input":').invalid).toMatch(/not JSON/);
    expect(lf({ input: -4, output: 1 }).invalid).toMatch(/usage_details\.input/);
    expect(lf({ input: 1.5 }).invalid).toMatch(/plausible/);
  });

  it('usage_details wins over gen_ai.usage.* on the same span', () => {
    const x = extractOtelUsage({
      'langfuse.observation.type': 'generation',
      'langfuse.observation.model.name': 'm',
      'langfuse.observation.usage_details': '{"input":10,"output":1}',
      'gen_ai.usage.input_tokens': 999,
    });
    expect(x.usage).toMatchObject({ input: 10, output: 1 });
    expect(x.hasUsageDetails).toBe(true);
  });
});

describe('extractOtelUsage: model, provider, tier, existing cost, hostile values', () => {
  const chat = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.usage.input_tokens': 10,
    'gen_ai.usage.output_tokens': 1,
  };

  it('model: Langfuse name, then response model, then request model', () => {
    expect(
      extractOtelUsage({ ...chat, 'gen_ai.request.model': 'req', 'gen_ai.response.model': 'resp' }).model,
    ).toBe('resp');
    expect(
      extractOtelUsage({ ...chat, 'gen_ai.request.model': 'req', 'langfuse.observation.model.name': 'lf' })
        .model,
    ).toBe('lf');
    expect(extractOtelUsage({ ...chat, 'llm.model_name': 'oi' }).model).toBe('oi');
  });

  it('provider: gen_ai.provider.name, then gen_ai.system; OpenLLMetry "langchain" is not a provider', () => {
    expect(
      extractOtelUsage({ ...chat, model: 'm', 'gen_ai.provider.name': 'aws.bedrock', 'gen_ai.system': 'x' })
        .provider,
    ).toBe('aws.bedrock');
    expect(extractOtelUsage({ ...chat, model: 'm', 'gen_ai.system': 'langchain' }).provider).toBeUndefined();
    expect(
      extractOtelUsage({
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.model.id': 'm',
        'ai.model.provider': 'openai.chat',
        'ai.usage.inputTokens': 1,
      }).provider,
    ).toBe('openai.chat');
  });

  it.each([
    ['flex', 'flex'],
    ['priority', 'priority'],
    ['default', 'standard'],
    ['auto', 'standard'],
    ['something-new', undefined],
  ])('service tier %s → %s', (raw, tier) => {
    expect(extractOtelUsage({ ...chat, model: 'm', 'openai.response.service_tier': raw }).serviceTier).toBe(
      tier,
    );
  });

  it('existing cost: cost_details total, else the sum; gen_ai.usage.cost 0 is ignored', () => {
    const m = { ...chat, model: 'm' };
    expect(
      extractOtelUsage({ ...m, 'langfuse.observation.cost_details': '{"input":1,"output":2,"total":3.5}' })
        .providedCost,
    ).toBe(3.5);
    expect(
      extractOtelUsage({ ...m, 'langfuse.observation.cost_details': '{"input":1,"output":2}' }).providedCost,
    ).toBe(3);
    expect(extractOtelUsage({ ...m, 'gen_ai.usage.cost': 0 }).providedCost).toBeUndefined();
    expect(extractOtelUsage({ ...m, 'gen_ai.usage.cost': 0.2 })).toMatchObject({
      providedCost: 0.2,
      providedCostAttribute: 'gen_ai.usage.cost',
    });
    expect(extractOtelUsage({ ...m, 'gen_ai.usage.cost.amount': 0 }).providedCost).toBe(0);
    expect(extractOtelUsage({ ...m, 'llm.cost.total': '0.7' }).providedCost).toBe(0.7);
    expect(extractOtelUsage({ ...m, 'gen_ai.usage.cost': Number.NaN }).providedCost).toBeUndefined();
  });

  it.each([
    [Number.NaN, /plausible/],
    [-1, /plausible/],
    [2.5, /plausible/],
    [1e12, /plausible/],
    [Number.POSITIVE_INFINITY, /plausible/],
    ['12abc', /plausible/],
    [true, /not a number/],
    [[1, 2], /not a number/],
    [{}, /not a number/],
    ['', /not a number/],
  ])('hostile count %s is reported, never priced', (v, why) => {
    const x = extractOtelUsage({ ...chat, model: 'm', 'gen_ai.usage.cache_read.input_tokens': v });
    expect(x.invalid).toMatch(why);
    expect(x.invalid).toMatch(/gen_ai\.usage\.cache_read\.input_tokens/);
    expect(x.usage).toBeUndefined();
  });

  it('numeric strings are counts', () => {
    expect(extractOtelUsage({ ...chat, model: 'm', 'gen_ai.usage.input_tokens': '42' }).usage?.input).toBe(
      42,
    );
  });

  it('a frozen, prototype-less attribute bag is fine', () => {
    const a = Object.freeze(Object.assign(Object.create(null), { ...chat, model: 'm' }));
    expect(extractOtelUsage(a).usage?.input).toBe(10);
  });
});

describe('the processor serializers equal JSON.stringify of the Langfuse mapping', () => {
  const catalog = PriceCatalog.fromData({
    version: 1,
    models: [
      {
        id: 'all-buckets',
        provider: 'acme',
        prices: {
          input: 1.1,
          cacheRead: 0.11,
          cacheWrite: 1.375,
          cacheWrite1h: 2.2,
          inputAudio: 3.3,
          inputImage: 0.7,
          output: 4.4,
          reasoning: 5.5,
          outputAudio: 6.6,
          perRequest: 0.001,
          perWebSearch: 0.01,
        },
      },
    ],
  });
  // Deterministic pseudo-random usages (xorshift), including zero buckets.
  let seed = 0x2545f491;
  const rnd = (max: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    const r = (seed >>> 0) % (max + 1);
    return r % 3 === 0 ? 0 : r;
  };
  it('for 2,000 usages', () => {
    for (let i = 0; i < 2000; i++) {
      const u: Partial<TokenUsage> = {
        input: rnd(300_000),
        cacheRead: rnd(100_000),
        cacheWrite: rnd(50_000),
        cacheWrite1h: rnd(10_000),
        inputAudio: rnd(5_000),
        inputImage: rnd(5_000),
        output: rnd(20_000),
        reasoning: rnd(20_000),
        outputAudio: rnd(1_000),
        requests: 1,
        webSearches: rnd(3),
      };
      const r = calculateCost({ model: 'all-buckets', usage: u }, catalog)!;
      expect(costDetailsJson(r)).toBe(JSON.stringify(toLangfuseCostDetails(r)));
      expect(usageDetailsJson(r.usage)).toBe(JSON.stringify(toLangfuseUsageDetails(r.usage)));
    }
  });
});

describe('extractOtelUsage: Anthropic 1-hour cache writes in AI SDK provider metadata', () => {
  const span = (providerMetadata: string) =>
    extractOtelUsage(
      {
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.model.provider': 'anthropic.messages',
        'ai.model.id': 'claude-haiku-4-5',
        'ai.usage.inputTokens': 4500,
        'ai.usage.inputTokenDetails.noCacheTokens': 1000,
        'ai.usage.inputTokenDetails.cacheReadTokens': 500,
        'ai.usage.inputTokenDetails.cacheWriteTokens': 3000,
        'ai.usage.outputTokens': 400,
        'ai.response.providerMetadata': providerMetadata,
      },
      { name: 'ai', version: '7.0.173' },
    );
  const metadata = {
    anthropic: {
      usage: { cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 } },
    },
  };

  it.each([
    ['compact JSON (as the AI SDK writes it)', JSON.stringify(metadata)],
    ['pretty-printed JSON (a span built by hand)', JSON.stringify(metadata, null, 2)],
    [
      'a space before the colon',
      JSON.stringify(metadata).replace('"ephemeral_1h_input_tokens":', '"ephemeral_1h_input_tokens" : '),
    ],
  ])('%s: the 1-hour part refines the 3,000 cache writes, never adds to them', (_, pm) => {
    const x = span(pm);
    expect(x?.usage).toMatchObject({
      input: 1000,
      cacheRead: 500,
      cacheWrite: 1000,
      cacheWrite1h: 2000,
      output: 400,
    });
  });
});

describe('OTEL_ATTR', () => {
  it('is a plain table of attribute names: upper-case keys, dotted names, no reverse entries', () => {
    // Built from a string enum (so that the build inlines the names into named reads): a numeric
    // member would add a reverse entry (value → key) to the exported object.
    const entries = Object.entries(OTEL_ATTR);
    expect(entries.length).toBe(72);
    for (const [key, name] of entries) {
      expect(key).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(name).toMatch(/^[a-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$|^model$/);
    }
    expect(OTEL_ATTR.INPUT).toBe('gen_ai.usage.input_tokens');
    expect(OTEL_ATTR.LF_COST_DETAILS).toBe('langfuse.observation.cost_details');
    expect(OTEL_ATTR.OPENAI_REQUEST_TIER_OLD).toBe('gen_ai.openai.request.service_tier');
  });

  it('reads the same span the same way whatever the order and the other attributes (many shapes in one process)', () => {
    const base: [string, unknown][] = [
      ['gen_ai.operation.name', 'chat'],
      ['gen_ai.provider.name', 'openai'],
      ['gen_ai.response.model', 'gpt-4o-2024-08-06'],
      ['gen_ai.usage.input_tokens', 1200],
      ['gen_ai.usage.cache_read.input_tokens', 200],
      ['gen_ai.usage.output_tokens', 300],
      ['gen_ai.usage.reasoning.output_tokens', 100],
      ['openai.response.service_tier', 'flex'],
    ];
    const extra: [string, unknown][] = [
      ['session.id', 's'],
      ['user.id', 'u'],
      ['langfuse.environment', 'prod'],
      ['server.address', 'api.openai.com'],
      ['http.response.status_code', 200],
    ];
    const expected = {
      emitter: 'genai',
      billable: true,
      model: 'gpt-4o-2024-08-06',
      provider: 'openai',
      usage: usage({ input: 1000, cacheRead: 200, output: 200, reasoning: 100 }),
      hasUsageDetails: false,
      inputIncludedCache: true,
      serviceTier: 'flex',
    };
    for (let shape = 0; shape < 64; shape++) {
      const pairs = [...base];
      extra.forEach((pair, i) => {
        if (shape & (1 << i)) pairs.splice(i % pairs.length, 0, pair);
      });
      if (shape & 32) pairs.reverse();
      expect(extractOtelUsage(Object.fromEntries(pairs))).toEqual(expected);
    }
  });
});
