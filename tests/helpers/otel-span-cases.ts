import type { Attributes } from '@opentelemetry/api';
import type { RecordContext } from '../../src/ledger/record.js';
import type { CostSpanProcessor, CostSpanProcessorOptions } from '../../src/otel/index.js';
import type { CostResult } from '../../src/pricing/index.js';
import { PriceCatalog } from '../../src/pricing/index.js';
import type { TokenUsage } from '../../src/usage/token-usage.js';

/**
 * Hand-built LLM spans in every vocabulary the CostSpanProcessor reads, with the disjoint usage
 * and cost a correct reader must find. Prices (USD per 1M tokens) are written out here and the
 * expected costs are computed from them, never by the code under test. Shared by the SDK 2.x and
 * 3.x suites.
 */

/** Price facts of the test catalog, USD per 1M tokens. */
export const P = {
  gpt4o: { input: 2.5, cacheRead: 1.25, output: 10 },
  claude: { input: 3, cacheRead: 0.3, cacheWrite: 3.75, cacheWrite1h: 6, output: 15 },
  reasoner: { input: 1, cacheRead: 0.5, output: 4, reasoning: 8 },
  embed: { input: 0.02 },
  gemini: { input: 0.3, cacheRead: 0.075, inputAudio: 1, output: 2.5 },
} as const;

/** A small catalog with exactly the prices above (flex = half price for gpt-4o). */
export function testCatalog(): PriceCatalog {
  return PriceCatalog.fromData(
    {
      version: 1,
      models: [
        {
          id: 'gpt-4o-2024-08-06',
          provider: 'openai',
          aliases: ['gpt-4o'],
          prices: { ...P.gpt4o },
          serviceTiers: { flex: { multiplier: 0.5 } },
        },
        { id: 'claude-sonnet-4-5', provider: 'anthropic', prices: { ...P.claude } },
        { id: 'reasoner-1', provider: 'openai', prices: { ...P.reasoner } },
        { id: 'text-embedding-3-small', provider: 'openai', mode: 'embedding', prices: { ...P.embed } },
        { id: 'gemini-2.5-flash', provider: 'google', prices: { ...P.gemini } },
      ],
    },
    'override',
  );
}

/** Cost in USD of a usage at per-1M prices; the test-side arithmetic. */
export function usd(usage: Partial<TokenUsage>, prices: Partial<Record<keyof TokenUsage, number>>): number {
  let pico = 0;
  for (const [bucket, count] of Object.entries(usage)) {
    if (!count || bucket === 'requests' || bucket === 'webSearches') continue;
    const fallback = bucket === 'reasoning' || bucket === 'outputAudio' ? prices.output : prices.input;
    const price = prices[bucket as keyof TokenUsage] ?? fallback ?? 0;
    // price per 1M tokens × count, in pico-USD (exact for these inputs)
    pico += Math.round(count * price * 1e6);
  }
  return pico / 1e12;
}

/** One hand-built span and what must come out of it. */
export interface SpanCase {
  title: string;
  name: string;
  scope?: { name: string; version?: string };
  attributes: Attributes;
  /** Expected disjoint usage (omitted buckets are 0); undefined → the span must not be priced. */
  usage?: Partial<TokenUsage>;
  /** Expected total, USD. */
  cost?: number;
  /** Expected catalog entry. */
  resolvedModel?: string;
}

const gpt = P.gpt4o;
const claude = P.claude;

