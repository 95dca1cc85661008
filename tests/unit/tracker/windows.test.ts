import { describe, expect, it } from 'vitest';
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
