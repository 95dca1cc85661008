import type { CostResult } from '../pricing/cost-result.js';
import { type TokenUsage, totalTokens } from '../usage/token-usage.js';
import { LANGFUSE_KEY_OF_BUCKET } from './cost-details.js';

/**
 * The JSON of `toLangfuseCostDetails` / `toLangfuseUsageDetails` (./cost-details.ts),
 * built by concatenation: same keys, same order, same number formatting (`String(n)` is what
 * `JSON.stringify` writes for a finite number), without the intermediate object and the generic
 * serializer, which were most of the span processor's and the ledger's per-call cost. Tests hold the two equal.
 */

// `,"key":` of each bucket other than input/output. The checks below follow the key order of
// LANGFUSE_KEY_OF_BUCKET; written out rather than looped, so every read is a plain property load.
const K = Object.fromEntries(
  Object.entries(LANGFUSE_KEY_OF_BUCKET).map(([bucket, key]) => [bucket, `,"${key}":`]),
) as Record<keyof typeof LANGFUSE_KEY_OF_BUCKET, string>;
const K_CACHE_READ = K.cacheRead;
const K_CACHE_WRITE = K.cacheWrite;
const K_CACHE_WRITE_1H = K.cacheWrite1h;
const K_INPUT_AUDIO = K.inputAudio;
const K_INPUT_IMAGE = K.inputImage;
const K_REASONING = K.reasoning;
const K_OUTPUT_AUDIO = K.outputAudio;

/** `JSON.stringify(toLangfuseCostDetails(result))`. */
export function costDetailsJson(result: Pick<CostResult, 'costs' | 'total'>): string {
  const c = result.costs;
  let s = `{"input":${c.input},"output":${c.output}`;
  if (c.cacheRead > 0) s += K_CACHE_READ + c.cacheRead;
  if (c.cacheWrite > 0) s += K_CACHE_WRITE + c.cacheWrite;
  if (c.cacheWrite1h > 0) s += K_CACHE_WRITE_1H + c.cacheWrite1h;
  if (c.inputAudio > 0) s += K_INPUT_AUDIO + c.inputAudio;
  if (c.inputImage > 0) s += K_INPUT_IMAGE + c.inputImage;
  if (c.reasoning > 0) s += K_REASONING + c.reasoning;
  if (c.outputAudio > 0) s += K_OUTPUT_AUDIO + c.outputAudio;
  if (c.requests > 0) s += `,"input_requests":${c.requests}`;
  if (c.webSearches > 0) s += `,"input_web_searches":${c.webSearches}`;
  return `${s},"total":${result.total}}`;
}

/** `JSON.stringify(toLangfuseUsageDetails(usage))`. */
export function usageDetailsJson(u: TokenUsage): string {
  let s = `{"input":${u.input},"output":${u.output}`;
  if (u.cacheRead > 0) s += K_CACHE_READ + u.cacheRead;
  if (u.cacheWrite > 0) s += K_CACHE_WRITE + u.cacheWrite;
  if (u.cacheWrite1h > 0) s += K_CACHE_WRITE_1H + u.cacheWrite1h;
  if (u.inputAudio > 0) s += K_INPUT_AUDIO + u.inputAudio;
  if (u.inputImage > 0) s += K_INPUT_IMAGE + u.inputImage;
  if (u.reasoning > 0) s += K_REASONING + u.reasoning;
  if (u.outputAudio > 0) s += K_OUTPUT_AUDIO + u.outputAudio;
  return `${s},"total":${totalTokens(u)}}`;
}
