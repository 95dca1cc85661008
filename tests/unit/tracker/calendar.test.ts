import { afterEach, describe, expect, it } from 'vitest';
import { ZonedCalendar } from '../../../src/tracker/calendar.js';
import { seededRandom } from '../../helpers/seeded-random.js';

/** The date `Intl` gives for `t` in UTC, `YYYY-MM-DD` (the reference: what the calendar gave before). */
const intlFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: 'UTC',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
function intlDate(t: number): string {
  const p = Object.fromEntries(intlFormat.formatToParts(t).map((x) => [x.type, x.value]));
  return `${p.year!.padStart(4, '0')}-${p.month}-${p.day}`;
}

const DAY = 86_400_000;
const MAX_TIME = 8.64e15;

describe('ZonedCalendar in UTC', () => {
  const RealDateTimeFormat = Intl.DateTimeFormat;
  afterEach(() => {
    Intl.DateTimeFormat = RealDateTimeFormat;
  });

  it('gives the dates and periods Intl gives, from the year 1 to 9999 and beyond', () => {
    const utc = new ZonedCalendar('UTC');
    const rnd = seededRandom(7);
    const instants = [
      // The ends of the four-digit years, the years 999/1000, a leap day, ends of months.
      Date.parse('0001-01-01T00:00:00.000Z'),
      Date.parse('0001-01-01T00:00:00.000Z') - 1,
      Date.parse('0999-12-31T23:59:59.999Z'),
      Date.parse('1000-01-01T00:00:00.000Z'),
      Date.parse('1969-12-31T23:59:59.999Z'),
      Date.parse('2024-02-29T12:00:00.000Z'),
      Date.parse('2026-12-31T23:59:59.999Z'),
      Date.parse('9999-12-31T23:59:59.999Z'),
      Date.parse('+010000-01-01T00:00:00.000Z'),
      -MAX_TIME,
      MAX_TIME,
    ];
    for (let i = 0; i < 2_000; i++) instants.push(Math.floor((rnd() * 2 - 1) * 2.6e14));
    for (const t of instants) {
      const date = intlDate(t);
      expect(utc.dateOf(t), String(t)).toBe(date);
      // Periods from the year 1 to the end of 9999 (before, Intl counts years by era: 1 BC is "0001").
      if (t < Date.parse('0001-01-01T00:00:00.000Z') || t >= Date.parse('9999-12-01T00:00:00.000Z')) continue;
      const day = utc.period(t, 'day');
      expect(day.key).toBe(date);
      expect(t >= day.start && t < day.end).toBe(true);
      // A day in UTC is 24 hours; its neighbours' dates are the days either side.
      expect(day.end - day.start).toBe(DAY);
      expect(intlDate(day.start)).toBe(date);
      expect(intlDate(day.start - 1)).not.toBe(date);
      const month = utc.period(t, 'month');
      expect(month.key).toBe(date.slice(0, 7));
      expect(intlDate(month.start).slice(0, 7)).toBe(month.key);
      expect(intlDate(month.start - 1).slice(0, 7)).not.toBe(month.key);
      expect(intlDate(month.end).slice(0, 7)).not.toBe(month.key);
    }
  });

  it('orders dates past the year 9999 by their number, not as text', () => {
    const y10k = Date.parse('+010000-01-01T00:00:00.000Z');
    for (const zone of ['UTC', 'Europe/Berlin', 'Asia/Tokyo']) {
      const cal = new ZonedCalendar(zone);
      // The last day of 9999 ends where the first of 10000 starts, one day (no DST change) later.
      const last = cal.period(y10k - 1 * 86_400_000, 'day');
      const first = cal.period(last.end, 'day');
      expect(last.key, zone).toBe('9999-12-31');
      expect(first.key, zone).toBe('10000-01-01');
      expect(first.start, zone).toBe(last.end);
      expect(first.end - first.start, zone).toBe(86_400_000);
      expect(cal.dayStart('10000-01-01'), zone).toBe(first.start);
      expect(cal.period(first.start, 'month').key, zone).toBe('10000-01');
    }
    // Berlin is UTC+1 in winter, Tokyo UTC+9.
    expect(new ZonedCalendar('Europe/Berlin').dayStart('10000-01-01')).toBe(y10k - 3_600_000);
    expect(new ZonedCalendar('Asia/Tokyo').dayStart('10000-01-01')).toBe(y10k - 9 * 3_600_000);
  });

  it('makes no Intl formatter for UTC in the years 1–9999, and one for another zone', () => {
    let made = 0;
    Intl.DateTimeFormat = new Proxy(RealDateTimeFormat, {
      construct(target, args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
        made++;
        return new target(...args);
      },
    });
    const utc = new ZonedCalendar('UTC');
    const t = Date.parse('2026-12-06T10:00:00.000Z');
    expect(utc.period(t, 'day')).toEqual({
      key: '2026-12-06',
      start: t - 10 * 3_600_000,
      end: t + 14 * 3_600_000,
    });
    expect(utc.period(t, 'month').key).toBe('2026-12');
    expect(utc.dayStart('2026-02-28')).toBe(Date.parse('2026-02-28T00:00:00.000Z'));
    expect(utc.timeZone).toBe('UTC');
    // The years 0–99 are not 1900–1999.
    expect(utc.wallTime(50, 3, 1, 12, 30)).toBe(Date.parse('0050-03-01T12:30:00.000Z'));
    expect(utc.dayStart('0050-03-01')).toBe(Date.parse('0050-03-01T00:00:00.000Z'));
    expect(made).toBe(0);
    const berlin = new ZonedCalendar('Europe/Berlin');
    expect(made).toBe(1);
    expect(berlin.period(t, 'day').start).toBe(Date.parse('2026-12-05T23:00:00.000Z'));
  });
});
