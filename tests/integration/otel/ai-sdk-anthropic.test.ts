import { createAnthropic } from '@ai-sdk/anthropic';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { generateText, streamText } from 'ai';
import { describe, expect, it } from 'vitest';
import { COST_ATTR, CostSpanProcessor } from '../../../src/otel/index.js';
import { memoryLogger, memoryTracker } from '../../helpers/otel-span-cases.js';
import { useProviderServer } from '../../helpers/providers/index.js';

// Issue 15, Why 1: the real Vercel AI SDK (`ai` 6.0.x) and its real Anthropic provider
// (`@ai-sdk/anthropic` 3.x) call a loopback server speaking the Messages wire format, with telemetry
// on a real OTel SDK tracer; the CostSpanProcessor in front of the exporter prices the doGenerate /
// doStream span with the bundled catalog. ai ≥ 6.0.119 reports the cache-write total in
// `ai.usage.inputTokenDetails.cacheWriteTokens`; only `ai.response.providerMetadata` says which part
// of it was written for one hour.

const server = useProviderServer();

/** Claude Haiku 4.5, USD per 1M tokens (anthropic.com/pricing, docs.claude.com prompt-caching table). */
const HAIKU_45 = { input: 1, cacheWrite5m: 1.25, cacheWrite1h: 2, cacheRead: 0.1, output: 5 } as const;

/** Raw Anthropic usage: 1,000 uncached input, 500 cache reads, 3,000 cache writes of which 2,000 are 1-hour. */
const USAGE = {
  input_tokens: 1000,
  cache_read_input_tokens: 500,
  cache_creation_input_tokens: 3000,
  cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
  output_tokens: 400,
};

/** Picodollars for `tokens` at `perMillion` USD per 1M tokens (exact for these prices). */
const p = (tokens: number, perMillion: number) => Math.round(tokens * perMillion * 1e6);
/** 1,000 × $1 + 500 × $0.10 + 1,000 × $1.25 + 2,000 × $2 + 400 × $5 per 1M tokens = $0.0083. */
const WANT_PICO =
  p(1000, HAIKU_45.input) +
  p(500, HAIKU_45.cacheRead) +
  p(1000, HAIKU_45.cacheWrite5m) +
  p(2000, HAIKU_45.cacheWrite1h) +
  p(400, HAIKU_45.output);
/** Every cache write at the 5-minute rate (the bug): $0.0068. */
const ALL_5M_PICO =
  p(1000, HAIKU_45.input) +
  p(500, HAIKU_45.cacheRead) +
  p(3000, HAIKU_45.cacheWrite5m) +
  p(400, HAIKU_45.output);

function pipeline() {
  const exporter = new InMemorySpanExporter();
  const tracker = memoryTracker();
  const logger = memoryLogger();
  const provider = new BasicTracerProvider({
    spanProcessors: [new CostSpanProcessor({ tracker, logger }), new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('ai');
  const call = (name: string): ReadableSpan => {
    const span = exporter.getFinishedSpans().find((s) => s.name === name);
    if (!span) throw new Error(`no span ${name}`);
    return span;
  };
  return { tracker, logger, tracer, call, provider };
}

function anthropic() {
  return createAnthropic({ apiKey: 'test', baseURL: `${server.url}/v1` })('claude-haiku-4-5');
}

const pico = (usd: unknown) => Math.round(Number(usd) * 1e12);

describe('Vercel AI SDK 6 + @ai-sdk/anthropic over OTel: 1-hour cache writes', () => {
  it('generateText: the 1-hour split refines the cache-write total (want $0.0083)', async () => {
    expect([WANT_PICO, ALL_5M_PICO]).toEqual([8_300_000_000, 6_800_000_000]); // the figures
    server.setDefault('anthropic', { model: 'claude-haiku-4-5', usage: USAGE });
    const p = pipeline();
    const { text } = await generateText({
      model: anthropic(),
      prompt: 'hi',
      experimental_telemetry: { isEnabled: true, tracer: p.tracer },
    });
    expect(text).toContain('Hello');
    const span = p.call('ai.generateText.doGenerate');
    // What the AI SDK put on the span: the total and, only in the provider metadata, the split.
    expect(span.attributes['ai.usage.inputTokenDetails.cacheWriteTokens']).toBe(3000);
    expect(String(span.attributes['ai.response.providerMetadata'])).toContain(
      '"ephemeral_1h_input_tokens":2000',
    );
    expect(pico(span.attributes[COST_ATTR.COST])).toBe(WANT_PICO);
    expect(pico(span.attributes[COST_ATTR.COST])).not.toBe(ALL_5M_PICO);
    expect(JSON.parse(String(span.attributes[COST_ATTR.USAGE_DETAILS]))).toMatchObject({
      input: 1000,
      input_cached_tokens: 500,
      input_cache_creation: 1000,
      input_cache_creation_1h: 2000,
      output: 400,
    });
    expect(p.tracker.records).toHaveLength(1);
    expect(p.tracker.records[0]!.result.provider).toBe('anthropic');
    expect(p.logger.warnings).toEqual([]);
    await p.provider.shutdown();
  });

  it('streamText: message_start carries the split, message_delta the output count (want $0.0083)', async () => {
    server.setDefault('anthropic', { model: 'claude-haiku-4-5', usage: USAGE });
    const p = pipeline();
    const result = streamText({
      model: anthropic(),
      prompt: 'hi',
      experimental_telemetry: { isEnabled: true, tracer: p.tracer },
    });
    expect(await result.text).toContain('Hello');
    await result.usage;
    await p.provider.forceFlush();
    const span = p.call('ai.streamText.doStream');
    expect(server.requestsFor('anthropic')[0]!.body.stream).toBe(true);
    expect(pico(span.attributes[COST_ATTR.COST])).toBe(WANT_PICO);
    expect(p.tracker.records).toHaveLength(1);
    expect(p.logger.warnings).toEqual([]);
    await p.provider.shutdown();
  });

  it('without a 1-hour write nothing changes: all 3,000 at the 5-minute rate', async () => {
    server.setDefault('anthropic', {
      model: 'claude-haiku-4-5',
      usage: { ...USAGE, cache_creation: { ephemeral_5m_input_tokens: 3000, ephemeral_1h_input_tokens: 0 } },
    });
    const p = pipeline();
    await generateText({
      model: anthropic(),
      prompt: 'hi',
      experimental_telemetry: { isEnabled: true, tracer: p.tracer },
    });
    // 1,000 × $1 + 500 × $0.10 + 3,000 × $1.25 + 400 × $5 per 1M = $0.0068.
    expect(pico(p.call('ai.generateText.doGenerate').attributes[COST_ATTR.COST])).toBe(ALL_5M_PICO);
    await p.provider.shutdown();
  });
});
