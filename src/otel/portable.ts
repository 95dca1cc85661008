/**
 * `langfuse-cost/otel` for any runtime (edge, browser, Bun, Deno): the OpenTelemetry span processor, and cost and token metrics (`attachCostMetrics`).
 * @packageDocumentation
 */
// Loaded first by every entry, so the whole core is one shared chunk (why: tsup.config.ts).
import '../index.js';

export { COST_ATTR, CostSpanProcessor, type CostSpanProcessorOptions } from './cost-span-processor.js';
export {
  attachCostMetrics,
  COST_METRIC,
  CostMetrics,
  type CostMetricsOptions,
  type CostRecordSource,
  METRIC_ATTR,
  TOKEN_USAGE_BUCKETS,
  TOKEN_USAGE_METRIC,
  UNPRICED_METRIC,
} from './metrics.js';
export type { CostRecorder, ProcessorSpan, SpanProcessorLike } from './types.js';
