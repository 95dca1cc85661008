import { describeValue, InvalidArgumentError } from './errors.js';

/** A minimal logger interface; pass your own (pino, winston, console) with `setLogger`. */
export interface Logger {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

const consoleLogger: Logger = {
  debug: () => {},
  info: (m, ...a) => console.info(`[langfuse-cost] ${m}`, ...a),
  warn: (m, ...a) => console.warn(`[langfuse-cost] ${m}`, ...a),
  error: (m, ...a) => console.error(`[langfuse-cost] ${m}`, ...a),
};

let current: Logger = consoleLogger;
const warned = new Set<string>();

/**
 * Replace the library's logger (defaults to console with a `[langfuse-cost]` prefix).
 * @throws {InvalidArgumentError} when `logger` has no `warn` method.
 */
export function setLogger(logger: Logger): void {
  let ok = false;
  try {
    ok = logger !== null && typeof logger === 'object' && typeof logger.warn === 'function';
  } catch {
    // a Proxy or getter that throws: not a logger
  }
  if (!ok) {
    throw new InvalidArgumentError(
      'logger',
      `expected a logger with a warn method, got ${describeValue(logger)}`,
    );
  }
  current = logger;
}

/** The library's current logger. */
export function getLogger(): Logger {
  return current;
}

/** Keys one set remembers; past it the set is cleared, so memory stays bounded. */
const MAX_WARNED_KEYS = 10_000;

/**
 * Warn once per key (e.g. once per unknown model name) to the library's logger, process-wide, so a
 * hot path cannot flood the log.
 */
export function warnOnce(key: string, message: string): void {
  remember(warned, key) && safeWarn(current, message);
}

/**
 * The one warn-once every component uses (tracker, handler, span processor, sinks): each key warns
 * once per logger. Warnings to the library's logger are deduplicated process-wide (as
 * {@link warnOnce}); those to a logger the user gave a component are deduplicated per logger.
 * Never throws, whatever the logger does.
 */
export class WarnOnce {
  private readonly byLogger = new WeakMap<Logger, Set<string>>();

  /** Warn `message` unless `key` already warned to this logger (default: the library's logger). */
  warn(key: string, message: string, logger?: Logger): void {
    if (logger === undefined) {
      warnOnce(key, message);
      return;
    }
    let seen = this.byLogger.get(logger);
    if (seen === undefined) {
      seen = new Set();
      this.byLogger.set(logger, seen);
    }
    if (remember(seen, key)) safeWarn(logger, message);
  }
}

/** Add `key`; false when it was there already. */
function remember(seen: Set<string>, key: string): boolean {
  if (seen.has(key)) return false;
  if (seen.size >= MAX_WARNED_KEYS) seen.clear();
  seen.add(key);
  return true;
}

function safeWarn(logger: Logger, message: string): void {
  try {
    logger.warn(message);
  } catch {
    // A logger that throws must not break the call that warned.
  }
}
