/**
 * Calls billed in units beyond tokens — seconds of audio, characters, images — priced with the bundled
 * catalog. Every expected cost is written from the provider's published price (OpenAI's pricing page,
 * https://platform.openai.com/docs/pricing; Groq's, https://groq.com/pricing), never computed by
 * the code under test.
 */
import { describe, expect, it } from 'vitest';
import { InvalidUsageError } from '../../../src/errors.js';
import { PriceCatalog } from '../../../src/pricing/catalog.js';
import { getDefaultCatalog } from '../../../src/pricing/default-catalog.js';
import { priceCall } from '../../../src/pricing/price-call.js';
import { toLangfuseCostDetails, toLangfuseUsageDetails } from '../../../src/usage/details.js';
import {
  imageCall,
  type MediaCall,
  speechCall,
  transcriptionCall,
} from '../../../src/usage/extract-media.js';
import { normalizeUsage } from '../../../src/usage/token-usage.js';

/** USD → pico, from a decimal written in the test (e.g. '0.006'). */
function pico(usd: string): number {
  const [whole, frac = ''] = usd.split('.');
  return Number(whole) * 1e12 + Number(frac.padEnd(12, '0'));
}

function priced(c: MediaCall, provider = 'openai') {
  const o = priceCall({ models: c.models, provider, usage: normalizeUsage(c.usage) }, getDefaultCatalog());
  if (o.status === 'unpriced') throw new Error(`unpriced: ${o.reason}`);
  return o.result;
}

describe('whisper-1: $0.006 per minute of audio', () => {
  it.each([
    [60, '0.006'],
    [61.4, '0.0061'], // billed to the nearest second: 61 s
    [1, '0.0001'],
    [3600, '0.36'],
  ])('%s s costs $%s', (seconds, usd) => {
    const r = priced(transcriptionCall('whisper-1', seconds));
    expect(r.totalPico).toBe(pico(usd));
    expect(r.costs.audioSeconds).toBe(Number(usd));
    expect(r.resolvedModel).toBe('whisper-1');
    expect(r.warnings).toBeUndefined();
  });

  it('is written to Langfuse as input_audio_seconds, outside the token total', () => {
    const r = priced(transcriptionCall('whisper-1', 60));
    expect(toLangfuseUsageDetails(r.usage)).toEqual({
      input: 0,
      output: 0,
      input_audio_seconds: 60,
      total: 0,
    });
    expect(toLangfuseCostDetails(r)).toEqual({
      input: 0,
      output: 0,
      input_audio_seconds: 0.006,
      total: 0.006,
    });
  });
});

it('Groq whisper-large-v3-turbo, $0.04 per hour, stays exact to the picodollar (no per-second rounding)', () => {
  // $0.04 / 3600 s is 0.0000111…: one second is 11,111,111.1 pico → 11,111,111 rounded once.
  expect(priced(transcriptionCall('whisper-large-v3-turbo', 1), 'groq').totalPico).toBe(11_111_111);
  expect(priced(transcriptionCall('whisper-large-v3-turbo', 90), 'groq').totalPico).toBe(pico('0.001'));
  expect(priced(transcriptionCall('whisper-large-v3-turbo', 3600), 'groq').totalPico).toBe(pico('0.04'));
});

describe('tts-1 / tts-1-hd: $15 / $30 per 1M characters', () => {
  it.each([
    ['tts-1', 1_000_000, '15'],
    ['tts-1-hd', 1_000_000, '30'],
    ['tts-1', 1000, '0.015'],
    ['tts-1-hd', 1000, '0.03'],
  ])('%s, %s characters: $%s', (model, n, usd) => {
    const r = priced(speechCall(model, 'a'.repeat(n)));
    expect(r.totalPico).toBe(pico(usd));
    expect(r.costs.characters).toBe(Number(usd));
  });

  it('counts characters as code points (an emoji is one)', () => {
    expect(speechCall('tts-1', 'Hi 👋').usage).toEqual({ characters: 4 });
    // 4 × $30 / 1M = $0.00012
    expect(priced(speechCall('tts-1-hd', 'Hi 👋')).totalPico).toBe(pico('0.00012'));
  });
});

