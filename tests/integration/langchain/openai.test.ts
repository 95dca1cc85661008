import { InMemoryCache } from '@langchain/core/caches';
import { HumanMessage } from '@langchain/core/messages';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { RunnableLambda, RunnableSequence } from '@langchain/core/runnables';
import { ChatOpenAI } from '@langchain/openai';
import { describe, expect, it } from 'vitest';
import { BudgetExceededError } from '../../../src/errors.js';
import {
  CostCallbackHandler,
  type CostEvent,
  registerCostCallbackHandler,
  unregisterCostCallbackHandler,
} from '../../../src/langchain/index.js';
import { PriceCatalog } from '../../../src/pricing/catalog.js';
import {
  nonZero,
  onlyRecord,
  PRICES,
  pico,
  testCatalog,
  testTracker,
} from '../../helpers/langchain-fixtures.js';
import { useProviderServer } from '../../helpers/providers/index.js';

const server = useProviderServer();

const catalog = testCatalog();

function openai(fields: Record<string, unknown> = {}) {
  return new ChatOpenAI({
    model: 'gpt-4o',
    apiKey: 'test',
    maxRetries: 0,
    configuration: { baseURL: `${server.url}/v1` },
    ...fields,
  });
}

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream) {
    // consume
  }
}

// 1200 prompt tokens of which 1024 cached, 300 completion tokens of which 100 reasoning.
const USAGE = {
  prompt_tokens: 1200,
  completion_tokens: 300,
  total_tokens: 1500,
  prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 100, audio_tokens: 0 },
};
const EXPECTED_BUCKETS = { input: 176, cacheRead: 1024, output: 200, reasoning: 100 };
const EXPECTED_PICO =
  pico(176, PRICES.gpt4o.input) +
  pico(1024, PRICES.gpt4o.cacheRead) +
  pico(200, PRICES.gpt4o.output) +
  pico(100, PRICES.gpt4o.output); // reasoning is billed at the output rate

