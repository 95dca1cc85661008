import { closedError, describeValue, InvalidArgumentError, LangfuseCostError } from '../errors.js';

/** A calendar period in a time zone: its label and its bounds as epoch ms, `[start, end)`. */
export interface CalendarPeriod {
  /** `YYYY-MM-DD` for days, `YYYY-MM` for months. */
  key: string;
  /** First instant of the period, epoch ms. */
  start: number;
  /** First instant of the next period, epoch ms. */
  end: number;
}

/** A calendar unit. */
export type CalendarUnit = 'day' | 'month';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** @internal The range of a JavaScript Date, epoch ms either side of 1970 (years −271821 … 275760). */
export const MAX_TIME = 8.64e15;

/**
 * Calendar days and months in an IANA time zone, with `Intl` only (no dependency).
 *
 * Period bounds are found by binary search on the local date, so DST days of 23 or 25 hours and
 * zones with 30- or 45-minute offsets come out right. Results are cached: asking for the period of
 * an instant inside a recently used period is a couple of comparisons.
 */
export class ZonedCalendar {
  /** The IANA zone, e.g. `Europe/Berlin`. */
  readonly timeZone: string;
  /** The date formatter of the zone; made on first use in UTC (see {@link localDate}). */
  private fmtOrUndefined: Intl.DateTimeFormat | undefined;
  private readonly cache: Record<CalendarUnit, CalendarPeriod[]> = { day: [], month: [] };
  /** Formatter with the time of day, made when {@link wallTime} first needs it. */
  private timeFmt: Intl.DateTimeFormat | undefined;

  /** @throws {LangfuseCostError} `INVALID_TIMEZONE` when the zone is unknown to `Intl`. */
  constructor(timeZone = 'UTC') {
    if (typeof timeZone !== 'string')
      throw new InvalidArgumentError(
        'timeZone',
        `expected an IANA zone name, got ${describeValue(timeZone)}`,
      );
    // UTC (the default) needs no formatter: its dates are the Date's own UTC fields. A process's first
    // Intl.DateTimeFormat costs 20–30 ms (ICU's zone data), which every tracker paid when it was made.
    if (timeZone === 'UTC') {
      this.timeZone = timeZone;
      return;
    }
    let fmt: Intl.DateTimeFormat;
    try {
      fmt = dateFormat(timeZone);
    } catch {
      throw new LangfuseCostError(
        'INVALID_TIMEZONE',
        `unknown time zone "${timeZone}": use an IANA name such as UTC, Europe/Berlin or America/New_York`,
      );
    }
    this.fmtOrUndefined = fmt;
    this.timeZone = fmt.resolvedOptions().timeZone;
  }

  private get fmt(): Intl.DateTimeFormat {
    this.fmtOrUndefined ??= dateFormat(this.timeZone);
    return this.fmtOrUndefined;
  }

