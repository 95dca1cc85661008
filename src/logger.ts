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

/**
 * Warn once per key (e.g. once per unknown model name), so a hot path cannot flood the log.
 * The set of keys is bounded; past 10,000 keys it is cleared.
 */
export function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  if (warned.size >= 10_000) warned.clear();
  warned.add(key);
  try {
    current.warn(message);
  } catch {
    // A logger that throws must not break the call that warned.
  }
}
