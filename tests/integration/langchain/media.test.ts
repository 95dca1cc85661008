/**
 * Media calls through real clients against a loopback OpenAI server.
 *
 * Image generation with LangChain.js's real `DallEAPIWrapper`.
 * The wrapper is a tool: LangChain sends tool callbacks for it, never LLM callbacks, so no model, size
 * or usage reaches a callback handler (the same holds for `OpenAIWhisperAudio`, a document loader
 * with no callbacks). This test holds both facts: the handler records nothing by itself, and the
 * documented path (docs/pricing.md, "Units beyond tokens") prices the call from the tool's own
 * request fields at OpenAI's published price (DALL·E 3 HD 1792×1024: $0.12 per image).
 *
 * Transcription with LangChain.js's real `OpenAIWhisperAudio` loader (@langchain/community), and with
 * the OpenAI SDK's `audio.transcriptions.create` it calls: the loader keeps only the text, so the
 * audio's duration comes from the app (or the SDK's `verbose_json` response), priced with
 * `transcriptionCall` at OpenAI's published whisper-1 price, $0.006 per minute.
 */
import { OpenAIWhisperAudio } from '@langchain/community/document_loaders/fs/openai_whisper_audio';
import { DallEAPIWrapper } from '@langchain/openai';
import OpenAI, { toFile } from 'openai';
import { expect, it } from 'vitest';
import { CostCallbackHandler } from '../../../src/langchain/index.js';
import { calculateCost } from '../../../src/pricing/calculator.js';
import { getDefaultCatalog } from '../../../src/pricing/default-catalog.js';
import { imageCall, transcriptionCall } from '../../../src/usage/extract-media.js';
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

it('OpenAIWhisperAudio (LangChain loader, which takes no callbacks): transcriptionCall prices the audio it sent', async () => {
  server.setDefault('openai', { text: 'Hello, world.', extra: { duration: 61.4 } });
  const tracker = testTracker();
  // 61.4 s of audio: the app knows how long its recording is (the loader returns only the text).
  const seconds = 61.4;
  const audio = new Blob([Buffer.from('RIFF....WAVEfmt fake audio')], { type: 'audio/wav' });
  const loader = new OpenAIWhisperAudio(audio, {
    clientOptions: { apiKey: 'test', baseURL: `${server.url}/v1`, maxRetries: 0 },
  });
  const docs = await loader.load();
  expect(docs.map((d) => d.pageContent)).toEqual(['Hello, world.']);
  const [req] = server.requestsFor('openai');
  expect(String(req?.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
  expect(String(req?.body)).toMatch(/name="model"\r\n\r\nwhisper-1\r\n/);

  const call = transcriptionCall('whisper-1', seconds);
  const r = calculateCost({ model: call.models[0]!, provider: 'openai', usage: call.usage });
  expect(r?.totalPico).toBe(6_100_000_000); // 61 s × $0.006 / 60 s = $0.0061
  tracker.record(r!);
  expect(tracker.recent()[0]!.usage.audioSeconds).toBe(61);
});

it('transcription with the real OpenAI SDK (audio.transcriptions, multipart in, verbose_json out): whisper-1 at $0.006 a minute', async () => {
  // The SDK method `OpenAIWhisperAudio` calls; its `verbose_json` response carries the duration.
  server.setDefault('openai', { text: 'Hello, world.', extra: { duration: 61.4 } });
  const client = new OpenAI({ apiKey: 'test', baseURL: `${server.url}/v1`, maxRetries: 0 });
  const audio = await toFile(Buffer.from('RIFF....WAVEfmt fake audio'), 'hello.wav', { type: 'audio/wav' });
  const out = await client.audio.transcriptions.create({
    file: audio,
    model: 'whisper-1',
    response_format: 'verbose_json',
  });
  expect(out.text).toBe('Hello, world.');
  const [req] = server.requestsFor('openai');
  expect(String(req?.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);

  // The documented path: the response's duration → usage, priced and recorded.
  const call = transcriptionCall('whisper-1', out.duration);
  expect(call.usage).toEqual({ audioSeconds: 61 }); // billed to the nearest second
  const r = calculateCost({ model: call.models[0]!, provider: 'openai', usage: call.usage });
  // 61 s × $0.006 / 60 s = $0.0061
  expect(r?.totalPico).toBe(6_100_000_000);
  expect(r?.costs.audioSeconds).toBe(0.0061);
  const tracker = testTracker();
  tracker.record(r!);
  expect(tracker.recent()[0]!.usage.audioSeconds).toBe(61);
});

it('transcription as plain json carries no duration: the SDK result has only the text', async () => {
  server.setDefault('openai', { text: 'Hi.' });
  const client = new OpenAI({ apiKey: 'test', baseURL: `${server.url}/v1`, maxRetries: 0 });
  const out = await client.audio.transcriptions.create({
    file: await toFile(Buffer.from('fake'), 'a.wav', { type: 'audio/wav' }),
    model: 'whisper-1',
  });
  // Ask for verbose_json (or measure the file) to price it: without a duration nothing is billed here.
  expect(out).toEqual({ text: 'Hi.' });
});
