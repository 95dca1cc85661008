import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { ChatBedrockConverse } from '@langchain/aws';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { describe, expect, it } from 'vitest';
import { CostCallbackHandler } from '../../../src/langchain/index.js';
import { nonZero, PRICES, pico, testCatalog, testTracker } from '../../helpers/langchain-fixtures.js';
import { useProviderServer } from '../../helpers/providers/index.js';

const server = useProviderServer();

const catalog = testCatalog();
const MODEL_ID = 'us.anthropic.claude-3-5-sonnet-20241022-v2:0';

function bedrock() {
  // endpointHost forces https, so the loopback server is reached through a client of our own
  // (HTTP/1.1 handler, fake static credentials; requests are still SigV4-signed).
  const client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: server.url,
    credentials: { accessKeyId: 'AKIDLOOPBACK', secretAccessKey: 'loopback-secret' },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
  });
  return new ChatBedrockConverse({ model: MODEL_ID, region: 'us-east-1', client });
}

describe('CostCallbackHandler with the real ChatBedrockConverse', () => {
  // Converse reports inputTokens without the cache; LangChain folds cache reads/writes into input_tokens.
  const usage = {
    inputTokens: 100,
    cacheReadInputTokens: 1000,
    cacheWriteInputTokens: 200,
    outputTokens: 50,
    totalTokens: 1350,
  };
  const expectedBuckets = { input: 100, cacheRead: 1000, cacheWrite: 200, output: 50 };
  const expectedPico =
    pico(100, PRICES.bedrockSonnet.input) +
    pico(1000, PRICES.bedrockSonnet.cacheRead) +
    pico(200, PRICES.bedrockSonnet.cacheWrite) +
    pico(50, PRICES.bedrockSonnet.output);

  it('prices Converse and ConverseStream (binary event stream) the same, from the request model id', async () => {
    server.setDefault('bedrock', { usage });
    const tracker = testTracker();
    const handler = new CostCallbackHandler({ tracker, catalog });
    const msg = await bedrock().invoke('hi', { callbacks: [handler] });
    expect(msg.usage_metadata?.input_tokens).toBe(1300);
    for await (const _ of await bedrock().stream('hi', { callbacks: [handler] })) {
      // consume
    }
    expect(server.requestsFor('bedrock').map((r) => decodeURIComponent(r.path))).toEqual([
      `/model/${MODEL_ID}/converse`,
      `/model/${MODEL_ID}/converse-stream`,
    ]);
    expect(server.requestsFor('bedrock')[0]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
    const [plain, streamed] = tracker.recent();
    for (const r of [plain!, streamed!]) {
      expect(r.model).toBe(MODEL_ID); // Converse responses name no model
      expect(r.resolvedModel).toBe('anthropic.claude-3-5-sonnet-20241022-v2:0');
      expect(r.provider).toBe('aws');
      expect(nonZero(r.usage as never)).toEqual(expectedBuckets);
      expect(r.totalPico).toBe(expectedPico);
    }
    expect(handler.openRuns).toBe(0);
  });
});