  /**
   * The day or month containing `t` (epoch ms).
   * @throws {InvalidArgumentError} for a unit other than `day`/`month`, or a time outside a Date's range.
   */
  period(t: number, unit: CalendarUnit): CalendarPeriod {
    const list = unit === 'day' ? this.cache.day : unit === 'month' ? this.cache.month : badUnit(unit);
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      if (t >= p.start && t < p.end) {
        if (i > 0) {
          list.splice(i, 1);
          list.unshift(p);
        }
        return p;
      }
    }
    // A cache miss: check the time here, off the path of the instants that hit.
    checkTime(t, 'period');
    let p: CalendarPeriod;
    try {
      p = this.compute(t, unit);
    } catch (err) {
      throw closedError(err, 'ZonedCalendar.period');
    }
    list.unshift(p);
    if (list.length > 16) list.pop();
    return p;
  }

  /**
   * First instant of the local date `YYYY-MM-DD` (epoch ms; a year past 9999 has more digits, as
   * {@link dateOf} writes it).
   * @throws {InvalidArgumentError} when `date` is not a `YYYY-MM-DD` string.
   */
  dayStart(date: string): number {
    const m = typeof date === 'string' ? DATE.exec(date) : null;
    if (!m) throw new InvalidArgumentError('date', `expected a date YYYY-MM-DD, got ${describeValue(date)}`);
    try {
      return this.startOf(Number(m[1]), Number(m[2]), Number(m[3]));
    } catch (err) {
      throw closedError(err, 'ZonedCalendar.dayStart');
    }
  }

  /**
   * Local calendar date of `t` as `YYYY-MM-DD`.
   * @throws {InvalidArgumentError} for a time outside a Date's range.
   */
  dateOf(t: number): string {
    checkTime(t, 'dateOf');
    return this.localDate(t);
  }

  private localDate(t: number): string {
    // UTC between the years 1 and 9999: the Date's UTC fields give what the formatter would.
    if (this.timeZone === 'UTC' && t >= FIRST_PLAIN_YEAR && t < AFTER_PLAIN_YEARS) {
      const date = new Date(t);
      const y = date.getUTCFullYear();
      return `${y < 1000 ? String(y).padStart(4, '0') : y}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
    }
    let y = '';
    let m = '';
    let d = '';
    for (const part of this.fmt.formatToParts(t)) {
      if (part.type === 'year') y = part.value;
      else if (part.type === 'month') m = part.value;
      else if (part.type === 'day') d = part.value;
    }
    return `${y.padStart(4, '0')}-${m}-${d}`;
  }

  /**
   * The instant a wall clock in the zone shows `y-m-d h:mi:s.ms` (months and days from 1). In the hour
   * skipped when clocks go forward, the time is read with the offset before the change (02:30 on a
   * spring-forward night is 03:30 summer time); in the hour repeated when they go back, the earlier one.
   */
  wallTime(y: number, m: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
    const fields = [y, m, d, h, mi, s, ms];
    for (let i = 0; i < fields.length; i++) {
      const v = fields[i];
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new InvalidArgumentError(
          `wallTime(${WALL_FIELDS[i]})`,
          `expected a finite number, got ${describeValue(v)}`,
        );
    }
    try {
      return this.wallTimeChecked(y, m, d, h, mi, s, ms);
    } catch (err) {
      throw closedError(err, 'ZonedCalendar.wallTime');
    }
  }

  private wallTimeChecked(
    y: number,
    m: number,
    d: number,
    h: number,
    mi: number,
    s: number,
    ms: number,
  ): number {
    const wall = utcTime(y, m - 1, d, h, mi, s, ms);
    if (this.timeZone === 'UTC') return wall;
    // Offsets change at most once within a day either side: try the offset in force a day before and
    // the one a day after; the one that gives back the same wall time is right.
    const before = wall - this.offsetAt(wall - DAY);
    const after = wall - this.offsetAt(wall + DAY);
    const fits = (t: number) => t + this.offsetAt(t) === wall;
    if (fits(before)) return fits(after) ? Math.min(before, after) : before;
    return fits(after) ? after : before;
  }

  /** Zone offset at `t`, ms (local wall time minus UTC). */
  private offsetAt(t: number): number {
    this.timeFmt ??= new Intl.DateTimeFormat('en-US', {
      timeZone: this.timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    const f: Record<string, number> = {};
    for (const part of this.timeFmt.formatToParts(t)) f[part.type] = Number(part.value);
    const whole = t - (((t % 1000) + 1000) % 1000);
    return utcTime(f.year!, f.month! - 1, f.day!, f.hour!, f.minute!, f.second!) - whole;
  }

  private compute(t: number, unit: CalendarUnit): CalendarPeriod {
    const date = this.localDate(t);
    const n = dateNumber(date);
    const y = Math.floor(n / 10_000);
    const m = Math.floor(n / 100) % 100;
    const d = n % 100;
    if (unit === 'day') {
      const next = new Date(utcTime(y, m - 1, d + 1));
      return {
        key: date,
        start: this.startOf(y, m, d),
        end: this.startOf(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()),
      };
    }
    const ny = m === 12 ? y + 1 : y;
    const nm = m === 12 ? 1 : m + 1;
    return { key: date.slice(0, -3), start: this.startOf(y, m, 1), end: this.startOf(ny, nm, 1) };
  }

  /** First instant whose local date is on or after `y-m-d`. */
  private startOf(y: number, m: number, d: number): number {
    const target = y * 10_000 + m * 100 + d;
    // Every zone's offset is within −12h … +14h, so local midnight lies in this range.
    const utcMidnight = utcTime(y, m - 1, d);
    // In UTC a real date (not 02-30 or 13-01) starts at its midnight: no search.
    if (this.timeZone === 'UTC' && isRealDate(y, m, d)) return utcMidnight;
    let lo = utcMidnight - 15 * HOUR; // local date < target here
    let hi = utcMidnight + 13 * HOUR; // local date ≥ target here
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (dateNumber(this.localDate(mid)) >= target) hi = mid;
      else lo = mid;
    }
    return hi;
  }
}

/** The first instant of the year 1 and of the year 10000 (UTC), epoch ms: years written with four digits. */
const FIRST_PLAIN_YEAR = -62_135_596_800_000;
const AFTER_PLAIN_YEARS = 253_402_300_800_000;

/** A local date `YYYY-MM-DD`: four digits of year or more (past 9999), as {@link ZonedCalendar.dateOf} writes it. */
const DATE = /^(\d{4,6})-(\d{2})-(\d{2})$/;

/**
 * A date `YYYY-MM-DD` of {@link ZonedCalendar.dateOf} (years 0 and up, four digits or more) as the number
 * y·10⁴ + m·100 + d, which orders as the dates do. Compared as strings, a five-digit year sorted before
 * 9999.
 */
function dateNumber(date: string): number {
  const n = date.length;
  return (
    Number(date.slice(0, n - 6)) * 10_000 + Number(date.slice(n - 5, n - 3)) * 100 + Number(date.slice(n - 2))
  );
}

/**
 * @internal `Date.UTC` for every year: Date.UTC reads the years 0–99 as 1900–1999. Months from 0; fields
 * past their range carry over, as in Date.UTC. The time syntax reads dates with it too.
 */
export function utcTime(y: number, month0: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const t = new Date(0);
  t.setUTCFullYear(y, month0, d);
  return t.setUTCHours(h, mi, s, ms);
}

/** @internal True when `y-m-d` (months from 1) is a date of the calendar: no 02-30, no 13-01, any year. */
export function isRealDate(y: number, m: number, d: number): boolean {
  const date = new Date(utcTime(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** The zone's date formatter (year, month and day). */
function dateFormat(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
}

const WALL_FIELDS = ['y', 'm', 'd', 'h', 'mi', 's', 'ms'];

function badUnit(unit: unknown): never {
  throw new InvalidArgumentError('unit', `expected "day" or "month", got ${describeValue(unit)}`);
}

function checkTime(t: unknown, method: string): void {
  if (typeof t !== 'number' || !(t >= -MAX_TIME && t <= MAX_TIME))
    throw new InvalidArgumentError(
      `${method}(t)`,
      `expected epoch milliseconds within a Date's range, got ${describeValue(t)}`,
    );
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
