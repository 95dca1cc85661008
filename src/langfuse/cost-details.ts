import type { CostResult } from '../pricing/cost-result.js';
import type { TokenUsage } from '../usage/token-usage.js';

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

const KEY_OF_BUCKET: Record<keyof TokenUsage, LangfuseDetailKey | null> = {
  input: 'input',
  cacheRead: 'input_cached_tokens',
  cacheWrite: 'input_cache_creation',
  cacheWrite1h: 'input_cache_creation_1h',
  inputAudio: 'input_audio_tokens',
  inputImage: 'input_image_tokens',
  output: 'output',
  reasoning: 'output_reasoning_tokens',
  outputAudio: 'output_audio_tokens',
  requests: null,
  webSearches: null,
};

/**
 * Langfuse `usage_details`: non-negative integers per key, `input` exclusive of cache,
 * plus `total`. Zero buckets other than input/output are omitted.
 */
export function toLangfuseUsageDetails(usage: TokenUsage): Record<string, number> {
  const out: Record<string, number> = { input: usage.input, output: usage.output };
  let total = 0;
  for (const bucket in KEY_OF_BUCKET) {
    const key = KEY_OF_BUCKET[bucket as keyof TokenUsage];
    if (key === null) continue;
    const v = usage[bucket as keyof TokenUsage];
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
  const c = result.costs;
  const out: Record<string, number> = { input: c.input, output: c.output };
  for (const bucket in KEY_OF_BUCKET) {
    const key = KEY_OF_BUCKET[bucket as keyof TokenUsage];
    if (key === null || key === 'input' || key === 'output') continue;
    const v = c[bucket as keyof typeof c];
    if (v > 0) out[key] = v;
  }
  if (c.requests > 0) out.input_requests = c.requests;
  if (c.webSearches > 0) out.input_web_searches = c.webSearches;
  out.total = result.total;
  return out;
}
