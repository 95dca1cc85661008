import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OtlpReceiver, startOtlpReceiver } from '../../helpers/otlp-receiver.js';

// The receiver is a test helper the Langfuse tests depend on; prove it decodes what real exporters send.

let rx: OtlpReceiver;
beforeAll(async () => {
  rx = await startOtlpReceiver();
});
afterAll(async () => {
  await rx.close();
});

async function exportTwoSpans(exporter: SpanExporter): Promise<void> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'receiver-test' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('receiver-scope', '1.2.3');
  const parent = tracer.startSpan('parent');
  const { trace, context } = await import('@opentelemetry/api');
  const child = tracer.startSpan(
    'child',
    {
      attributes: {
        str: 'hello',
        int: 1200,
        big: 9_007_199_254_740_000,
        neg: -5,
        dbl: 0.000625,
        yes: true,
        list: ['a', 'b'],
        nums: [1, 2.5],
        json: '{"total":0.5}',
      },
    },
    trace.setSpan(context.active(), parent),
  );
  child.end();
  parent.end();
  await provider.forceFlush();
  await provider.shutdown();
}

describe.each([
  ['http/json', () => new HttpJsonExporter({ url: rx.tracesUrl }), 'application/json', undefined],
  [
    'http/json gzip',
    () => new HttpJsonExporter({ url: rx.tracesUrl, compression: 'gzip' as never }),
    'application/json',
    'gzip',
  ],
  ['http/protobuf', () => new ProtoExporter({ url: rx.tracesUrl }), 'application/x-protobuf', undefined],
  [
    'http/protobuf gzip',
    () => new ProtoExporter({ url: rx.tracesUrl, compression: 'gzip' as never }),
    'application/x-protobuf',
    'gzip',
  ],
])('OTLP receiver decodes %s', (_label, make, contentType, encoding) => {
  it('decodes ids, names, scope, resource and every attribute type', async () => {
    rx.clear();
    await exportTwoSpans(make());
    await rx.waitForSpans(2);
    expect(rx.errors).toEqual([]);
    expect(rx.requests[0]!.contentType).toBe(contentType);
    expect(rx.requests[0]!.contentEncoding).toBe(encoding);
    const child = rx.spansNamed('child')[0]!;
    const parent = rx.spansNamed('parent')[0]!;
    expect(child.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(child.traceId).toBe(parent.traceId);
    expect(child.parentSpanId).toBe(parent.spanId);
    expect(parent.parentSpanId).toBeUndefined();
    expect(child.scope).toEqual({ name: 'receiver-scope', version: '1.2.3' });
    expect(child.resource['service.name']).toBe('receiver-test');
    expect(child.attributes).toMatchObject({
      str: 'hello',
      int: 1200,
      big: 9_007_199_254_740_000,
      neg: -5,
      dbl: 0.000625,
      yes: true,
      list: ['a', 'b'],
      nums: [1, 2.5],
      json: '{"total":0.5}',
    });
    expect(child.endTimeUnixNano >= child.startTimeUnixNano).toBe(true);
    expect(child.startTimeUnixNano > 1_600_000_000_000_000_000n).toBe(true);
  });
});
