/**
 * `langfuse-cost`: exact, explainable cost for every LLM call — pricing catalog and calculator,
 * token-usage model and extractors, and the cost tracker. No runtime dependency; runs in Node, Bun
 * and edge runtimes.
 * @packageDocumentation
 */
export * from './errors.js';
export { toLangfuseCostDetails, toLangfuseUsageDetails } from './langfuse/cost-details.js';
export { getLogger, type Logger, setLogger, warnOnce } from './logger.js';
export * from './pricing/index.js';
export * from './tracker/index.js';
export * from './usage/index.js';
