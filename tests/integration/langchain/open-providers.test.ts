import { ChatGroq } from '@langchain/groq';
import { ChatMistralAI } from '@langchain/mistralai';
import { ChatOllama } from '@langchain/ollama';
import { describe, expect, it } from 'vitest';
import { CostCallbackHandler } from '../../../src/langchain/index.js';
import { nonZero, PRICES, pico, testCatalog, testTracker } from '../../helpers/langchain-fixtures.js';
import { useProviderServer } from '../../helpers/providers/index.js';

const server = useProviderServer();

const catalog = testCatalog();

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream) {
    // consume
  }
}

describe('CostCallbackHandler with Mistral, Groq and Ollama', () => {
  it('Mistral: same cost streaming and not; the served model survives LangChain concatenating it', async () => {
    server.setDefault('mistral', {
      model: 'mistral-large-2411',
      usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
      chunks: 4,
    });
    const tracker = testTracker();
    const handler = new CostCallbackHandler({ tracker, catalog });
    const llm = new ChatMistralAI({
      model: 'mistral-large-latest',
      apiKey: 'test',
      maxRetries: 0,
      serverURL: server.url,
    });
    await llm.invoke('hi', { callbacks: [handler] });
    await drain(await llm.stream('hi', { callbacks: [handler] }));
    expect(server.requestsFor('mistral')).toHaveLength(2);
    for (const r of tracker.recent()) {
      expect(r.model).toBe('mistral-large-2411');
      expect(r.provider).toBe('mistral');
      expect(nonZero(r.usage as never)).toEqual({ input: 120, output: 30 });
      expect(r.totalPico).toBe(pico(120, PRICES.mistral.input) + pico(30, PRICES.mistral.output));
    }
    expect(tracker.recent()).toHaveLength(2);
  });

  it('Groq: stream usage from x_groq (not on usage_metadata) gives the same cost as the JSON response', async () => {
    server.setDefault('groq', {
      model: 'llama-3.3-70b-versatile',
      usage: { prompt_tokens: 1000, completion_tokens: 250, total_tokens: 1250 },
    });
    const tracker = testTracker();
    const handler = new CostCallbackHandler({ tracker, catalog });
    const llm = new ChatGroq({
      model: 'llama-3.3-70b-versatile',
      apiKey: 'test',
      maxRetries: 0,
      baseUrl: server.url,
    });
    await llm.invoke('hi', { callbacks: [handler] });
    await drain(await llm.stream('hi', { callbacks: [handler] }));
    const recs = tracker.recent();
    expect(recs).toHaveLength(2);
    for (const r of recs) {
      expect(r.model).toBe('llama-3.3-70b-versatile');
      expect(nonZero(r.usage as never)).toEqual({ input: 1000, output: 250 });
      expect(r.totalPico).toBe(pico(1000, PRICES.groq.input) + pico(250, PRICES.groq.output));
    }
  });

  it('Ollama: llama3.2:3b is self-hosted: $0 with source free (not unpriced), tokens counted', async () => {
    server.setDefault('ollama', { model: 'llama3.2:3b', usage: { prompt_eval_count: 26, eval_count: 298 } });
    const tracker = testTracker();
    const handler = new CostCallbackHandler({ tracker, catalog });
    await new ChatOllama({ model: 'llama3.2:3b', baseUrl: server.url }).invoke('hi', {
      callbacks: [handler],
    });
    const [r] = tracker.recent();
    expect(r!.unpriced).not.toBe(true);
    expect(r!.source).toBe('free');
    expect(r!.provider).toBe('ollama');
    expect(r!.totalPico).toBe(0);
    expect(nonZero(r!.usage as never)).toEqual({ input: 26, output: 298 });
  });

  it('Ollama at your own compute rate: a price file entry for the model wins over free', async () => {
    server.setDefault('ollama', {
      model: 'llama3.2:3b',
      usage: { prompt_eval_count: 1_000_000, eval_count: 500_000 },
    });
    const tracker = testTracker();
    // Your rate, say $0.05 per 1M tokens in and out (GPU hours ÷ tokens served), as a user layer.
    const priced = testCatalog().addLayer('user', {
      version: 1,
      models: [{ id: 'llama3.2:3b', provider: 'ollama', prices: { input: 0.05, output: 0.05 } }],
    });
    const handler = new CostCallbackHandler({ tracker, catalog: priced });
    await new ChatOllama({ model: 'llama3.2:3b', baseUrl: server.url }).invoke('hi', {
      callbacks: [handler],
    });
    const [r] = tracker.recent();
    expect(r!.source).toBe('override');
    // 1M × $0.05/1M + 0.5M × $0.05/1M = $0.075
    expect(r!.totalPico).toBe(75_000_000_000);
  });

  it('Ollama (invoke and NDJSON stream): self-hosted, so free with that source or unpriced — never a silent $0', async () => {
    server.setDefault('ollama', { model: 'llama3.2', usage: { prompt_eval_count: 120, eval_count: 30 } });
    const tracker = testTracker();
    const handler = new CostCallbackHandler({ tracker, catalog });
    const llm = new ChatOllama({ model: 'llama3.2', baseUrl: server.url });
    await llm.invoke('hi', { callbacks: [handler] });
    await drain(await llm.stream('hi', { callbacks: [handler] }));
    const recs = tracker.recent();
    expect(recs).toHaveLength(2);
    expect(server.requestsFor('ollama').map((r) => r.body.stream)).toEqual([true, true]);
    for (const r of recs) {
      // Ollama publishes no price: a $0 must say it is the free (self-hosted) price, else the call is
      // recorded as unpriced (its cost unknown, `total_cost: null` in the ledger).
      if (r.unpriced === true) {
        expect(r.source).toBe('none');
      } else {
        expect(r.source).toBe('free');
        expect(r.totalPico).toBe(0);
      }
      expect(nonZero(r.usage as never)).toEqual({ input: 120, output: 30 });
    }
  });
});
