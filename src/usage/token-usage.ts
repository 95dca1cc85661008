import { closedError, InvalidUsageError } from '../errors.js';
import { BUCKET_ROW, USAGE_BUCKETS } from './buckets.js';
import {
  addBuckets,
  countBucketKeys,
  readUsageBuckets,
  sumCompletion,
  sumPrompt,
  type TokenUsage,
} from './token-usage.generated.js';

export {
  COUNT_BUCKETS,
  type CountBucket,
  INPUT_BUCKETS,
  OUTPUT_BUCKETS,
  TOKEN_BUCKETS,
  type TokenBucket,
  USAGE_BUCKETS,
  type UsageBucket,
} from './buckets.js';
export { MAX_TOKENS_PER_BUCKET } from './token-count.js';
export { emptyUsage, type TokenUsage } from './token-usage.generated.js';

/** Usage as callers pass it: any subset of the buckets; missing buckets are 0. */
export type UsageInput = Partial<TokenUsage>;

/**
 * Validate a usage and return it with every bucket filled.
 * @throws {InvalidUsageError} for unknown buckets and negative, NaN, fractional or absurd counts.
 */
export function normalizeUsage(usage: UsageInput, path = 'usage'): TokenUsage {
  try {
    return normalizeUsageUnsafe(usage, typeof path === 'string' ? path : 'usage');
  } catch (err) {
    // The closed error contract: a getter or Proxy trap that throws becomes a typed error.
    if (err instanceof InvalidUsageError) throw err;
    throw new InvalidUsageError(typeof path === 'string' ? path : 'usage', 'could not be read', {
      cause: err,
    });
  }
}

function normalizeUsageUnsafe(usage: UsageInput, path: string): TokenUsage {
  if (usage === null || typeof usage !== 'object') {
    throw new InvalidUsageError(
      path,
      `expected an object of token counts, got ${usage === null ? 'null' : typeof usage}`,
    );
  }
  // Hot path: direct property reads (monomorphic, generated from the bucket table) while counting
  // the keys read; the object has an unknown key only when it has more own keys than that
  // (Object.keys is far cheaper than for-in).
  const o = usage as Readonly<Record<string, unknown>>;
  const out = readUsageBuckets(o, path);
  if (Object.keys(o).length !== countBucketKeys(o)) rejectUnknownKeys(o, path);
  return out;
}

function rejectUnknownKeys(o: object, path: string): void {
  for (const key of Object.keys(o)) {
    if (!Object.hasOwn(BUCKET_ROW, key) && (o as Record<string, unknown>)[key] != null) {
      throw new InvalidUsageError(
        `${path}.${key}`,
        `unknown usage bucket; use one of ${USAGE_BUCKETS.join(', ')}`,
      );
    }
  }
}

/** Sum of prompt-side buckets: what providers compare against long-context thresholds. */
export function promptTokens(u: TokenUsage): number {
  try {
    return sumPrompt(u);
  } catch (err) {
    throw closedError(err, 'promptTokens');
  }
}

/** Sum of completion-side buckets. */
export function completionTokens(u: TokenUsage): number {
  try {
    return sumCompletion(u);
  } catch (err) {
    throw closedError(err, 'completionTokens');
  }
}

/** Total tokens of a usage (prompt + completion). */
export function totalTokens(u: TokenUsage): number {
  try {
    return sumPrompt(u) + sumCompletion(u);
  } catch (err) {
    throw closedError(err, 'totalTokens');
  }
}

/** Add `b` into `a` in place and return `a`. */
export function addUsageInto(a: TokenUsage, b: TokenUsage): TokenUsage {
  try {
    addBuckets(a, b);
    return a;
  } catch (err) {
    throw closedError(err, 'addUsageInto');
  }
}
