/**
 * Image generation with LangChain.js's real `DallEAPIWrapper` against a loopback OpenAI server.
 * The wrapper is a tool: LangChain sends tool callbacks for it, never LLM callbacks, so no model, size
 * or usage reaches a callback handler (the same holds for `OpenAIWhisperAudio`, a document loader
 * with no callbacks). This test holds both facts: the handler records nothing by itself, and the
 * documented path (docs/pricing.md, "Units beyond tokens") prices the call from the tool's own
 * request fields at OpenAI's published price (DALL·E 3 HD 1792×1024: $0.12 per image).
 */
import { DallEAPIWrapper } from '@langchain/openai';
import { expect, it } from 'vitest';
import { CostCallbackHandler } from '../../../src/langchain/index.js';
import { calculateCost } from '../../../src/pricing/calculator.js';
import { getDefaultCatalog } from '../../../src/pricing/default-catalog.js';
import { imageCall } from '../../../src/usage/extract-media.js';
import { testTracker } from '../../helpers/langchain-fixtures.js';
import { useProviderServer } from '../../helpers/providers/index.js';

const server = useProviderServer();

it('DallEAPIWrapper: no LLM callback carries the call; imageCall prices it from the request fields', async () => {
  const tracker = testTracker();
  const handler = new CostCallbackHandler({ tracker, catalog: getDefaultCatalog() });
  // The request your code makes; the tool keeps quality and n private, so they are read from here.
  const fields = { model: 'dall-e-3', size: '1792x1024', quality: 'hd', n: 1 } as const;
  const tool = new DallEAPIWrapper({ ...fields, apiKey: 'test', baseUrl: `${server.url}/v1` });
  const url = await tool.invoke('a cat', { callbacks: [handler] });
  expect(String(url)).toContain('/image-0.png');
  const [req] = server.requestsFor('openai');
  expect(req?.body).toMatchObject({ model: 'dall-e-3', size: '1792x1024', quality: 'hd' });
  // Nothing reached the handler as an LLM call.
  expect(tracker.recent()).toHaveLength(0);

  const call = imageCall(fields.model, fields);
  const r = calculateCost({ model: call.models[0]!, provider: 'openai', usage: call.usage });
  expect(r?.resolvedModel).toBe('dall-e-3/1024x1792/hd');
  tracker.record(r!);
  const [rec] = tracker.recent();
  expect(rec!.totalPico).toBe(120_000_000_000); // $0.12
  expect(rec!.usage.images).toBe(1);
});
