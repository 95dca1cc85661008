/**
 * Self-hosted models at your GPU rate, through real LangChain clients against a loopback server that
 * speaks Ollama's and OpenAI's wire formats. The call's duration is the LangChain run's start to end;
 * the test moves a fake clock (`Date` only; timers and sockets are real) by 1.5 s while the server
 * holds the request, so the duration is exact.
 *
 * Rate in the tests: $2.49 per GPU hour (an on-demand H100 rented by the hour).
 */
import { ChatOllama } from '@langchain/ollama';
import { ChatOpenAI } from '@langchain/openai';
import { afterEach, expect, it, vi } from 'vitest';
import { CostCallbackHandler } from '../../../src/langchain/index.js';
import { PriceCatalog } from '../../../src/pricing/catalog.js';
import { nonZero, testCatalog, testTracker } from '../../helpers/langchain-fixtures.js';
import { useProviderServer } from '../../helpers/providers/index.js';

const server = useProviderServer();

/** Some fixed instant; only differences matter. */
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
/** How long the server holds each call, on the fake clock. */
const CALL_MS = 1500;

/** Freeze `Date` at T0 and move it by CALL_MS when the server has the request. */
function timedReply() {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  return () => vi.setSystemTime(T0 + CALL_MS);
}

afterEach(() => {
  vi.useRealTimers();
});

it('ChatOllama with a price per GPU hour for 2 GPUs: 1.5 s × 2 GPUs at $2.49/h = $0.002075', async () => {
  server.setDefault('ollama', {
    model: 'llama3.3:70b',
    usage: { prompt_eval_count: 26, eval_count: 298 },
    beforeReply: timedReply(),
  });
  const catalog = testCatalog().addLayer('user', {
    version: 1,
    models: [{ id: 'llama3.3:70b', provider: 'ollama', prices: { perGpuHour: 2.49 }, gpus: 2 }],
  });
  const tracker = testTracker();
  await new ChatOllama({ model: 'llama3.3:70b', baseUrl: server.url }).invoke('hi', {
    callbacks: [new CostCallbackHandler({ tracker, catalog })],
  });
  const [r] = tracker.recent();
  expect(r!.source).toBe('override');
  expect(r!.provider).toBe('ollama');
  // 1,500 ms × 2 GPUs = 3,000 GPU-ms; 3,000 / 3,600,000 h × $2.49 = $0.002075.
  expect(nonZero(r!.usage as never)).toEqual({ input: 26, output: 298, gpuMilliseconds: 3000 });
  expect(r!.totalPico).toBe(2_075_000_000);
  expect(r!.costs.gpuMilliseconds).toBe(0.002075);
});

it('ChatOpenAI at a local base URL (vLLM): an unknown model priced for the self-hosted provider per GPU hour', async () => {
  server.setDefault('openai', {
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    usage: { prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500 },
    beforeReply: timedReply(),
  });
  // Tokens at $0.01 per 1M in and out as well, to show both parts add up.
  const catalog = testCatalog().addLayer('user', {
    version: 1,
    models: [
      {
        id: 'meta-llama/Llama-3.1-8B-Instruct',
        provider: 'self-hosted',
        prices: { input: 0.01, output: 0.01, perGpuHour: 2.49 },
      },
    ],
  });
  const tracker = testTracker();
  const llm = new ChatOpenAI({
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    apiKey: 'sk-local',
    configuration: { baseURL: `${server.url}/v1` },
    maxRetries: 0,
  });
  await llm.invoke('hi', { callbacks: [new CostCallbackHandler({ tracker, catalog })] });
  const [r] = tracker.recent();
  expect(r!.provider).toBe('self-hosted');
  expect(nonZero(r!.usage as never)).toEqual({ input: 1200, output: 300, gpuMilliseconds: 1500 });
  // GPU: 1,500 / 3,600,000 h × $2.49 = $0.0010375; tokens: 1,500 × $0.01/1M = $0.000015.
  expect(r!.costs.gpuMilliseconds).toBe(0.0010375);
  expect(r!.totalPico).toBe(1_037_500_000 + 15_000_000);
});

it('a model without a GPU rate gets no GPU time, whatever the call lasted', async () => {
  server.setDefault('ollama', {
    model: 'llama3.2:3b',
    usage: { prompt_eval_count: 26, eval_count: 298 },
    beforeReply: timedReply(),
  });
  const catalog = new PriceCatalog().addLayer('user', {
    version: 1,
    models: [{ id: 'llama3.2:3b', provider: 'ollama', prices: { input: 0.05, output: 0.05 } }],
  });
  const tracker = testTracker();
  await new ChatOllama({ model: 'llama3.2:3b', baseUrl: server.url }).invoke('hi', {
    callbacks: [new CostCallbackHandler({ tracker, catalog })],
  });
  const [r] = tracker.recent();
  expect(nonZero(r!.usage as never)).toEqual({ input: 26, output: 298 });
  // 324 tokens × $0.05/1M = $0.0000162
  expect(r!.totalPico).toBe(16_200_000);
});
