/**
 * Typed errors thrown by the library API. Adapters (LangChain handler, span processor)
 * never let these escape into the host's LLM call except {@link BudgetExceededError}
 * when the user asked for enforcement.
 */

/** Base class of every error this library throws. `code` is stable and machine-readable. */
export class LangfuseCostError extends Error {
  /** Stable machine-readable code, e.g. `INVALID_USAGE`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LangfuseCostError';
    this.code = code;
  }
}

/**
 * A pricing query had a bad field: a token usage with a negative, NaN, fractional or absurd count
 * or an unknown bucket, or a `model`, `provider` or `at` of the wrong type or value.
 */
export class InvalidUsageError extends LangfuseCostError {
  /** Path of the bad field, e.g. `usage.cacheRead`. */
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('INVALID_USAGE', `${path}: ${message}`, options);
    this.name = 'InvalidUsageError';
    this.path = path;
  }
}

/** A service tier other than `standard`, `priority`, `flex` or `batch` was requested. */
export class UnknownServiceTierError extends LangfuseCostError {
  constructor(tier: string) {
    super(
      'UNKNOWN_SERVICE_TIER',
      `unknown service tier "${tier}": use one of standard, priority, flex, batch (or leave it unset)`,
    );
    this.name = 'UnknownServiceTierError';
  }
}

/** One problem found while validating a price catalog. */
export interface CatalogIssue {
  /** JSON path of the bad field, e.g. `models[3].prices.input`. */
  path: string;
  /** What is wrong and what to do. */
  message: string;
}

/** A price catalog (file or object) failed validation. `issues` lists every bad field with its path. */
export class CatalogValidationError extends LangfuseCostError {
  readonly issues: CatalogIssue[];
  /** Where the catalog came from (file path or a label), when known. */
  readonly origin: string | undefined;
  constructor(issues: CatalogIssue[], origin?: string) {
    const head = origin ? `invalid price catalog ${origin}` : 'invalid price catalog';
    const lines = issues.slice(0, 20).map((i) => `  - ${i.path}: ${i.message}`);
    if (issues.length > 20) lines.push(`  … and ${issues.length - 20} more`);
    super('INVALID_CATALOG', `${head}:\n${lines.join('\n')}`);
    this.name = 'CatalogValidationError';
    this.issues = issues;
    this.origin = origin;
  }
}

/** Details carried by a {@link BudgetExceededError}. */
export interface BudgetExceededDetails {
  /** Which budget: `daily`, `monthly`, `session`, `user` or `tenant`. */
  scope: string;
  /** The session/user/tenant id for scoped budgets. */
  key?: string;
  /** Spend so far in the period, USD. */
  spent: number;
  /** The hard limit, USD. */
  limit: number;
  /** Period label, e.g. `2026-11-22` or `2026-11`. */
  period?: string;
}

/** Raised before a call starts when enforcement is on and a hard budget limit is already reached. */
export class BudgetExceededError extends LangfuseCostError {
  readonly details: BudgetExceededDetails;
  constructor(details: BudgetExceededDetails) {
    const who = details.key ? ` ${details.key}` : '';
    super(
      'BUDGET_EXCEEDED',
      `${details.scope} budget${who} exceeded: spent $${details.spent.toFixed(6)} of $${details.limit} limit` +
        (details.period ? ` (period ${details.period})` : '') +
        '. Raise the limit or wait for the next period.',
    );
    this.name = 'BudgetExceededError';
    this.details = details;
  }
}

/**
 * An argument of a public function had the wrong type or an impossible value (an object where a
 * string belongs, a getter that threw, a cyclic or otherwise unreadable value). The original error,
 * if any, is the `cause`.
 */
export class InvalidArgumentError extends LangfuseCostError {
  /** Path of the bad argument or field, e.g. `options.timeZone`. */
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('INVALID_ARGUMENT', `${path}: ${message}`, options);
    this.name = 'InvalidArgumentError';
    this.path = path;
  }
}

/**
 * `CostTracker.record`, `recordUnpriced` or `recordFailure` was given something that would corrupt
 * the totals: a cost that is not a non-negative safe integer number of picodollars, a `total` that
 * disagrees with `totalPico` or with the sum of `costs`, an invalid usage, an invalid date or
 * duration, attribution of the wrong type, or an object whose fields cannot be read. Nothing is
 * recorded; the tracker counts the rejection (`tracker.health().rejected`).
 */
export class InvalidRecordError extends LangfuseCostError {
  /** Path of the bad field, e.g. `result.totalPico` or `ctx.endTime`. */
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('INVALID_RECORD', `${path}: ${message}`, options);
    this.name = 'InvalidRecordError';
    this.path = path;
  }
}

/**
 * @internal The closed error contract at a public function's boundary: a `LangfuseCostError` passes
 * as it is; anything else thrown while reading the arguments (a getter or Proxy trap that throws,
 * `undefined` where an object belongs, a cycle, a BigInt) becomes an `InvalidArgumentError` naming the
 * function, with the original error as `cause`.
 */
export function closedError(err: unknown, fn: string): LangfuseCostError {
  try {
    if (err instanceof LangfuseCostError) return err;
  } catch {
    // a thrown Proxy whose getPrototypeOf trap throws
  }
  let text: string;
  try {
    const m = err instanceof Error ? err.message : undefined;
    text = typeof m === 'string' ? m.slice(0, 200) : describeValue(err);
  } catch {
    text = 'unreadable error';
  }
  const name = typeof fn === 'string' ? fn : 'function';
  return new InvalidArgumentError(`${name}()`, `invalid arguments (${text})`, { cause: err });
}

/**
 * A short, safe description of any value for error messages: never converts it to a primitive
 * (no `toString`, no `valueOf`, no getters), never throws, at most ~60 characters.
 */
export function describeValue(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(v);
    case 'bigint':
      return 'a bigint';
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default:
      if (v === null) return 'null';
      try {
        return Array.isArray(v) ? 'an array' : v instanceof Date ? 'a Date' : 'an object';
      } catch {
        // Array.isArray throws on a revoked Proxy.
        return 'an unreadable object';
      }
  }
}
