import { closedError } from '../errors.js';
import { parseTimeSpec, TIME_SYNTAX } from '../tracker/time-syntax.js';
import type { Dashboard, DashboardParam } from './catalog.js';
import { DashboardError } from './catalog.js';

/** A parameter value as a caller may give it; strings are parsed by the declared type. */
export type DashboardParamValue = string | number | bigint | boolean | Date;

/** Options for {@link bindParams}. */
export interface BindParamsOptions {
  /** The moment `now`, `-30d`, `today` are relative to (default: the current time). */
  now?: Date | number;
  /** Reject values for parameters the dashboard does not declare (default false: they are ignored). */
  strict?: boolean;
}

/**
 * Parse a point in time in the library's one time syntax ({@link TIME_SYNTAX}): `now`, `today`
 * (UTC midnight), an age `-30d` / `30d` / `-12h` / `-15m` / `-2w` (before `now`; `+2h` after), an ISO
 * date (`2026-11-01`, UTC midnight), an ISO date-time (UTC unless it carries `Z` or an offset), epoch
 * seconds or epoch milliseconds, or a Date. Returns epoch milliseconds.
 */
export function parseTimeValue(value: DashboardParamValue, now: number = Date.now()): number {
  try {
    return parseTimeValueUnchecked(value, now);
  } catch (err) {
    throw closedError(err, 'parseTimeValue');
  }
}

function parseTimeValueUnchecked(value: DashboardParamValue, now: number = Date.now()): number {
  if (value instanceof Date) {
    const t = value.getTime();
    if (Number.isNaN(t)) throw new DashboardError('invalid Date');
    return t;
  }
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
  const s = String(value).trim();
  const t = parseTimeSpec(s, { now });
  if (t === undefined) throw new DashboardError(`cannot read "${s}" as a time: use ${TIME_SYNTAX}`);
  return t;
}

/**
 * The first and last instant a time parameter reaches, epoch ms: ClickHouse's `DateTime64` from
 * 1900-01-01 to 9999-12-31 23:59:59.999 (UTC). A time outside is bound at the nearer end, so
 * `--from 0000-01-01` or `--to 9999-12-31` is an open end, not an error; the ledger's calls before
 * 1970 are inside the range (epoch 0 was the dashboards' first instant).
 */
export const EARLIEST_PARAM_TIME = -2_208_988_800_000;
/** See {@link EARLIEST_PARAM_TIME}. */
export const LATEST_PARAM_TIME = 253_402_300_799_999;

/** @internal `ms` bound to {@link EARLIEST_PARAM_TIME} … {@link LATEST_PARAM_TIME}: the nearer end outside. */
export function boundParamTime(ms: number): number {
  return Math.min(LATEST_PARAM_TIME, Math.max(EARLIEST_PARAM_TIME, ms));
}

/**
 * ClickHouse's time-zone-free text form of an instant: Unix seconds with milliseconds, e.g.
 * `1763805600.123` (`-1.500` before 1970), bound to {@link EARLIEST_PARAM_TIME} … {@link LATEST_PARAM_TIME}.
 */
export function formatEpochParam(ms: number): string {
  try {
    return formatEpochParamUnchecked(ms);
  } catch (err) {
    throw closedError(err, 'formatEpochParam');
  }
}

function formatEpochParamUnchecked(ms: number): string {
  if (!Number.isFinite(ms)) throw new DashboardError(`time ${ms} is not finite`);
  const whole = boundParamTime(Math.floor(ms));
  // Sign, then the magnitude's seconds and milliseconds: -1500 ms is -1.500 (not -2.500).
  const size = Math.abs(whole);
  return `${whole < 0 ? '-' : ''}${Math.floor(size / 1000)}.${String(size % 1000).padStart(3, '0')}`;
}

const INT_RANGES: Record<string, [bigint, bigint]> = {
  UInt8: [0n, 255n],
  UInt16: [0n, 65_535n],
  UInt32: [0n, 4_294_967_295n],
  UInt64: [0n, 18_446_744_073_709_551_615n],
  Int8: [-128n, 127n],
  Int16: [-32_768n, 32_767n],
  Int32: [-2_147_483_648n, 2_147_483_647n],
  Int64: [-9_223_372_036_854_775_808n, 9_223_372_036_854_775_807n],
};

function unwrap(type: string): string {
  const m = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(type.trim());
  return m ? unwrap(m[1]!) : type.trim();
}

