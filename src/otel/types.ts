import type { Attributes, AttributeValue, Context, HrTime, SpanContext } from '@opentelemetry/api';

/**
 * The parts of an SDK span the processor reads. Structural, so the processor works with
 * `@opentelemetry/sdk-trace-base` 2.x and `@opentelemetry/sdk-trace` 3.x spans alike
 * (their `ReadableSpan` shapes are identical) without importing either at runtime.
 */
export interface ProcessorSpan {
  /** Span name. */
  readonly name: string;
  /** Attributes; a plain mutable object in every SDK version (written directly in `onEnd`). */
  readonly attributes: Attributes;
  /** Trace and span id. */
  spanContext(): SpanContext;
  /** Parent span context, when the span has a parent. */
  readonly parentSpanContext?: SpanContext;
  /** Start time. */
  readonly startTime: HrTime;
  /** End time (set before `onEnding`). */
  readonly endTime: HrTime;
  /** Resource (service.name etc.). */
  readonly resource?: {
    readonly attributes: Attributes;
    readonly asyncAttributesPending?: boolean;
    getRawAttributes?(): [string, unknown][];
  };
  /** Tracer that created the span. */
  readonly instrumentationScope?: { readonly name: string; readonly version?: string };
  /** Present on writable spans (`onEnding`); a no-op after the span ended. */
  setAttribute?(key: string, value: AttributeValue): unknown;
}

/**
 * A span processor, as the OTel SDK calls it (2.x `sdk-trace-base` and 3.x `sdk-trace`). Declared
 * with method syntax so SDK processors are accepted as `next` and this processor is accepted in
 * `spanProcessors` of either SDK.
 */
export interface SpanProcessorLike {
  /** Called when a span starts. */
  onStart(span: ProcessorSpan, parentContext: Context): void;
  /** Called while a span is ending and still writable (SDK ≥ 2.3). */
  onEnding?(span: ProcessorSpan): void;
  /** Called after a span ended. */
  onEnd(span: ProcessorSpan): void;
  /** Export everything pending. */
  forceFlush(): Promise<void>;
  /** Shut down. */
  shutdown(): Promise<void>;
}

export type { CostRecorder } from '../tracker/record-outcome.js';
