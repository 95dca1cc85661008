import { awaitAllCallbacks } from '@langchain/core/callbacks/promises';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { RunnableSequence } from '@langchain/core/runnables';
import { ChatOpenAI } from '@langchain/openai';
import { Langfuse } from 'langfuse';
import { CallbackHandler } from 'langfuse-langchain';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CostCallbackHandler } from '../../../src/langchain/index.js';
import { LegacyLangfuseCostAdapter } from '../../../src/langfuse/index.js';
import { PRICES, pico, testCatalog, testTracker } from '../../helpers/langchain-fixtures.js';
import {
  type IngestionEventRecord,
  type IngestionReceiver,
  startIngestionReceiver,
} from '../../helpers/langfuse-ingestion.js';
import { type ProviderServer, startProviderServer } from '../../helpers/providers/index.js';

let server: ProviderServer;
let ingestion: IngestionReceiver;
beforeAll(async () => {
  server = await startProviderServer();
  ingestion = await startIngestionReceiver();
});
afterAll(async () => {
  await server.close();
  await ingestion.close();
});
afterEach(() => {
  server.reset();
  ingestion.events.length = 0;
  delete process.env.LANGCHAIN_CALLBACKS_BACKGROUND;
});

const catalog = testCatalog();
const USAGE = {
  prompt_tokens: 1200,
  completion_tokens: 300,
  total_tokens: 1500,
  prompt_tokens_details: { cached_tokens: 1024 },
  completion_tokens_details: { reasoning_tokens: 100 },
};
// Disjoint: 176 uncached input, 1024 cached, 200 text output, 100 reasoning.
const EXPECTED_USAGE_DETAILS = {
  input: 176,
  input_cached_tokens: 1024,
  output: 200,
  output_reasoning_tokens: 100,
  total: 1500,
};
const EXPECTED_COST = {
  input: pico(176, PRICES.gpt4o.input) / 1e12,
  input_cached_tokens: pico(1024, PRICES.gpt4o.cacheRead) / 1e12,
  output: pico(200, PRICES.gpt4o.output) / 1e12,
  output_reasoning_tokens: pico(100, PRICES.gpt4o.output) / 1e12,
  total:
    (pico(176, PRICES.gpt4o.input) +
      pico(1024, PRICES.gpt4o.cacheRead) +
      pico(200, PRICES.gpt4o.output) +
      pico(100, PRICES.gpt4o.output)) /
    1e12,
};

function openai() {
  return new ChatOpenAI({
    model: 'gpt-4o',
    apiKey: 'test',
    maxRetries: 0,
    configuration: { baseURL: `${server.url}/v1` },
  });
}

function legacyHandler() {
  return new CallbackHandler({
    publicKey: 'pk-lf-test',
    secretKey: 'sk-lf-test',
    baseUrl: ingestion.url,
    flushAt: 1000,
  });
}

/** Langfuse's server-side merge of one observation's events: later non-empty fields overwrite. */
function mergedObservation(events: IngestionEventRecord[], id: string): Record<string, any> {
  const out: Record<string, any> = {};
  for (const e of events.filter((x) => x.body.id === id && x.type.startsWith('generation-'))) {
    for (const [k, v] of Object.entries(e.body)) {
      if (v === undefined || (typeof v === 'object' && v !== null && Object.keys(v).length === 0)) continue;
      out[k] = v;
    }
  }
  return out;
}

function expectCostDetails(actual: Record<string, number>) {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(EXPECTED_COST).sort());
  for (const [k, v] of Object.entries(EXPECTED_COST)) expect(actual[k]).toBeCloseTo(v, 12);
}

