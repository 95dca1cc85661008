import { ChatAnthropic } from '@langchain/anthropic';
import { describe, expect, it } from 'vitest';
import { CostCallbackHandler } from '../../../src/langchain/index.js';
import { nonZero, PRICES, pico, testCatalog, testTracker } from '../../helpers/langchain-fixtures.js';
import { useProviderServer } from '../../helpers/providers/index.js';

const server = useProviderServer();

const catalog = testCatalog();

function anthropic() {
  return new ChatAnthropic({
    model: 'claude-sonnet-4-5',
    apiKey: 'test',
    maxRetries: 0,
    anthropicApiUrl: server.url,
  });
}

describe('CostCallbackHandler with the real ChatAnthropic', () => {
  // Anthropic's raw input_tokens excludes the cache; LangChain adds cache reads and writes into
  // usage_metadata.input_tokens (100 + 200 + 1000 = 1300).
  const usage = {
    input_tokens: 100,
    cache_creation_input_tokens: 200,
    cache_read_input_tokens: 1000,
    output_tokens: 50,
    cache_creation: { ephemeral_5m_input_tokens: 150, ephemeral_1h_input_tokens: 50 },
  };
  const expectedBuckets = { input: 100, cacheRead: 1000, cacheWrite: 150, cacheWrite1h: 50, output: 50 };
  const expectedPico =
    pico(100, PRICES.sonnet.input) +
    pico(1000, PRICES.sonnet.cacheRead) +
    pico(150, PRICES.sonnet.cacheWrite) +
    pico(50, PRICES.sonnet.cacheWrite1h) +
    pico(50, PRICES.sonnet.output);

  it('prices cache reads and 5-minute / 1-hour cache writes, non-streaming and streaming alike', async () => {
    server.setDefault('anthropic', { model: 'claude-sonnet-4-5-20250929', usage });
    const tracker = testTracker();
    const handler = new CostCallbackHandler({ tracker, catalog });
    const msg = await anthropic().invoke('hi', { callbacks: [handler] });
    // What LangChain itself reports: input summed with the cache.
    expect(msg.usage_metadata?.input_tokens).toBe(1300);
    let streamedOutput = 0;
    let last: { usage_metadata?: { output_tokens: number } } | undefined;
    for await (const chunk of await anthropic().stream('hi', { callbacks: [handler] })) {
      last = last ? (last as any).concat(chunk) : chunk;
    }
    streamedOutput = last?.usage_metadata?.output_tokens ?? 0;
    // LangChain's merged stream counts message_start's output token on top of message_delta's total.
    expect(streamedOutput).toBe(51);
    const [plain, streamed] = tracker.recent();
    expect(server.requestsFor('anthropic')[1]?.body.stream).toBe(true);
    for (const r of [plain!, streamed!]) {
      expect(r.model).toBe('claude-sonnet-4-5-20250929');
      expect(nonZero(r.usage as never)).toEqual(expectedBuckets);
      expect(r.totalPico).toBe(expectedPico);
    }
    expect(handler.openRuns).toBe(0);
  });

  it('takes the served model from additional_kwargs when streaming and records the provider', async () => {
    server.setDefault('anthropic', {
      model: 'claude-sonnet-4-5-20250929',
      usage: {
        input_tokens: 10,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 5,
      },
    });
    const tracker = testTracker();
    for await (const _ of await anthropic().stream('hi', {
      callbacks: [new CostCallbackHandler({ tracker, catalog })],
    })) {
      // consume
    }
    const [r] = tracker.recent();
    expect(r!.model).toBe('claude-sonnet-4-5-20250929');
    expect(r!.provider).toBe('anthropic');
    expect(r!.totalPico).toBe(pico(10, PRICES.sonnet.input) + pico(5, PRICES.sonnet.output));
  });
});
