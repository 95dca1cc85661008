import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { CostRecord } from '../../../src/ledger/record.js';
import { CostTracker } from '../../../src/tracker/index.js';
import { handResult, priced } from '../../helpers/tracker-fixtures.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

/** A full collection, from a context made while `--expose-gc` is set (the flag is read at context creation). */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Every record a tracker hands to its sinks, as handed. */
function sinkOf(seen: CostRecord[]) {
  return { write: (r: CostRecord) => void seen.push(r) };
}

describe('recent records are kept as copies', () => {
  it('recent() gives back records equal in every field, key order and type to those recorded, as new objects', () => {
    const seen: CostRecord[] = [];
    let now = T0;
    const t = new CostTracker({
      now: () => (now += 250),
      storeText: true,
      sinks: [sinkOf(seen)],
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      defaults: { service: 'svc', tags: ['base'] },
    });
    const metadata = JSON.parse('{"step":"2","__proto__":"own key"}') as Record<string, string>;
    const returned = [
      t.record(priced('gpt-4o', { input: 1200, cacheRead: 200, output: 300 }), {
        spanId: 'span-1',
        traceId: 'trace-1',
        parentId: 'parent-1',
        sessionId: 's1',
        userId: 'u1',
        tenantId: 'acme',
        operation: 'chat',
        environment: 'prod',
        fallback: false,
        tags: ['extra', 'base'],
        metadata,
        startTime: T0 - 812,
        providedCost: 0.0071,
        inputText: 'prompt',
        outputText: 'completion',
      }),
      t.record(priced('claude-x', { input: 10, cacheWrite: 5, output: 7 }), { cached: true, fallback: true }),
      t.record({ ...handResult(1_234_567), estimated: true, source: 'fallback' }),
      t.recordUnpriced('mystery', 'nowhere', { input: 33, output: 4 }, { durationMs: 91.5 }),
      t.recordFailure({ model: 'mini', error: new Error('HTTP 500 upstream') }, { providedCost: 0 }),
      t.recordFailure(
        { model: 'mini', error: new Error('rate limited'), result: priced('mini', { input: 50 }) },
        { userId: 'u2' },
      ),
      t.recordFailure({ model: 'mini', error: 'boom', usage: { input: 12 } }),
    ];
    expect(seen).toEqual(returned);
    const recent = t.recent();
    expect(recent).toHaveLength(returned.length);
    for (let i = 0; i < returned.length; i++) {
      const r = recent[i]!;
      const o = returned[i]!;
      expect(r).toStrictEqual(o);
      expect(JSON.stringify(r)).toBe(JSON.stringify(o));
      expect(Object.keys(r.usage)).toEqual(Object.keys(o.usage));
      expect(Object.keys(r.costs)).toEqual(Object.keys(o.costs));
      expect(Object.isFrozen(r.costs)).toBe(Object.isFrozen(o.costs));
      expect(Object.isFrozen(r.usage)).toBe(Object.isFrozen(o.usage));
      expect(r).not.toBe(o);
    }
    // The cached call's zero costs are the shared frozen breakdown, as on the record.
    expect(Object.isFrozen(recent[1]!.costs)).toBe(true);
    expect(Object.getOwnPropertyDescriptor(recent[0]!.metadata, '__proto__')?.value).toBe('own key');
    // export() is made from the copies: the same lines as from the records themselves.
    const fromCopies = t.export({ format: 'jsonl' });
    expect(fromCopies.trim().split('\n')).toHaveLength(returned.length);
    expect(fromCopies).toContain('"cost_pico":1234567');
  });

  it('a record changed by its holder after the call stays as recorded in recent()', () => {
    const t = new CostTracker({ now: () => T0 });
    const r = t.record(handResult(5_000_000), { sessionId: 's1' });
    r.totalPico = 1;
    r.usage.input = 999;
    r.sessionId = 'changed';
    const [kept] = t.recent();
    expect(kept!.totalPico).toBe(5_000_000);
    expect(kept!.usage.input).toBe(100);
    expect(kept!.sessionId).toBe('s1');
  });

  it('does not hold the recorded objects: once the call and the aggregation are done, they can be collected', async () => {
    const gc = collector();
    const t = new CostTracker({ recentLimit: 100 });
    const refs: WeakRef<CostRecord>[] = [];
    for (let i = 0; i < 50; i++)
      refs.push(new WeakRef(t.record(handResult(1000 + i), { sessionId: `s${i}` })));
    // Let the window aggregation (a microtask) take the queued records, and WeakRef targets go.
    await new Promise((r) => setImmediate(r));
    gc();
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
    expect(t.recent().map((r) => r.totalPico)).toEqual(Array.from({ length: 50 }, (_, i) => 1000 + i));
  });

  it('keeps the last recentLimit records in order as the ring grows, wraps and is reset', () => {
    for (const limit of [1, 5, 256, 257, 700]) {
      const t = new CostTracker({ recentLimit: limit, now: () => T0 });
      for (let i = 1; i <= 1000; i++) {
        t.record(handResult(i), { sessionId: `s${i}` });
        if (i === 300 || i === 1000) {
          const want = Array.from({ length: Math.min(limit, i) }, (_, k) => i - Math.min(limit, i) + 1 + k);
          expect(t.recent().map((r) => r.totalPico)).toEqual(want);
          expect(t.recent().map((r) => r.sessionId)).toEqual(want.map((n) => `s${n}`));
          expect(t.recent(3).map((r) => r.totalPico)).toEqual(want.slice(-3));
        }
      }
      t.reset();
      expect(t.recent()).toEqual([]);
      t.record(handResult(7));
      expect(t.recent().map((r) => r.totalPico)).toEqual([7]);
    }
  });

  it('refuses a recentLimit no array can hold, naming the option', () => {
    expect(() => new CostTracker({ recentLimit: Number.POSITIVE_INFINITY })).toThrow(/recentLimit/);
    expect(() => new CostTracker({ recentLimit: Number.NaN })).toThrow(/recentLimit/);
    expect(new CostTracker({ recentLimit: 0 }).recent()).toEqual([]);
  });
});
