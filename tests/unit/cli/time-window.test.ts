import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../src/cli/args.js';
import { calendarFlag, timeWindow } from '../../../src/cli/time-window.js';
import { ZonedCalendar } from '../../../src/tracker/calendar.js';

const args = (argv: string[]) => parseArgs(argv, { known: ['tz'] });

describe('calendarFlag', () => {
  it('takes --tz, else LANGFUSE_COST_TIMEZONE, else UTC', () => {
    expect(calendarFlag(args(['--tz', 'Asia/Tokyo']), 'Europe/Berlin').timeZone).toBe('Asia/Tokyo');
    expect(calendarFlag(args([]), 'Europe/Berlin').timeZone).toBe('Europe/Berlin');
    expect(calendarFlag(args([]), '').timeZone).toBe('UTC');
    expect(calendarFlag(args([])).timeZone).toBe('UTC');
  });

  it("takes a dashboard's --param timeZone=… before the environment, by its IANA name", () => {
    expect(calendarFlag(args([]), 'Europe/Berlin', 'utc').timeZone).toBe('UTC');
    expect(calendarFlag(args([]), undefined, 'asia/tokyo').timeZone).toBe('Asia/Tokyo');
    expect(calendarFlag(args(['--tz', 'UTC']), undefined, 'Asia/Tokyo').timeZone).toBe('UTC');
    expect(() => calendarFlag(args([]), undefined, 'Mars/Base')).toThrow(
      /^--param timeZone: unknown time zone "Mars\/Base"/,
    );
  });

  it('names where an unknown zone came from: the flag or the environment', () => {
    expect(() => calendarFlag(args(['--tz', 'Mars/Base']))).toThrow(/^--tz: unknown time zone "Mars\/Base"/);
    expect(() => calendarFlag(args([]), 'Bogus')).toThrow(
      /^LANGFUSE_COST_TIMEZONE="Bogus" is not valid: unknown time zone "Bogus"/,
    );
  });
});

describe('timeWindow', () => {
  const now = Date.parse('2026-11-22T12:00:00.000Z');
  const utc = new ZonedCalendar('UTC');
  it('says which flag holds a time past a Date range', () => {
    expect(() => timeWindow({ from: '1000000000w' }, utc, now)).toThrow(
      /^--from "1000000000w" is not a time/,
    );
    expect(() => timeWindow({ to: '9999999999999999999' }, utc, now)).toThrow(
      /^--to "9999999999999999999" is not a time/,
    );
  });
});
