import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import type { CostRecord } from '../../../src/ledger/record.js';
import { CostTracker } from '../../../src/tracker/index.js';
import { RECORD_BATCH } from '../../../src/tracker/sink.js';
import { recordOwnedResult } from '../../../src/tracker/tracker.js';
import { emptyUsage } from '../../../src/usage/token-usage.js';
import { handResult, priced } from '../../helpers/tracker-fixtures.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

/** A turn of the event loop: the tracker copies records into its ring in a microtask after the call. */
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Every kind of record the tracker makes, with every optional field somewhere. */
function recordEveryKind(t: CostTracker): CostRecord[] {
  const out: CostRecord[] = [];
  // claude-x: $3 input, $0.30 cache read, $3.75 cache write, $15 output per 1M tokens.
  out.push(
    t.record(priced('claude-x', { input: 1200, cacheRead: 300, cacheWrite: 50, output: 77 }), {
      traceId: 'trace-1',
      parentId: 'parent-1',
      sessionId: 'session-1',
      userId: 'user-1',
      tenantId: 'tenant-1',
      operation: 'summarise',
      environment: 'staging',
      tags: ['a', 'b'],
      metadata: { team: 'search', region: 'eu' },
      inputText: 'hello',
      outputText: 'world',
      startTime: T0 - 1500,
      endTime: T0 - 250,
      fallback: true,
      providedCost: 0.0051,
    }),
  );
  // A cache hit: cost 0, the tracker's shared zero breakdown; the span id becomes the record id.
  out.push(t.record(priced('gpt-4o', { input: 10, output: 5 }), { cached: true, spanId: 'span-9' }));
  // A failure that billed tokens without a result: unpriced.
  out.push(
    t.recordFailure(
      { model: 'gpt-4o', provider: 'openai', error: new Error('HTTP 500 upstream'), usage: { input: 10 } },
      { durationMs: 250, fallback: false },
    ),
  );
  // A failure with a priced result (mini: $0.15 input, $0.60 output per 1M tokens).
  out.push(
    t.recordFailure(
      { model: 'mini', error: new TypeError('bad'), result: priced('mini', { input: 40, output: 2 }) },
      { sessionId: 'session-2', tags: ['only'], providedCost: 0 },
    ),
  );
  // A failure without usage: costs 0, usage and costs as made for it.
  out.push(t.recordFailure({ model: 'mini', error: 'plain text' }));
  // No price: counted as unpriced, with a provided cost.
  out.push(
    t.recordUnpriced('mystery-model', 'acme', { input: 5, output: 6, reasoning: 3 }, { providedCost: 0.25 }),
  );
  // A fallback (estimated) price with an odd amount, and a tier.
  out.push(
    t.record(
      {
        ...handResult(123_456_789, 'est-model', 'other', 7),
        estimated: true,
        source: 'fallback',
        tier: 'flex',
      },
      { userId: 'user-2' },
    ),
  );
  return out;
}

