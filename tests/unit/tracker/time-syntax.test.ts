import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseTimeValue } from '../../../src/dashboards/params.js';
import { parseTime } from '../../../src/node/ledger/read.js';
import { ZonedCalendar } from '../../../src/tracker/calendar.js';
import { DAY_WORDS, parseTimeSpec, TIME_SYNTAX, TIME_UNITS } from '../../../src/tracker/time-syntax.js';

// The one time syntax of every --from/--to and dashboard time parameter. `now` is always injected and
// zones are always explicit, so nothing here depends on today's date or the machine's time zone; the
// last test proves the latter in a child process with TZ set.

const NOW = Date.UTC(2026, 10, 22, 12, 34, 56, 789); // Sunday 2026-11-22 12:34:56.789Z
const H = 3_600_000;
const D = 24 * H;
const at = (text: string, options: Partial<Parameters<typeof parseTimeSpec>[1]> = {}) =>
  parseTimeSpec(text, { now: NOW, ...options });
const la = new ZonedCalendar('America/Los_Angeles');
const tokyo = new ZonedCalendar('Asia/Tokyo');

describe('parseTimeSpec', () => {
  it('reads an age with or without a minus as that long before now; + is after', () => {
    expect(at('7d')).toBe(NOW - 7 * D);
    expect(at('-7d')).toBe(NOW - 7 * D);
    expect(at(' 7 d ')).toBe(NOW - 7 * D);
    expect(at('7D')).toBe(NOW - 7 * D);
    expect(at('12h')).toBe(NOW - 12 * H);
    expect(at('30m')).toBe(NOW - 30 * 60_000);
    expect(at('30min')).toBe(NOW - 30 * 60_000);
    expect(at('45s')).toBe(NOW - 45_000);
    expect(at('2w')).toBe(NOW - 14 * D);
    expect(at('+2h')).toBe(NOW + 2 * H);
    expect(at('0d')).toBe(NOW);
  });

  it('knows every unit of its table, and says so in TIME_SYNTAX', () => {
    for (const u of TIME_UNITS) {
      expect(at(`3${u.symbol}`), u.symbol).toBe(NOW - 3 * u.ms);
      expect(TIME_SYNTAX).toContain(u.symbol);
    }
    for (const word of Object.keys(DAY_WORDS)) expect(TIME_SYNTAX).toContain(word);
    expect(TIME_SYNTAX).toContain('now');
  });

  it('reads now, today and yesterday (whole days in the zone; day: end is the next midnight)', () => {
    expect(at('now')).toBe(NOW);
    expect(at('NOW')).toBe(NOW);
    expect(at('today')).toBe(Date.UTC(2026, 10, 22));
    expect(at('yesterday')).toBe(Date.UTC(2026, 10, 21));
    expect(at('today', { day: 'end' })).toBe(Date.UTC(2026, 10, 23));
    expect(at('yesterday', { day: 'end' })).toBe(Date.UTC(2026, 10, 22));
    // 12:34Z is 21:34 in Tokyo (UTC+9): today there began at 15:00Z the day before.
    expect(at('today', { calendar: tokyo })).toBe(Date.UTC(2026, 10, 21, 15));
    // …and 04:34 in Los Angeles (UTC-8): today began at 08:00Z.
    expect(at('yesterday', { calendar: la })).toBe(Date.UTC(2026, 10, 21, 8));
  });

  it('reads a date as the start of that day (the end with day: end), in the zone', () => {
    expect(at('2026-11-01')).toBe(Date.UTC(2026, 10, 1));
    expect(at('2026-11-01', { day: 'end' })).toBe(Date.UTC(2026, 10, 2));
    expect(at('2026-12-31', { day: 'end' })).toBe(Date.UTC(2027, 0, 1));
    expect(at('2026-11-01', { calendar: la })).toBe(Date.UTC(2026, 10, 1, 7)); // PDT, UTC-7
    // 2026-11-01 is 25 hours long in Los Angeles (clocks go back): it ends at 08:00Z on the 2nd.
    expect(at('2026-11-01', { calendar: la, day: 'end' })).toBe(Date.UTC(2026, 10, 2, 8));
  });

  it('reads the years 0–99 as written (not 1900–1999), and the end of 9999-12-31', () => {
    // Oracle: the engine's ISO parser, which reads four-digit and signed six-digit years as written.
    expect(at('0050-03-01')).toBe(Date.parse('0050-03-01T00:00:00.000Z'));
    expect(at('0050-03-01', { day: 'end' })).toBe(Date.parse('0050-03-02T00:00:00.000Z'));
    expect(at('0099-12-31T10:00Z')).toBe(Date.parse('0099-12-31T10:00:00.000Z'));
    expect(at('0099-12-31T10:00+02:00')).toBe(Date.parse('0099-12-31T08:00:00.000Z'));
    expect(at('0000-01-01')).toBe(Date.parse('0000-01-01T00:00:00.000Z'));
    expect(at('0099-02-29')).toBeUndefined(); // 99 is not a leap year (1999 is not either; 96 is)
    expect(at('0096-02-29')).toBe(Date.parse('0096-02-29T00:00:00.000Z'));
    // `--to 9999-12-31`: its end is the first instant of the year 10000 (it threw before).
    expect(at('9999-12-31', { day: 'end' })).toBe(Date.parse('+010000-01-01T00:00:00.000Z'));
    // …which is printed in ISO 8601's expanded form, and read back.
    expect(at('+010000-01-01T00:00:00.000Z')).toBe(Date.parse('+010000-01-01T00:00:00.000Z'));
    expect(at('-000001-12-31T23:00:00Z')).toBe(Date.parse('-000001-12-31T23:00:00.000Z'));
    expect(at('+275760-09-13T00:00:00.000Z')).toBe(8.64e15);
    expect(at('+275760-09-13T00:00:00.001Z')).toBeUndefined(); // past a Date's range
    expect(at('+10000-01-01T00:00Z')).toBeUndefined(); // the expanded form has six digits
    // In Berlin, winter time (UTC+1) then too.
    const berlin = new ZonedCalendar('Europe/Berlin');
    expect(at('9999-12-31', { day: 'end', calendar: berlin })).toBe(
      Date.parse('+010000-01-01T00:00:00.000Z') - 3_600_000,
    );
  });

  it('reads a date-time: Z or an offset as written, otherwise wall time in the zone', () => {
    expect(at('2026-11-01T10:00:00Z')).toBe(Date.UTC(2026, 10, 1, 10));
    expect(at('2026-11-01T10:00:00.5z')).toBe(Date.UTC(2026, 10, 1, 10, 0, 0, 500));
    expect(at('2026-11-01 10:00:30.123456')).toBe(Date.UTC(2026, 10, 1, 10, 0, 30, 123));
    expect(at('2026-11-01T10:00+02:00')).toBe(Date.UTC(2026, 10, 1, 8));
    expect(at('2026-11-01T10:00-0530')).toBe(Date.UTC(2026, 10, 1, 15, 30));
    expect(at('2026-11-01T10:00')).toBe(Date.UTC(2026, 10, 1, 10));
    expect(at('2026-11-01T10:00', { calendar: la })).toBe(Date.UTC(2026, 10, 1, 18)); // PST after 02:00
    expect(at('2026-11-01T10:00Z', { calendar: la })).toBe(Date.UTC(2026, 10, 1, 10));
    // The repeated hour when clocks go back: the first one (PDT).
    expect(at('2026-11-01T01:30', { calendar: la })).toBe(Date.UTC(2026, 10, 1, 8, 30));
    // The skipped hour when they go forward: read with the offset before the change (PST).
    expect(at('2026-03-08T02:30', { calendar: la })).toBe(Date.UTC(2026, 2, 8, 10, 30));
  });

  it('reads Unix time in seconds or milliseconds', () => {
    expect(at('8640000000000000')).toBe(8.64e15); // a Date's last millisecond
    expect(at('1763805600')).toBe(1_763_805_600_000);
    expect(at('1763805600.25')).toBe(1_763_805_600_250);
    expect(at('1763805600123')).toBe(1_763_805_600_123);
  });

  it('returns undefined for anything else', () => {
    for (const bad of [
      '',
      'x',
      'yesterday-ish',
      '7y',
      '7',
      '30',
      '--7d',
      '2026-02-31',
      '2026-13-01',
      '2026-11-01T24:00',
      '2026-11-01T10:60',
      '2026-11-01T10:00+25:00',
      '2026-11-01X10:00',
      "2026-11-01' OR 1=1",
      // Past a Date's range (±8.64e15 ms): an age of 10⁹ weeks, epoch ms of 16 or 19 digits.
      '1000000000w',
      '-1000000000w',
      '+1000000000w',
      '8640000000000001',
      '9999999999999999999',
    ]) {
      expect(at(bad), bad).toBeUndefined();
    }
  });

  it('is what the dashboards and the ledger readers read', () => {
    expect(parseTimeValue('7d', NOW)).toBe(NOW - 7 * D);
    expect(parseTimeValue('-7d', NOW)).toBe(NOW - 7 * D);
    expect(parseTimeValue('yesterday', NOW)).toBe(Date.UTC(2026, 10, 21));
    expect(() => parseTimeValue('yesterday-ish', NOW)).toThrow(
      `cannot read "yesterday-ish" as a time: use ${TIME_SYNTAX}`,
    );
    expect(parseTime('2026-11-01T10:00')).toBe(Date.UTC(2026, 10, 1, 10));
    expect(() => parseTime('soon', 'from')).toThrow(/^from: not a valid date\/time: soon/);
  });

  it('does not depend on the machine time zone (TZ=America/Los_Angeles in a child process)', () => {
    const module = fileURLToPath(new URL('../../../src/tracker/time-syntax.ts', import.meta.url));
    const script = `const { parseTimeSpec } = await import(${JSON.stringify(module)});
      const now = ${NOW};
      console.log(JSON.stringify(['2026-11-01T10:00', '2026-11-01', 'today', '7d'].map((s) => parseTimeSpec(s, { now }))));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, TZ: 'America/Los_Angeles' },
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual([
      Date.UTC(2026, 10, 1, 10),
      Date.UTC(2026, 10, 1),
      Date.UTC(2026, 10, 22),
      NOW - 7 * D,
    ]);
  });
});
