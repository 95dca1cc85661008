/**
 * Langfuse usage and cost details: the one shape our ledger lines, span attributes and Langfuse
 * generations share (keys from the bucket table's `langfuse` column, plus `total`).
 */
import { closedError, describeValue, InvalidArgumentError } from '../errors.js';
import {
  BUCKETS,
  type BucketRow,
  type CostBreakdown,
  LANGFUSE_KEY_OF_BUCKET,
  LANGFUSE_KEYS_OF_BUCKET,
  type UsageBucket,
} from './buckets.js';
import type { TokenUsage } from './token-usage.js';

const USAGE_ROWS: readonly BucketRow[] = BUCKETS.filter((r: BucketRow) => r.usageDetail);
const COST_ROWS: readonly BucketRow[] = BUCKETS;

/**
 * Langfuse `usage_details`: non-negative integers per key, `input` exclusive of cache, plus `total`
 * (the tokens; audio seconds, characters and images have keys of their own).
 * Buckets that are 0 are left out, except those Langfuse always expects (`input`, `output`).
 */
export function toLangfuseUsageDetails(usage: TokenUsage): Record<string, number> {
  try {
    const u = usage as unknown as Record<string, number>;
    const out: Record<string, number> = {};
    let total = 0;
    for (const r of USAGE_ROWS) if (r.alwaysWritten) out[r.langfuse] = u[r.key]!;
    for (const r of USAGE_ROWS) {
      const v = u[r.key]!;
      // `total` counts tokens: seconds of audio, characters and images are other units.
      if (r.kind === 'token') total += v;
      if (v > 0 && !r.alwaysWritten) out[r.langfuse] = v;
    }
    out.total = total;
    return out;
  } catch (err) {
    throw closedError(err, 'toLangfuseUsageDetails');
  }
}

/**
 * Langfuse `cost_details`: USD numbers per key and always `total` (Langfuse stores NULL/0 total
 * otherwise). Fees have cost keys on the input side (`input_requests`, `input_web_searches`).
 */
export function toLangfuseCostDetails(result: {
  costs: CostBreakdown;
  total: number;
}): Record<string, number> {
  try {
    const c = result.costs as Record<string, number>;
    const out: Record<string, number> = {};
    for (const r of COST_ROWS) if (r.alwaysWritten) out[r.langfuse] = c[r.key]!;
    for (const r of COST_ROWS) {
      const v = c[r.key]!;
      if (v > 0 && !r.alwaysWritten) out[r.langfuse] = v;
    }
    out.total = result.total;
    return out;
  } catch (err) {
    throw closedError(err, 'toLangfuseCostDetails');
  }
}

// Reading details back: every Langfuse key of each bucket (the table's key and aliases). Cache writes
// are read apart, because emitters send the 5-minute/1-hour split and the sum in several layouts.
const CACHE_WRITE_5M = 'input_cache_creation_5m';
const CACHE_WRITE_1H = LANGFUSE_KEY_OF_BUCKET.cacheWrite1h;
const ALIASES: Readonly<Partial<Record<keyof TokenUsage, readonly string[]>>> = Object.fromEntries(
  USAGE_ROWS.filter((r) => r.key !== 'cacheWrite' && r.key !== 'cacheWrite1h').map((r) => [
    r.key,
    LANGFUSE_KEYS_OF_BUCKET[r.key as UsageBucket],
  ]),
);
/** Keys of the cache-write sum (all durations), without the 5-minute part. */
const CACHE_WRITE = LANGFUSE_KEYS_OF_BUCKET.cacheWrite.filter((k) => k !== CACHE_WRITE_5M);
const KNOWN = new Set([
  ...Object.values(ALIASES).flat(),
  ...CACHE_WRITE,
  CACHE_WRITE_5M,
  CACHE_WRITE_1H,
  'total',
]);

/**
 * Turn Langfuse `usage_details` back into our disjoint usage. Langfuse's convention (and ours) is that
 * `input` excludes cache tokens and `output` excludes reasoning tokens. Aliases of one bucket (e.g.
 * `input_cached_tokens` and `cache_read_input_tokens`) must agree; keys we cannot place (e.g.
 * `reasoning_tokens`, which the server keeps beside an inclusive `output`, or `promptTokens`) make the
 * usage ambiguous, and the observation is left alone rather than priced wrongly.
 */
export function usageFromLangfuseDetails(
  details: Record<string, number>,
): { usage: Partial<TokenUsage> } | { error: string } {
  try {
    return usageFromLangfuseDetailsUnchecked(details);
  } catch (err) {
    throw closedError(err, 'usageFromLangfuseDetails');
  }
}

function usageFromLangfuseDetailsUnchecked(
  details: Record<string, number>,
): { usage: Partial<TokenUsage> } | { error: string } {
  if (typeof details !== 'object' || details === null || Array.isArray(details))
    throw new InvalidArgumentError(
      'details',
      `expected an object of usage keys, got ${describeValue(details)}`,
    );
  const unknown = Object.entries(details).filter(([k, v]) => !KNOWN.has(k) && v !== 0);
  if (unknown.length > 0)
    return { error: `usage keys not understood: ${unknown.map(([k]) => k).join(', ')}` };
  const usage: Partial<TokenUsage> = {};
  for (const [bucket, keys] of Object.entries(ALIASES)) {
    const values = keys.filter((k) => details[k] !== undefined).map((k) => details[k]!);
    if (values.length === 0) continue;
    if (values.some((v) => v !== values[0])) return { error: `usage keys ${keys.join('/')} disagree` };
    usage[bucket as keyof TokenUsage] = values[0]!;
  }
  const generic = CACHE_WRITE.map((k) => details[k]).filter((v) => v !== undefined);
  if (generic.some((v) => v !== generic[0])) return { error: `usage keys ${CACHE_WRITE.join('/')} disagree` };
  const m5 = details[CACHE_WRITE_5M];
  const h1 = details[CACHE_WRITE_1H];
  const all = generic[0];
  if (all !== undefined && (m5 !== undefined || h1 !== undefined)) {
    const hour = h1 ?? 0;
    if (all === (m5 ?? all - hour) + hour && all >= hour) {
      // The sum beside its breakdown (Vercel AI SDK cache_creation_input_tokens and ephemeral_5m/1h,
      // as Langfuse stored them before v3.156): the 5-minute share is the sum minus the 1-hour share.
      usage.cacheWrite = all - hour;
    } else {
      // Since v3.156 Langfuse subtracts the 5m/1h counts from input_cache_creation (commit e26a288,
      // `OtelIngestionProcessor`): the keys are disjoint, and the 5-minute writes are both.
      usage.cacheWrite = all + (m5 ?? 0);
    }
    if (hour > 0) usage.cacheWrite1h = hour;
  } else {
    const w = all ?? m5;
    if (w !== undefined) usage.cacheWrite = w;
    if (h1 !== undefined) usage.cacheWrite1h = h1;
  }
  return { usage };
}
