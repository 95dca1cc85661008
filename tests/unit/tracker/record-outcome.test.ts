import { describe, expect, it } from 'vitest';
import type { RecordContext } from '../../../src/ledger/record.js';
import type { PriceOutcome } from '../../../src/pricing/price-call.js';
import { CostTracker } from '../../../src/tracker/index.js';
import { recordOutcome } from '../../../src/tracker/record-outcome.js';
import { emptyUsage } from '../../../src/usage/token-usage.js';
import { PRICES, priced } from '../../helpers/tracker-fixtures.js';

/** A context as the adapters build it: every key, the ones the call does not have undefined. */
const FULL_CONTEXT: RecordContext = {
  traceId: 'trace-1',
  spanId: 'span-1',
  parentId: undefined,
  sessionId: 'session-1',
  userId: undefined,
  tenantId: undefined,
  operation: 'chat',
  service: undefined,
  tags: undefined,
  environment: undefined,
  fallback: undefined,
  metadata: undefined,
  startTime: 1_000,
  endTime: 1_400,
  durationMs: 400,
  cached: undefined,
  providedCost: undefined,
};
const GIVEN = ['traceId', 'spanId', 'sessionId', 'operation', 'startTime', 'endTime', 'durationMs'];

const result = priced('gpt-4o', { input: 1000, output: 100 });
const pricedOutcome: PriceOutcome = { status: 'priced', model: 'gpt-4o', result };
const unpricedOutcome: PriceOutcome = {
  status: 'unpriced',
  model: 'no-such',
  reason: 'unknown',
  failed: false,
};
const call = { provider: 'openai', usage: { ...emptyUsage(), input: 1000, output: 100 } };

describe('recordOutcome: the context a recorder gets', () => {
  it("gives a recorder of the user's only the fields the call has (spreading it keeps defaults)", () => {
    const seen: RecordContext[] = [];
    const recorder = {
      record: (_r: unknown, ctx?: RecordContext) => seen.push(ctx!),
      recordUnpriced: (_m: string, _p: string | undefined, _u: unknown, ctx?: RecordContext) =>
        seen.push(ctx!),
    };
    recordOutcome(recorder, pricedOutcome, call, FULL_CONTEXT);
    recordOutcome(recorder, unpricedOutcome, call, FULL_CONTEXT);
    for (const ctx of seen) {
      expect(Object.keys(ctx)).toEqual(GIVEN);
      expect({ userId: 'default-user', ...ctx }.userId).toBe('default-user');
    }
  });

  it('a CostTracker records the fields given and leaves the undefined ones unset', () => {
    const tracker = new CostTracker({ sinks: [] });
    const rec = recordOutcome(tracker, pricedOutcome, call, FULL_CONTEXT) as ReturnType<
      CostTracker['record']
    >;
    expect(rec.sessionId).toBe('session-1');
    expect(rec.traceId).toBe('trace-1');
    expect(rec.id).toBe('span-1');
    expect('userId' in rec).toBe(false);
    expect('tags' in rec).toBe(false);
    // 1,000 input and 100 output tokens at the test prices ($2.50 and $10 per 1M).
    expect(rec.totalPico).toBe(1000 * PRICES['gpt-4o'].input * 1e6 + 100 * PRICES['gpt-4o'].output * 1e6);
    const unpriced = recordOutcome(tracker, unpricedOutcome, call, FULL_CONTEXT) as ReturnType<
      CostTracker['record']
    >;
    expect(unpriced.unpriced).toBe(true);
    expect('userId' in unpriced).toBe(false);
    expect(unpriced.sessionId).toBe('session-1');
  });
});