function decimalScale(type: string): number | undefined {
  const m = /^Decimal(?:32|64|128|256)\((\d+)\)$/.exec(type) ?? /^Decimal\(\d+,\s*(\d+)\)$/.exec(type);
  return m ? Number(m[1]) : undefined;
}

/**
 * Turn one value into the text ClickHouse parses for `type`, checking it first so a bad value fails here
 * with the parameter's name rather than deep in the server. The text is sent as a bound parameter,
 * never spliced into SQL.
 */
export function formatParamValue(param: DashboardParam, value: DashboardParamValue, now: number): string {
  try {
    return formatParamValueUnchecked(param, value, now);
  } catch (err) {
    throw closedError(err, 'formatParamValue');
  }
}

function formatParamValueUnchecked(param: DashboardParam, value: DashboardParamValue, now: number): string {
  const type = unwrap(param.type);
  const bad = (why: string) =>
    new DashboardError(
      `parameter ${param.name} (${param.type}): ${why}, got ${JSON.stringify(String(value))}`,
    );
  if (/^DateTime64\(\d+(,.*)?\)$/.test(type) || type === 'DateTime' || /^DateTime\(/.test(type)) {
    return formatEpochParam(parseTimeValue(value, now));
  }
  if (type === 'Date' || type === 'Date32') {
    return new Date(parseTimeValue(value, now)).toISOString().slice(0, 10);
  }
  const range = INT_RANGES[type];
  if (range) {
    const s = String(value).trim();
    if (!/^-?\d+$/.test(s)) throw bad('expected an integer');
    const n = BigInt(s);
    if (n < range[0] || n > range[1]) throw bad(`out of range ${range[0]}..${range[1]}`);
    return n.toString();
  }
  if (type === 'Float32' || type === 'Float64') {
    const n = typeof value === 'number' ? value : Number(String(value).trim());
    if (!Number.isFinite(n) || String(value).trim() === '') throw bad('expected a finite number');
    return String(n);
  }
  const scale = decimalScale(type);
  if (scale !== undefined) {
    const s = typeof value === 'number' ? numberToPlain(value) : String(value).trim();
    const m = /^-?\d+(?:\.(\d+))?$/.exec(s);
    if (!m) throw bad('expected a decimal number like 12.5');
    if ((m[1]?.length ?? 0) > scale) throw bad(`more than ${scale} decimal places`);
    return s;
  }
  if (type === 'Bool') {
    const s = String(value).trim().toLowerCase();
    if (['true', '1', 'yes'].includes(s)) return 'true';
    if (['false', '0', 'no'].includes(s)) return 'false';
    throw bad('expected true or false');
  }
  // String and anything else: the server parses the text as data of the declared type.
  return String(value);
}

function numberToPlain(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toFixed(20).replace(/\.?0+$/, '');
}

/** Names every dashboard must declare so every source can filter and scope it. */
export const REQUIRED_PARAMS = ['projectId', 'from', 'to'] as const;

/**
 * Resolve a dashboard's parameters: given values (parsed by declared type), then header defaults.
 * Returns the bound-parameter map to send with the query, text per name.
 */
export function bindParams(
  dashboard: Dashboard,
  values: Record<string, DashboardParamValue | undefined>,
  options: BindParamsOptions = {},
): Record<string, string> {
  try {
    return bindParamsUnchecked(dashboard, values, options);
  } catch (err) {
    throw closedError(err, 'bindParams');
  }
}

function bindParamsUnchecked(
  dashboard: Dashboard,
  values: Record<string, DashboardParamValue | undefined>,
  options: BindParamsOptions = {},
): Record<string, string> {
  const now = options.now === undefined ? Date.now() : Number(options.now);
  const declared = new Map(dashboard.params.map((p) => [p.name, p]));
  if (options.strict) {
    for (const k of Object.keys(values)) {
      if (values[k] !== undefined && !declared.has(k)) {
        throw new DashboardError(
          `dashboard ${dashboard.name} has no parameter "${k}" (it has: ${dashboard.params.map((p) => p.name).join(', ')})`,
        );
      }
    }
  }
  const out: Record<string, string> = {};
  for (const p of dashboard.params) {
    const v = values[p.name] ?? p.default;
    if (v === undefined)
      throw new DashboardError(`dashboard ${dashboard.name} needs parameter ${p.name} (${p.type})`);
    out[p.name] = formatParamValue(p, v, now);
  }
  return out;
}
