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

/** A token usage had a negative, NaN, fractional or absurd count, or an unknown bucket. */
export class InvalidUsageError extends LangfuseCostError {
  /** Path of the bad field, e.g. `usage.cacheRead`. */
  readonly path: string;
  constructor(path: string, message: string) {
    super('INVALID_USAGE', `${path}: ${message}`);
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