describe('CostCallbackHandler with the real ChatOpenAI (Chat Completions)', () => {
  it('prices a call from usage_metadata, with the served model winning over the requested one', async () => {
    server.setDefault('openai', { model: 'gpt-4o-2024-08-06', usage: USAGE });
    const tracker = testTracker();
    const handler = new CostCallbackHandler({ tracker, catalog });
    await openai().invoke('hi', { callbacks: [handler] });
    const rec = onlyRecord(tracker);
    expect(rec.model).toBe('gpt-4o-2024-08-06');
    expect(rec.resolvedModel).toBe('gpt-4o-2024-08-06');
    expect(rec.provider).toBe('openai');
    expect(nonZero(rec.usage as never)).toEqual(EXPECTED_BUCKETS);
    expect(rec.totalPico).toBe(EXPECTED_PICO);
    expect(rec.total).toBeCloseTo(EXPECTED_PICO / 1e12, 12);
    expect(rec.status).toBe('success');
    expect(handler.openRuns).toBe(0);
  });

  it('gives the same cost streaming (stream_options.include_usage) as not streaming', async () => {
    server.setDefault('openai', { model: 'gpt-4o-2024-08-06', usage: USAGE });
    const tracker = testTracker();
    const handler = new CostCallbackHandler({ tracker, catalog });
    await openai().invoke('hi', { callbacks: [handler] });
    await drain(await openai().stream('hi', { callbacks: [handler] }));
    const [plain, streamed] = tracker.recent();
    expect(server.requestsFor('openai')[1]?.body.stream_options).toEqual({ include_usage: true });
    for (const r of [streamed!]) {
      expect(nonZero(r.usage as never)).toEqual(nonZero(plain!.usage as never));
      expect(r.totalPico).toBe(EXPECTED_PICO);
      expect(r.model).toBe('gpt-4o-2024-08-06');
    }
  });

  it('counts n=2 choices of one response once (the usage covers the whole response)', async () => {
    server.setDefault('openai', { model: 'gpt-4o-2024-08-06', usage: USAGE });
    const tracker = testTracker();
    const out = await openai({ n: 2 }).generate([[new HumanMessage('hi')]], {
      callbacks: [new CostCallbackHandler({ tracker, catalog })],
    });
    expect(out.generations[0]).toHaveLength(2);
    expect(onlyRecord(tracker).totalPico).toBe(EXPECTED_PICO);
  });

  it('records each prompt of a batch as its own call', async () => {
    server.enqueue('openai', {
      model: 'gpt-4o-2024-08-06',
      usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 },
    });
    server.enqueue('openai', {
      model: 'gpt-4o-2024-08-06',
      usage: { prompt_tokens: 200, completion_tokens: 20, total_tokens: 220 },
    });
    const tracker = testTracker();
    await openai().generate([[new HumanMessage('a')], [new HumanMessage('b')]], {
      callbacks: [new CostCallbackHandler({ tracker, catalog })],
    });
    const recs = tracker.recent();
    expect(recs).toHaveLength(2);
    const sum = recs.reduce((s, r) => s + r.totalPico, 0);
    expect(sum).toBe(pico(300, PRICES.gpt4o.input) + pico(30, PRICES.gpt4o.output));
    expect(new Set(recs.map((r) => r.id)).size).toBe(2);
  });

  it('prices the service tier the response names (streamed service_tier) and the request tier otherwise', async () => {
    const tracker = testTracker();
    const handler = new CostCallbackHandler({ tracker, catalog });
    const usage = { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 };
    server.enqueue('openai', { model: 'gpt-4o-2024-08-06', usage, extra: { service_tier: 'priority' } });
    await drain(await openai().stream('hi', { callbacks: [handler] }));
    // Non-streamed Chat Completions responses do not surface service_tier in LangChain: the request's is used.
    server.enqueue('openai', { model: 'gpt-4o-2024-08-06', usage });
    await openai({ service_tier: 'flex' }).invoke('hi', { callbacks: [handler] });
    const [priority, flex] = tracker.recent();
    expect(priority!.totalPico).toBe(
      pico(1000, PRICES.gpt4oPriority.input) + pico(100, PRICES.gpt4oPriority.output),
    );
    expect(flex!.totalPico).toBe((pico(1000, PRICES.gpt4o.input) + pico(100, PRICES.gpt4o.output)) / 2);
    expect(server.requestsFor('openai')[1]?.body.service_tier).toBe('flex');
  });

  it('records a provider-reported cost (OpenRouter usage.cost) beside our price', async () => {
    server.setDefault('openai', {
      model: 'openai/gpt-4o',
      usage: { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100, cost: 0.003521 },
    });
    const tracker = testTracker();
    const events: CostEvent[] = [];
    const handler = new CostCallbackHandler({ tracker, catalog, onCost: (e) => events.push(e) });
    await openai({ model: 'openai/gpt-4o' }).invoke('hi', { callbacks: [handler] });
    const rec = onlyRecord(tracker);
    expect(rec.providedCost).toBe(0.003521);
    expect(rec.resolvedModel).toBe('gpt-4o-2024-08-06');
    expect(rec.totalPico).toBe(pico(1000, PRICES.gpt4o.input) + pico(100, PRICES.gpt4o.output));
    expect(events[0]?.providedCost).toBe(0.003521);
  });

  it('records a LangChain cache hit as cached at cost 0, without a request', async () => {
    server.setDefault('openai', { model: 'gpt-4o-2024-08-06', usage: USAGE });
    const tracker = testTracker();
    const handler = new CostCallbackHandler({ tracker, catalog });
    const llm = openai({ cache: new InMemoryCache() });
    await llm.invoke('same prompt', { callbacks: [handler] });
    await llm.invoke('same prompt', { callbacks: [handler] });
    expect(server.requestsFor('openai')).toHaveLength(1);
    const [miss, hit] = tracker.recent();
    expect(miss!.status).toBe('success');
    expect(miss!.totalPico).toBe(EXPECTED_PICO);
    expect(hit!.status).toBe('cached');
    expect(hit!.totalPico).toBe(0);
    expect(hit!.total).toBe(0);
    expect(handler.openRuns).toBe(0);
  });

  it('records a failed call with its error and duration and leaves no open run', async () => {
    server.setDefault('openai', {
      delayMs: 40,
      error: { status: 500, body: { error: { message: 'upstream exploded' } } },
    });
    const tracker = testTracker();
    const handler = new CostCallbackHandler({ tracker, catalog });
    await expect(openai().invoke('hi', { callbacks: [handler] })).rejects.toThrow();
    const rec = onlyRecord(tracker);
    expect(rec.status).toBe('error');
    expect(rec.error).toMatch(/500|upstream exploded/);
    expect(rec.model).toBe('gpt-4o');
    expect(rec.durationMs).toBeGreaterThanOrEqual(35);
    expect(rec.totalPico).toBe(0);
    expect(handler.openRuns).toBe(0);
    expect(handler.openParentRuns).toBe(0);
  });

  it('refuses a call over a hard budget before any HTTP request, with BudgetExceededError', async () => {
    server.setDefault('openai', { model: 'gpt-4o-2024-08-06', usage: USAGE });
    const tracker = testTracker({ budgets: { daily: { limit: 0.001 } }, enforce: true });
    const handler = new CostCallbackHandler({ tracker, catalog });
    const chain = RunnableSequence.from([
      ChatPromptTemplate.fromTemplate('{q}'),
      openai(),
      new StringOutputParser(),
    ]);
    await chain.invoke({ q: 'first' }, { callbacks: [handler] }); // spends EXPECTED_PICO > $0.001
    expect(EXPECTED_PICO / 1e12).toBeGreaterThan(0.001);
    const err = await chain.invoke({ q: 'second' }, { callbacks: [handler] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect((err as BudgetExceededError).details.scope).toBe('daily');
    expect(server.requestsFor('openai')).toHaveLength(1);
    expect(tracker.recent()).toHaveLength(1);
    expect(handler.openRuns).toBe(0);
    expect(handler.openParentRuns).toBe(0);
  });

  it('never throws into the chain when pricing fails or the model is unknown', async () => {
    server.setDefault('openai', { model: 'totally-unknown-model', usage: USAGE });
    const tracker = testTracker();
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => warnings.push(m) };
    const handler = new CostCallbackHandler({
      tracker,
      // The loopback server stands in for a paid API here: no provider is free, not even a model
      // served from this machine (which the default catalog prices as self-hosted, $0).
      catalog: new PriceCatalog({ freeProviders: [] }),
      logger,
      onCost: () => {
        throw new Error('hook bug');
      },
    });
    const out = await openai({ model: 'totally-unknown-model' }).invoke('hi', { callbacks: [handler] });
    expect(out.content).toBe('Hello from the loopback provider!');
    const rec = onlyRecord(tracker);
    expect(rec.unpriced).toBe(true);
    expect(rec.usage.input).toBe(176);
    expect(warnings.some((w) => /onCost hook failed/.test(w))).toBe(true);
  });

  it('an unknown model on a local base URL (LM Studio, vLLM, llama.cpp) is self-hosted: $0, free, tokens counted', async () => {
    server.setDefault('openai', { model: 'llama3.2:3b', usage: USAGE });
    const tracker = testTracker();
    const handler = new CostCallbackHandler({ tracker, catalog });
    // server.url is http://127.0.0.1:<port>, as a local OpenAI-compatible server's would be.
    await openai({ model: 'llama3.2:3b' }).invoke('hi', { callbacks: [handler] });
    const rec = onlyRecord(tracker);
    expect(rec.unpriced).not.toBe(true);
    expect(rec.source).toBe('free');
    expect(rec.provider).toBe('self-hosted');
    expect(rec.totalPico).toBe(0);
    expect(rec.usage.input).toBe(176);
    // A model the catalog prices keeps its price on a local URL: a local proxy (LiteLLM) forwarding
    // to OpenAI looks the same from the client.
    server.setDefault('openai', { model: 'gpt-4o-2024-08-06', usage: USAGE });
    await openai().invoke('hi', { callbacks: [handler] });
    expect(tracker.recent()[1]!.source).not.toBe('free');
    expect(tracker.recent()[1]!.totalPico).toBeGreaterThan(0);
  });

  it('attributes session, user, tenant, environment, tags, operation and the root run as trace', async () => {
    server.setDefault('openai', { model: 'gpt-4o-2024-08-06', usage: USAGE });
    const tracker = testTracker();
    const handler = new CostCallbackHandler({
      tracker,
      catalog,
      attribution: { environment: 'staging', tenantId: 'default-tenant' },
    });
    const rootRunId = '0199a8f2-0000-7000-8000-000000000001';
    const inner = RunnableLambda.from(async (q: string, config) =>
      openai().invoke(q, { ...config, runName: 'answer' }),
    );
    const chain = RunnableSequence.from([
      RunnableLambda.from((x: { q: string }) => x.q),
      inner,
      new StringOutputParser(),
    ]);
    await chain.invoke(
      { q: 'hi' },
      {
        callbacks: [handler],
        runId: rootRunId,
        tags: ['team-a'],
        metadata: { session_id: 'sess-1', userId: 'user-7', tenant_id: 'acme' },
      },
    );
    const rec = onlyRecord(tracker);
    expect(rec.traceId).toBe(rootRunId);
    expect(rec.parentId).toBeDefined();
    expect(rec.parentId).not.toBe(rootRunId); // the lambda is between the sequence and the model
    expect(rec.sessionId).toBe('sess-1');
    expect(rec.userId).toBe('user-7');
    expect(rec.tenantId).toBe('acme');
    expect(rec.environment).toBe('staging');
    expect(rec.tags).toContain('team-a');
    expect(rec.operation).toBe('answer');
    expect(handler.openParentRuns).toBe(0);
  });

  it('works as a process-wide handler registered once, and is not added twice', async () => {
    server.setDefault('openai', { model: 'gpt-4o-2024-08-06', usage: USAGE });
    const tracker = testTracker();
    const handler = registerCostCallbackHandler({ tracker, catalog });
    try {
      await openai().invoke('hi');
      await openai().invoke('hi', { callbacks: [handler] });
    } finally {
      unregisterCostCallbackHandler();
    }
    await openai().invoke('hi');
    expect(tracker.recent()).toHaveLength(2);
    expect(tracker.recent().every((r) => r.totalPico === EXPECTED_PICO)).toBe(true);
  });
});

