import { LANGFUSE_KEY_OF_BUCKET } from '../langfuse/cost-details.js';
import type { CostResult } from '../pricing/cost-result.js';
import type { TokenUsage } from '../usage/token-usage.js';

/**
 * The JSON of `toLangfuseCostDetails` / `toLangfuseUsageDetails` (src/langfuse/cost-details.ts),
 * built by concatenation: same keys, same order, same number formatting (`String(n)` is what
 * `JSON.stringify` writes for a finite number), without the intermediate object and the generic
 * serializer, which were most of the processor's per-span cost. Tests hold the two equal.
 */

/** Detail keys other than input/output, in the order of `cost-details.ts`. */
const DETAIL_KEYS: readonly [keyof TokenUsage, string][] = Object.entries(LANGFUSE_KEY_OF_BUCKET)
  .filter(([, key]) => key !== 'input' && key !== 'output')
  .map(([bucket, key]) => [bucket as keyof TokenUsage, `,"${key}":`]);

/** `JSON.stringify(toLangfuseCostDetails(result))`. */
export function costDetailsJson(result: CostResult): string {
  const c = result.costs;
  let s = `{"input":${c.input},"output":${c.output}`;
  for (let i = 0; i < DETAIL_KEYS.length; i++) {
    const [bucket, key] = DETAIL_KEYS[i]!;
    const v = c[bucket];
    if (v > 0) s += key + v;
  }
  if (c.requests > 0) s += `,"input_requests":${c.requests}`;
  if (c.webSearches > 0) s += `,"input_web_searches":${c.webSearches}`;
  return `${s},"total":${result.total}}`;
}

/** `JSON.stringify(toLangfuseUsageDetails(usage))`. */
export function usageDetailsJson(u: TokenUsage): string {
  let s = `{"input":${u.input},"output":${u.output}`;
  let total = u.input + u.output;
  for (let i = 0; i < DETAIL_KEYS.length; i++) {
    const [bucket, key] = DETAIL_KEYS[i]!;
    const v = u[bucket];
    total += v;
    if (v > 0) s += key + v;
  }
  return `${s},"total":${total}}`;
}
