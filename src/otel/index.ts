/**
 * `langfuse-cost/otel`: the OpenTelemetry span processor.
 * @packageDocumentation
 */
export {};