describe('CostCallbackHandler with the real ChatOpenAI (Responses API)', () => {
  const usage = {
    input_tokens: 1200,
    input_tokens_details: { cached_tokens: 1024 },
    output_tokens: 300,
    output_tokens_details: { reasoning_tokens: 100 },
    total_tokens: 1500,
  };

  it('prices non-streamed and streamed responses the same, with the priority tier the response names', async () => {
    server.setDefault('openai', { model: 'gpt-4o-2024-08-06', usage, extra: { service_tier: 'priority' } });
    const tracker = testTracker();
    const handler = new CostCallbackHandler({ tracker, catalog });
    const llm = openai({ useResponsesApi: true });
    await llm.invoke('hi', { callbacks: [handler] });
    await drain(await llm.stream('hi', { callbacks: [handler] }));
    expect(server.requestsFor('openai').map((r) => r.path)).toEqual(['/v1/responses', '/v1/responses']);
    const expected =
      pico(176, PRICES.gpt4oPriority.input) +
      pico(1024, PRICES.gpt4oPriority.cacheRead) +
      pico(300, PRICES.gpt4oPriority.output); // 200 text + 100 reasoning, both at the output rate
    const [plain, streamed] = tracker.recent();
    for (const r of [plain!, streamed!]) {
      expect(nonZero(r.usage as never)).toEqual(EXPECTED_BUCKETS);
      expect(r.model).toBe('gpt-4o-2024-08-06'); // not the concatenated stream value
      expect(r.tier).toMatch(/priority/);
      expect(r.totalPico).toBe(expected);
    }
  });
});
