import { LangfuseSpanProcessor } from '@langfuse/otel';
import { setLangfuseTracerProvider, startObservation } from '@langfuse/tracing';
import { context } from '@opentelemetry/api';
import type * as Sdk3 from '@opentelemetry/sdk-trace';
import { beforeAll, describe, expect, it } from 'vitest';
import { COST_ATTR, CostSpanProcessor } from '../../../src/otel/index.js';
import {
  memoryLogger,
  memoryTracker,
  P,
  SPAN_CASES,
  testCatalog,
  withoutOnEnding,
} from '../../helpers/otel-span-cases.js';
import { startOtlpReceiver } from '../../helpers/otlp-receiver.js';

// OTel SDK 3.x (`@opentelemetry/sdk-trace` 3.1.1, the SDK under `@opentelemetry/sdk-node` ≥ 0.300).
// Its package requires Node ≥ 22.15, so on older Node this suite is skipped (CI runs it on Node 24).
// LANGFUSE_COST_FORCE_SDK3=1 runs it anyway (it happens to load on Node 20). 3.x changes met here:
// `TracerProvider` replaces `BasicTracerProvider`, and Simple/BatchSpanProcessor take `{ exporter }`.

const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
const supported = major > 22 || (major === 22 && minor >= 15);
const enabled = supported || process.env.LANGFUSE_COST_FORCE_SDK3 === '1';
if (!enabled) {
  console.warn(
    `[otel-sdk3] skipped: @opentelemetry/sdk-trace 3.x requires Node >= 22.15; this is Node ${process.versions.node}. ` +
      'CI runs this suite on Node 24 (or set LANGFUSE_COST_FORCE_SDK3=1).',
  );
}

// Compile-time check: the processor is a SpanProcessor of SDK 3.x (and `next` accepts SDK 3 processors).
const typeCheck = (p: Sdk3.SpanProcessor): Sdk3.SpanProcessor => new CostSpanProcessor({ next: p });
void typeCheck;

let sdk: typeof Sdk3;

