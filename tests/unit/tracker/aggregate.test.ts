import { describe, expect, it } from 'vitest';
import { CallSample, CostAggregate, STATUS_SUCCESS } from '../../../src/tracker/aggregate.js';
import { normalizeUsage, USAGE_BUCKETS } from '../../../src/usage/token-usage.js';

describe('CostAggregate', () => {
  it('has a slot for every bucket of the table, so merged summaries count every unit', () => {
    const a = new CostAggregate();
    const b = new CostAggregate();
    const sample = new CallSample();
    for (const [i, bucket] of USAGE_BUCKETS.entries()) {
      sample.set(1_000, STATUS_SUCCESS, true, false, -1, normalizeUsage({ [bucket]: i + 1 }));
      a.add(sample);
      b.add(sample);
    }
    expect(a.usage.length).toBe(USAGE_BUCKETS.length);
    a.merge(b);
    const tokens = a.summary().tokens;
    // Each bucket i received i + 1 twice (once per aggregate).
    for (const [i, bucket] of USAGE_BUCKETS.entries()) expect(tokens[bucket]).toBe(2 * (i + 1));
  });
});
