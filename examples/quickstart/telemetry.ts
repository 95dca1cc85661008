import { CallbackHandler as LangfuseCallbackHandler } from '@langfuse/langchain';
import { setLangfuseTracerProvider } from '@langfuse/tracing';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { PriceCatalog } from 'langfuse-cost';
import { COST_ATTR, CostSpanProcessor } from 'langfuse-cost/otel';

/**
 * The OpenTelemetry side of the demo. `@langfuse/langchain`'s CallbackHandler turns every LangChain
 * LLM call into an OTel generation span (`@langfuse/tracing`); `CostSpanProcessor`, listed first,
 * writes the cost onto each span before any exporter sees it. The spans go to an in-memory exporter
 * (so the demo can show what was written) and, when Langfuse keys are set, to Langfuse through
 * `@langfuse/otel`'s LangfuseSpanProcessor.
 *
 * The processor gets `tracker: false`: in this app the LangChain `CostCallbackHandler` already
 * records every call, and recording the same call from both adapters would count it twice.
 */
export interface Telemetry {
  /** True when spans are also exported to Langfuse. */
  langfuse: boolean;
  /** A LangChain callback that emits the OTel spans (the Langfuse handler; works without keys). */
  callback(): LangfuseCallbackHandler;
  /** Generation spans finished so far, in the order they ended. */
  generations(): ReadableSpan[];
  /** Export what is pending (to Langfuse too). */
  flush(): Promise<void>;
  /** Flush and stop. */
  shutdown(): Promise<void>;
}

/** Cost written on a span by CostSpanProcessor (`gen_ai.usage.cost`), if any. */
export function spanCost(span: ReadableSpan): number | undefined {
  const v = span.attributes[COST_ATTR.COST];
  return typeof v === 'number' ? v : undefined;
}

/** Start the tracer provider. With `langfuse: true`, LANGFUSE_* environment variables configure the export. */
export async function startTelemetry(options: {
  catalog: PriceCatalog;
  langfuse: boolean;
}): Promise<Telemetry> {
  const memory = new InMemorySpanExporter();
  const processors: SpanProcessor[] = [
    // First in the list: the cost is on the span before the exporting processors run.
    new CostSpanProcessor({ catalog: options.catalog, tracker: false }),
    new SimpleSpanProcessor(memory),
  ];
  if (options.langfuse) {
    const { LangfuseSpanProcessor } = await import('@langfuse/otel');
    processors.push(new LangfuseSpanProcessor());
  }
  const provider = new BasicTracerProvider({ spanProcessors: processors });
  // @langfuse/tracing (used by the Langfuse LangChain handler) creates its spans on this provider.
  setLangfuseTracerProvider(provider);
  return {
    langfuse: options.langfuse,
    callback: () => new LangfuseCallbackHandler(),
    generations: () =>
      memory.getFinishedSpans().filter((s) => s.attributes['langfuse.observation.type'] === 'generation'),
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      await provider.forceFlush();
      await provider.shutdown();
      setLangfuseTracerProvider(null);
    },
  };
}
