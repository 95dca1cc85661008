import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { setDefaultTracker } from '../../../src/node/default-tracker.js';
import { COST_ATTR, CostSpanProcessor, type CostSpanProcessorOptions } from '../../../src/otel/index.js';
import { CostTracker } from '../../../src/tracker/index.js';
import { emptyUsage } from '../../../src/usage/token-usage.js';
import { langfuseViewOfSpan } from '../../helpers/langfuse-server/otel.js';
import {
  memoryLogger,
  memoryTracker,
  P,
  SPAN_CASES,
  type SpanCase,
  testCatalog,
  withoutOnEnding,
} from '../../helpers/otel-span-cases.js';

// The real OTel SDK 2.x (sdk-trace-base 2.12): spans are created with a real tracer, the
// CostSpanProcessor sits in front of a SimpleSpanProcessor + InMemorySpanExporter, and the
// exported spans are checked.

type Path = 'onEnding' | 'onEnd';

function pipeline(
  path: Path,
  options: Partial<CostSpanProcessorOptions> = {},
  spanLimits?: { attributeCountLimit?: number },
) {
  const exporter = new InMemorySpanExporter();
  const tracker = memoryTracker();
  const logger = memoryLogger();
  const cost = new CostSpanProcessor({ catalog: testCatalog(), tracker, logger, ...options });
  const first: SpanProcessor =
    path === 'onEnding' ? cost : (withoutOnEnding(cost) as unknown as SpanProcessor);
  const provider = new BasicTracerProvider({
    spanProcessors: [first, new SimpleSpanProcessor(exporter)],
    ...(spanLimits ? { spanLimits } : {}),
  });
  const emit = (
    c: Pick<SpanCase, 'name' | 'attributes' | 'scope'>,
    parent?: ReturnType<typeof tracer.startSpan>,
  ) => {
    const t = provider.getTracer(c.scope?.name ?? 'test-instrumentation', c.scope?.version);
    const ctx = parent ? trace.setSpan(context.active(), parent) : context.active();
    const span = t.startSpan(c.name, { attributes: c.attributes }, ctx);
    span.end();
    return span;
  };
  const tracer = provider.getTracer('parent');
  const exported = (name?: string): ReadableSpan => {
    const spans = exporter.getFinishedSpans();
    const s = name === undefined ? spans[spans.length - 1] : spans.find((x) => x.name === name);
    if (!s) throw new Error(`no exported span ${name ?? ''}`);
    return s;
  };
  return { exporter, tracker, logger, cost, provider, emit, tracer, exported };
}

function costDetails(span: ReadableSpan): Record<string, number> | undefined {
  const v = span.attributes[COST_ATTR.COST_DETAILS];
  return typeof v === 'string' ? JSON.parse(v) : undefined;
}

function usageDetails(span: ReadableSpan): Record<string, number> | undefined {
  const v = span.attributes[COST_ATTR.USAGE_DETAILS];
  return typeof v === 'string' ? JSON.parse(v) : undefined;
}

const pico = (usd: number) => Math.round(usd * 1e12);

