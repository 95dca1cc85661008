import { closedError, describeValue, InvalidArgumentError } from '../errors.js';
import { isRealDate, MAX_TIME, utcTime, ZonedCalendar } from './calendar.js';

/**
 * The one time syntax of the library and the CLI: every `--from`/`--to` flag, the ledger readers'
 * string times and the dashboards' time parameters read times here, so `7d` means the same
 * everywhere. The vocabulary is data (the tables below); the parser only walks it.
 */

/** A unit of an age such as `7d`. */
export interface TimeUnit {
  /** What follows the number, e.g. `d`. */
  symbol: string;
  /** Its length in milliseconds. */
  ms: number;
  /** Its name, for help texts. */
  name: string;
}

/** Units of an age (`7d`, `-12h`, `+30m`): the only place their lengths are written. */
export const TIME_UNITS: readonly TimeUnit[] = [
  { symbol: 's', ms: 1_000, name: 'second' },
  { symbol: 'm', ms: 60_000, name: 'minute' },
  { symbol: 'min', ms: 60_000, name: 'minute' },
  { symbol: 'h', ms: 3_600_000, name: 'hour' },
  { symbol: 'd', ms: 86_400_000, name: 'day' },
  { symbol: 'w', ms: 604_800_000, name: 'week' },
];

/** Words for whole calendar days, as days from today (in the calendar's zone). */
export const DAY_WORDS: Readonly<Record<string, number>> = { today: 0, yesterday: -1 };

/** The word for the current instant. */
export const NOW_WORD = 'now';

/** The accepted forms in one line, for error messages and help texts. */
export const TIME_SYNTAX = `an age such as 7d or -7d (that long before now; units ${TIME_UNITS.map((u) => u.symbol).join(', ')}), ${NOW_WORD}, ${Object.keys(DAY_WORDS).join(', ')}, a date (2026-11-01) or a date-time (2026-11-01T10:00:00Z)`;

/** Options of {@link parseTimeSpec}. */
export interface TimeSpecOptions {
  /** The instant ages and `now` count from, epoch ms. Always given, so results never depend on the clock. */
  now: number;
  /**
   * Zone of dates, day words and date-times without an offset (default UTC): `2026-11-01` is the first
   * instant of that day there.
   */
  calendar?: ZonedCalendar;
  /**
   * What a whole day (a date, `today`, `yesterday`) stands for: its first instant (`start`, the
   * default), or the first instant of the next day (`end`: an exclusive upper bound that includes the
   * day, as `--to 2026-11-30` includes the 30th).
   */
  day?: 'start' | 'end';
}

const AGE = new RegExp(
  `^([-+]?)(\\d+)\\s*(${TIME_UNITS.map((u) => u.symbol)
    .sort((a, b) => b.length - a.length)
    .join('|')})$`,
  'i',
);
const UNIT_MS = new Map(TIME_UNITS.map((u) => [u.symbol, u.ms]));
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// A year of four digits, or ISO 8601's expanded form (a sign and six digits, as `toISOString` writes
// the years outside 0–9999: `+010000-01-01T00:00:00.000Z`, which the CLI prints for --to 9999-12-31).
const DATE_TIME =
  /^(\d{4}|[+-]\d{6})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const EPOCH_MS = /^\d{12,}$/;
const EPOCH_S = /^\d{9,11}(?:\.\d+)?$/;
const DAY_MS = 86_400_000;

/**
 * Read a point in time written in the {@link TIME_SYNTAX}. Returns epoch milliseconds, or undefined
 * when the text is not a time (the caller says which flag or parameter, and shows {@link TIME_SYNTAX}).
 *
 * - an age `7d`, `-7d` (both 7 days before `now`), `12h`, `30m`, `2w`, `45s`; `+2h` is after `now`;
 * - `now`; `today`, `yesterday` (whole days in the zone);
 * - a date `2026-11-01` (a whole day in the zone);
 * - a date-time `2026-11-01T10:00`, `2026-11-01 10:00:30.5`, with `Z` or an offset such as `+02:00`
 *   (without one: wall time in the zone);
 * - Unix time in seconds (9–11 digits, e.g. `1763805600`) or milliseconds (12 digits or more).
 */
