import { ChatAnthropic } from '@langchain/anthropic';
import { awaitAllCallbacks } from '@langchain/core/callbacks/promises';
import { CallbackHandler } from '@langfuse/langchain';
import { LangfuseSpanProcessor } from '@langfuse/otel';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CostCallbackHandler } from '../../../src/langchain/index.js';
import { LangfuseCostAdapter } from '../../../src/langfuse/index.js';
import { COST_ATTR, CostSpanProcessor } from '../../../src/otel/index.js';
import { CostTracker } from '../../../src/tracker/index.js';
import { langfuseViewOfSpan } from '../../helpers/langfuse-server/otel.js';
import { memoryLogger } from '../../helpers/otel-span-cases.js';
import { type DecodedSpan, type OtlpReceiver, startOtlpReceiver } from '../../helpers/otlp-receiver.js';
import { useProviderServer } from '../../helpers/providers/index.js';

// Issue 15, Why 2: `@langfuse/langchain` + `@langfuse/otel` + a streamed ChatAnthropic call. The
// Langfuse handler's generation carries only `input_cache_creation` (no 5-minute/1-hour split) and
// LangChain's merged stream output (401 for 400), so nothing on the span can give the exact cost.
// The documented setup adds CostCallbackHandler with LangfuseCostAdapter: the handler's exact cost
// lands on the Langfuse handler's own generation. Real clients throughout: ChatAnthropic against the
// loopback Anthropic server, the real Langfuse handler and LangfuseSpanProcessor exporting OTLP/HTTP
// to a loopback receiver, NodeSDK with CostSpanProcessor in front (tracker: false, as documented).

process.env.OTEL_LOGS_EXPORTER = 'none';
process.env.OTEL_METRICS_EXPORTER = 'none';
process.env.OTEL_TRACES_EXPORTER = 'none';

const server = useProviderServer();

/** Claude Haiku 4.5, USD per 1M tokens (anthropic.com/pricing, docs.claude.com prompt-caching table). */
const HAIKU_45 = { input: 1, cacheWrite5m: 1.25, cacheWrite1h: 2, cacheRead: 0.1, output: 5 } as const;
const p = (tokens: number, perMillion: number) => Math.round(tokens * perMillion * 1e6);
/** 1,000 × $1 + 500 × $0.10 + 1,000 × $1.25 + 2,000 × $2 + 400 × $5 per 1M tokens = $0.0083. */
const WANT_PICO =
  p(1000, HAIKU_45.input) +
  p(500, HAIKU_45.cacheRead) +
  p(1000, HAIKU_45.cacheWrite5m) +
  p(2000, HAIKU_45.cacheWrite1h) +
  p(400, HAIKU_45.output);

const USAGE = {
  input_tokens: 1000,
  cache_read_input_tokens: 500,
  cache_creation_input_tokens: 3000,
  cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
  output_tokens: 400,
};

let rx: OtlpReceiver;
let sdk: NodeSDK;
let langfuse: LangfuseSpanProcessor;
const logger = memoryLogger();

beforeAll(async () => {
  rx = await startOtlpReceiver();
  langfuse = new LangfuseSpanProcessor({
    baseUrl: rx.url,
    publicKey: 'pk-lf-test',
    secretKey: 'sk-lf-test',
    exportMode: 'immediate',
  });
  sdk = new NodeSDK({ spanProcessors: [new CostSpanProcessor({ tracker: false, logger }), langfuse] });
  sdk.start();
});

afterAll(async () => {
  await sdk.shutdown();
  await rx.close();
});

beforeEach(() => rx.clear());

const pico = (usd: unknown) => Math.round(Number(usd) * 1e12);

function anthropic() {
  return new ChatAnthropic({
    model: 'claude-haiku-4-5',
    apiKey: 'test',
    maxRetries: 0,
    anthropicApiUrl: server.url,
  });
}

async function generations(n: number): Promise<DecodedSpan[]> {
  await awaitAllCallbacks();
  await langfuse.forceFlush();
  await rx.waitForSpans(n);
  return rx.spans.filter((s) => s.attributes['langfuse.observation.type'] === 'generation');
}

describe('@langfuse/langchain + @langfuse/otel + streamed ChatAnthropic', () => {
  it.each([
    ['cost handler first', 'cost-first'],
    ['Langfuse handler first', 'langfuse-first'],
  ] as const)('with LangfuseCostAdapter the generation carries the exact $0.0083 (%s)', async (_, order) => {
    server.setDefault('anthropic', { model: 'claude-haiku-4-5', usage: USAGE });
    const langfuseHandler = new CallbackHandler({ sessionId: 'chat-15' });
    const costs = new LangfuseCostAdapter(langfuseHandler);
    const tracker = new CostTracker({ sinks: [] });
    const costHandler = new CostCallbackHandler({ tracker, onCost: costs.onCost, logger });
    const callbacks =
      order === 'cost-first' ? [costHandler, langfuseHandler] : [langfuseHandler, costHandler];
    let text = '';
    for await (const chunk of await anthropic().stream('hi', { callbacks })) text += String(chunk.content);
    expect(text).toContain('Hello');
    expect(server.requestsFor('anthropic')[0]!.body.stream).toBe(true);

    const [gen, ...more] = await generations(1);
    expect(more).toHaveLength(0); // one generation: ours is on the Langfuse handler's own
    const cd = JSON.parse(String(gen!.attributes[COST_ATTR.COST_DETAILS]));
    expect(pico(cd.total)).toBe(WANT_PICO);
    expect(pico(cd.input_cache_creation_1h)).toBe(p(2000, HAIKU_45.cacheWrite1h));
    expect(JSON.parse(String(gen!.attributes[COST_ATTR.USAGE_DETAILS]))).toMatchObject({
      input: 1000,
      input_cached_tokens: 500,
      input_cache_creation: 1000,
      input_cache_creation_1h: 2000,
      output: 400,
    });
    // What Langfuse shows: our cost, nothing inferred on top.
    const view = langfuseViewOfSpan(gen!.attributes);
    expect(view.provided).toBe(true);
    expect(pico(view.totalCost)).toBe(WANT_PICO);
    // The handler recorded the same exact cost; the processor (tracker: false) added nothing.
    expect(tracker.recent().map((r) => r.totalPico)).toEqual([WANT_PICO]);
    expect(costs.waiting).toBe(0);
    costs.detach();
  });

  it('without the adapter the span holds no split and the streamed output is 401', async () => {
    server.setDefault('anthropic', { model: 'claude-haiku-4-5', usage: USAGE });
    for await (const _ of await anthropic().stream('hi', { callbacks: [new CallbackHandler()] })) {
      // consume
    }
    const [gen] = await generations(1);
    // Why the processor alone cannot be exact on this path: what the handler wrote.
    expect(JSON.parse(String(gen!.attributes[COST_ATTR.USAGE_DETAILS]))).toEqual({
      input: 1000,
      output: 401,
      total: 4901,
      input_cache_read: 500,
      input_cache_creation: 3000,
    });
    expect(String(gen!.attributes['langfuse.observation.output'])).not.toContain('ephemeral_1h');
  });

  it('logged nothing', () => {
    expect(logger.warnings).toEqual([]);
    expect(rx.errors).toEqual([]);
  });
});