/** The vocabulary matrix. */
export const SPAN_CASES: SpanCase[] = [
  {
    title: 'GenAI semconv, current names (OpenAI, input includes cache)',
    name: 'chat gpt-4o',
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.cache_read.input_tokens': 200,
      'gen_ai.usage.output_tokens': 300,
    },
    usage: { input: 1000, cacheRead: 200, output: 300 },
    cost: (1000 * gpt.input + 200 * gpt.cacheRead + 300 * gpt.output) / 1e6,
    resolvedModel: 'gpt-4o-2024-08-06',
  },
  {
    title: 'GenAI semconv, old names (gen_ai.system, prompt/completion_tokens, no operation)',
    name: 'openai.chat',
    attributes: {
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.prompt_tokens': 1500,
      'gen_ai.usage.cache_read_input_tokens': 500,
      'gen_ai.usage.completion_tokens': 100,
    },
    usage: { input: 1000, cacheRead: 500, output: 100 },
    cost: (1000 * gpt.input + 500 * gpt.cacheRead + 100 * gpt.output) / 1e6,
  },
  {
    title: 'GenAI semconv, Anthropic following the convention (input includes cache_read + cache_write)',
    name: 'chat claude-sonnet-4-5',
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.usage.input_tokens': 1800,
      'gen_ai.usage.cache_read.input_tokens': 300,
      'gen_ai.usage.cache_write.input_tokens': 500,
      'gen_ai.usage.output_tokens': 200,
    },
    usage: { input: 1000, cacheRead: 300, cacheWrite: 500, output: 200 },
    cost:
      (1000 * claude.input + 300 * claude.cacheRead + 500 * claude.cacheWrite + 200 * claude.output) / 1e6,
  },
  {
    title: 'GenAI semconv v1.40 cache_creation name',
    name: 'chat claude-sonnet-4-5',
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.usage.input_tokens': 1500,
      'gen_ai.usage.cache_creation.input_tokens': 500,
      'gen_ai.usage.output_tokens': 10,
    },
    usage: { input: 1000, cacheWrite: 500, output: 10 },
    cost: (1000 * claude.input + 500 * claude.cacheWrite + 10 * claude.output) / 1e6,
  },
  {
    title: 'Anthropic-style exclusive input from an unknown emitter (cache_read + cache_write > input)',
    name: 'chat claude-sonnet-4-5',
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.cache_read.input_tokens': 3000,
      'gen_ai.usage.cache_creation.input_tokens': 500,
      'gen_ai.usage.output_tokens': 50,
    },
    usage: { input: 100, cacheRead: 3000, cacheWrite: 500, output: 50 },
    cost: (100 * claude.input + 3000 * claude.cacheRead + 500 * claude.cacheWrite + 50 * claude.output) / 1e6,
  },
  {
    title:
      'OpenLIT Anthropic: raw exclusive input_tokens even when cache < input; OpenLIT cost 0 means unpriced',
    name: 'chat claude-sonnet-4-5',
    scope: { name: 'openlit' },
    attributes: {
      'telemetry.sdk.name': 'openlit',
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'anthropic',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.cache_read.input_tokens': 200,
      'gen_ai.usage.cache_creation.input_tokens': 100,
      'gen_ai.usage.output_tokens': 40,
      'gen_ai.usage.cost': 0,
    },
    usage: { input: 1000, cacheRead: 200, cacheWrite: 100, output: 40 },
    cost: (1000 * claude.input + 200 * claude.cacheRead + 100 * claude.cacheWrite + 40 * claude.output) / 1e6,
  },
  {
    title: 'OpenLLMetry 0.27 Anthropic: raw exclusive input_tokens',
    name: 'anthropic.chat',
    scope: { name: '@traceloop/instrumentation-anthropic', version: '0.27.0' },
    attributes: {
      'llm.request.type': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.cache_read.input_tokens': 200,
      'gen_ai.usage.output_tokens': 40,
      'gen_ai.usage.total_tokens': 1040,
    },
    usage: { input: 1000, cacheRead: 200, output: 40 },
    cost: (1000 * claude.input + 200 * claude.cacheRead + 40 * claude.output) / 1e6,
  },
  {
    title: 'OpenLLMetry ≥ 0.28 Anthropic: input includes cache',
    name: 'anthropic.chat',
    scope: { name: '@traceloop/instrumentation-anthropic', version: '0.28.1' },
    attributes: {
      'llm.request.type': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.cache_read.input_tokens': 200,
      'gen_ai.usage.output_tokens': 40,
    },
    usage: { input: 800, cacheRead: 200, output: 40 },
    cost: (800 * claude.input + 200 * claude.cacheRead + 40 * claude.output) / 1e6,
  },
  {
    title: 'OpenLLMetry ≤ 0.21 names (gen_ai.system, prompt_tokens, llm.usage.total_tokens)',
    name: 'openai.chat',
    scope: { name: '@traceloop/instrumentation-openai', version: '0.20.0' },
    attributes: {
      'llm.request.type': 'chat',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.usage.prompt_tokens': 700,
      'gen_ai.usage.completion_tokens': 70,
      'llm.usage.total_tokens': 770,
    },
    usage: { input: 700, output: 70 },
    cost: (700 * gpt.input + 70 * gpt.output) / 1e6,
  },
  {
    title: 'OpenLLMetry workflow span repeating its children is not priced',
    name: 'my_workflow.workflow',
    scope: { name: '@traceloop/node-server-sdk' },
    attributes: {
      'traceloop.span.kind': 'workflow',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 700,
      'gen_ai.usage.output_tokens': 70,
    },
  },
  {
    title: 'OpenInference LLM span (OpenAI; prompt includes cache, completion includes reasoning)',
    name: 'ChatCompletion',
    scope: { name: '@arizeai/openinference-instrumentation-openai' },
    attributes: {
      'openinference.span.kind': 'LLM',
      'llm.provider': 'openai',
      'llm.system': 'openai',
      'llm.model_name': 'reasoner-1',
      'llm.token_count.prompt': 1200,
      'llm.token_count.prompt_details.cache_read': 200,
      'llm.token_count.completion': 500,
      'llm.token_count.completion_details.reasoning': 350,
      'llm.token_count.total': 1700,
    },
    usage: { input: 1000, cacheRead: 200, output: 150, reasoning: 350 },
    cost:
      (1000 * P.reasoner.input +
        200 * P.reasoner.cacheRead +
        150 * P.reasoner.output +
        350 * P.reasoner.reasoning) /
      1e6,
  },
  {
    title: 'OpenInference Anthropic: prompt count is raw (exclusive)',
    name: 'Messages',
    scope: { name: '@arizeai/openinference-instrumentation-anthropic' },
    attributes: {
      'openinference.span.kind': 'LLM',
      'llm.provider': 'anthropic',
      'llm.model_name': 'claude-sonnet-4-5',
      'llm.token_count.prompt': 900,
      'llm.token_count.prompt_details.cache_read': 100,
      'llm.token_count.completion': 60,
    },
    usage: { input: 900, cacheRead: 100, output: 60 },
    cost: (900 * claude.input + 100 * claude.cacheRead + 60 * claude.output) / 1e6,
  },
  {
    title: 'OpenInference EMBEDDING span (model in embedding.model_name)',
    name: 'CreateEmbeddings',
    attributes: {
      'openinference.span.kind': 'EMBEDDING',
      'embedding.model_name': 'text-embedding-3-small',
      'llm.token_count.prompt': 5000,
      'llm.token_count.total': 5000,
    },
    usage: { input: 5000 },
    cost: (5000 * P.embed.input) / 1e6,
  },
  {
    title: 'OpenInference CHAIN span repeating its children is not priced',
    name: 'RunnableSequence',
    attributes: {
      'openinference.span.kind': 'CHAIN',
      'llm.model_name': 'gpt-4o',
      'llm.token_count.prompt': 1200,
      'llm.token_count.completion': 300,
    },
  },
  {
    title: 'Langfuse generation with Langfuse usage keys (disjoint)',
    name: 'llm-call',
    scope: { name: 'langfuse-sdk', version: '5.11.1' },
    attributes: {
      'langfuse.observation.type': 'generation',
      'langfuse.observation.model.name': 'gpt-4o',
      'langfuse.observation.usage_details': JSON.stringify({
        input: 1000,
        input_cached_tokens: 200,
        output: 300,
        total: 1500,
      }),
    },
    usage: { input: 1000, cacheRead: 200, output: 300 },
    cost: (1000 * gpt.input + 200 * gpt.cacheRead + 300 * gpt.output) / 1e6,
  },
  {
    title:
      'Langfuse generation from @langfuse/langchain (input_cache_read / output_reasoning, already subtracted)',
    name: 'ChatOpenAI',
    scope: { name: 'langfuse-sdk', version: '5.11.1' },
    attributes: {
      'langfuse.observation.type': 'generation',
      'langfuse.observation.model.name': 'reasoner-1',
      'langfuse.observation.usage_details': JSON.stringify({
        input: 800,
        output: 100,
        total: 1400,
        input_cache_read: 400,
        output_reasoning: 100,
      }),
    },
    usage: { input: 800, cacheRead: 400, output: 100, reasoning: 100 },
    cost:
      (800 * P.reasoner.input +
        400 * P.reasoner.cacheRead +
        100 * P.reasoner.output +
        100 * P.reasoner.reasoning) /
      1e6,
  },
  {
    title: 'Langfuse agent observation is not priced',
    name: 'agent',
    scope: { name: 'langfuse-sdk' },
    attributes: {
      'langfuse.observation.type': 'agent',
      'langfuse.observation.model.name': 'gpt-4o',
      'langfuse.observation.usage_details': JSON.stringify({ input: 1000, output: 300 }),
    },
  },
  {
    title: 'AI SDK ≥ 6 doGenerate (inputTokenDetails / outputTokenDetails)',
    name: 'ai.generateText.doGenerate',
    scope: { name: 'ai' },
    attributes: {
      'ai.operationId': 'ai.generateText.doGenerate',
      'ai.model.provider': 'openai.responses',
      'ai.model.id': 'reasoner-1',
      'ai.response.model': 'reasoner-1',
      'ai.usage.inputTokens': 1200,
      'ai.usage.inputTokenDetails.noCacheTokens': 1000,
      'ai.usage.inputTokenDetails.cacheReadTokens': 200,
      'ai.usage.outputTokens': 300,
      'ai.usage.outputTokenDetails.textTokens': 250,
      'ai.usage.outputTokenDetails.reasoningTokens': 50,
      'ai.usage.reasoningTokens': 50,
      'ai.usage.cachedInputTokens': 200,
      'gen_ai.system': 'openai.responses',
      'gen_ai.request.model': 'reasoner-1',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 300,
    },
    usage: { input: 1000, cacheRead: 200, output: 250, reasoning: 50 },
    cost:
      (1000 * P.reasoner.input +
        200 * P.reasoner.cacheRead +
        250 * P.reasoner.output +
        50 * P.reasoner.reasoning) /
      1e6,
  },
  {
    title: 'AI SDK root ai.generateText repeating its steps is not priced',
    name: 'ai.generateText',
    scope: { name: 'ai' },
    attributes: {
      'ai.operationId': 'ai.generateText',
      'ai.model.provider': 'openai.responses',
      'ai.model.id': 'gpt-4o',
      'ai.usage.inputTokens': 1200,
      'ai.usage.outputTokens': 300,
    },
  },
  {
    title: 'AI SDK v5 Anthropic doStream (promptTokens raw; cache write only in providerMetadata)',
    name: 'ai.streamText.doStream',
    scope: { name: 'ai' },
    attributes: {
      'ai.operationId': 'ai.streamText.doStream',
      'ai.model.provider': 'anthropic.messages',
      'ai.model.id': 'claude-sonnet-4-5',
      'ai.usage.inputTokens': 1000,
      'ai.usage.cachedInputTokens': 200,
      'ai.usage.outputTokens': 80,
      'ai.response.providerMetadata': JSON.stringify({
        anthropic: {
          cacheCreationInputTokens: 300,
          usage: { cache_creation: { ephemeral_1h_input_tokens: 100 } },
        },
      }),
    },
    usage: { input: 1000, cacheRead: 200, cacheWrite: 200, cacheWrite1h: 100, output: 80 },
    cost:
      (1000 * claude.input +
        200 * claude.cacheRead +
        200 * claude.cacheWrite +
        100 * claude.cacheWrite1h +
        80 * claude.output) /
      1e6,
  },
  {
    // ai 6.0.119+ and 7.x (LegacyOpenTelemetry, @ai-sdk/anthropic 3.x/4.x): the inclusive input, the
    // cache-write total in inputTokenDetails, the 1-hour part only in the raw Anthropic usage.
    title: 'AI SDK 7 Anthropic doGenerate (cache-write total + 1-hour split in providerMetadata, issue 15)',
    name: 'ai.generateText.doGenerate',
    scope: { name: 'ai', version: '7.0.173' },
    attributes: {
      'ai.operationId': 'ai.generateText.doGenerate',
      'ai.model.provider': 'anthropic.messages',
      'ai.model.id': 'claude-sonnet-4-5',
      'ai.usage.inputTokens': 4500,
      'ai.usage.inputTokenDetails.noCacheTokens': 1000,
      'ai.usage.inputTokenDetails.cacheReadTokens': 500,
      'ai.usage.inputTokenDetails.cacheWriteTokens': 3000,
      'ai.usage.outputTokens': 400,
      'ai.usage.outputTokenDetails.textTokens': 400,
      'ai.response.providerMetadata': JSON.stringify({
        anthropic: {
          usage: {
            input_tokens: 1000,
            cache_creation_input_tokens: 3000,
            cache_read_input_tokens: 500,
            cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
            output_tokens: 400,
          },
          cacheCreationInputTokens: 3000,
        },
      }),
    },
    usage: { input: 1000, cacheRead: 500, cacheWrite: 1000, cacheWrite1h: 2000, output: 400 },
    cost:
      (1000 * claude.input +
        500 * claude.cacheRead +
        1000 * claude.cacheWrite +
        2000 * claude.cacheWrite1h +
        400 * claude.output) /
      1e6,
  },
  {
    title:
      'Langfuse usage_details with the cache-write total beside its 5m/1h breakdown counts each write once',
    name: 'anthropic-call',
    scope: { name: 'langfuse-sdk' },
    attributes: {
      'langfuse.observation.type': 'generation',
      'langfuse.observation.model.name': 'claude-sonnet-4-5',
      'langfuse.observation.usage_details': JSON.stringify({
        input: 1000,
        input_cached_tokens: 500,
        input_cache_creation: 3000,
        input_cache_creation_5m: 1000,
        input_cache_creation_1h: 2000,
        output: 400,
      }),
    },
    usage: { input: 1000, cacheRead: 500, cacheWrite: 1000, cacheWrite1h: 2000, output: 400 },
    cost:
      (1000 * claude.input +
        500 * claude.cacheRead +
        1000 * claude.cacheWrite +
        2000 * claude.cacheWrite1h +
        400 * claude.output) /
      1e6,
  },
  {
    title: 'AI SDK doEmbed (only ai.usage.tokens)',
    name: 'ai.embed.doEmbed',
    scope: { name: 'ai' },
    attributes: {
      'ai.operationId': 'ai.embed.doEmbed',
      'ai.model.provider': 'openai.embedding',
      'ai.model.id': 'text-embedding-3-small',
      'ai.usage.tokens': 12_345,
    },
    usage: { input: 12_345 },
    cost: (12_345 * P.embed.input) / 1e6,
  },
  {
    title: 'AI SDK v7 semconv: invoke_agent root is not priced',
    name: 'invoke_agent gpt-4o',
    scope: { name: 'gen_ai' },
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 2400,
      'gen_ai.usage.output_tokens': 600,
    },
  },
  {
    title: 'Gemini generate_content with audio input (a subset of input_tokens)',
    name: 'generate_content gemini-2.5-flash',
    attributes: {
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': 'gemini-2.5-flash',
      'gen_ai.usage.input_tokens': 2000,
      'gen_ai.usage.audio.input_tokens': 500,
      'gen_ai.usage.cache_read.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
    },
    usage: { input: 500, cacheRead: 1000, inputAudio: 500, output: 100 },
    cost:
      (500 * P.gemini.input + 1000 * P.gemini.cacheRead + 500 * P.gemini.inputAudio + 100 * P.gemini.output) /
      1e6,
  },
  {
    title: 'OpenAI flex service tier (half price)',
    name: 'chat gpt-4o',
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'openai.response.service_tier': 'flex',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
    },
    usage: { input: 1000, output: 100 },
    cost: ((1000 * gpt.input + 100 * gpt.output) * 0.5) / 1e6,
  },
  {
    title: 'An HTTP span is ignored',
    name: 'GET /health',
    attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200, 'url.path': '/health' },
  },
];

