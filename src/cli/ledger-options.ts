import { resolve } from 'node:path';
import { type EnvTrackerConfig, trackerConfigFromEnv } from '../node/env-config.js';
import { DEFAULT_LEDGER_PATH, listLedgerFiles } from '../node/ledger/files.js';
import { ZonedCalendar } from '../tracker/calendar.js';
import type { ParsedArgs } from './args.js';
import { strFlag } from './args.js';
import { CliError, type CliIO } from './command.js';

/** Environment settings for the ledger commands (strict: a bad variable is an error). */
export function envConfig(io: CliIO): EnvTrackerConfig {
  try {
    return trackerConfigFromEnv(io.env, { strict: true, cwd: io.cwd });
  } catch (err) {
    throw new CliError(`${(err as Error).message} (fix or unset the variable)`, 2);
  }
}

/**
 * The ledger path: `--ledger`, else `LANGFUSE_COST_LEDGER`, else the default. Fails with a clear
 * message when no ledger file exists there.
 */
export function ledgerPath(args: ParsedArgs, io: CliIO, env: EnvTrackerConfig): string {
  const flag = strFlag(args, 'ledger');
  const path =
    flag !== undefined ? resolve(io.cwd, flag) : (env.ledger ?? resolve(io.cwd, DEFAULT_LEDGER_PATH));
  if (flag === undefined && env.ledger === null) {
    throw new CliError('LANGFUSE_COST_LEDGER is "off": pass --ledger PATH to read a ledger', 2);
  }
  if (listLedgerFiles(path).length === 0) {
    throw new CliError(
      `no ledger at ${path}.\n` +
        'A ledger is written by the default tracker (getDefaultTracker() from langfuse-cost/node, used by\n' +
        'CostCallbackHandler and CostSpanProcessor) or by a JsonlLedgerSink. Run your app once with it, or\n' +
        'point to an existing ledger with --ledger PATH or LANGFUSE_COST_LEDGER.',
    );
  }
  return path;
}

/** The time zone: `--tz`, else `LANGFUSE_COST_TIMEZONE`, else UTC. */
export function timeZone(args: ParsedArgs, env: EnvTrackerConfig): ZonedCalendar {
  const tz = strFlag(args, 'tz') ?? env.timeZone;
  try {
    return new ZonedCalendar(tz);
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
}

const RELATIVE = /^(\d+)\s*(m|min|h|d|w)$/i;
const UNIT_MS: Record<string, number> = {
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Parse `--from` / `--to`: an ISO date-time, a date (`YYYY-MM-DD`, a day in the zone: `--to` includes
 * that whole day), or an age such as `30m`, `24h`, `7d`, `2w` (that long before now).
 */
export function timeFlag(
  args: ParsedArgs,
  name: 'from' | 'to',
  cal: ZonedCalendar,
  now = Date.now(),
): number | undefined {
  const v = strFlag(args, name);
  if (v === undefined) return undefined;
  const rel = RELATIVE.exec(v.trim());
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]!.toLowerCase()]!;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const start = cal.dayStart(v);
    return name === 'from' ? start : cal.period(start, 'day').end;
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) {
    throw new CliError(
      `--${name} "${v}" is not a time: use 2026-11-01, 2026-11-01T10:00:00Z, or an age such as 7d`,
      2,
    );
  }
  return t;
}

/** JSON.stringify replacer that writes BigInt values as strings. */
export function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
