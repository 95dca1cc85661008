import { resolve } from 'node:path';
import { closedError, LangfuseCostError } from '../errors.js';
import { warnOnce } from '../logger.js';
import type { BudgetConfig, BudgetLimit, BudgetPeriod } from '../tracker/budgets.js';
import { ZonedCalendar } from '../tracker/calendar.js';
import { DEFAULT_LEDGER_PATH } from './ledger/files.js';
import type { LedgerRotation } from './ledger/jsonl-sink.js';

/**
 * Environment variables read by {@link trackerConfigFromEnv} (and so by `getDefaultTracker()` and the
 * `budget status` command):
 *
 * | Variable | Meaning |
 * |---|---|
 * | `LANGFUSE_COST_DAILY_LIMIT` | USD per calendar day (e.g. `5`, `$5`, `1,000`) |
 * | `LANGFUSE_COST_MONTHLY_LIMIT` | USD per calendar month |
 * | `LANGFUSE_COST_SESSION_LIMIT` | USD per session id (period `total`, or `LANGFUSE_COST_SESSION_PERIOD`) |
 * | `LANGFUSE_COST_USER_LIMIT` | USD per user id (period `day`, or `LANGFUSE_COST_USER_PERIOD`) |
 * | `LANGFUSE_COST_TENANT_LIMIT` | USD per tenant id (period `day`, or `LANGFUSE_COST_TENANT_PERIOD`) |
 * | `LANGFUSE_COST_WARNING_THRESHOLD` | warning alert at this share of a limit: `0.8`, `80` or `80%` (default 0.8) |
 * | `LANGFUSE_COST_CRITICAL_THRESHOLD` | critical alert (default 0.95) |
 * | `LANGFUSE_COST_ENFORCE` | `true`/`1`/`yes`/`on`: refuse calls once a limit is reached |
 * | `LANGFUSE_COST_TIMEZONE` | IANA zone of calendar days and months (default `UTC`) |
 * | `LANGFUSE_COST_LEDGER` | ledger path (default `.langfuse-cost/ledger.jsonl`), or `off` |
 * | `LANGFUSE_COST_LEDGER_ROTATE` | `daily`, a size such as `100MB`, or both: `daily,100MB` |
 * | `LANGFUSE_TRACING_ENVIRONMENT` | environment of every call that names none (the Langfuse SDKs' variable) |
 */
export const TRACKER_ENV_VARS = [
  'LANGFUSE_COST_DAILY_LIMIT',
  'LANGFUSE_COST_MONTHLY_LIMIT',
  'LANGFUSE_COST_SESSION_LIMIT',
  'LANGFUSE_COST_USER_LIMIT',
  'LANGFUSE_COST_TENANT_LIMIT',
  'LANGFUSE_COST_SESSION_PERIOD',
  'LANGFUSE_COST_USER_PERIOD',
  'LANGFUSE_COST_TENANT_PERIOD',
  'LANGFUSE_COST_WARNING_THRESHOLD',
  'LANGFUSE_COST_CRITICAL_THRESHOLD',
  'LANGFUSE_COST_ENFORCE',
  'LANGFUSE_COST_TIMEZONE',
  'LANGFUSE_COST_LEDGER',
  'LANGFUSE_COST_LEDGER_ROTATE',
  'LANGFUSE_TRACING_ENVIRONMENT',
] as const;

/** Tracker settings read from the environment. */
export interface EnvTrackerConfig {
  /** Budgets (empty when no limit is set). */
  budgets: BudgetConfig;
  /** Refuse calls once a hard limit is reached. */
  enforce: boolean;
  /** IANA zone of calendar periods. */
  timeZone: string;
  /** Absolute ledger path, or null when the ledger is `off`. */
  ledger: string | null;
  /** Ledger rotation, when set. */
  rotate?: LedgerRotation;
  /** `LANGFUSE_TRACING_ENVIRONMENT`: the environment of calls that name none, when set. */
  environment?: string;
}

