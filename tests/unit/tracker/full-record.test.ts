import { describe, expect, it } from 'vitest';
import type { CostRecord, RecordContext } from '../../../src/ledger/record.js';
import type { PriceOutcome } from '../../../src/pricing/price-call.js';
import type { FullRecord } from '../../../src/tracker/full-record.js';
import { publicRecord } from '../../../src/tracker/full-record.js';
import { CostTracker } from '../../../src/tracker/index.js';
import { recordOutcome } from '../../../src/tracker/record-outcome.js';
import type { TrackedRecordSink } from '../../../src/tracker/sink.js';
import { emptyUsage } from '../../../src/usage/token-usage.js';
import { PRICES, priced } from '../../helpers/tracker-fixtures.js';

/** A sink that takes the tracker's own records (as the JSONL ledger does) and keeps them. */
class TakingSink implements TrackedRecordSink {
  readonly tracked: { rec: FullRecord; prefix: string; seq: number }[] = [];
  readonly written: CostRecord[] = [];
  write(rec: CostRecord): void {
    this.written.push(rec);
  }
  writeTracked(rec: FullRecord, prefix: string, seq: number): void {
    this.tracked.push({ rec, prefix, seq });
  }
}

/** Calls of five attribution shapes, as an app's calls come. */
const SHAPES: RecordContext[] = [
  { sessionId: 's-1', userId: 'u-1', tenantId: 't-1', tags: ['a'] },
  { sessionId: 's-2' },
  { userId: 'u-2', environment: 'staging' },
  {},
  { traceId: 'tr-1', spanId: 'span-9', metadata: { k: 'v' }, fallback: true },
];

// $2.50 and $10 per 1M tokens (tracker-fixtures' gpt-4o): 1,000 in + 100 out.
const PICO = 1000 * PRICES['gpt-4o'].input * 1e6 + 100 * PRICES['gpt-4o'].output * 1e6;

describe('the records a tracker keeps and the records users get', () => {
  it('hands a tracked sink records of one form: every key, in one order, whatever the call gave', () => {
    const sink = new TakingSink();
    const tracker = new CostTracker({ sinks: [sink] });
    const result = priced('gpt-4o', { input: 1000, output: 100 });
    for (const ctx of SHAPES) tracker.record(result, ctx);
    tracker.recordUnpriced('no-such', 'acme', { input: 5 }, { userId: 'u-3' });
    tracker.recordFailure({ model: 'gpt-4o', error: new Error('boom') }, { sessionId: 's-3' });
    const keys = sink.tracked.map((t) => Object.keys(t.rec).join(','));
    expect(new Set(keys).size).toBe(1);
    expect(sink.written).toHaveLength(0);
    // The values are the call's: given ones set, the rest undefined.
    expect(sink.tracked[1]!.rec.sessionId).toBe('s-2');
    expect(sink.tracked[1]!.rec.userId).toBeUndefined();
    expect(sink.tracked[4]!.rec.id).toBe('span-9');
    expect(sink.tracked[4]!.seq).toBe(0);
    // A generated id comes with its parts: the prefix and the sequence number in base 36.
    const first = sink.tracked[0]!;
    expect(first.seq).toBe(1);
    expect(first.rec.id).toBe(`${first.prefix}${first.seq.toString(36)}`);
    expect(sink.tracked[5]!.rec.unpriced).toBe(true);
    expect(sink.tracked[6]!.rec.error).toBe('boom');
    expect(sink.tracked[0]!.rec.totalPico).toBe(PICO);
  });

  it('gives users only the keys their call has, and the same object to listeners and sinks', () => {
    const plain: CostRecord[] = [];
    const heard: CostRecord[] = [];
    const tracker = new CostTracker({ sinks: [{ write: (r) => void plain.push(r) }] });
    tracker.on('record', (r) => heard.push(r));
    const returned = tracker.record(priced('gpt-4o', { input: 1000, output: 100 }), SHAPES[1]);
    expect(returned).toBe(plain[0]);
    expect(returned).toBe(heard[0]);
    expect('userId' in returned).toBe(false);
    expect('error' in returned).toBe(false);
    expect('providedCost' in returned).toBe(false);
    expect(returned.sessionId).toBe('s-2');
    expect(returned.totalPico).toBe(PICO);
  });

  it('a change to the returned record after the call changes neither the totals nor the ledger', async () => {
    const sink = new TakingSink();
    const tracker = new CostTracker({ sinks: [sink] });
    const rec = tracker.record(priced('gpt-4o', { input: 1000, output: 100 }), { userId: 'u-1' });
    rec.userId = 'someone-else';
    rec.model = 'changed';
    expect(sink.tracked[0]!.rec.userId).toBe('u-1');
    const stats = tracker.stats({ groupBy: 'user' });
    expect(stats.groups!.map((g) => g.key)).toEqual(['u-1']);
    expect(stats.totalPico).toBe(BigInt(PICO));
    expect(tracker.stats({ groupBy: 'model' }).groups!.map((g) => g.key)).toEqual(['gpt-4o']);
  });

  it("an adapter that wants no record gets none, unless a listener or a user's sink takes one", () => {
    const outcome: PriceOutcome = {
      status: 'priced',
      model: 'gpt-4o',
      result: priced('gpt-4o', { input: 1000, output: 100 }),
    };
    const call = { provider: 'openai', usage: { ...emptyUsage(), input: 1000, output: 100 } };
    const quiet = new CostTracker({ sinks: [new TakingSink()] });
    expect(recordOutcome(quiet, outcome, call, { sessionId: 's-1' }, undefined, false)).toBeUndefined();
    const heard: CostRecord[] = [];
    const listened = new CostTracker({ sinks: [] });
    listened.on('record', (r) => heard.push(r));
    const got = recordOutcome(listened, outcome, call, { sessionId: 's-1' }, undefined, false);
    expect(got).toBe(heard[0]);
    expect(heard[0]!.sessionId).toBe('s-1');
    expect(listened.stats().totalPico).toBe(BigInt(PICO));
  });
});

describe('publicRecord', () => {
  it('keeps the keys with a value, in the order records have (attribution, error, unpriced, provided)', () => {
    const sink = new TakingSink();
    const tracker = new CostTracker({ sinks: [sink] });
    tracker.recordFailure(
      { model: 'gpt-4o', error: new Error('boom'), usage: { input: 3 } },
      { userId: 'u-1', tags: ['x'], providedCost: 0.5, sessionId: 's-1' },
    );
    const out = publicRecord(sink.tracked[0]!.rec);
    expect(Object.keys(out).slice(15)).toEqual([
      'sessionId',
      'userId',
      'tags',
      'error',
      'unpriced',
      'providedCost',
    ]);
    expect(out.providedCost).toBe(0.5);
    expect(out.usage).toBe(sink.tracked[0]!.rec.usage);
  });
});
