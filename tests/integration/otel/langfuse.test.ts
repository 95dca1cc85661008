import { awaitAllCallbacks } from '@langchain/core/callbacks/promises';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { ChatOpenAI } from '@langchain/openai';
import { CallbackHandler } from '@langfuse/langchain';
import { LangfuseSpanProcessor } from '@langfuse/otel';
import { setLangfuseTracerProvider, startObservation } from '@langfuse/tracing';
import { trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { generateText, jsonSchema, simulateReadableStream, stepCountIs, streamText, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CostCallbackHandler } from '../../../src/langchain/index.js';
import { COST_ATTR, CostSpanProcessor } from '../../../src/otel/index.js';
import { CostTracker, toLedgerLine } from '../../../src/tracker/index.js';
import { langfuseViewOfSpan } from '../../helpers/langfuse-server/otel.js';
import {
  memoryLogger,
  memoryTracker,
  P,
  testCatalog,
  withoutOnEnding,
} from '../../helpers/otel-span-cases.js';
import { type DecodedSpan, type OtlpReceiver, startOtlpReceiver } from '../../helpers/otlp-receiver.js';
import { type ProviderServer, startProviderServer } from '../../helpers/providers/index.js';

// The real pipeline a Langfuse v5 user runs: NodeSDK with
//   spanProcessors: [new CostSpanProcessor(), new LangfuseSpanProcessor()]
// and the real @langfuse/otel exporter (OTLP/HTTP JSON) pointed at a loopback receiver that decodes
// what Langfuse would ingest. Spans come from @langfuse/tracing, @langfuse/langchain with the real
// ChatOpenAI against a loopback OpenAI server, and the Vercel AI SDK with its mock model.

process.env.OTEL_LOGS_EXPORTER = 'none';
process.env.OTEL_METRICS_EXPORTER = 'none';
process.env.OTEL_TRACES_EXPORTER = 'none';

let rx: OtlpReceiver;
let llmServer: ProviderServer;
let sdk: NodeSDK;
let langfuse: LangfuseSpanProcessor;
const tracker = memoryTracker();
const logger = memoryLogger();

beforeAll(async () => {
  rx = await startOtlpReceiver();
  llmServer = await startProviderServer();
  langfuse = new LangfuseSpanProcessor({
    baseUrl: rx.url,
    publicKey: 'pk-lf-test',
    secretKey: 'sk-lf-test',
    exportMode: 'immediate',
  });
  sdk = new NodeSDK({
    serviceName: 'cost-test-service',
    spanProcessors: [new CostSpanProcessor({ catalog: testCatalog(), tracker, logger }), langfuse],
  });
  sdk.start();
});

afterAll(async () => {
  await sdk.shutdown();
  await llmServer.close();
  await rx.close();
});

beforeEach(() => {
  rx.clear();
  tracker.records.length = 0;
  llmServer.reset();
});

/** Flush the exporter and wait for `n` spans. */
async function exported(
  n: number,
  processor: { forceFlush(): Promise<void> } = langfuse,
): Promise<DecodedSpan[]> {
  await processor.forceFlush();
  return rx.waitForSpans(n);
}

function costDetails(s: DecodedSpan): Record<string, number> {
  return JSON.parse(String(s.attributes[COST_ATTR.COST_DETAILS]));
}

const pico = (usd: number) => Math.round(usd * 1e12);

/**
 * A real ChatOpenAI against the loopback OpenAI server, whose next answer is gpt-4o-2024-08-06 with
 * 1,200 prompt tokens (200 cached) and 300 completion tokens (`reasoning` of them reasoning).
 */
function loopbackOpenAI(reasoning: number): ChatOpenAI {
  llmServer.enqueue('openai', {
    model: 'gpt-4o-2024-08-06',
    usage: {
      prompt_tokens: 1200,
      completion_tokens: 300,
      total_tokens: 1500,
      prompt_tokens_details: { cached_tokens: 200 },
      completion_tokens_details: { reasoning_tokens: reasoning },
    },
  });
  return new ChatOpenAI({
    model: 'gpt-4o',
    apiKey: 'test',
    maxRetries: 0,
    configuration: { baseURL: `${llmServer.url}/v1` },
  });
}

describe('CostSpanProcessor + LangfuseSpanProcessor (NodeSDK, OTLP/HTTP to a loopback receiver)', () => {
  it('@langfuse/tracing generation leaves with cost_details and gen_ai.usage.cost', async () => {
    const gen = startObservation(
      'llm-call',
      { model: 'gpt-4o', usageDetails: { input: 1000, input_cached_tokens: 200, output: 300 } },
      { asType: 'generation' },
    );
    gen.end();
    const [span] = await exported(1);
    const expected = (1000 * P.gpt4o.input + 200 * P.gpt4o.cacheRead + 300 * P.gpt4o.output) / 1e6;

    // What Langfuse receives.
    expect(rx.requests[0]!.path).toBe('/api/public/otel/v1/traces');
    expect(rx.requests[0]!.contentType).toBe('application/json');
    expect(rx.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('pk-lf-test:sk-lf-test').toString('base64')}`,
    );
    expect(span!.scope.name).toBe('langfuse-sdk');
    expect(span!.attributes['langfuse.observation.type']).toBe('generation');
    expect(span!.attributes[COST_ATTR.COST]).toBeCloseTo(expected, 12);
    const cd = costDetails(span!);
    expect(pico(cd.total!)).toBe(pico(expected));
    expect(pico(cd.input!)).toBe(pico((1000 * P.gpt4o.input) / 1e6));
    expect(pico(cd.input_cached_tokens!)).toBe(pico((200 * P.gpt4o.cacheRead) / 1e6));
    expect(pico(cd.output!)).toBe(pico((300 * P.gpt4o.output) / 1e6));
    // The generation already had usage_details: it is left as the SDK wrote it.
    expect(JSON.parse(String(span!.attributes[COST_ATTR.USAGE_DETAILS]))).toEqual({
      input: 1000,
      input_cached_tokens: 200,
      output: 300,
    });
    expect(span!.attributes[COST_ATTR.RESOLVED_MODEL]).toBe('gpt-4o-2024-08-06');
    // What Langfuse computes from the span (OtelIngestionProcessor, calculateUsageCosts): our cost
    // details win, nothing is inferred on top.
    const view = langfuseViewOfSpan(span!.attributes);
    expect(view.costFrom).toBe('langfuse.observation.cost_details');
    expect(view.provided).toBe(true);
    expect(pico(view.totalCost!)).toBe(pico(expected));
    expect(view.usageDetails).toMatchObject({ input: 1000, input_cached_tokens: 200, output: 300 });
    expect(span!.resource['service.name']).toBe('cost-test-service');
    expect(tracker.records).toHaveLength(1);
    expect(tracker.records[0]!.ctx?.service).toBe('cost-test-service');
    expect(tracker.records[0]!.ctx?.spanId).toBe(span!.spanId);
  });

  it('a generation that already has costDetails is exported unchanged', async () => {
    startObservation(
      'priced-by-user',
      {
        model: 'gpt-4o',
        usageDetails: { input: 10, output: 10 },
        costDetails: { input: 1, output: 2, total: 3 },
      },
      { asType: 'generation' },
    ).end();
    const [span] = await exported(1);
    expect(costDetails(span!)).toEqual({ input: 1, output: 2, total: 3 });
    expect(span!.attributes[COST_ATTR.COST]).toBeUndefined();
    expect(tracker.records[0]!.ctx?.providedCost).toBe(3);
  });

  it('a GenAI span with gen_ai.usage.cost.amount reaches Langfuse with that cost (issue 20, Why 4)', async () => {
    const span = trace.getTracer('genai-app').startSpan('chat gpt-4o', {
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 1000,
        'gen_ai.usage.output_tokens': 100,
        'gen_ai.usage.cost.amount': 0.25,
      },
    });
    span.end();
    const [out] = await exported(1);
    // Langfuse would store cost.amount as a usage key; the cost reaches it as cost_details.
    const view = langfuseViewOfSpan(out!.attributes);
    expect(view.costFrom).toBe('langfuse.observation.cost_details');
    expect(view.costDetails).toEqual({ total: 0.25 });
    expect(view.totalCost).toBe(0.25);
    expect(tracker.records[0]!.ctx?.providedCost).toBe(0.25);
  });

  it('a plain span and an agent observation carry no cost', async () => {
    const agent = startObservation(
      'agent',
      { model: 'gpt-4o', usageDetails: { input: 10, output: 10 } } as never,
      {
        asType: 'agent',
      },
    );
    startObservation('step', {}, { asType: 'span' }).end();
    agent.end();
    const spans = await exported(2);
    for (const s of spans) expect(s.attributes[COST_ATTR.COST_DETAILS]).toBeUndefined();
    expect(tracker.records).toHaveLength(0);
  });

  it('@langfuse/langchain CallbackHandler + real ChatOpenAI against a loopback OpenAI server', async () => {
    const llm = loopbackOpenAI(0);
    const handler = new CallbackHandler({ sessionId: 'lc-session', userId: 'lc-user' });
    const chain = ChatPromptTemplate.fromTemplate('Say hi to {name}').pipe(llm);
    const answer = await chain.invoke({ name: 'Ada' }, { callbacks: [handler] });
    expect(String(answer.content)).toContain('Hello');
    await awaitAllCallbacks();
    await langfuse.forceFlush();

    const gens = rx.spans.filter((s) => s.attributes['langfuse.observation.type'] === 'generation');
    expect(gens).toHaveLength(1);
    const gen = gens[0]!;
    expect(gen.attributes['langfuse.observation.model.name']).toBe('gpt-4o-2024-08-06');
    // The handler's usage_details: input already excludes the 200 cached tokens.
    const ud = JSON.parse(String(gen.attributes[COST_ATTR.USAGE_DETAILS]));
    expect(ud.input).toBe(1000);
    expect(ud.input_cache_read).toBe(200);

    const expected = (1000 * P.gpt4o.input + 200 * P.gpt4o.cacheRead + 300 * P.gpt4o.output) / 1e6;
    expect(gen.attributes[COST_ATTR.COST]).toBeCloseTo(expected, 12);
    expect(pico(costDetails(gen).total!)).toBe(pico(expected));

    // The chain span repeats nothing and is not priced; one record for the trace.
    for (const s of rx.spans.filter((x) => x !== gen)) expect(s.attributes[COST_ATTR.COST]).toBeUndefined();
    expect(tracker.records).toHaveLength(1);
    const ctx = tracker.records[0]!.ctx!;
    expect(ctx.traceId).toBe(gen.traceId);
    expect(ctx.parentId).toBe(gen.parentSpanId);
    // The handler puts session and user on the root chain span only; they are found through it.
    expect(gen.attributes['session.id']).toBeUndefined();
    const root = rx.spans.find((s) => s.spanId === gen.parentSpanId)!;
    expect(root.attributes['session.id']).toBe('lc-session');
    expect(ctx.sessionId).toBe('lc-session');
    expect(ctx.userId).toBe('lc-user');
  });

  it('one ChatOpenAI response, priced by CostCallbackHandler and by the processor over @langfuse/langchain, gives the same ledger line', async () => {
    const llm = loopbackOpenAI(40);
    const direct = new CostTracker();
    const costHandler = new CostCallbackHandler({ tracker: direct, catalog: testCatalog() });
    await llm.invoke('hi', { callbacks: [new CallbackHandler(), costHandler] });
    await awaitAllCallbacks();
    await langfuse.forceFlush();
    expect(tracker.records).toHaveLength(1);
    // What the processor recorded, recorded by a real tracker as it would be.
    const viaOtel = new CostTracker().record(tracker.records[0]!.result, tracker.records[0]!.ctx);
    const viaHandler = direct.recent()[0]!;
    const PRICING = [
      'provided_model_name',
      'usage_details',
      'cost_details',
      'total_cost',
      'cost_pico',
      'provider',
      'resolved_model',
      'source',
      'estimated',
      'tier',
      'status',
    ] as const;
    const pick = (line: ReturnType<typeof toLedgerLine>) =>
      Object.fromEntries(PRICING.map((k) => [k, line[k]]));
    expect(pick(toLedgerLine(viaOtel))).toEqual(pick(toLedgerLine(viaHandler)));
    // And both are right: 1,000 uncached + 200 cached input, 260 text + 40 reasoning output.
    const expected = (1000 * P.gpt4o.input + 200 * P.gpt4o.cacheRead + 300 * P.gpt4o.output) / 1e6;
    expect(viaHandler.totalPico).toBe(pico(expected));
  });

  it('Vercel AI SDK generateText, two steps: only the doGenerate spans are priced, no double counting', async () => {
    const model = new MockLanguageModelV3({
      provider: 'openai.responses',
      modelId: 'reasoner-1',
      doGenerate: [
        {
          content: [
            { type: 'tool-call', toolCallId: 'call-1', toolName: 'weather', input: '{"city":"Paris"}' },
          ],
          finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
          usage: {
            inputTokens: { total: 1200, noCache: 1000, cacheRead: 200, cacheWrite: undefined },
            outputTokens: { total: 100, text: 100, reasoning: undefined },
          },
          warnings: [],
        },
        {
          content: [{ type: 'text', text: 'It is sunny in Paris.' }],
          finishReason: { unified: 'stop', raw: 'stop' },
          usage: {
            inputTokens: { total: 1500, noCache: 1500, cacheRead: 0, cacheWrite: undefined },
            outputTokens: { total: 300, text: 250, reasoning: 50 },
          },
          warnings: [],
        },
      ],
    });
    const result = await generateText({
      model,
      prompt: 'Weather in Paris?',
      tools: {
        weather: tool({
          inputSchema: jsonSchema<{ city: string }>({
            type: 'object',
            properties: { city: { type: 'string' } },
          }),
          execute: async () => 'sunny',
        }),
      },
      stopWhen: stepCountIs(2),
      experimental_telemetry: { isEnabled: true, metadata: { sessionId: 'ai-session', userId: 'ai-user' } },
    });
    expect(result.text).toBe('It is sunny in Paris.');
    await langfuse.forceFlush();

    const step1 = (1000 * P.reasoner.input + 200 * P.reasoner.cacheRead + 100 * P.reasoner.output) / 1e6;
    const step2 = (1500 * P.reasoner.input + 250 * P.reasoner.output + 50 * P.reasoner.reasoning) / 1e6;
    const calls = rx.spansNamed('ai.generateText.doGenerate');
    expect(calls).toHaveLength(2);
    const costs = calls.map((s) => s.attributes[COST_ATTR.COST] as number).sort((a, b) => a - b);
    expect(costs[0]).toBeCloseTo(step1, 12);
    expect(costs[1]).toBeCloseTo(step2, 12);

    const root = rx.spansNamed('ai.generateText')[0]!;
    expect(root.attributes['ai.usage.inputTokens']).toBe(2700); // the root repeats both steps…
    expect(root.attributes[COST_ATTR.COST]).toBeUndefined(); // …and is not priced
    expect(root.attributes[COST_ATTR.COST_DETAILS]).toBeUndefined();
    for (const s of rx.spansNamed('ai.toolCall')) expect(s.attributes[COST_ATTR.COST]).toBeUndefined();

    // The trace costs exactly the two calls, once each.
    const tracePico = rx.spans.reduce((sum, s) => sum + pico(Number(s.attributes[COST_ATTR.COST] ?? 0)), 0);
    expect(tracePico).toBe(pico(step1) + pico(step2));
    expect(tracker.records).toHaveLength(2);
    expect(
      tracker.records.every((r) => r.ctx?.sessionId === 'ai-session' && r.ctx?.userId === 'ai-user'),
    ).toBe(true);
    expect(tracker.records.every((r) => r.ctx?.parentId === root.spanId)).toBe(true);
  });

  it('Vercel AI SDK streamText: the doStream span is priced once', async () => {
    const usage = {
      inputTokens: { total: 800, noCache: 600, cacheRead: 200, cacheWrite: undefined },
      outputTokens: { total: 40, text: 40, reasoning: undefined },
    };
    const model = new MockLanguageModelV3({
      provider: 'openai.chat',
      modelId: 'gpt-4o',
      doStream: {
        stream: simulateReadableStream({
          chunks: [
            { type: 'stream-start', warnings: [] },
            { type: 'text-start', id: 't1' },
            { type: 'text-delta', id: 't1', delta: 'Hi ' },
            { type: 'text-delta', id: 't1', delta: 'there' },
            { type: 'text-end', id: 't1' },
            { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage },
          ],
          initialDelayInMs: null,
          chunkDelayInMs: null,
        }),
      },
    });
    const result = streamText({ model, prompt: 'hi', experimental_telemetry: { isEnabled: true } });
    expect(await result.text).toBe('Hi there');
    await langfuse.forceFlush();
    await rx.waitForSpans(2);

    const expected = (600 * P.gpt4o.input + 200 * P.gpt4o.cacheRead + 40 * P.gpt4o.output) / 1e6;
    const call = rx.spansNamed('ai.streamText.doStream')[0]!;
    expect(call.attributes[COST_ATTR.COST]).toBeCloseTo(expected, 12);
    expect(JSON.parse(String(call.attributes[COST_ATTR.USAGE_DETAILS]))).toEqual({
      input: 600,
      input_cached_tokens: 200,
      output: 40,
      total: 840,
    });
    expect(rx.spansNamed('ai.streamText')[0]!.attributes[COST_ATTR.COST]).toBeUndefined();
    expect(tracker.records).toHaveLength(1);
  });
});

describe('the onEnd path with the real LangfuseSpanProcessor (an SDK without onEnding)', () => {
  it('writes the cost before Langfuse exports it when listed first', async () => {
    const exporting = new LangfuseSpanProcessor({
      baseUrl: rx.url,
      publicKey: 'pk-lf-test',
      secretKey: 'sk-lf-test',
      exportMode: 'immediate',
    });
    const local = memoryTracker();
    const cost = new CostSpanProcessor({ catalog: testCatalog(), tracker: local });
    const provider = new BasicTracerProvider({
      spanProcessors: [
        withoutOnEnding(cost) as unknown as SpanProcessor,
        exporting as unknown as SpanProcessor,
      ],
    });
    setLangfuseTracerProvider(provider);
    try {
      startObservation(
        'legacy-sdk-call',
        { model: 'claude-sonnet-4-5', usageDetails: { input: 100, input_cache_creation: 1000, output: 50 } },
        { asType: 'generation' },
      ).end();
      const [span] = await exported(1, exporting);
      const expected = (100 * P.claude.input + 1000 * P.claude.cacheWrite + 50 * P.claude.output) / 1e6;
      expect(span!.name).toBe('legacy-sdk-call');
      expect(span!.attributes[COST_ATTR.COST]).toBeCloseTo(expected, 12);
      expect(pico(costDetails(span!).input_cache_creation!)).toBe(pico((1000 * P.claude.cacheWrite) / 1e6));
      expect(local.records).toHaveLength(1);
    } finally {
      setLangfuseTracerProvider(null as never);
      await provider.shutdown();
    }
  });
});

describe('no warnings', () => {
  it('the pipeline logged nothing', () => {
    expect(logger.warnings).toEqual([]);
    expect(rx.errors).toEqual([]);
  });
});