/** Options of {@link trackerConfigFromEnv}. */
export interface EnvConfigOptions {
  /** Throw on a bad value (CLI) instead of warning and ignoring it (library default). */
  strict?: boolean;
  /** Base of a relative ledger path (default `process.cwd()`). */
  cwd?: string;
}

const OFF = new Set(['off', 'false', '0', 'no', 'none', 'disabled']);
const ON = new Set(['true', '1', 'yes', 'on']);

/**
 * A USD amount as written: digits, either in thousands groups with commas (`1,000`) or with `_` between
 * digits (`1_000`), then decimals after a point. A comma anywhere else is not a separator: `1,5` (a
 * decimal comma) would otherwise read as 15.
 */
const USD_AMOUNT = /^(?:[1-9]\d{0,2}(?:,\d{3})+|\d+(?:_\d+)*)(?:\.\d+)?$/;

/** Parse a USD amount such as `5`, `$5`, `1,000.50`; null for anything else (`1,5`, `1e3`, `-5`). */
export function parseUsd(text: string): number | null {
  try {
    return parseUsdUnchecked(text);
  } catch (err) {
    throw closedError(err, 'parseUsd');
  }
}

function parseUsdUnchecked(text: string): number | null {
  const s = text.trim().replace(/^\$/, '');
  if (!USD_AMOUNT.test(s)) return null;
  return Number(s.replace(/[,_]/g, ''));
}

/** Parse a threshold: `0.8`, `80`, `80%` → 0.8. */
export function parseThreshold(text: string): number | null {
  try {
    return parseThresholdUnchecked(text);
  } catch (err) {
    throw closedError(err, 'parseThreshold');
  }
}

function parseThresholdUnchecked(text: string): number | null {
  const s = text.trim();
  const pct = s.endsWith('%');
  const n = Number(pct ? s.slice(0, -1) : s);
  if (!Number.isFinite(n) || n <= 0) return null;
  const f = pct || n > 1 ? n / 100 : n;
  return f > 0 && f <= 1 ? f : null;
}

/** Parse a byte size: `1048576`, `100MB`, `1.5GiB`, `500k`. */
export function parseBytes(text: string): number | null {
  try {
    return parseBytesUnchecked(text);
  } catch (err) {
    throw closedError(err, 'parseBytes');
  }
}

function parseBytesUnchecked(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(i?b)?$/i.exec(text.trim());
  if (!m) return null;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = Math.floor(Number(m[1]) * mult);
  return n > 0 ? n : null;
}

/**
 * Read tracker settings from environment variables (see {@link TRACKER_ENV_VARS}). Bad values are
 * warned about and ignored, or thrown with `strict`.
 * @throws {LangfuseCostError} `INVALID_ENV` in strict mode.
 */
export function trackerConfigFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  options: EnvConfigOptions = {},
): EnvTrackerConfig {
  try {
    return trackerConfigFromEnvUnchecked(env, options);
  } catch (err) {
    throw closedError(err, 'trackerConfigFromEnv');
  }
}

