import { describe, expect, it } from 'vitest';
import {
  collapseRepeated,
  extractLangChainUsage,
  extractServiceTier,
  type LLMResultLike,
} from '../../../src/usage/extract-langchain.js';

function result(messages: Record<string, unknown>[], llmOutput?: Record<string, unknown>): LLMResultLike {
  return { generations: [messages.map((message) => ({ text: '', message }))], llmOutput };
}

describe('extractLangChainUsage', () => {
  it('splits OpenAI inclusive prompt and completion counts into disjoint buckets', () => {
    const x = extractLangChainUsage(
      result([
        {
          id: 'chatcmpl-1',
          usage_metadata: {
            input_tokens: 1200,
            output_tokens: 300,
            total_tokens: 1500,
            input_token_details: { cache_read: 1024, audio: 16 },
            output_token_details: { reasoning: 100, audio: 20 },
          },
          response_metadata: { model_name: 'gpt-4o-2024-08-06' },
        },
      ]),
      { provider: 'openai' },
    );
    expect(x.source).toBe('usage_metadata');
    expect(x.usage).toMatchObject({ input: 1200 - 1024 - 16, cacheRead: 1024, inputAudio: 16 });
    expect(x.usage).toMatchObject({ output: 300 - 100 - 20, reasoning: 100, outputAudio: 20 });
    expect(x.servedModel).toBe('gpt-4o-2024-08-06');
  });

  it('treats undefined OpenAI details (prompt_tokens_details absent) as 0', () => {
    const x = extractLangChainUsage(
      result([
        {
          usage_metadata: {
            input_tokens: 50,
            output_tokens: 7,
            total_tokens: 57,
            input_token_details: { audio: undefined, cache_read: undefined },
          },
        },
      ]),
      { provider: 'openai' },
    );
    expect(x.usage).toMatchObject({ input: 50, cacheRead: 0, output: 7 });
  });

  it('takes Gemini thinking tokens from total_tokens and keeps candidates as output', () => {
    const x = extractLangChainUsage(
      result([
        {
          usage_metadata: {
            input_tokens: 1200,
            output_tokens: 300,
            total_tokens: 2000,
            input_token_details: { cache_read: 1000 },
          },
        },
      ]),
      { provider: 'google_genai' },
    );
    expect(x.usage).toMatchObject({ input: 200, cacheRead: 1000, output: 300, reasoning: 2000 - 1200 - 300 });
  });

  it('does not invent reasoning from total_tokens for non-Google providers', () => {
    const x = extractLangChainUsage(
      result([{ usage_metadata: { input_tokens: 10, output_tokens: 5, total_tokens: 40 } }]),
      { provider: 'openai' },
    );
    expect(x.usage).toMatchObject({ input: 10, output: 5, reasoning: 0 });
  });

  it('splits Anthropic 1-hour cache writes out of cache_creation using the raw usage', () => {
    const x = extractLangChainUsage(
      result([
        {
          usage_metadata: {
            input_tokens: 1300,
            output_tokens: 50,
            total_tokens: 1350,
            input_token_details: { cache_creation: 200, cache_read: 1000 },
          },
          response_metadata: {
            model: 'claude-sonnet-4-5-20250929',
            usage: { cache_creation: { ephemeral_5m_input_tokens: 150, ephemeral_1h_input_tokens: 50 } },
          },
        },
      ]),
      { provider: 'anthropic' },
    );
    expect(x.usage).toMatchObject({
      input: 100,
      cacheRead: 1000,
      cacheWrite: 150,
      cacheWrite1h: 50,
      output: 50,
    });
    expect(x.servedModel).toBe('claude-sonnet-4-5-20250929');
  });

  it('undoes the Anthropic stream double count with the largest per-chunk output', () => {
    const x = extractLangChainUsage(
      result([{ usage_metadata: { input_tokens: 10, output_tokens: 51, total_tokens: 61 } }]),
      {
        provider: 'anthropic',
        stream: { chunks: 6, maxChunkOutputTokens: 50 },
      },
    );
    expect(x.usage.output).toBe(50);
  });

  it('divides the Google stream cache_read back when @langchain/google-genai is a known summing version', () => {
    const x = extractLangChainUsage(
      result([
        {
          usage_metadata: {
            input_tokens: 5000,
            output_tokens: 30,
            total_tokens: 5030,
            input_token_details: { cache_read: 3000 },
          },
        },
      ]),
      { provider: 'google_genai', stream: { chunks: 3 }, versions: { '@langchain/google-genai': '2.3.2' } },
    );
    expect(x.usage.cacheRead).toBe(1000);
    expect(x.usage.input).toBe(4000);
    // An unknown later version with a plausible count is taken at face value.
    const y = extractLangChainUsage(
      result([
        {
          usage_metadata: {
            input_tokens: 5000,
            output_tokens: 30,
            total_tokens: 5030,
            input_token_details: { cache_read: 3000 },
          },
        },
      ]),
      { provider: 'google_genai', stream: { chunks: 3 }, versions: { '@langchain/google-genai': '2.9.0' } },
    );
    expect(y.usage.cacheRead).toBe(3000);
  });

  it('counts one response usage repeated on n generations once, and sums distinct usages', () => {
    const um = { input_tokens: 100, output_tokens: 40, total_tokens: 140 };
    const same = extractLangChainUsage(
      result([
        { id: 'chatcmpl-9', usage_metadata: um },
        { id: 'chatcmpl-9', usage_metadata: { ...um } },
      ]),
    );
    expect(same.usage).toMatchObject({ input: 100, output: 40 });
    const distinct = extractLangChainUsage(
      result([
        { id: 'a', usage_metadata: um },
        { id: 'b', usage_metadata: { input_tokens: 7, output_tokens: 3, total_tokens: 10 } },
      ]),
    );
    expect(distinct.usage).toMatchObject({ input: 107, output: 43 });
  });

  it('falls back to llmOutput.tokenUsage, then raw provider usage, then flags LangChain estimates', () => {
    const tu = extractLangChainUsage(
      result([{}], { tokenUsage: { promptTokens: 30, completionTokens: 12, totalTokens: 42 } }),
    );
    expect(tu.source).toBe('token_usage');
    expect(tu.usage).toMatchObject({ input: 30, output: 12 });

    const groq = extractLangChainUsage(
      result([
        {
          response_metadata: {
            x_groq: { usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 } },
          },
        },
      ]),
    );
    expect(groq.source).toBe('provider_usage');
    expect(groq.usage).toMatchObject({ input: 9, output: 4 });

    const anthropicRaw = extractLangChainUsage(
      result([{}], {
        usage: {
          input_tokens: 10,
          cache_read_input_tokens: 90,
          cache_creation_input_tokens: 5,
          output_tokens: 3,
        },
      }),
    );
    expect(anthropicRaw.usage).toMatchObject({ input: 10, cacheRead: 90, cacheWrite: 5, output: 3 });

    const est = extractLangChainUsage(
      result([{}], { estimatedTokenUsage: { promptTokens: 11, completionTokens: 6, totalTokens: 17 } }),
    );
    expect(est.source).toBe('estimated');
    expect(est.estimated).toBe(true);
    expect(est.usage).toMatchObject({ input: 11, output: 6 });
    expect(est.warnings?.[0]).toMatch(/estimate/);

    const none = extractLangChainUsage(result([{}], { estimatedTokenUsage: {} }));
    expect(none.source).toBe('none');
    expect(none.usage.input + none.usage.output).toBe(0);
  });

  it('reads OpenRouter usage.cost as the provided cost', () => {
    const x = extractLangChainUsage(
      result([
        {
          usage_metadata: { input_tokens: 10, output_tokens: 5, total_tokens: 15 },
          response_metadata: {
            model_name: 'openai/gpt-4o',
            usage: { prompt_tokens: 10, completion_tokens: 5, cost: 0.000125 },
          },
        },
      ]),
    );
    expect(x.providedCost).toBe(0.000125);
    expect(x.servedModel).toBe('openai/gpt-4o');
  });

  it('collapses strings LangChain concatenated while merging stream chunks', () => {
    expect(collapseRepeated('mistral-large-2411mistral-large-2411mistral-large-2411')).toBe(
      'mistral-large-2411',
    );
    expect(collapseRepeated('gpt-4o')).toBe('gpt-4o');
    const x = extractLangChainUsage(
      result([
        {
          response_metadata: { model: 'gpt-4ogpt-4o', service_tier: 'priority' },
          usage_metadata: { input_tokens: 1, output_tokens: 1 },
        },
      ]),
    );
    expect(x.servedModel).toBe('gpt-4o');
  });

  it('trims the served model name; a blank model_name gives way to model', () => {
    const x = extractLangChainUsage(
      result([
        {
          response_metadata: { model_name: '   ', model: ' gpt-4o-mini \n' },
          usage_metadata: { input_tokens: 1, output_tokens: 1 },
        },
      ]),
    );
    expect(x.servedModel).toBe('gpt-4o-mini');
  });

  it('names each call its own served model when calls alternate models (the last name is remembered)', () => {
    const served = (name: unknown) =>
      extractLangChainUsage(
        result([
          { response_metadata: { model_name: name }, usage_metadata: { input_tokens: 1, output_tokens: 1 } },
        ]),
      ).servedModel;
    const names: [unknown, string | undefined][] = [
      ['gpt-4o', 'gpt-4o'],
      ['gpt-4o', 'gpt-4o'],
      [' gpt-4o-mini ', 'gpt-4o-mini'],
      ['gpt-4o', 'gpt-4o'],
      ['   ', undefined],
      ['claude-3-5-haikuclaude-3-5-haiku', 'claude-3-5-haiku'],
      [['gpt-4', 'o'].join(''), 'gpt-4o'],
      [42, undefined],
      ['gpt-4o', 'gpt-4o'],
    ];
    for (const [name, expected] of names) expect(served(name)).toBe(expected);
  });

  it('never throws on odd shapes', () => {
    expect(extractLangChainUsage(undefined as unknown as LLMResultLike).source).toBe('none');
    expect(extractLangChainUsage({ generations: [[null as never], 'x' as never] }).source).toBe('none');
    const neg = extractLangChainUsage(
      result([{ usage_metadata: { input_tokens: -5, output_tokens: Number.NaN } }]),
    );
    expect(neg.usage).toMatchObject({ input: 0, output: 0 });
  });
});

describe('extractServiceTier', () => {
  it('maps response tiers and falls back to the request tier', () => {
    expect(extractServiceTier(result([{ response_metadata: { service_tier: 'default' } }]))).toBe('standard');
    expect(extractServiceTier(result([{ response_metadata: { service_tier: 'priority' } }]))).toBe(
      'priority',
    );
    expect(extractServiceTier(result([{ response_metadata: { service_tier: 'flexflex' } }]))).toBe('flex');
    expect(extractServiceTier(result([{ response_metadata: { usage: { service_tier: 'batch' } } }]))).toBe(
      'batch',
    );
    expect(extractServiceTier(result([{}]), { service_tier: 'flex' })).toBe('flex');
    expect(extractServiceTier(result([{}]), { service_tier: 'whatever' })).toBeUndefined();
    // The response wins over the request (a flex request can be served at default).
    expect(
      extractServiceTier(result([{ response_metadata: { service_tier: 'default' } }]), {
        service_tier: 'flex',
      }),
    ).toBe('standard');
  });
});
