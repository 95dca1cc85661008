import { ChatGoogleGenerativeAI } from '@langchain/google-genai';
import { describe, expect, it } from 'vitest';
import { CostCallbackHandler } from '../../../src/langchain/index.js';
import { nonZero, PRICES, pico, testCatalog, testTracker } from '../../helpers/langchain-fixtures.js';
import { useProviderServer } from '../../helpers/providers/index.js';

const server = useProviderServer();

const catalog = testCatalog();

function gemini() {
  return new ChatGoogleGenerativeAI({
    model: 'gemini-2.5-flash',
    apiKey: 'test',
    maxRetries: 0,
    baseUrl: server.url,
  });
}

describe('CostCallbackHandler with the real ChatGoogleGenerativeAI', () => {
  // promptTokenCount includes the 1000 cached tokens; candidatesTokenCount excludes the 500
  // thinking tokens, which only totalTokenCount (1200 + 300 + 500) carries.
  const usage = {
    promptTokenCount: 1200,
    cachedContentTokenCount: 1000,
    candidatesTokenCount: 300,
    thoughtsTokenCount: 500,
    totalTokenCount: 2000,
  };
  const expectedBuckets = { input: 200, cacheRead: 1000, output: 300, reasoning: 500 };
  const expectedPico =
    pico(200, PRICES.gemini.input) +
    pico(1000, PRICES.gemini.cacheRead) +
    pico(300, PRICES.gemini.output) +
    pico(500, PRICES.gemini.output); // thinking is billed as output

  it('bills thinking tokens missing from output_tokens, non-streaming and streaming alike', async () => {
    server.setDefault('google', { model: 'gemini-2.5-flash', usage, chunks: 3 });
    const tracker = testTracker();
    const handler = new CostCallbackHandler({ tracker, catalog });
    const msg = await gemini().invoke('hi', { callbacks: [handler] });
    expect(msg.usage_metadata?.output_tokens).toBe(300); // LangChain leaves thinking out
    let merged: any;
    for await (const chunk of await gemini().stream('hi', { callbacks: [handler] })) {
      merged = merged ? merged.concat(chunk) : chunk;
    }
    // LangChain sums the full cachedContentTokenCount of each of the 3 chunks.
    expect(merged.usage_metadata.input_token_details.cache_read).toBe(3000);
    expect(server.requestsFor('google').map((r) => r.path)).toEqual([
      '/v1beta/models/gemini-2.5-flash:generateContent',
      '/v1beta/models/gemini-2.5-flash:streamGenerateContent',
    ]);
    const [plain, streamed] = tracker.recent();
    for (const r of [plain!, streamed!]) {
      expect(r.model).toBe('gemini-2.5-flash');
      expect(r.provider).toBe('google');
      expect(nonZero(r.usage as never)).toEqual(expectedBuckets);
      expect(r.totalPico).toBe(expectedPico);
    }
    expect(handler.openRuns).toBe(0);
  });

  it('prices a plain call without cache or thinking', async () => {
    server.setDefault('google', {
      usage: { promptTokenCount: 40, candidatesTokenCount: 12, totalTokenCount: 52 },
    });
    const tracker = testTracker();
    await gemini().invoke('hi', { callbacks: [new CostCallbackHandler({ tracker, catalog })] });
    const [r] = tracker.recent();
    expect(nonZero(r!.usage as never)).toEqual({ input: 40, output: 12 });
    expect(r!.totalPico).toBe(pico(40, PRICES.gemini.input) + pico(12, PRICES.gemini.output));
  });
});