describe('the recent-records ring', () => {
  it('gives back every field of every kind of record, equal to what record() returned, keys in order', async () => {
    const t = new CostTracker({
      now: () => T0,
      storeText: true,
      sinks: [],
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      defaults: { service: 'svc', tags: ['base'], metadata: { app: 'x' } },
    });
    const recs = recordEveryKind(t);
    // Read at once (before the copy's microtask) and after it.
    const early = t.recent();
    await tick();
    const late = t.recent();
    for (const got of [early, late]) {
      expect(got).toHaveLength(recs.length);
      for (let i = 0; i < recs.length; i++) {
        expect(got[i]).toStrictEqual(recs[i]);
        expect(JSON.stringify(got[i])).toBe(JSON.stringify(recs[i]));
        expect(Object.keys(got[i]!)).toEqual(Object.keys(recs[i]!));
      }
    }
    const first = late[0]!;
    // 1200 × $3 + 300 × $0.30 + 50 × $3.75 + 77 × $15 per 1M tokens = $0.0050325.
    expect(first.totalPico).toBe(5_032_500_000);
    expect(first.usage).toStrictEqual({
      ...emptyUsage(),
      input: 1200,
      cacheRead: 300,
      cacheWrite: 50,
      output: 77,
    });
    expect(first.tags).toEqual(['base', 'a', 'b']);
    expect(first.metadata).toEqual({ app: 'x', team: 'search', region: 'eu' });
    expect(first.fallback).toBe(true);
    expect(first.providedCost).toBe(0.0051);
    expect(first.startTime).toBe(T0 - 1500);
    expect(first.durationMs).toBe(1250);
    expect(late[1]!.id).toBe('span-9');
    expect(late[1]!.status).toBe('cached');
    expect(Object.isFrozen(late[1]!.costs)).toBe(true);
    expect(late[2]!.unpriced).toBe(true);
    expect(late[2]!.fallback).toBe(false);
    expect(late[2]!.error).toContain('upstream');
    // 40 × $0.15 + 2 × $0.60 per 1M tokens = $0.0000072.
    expect(late[3]!.totalPico).toBe(7_200_000);
    expect(late[3]!.providedCost).toBe(0);
    expect(late[6]!.estimated).toBe(true);
    expect(late[6]!.totalPico).toBe(123_456_789);
    expect(late[6]!.tier).toBe('flex');
  });

  it('gives the usual attribution (session, user, tenant, operation, tags and nothing else) its keys in the order of any other record', async () => {
    const t = new CostTracker({ now: () => T0, sinks: [] });
    const usual = { sessionId: 's', userId: 'u', tenantId: 't', operation: 'op', tags: ['a'] };
    const recs = [
      t.record(priced('gpt-4o', { input: 100, output: 10 }), usual),
      t.record(priced('gpt-4o', { input: 100, output: 10 }), { ...usual, service: 'svc' }),
      t.record(priced('gpt-4o', { input: 100, output: 10 }), { ...usual, tags: [] }),
      t.record(priced('gpt-4o', { input: 100, output: 10 }), { ...usual, cached: true, providedCost: 0.5 }),
    ];
    const common = ['id', 'startTime', 'endTime', 'durationMs', 'model', 'resolvedModel', 'provider'];
    const rest = ['usage', 'costs', 'total', 'totalPico', 'source', 'estimated', 'tier', 'status'];
    const attribution = ['sessionId', 'userId', 'tenantId', 'operation'];
    expect(Object.keys(recs[0]!)).toEqual([...common, ...rest, ...attribution, 'tags']);
    expect(Object.keys(recs[1]!)).toEqual([...common, ...rest, ...attribution, 'service', 'tags']);
    expect(Object.keys(recs[2]!)).toEqual([...common, ...rest, ...attribution]);
    expect(Object.keys(recs[3]!)).toEqual([...common, ...rest, ...attribution, 'tags', 'providedCost']);
    await tick();
    const got = t.recent();
    for (let i = 0; i < recs.length; i++) {
      expect(got[i]).toStrictEqual(recs[i]);
      expect(Object.keys(got[i]!)).toEqual(Object.keys(recs[i]!));
    }
  });

  it('gives back every bucket a reused slot held before as this record has it: 0, -0 or a value', async () => {
    // Slots keep only the buckets that are not +0: one that held a value and is taken by a record
    // with 0 there must give 0, and -0 stays -0.
    const t = new CostTracker({ now: () => T0, sinks: [], recentLimit: 2 });
    const usage = Object.fromEntries(Object.keys(emptyUsage()).map((k, i) => [k, i + 1]));
    const full = { ...handResult(5_000_000, 'full', 'openai'), usage: usage as never };
    full.costs = Object.fromEntries(Object.keys(emptyUsage()).map((k) => [k, 1e-6])) as never;
    full.totalPico = 15_000_000;
    full.total = 15e-6;
    const zero = { ...handResult(0, 'zero', 'openai', 0) };
    const negative = {
      ...handResult(0, 'neg', 'openai', 0),
      usage: { ...emptyUsage(), input: -0, output: 3 },
      costs: { ...zero.costs, input: -0 },
    };
    const recs: CostRecord[] = [];
    for (const r of [full, full, zero, negative, full, zero]) {
      recs.push(t.record(r));
      await tick();
      const got = t.recent();
      expect(got[got.length - 1]).toStrictEqual(recs[recs.length - 1]);
    }
    const last = t.recent();
    expect(last).toStrictEqual(recs.slice(-2));
    expect(Object.is(recs[3]!.usage.input, -0)).toBe(true);
  });

  it('gives copies: changing a record after the call, or a copy, changes nothing recent() gives', async () => {
    const t = new CostTracker({ now: () => T0, sinks: [] });
    const rec = t.record(priced('gpt-4o', { input: 100, output: 10 }), { sessionId: 's' });
    await tick();
    const before = structuredClone(rec);
    rec.totalPico = 1;
    rec.usage.input = 1;
    rec.sessionId = 'changed';
    const copy = t.recent()[0]!;
    expect(copy).not.toBe(rec);
    expect(copy).toStrictEqual(before);
    copy.costs.input = 99;
    copy.usage.output = 99;
    expect(t.recent()[0]).toStrictEqual(before);
  });

  it('keeps no record object alive: a recorded call leaves its record to the young generation', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const t = new CostTracker({ now: () => T0, sinks: [], recentLimit: 100 });
    const refs: WeakRef<CostRecord>[] = [];
    for (let i = 0; i < 50; i++) refs.push(new WeakRef(t.record(handResult(i + 1))));
    // WeakRefs hold their targets until the end of the job that made them.
    await tick();
    gc();
    await tick();
    gc();
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
    expect(t.recent().map((r) => r.totalPico)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('keeps the last recentLimit records in order, across growth, wrap-around and reset', async () => {
    for (const limit of [1, 3, 256, 257, 700]) {
      const t = new CostTracker({ now: () => T0, sinks: [], recentLimit: limit });
      expect(t.recent()).toEqual([]);
      const n = limit * 2 + 5;
      for (let i = 1; i <= n; i++) {
        t.record(handResult(i));
        // Read now and then between calls: the copies made so far and the queued ones, in order.
        if (i % 97 === 0) expect(t.recent(1)[0]!.totalPico).toBe(i);
        if (i % 300 === 0) await tick();
      }
      const all = t.recent();
      expect(all.map((r) => r.totalPico)).toEqual(Array.from({ length: limit }, (_, i) => n - limit + i + 1));
      expect(t.recent(2.9).map((r) => r.totalPico)).toEqual(all.slice(-2).map((r) => r.totalPico));
      expect(t.recent(0)).toEqual([]);
      expect(t.recent(-3)).toEqual([]);
      expect(t.recent(Number.POSITIVE_INFINITY)).toHaveLength(limit);
      t.reset();
      expect(t.recent()).toEqual([]);
      t.record(handResult(42));
      expect(t.recent().map((r) => r.totalPico)).toEqual([42]);
    }
    const none = new CostTracker({ now: () => T0, sinks: [], recentLimit: 0 });
    none.record(handResult(1));
    await tick();
    expect(none.recent()).toEqual([]);
    expect(none.stats().requests).toBe(1);
    expect(() => none.recent(Number.NaN)).toThrow(InvalidArgumentError);
  });

  it('a record without the rare fields leaves none of an earlier record in its slot', async () => {
    // Error, trace, parent, service, environment, texts and metadata are written only by a record
    // that has one of them: a slot reused by one that has none must not give the old ones back.
    const t = new CostTracker({ now: () => T0, sinks: [], recentLimit: 3, storeText: true });
    const rare = [
      { traceId: 'trace' },
      { parentId: 'parent' },
      { service: 'svc' },
      { environment: 'staging' },
      { inputText: 'in' },
      { outputText: 'out' },
      { metadata: { k: 'v' } },
    ];
    const made: CostRecord[] = [];
    for (let round = 0; round < rare.length; round++) {
      // Three slots: one with a rare field, then plain ones over every slot, then a failure (error).
      made.push(t.record(handResult(round * 10 + 1), { ...rare[round], sessionId: `s${round}` }));
      made.push(t.record(handResult(round * 10 + 2)));
      made.push(t.recordFailure({ model: 'm', error: new Error(`e${round}`) }, { userId: 'u' }));
      made.push(t.record(handResult(round * 10 + 3), { tags: ['x'] }));
      made.push(t.record(handResult(round * 10 + 4)));
      made.push(t.record(handResult(round * 10 + 5), { tenantId: 'ten' }));
      await tick();
      expect(t.recent()).toStrictEqual(made.slice(-3));
    }
  });

  it('copies records no one else holds once RECORD_BATCH wait, a handed-out one after the caller, and all at a read', async () => {
    const t = new CostTracker({ now: () => T0, sinks: [] });
    const ring = () => (t as unknown as { ring: { size: number } }).ring.size;
    // The adapters' path: their own results, no record handed out (no listener, no sink of the user's).
    const own = (pico: number) => recordOwnedResult(t, handResult(pico), {}, false);
    for (let i = 1; i < RECORD_BATCH; i++) own(i);
    await tick();
    expect(ring()).toBe(0); // 63 wait: no microtask for them
    own(RECORD_BATCH);
    expect(ring()).toBe(0); // never on the call path
    await tick();
    expect(ring()).toBe(RECORD_BATCH);
    // Five more wait; a read takes them in first: 1 + 2 + … + 64 and 101 … 105 picodollars.
    for (let i = 101; i <= 105; i++) own(i);
    await tick();
    expect(ring()).toBe(RECORD_BATCH);
    const stats = t.stats();
    expect(stats.requests).toBe(RECORD_BATCH + 5);
    expect(stats.totalPico).toBe(BigInt((RECORD_BATCH * (RECORD_BATCH + 1)) / 2 + 515));
    expect(ring()).toBe(RECORD_BATCH + 5);
    // Two more wait, then a record the caller gets back: all three are copied after the caller's code,
    // in order, so changing the returned one from the next turn on changes nothing.
    own(201);
    own(202);
    const mine = t.record(handResult(203));
    expect(ring()).toBe(RECORD_BATCH + 5);
    await tick();
    expect(ring()).toBe(RECORD_BATCH + 8);
    mine.usage.input = 1;
    expect(t.recent(3).map((r) => [r.totalPico, r.usage.input])).toEqual([
      [201, 100],
      [202, 100],
      [203, 100],
    ]);
  });

  it('keeps the order of more calls than one drain holds, and a listener reads its own record', () => {
    const t = new CostTracker({ now: () => T0, sinks: [], recentLimit: 5000 });
    const seen: number[] = [];
    t.on('record', (r) => seen.push(t.recent(1)[0]!.totalPico - r.totalPico));
    // 4,096 queued records are drained on the call path: 9,000 calls drain twice before any microtask.
    for (let i = 1; i <= 9000; i++) t.record(handResult(i));
    const pico = t.recent().map((r) => r.totalPico);
    expect(pico).toEqual(Array.from({ length: 5000 }, (_, i) => 4001 + i));
    expect(seen.every((d) => d === 0)).toBe(true);
    expect(seen).toHaveLength(9000);
  });

  it('refuses a recentLimit no array can hold, as before', () => {
    for (const recentLimit of [Number.NaN, Number.POSITIVE_INFINITY, 2 ** 32]) {
      expect(() => new CostTracker({ recentLimit })).toThrow(InvalidArgumentError);
    }
    expect(new CostTracker({ recentLimit: -5 }).recent()).toEqual([]);
  });
});