describe('dall-e-3 by size and quality', () => {
  it.each([
    [undefined, undefined, '0.04', 'dall-e-3'],
    ['1024x1024', 'standard', '0.04', 'dall-e-3'],
    ['1024x1792', 'standard', '0.08', 'dall-e-3/1024x1792/standard'],
    ['1792x1024', 'standard', '0.08', 'dall-e-3/1024x1792/standard'],
    ['1024x1024', 'hd', '0.08', 'dall-e-3/1024x1024/hd'],
    [undefined, 'hd', '0.08', 'dall-e-3/1024x1024/hd'],
    ['1024x1792', 'hd', '0.12', 'dall-e-3/1024x1792/hd'],
    ['1792x1024', 'hd', '0.12', 'dall-e-3/1024x1792/hd'],
  ])('size %s, quality %s: $%s per image (%s)', (size, quality, usd, entry) => {
    const r = priced(imageCall('dall-e-3', { size, quality }));
    expect(r.totalPico).toBe(pico(usd));
    expect(r.resolvedModel).toBe(entry);
    expect(r.costs.images).toBe(Number(usd));
  });

  it('n images cost n times one', () => {
    // 3 × $0.12
    expect(priced(imageCall('dall-e-3', { size: '1792x1024', quality: 'HD', n: 3 })).totalPico).toBe(
      pico('0.36'),
    );
  });

  it('is written to Langfuse as output_images', () => {
    const r = priced(imageCall('dall-e-3', { size: '1024x1792', quality: 'hd' }));
    expect(toLangfuseUsageDetails(r.usage)).toMatchObject({ output_images: 1, total: 0 });
    expect(toLangfuseCostDetails(r)).toMatchObject({ output_images: 0.12, total: 0.12 });
  });
});

it.each([
  [undefined, '0.02'],
  ['1024x1024', '0.02'],
  ['512x512', '0.018'],
  ['256x256', '0.016'],
])('dall-e-2, size %s: $%s per image', (size, usd) => {
  expect(priced(imageCall('dall-e-2', { size })).totalPico).toBe(pico(usd));
});

it('a model with no price for the unit says so instead of a silent $0', () => {
  // gpt-image-1 is priced by tokens; an image count alone has no price there.
  const r = priced(imageCall('gpt-image-1', { size: '1024x1024', quality: 'high' }));
  expect(r.totalPico).toBe(0);
  expect(r.warnings?.join('\n')).toMatch(/no per image price/);
});

it('an unknown variant falls back to the model, not to the catalog fallback price', () => {
  const catalog = PriceCatalog.fromData({
    version: 1,
    fallback: { input: 1, output: 1, perImage: 9 },
    models: [{ id: 'img', provider: 'acme', prices: { perImage: 0.5 } }],
  });
  const c = imageCall('img', { size: '640x640', quality: 'ultra' });
  expect(c.models).toEqual(['img/640x640/ultra', 'img']);
  const o = priceCall({ models: c.models, usage: normalizeUsage(c.usage) }, catalog);
  expect(o.status).toBe('priced');
  expect(o.status !== 'unpriced' && o.result.totalPico).toBe(pico('0.5'));
  expect(o.status !== 'unpriced' && o.result.estimated).toBe(false);
});

it('refuses a bad duration, text or count with a typed error', () => {
  expect(() => transcriptionCall('whisper-1', -1)).toThrow(InvalidUsageError);
  expect(() => transcriptionCall('whisper-1', Number.NaN)).toThrow(InvalidUsageError);
  expect(() => speechCall('tts-1', 42 as never)).toThrow(InvalidUsageError);
  expect(() => imageCall('dall-e-3', { n: 1.5 })).toThrow(InvalidUsageError);
});