describe.skipIf(!enabled)('CostSpanProcessor on OTel SDK 3.x (@opentelemetry/sdk-trace)', () => {
  beforeAll(async () => {
    sdk = await import('@opentelemetry/sdk-trace');
  });

  function pipeline(path: 'onEnding' | 'onEnd') {
    const exporter = new sdk.InMemorySpanExporter();
    const tracker = memoryTracker();
    const logger = memoryLogger();
    const cost = new CostSpanProcessor({ catalog: testCatalog(), tracker, logger });
    const first = path === 'onEnding' ? cost : (withoutOnEnding(cost) as unknown as Sdk3.SpanProcessor);
    const provider = new sdk.TracerProvider({
      spanProcessors: [first, new sdk.SimpleSpanProcessor({ exporter })],
    });
    return { exporter, tracker, logger, provider };
  }

  it('the 3.x span has onEnding and the ReadableSpan fields the processor reads', () => {
    const calls: string[] = [];
    const provider = new sdk.TracerProvider({
      spanProcessors: [
        {
          onStart: () => calls.push('onStart'),
          onEnding: (s) => {
            calls.push('onEnding');
            s.setAttribute('written.in.onEnding', 1);
          },
          onEnd: (s) => {
            calls.push(`onEnd:${s.attributes['written.in.onEnding']}`);
            expect(typeof s.spanContext().traceId).toBe('string');
            expect(Array.isArray(s.startTime) && Array.isArray(s.endTime)).toBe(true);
            expect(s.instrumentationScope.name).toBe('probe');
            expect(typeof s.resource.attributes).toBe('object');
          },
          forceFlush: async () => {},
          shutdown: async () => {},
        },
      ],
    });
    provider.getTracer('probe').startSpan('x').end();
    expect(calls).toEqual(['onStart', 'onEnding', 'onEnd:1']);
  });

  for (const path of ['onEnding', 'onEnd'] as const) {
    describe(`via ${path}`, () => {
      for (const c of SPAN_CASES) {
        it(c.title, () => {
          const p = pipeline(path);
          p.provider
            .getTracer(c.scope?.name ?? 'test', c.scope?.version)
            .startSpan(c.name, { attributes: c.attributes })
            .end();
          const span = p.exporter.getFinishedSpans()[0]!;
          if (!c.usage) {
            expect(span.attributes[COST_ATTR.COST]).toBeUndefined();
            expect(p.tracker.records).toHaveLength(0);
            return;
          }
          expect(span.attributes[COST_ATTR.COST]).toBeCloseTo(c.cost!, 12);
          const cd = JSON.parse(String(span.attributes[COST_ATTR.COST_DETAILS]));
          expect(Math.round(cd.total * 1e12)).toBe(Math.round(c.cost! * 1e12));
          expect(p.tracker.records).toHaveLength(1);
          expect(p.tracker.records[0]!.result.usage).toMatchObject(c.usage);
          expect(p.tracker.records[0]!.ctx?.spanId).toBe(span.spanContext().spanId);
          expect(p.logger.warnings).toEqual([]);
        });
      }
    });
  }

  it('wraps an SDK 3.x BatchSpanProcessor as next; forceFlush exports with cost', async () => {
    const exporter = new sdk.InMemorySpanExporter();
    const tracker = memoryTracker();
    const provider = new sdk.TracerProvider({
      spanProcessors: [
        new CostSpanProcessor({
          catalog: testCatalog(),
          tracker,
          next: new sdk.BatchSpanProcessor({ exporter }),
        }),
      ],
    });
    provider.getTracer('t').startSpan(SPAN_CASES[0]!.name, { attributes: SPAN_CASES[0]!.attributes }).end();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    await provider.forceFlush();
    expect(exporter.getFinishedSpans()[0]!.attributes[COST_ATTR.COST]).toBeCloseTo(SPAN_CASES[0]!.cost!, 12);
    await provider.shutdown();
  });

  it('never throws on a 3.x span with hostile attributes', () => {
    const p = pipeline('onEnding');
    const span = p.provider.getTracer('t').startSpan('chat', {
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' },
    });
    (span as unknown as { attributes: Record<string, unknown> }).attributes['gen_ai.usage.input_tokens'] =
      Number.NaN;
    expect(() => span.end()).not.toThrow();
    expect(p.exporter.getFinishedSpans()[0]!.attributes[COST_ATTR.COST]).toBeUndefined();
    expect(() => new CostSpanProcessor().onStart({} as never, context.active())).not.toThrow();
  });

  it('with the real LangfuseSpanProcessor: the exported @langfuse/tracing generation carries the cost', async () => {
    const rx = await startOtlpReceiver();
    const langfuse = new LangfuseSpanProcessor({
      baseUrl: rx.url,
      publicKey: 'pk-lf-test',
      secretKey: 'sk-lf-test',
      exportMode: 'immediate',
    });
    const tracker = memoryTracker();
    const provider = new sdk.TracerProvider({
      spanProcessors: [
        new CostSpanProcessor({ catalog: testCatalog(), tracker }),
        langfuse as unknown as Sdk3.SpanProcessor,
      ],
    });
    setLangfuseTracerProvider(provider as never);
    try {
      startObservation(
        'sdk3-call',
        { model: 'claude-sonnet-4-5', usageDetails: { input: 100, input_cached_tokens: 2000, output: 40 } },
        { asType: 'generation' },
      ).end();
      await langfuse.forceFlush();
      const [span] = await rx.waitForSpans(1);
      const expected = (100 * P.claude.input + 2000 * P.claude.cacheRead + 40 * P.claude.output) / 1e6;
      expect(span!.attributes[COST_ATTR.COST]).toBeCloseTo(expected, 12);
      expect(JSON.parse(String(span!.attributes[COST_ATTR.COST_DETAILS])).total).toBeCloseTo(expected, 12);
      expect(tracker.records).toHaveLength(1);
    } finally {
      setLangfuseTracerProvider(null as never);
      await provider.shutdown();
      await rx.close();
    }
  });
});