/** What the test tracker saw. */
export interface Recorded {
  result: CostResult;
  ctx: RecordContext | undefined;
}

/** A tracker that keeps what it is given. */
export function memoryTracker(): {
  records: Recorded[];
  unpriced: { model: string; provider?: string; usage: Partial<TokenUsage> }[];
  record(result: CostResult, ctx?: RecordContext): void;
  recordUnpriced(model: string, provider: string | undefined, usage: Partial<TokenUsage>): void;
} {
  const records: Recorded[] = [];
  const unpriced: { model: string; provider?: string; usage: Partial<TokenUsage> }[] = [];
  return {
    records,
    unpriced,
    record(result, ctx) {
      records.push({ result, ctx });
    },
    recordUnpriced(model, provider, usage) {
      unpriced.push({ model, provider, usage });
    },
  };
}

/** A logger that keeps warnings. */
export function memoryLogger(): {
  warnings: string[];
  debug(): void;
  info(): void;
  warn(m: string): void;
  error(m: string): void;
} {
  const warnings: string[] = [];
  return {
    warnings,
    debug() {},
    info() {},
    warn(m: string) {
      warnings.push(m);
    },
    error(m: string) {
      warnings.push(m);
    },
  };
}

/**
 * Wrap a processor so the SDK cannot see its onEnding: exactly what an OTel SDK older than 2.3 does
 * (it never calls onEnding), so the processor must enrich the span in onEnd.
 */
export function withoutOnEnding(p: CostSpanProcessor): {
  onStart: CostSpanProcessor['onStart'];
  onEnd: CostSpanProcessor['onEnd'];
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
} {
  return {
    onStart: (s, c) => p.onStart(s, c),
    onEnd: (s) => p.onEnd(s),
    forceFlush: () => p.forceFlush(),
    shutdown: () => p.shutdown(),
  };
}

/** Options every suite uses. */
export type ProcessorFactoryOptions = Omit<CostSpanProcessorOptions, 'catalog' | 'tracker'>;
