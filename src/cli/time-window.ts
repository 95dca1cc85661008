import { LangfuseCostError } from '../errors.js';
import { ZonedCalendar } from '../tracker/calendar.js';
import { parseTimeSpec, TIME_SYNTAX } from '../tracker/time-syntax.js';
import { type ParsedArgs, strFlag } from './args.js';
import { CliError } from './command.js';

/**
 * The time window of every command that reads calls (`report`, `export`, `budget status`,
 * `dashboards run|html`, `langfuse reprice`): the same flags, the same syntax, the same default, so the
 * same ledger and flags give the same totals in each.
 */

/** Calls that started in `[from, to)`, epoch ms. */
export interface TimeWindow {
  /** First instant, inclusive; undefined without `--from`: from the first call on. */
  from: number | undefined;
  /** End, exclusive: `--to`, else the moment the command started. */
  to: number;
}

/** The default window, in words (help texts and docs/cli.md). */
export const DEFAULT_WINDOW = 'all time, up to now';

const WINDOW_FLAGS: readonly [flag: string, text: string][] = [
  [
    '--from TIME',
    'calls that started at or after TIME: an age (7d or -7d, 12h, 30m, 2w), now, today, yesterday, ' +
      'a date (2026-11-01) or a date-time (2026-11-01T10:00:00Z); dates and times without an offset ' +
      'are in --tz (default: all time)',
  ],
  [
    '--to TIME',
    'calls that started before TIME (default: now); a date, today or yesterday includes that whole day',
  ],
];

/** Usage lines are wrapped to this many columns. */
const HELP_COLUMNS = 100;

/**
 * The `--from`/`--to` lines of a command's usage, the same in every command. `width` is the column
 * the descriptions start at.
 */
export function windowHelp(width: number): string {
  const lines: string[] = [];
  for (const [flag, text] of WINDOW_FLAGS) {
    let line = `  ${flag}`.padEnd(width);
    let empty = true;
    for (const word of text.split(' ')) {
      if (!empty && line.length + 1 + word.length > HELP_COLUMNS) {
        lines.push(line);
        line = ' '.repeat(width);
        empty = true;
      }
      line += empty ? word : ` ${word}`;
      empty = false;
    }
    lines.push(line);
  }
  return lines.join('\n');
}

/** The environment variable of the zone without `--tz`. */
const TIMEZONE_VARIABLE = 'LANGFUSE_COST_TIMEZONE';

/**
 * The calendar of dates and days: `--tz`, else `param` (a dashboard's `--param timeZone=…`), else
 * `fallback` (the value of `LANGFUSE_COST_TIMEZONE`), else UTC. An unknown zone is a usage error that
 * names where it came from.
 */
export function calendarFlag(args: ParsedArgs, fallback?: string, param?: string): ZonedCalendar {
  const flag = strFlag(args, 'tz');
  const [tz, from] =
    flag !== undefined
      ? [flag, '--tz']
      : param !== undefined
        ? [param, '--param timeZone']
        : [fallback || undefined, TIMEZONE_VARIABLE];
  try {
    return new ZonedCalendar(tz);
  } catch (err) {
    if (err instanceof LangfuseCostError)
      throw new CliError(
        from === TIMEZONE_VARIABLE
          ? `${from}="${tz}" is not valid: ${err.message}`
          : `${from}: ${err.message}`,
        2,
      );
    throw err;
  }
}

/**
 * The window of `--from`/`--to` texts (absent: {@link DEFAULT_WINDOW}), read in the one time syntax.
 * A bad value or an empty window is a usage error naming the flag, the value and the accepted forms.
 */
export function timeWindow(
  texts: { from?: string; to?: string },
  cal: ZonedCalendar,
  now: number,
): TimeWindow {
  const read = (name: 'from' | 'to', day: 'start' | 'end') => {
    const v = texts[name];
    if (v === undefined) return undefined;
    const t = parseTimeSpec(v, { now, calendar: cal, day });
    if (t === undefined) throw new CliError(`--${name} "${v}" is not a time: use ${TIME_SYNTAX}`, 2);
    return t;
  };
  const from = read('from', 'start');
  const to = read('to', 'end') ?? now;
  if (from !== undefined && from >= to) {
    throw new CliError(
      `--from ${new Date(from).toISOString()} is not before --to ${new Date(to).toISOString()}${texts.to === undefined ? ' (now)' : ''}: the window is empty`,
      2,
    );
  }
  return { from, to };
}

/** The window of a command's `--from`/`--to` flags. */
export function windowFlags(args: ParsedArgs, cal: ZonedCalendar, now: number = Date.now()): TimeWindow {
  const from = strFlag(args, 'from');
  const to = strFlag(args, 'to');
  return timeWindow(
    { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) },
    cal,
    now,
  );
}

/** The window in words: `all time → 2026-12-04T07:38:29.000Z` or `2026-11-01T00:00:00.000Z → …`. */
export function describeWindow(w: TimeWindow): string {
  return `${w.from !== undefined ? new Date(w.from).toISOString() : 'all time'} → ${new Date(w.to).toISOString()}`;
}
