/**
 * `langfuse-cost/otel` for any runtime (edge, browser, Bun, Deno): the OpenTelemetry span processor, and cost and token metrics (`attachCostMetrics`).
 * @packageDocumentation
 */
// Every entry loads the root entry first, so that every module of the core is reached from every
// entry: the bundler (esbuild, code splitting) then emits the whole core as ONE shared chunk instead
// of one chunk per set of entries that reach a module, and `import 'langfuse-cost'` loads 2 files
// instead of 12 (a cold start ~5 ms shorter; bench/cold-start.ts). The core stays one instance for
// all entries. tests/package/module-graph.test.ts fails if the root's graph grows again.
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
