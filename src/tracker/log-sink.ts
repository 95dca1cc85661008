import { closedError, describeValue, InvalidArgumentError } from '../errors.js';
import type { CostRecord } from '../ledger/record.js';
import { getLogger, type Logger } from '../logger.js';
import { picoToDecimalString } from '../pricing/money.js';
import { totalTokens } from '../usage/token-usage.js';
import type { CostSink } from './sink.js';

/**
 * USD as `$0.005625`: exact, at least 6 decimals, more when the amount needs them
 * (`$0.0000005`), never scientific notation.
 */
export function formatLogCost(pico: number): string {
  try {
    return formatLogCostUnchecked(pico);
  } catch (err) {
    throw closedError(err, 'formatLogCost');
  }
}

function formatLogCostUnchecked(pico: number): string {
  const s = picoToDecimalString(pico);
  const dot = s.indexOf('.');
  let end = s.length;
  while (end > dot + 7 && s[end - 1] === '0') end--;
  return `$${s.slice(0, end)}`;
}

function value(v: string): string {
  return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
}

/**
 * One grep-able line per call:
 * `model=gpt-4o tokens=1500 cost=$0.005625 source=catalog duration=812ms`, followed by
 * `status=error error="…"`, `estimated=true`, `provided=$…`, `session=…`, `user=…`, `tenant=…`,
 * `operation=…` when they apply. Unpriced calls show `cost=unpriced`.
 */
export function formatLogLine(r: CostRecord): string {
  try {
    return formatLogLineUnchecked(r);
  } catch (err) {
    throw closedError(err, 'formatLogLine');
  }
}

function formatLogLineUnchecked(r: CostRecord): string {
  let s = `model=${value(r.model)} tokens=${totalTokens(r.usage)} cost=${
    r.unpriced ? 'unpriced' : formatLogCost(r.totalPico)
  } source=${r.source} duration=${Math.round(r.durationMs)}ms`;
  if (r.status !== 'success') s += ` status=${r.status}`;
  if (r.error !== undefined) s += ` error=${JSON.stringify(r.error)}`;
  if (r.estimated) s += ' estimated=true';
  if (r.providedCost !== undefined) s += ` provided=${formatLogCost(Math.round(r.providedCost * 1e12))}`;
  if (r.sessionId !== undefined) s += ` session=${value(r.sessionId)}`;
  if (r.userId !== undefined) s += ` user=${value(r.userId)}`;
  if (r.tenantId !== undefined) s += ` tenant=${value(r.tenantId)}`;
  if (r.operation !== undefined) s += ` operation=${value(r.operation)}`;
  return s;
}

/** Options of {@link LogSink}. */
export interface LogSinkOptions {
  /** Where lines go: a function, or a {@link Logger}; default the library logger (`setLogger`). */
  log?: ((line: string) => void) | Logger;
  /** Logger level used when `log` is a Logger (default `info`). */
  level?: 'debug' | 'info' | 'warn';
  /** Custom line format (default {@link formatLogLine}). */
  format?: (record: CostRecord) => string;
}

/** A sink that logs one line per call (see {@link formatLogLine}). */
export class LogSink implements CostSink {
  private readonly out: (line: string) => void;
  private readonly format: (record: CostRecord) => string;

  /** @throws {InvalidArgumentError} for options of the wrong type. */
  constructor(options: LogSinkOptions = {}) {
    let level: unknown;
    let log: unknown;
    let format: unknown;
    try {
      if (typeof options !== 'object' || options === null)
        throw new InvalidArgumentError('options', `expected an object, got ${describeValue(options)}`);
      ({ level = 'info', log, format = formatLogLine } = options);
    } catch (err) {
      throw closedError(err, 'new LogSink');
    }
    if (level !== 'debug' && level !== 'info' && level !== 'warn')
      throw new InvalidArgumentError(
        'options.level',
        `expected debug, info or warn, got ${describeValue(level)}`,
      );
    if (typeof format !== 'function')
      throw new InvalidArgumentError('options.format', `expected a function, got ${describeValue(format)}`);
    this.format = format as (record: CostRecord) => string;
    if (typeof log === 'function') this.out = log as (line: string) => void;
    else if (log !== undefined) {
      const logger = log as Logger;
      let method: unknown;
      try {
        method = logger[level];
      } catch (err) {
        throw closedError(err, 'new LogSink');
      }
      if (typeof method !== 'function')
        throw new InvalidArgumentError(
          'options.log',
          `expected a function or a logger with a ${level} method`,
        );
      this.out = (line) => logger[level as 'info'](line);
    }
    // Resolve the library logger per line, so a later setLogger() takes effect.
    else this.out = (line) => getLogger()[level as 'info'](line);
  }

  /** Log the line of `record`. @throws {LangfuseCostError} when the record, format or logger fails. */
  write(record: CostRecord): void {
    try {
      this.out(this.format(record));
    } catch (err) {
      throw closedError(err, 'LogSink.write');
    }
  }
}