function trackerConfigFromEnvUnchecked(
  env: NodeJS.ProcessEnv = process.env,
  options: EnvConfigOptions = {},
): EnvTrackerConfig {
  const bad = (name: string, value: string, expected: string) => {
    const msg = `${name}="${value}" is not valid: expected ${expected}`;
    if (options.strict) throw new LangfuseCostError('INVALID_ENV', msg);
    warnOnce(`env:${name}:${value}`, `${msg}; ignoring it`);
  };
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  let warning: number | undefined;
  let critical: number | undefined;
  const w = get('LANGFUSE_COST_WARNING_THRESHOLD');
  if (w !== undefined) {
    const f = parseThreshold(w);
    if (f === null) bad('LANGFUSE_COST_WARNING_THRESHOLD', w, 'a share of the limit such as 0.8, 80 or 80%');
    else warning = f;
  }
  const c = get('LANGFUSE_COST_CRITICAL_THRESHOLD');
  if (c !== undefined) {
    const f = parseThreshold(c);
    if (f === null)
      bad('LANGFUSE_COST_CRITICAL_THRESHOLD', c, 'a share of the limit such as 0.95, 95 or 95%');
    else critical = f;
  }
  if (warning !== undefined && critical !== undefined && warning > critical) {
    bad(
      'LANGFUSE_COST_WARNING_THRESHOLD',
      String(warning),
      `a share not above the critical threshold (${critical})`,
    );
    warning = undefined;
  } else if (warning !== undefined && critical === undefined && warning > 0.95) {
    critical = warning;
  } else if (critical !== undefined && warning === undefined && critical < 0.8) {
    warning = critical;
  }

  const limit = (name: string, periodVar?: string): BudgetLimit | undefined => {
    const v = get(name);
    if (v === undefined) return undefined;
    const usd = parseUsd(v);
    if (usd === null) {
      bad(name, v, 'an amount of USD such as 5 or 12.50');
      return undefined;
    }
    const out: BudgetLimit = { limit: usd };
    if (warning !== undefined) out.warning = warning;
    if (critical !== undefined) out.critical = critical;
    if (periodVar) {
      const p = get(periodVar);
      if (p !== undefined) {
        const lp = p.toLowerCase();
        if (lp === 'day' || lp === 'month' || lp === 'total') out.period = lp as BudgetPeriod;
        else bad(periodVar, p, 'day, month or total');
      }
    }
    return out;
  };

  const budgets: BudgetConfig = {};
  const daily = limit('LANGFUSE_COST_DAILY_LIMIT');
  if (daily) budgets.daily = daily;
  const monthly = limit('LANGFUSE_COST_MONTHLY_LIMIT');
  if (monthly) budgets.monthly = monthly;
  const session = limit('LANGFUSE_COST_SESSION_LIMIT', 'LANGFUSE_COST_SESSION_PERIOD');
  if (session) budgets.perSession = session;
  const user = limit('LANGFUSE_COST_USER_LIMIT', 'LANGFUSE_COST_USER_PERIOD');
  if (user) budgets.perUser = user;
  const tenant = limit('LANGFUSE_COST_TENANT_LIMIT', 'LANGFUSE_COST_TENANT_PERIOD');
  if (tenant) budgets.perTenant = tenant;

  let enforce = false;
  const e = get('LANGFUSE_COST_ENFORCE');
  if (e !== undefined) {
    const le = e.toLowerCase();
    if (ON.has(le)) enforce = true;
    else if (!OFF.has(le)) bad('LANGFUSE_COST_ENFORCE', e, 'true or false');
  }

  let timeZone = 'UTC';
  const tz = get('LANGFUSE_COST_TIMEZONE');
  if (tz !== undefined) {
    try {
      timeZone = new ZonedCalendar(tz).timeZone;
    } catch {
      bad('LANGFUSE_COST_TIMEZONE', tz, 'an IANA time zone such as UTC or Europe/Berlin');
    }
  }

  const base = options.cwd ?? process.cwd();
  const l = get('LANGFUSE_COST_LEDGER');
  const ledger = l !== undefined && OFF.has(l.toLowerCase()) ? null : resolve(base, l ?? DEFAULT_LEDGER_PATH);

  const out: EnvTrackerConfig = { budgets, enforce, timeZone, ledger };
  const r = get('LANGFUSE_COST_LEDGER_ROTATE');
  if (r !== undefined) {
    const rotate: LedgerRotation = {};
    for (const part of r
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      if (part.toLowerCase() === 'daily') rotate.daily = true;
      else {
        const n = parseBytes(part);
        if (n === null) bad('LANGFUSE_COST_LEDGER_ROTATE', part, '"daily" or a size such as 100MB');
        else rotate.maxBytes = n;
      }
    }
    if (rotate.daily || rotate.maxBytes !== undefined) out.rotate = rotate;
  }
  const environment = get('LANGFUSE_TRACING_ENVIRONMENT');
  if (environment !== undefined) out.environment = environment;
  return out;
}
