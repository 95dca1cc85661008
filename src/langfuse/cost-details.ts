import { closedError } from '../errors.js';
import type { CostResult } from '../pricing/cost-result.js';
import type { TokenBucket, TokenUsage } from '../usage/token-usage.js';

/**
 * Langfuse usage/cost detail keys. Every key contains `input` or `output`, so Langfuse's
 * input/output cost split works; `input` is exclusive of cache tokens.
 */
export type LangfuseDetailKey =
  | 'input'
  | 'input_cached_tokens'
  | 'input_cache_creation'
  | 'input_cache_creation_1h'
  | 'input_audio_tokens'
  | 'input_image_tokens'
  | 'output'
  | 'output_reasoning_tokens'
  | 'output_audio_tokens';

/**
 * Token bucket → Langfuse usage/cost key: the one mapping every writer and reader of Langfuse
 * details (ledger lines, span attributes, the ledger readers) derives from. Key order is the
 * order the details are written in.
 */
export const LANGFUSE_KEY_OF_BUCKET: Readonly<Record<TokenBucket, LangfuseDetailKey>> = {
  input: 'input',
  cacheRead: 'input_cached_tokens',
  cacheWrite: 'input_cache_creation',
  cacheWrite1h: 'input_cache_creation_1h',
  inputAudio: 'input_audio_tokens',
  inputImage: 'input_image_tokens',
  output: 'output',
  reasoning: 'output_reasoning_tokens',
  outputAudio: 'output_audio_tokens',
};

/** Cost keys of the per-request and per-search fees (cost details only; no usage key). */
export const LANGFUSE_FEE_KEY = { requests: 'input_requests', webSearches: 'input_web_searches' } as const;

/** Langfuse usage/cost key → usage bucket (the inverse of the two maps above). */
export const BUCKET_OF_LANGFUSE_KEY: Readonly<Record<string, keyof TokenUsage>> = Object.fromEntries(
  [...Object.entries(LANGFUSE_KEY_OF_BUCKET), ...Object.entries(LANGFUSE_FEE_KEY)].map(([b, k]) => [k, b]),
) as Record<string, keyof TokenUsage>;

const BUCKET_KEYS = Object.entries(LANGFUSE_KEY_OF_BUCKET) as [TokenBucket, LangfuseDetailKey][];

/**
 * Langfuse `usage_details`: non-negative integers per key, `input` exclusive of cache,
 * plus `total`. Zero buckets other than input/output are omitted.
 */
export function toLangfuseUsageDetails(usage: TokenUsage): Record<string, number> {
  try {
    return toLangfuseUsageDetailsUnchecked(usage);
  } catch (err) {
    throw closedError(err, 'toLangfuseUsageDetails');
  }
}

function toLangfuseUsageDetailsUnchecked(usage: TokenUsage): Record<string, number> {
  const out: Record<string, number> = { input: usage.input, output: usage.output };
  let total = 0;
  for (const [bucket, key] of BUCKET_KEYS) {
    const v = usage[bucket];
    total += v;
    if (v > 0) out[key] = v;
  }
  out.total = total;
  return out;
}

/**
 * Langfuse `cost_details`: USD numbers per key and always `total` (Langfuse stores NULL/0
 * total otherwise). Request and web-search fees go to `input_requests` / `input_web_searches`
 * so they still count on the input side.
 */
export function toLangfuseCostDetails(result: CostResult): Record<string, number> {
  try {
    return toLangfuseCostDetailsUnchecked(result);
  } catch (err) {
    throw closedError(err, 'toLangfuseCostDetails');
  }
}

function toLangfuseCostDetailsUnchecked(result: CostResult): Record<string, number> {
  const c = result.costs;
  const out: Record<string, number> = { input: c.input, output: c.output };
  for (const [bucket, key] of BUCKET_KEYS) {
    if (key === 'input' || key === 'output') continue;
    const v = c[bucket];
    if (v > 0) out[key] = v;
  }
  if (c.requests > 0) out[LANGFUSE_FEE_KEY.requests] = c.requests;
  if (c.webSearches > 0) out[LANGFUSE_FEE_KEY.webSearches] = c.webSearches;
  out.total = result.total;
  return out;
}