describe('legacy Langfuse v3 (langfuse-langchain CallbackHandler + langfuse client)', () => {
  it('puts our costDetails and usageDetails on the legacy generation (same id, merged into its end update)', async () => {
    server.setDefault('openai', { model: 'gpt-4o-2024-08-06', usage: USAGE });
    const langfuseHandler = legacyHandler();
    const costs = new LegacyLangfuseCostAdapter(langfuseHandler);
    const tracker = testTracker();
    const costHandler = new CostCallbackHandler({ tracker, catalog, onCost: costs.onCost });
    const chain = RunnableSequence.from([
      ChatPromptTemplate.fromTemplate('{q}'),
      openai(),
      new StringOutputParser(),
    ]);
    await chain.invoke({ q: 'hi' }, { callbacks: [langfuseHandler, costHandler] });
    await awaitAllCallbacks();
    await langfuseHandler.flushAsync();

    const rec = tracker.recent()[0]!;
    const events = ingestion.events;
    const creates = events.filter((e) => e.type === 'generation-create');
    expect(creates.map((e) => e.body.id)).toEqual([rec.id]); // one generation, id = LangChain run id
    expect(creates[0]!.body.traceId).toBe(rec.traceId); // root run id = legacy trace id
    const updates = events.filter((e) => e.type === 'generation-update' && e.body.id === rec.id);
    expect(updates).toHaveLength(1); // merged into the legacy handler's own end update
    expect(updates[0]!.body.endTime).toBeDefined();
    expect(updates[0]!.body.usageDetails).toEqual(EXPECTED_USAGE_DETAILS);
    expectCostDetails(updates[0]!.body.costDetails);
    expect(costs.pendingCount).toBe(0);
  });

  it('merges too when the legacy handler is awaited and ends first', async () => {
    // Awaited legacy handler listed first: its end update reaches the client before our cost is known.
    process.env.LANGCHAIN_CALLBACKS_BACKGROUND = 'false';
    server.setDefault('openai', { model: 'gpt-4o-2024-08-06', usage: USAGE });
    const langfuseHandler = legacyHandler();
    expect(langfuseHandler.awaitHandlers).toBe(true);
    const costs = new LegacyLangfuseCostAdapter(langfuseHandler);
    const tracker = testTracker();
    await openai().invoke('hi', {
      callbacks: [langfuseHandler, new CostCallbackHandler({ tracker, catalog, onCost: costs.onCost })],
    });
    await langfuseHandler.flushAsync();
    const rec = tracker.recent()[0]!;
    const events = ingestion.events;
    expect(events.filter((e) => e.type === 'generation-create').map((e) => e.body.id)).toEqual([rec.id]);
    const updates = events.filter((e) => e.type === 'generation-update' && e.body.id === rec.id);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.body.usageDetails).toEqual(EXPECTED_USAGE_DETAILS);
    expectCostDetails(updates[0]!.body.costDetails);
  });

  it('sends a separate update with the same id when the cost comes after the legacy end update went out', async () => {
    // Simulate a cost that arrives late (e.g. our handler queued behind a slow callback).
    server.setDefault('openai', { model: 'gpt-4o-2024-08-06', usage: USAGE });
    const langfuseHandler = legacyHandler();
    const costs = new LegacyLangfuseCostAdapter(langfuseHandler);
    const tracker = testTracker();
    const late: Parameters<typeof costs.onCost>[0][] = [];
    await openai().invoke('hi', {
      callbacks: [
        langfuseHandler,
        new CostCallbackHandler({ tracker, catalog, onCost: (e) => late.push(e) }),
      ],
    });
    await awaitAllCallbacks();
    await new Promise((r) => setTimeout(r, 5)); // the held legacy update is released without a cost
    for (const e of late) costs.onCost(e);
    await langfuseHandler.flushAsync();
    const rec = tracker.recent()[0]!;
    const events = ingestion.events;
    expect(events.filter((e) => e.type === 'generation-create').map((e) => e.body.id)).toEqual([rec.id]);
    const updates = events.filter((e) => e.type === 'generation-update' && e.body.id === rec.id);
    expect(updates).toHaveLength(2);
    const [legacyEnd, ours] = updates[0]!.body.endTime
      ? [updates[0]!, updates[1]!]
      : [updates[1]!, updates[0]!];
    expect(legacyEnd.body.costDetails).toBeUndefined();
    expect(ours.body.traceId).toBe(legacyEnd.body.traceId);
    expect(ours.body.endTime).toBeUndefined(); // does not move the generation's end
    expect(ours.body.usageDetails).toEqual(EXPECTED_USAGE_DETAILS);
    expectCostDetails(ours.body.costDetails);
    // Langfuse keeps the cost whatever the order: the legacy update carries no costDetails.
    expectCostDetails(mergedObservation(events, rec.id).costDetails);
  });

  it('leaves a failed call as the legacy handler reports it, and records it in the tracker', async () => {
    server.setDefault('openai', { error: { status: 500 } });
    const langfuseHandler = legacyHandler();
    const costs = new LegacyLangfuseCostAdapter(langfuseHandler);
    const tracker = testTracker();
    await expect(
      openai().invoke('hi', {
        callbacks: [langfuseHandler, new CostCallbackHandler({ tracker, catalog, onCost: costs.onCost })],
      }),
    ).rejects.toThrow();
    await awaitAllCallbacks();
    await langfuseHandler.flushAsync();
    const updates = ingestion.events.filter((e) => e.type === 'generation-update');
    expect(updates).toHaveLength(1);
    expect(updates[0]!.body.level).toBe('ERROR');
    expect(updates[0]!.body.costDetails).toBeUndefined();
    expect(tracker.recent()[0]!.status).toBe('error');
    expect(costs.pendingCount).toBe(0);
  });

  it('with a plain langfuse client and no legacy generation end, sends the cost on flush', async () => {
    server.setDefault('openai', { model: 'gpt-4o-2024-08-06', usage: USAGE });
    const langfuse = new Langfuse({
      publicKey: 'pk-lf-test',
      secretKey: 'sk-lf-test',
      baseUrl: ingestion.url,
      flushAt: 1000,
    });
    const costs = new LegacyLangfuseCostAdapter(langfuse, { waitMs: 60_000 });
    const tracker = testTracker();
    const runId = '0199a8f2-0000-7000-8000-0000000000aa';
    // The user's own generation with the run id, as the legacy handler would create it.
    langfuse.trace({ id: 'trace-1' });
    langfuse.generation({ id: runId, traceId: 'trace-1', name: 'manual' });
    await openai().invoke('hi', {
      runId,
      callbacks: [new CostCallbackHandler({ tracker, catalog, onCost: costs.onCost })],
    });
    expect(costs.pendingCount).toBe(1);
    await langfuse.flushAsync();
    expect(costs.pendingCount).toBe(0);
    const updates = ingestion.events.filter((e) => e.type === 'generation-update');
    expect(updates).toHaveLength(1);
    expect(updates[0]!.body.id).toBe(runId);
    expect(updates[0]!.body.traceId).toBe('trace-1'); // the trace the generation was created in
    expect(updates[0]!.body.usageDetails).toEqual(EXPECTED_USAGE_DETAILS);
    expectCostDetails(updates[0]!.body.costDetails);
    expect(ingestion.events.filter((e) => e.type === 'generation-create')).toHaveLength(1);
    costs.detach();
    await langfuse.shutdownAsync();
  });
});