export function parseTimeSpec(text: string, options: TimeSpecOptions): number | undefined {
  try {
    return parseChecked(text, checkOptions(options));
  } catch (err) {
    throw closedError(err, 'parseTimeSpec');
  }
}

/** The options read once and checked (a getter cannot answer differently later). */
function checkOptions(options: TimeSpecOptions): TimeSpecOptions {
  const bad = (path: string, what: string, v: unknown) =>
    new InvalidArgumentError(`parseTimeSpec(options${path})`, `expected ${what}, got ${describeValue(v)}`);
  if (typeof options !== 'object' || options === null)
    throw bad('', 'an object {now, calendar?, day?}', options);
  const { now, calendar, day } = options;
  if (typeof now !== 'number' || !Number.isFinite(now)) throw bad('.now', 'epoch milliseconds', now);
  if (calendar !== undefined && !(calendar instanceof ZonedCalendar))
    throw bad('.calendar', 'a ZonedCalendar', calendar);
  if (day !== undefined && day !== 'start' && day !== 'end') throw bad('.day', '"start" or "end"', day);
  return { now, ...(calendar ? { calendar } : {}), ...(day ? { day } : {}) };
}

/** `t` when a Date can hold it (an age of 10⁹ weeks or 20 digits of epoch ms cannot), else undefined. */
function dateRange(t: number | undefined): number | undefined {
  return t !== undefined && t >= -MAX_TIME && t <= MAX_TIME ? t : undefined;
}

function parseChecked(text: string, options: TimeSpecOptions): number | undefined {
  return dateRange(parseAny(text, options));
}

function parseAny(text: string, options: TimeSpecOptions): number | undefined {
  if (typeof text !== 'string')
    throw new InvalidArgumentError('parseTimeSpec(text)', `expected a string, got ${describeValue(text)}`);
  const s = text.trim();
  const age = AGE.exec(s);
  if (age) {
    const ms = Number(age[2]) * UNIT_MS.get(age[3]!.toLowerCase())!;
    return age[1] === '+' ? options.now + ms : options.now - ms;
  }
  const word = s.toLowerCase();
  if (word === NOW_WORD) return options.now;
  const shift = DAY_WORDS[word];
  if (shift !== undefined) return wholeDay(addDays(calendarOf(options).dateOf(options.now), shift), options);
  if (EPOCH_MS.test(s)) return Number(s);
  if (EPOCH_S.test(s)) return Math.round(Number(s) * 1000);
  const date = DATE.exec(s);
  if (date) return validDate(date) ? wholeDay(s, options) : undefined;
  const dt = DATE_TIME.exec(s);
  if (!dt || !validDate(dt)) return undefined;
  const [, y, mo, d, h, mi, sec = '0', frac = '', zone] = dt;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return undefined;
  const fields = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec)] as const;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  if (zone === undefined) return calendarOf(options).wallTime(...fields, ms);
  const t = utcTime(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5], ms);
  if (zone.toUpperCase() === 'Z') return t;
  const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
  const [oh, om] = [Number(z[2]), Number(z[3] ?? 0)];
  if (oh > 23 || om > 59) return undefined;
  const offset = (oh * 60 + om) * 60_000;
  return z[1] === '+' ? t - offset : t + offset;
}

/** The first instant of `date` (or of the day after it, for `day: 'end'`) in the options' zone. */
function wholeDay(date: string, options: TimeSpecOptions): number {
  return calendarOf(options).dayStart(options.day === 'end' ? addDays(date, 1) : date);
}

/** The calendar of the options without one (a UTC calendar keeps no state that could differ). */
const UTC = new ZonedCalendar('UTC');

/** The options' calendar, else UTC. */
function calendarOf(options: TimeSpecOptions): ZonedCalendar {
  return options.calendar ?? UTC;
}

/** `YYYY-MM-DD` plus `n` days (the day after 9999-12-31 is 10000-01-01). */
function addDays(date: string, n: number): string {
  return UTC.dateOf(UTC.dayStart(date) + n * DAY_MS);
}

/** The year, month and day of a match name a real date (no 2026-02-31; the years 0–99 too). */
function validDate(m: RegExpExecArray): boolean {
  return isRealDate(Number(m[1]), Number(m[2]), Number(m[3]));
}
