import { describe, expect, it } from 'vitest';
import { CallSample, CostAggregate, STATUS_SUCCESS } from '../../../src/tracker/aggregate.js';
import { normalizeUsage, TOKEN_BUCKETS, USAGE_BUCKETS } from '../../../src/usage/token-usage.js';

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

  it('a sample holds every bucket, the non-zero ones in order and their token sum, refilled over an older one', () => {
    const sample = new CallSample();
    const tokenSet = new Set<string>(TOKEN_BUCKETS);
    // Every subset of buckets in a stride, over a sample that held another usage before.
    for (let stride = 1; stride <= USAGE_BUCKETS.length; stride++) {
      for (let from = 0; from < stride; from++) {
        sample.set(1, STATUS_SUCCESS, true, false, -1, normalizeUsage({ input: 7, gpuMilliseconds: 9 }));
        const u: Record<string, number> = {};
        USAGE_BUCKETS.forEach((b, i) => {
          if (i % stride === from) u[b] = 10 * (i + 1);
        });
        sample.set(1, STATUS_SUCCESS, true, false, -1, normalizeUsage(u));
        const nz = USAGE_BUCKETS.flatMap((b, i) => (u[b] ? [i] : []));
        expect([...sample.usage]).toEqual(USAGE_BUCKETS.map((b) => u[b] ?? 0));
        expect([...sample.nz.subarray(0, sample.nonZero)]).toEqual(nz);
        expect(sample.tokens).toBe(
          USAGE_BUCKETS.reduce((sum, b) => (tokenSet.has(b) ? sum + (u[b] ?? 0) : sum), 0),
        );
      }
    }
  });
});
