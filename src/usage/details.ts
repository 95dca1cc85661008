/**
 * Langfuse usage and cost details: the one shape our ledger lines, span attributes and Langfuse
 * generations share (keys from the bucket table's `langfuse` column, plus `total`).
 */
import { closedError } from '../errors.js';
import { BUCKETS, type BucketRow, type CostBreakdown } from './buckets.js';
import type { TokenUsage } from './token-usage.js';

const USAGE_ROWS: readonly BucketRow[] = BUCKETS.filter((r: BucketRow) => r.usageDetail);
const COST_ROWS: readonly BucketRow[] = BUCKETS;

/**
 * Langfuse `usage_details`: non-negative integers per key, `input` exclusive of cache, plus `total`.
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
      total += v;
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
