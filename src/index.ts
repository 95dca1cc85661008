/**
 * `langfuse-cost`: exact, explainable cost for every LLM call — pricing catalog and calculator,
 * token-usage model and extractors, and the cost tracker. No runtime dependency; runs in Node, Bun
 * and edge runtimes.
 * @packageDocumentation
 */
export * from './errors.js';
export {
  DROPPED_QUOTE,
  describeError,
  ERROR_DETAILS,
  type ErrorDetail,
  errorClassName,
  errorHttpStatus,
  MAX_ERROR_TEXT,
  MAX_LOG_TEXT,
  REDACTED,
  redactErrorText,
  redactSecrets,
  SECRET_RULES,
  type SecretRule,
} from './ledger/redact.js';
export { getLogger, type Logger, setLogger, warnOnce } from './logger.js';
export * from './pricing/index.js';
export * from './tracker/index.js';
export { toLangfuseCostDetails, toLangfuseUsageDetails } from './usage/details.js';
export * from './usage/index.js';
