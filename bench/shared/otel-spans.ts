/**
 * The spans of `bench/otel.ts` and its stand-alone runner: a real OTel SDK pipeline
 * (BasicTracerProvider → [processor] → SimpleSpanProcessor → InMemorySpanExporter) and the span
 * attributes an instrumentation writes. Not a benchmark itself.
 */
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** Span attributes. */
export type Attrs = Record<string, string | number>;

/** A chat span as an OpenAI instrumentation following the GenAI semconv writes it. */
export const LLM_ATTRIBUTES: Attrs = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.response.model': 'gpt-4o-2024-08-06',
  'gen_ai.response.id': 'chatcmpl-123',
  'gen_ai.usage.input_tokens': 1200,
  'gen_ai.usage.cache_read.input_tokens': 200,
  'gen_ai.usage.output_tokens': 300,
  'server.address': 'api.openai.com',
  'session.id': 'session-42',
};

/**
 * Five chat spans that differ in which optional attributes they carry (session, user, environment), as
 * a service's spans do: in rotation they show what shape changes cost, which one repeated shape hides
 * (property reads and writes that see several hidden classes get slower).
 */
export const MIXED_LLM_ATTRIBUTES: readonly Attrs[] = (() => {
  const { 'session.id': _session, ...noSession } = LLM_ATTRIBUTES;
  return [
    LLM_ATTRIBUTES,
    noSession,
    { ...noSession, 'user.id': 'user-7' },
    { ...LLM_ATTRIBUTES, 'langfuse.environment': 'production' },
    { ...LLM_ATTRIBUTES, 'user.id': 'user-8', 'langfuse.environment': 'production' },
  ];
})();

/** An HTTP span: what most spans in a service are. */
export const HTTP_ATTRIBUTES: Attrs = {
  'http.request.method': 'POST',
  'url.full': 'https://api.example.com/v1/things',
  'http.response.status_code': 200,
  'server.address': 'api.example.com',
};

const INPUT_TOKENS = 'gen_ai.usage.input_tokens';
const OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';

/**
 * Input and output tokens of the k-th span, small integers as a response's parsed counts are. They
 * differ span to span, as real calls' do: with one usage repeated, every cost amount would be the
 * same double, and V8's number-to-string cache would hide the ~200 ns its text costs on a real call
 * (costs are written as JSON on the span).
 */
export function tokenCounts(k: number): [input: number, output: number] {
  // Reduced before the multiplication, so every step stays a small integer: `k * 104_729` passes 2^31
  // at k = 20,506, and from there the counts were doubles (heap numbers), which no instrumentation
  // hands over (counts parsed from a response are small integers). Same values either way.
  return [200 + (((k % 5000) * 7919) % 5000), 20 + (((k % 800) * 104_729) % 800)];
}

/** Spans per batch: a service yields to the event loop between bursts of spans. */
export const BATCH = 200;

/** One pipeline: `run(n)` starts and ends n spans; `reset()` empties the exporter. */
export interface Pipeline {
  name: string;
  run(n: number, attributes: Attrs): void;
  /** n spans, taking their attributes from `shapes` in rotation. */
  runMixed(n: number, shapes: readonly Attrs[]): void;
  reset(): void;
}

/** The SDK pipeline, with `front` (our processor) listed before the exporting processor. */
export function pipeline(name: string, front?: SpanProcessor): Pipeline {
  const exporter = new InMemorySpanExporter();
  const exporting = new SimpleSpanProcessor(exporter);
  const tracer = new BasicTracerProvider({
    spanProcessors: front ? [front, exporting] : [exporting],
  }).getTracer('bench');
  let k = 0;
  /**
   * Start a span and end it; an LLM span first gets this call's token counts, as an instrumentation
   * sets them once the response is in.
   */
  const call = (attributes: Attrs): void => {
    const span = tracer.startSpan('chat gpt-4o', { attributes });
    if (attributes[INPUT_TOKENS] !== undefined) {
      const [input, output] = tokenCounts(k++);
      span.setAttribute(INPUT_TOKENS, input);
      span.setAttribute(OUTPUT_TOKENS, output);
    }
    span.end();
  };
  return {
    name,
    run(n, attributes) {
      for (let i = 0; i < n; i++) call(attributes);
    },
    runMixed(n, shapes) {
      for (let i = 0; i < n; i++) call(shapes[i % shapes.length]!);
    },
    reset: () => exporter.reset(),
  };
}

/**
 * Let SimpleSpanProcessor's export promises settle. Without this a synchronous loop keeps every
 * span alive until it ends (the promises resolve in microtasks), so all spans get promoted to the
 * old generation — a cost of the benchmark, not of tracing, that grows with span size.
 */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
