/**
 * `langfuse-cost/otel`: the OpenTelemetry span processor.
 * @packageDocumentation
 */

export { COST_ATTR, CostSpanProcessor, type CostSpanProcessorOptions } from './cost-span-processor.js';
export type { CostRecorder, ProcessorSpan, SpanProcessorLike } from './types.js';
