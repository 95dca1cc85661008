/**
 * Usage of calls billed in units other than tokens: seconds of audio (transcription), characters
 * (text to speech) and images (generation), the `audioSeconds`, `characters` and `images` rows of the
 * bucket table.
 *
 * No emitter reports these units to us today, so these helpers turn what your code already has (the
 * audio's duration, the text you sent, the image request) into a usage and the model name to price:
 * - LangChain.js: `DallEAPIWrapper` (`@langchain/openai`) is a tool, and tools send no LLM callbacks
 *   (no model, no usage, no size); `OpenAIWhisperAudio` (`@langchain/community`) is a document loader
 *   with no callbacks at all.
 * - Vercel AI SDK (`ai` 6): `experimental_generateImage`, `experimental_transcribe` and
 *   `experimental_generateSpeech` accept no `experimental_telemetry` and open no span.
 * - GenAI semantic conventions define no attribute for audio duration, characters or image count.
 *
 * A span that carries these units itself is priced as any other: `langfuse.observation.usage_details`
 * with the bucket table's keys (`input_audio_seconds`, `input_characters`, `output_images`) is read by
 * the span processor like the token keys.
 */
import { describeValue, InvalidUsageError } from '../errors.js';
import { BUCKETS, type BucketRow, LANGFUSE_KEYS_OF_BUCKET, type UsageBucket } from './buckets.js';
import { MAX_TOKENS_PER_BUCKET } from './token-count.js';
import type { TokenUsage, UsageInput } from './token-usage.js';

/** What a transcription, speech or image call was: the model name to price and its usage. */
export interface MediaCall {
  /** Model names to try, most specific first (an image variant, then the model). */
  models: string[];
  /** The call's usage in its own unit. */
  usage: UsageInput;
}

/** Image quality when a request names none: OpenAI's default for `dall-e-2` and `dall-e-3`. */
export const DEFAULT_IMAGE_QUALITY = 'standard';
/** Image size when a request names a quality but no size: OpenAI's default for `dall-e-2` and `dall-e-3`. */
export const DEFAULT_IMAGE_SIZE = '1024x1024';

function checkedCount(n: number, path: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_TOKENS_PER_BUCKET)
    throw new InvalidUsageError(path, `expected an integer from 0 to 1e9, got ${describeValue(n)}`);
  return n;
}

/**
 * A transcription (or translation) billed by audio duration: `durationSeconds` rounded to the nearest
 * second, as OpenAI bills `whisper-1` ("rounded to the nearest second").
 *
 * @throws {InvalidUsageError} for a negative, non-finite or absurd duration.
 * @example
 * ```ts
 * transcriptionCall('whisper-1', 61.4).usage; // { audioSeconds: 61 }
 * ```
 */
export function transcriptionCall(model: string, durationSeconds: number): MediaCall {
  if (typeof durationSeconds !== 'number' || !Number.isFinite(durationSeconds) || durationSeconds < 0)
    throw new InvalidUsageError(
      'durationSeconds',
      `expected a duration in seconds ≥ 0, got ${describeValue(durationSeconds)}`,
    );
  return {
    models: [model],
    usage: { audioSeconds: checkedCount(Math.round(durationSeconds), 'durationSeconds') },
  };
}

/**
 * A text-to-speech call billed by input characters: the text's length in Unicode code points (an
 * emoji is one character, not two UTF-16 units).
 *
 * @example
 * ```ts
 * speechCall('tts-1', 'Hello, world!').usage; // { characters: 13 }
 * ```
 */
export function speechCall(model: string, text: string): MediaCall {
  if (typeof text !== 'string')
    throw new InvalidUsageError('text', `expected the text sent to speech, got ${describeValue(text)}`);
  let n = 0;
  for (const _ of text) n++;
  return { models: [model], usage: { characters: checkedCount(n, 'text') } };
}

/**
 * An image generation billed per image. A size or quality priced apart is a catalog model of its own,
 * `<model>/<size>/<quality>` (`dall-e-3/1024x1792/hd`); that name is tried first, then the model,
 * whose price is the one for the API's default size and quality.
 *
 * @example
 * ```ts
 * imageCall('dall-e-3', { size: '1792x1024', quality: 'hd' }).models; // ['dall-e-3/1792x1024/hd', 'dall-e-3']
 * ```
 */
export function imageCall(
  model: string,
  options: { n?: number; size?: string; quality?: string } = {},
): MediaCall {
  const n = options.n ?? 1;
  const models = [model];
  const text = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : '');
  let size = text(options.size);
  let quality = text(options.quality);
  if (size === 'auto') size = '';
  if (quality === 'auto') quality = '';
  if (size !== '' || quality !== '') {
    models.unshift(`${model}/${size || DEFAULT_IMAGE_SIZE}/${quality || DEFAULT_IMAGE_QUALITY}`);
  }
  return { models, usage: { images: checkedCount(n, 'n') } };
}

/**
 * Langfuse usage keys of the unit buckets (seconds of audio, characters, images; from the bucket
 * table: count rows with a usage detail) → bucket, for reading them back from `usage_details`.
 */
export const UNIT_BUCKET_OF_LANGFUSE_KEY: ReadonlyMap<string, UsageBucket> = new Map(
  BUCKETS.filter((r: BucketRow) => r.kind === 'count' && r.usageDetail).flatMap((r) =>
    LANGFUSE_KEYS_OF_BUCKET[r.key].map((k) => [k, r.key] as const),
  ),
);

/** @internal Unit counts read beside the token counts of a span (bucket → count). */
export type UnitCounts = Partial<Record<UsageBucket, number>>;

/** @internal Copy unit counts into a usage read from the same span. */
export function addUnitCounts(usage: TokenUsage, units: UnitCounts | undefined): void {
  if (units === undefined) return;
  for (const k in units) usage[k as UsageBucket] = units[k as UsageBucket]!;
}