describe.each<Path>(['onEnding', 'onEnd'])('CostSpanProcessor on OTel SDK 2.x via %s', (path) => {
  describe.each(SPAN_CASES)('$title', (c) => {
    it(c.usage ? 'writes the cost and records it once' : 'is not priced', () => {
      const p = pipeline(path);
      p.emit(c);
      const span = p.exported(c.name);
      if (!c.usage) {
        expect(span.attributes[COST_ATTR.COST_DETAILS]).toBeUndefined();
        expect(span.attributes[COST_ATTR.COST]).toBeUndefined();
        expect(p.tracker.records).toHaveLength(0);
        return;
      }
      const expectedUsage = { ...emptyUsage(), requests: 1, ...c.usage };
      expect(p.tracker.records).toHaveLength(1);
      const { result, ctx } = p.tracker.records[0]!;
      expect(result.usage).toEqual(expectedUsage);
      expect(result.totalPico).toBe(pico(c.cost!));
      if (c.resolvedModel) expect(result.resolvedModel).toBe(c.resolvedModel);

      const gen = span.attributes[COST_ATTR.COST] as number;
      expect(gen).toBeCloseTo(c.cost!, 12);
      const cd = costDetails(span)!;
      expect(pico(cd.total!)).toBe(pico(c.cost!));
      // Every key carries input or output, and the parts add up to the total.
      const parts = Object.entries(cd).filter(([k]) => k !== 'total');
      for (const [k] of parts) expect(k.includes('input') || k.includes('output')).toBe(true);
      expect(parts.reduce((s, [, v]) => s + pico(v), 0)).toBe(pico(c.cost!));

      // The tracker saw the span's identity.
      const sc = span.spanContext();
      expect(ctx?.traceId).toBe(sc.traceId);
      expect(ctx?.spanId).toBe(sc.spanId);
      expect(ctx?.operation).toBe(c.name);
      expect(span.attributes[COST_ATTR.COST_SOURCE]).toBe('override');
      expect(span.attributes[COST_ATTR.COST_ESTIMATED]).toBe('false');
      expect(span.attributes[COST_ATTR.RESOLVED_MODEL]).toBe(result.resolvedModel);

      // usage_details is written only where the span had none, with input exclusive of cache.
      const hadDetails = c.attributes[COST_ATTR.USAGE_DETAILS] !== undefined;
      if (hadDetails)
        expect(span.attributes[COST_ATTR.USAGE_DETAILS]).toBe(c.attributes[COST_ATTR.USAGE_DETAILS]);
      else {
        const ud = usageDetails(span)!;
        expect(ud.input).toBe(expectedUsage.input);
        expect(ud.output).toBe(expectedUsage.output);
        expect(ud.input_cached_tokens ?? 0).toBe(expectedUsage.cacheRead);
        const tokens =
          expectedUsage.input +
          expectedUsage.cacheRead +
          expectedUsage.cacheWrite +
          expectedUsage.cacheWrite1h +
          expectedUsage.inputAudio +
          expectedUsage.output +
          expectedUsage.reasoning;
        expect(ud.total).toBe(tokens);
      }
      expect(p.logger.warnings).toEqual([]);
    });
  });

  it('an LLM span wrapping another LLM span is not priced again (innermost call wins)', () => {
    const p = pipeline(path);
    const parent = p.tracer.startSpan('ChatOpenAI', {
      attributes: {
        'langfuse.observation.type': 'generation',
        'langfuse.observation.model.name': 'gpt-4o',
        'langfuse.observation.usage_details': JSON.stringify({
          input: 1000,
          input_cached_tokens: 200,
          output: 300,
        }),
      },
    });
    p.emit(
      {
        name: 'openai.chat',
        attributes: SPAN_CASES[0]!.attributes,
        scope: { name: '@traceloop/instrumentation-openai' },
      },
      parent,
    );
    parent.end();
    expect(p.tracker.records).toHaveLength(1);
    expect(p.tracker.records[0]!.ctx?.operation).toBe('openai.chat');
    expect(p.exported('openai.chat').attributes[COST_ATTR.COST]).toBeCloseTo(SPAN_CASES[0]!.cost!, 12);
    expect(p.exported('ChatOpenAI').attributes[COST_ATTR.COST]).toBeUndefined();
    expect(p.logger.warnings.filter((w) => w.includes('already priced'))).toHaveLength(1);
  });

  it('tier flex is reported', () => {
    const p = pipeline(path);
    p.emit(SPAN_CASES.find((c) => c.title.startsWith('OpenAI flex'))!);
    expect(p.exported().attributes[COST_ATTR.COST_TIER]).toMatch(/flex/);
  });

  it('records session, user, tags, parent and service', () => {
    const p = pipeline(path);
    const parent = p.tracer.startSpan('agent');
    p.emit(
      {
        name: 'chat gpt-4o',
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 10,
          'gen_ai.usage.output_tokens': 5,
          'session.id': 'sess-1',
          'user.id': 'user-9',
          'langfuse.trace.tags': ['beta', 'eu'],
          'langfuse.environment': 'staging',
        },
      },
      parent,
    );
    parent.end();
    const { ctx } = p.tracker.records[0]!;
    expect(ctx).toMatchObject({
      sessionId: 'sess-1',
      userId: 'user-9',
      tags: ['beta', 'eu'],
      environment: 'staging',
      parentId: parent.spanContext().spanId,
      traceId: parent.spanContext().traceId,
    });
    expect(ctx?.service).toMatch(/^unknown_service/);
    expect(Number(ctx!.endTime) - Number(ctx!.startTime)).toBeGreaterThanOrEqual(0);
    expect(ctx?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('session, user and tags set only on an ancestor are inherited; the open-span index empties', () => {
    const p = pipeline(path);
    const root = p.tracer.startSpan('root', {
      attributes: { 'session.id': 'root-sess', 'langfuse.trace.tags': ['t1'] },
    });
    const chain = p.tracer.startSpan(
      'chain',
      { attributes: { 'user.id': 'chain-user' } },
      trace.setSpan(context.active(), root),
    );
    p.emit(SPAN_CASES[0]!, chain);
    chain.end();
    root.end();
    expect(p.tracker.records[0]!.ctx).toMatchObject({
      sessionId: 'root-sess',
      userId: 'chain-user',
      tags: ['t1'],
    });
    expect((p.cost as unknown as { open: { size: number } }).open.size).toBe(0); // ended spans are not open
  });

  it('Langfuse attributes win for session and user', () => {
    const p = pipeline(path);
    p.emit({
      name: 'g',
      attributes: {
        'langfuse.observation.type': 'generation',
        'langfuse.observation.model.name': 'gpt-4o',
        'langfuse.observation.usage_details': '{"input":1,"output":1}',
        'langfuse.session.id': 'lf-sess',
        'session.id': 'otel-sess',
        'langfuse.user.id': 'lf-user',
      },
    });
    expect(p.tracker.records[0]!.ctx).toMatchObject({ sessionId: 'lf-sess', userId: 'lf-user' });
  });

  it('leaves a span with an existing Langfuse cost alone and records it as provided', () => {
    const p = pipeline(path);
    const existing = JSON.stringify({ input: 0.01, output: 0.02, total: 0.03 });
    p.emit({
      name: 'g',
      attributes: {
        'langfuse.observation.type': 'generation',
        'langfuse.observation.model.name': 'gpt-4o',
        'langfuse.observation.usage_details': '{"input":1000,"output":100}',
        'langfuse.observation.cost_details': existing,
      },
    });
    const span = p.exported();
    expect(span.attributes[COST_ATTR.COST_DETAILS]).toBe(existing);
    expect(span.attributes[COST_ATTR.COST]).toBeUndefined();
    expect(span.attributes[COST_ATTR.COST_SOURCE]).toBeUndefined();
    const { result, ctx } = p.tracker.records[0]!;
    expect(ctx?.providedCost).toBe(0.03);
    expect(result.providedCost).toBe(0.03);
    expect(result.totalPico).toBe(pico((1000 * P.gpt4o.input + 100 * P.gpt4o.output) / 1e6));
  });

  it('leaves an OpenLIT gen_ai.usage.cost > 0 alone, replaces it with overwrite: true', () => {
    const attrs = {
      'telemetry.sdk.name': 'openlit',
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.cache_read.input_tokens': 200,
      'gen_ai.usage.output_tokens': 40,
      'gen_ai.usage.cost': 0.0036,
    };
    const ours = (1000 * P.claude.input + 200 * P.claude.cacheRead + 40 * P.claude.output) / 1e6;

    const keep = pipeline(path);
    keep.emit({ name: 'chat', attributes: attrs });
    expect(keep.exported().attributes[COST_ATTR.COST]).toBe(0.0036);
    // The same cost, in the attribute Langfuse reads first.
    expect(keep.exported().attributes[COST_ATTR.COST_DETAILS]).toBe('{"total":0.0036}');
    expect(keep.tracker.records[0]!.ctx?.providedCost).toBe(0.0036);

    const over = pipeline(path, { overwrite: true });
    over.emit({ name: 'chat', attributes: attrs });
    expect(over.exported().attributes[COST_ATTR.COST]).toBeCloseTo(ours, 12);
    expect(pico(costDetails(over.exported())!.total!)).toBe(pico(ours));
    expect(over.tracker.records).toHaveLength(1);
    expect(over.tracker.records[0]!.ctx?.providedCost).toBe(0.0036);
  });

  it('an OpenInference llm.cost.total counts as an existing cost', () => {
    const p = pipeline(path);
    p.emit({
      name: 'llm',
      attributes: {
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'gpt-4o',
        'llm.token_count.prompt': 10,
        'llm.token_count.completion': 10,
        'llm.cost.total': 0.5,
      },
    });
    expect(p.exported().attributes[COST_ATTR.COST_DETAILS]).toBe('{"total":0.5}');
    expect(p.tracker.records[0]!.ctx?.providedCost).toBe(0.5);
  });

  it('Langfuse shows the cost our ledger records, whichever cost attribute the span had (Why 4)', () => {
    // What Langfuse computes from the exported span (OtelIngestionProcessor.extractCostDetails, then
    // calculateUsageCosts) must equal the cost the tracker records, with nothing inferred on top.
    const base = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
    };
    const cases: [string, Record<string, unknown>, number][] = [
      // Langfuse stores gen_ai.usage.cost.amount as a usage key "cost.amount", not as a cost.
      [
        'cost.amount, known model',
        { ...base, 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.cost.amount': 0.25 },
        0.25,
      ],
      [
        'cost.amount, unknown model',
        { ...base, 'gen_ai.request.model': 'mystery-9', 'gen_ai.usage.cost.amount': 0.125 },
        0.125,
      ],
      [
        'gen_ai.usage.cost',
        { ...base, 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.cost': 0.0036 },
        0.0036,
      ],
      [
        'priced by us',
        { ...base, 'gen_ai.request.model': 'gpt-4o' },
        (1000 * P.gpt4o.input + 100 * P.gpt4o.output) / 1e6,
      ],
    ];
    for (const [label, attributes, expected] of cases) {
      const p = pipeline(path);
      p.emit({ name: label, attributes: attributes as SpanCase['attributes'] });
      const view = langfuseViewOfSpan(p.exported().attributes);
      expect(view.costFrom, label).toBe('langfuse.observation.cost_details');
      expect(view.provided, label).toBe(true);
      expect(pico(view.totalCost!), label).toBe(pico(expected));
      const { result } = p.tracker.records[0]!;
      expect(pico(result.providedCost ?? result.total), label).toBe(pico(expected));
    }
  });

  it('an unknown model is counted as unpriced, warned about and gets no cost', () => {
    const p = pipeline(path);
    p.emit({
      name: 'chat mystery',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'mystery-model-9000',
        'gen_ai.usage.input_tokens': 10,
        'gen_ai.usage.output_tokens': 5,
      },
    });
    const span = p.exported();
    expect(span.attributes[COST_ATTR.COST]).toBeUndefined();
    expect(span.attributes[COST_ATTR.COST_DETAILS]).toBeUndefined();
    expect(p.tracker.records).toHaveLength(0);
    expect(p.tracker.unpriced).toEqual([
      {
        model: 'mystery-model-9000',
        provider: undefined,
        usage: expect.objectContaining({ input: 10, output: 5 }),
      },
    ]);
  });

  it('an unknown model with a provided cost is recorded with source provided', () => {
    const p = pipeline(path);
    p.emit({
      name: 'chat mystery',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'mystery-model-9000',
        'gen_ai.usage.input_tokens': 10,
        'gen_ai.usage.output_tokens': 5,
        'gen_ai.usage.cost.amount': 0.25,
      },
    });
    const { result } = p.tracker.records[0]!;
    expect(result.source).toBe('provided');
    expect(result.total).toBe(0.25);
    expect(result.totalPico).toBe(250_000_000_000);
  });

  it('never changes the observation type (Langfuse already files every priced span as a generation)', () => {
    const p = pipeline(path);
    for (const c of SPAN_CASES.filter((x) => x.usage)) p.emit(c);
    for (const s of p.exporter.getFinishedSpans()) {
      const c = SPAN_CASES.find((x) => x.name === s.name && x.usage)!;
      expect(s.attributes['langfuse.observation.type']).toBe(c.attributes['langfuse.observation.type']);
    }
  });
});

describe('CostSpanProcessor robustness (SDK 2.x)', () => {
  it('a span already at the attribute count limit still gets its cost (limits would drop or truncate it)', () => {
    const p = pipeline('onEnding', {}, { attributeCountLimit: 7 });
    p.emit(SPAN_CASES[0]!);
    const span = p.exported();
    const expected = (1000 * P.gpt4o.input + 200 * P.gpt4o.cacheRead + 300 * P.gpt4o.output) / 1e6;
    expect(Object.keys(span.attributes).length).toBeGreaterThan(7);
    expect(span.attributes[COST_ATTR.COST]).toBeCloseTo(expected, 12);
    expect(costDetails(span)!.total).toBeCloseTo(expected, 12);
    expect(p.logger.warnings).toEqual([]);
  });

  it('a long cost_details JSON is not truncated by the attribute value length limit', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanLimits: { attributeValueLengthLimit: 20 },
      spanProcessors: [
        new CostSpanProcessor({ catalog: testCatalog(), tracker: false }),
        new SimpleSpanProcessor(exporter),
      ],
    });
    provider.getTracer('t').startSpan('chat', { attributes: SPAN_CASES[0]!.attributes }).end();
    const cd = costDetails(exporter.getFinishedSpans()[0]!)!;
    expect(cd.total).toBeCloseTo(SPAN_CASES[0]!.cost!, 12);
  });

  it('never throws and never writes on hostile attributes; warns once per problem', () => {
    const base = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.output_tokens': 5,
    };
    const hostile: unknown[] = [
      Number.NaN,
      -5,
      'abc',
      1e15,
      12.5,
      Number.POSITIVE_INFINITY,
      true,
      ['1', '2'],
      '',
    ];
    for (const path of ['onEnding', 'onEnd'] as const) {
      const p = pipeline(path);
      for (const v of hostile) {
        const span = p.tracer.startSpan('chat gpt-4o', { attributes: base });
        // Written past the SDK's own validation, as a buggy instrumentation mutating attributes would.
        (span as unknown as { attributes: Record<string, unknown> }).attributes['gen_ai.usage.input_tokens'] =
          v;
        expect(() => span.end()).not.toThrow();
      }
      for (const s of p.exporter.getFinishedSpans()) {
        expect(s.attributes[COST_ATTR.COST]).toBeUndefined();
        expect(s.attributes[COST_ATTR.COST_DETAILS]).toBeUndefined();
      }
      expect(p.tracker.records).toHaveLength(0);
      expect(p.logger.warnings.length).toBeGreaterThanOrEqual(5);
      expect(p.logger.warnings.every((w) => w.includes('not priced'))).toBe(true);
    }
  });

  it('numeric strings are accepted as counts', () => {
    const p = pipeline('onEnding');
    p.emit({
      name: 'chat',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': '1200',
        'gen_ai.usage.output_tokens': '300',
      },
    });
    expect(p.tracker.records[0]!.result.totalPico).toBe(pico((1200 * 2.5 + 300 * 10) / 1e6));
  });

  it('a cost too large to be real is refused, not written', () => {
    const p = pipeline('onEnding');
    p.emit({
      name: 'chat',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 999_000_000,
        'gen_ai.usage.output_tokens': 999_000_000,
      },
    });
    expect(p.exported().attributes[COST_ATTR.COST]).toBeUndefined();
    expect(p.logger.warnings.some((w) => w.includes('not priced'))).toBe(true);
  });

  it('survives broken spans, a throwing tracker, a throwing logger and a throwing next processor', async () => {
    const boom = () => {
      throw new Error('boom');
    };
    const cost = new CostSpanProcessor({
      catalog: testCatalog(),
      tracker: { record: boom, recordUnpriced: boom, flush: () => Promise.reject(new Error('flush boom')) },
      logger: { debug: boom, info: boom, warn: boom, error: boom },
      next: {
        onStart: boom,
        onEnding: boom,
        onEnd: boom,
        forceFlush: () => Promise.reject(new Error('x')),
        shutdown: boom as never,
      },
    });
    const spans: unknown[] = [
      null,
      undefined,
      {},
      { attributes: null },
      {
        get attributes() {
          throw new Error('getter');
        },
      },
      {
        name: 'x',
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 1,
        },
        spanContext: boom,
      },
      {
        name: 'y',
        attributes: Object.freeze({
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 1,
        }),
        spanContext: () => ({ traceId: 't', spanId: 's', traceFlags: 1 }),
        startTime: [0, 0],
        endTime: [0, 0],
      },
    ];
    for (const s of spans) {
      expect(() => cost.onStart(s as never, context.active())).not.toThrow();
      expect(() => cost.onEnding(s as never)).not.toThrow();
      expect(() => cost.onEnd(s as never)).not.toThrow();
    }
    await expect(cost.forceFlush()).resolves.toBeUndefined();
    await expect(cost.shutdown()).resolves.toBeUndefined();
  });

  it('wraps a next processor: forwards every call; forceFlush and shutdown pass through', async () => {
    const exporter = new InMemorySpanExporter();
    const inner = new SimpleSpanProcessor(exporter);
    const calls: string[] = [];
    const spy: SpanProcessor = {
      onStart: (s, c) => {
        calls.push('onStart');
        inner.onStart(s, c);
      },
      onEnding: () => calls.push('onEnding'),
      onEnd: (s) => {
        calls.push('onEnd');
        inner.onEnd(s);
      },
      forceFlush: async () => {
        calls.push('forceFlush');
        await inner.forceFlush();
      },
      shutdown: async () => {
        calls.push('shutdown');
        await inner.shutdown();
      },
    };
    const tracker = memoryTracker();
    const provider = new BasicTracerProvider({
      spanProcessors: [new CostSpanProcessor({ catalog: testCatalog(), tracker, next: spy })],
    });
    const span = provider.getTracer('t').startSpan('chat', { attributes: SPAN_CASES[0]!.attributes });
    span.end();
    await provider.forceFlush();
    await provider.shutdown();
    expect(calls).toEqual(['onStart', 'onEnding', 'onEnd', 'forceFlush', 'shutdown']);
    expect(exporter.getFinishedSpans()).toHaveLength(0); // the in-memory exporter was reset by shutdown
    expect(tracker.records).toHaveLength(1);
  });

  it('the wrapped exporter receives the cost in the onEnd path too', () => {
    const exporter = new InMemorySpanExporter();
    const tracker = memoryTracker();
    const cost = new CostSpanProcessor({
      catalog: testCatalog(),
      tracker,
      next: new SimpleSpanProcessor(exporter),
    });
    const provider = new BasicTracerProvider({
      spanProcessors: [withoutOnEnding(cost) as unknown as SpanProcessor],
    });
    const span = provider.getTracer('t').startSpan('chat', { attributes: SPAN_CASES[0]!.attributes });
    span.end();
    expect(exporter.getFinishedSpans()[0]!.attributes[COST_ATTR.COST]).toBeCloseTo(SPAN_CASES[0]!.cost!, 12);
    expect(tracker.records).toHaveLength(1);
  });

  it('onEnding and onEnd together record a span once, also with overwrite', () => {
    const p = pipeline('onEnding', { overwrite: true });
    p.emit(SPAN_CASES[0]!);
    p.emit(SPAN_CASES[0]!);
    expect(p.tracker.records).toHaveLength(2);
  });

  it('warns when listed after an exporting processor on an SDK without onEnding', () => {
    const logger = memoryLogger();
    const exporting = new SimpleSpanProcessor(new InMemorySpanExporter());
    const cost = new CostSpanProcessor({ catalog: testCatalog(), tracker: false, logger });
    // What a pre-2.3 MultiSpanProcessor looks like to the span: no onEnding, processors in order.
    const legacyMulti = { _spanProcessors: [exporting, cost], onStart() {}, onEnd() {} };
    const span = { name: 's', attributes: {}, _spanProcessor: legacyMulti };
    cost.onStart(span as never, context.active());
    cost.onStart(span as never, context.active());
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(/after SimpleSpanProcessor.*List CostSpanProcessor first/);

    const fine = new CostSpanProcessor({ catalog: testCatalog(), tracker: false, logger: memoryLogger() });
    const modern = { _spanProcessors: [exporting, fine], onEnding() {}, onStart() {}, onEnd() {} };
    fine.onStart({ name: 's', attributes: {}, _spanProcessor: modern } as never, context.active());
    expect((fine as unknown as { customLogger: { warnings: string[] } }).customLogger.warnings).toHaveLength(
      0,
    );
  });

  it('without options it prices with the Node catalog and records in the process-wide tracker', async () => {
    const saved = process.env.LANGFUSE_COST_CACHE_DIR;
    process.env.LANGFUSE_COST_CACHE_DIR = mkdtempSync(join(tmpdir(), 'lc-otel-'));
    const tracker = new CostTracker();
    setDefaultTracker(tracker);
    try {
      const exporter = new InMemorySpanExporter();
      const cost = new CostSpanProcessor();
      const provider = new BasicTracerProvider({ spanProcessors: [cost, new SimpleSpanProcessor(exporter)] });
      const span = provider.getTracer('t').startSpan('chat', {
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o-2024-08-06',
          'gen_ai.usage.input_tokens': 1000,
          'gen_ai.usage.output_tokens': 100,
        },
      });
      span.end();
      // A real model name resolves in the bundled catalog (its price is not asserted here).
      const exported = exporter.getFinishedSpans()[0]!;
      expect(exported.attributes[COST_ATTR.RESOLVED_MODEL]).toMatch(/^gpt-4o/);
      expect(exported.attributes[COST_ATTR.COST] as number).toBeGreaterThan(0);
      const [rec] = tracker.recent(1);
      expect(rec?.id).toBe(span.spanContext().spanId);
      expect(rec?.traceId).toBe(span.spanContext().traceId);
      expect(rec?.total).toBe(exported.attributes[COST_ATTR.COST]);
      await provider.shutdown();
    } finally {
      setDefaultTracker(null);
      if (saved === undefined) delete process.env.LANGFUSE_COST_CACHE_DIR;
      else process.env.LANGFUSE_COST_CACHE_DIR = saved;
    }
  });

  it('memory stays bounded: the open-span index sweeps ended spans and keeps open ones', () => {
    const exporter = new InMemorySpanExporter();
    const cost = new CostSpanProcessor({ catalog: testCatalog(), tracker: false });
    const provider = new BasicTracerProvider({ spanProcessors: [cost, new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('t');
    const longLived = tracer.startSpan('root', { attributes: { 'session.id': 'long' } });
    const tracker = memoryTracker();
    const cost2 = new CostSpanProcessor({ catalog: testCatalog(), tracker });
    const provider2 = new BasicTracerProvider({ spanProcessors: [cost2] });
    const root2 = provider2.getTracer('t').startSpan('root', { attributes: { 'session.id': 'long' } });
    for (let i = 0; i < 10_000; i++) {
      tracer.startSpan('GET /x').end();
      provider2.getTracer('t').startSpan('GET /x').end();
      if (i % 1000 === 0) exporter.reset();
    }
    const index = (cost as unknown as { open: { held: number; size: number } }).open;
    expect(index.held).toBeLessThanOrEqual(2_048);
    expect(index.size).toBe(1);
    // The long-lived root is still found after thousands of sweeps.
    provider2
      .getTracer('t')
      .startSpan('chat', { attributes: SPAN_CASES[0]!.attributes }, trace.setSpan(context.active(), root2))
      .end();
    expect(tracker.records[0]!.ctx?.sessionId).toBe('long');
    longLived.end();
    root2.end();
  });

  it('lets a span go when it ends: the open-span index keeps no ended span alive', () => {
    const cost = new CostSpanProcessor({ catalog: testCatalog(), tracker: false });
    const provider = new BasicTracerProvider({ spanProcessors: [cost] });
    const tracer = provider.getTracer('t');
    const root = tracer.startSpan('root', { attributes: { 'session.id': 's-1' } });
    const index = (cost as unknown as { open: { held: number; size: number } }).open;
    const inRoot = trace.setSpan(context.active(), root);
    for (let i = 0; i < 100; i++) {
      tracer.startSpan('chat', { attributes: SPAN_CASES[0]!.attributes }, inRoot).end();
    }
    // Ended spans used to stay reachable from the index until a sweep at 2,048 entries, so every
    // span outlived the young generation's collections.
    expect(index.held).toBe(1);
    expect(index.size).toBe(1);
    // A span that ends before another starts (a leaf) never enters the id Map: only the root, which
    // was open when the first child started, has an entry there (before: one per span until a sweep).
    expect((index as unknown as { byId: Map<string, unknown> }).byId.size).toBe(1);
    root.end();
    expect(index.held).toBe(0);
    expect(index.size).toBe(0);
  });

  it('with tracker: false it still writes the cost', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [
        new CostSpanProcessor({ catalog: testCatalog(), tracker: false }),
        new SimpleSpanProcessor(exporter),
      ],
    });
    provider.getTracer('t').startSpan('chat', { attributes: SPAN_CASES[0]!.attributes }).end();
    expect(exporter.getFinishedSpans()[0]!.attributes[COST_ATTR.COST]).toBeCloseTo(SPAN_CASES[0]!.cost!, 12);
  });
});
