import { describe, expect, it } from 'vitest';
import { Dim, GROUP_DIMENSIONS } from '../../../src/tracker/groups.js';
import {
  CostTracker,
  type GroupDimension,
  type StatsWindow,
  ZonedCalendar,
} from '../../../src/tracker/index.js';
import { clock, handResult } from '../../helpers/tracker-fixtures.js';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;

describe('Dim', () => {
  it('is the index of each dimension in GROUP_DIMENSIONS, tag last', () => {
    const byName: Record<string, number> = {
      model: Dim.MODEL,
      provider: Dim.PROVIDER,
      session: Dim.SESSION,
      user: Dim.USER,
      tenant: Dim.TENANT,
      operation: Dim.OPERATION,
      environment: Dim.ENVIRONMENT,
      tag: Dim.TAG,
    };
    expect(GROUP_DIMENSIONS.map((d) => byName[d])).toEqual(GROUP_DIMENSIONS.map((_, i) => i));
    expect(Dim.TAG).toBe(GROUP_DIMENSIONS.length - 1);
  });
});

describe('ZonedCalendar', () => {
  it('finds day bounds in zones with DST and odd offsets', () => {
    const berlin = new ZonedCalendar('Europe/Berlin');
    // 2026-10-25: clocks go back at 03:00 CEST → a 25-hour day starting 2026-10-24T22:00Z.
    const fallBack = berlin.period(Date.UTC(2026, 9, 25, 12), 'day');
    expect(fallBack.key).toBe('2026-10-25');
    expect(new Date(fallBack.start).toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(fallBack.end - fallBack.start).toBe(25 * H);
    // 2026-03-29: clocks go forward → 23 hours.
    const spring = berlin.period(Date.UTC(2026, 2, 29, 12), 'day');
    expect(spring.end - spring.start).toBe(23 * H);
    const kathmandu = new ZonedCalendar('Asia/Kathmandu'); // UTC+5:45
    const k = kathmandu.period(Date.UTC(2026, 10, 22, 18, 14, 59, 999), 'day');
    expect(k.key).toBe('2026-11-22');
    expect(new Date(k.end).toISOString()).toBe('2026-11-22T18:15:00.000Z');
    const ny = new ZonedCalendar('America/New_York');
    const m = ny.period(Date.UTC(2026, 11, 1, 3), 'month'); // 22:00 on Nov 30 in New York
    expect(m.key).toBe('2026-11');
    expect(new Date(m.end).toISOString()).toBe('2026-12-01T05:00:00.000Z');
    expect(ny.dayStart('2026-11-01')).toBe(Date.UTC(2026, 10, 1, 4)); // EDT on Nov 1
  });

  it('rejects unknown zones with a typed error', () => {
    expect(() => new ZonedCalendar('Mars/Olympus')).toThrow(/unknown time zone "Mars\/Olympus"/);
    expect(() => new CostTracker({ timeZone: 'Nope/Nope' })).toThrow(/IANA/);
  });
});

describe('windows', () => {
  it('rolling minute, hour and day windows drop calls at their bucket edges', () => {
    const c = clock(Date.UTC(2026, 10, 22, 10, 0, 0, 500));
    const t = new CostTracker({ now: c.now });
    const t0 = c.now();
    t.record(handResult(1)); // 10:00:00.5
    c.advance(70 * S);
    t.record(handResult(10)); // 10:01:10.5
    const sum = (w: StatsWindow) => Number(t.stats({ window: w }).totalPico);
    expect(sum('minute')).toBe(10); // seconds from 10:00:11
    expect(sum('hour')).toBe(11);
    c.set(t0 + 70 * S + 59 * S);
    expect(sum('minute')).toBe(10);
    c.set(t0 + 70 * S + 60 * S);
    expect(sum('minute')).toBe(0);
    c.set(t0 + 59 * MIN + 59 * S); // 10:59:59.5: minutes from 10:00
    expect(sum('hour')).toBe(11);
    c.set(t0 + 60 * MIN); // 11:00:00.5: minutes from 10:01
    expect(sum('hour')).toBe(10);
    c.set(t0 + 62 * MIN);
    expect(sum('hour')).toBe(0);
    expect(sum('day')).toBe(11);
    c.set(t0 + D - 1 * MIN); // 09:59 next day: quarters from 10:00 today
    expect(sum('day')).toBe(11);
    c.set(t0 + D); // 10:00 next day: quarters from 10:15 today
    expect(sum('day')).toBe(0);
    expect(sum('all')).toBe(11);
  });

  it('calendar day and month follow the time zone, with groups', () => {
    const c = clock(Date.UTC(2026, 10, 30, 22, 30)); // 23:30 in Berlin on Nov 30
    const t = new CostTracker({ now: c.now, timeZone: 'Europe/Berlin' });
    t.record(handResult(100, 'a'));
    c.set(Date.UTC(2026, 10, 30, 23, 10)); // 00:10 on Dec 1 in Berlin
    t.record(handResult(7, 'b'));
    const day = t.stats({ window: 'calendarDay', groupBy: 'model' });
    expect(day.period).toBe('2026-12-01');
    expect(day.from).toBe(Date.UTC(2026, 10, 30, 23, 0));
    expect(day.totalPico).toBe(7n);
    expect(day.groups!.map((g) => g.key)).toEqual(['b']);
    const month = t.stats({ window: 'calendarMonth' });
    expect(month.period).toBe('2026-12');
    expect(month.totalPico).toBe(7n);
    // The same calls in UTC are both on Nov 30.
    const cu = clock(Date.UTC(2026, 10, 30, 22, 30));
    const u = new CostTracker({ now: cu.now });
    u.record(handResult(100, 'a'));
    cu.set(Date.UTC(2026, 10, 30, 23, 10));
    u.record(handResult(7, 'b'));
    expect(u.stats({ window: 'calendarDay' }).totalPico).toBe(107n);
    expect(u.stats({ window: 'calendarDay' }).period).toBe('2026-11-30');
  });

  it('every window equals a brute-force sum over random calls spread across four days', () => {
    for (const zone of ['UTC', 'Asia/Kathmandu', 'America/New_York']) {
      const start = Date.UTC(2026, 9, 30, 20, 7, 3); // crosses a month end and a US DST change
      const c = clock(start);
      const t = new CostTracker({ now: c.now, timeZone: zone });
      const cal = new ZonedCalendar(zone);
      const calls: { t: number; pico: number; model: string }[] = [];
      let x = 12345;
      const rand = (n: number) => {
        x = (x * 1103515245 + 12345) % 2147483648;
        return x % n;
      };
      const check = () => {
        const now = c.now();
        const floorTo = (v: number, w: number) => Math.floor(v / w) * w;
        const expectFor: Record<StatsWindow, (ct: number) => boolean> = {
          all: () => true,
          minute: (ct) => floorTo(ct, S) >= floorTo(now, S) - 59 * S,
          hour: (ct) => floorTo(ct, MIN) >= floorTo(now, MIN) - 59 * MIN,
          day: (ct) => floorTo(ct, 15 * MIN) >= floorTo(now, 15 * MIN) - 95 * 15 * MIN,
          calendarDay: (ct) => ct >= cal.period(now, 'day').start,
          calendarMonth: (ct) => ct >= cal.period(now, 'month').start,
        };
        for (const w of Object.keys(expectFor) as StatsWindow[]) {
          const inW = calls.filter((k) => expectFor[w](k.t));
          const s = t.stats({ window: w, groupBy: 'model' });
          expect([w, zone, Number(s.totalPico)]).toEqual([w, zone, inW.reduce((a, k) => a + k.pico, 0)]);
          expect(s.requests).toBe(inW.length);
          const byModel = new Map<string, number>();
          for (const k of inW) byModel.set(k.model, (byModel.get(k.model) ?? 0) + k.pico);
          expect(new Map(s.groups!.map((g) => [g.key, Number(g.totalPico)]))).toEqual(byModel);
        }
      };
      for (let i = 0; i < 3000; i++) {
        // Mostly short gaps, sometimes minutes or hours: exercises every roll-up path.
        const r = rand(100);
        c.advance(r < 70 ? rand(3 * S) : r < 95 ? rand(20 * MIN) : rand(3 * H));
        const pico = 1 + rand(1_000_000);
        const model = `m${rand(4)}`;
        calls.push({ t: c.now(), pico, model });
        t.record(handResult(pico, model));
        if (i % 250 === 0) check();
      }
      check();
      c.advance(37 * S);
      check();
      c.advance(2 * D);
      check();
    }
  });

  it('when ring buckets run out of group entries, old buckets lose detail, totals and all-time groups do not', () => {
    const c = clock(Date.UTC(2026, 10, 22, 10));
    const t = new CostTracker({ now: c.now, maxWindowGroupEntries: 40 });
    const bySession = new Map<string, number>();
    let total = 0;
    for (let i = 0; i < 2000; i++) {
      c.advance(700); // ~23 minutes in all
      const session = `s${i % 150}`;
      const pico = 1000 + i;
      bySession.set(session, (bySession.get(session) ?? 0) + pico);
      total += pico;
      t.record(handResult(pico), { sessionId: session });
    }
    c.advance(16 * MIN); // roll everything into the all-time totals
    const all = t.stats({ groupBy: 'session' });
    expect(Number(all.totalPico)).toBe(total);
    expect(new Map(all.groups!.map((g) => [g.key, Number(g.totalPico)]))).toEqual(bySession);
    const hour = t.stats({ window: 'hour', groupBy: 'session' });
    expect(Number(hour.totalPico)).toBe(total);
    expect(hour.groups!.reduce((a, g) => a + Number(g.totalPico), 0)).toBe(total);
    expect(hour.groups!.some((g) => g.key === '(other)')).toBe(true);
  });

  it("the open second's total counts every call once, whichever groups fold, and reading it changes nothing", () => {
    // The open second derives its total from one single-key table (environment first): a total
    // that missed folded groups, used the tag table (a call per tag), or was changed by a reader
    // would miss these figures.
    const envs = ['prod', 'dev', 'ci', 'qa', 'stage'];
    const picos = [5_000, 700, 31, 2_000_000, 9, 64_000, 123_456];
    const expected = {
      requests: 10,
      errors: 1,
      cached: 1,
      unpriced: 1,
      totalPico: picos.reduce((a, p) => a + p, 0) + 777, // + the failure's priced part
      input: 100 * picos.length + 100 + 100 + 40, // hand results have 100 input tokens; the unpriced call 40
      maxCostPico: 2_000_000,
    };
    const dimensionSets: (GroupDimension[] | undefined)[] = [
      undefined,
      ['tag'],
      ['model', 'tag'],
      ['session', 'environment'],
    ];
    for (const dimensions of dimensionSets) {
      const c = clock(Date.UTC(2026, 10, 22, 10, 0, 0, 100));
      const t = new CostTracker({ now: c.now, maxGroups: 1, ...(dimensions ? { dimensions } : {}) });
      picos.forEach((p, i) =>
        t.record(handResult(p, `m${i % 3}`), {
          environment: envs[i % envs.length],
          sessionId: `s${i}`,
          tags: i % 2 ? ['a', 'b'] : [],
        }),
      );
      t.recordFailure(
        { model: 'm0', error: new Error('x'), result: handResult(777, 'm0') },
        { environment: 'prod' },
      );
      t.record(handResult(50_000), { cached: true, environment: 'dev' });
      t.recordUnpriced('unknown-model', 'openai', { input: 40 }, { environment: 'prod' });
      const check = (label: string) => {
        const windows: StatsWindow[] =
          label === 'rolled into all' ? ['all', 'day'] : ['minute', 'hour', 'all'];
        for (const window of windows) {
          for (let read = 0; read < 2; read++) {
            const s = t.stats({ window });
            expect([label, window, String(dimensions), s.requests, s.errors, s.cached, s.unpriced]).toEqual([
              label,
              window,
              String(dimensions),
              expected.requests,
              expected.errors,
              expected.cached,
              expected.unpriced,
            ]);
            expect(s.totalPico).toBe(BigInt(expected.totalPico));
            expect(s.tokens.input).toBe(expected.input);
            expect(s.maxCost).toBe(expected.maxCostPico / 1e12);
          }
        }
        if (dimensions === undefined || dimensions.includes('environment')) {
          const byEnv = t.stats({ groupBy: 'environment', limit: 10 });
          expect(byEnv.groups!.reduce((a, g) => a + g.requests, 0)).toBe(expected.requests);
        }
      };
      check('open second');
      c.advance(S); // the second rolls into its minute
      check('rolled once');
      c.advance(20 * MIN); // and on into the all-time totals
      check('rolled into all');
    }
  });

  it("the open second's total follows every call, read between calls, with one environment or several", () => {
    for (const envs of [['default'], ['prod', 'dev']]) {
      const c = clock(Date.UTC(2026, 10, 22, 10, 0, 0, 100));
      const t = new CostTracker({ now: c.now });
      const env = (i: number) => ({ environment: envs[i % envs.length] });
      t.record(handResult(10), env(0));
      t.record(handResult(20), env(1));
      expect(t.stats().totalPico).toBe(30n);
      const byEnv = () =>
        t.stats({ window: 'minute', groupBy: 'environment' }).groups!.reduce((a, g) => a + g.totalPico, 0n);
      expect(byEnv()).toBe(30n);
      t.record(handResult(300), env(2));
      expect([envs.length, t.stats().totalPico]).toEqual([envs.length, 330n]);
      c.advance(S);
      t.record(handResult(4000), env(3));
      expect(t.stats().totalPico).toBe(4330n);
      expect(byEnv()).toBe(4330n);
      t.record(handResult(50_000), env(4));
      expect(t.stats({ window: 'hour' }).totalPico).toBe(54_330n);
      c.advance(16 * MIN);
      expect(t.stats().totalPico).toBe(54_330n);
      expect(t.stats({ groupBy: 'environment' }).groups!.reduce((a, g) => a + g.totalPico, 0n)).toBe(54_330n);
    }
  });

  it('tolerates a clock that goes backwards (counts the call at the latest time seen)', () => {
    const c = clock(Date.UTC(2026, 10, 22, 12));
    const t = new CostTracker({ now: c.now });
    t.record(handResult(5));
    c.advance(-10 * MIN);
    t.record(handResult(6));
    expect(t.stats({ window: 'minute' }).totalPico).toBe(11n);
  });
});

describe("the open second's key tuples", () => {
  // The open second adds a call whose group keys it has seen this second to that key tuple's one
  // aggregate, and merges the tuples into their groups before a read, a roll-up or a compaction.
  // Every figure below is written from the calls' own costs; none comes from the tracker.
  const start = Date.UTC(2026, 10, 22, 10, 0, 0, 100);
  type Row = [key: string, requests: number, pico: bigint];
  const rows = (t: CostTracker, groupBy: GroupDimension, window: StatsWindow = 'minute'): Row[] =>
    t
      .stats({ window, groupBy, limit: 100 })
      .groups!.map((g): Row => [g.key, g.requests, g.totalPico])
      .sort((a, b) => (a[0] < b[0] ? -1 : 1));

  it('counts a tuple once whether the second is read before it rolls or not', () => {
    const c = clock(start);
    const t = new CostTracker({ now: c.now });
    const ctx = { sessionId: 's1', userId: 'u1', tags: ['a'] };
    for (let i = 0; i < 3; i++) t.record(handResult(10, 'm1'), ctx);
    for (let i = 0; i < 2; i++) t.record(handResult(20, 'm2'), ctx);
    expect(rows(t, 'model')).toEqual([
      ['m1', 3, 30n],
      ['m2', 2, 40n],
    ]);
    // More calls of a tuple already read this second, then read again: nothing counted twice.
    t.record(handResult(10, 'm1'), ctx);
    t.record(handResult(10, 'm1'), ctx);
    expect(rows(t, 'model')).toEqual([
      ['m1', 5, 50n],
      ['m2', 2, 40n],
    ]);
    expect(rows(t, 'session')).toEqual([['s1', 7, 90n]]);
    expect(rows(t, 'tag')).toEqual([['a', 7, 90n]]);
    t.record(handResult(10, 'm1'), ctx); // read by the roll-up below, not by a stats call
    c.advance(S);
    t.record(handResult(1000, 'm1'), ctx);
    expect(t.stats({ window: 'minute' }).totalPico).toBe(1100n);
    expect(rows(t, 'model')).toEqual([
      ['m1', 7, 1060n],
      ['m2', 2, 40n],
    ]);
    expect(rows(t, 'user', 'hour')).toEqual([['u1', 9, 1100n]]);
    c.advance(20 * MIN); // everything rolls into the all-time and calendar totals
    for (const window of ['all', 'calendarDay', 'calendarMonth', 'day'] as const) {
      const s = t.stats({ window });
      expect([window, s.requests, s.totalPico, s.tokens.input]).toEqual([window, 9, 1100n, 900]);
      expect(rows(t, 'model', window)).toEqual([
        ['m1', 7, 1060n],
        ['m2', 2, 40n],
      ]);
    }
  });

  it('folds into (other) as if each call had gone to its groups: a compaction sees every call', () => {
    // maxGroups 1: a third model compacts the table and keeps the one that spent most so far.
    const c = clock(start);
    const t = new CostTracker({ now: c.now, maxGroups: 1 });
    t.record(handResult(10, 'A'));
    for (let i = 0; i < 4; i++) t.record(handResult(5, 'B')); // B has spent 20 when C comes: B stays
    t.record(handResult(1, 'C')); // compaction: B 20 > A 10, A folds
    t.record(handResult(7, 'A')); // compaction: B 20 > C 1, C folds; A starts again from zero
    const expected: Row[] = [
      ['(other)', 2, 11n],
      ['A', 1, 7n],
      ['B', 4, 20n],
    ];
    expect(rows(t, 'model')).toEqual(expected);
    c.advance(20 * MIN);
    expect(rows(t, 'model', 'all')).toEqual(expected);
    expect(t.stats().totalPico).toBe(38n);
  });

  it('keeps no tuple whose call made a compaction fold one of its own new tags', () => {
    // maxGroups 1, tags only. The second call's tag p is new, then its tag q compacts the table and
    // folds p (cheaper than a). The third call, same keys, must find p and q anew.
    const c = clock(start);
    const t = new CostTracker({ now: c.now, maxGroups: 1, dimensions: ['tag'] });
    t.record(handResult(100), { tags: ['a'] });
    t.record(handResult(1), { tags: ['p', 'q'] });
    t.record(handResult(2), { tags: ['p', 'q'] });
    // Call 3: p compacts (a 100 > q 1: q folds), then q compacts (a 100 > p 2: p folds).
    const expected: Row[] = [
      ['(other)', 3, 4n],
      ['a', 1, 100n],
      ['q', 1, 2n],
    ];
    expect(rows(t, 'tag')).toEqual(expected);
    expect(t.stats().totalPico).toBe(103n);
    c.advance(20 * MIN);
    expect(rows(t, 'tag', 'all')).toEqual(expected);
  });

  it('tells apart tag lists of other lengths or orders', () => {
    const c = clock(start);
    const t = new CostTracker({ now: c.now });
    const calls: [string[], number][] = [
      [['a'], 1],
      [['a', 'b'], 10],
      [['b', 'a'], 100],
      [[], 1000],
      [['b'], 10_000],
    ];
    for (let round = 0; round < 3; round++)
      for (const [tags, pico] of calls) t.record(handResult(pico), { sessionId: 's', tags });
    const expected: Row[] = [
      ['(none)', 3, 3000n],
      ['a', 9, 333n],
      ['b', 9, 30_330n],
    ];
    expect(rows(t, 'tag')).toEqual(expected);
    expect(rows(t, 'session')).toEqual([['s', 15, 33_333n]]);
    c.advance(S);
    expect(rows(t, 'tag', 'hour')).toEqual(expected);
  });

  it("tells apart a call without a session from one whose session is the other's user (one index chain)", () => {
    // Tuples are indexed by session, or by user without one: `x` is the key of both kinds below.
    // Strings made at each call (not the same objects), as a host's request data would be.
    const c = clock(start);
    const t = new CostTracker({ now: c.now });
    const id = (s: string) => [...s].join('');
    const calls: [ctx: { sessionId?: string; userId?: string }, pico: number][] = [
      [{ userId: 'x' }, 1],
      [{ sessionId: 'x', userId: 'y' }, 10],
      [{ sessionId: 'x', userId: 'x' }, 100],
      [{ sessionId: 'x' }, 1000],
      [{ userId: 'y' }, 10_000],
      [{ sessionId: 'y', userId: 'x' }, 100_000],
    ];
    for (let round = 0; round < 3; round++)
      for (const [ctx, pico] of calls) {
        const own: { sessionId?: string; userId?: string } = {};
        if (ctx.sessionId !== undefined) own.sessionId = id(ctx.sessionId);
        if (ctx.userId !== undefined) own.userId = id(ctx.userId);
        t.record(handResult(pico, 'm'), own);
      }
    expect(rows(t, 'session')).toEqual([
      ['(none)', 6, 30_003n],
      ['x', 9, 3330n],
      ['y', 3, 300_000n],
    ]);
    expect(rows(t, 'user')).toEqual([
      ['(none)', 3, 3000n],
      ['x', 9, 300_303n],
      ['y', 6, 30_030n],
    ]);
    c.advance(S);
    expect(rows(t, 'user', 'hour')).toEqual(rows(t, 'user', 'all'));
  });

  it("adds a call to its own second after a read moved the clock past the last call's", () => {
    // A read rolls the last call's second up; the next call's second has no bucket yet.
    const c = clock(start);
    const t = new CostTracker({ now: c.now });
    t.record(handResult(1, 'm'), { sessionId: 's' });
    t.record(handResult(2, 'm'), { sessionId: 's' });
    c.advance(S);
    expect(t.stats().requests).toBe(2);
    t.record(handResult(4, 'm'), { sessionId: 's' });
    t.record(handResult(8, 'm'), { sessionId: 's' });
    for (const window of ['all', 'minute', 'hour', 'day', 'calendarDay'] as const)
      expect([window, t.stats({ window }).totalPico]).toEqual([window, 15n]);
    expect(rows(t, 'session', 'all')).toEqual([['s', 4, 15n]]);
    c.advance(20 * MIN);
    expect(rows(t, 'session', 'all')).toEqual([['s', 4, 15n]]);
  });

  it('forgets the open tuples on reset', () => {
    const c = clock(start);
    const t = new CostTracker({ now: c.now });
    for (let i = 0; i < 3; i++) t.record(handResult(5, 'x'), { sessionId: 's' });
    expect(t.stats().totalPico).toBe(15n);
    t.record(handResult(5, 'x'), { sessionId: 's' }); // pending in its tuple
    t.reset();
    t.record(handResult(7, 'x'), { sessionId: 's' });
    t.record(handResult(7, 'x'), { sessionId: 's' });
    expect(rows(t, 'model')).toEqual([['x', 2, 14n]]);
    expect(t.stats().requests).toBe(2);
    c.advance(20 * MIN);
    expect(rows(t, 'session', 'all')).toEqual([['s', 2, 14n]]);
  });

  it('stays exact through many distinct tuples a second, repeated or not', () => {
    // Thousands of sessions a second, past any per-second tuple limit. First second: each session
    // three times in a row (tuples that pay), then each once more in another order. Next second: a
    // hundred sessions twice, then every session once (calls with new keys: the second stops making
    // tuples, and must keep what the repeated ones held), then again.
    const c = clock(start);
    const t = new CostTracker({ now: c.now, maxGroups: 100_000 });
    const n = 4500;
    const bySession = new Map<string, [number, bigint]>();
    const byTag = new Map<string, [number, bigint]>();
    const sum = (m: Map<string, [number, bigint]>, key: string, pico: number) => {
      const [r, p] = m.get(key) ?? [0, 0n];
      m.set(key, [r + 1, p + BigInt(pico)]);
    };
    const call = (i: number, pico: number) => {
      const sessionId = `s${i}`;
      t.record(handResult(pico, `m${i % 3}`), { sessionId, tags: i % 2 ? ['odd'] : [] });
      sum(bySession, sessionId, pico);
      sum(byTag, i % 2 ? 'odd' : '(none)', pico);
    };
    for (let i = 0; i < n; i++) for (let k = 1; k <= 3; k++) call(i, k);
    for (let i = 0; i < n; i++) call((i * 7919) % n, 1000);
    c.advance(S);
    for (let i = 0; i < 100; i++) for (let k = 0; k < 2; k++) call(i, 5_000_000);
    for (let i = 0; i < n; i++) call((i * 4099) % n, 20_000);
    for (let i = 0; i < n; i++) call(i, 300_000);
    const requests = 6 * n + 200;
    const totalPico = BigInt(n * (1 + 2 + 3 + 1000 + 20_000 + 300_000) + 200 * 5_000_000);
    const check = (window: StatsWindow) => {
      const s = t.stats({ window, groupBy: 'session', limit: n });
      expect(new Map(s.groups!.map((g) => [g.key, [g.requests, g.totalPico]]))).toEqual(bySession);
      expect([window, s.requests, s.totalPico]).toEqual([window, requests, totalPico]);
      const tags = t.stats({ window, groupBy: 'tag' }).groups!;
      expect(new Map(tags.map((g) => [g.key, [g.requests, g.totalPico]]))).toEqual(byTag);
    };
    check('minute');
    c.advance(20 * MIN);
    check('all');
  });

  it('gives the same groups, folded or not, as reading after every call', () => {
    // A read brings the tuples in and forgets them, so reading after every call adds each call to
    // its groups one by one. Random calls over twelve seconds, with maxGroups 2 (many compactions):
    // in two seconds of three the keys rarely repeat (the next second adds without tuples), in the
    // third they repeat often (tuples pay again).
    let x = 987_654;
    const rand = (n: number) => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x % n;
    };
    const c1 = clock(start);
    const c2 = clock(start);
    const a = new CostTracker({ now: c1.now, maxGroups: 2 });
    const b = new CostTracker({ now: c2.now, maxGroups: 2 });
    const tagSets = [[], ['a'], ['a', 'b'], ['b'], ['c', 'a']];
    for (let i = 0; i < 1800; i++) {
      const wide = Math.floor(i / 150) % 3 !== 2;
      if (i % 150 === 149) {
        c1.advance(S);
        c2.advance(S);
      }
      const r = handResult(1 + rand(50), `m${rand(wide ? 5 : 2)}`, rand(2) ? 'openai' : 'anthropic');
      const ctx = {
        sessionId: rand(4) ? `s${rand(wide ? 600 : 2)}` : undefined,
        userId: `u${rand(3)}`,
        operation: `op${rand(2)}`,
        tags: tagSets[rand(tagSets.length)]!,
      };
      a.record(r, ctx);
      b.record(r, ctx);
      b.stats();
    }
    const dims: GroupDimension[] = ['model', 'provider', 'session', 'user', 'operation', 'tag'];
    for (const when of ['open', 'rolled']) {
      for (const window of ['minute', 'all'] as const) {
        for (const groupBy of dims) {
          expect([when, window, groupBy, a.stats({ window, groupBy, limit: 100 })]).toEqual([
            when,
            window,
            groupBy,
            b.stats({ window, groupBy, limit: 100 }),
          ]);
        }
      }
      c1.advance(20 * MIN);
      c2.advance(20 * MIN);
    }
  });
});
