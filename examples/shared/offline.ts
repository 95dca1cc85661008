import { startIngestionReceiver } from '../../tests/helpers/langfuse-ingestion.js';
import { type DecodedSpan, startOtlpReceiver } from '../../tests/helpers/otlp-receiver.js';
import { startSimulatedProviders } from '../quickstart/simulated-providers.js';

/**
 * What the examples talk to when no keys are set: loopback stand-ins for OpenAI and Anthropic (the
 * real LangChain clients, simulated answers with realistic usage) and for Langfuse (an OTLP receiver
 * and an ingestion endpoint that decode what the real SDKs send). Each example says which it uses.
 */

/** Client options for `new ChatOpenAI({...})` / `new ChatAnthropic({...})`: real keys or the simulator. */
export interface LlmEndpoints {
  /** Spread into `ChatOpenAI` options. */
  openai: { apiKey?: string; configuration?: { baseURL: string } };
  /** Spread into `ChatAnthropic` options. */
  anthropic: { apiKey?: string; anthropicApiUrl?: string };
  /** True when the provider is simulated. */
  simulated: { openai: boolean; anthropic: boolean };
  close(): Promise<void>;
}

/** Real providers where `OPENAI_API_KEY` / `ANTHROPIC_API_KEY` are set, the loopback simulator otherwise. */
export async function llmEndpoints(
  answer: (system: string, user: string) => string = defaultAnswer,
): Promise<LlmEndpoints> {
  const realOpenAI = Boolean(process.env.OPENAI_API_KEY);
  const realAnthropic = Boolean(process.env.ANTHROPIC_API_KEY);
  const sim = realOpenAI && realAnthropic ? undefined : await startSimulatedProviders(answer);
  if (sim) {
    const which = [!realOpenAI && 'OpenAI', !realAnthropic && 'Anthropic'].filter(Boolean).join(' and ');
    console.log(
      `(${which} SIMULATED on ${sim.anthropicBaseUrl}: responses are canned, usage is realistic; set the API key to call the real API)`,
    );
  }
  return {
    openai: realOpenAI ? {} : { apiKey: 'simulated', configuration: { baseURL: sim!.openaiBaseUrl } },
    anthropic: realAnthropic ? {} : { apiKey: 'simulated', anthropicApiUrl: sim!.anthropicBaseUrl },
    simulated: { openai: !realOpenAI, anthropic: !realAnthropic },
    close: async () => sim?.close(),
  };
}

function defaultAnswer(): string {
  return 'Thanks for your message. Here is the answer in plain words, with every detail you gave kept as it was.';
}

/** Where `@langfuse/otel` exports: Langfuse (keys set) or a loopback OTLP receiver. */
export interface LangfuseOtelTarget {
  /** Options for `new LangfuseSpanProcessor(...)`. */
  options: { baseUrl?: string; publicKey?: string; secretKey?: string; exportMode: 'immediate' };
  /** True when spans go to the loopback receiver. */
  simulated: boolean;
  /** Spans the loopback receiver decoded (empty when exporting to Langfuse). */
  spans(): DecodedSpan[];
  close(): Promise<void>;
}

/** Langfuse when `LANGFUSE_PUBLIC_KEY` and `LANGFUSE_SECRET_KEY` are set, else a loopback OTLP receiver. */
export async function langfuseOtelTarget(): Promise<LangfuseOtelTarget> {
  if (process.env.LANGFUSE_PUBLIC_KEY && process.env.LANGFUSE_SECRET_KEY) {
    console.log(
      `(exporting to Langfuse at ${process.env.LANGFUSE_BASE_URL ?? 'https://cloud.langfuse.com'})`,
    );
    return { options: { exportMode: 'immediate' }, simulated: false, spans: () => [], close: async () => {} };
  }
  const rx = await startOtlpReceiver();
  console.log(
    `(no LANGFUSE_* keys: exporting to a loopback OTLP receiver on ${rx.url} that decodes what Langfuse would get)`,
  );
  return {
    options: { baseUrl: rx.url, publicKey: 'pk-lf-local', secretKey: 'sk-lf-local', exportMode: 'immediate' },
    simulated: true,
    spans: () => rx.spans,
    close: () => rx.close(),
  };
}

/** Where the legacy `langfuse` v3 SDK sends batches: Langfuse (keys set) or a loopback ingestion endpoint. */
export interface LangfuseIngestionTarget {
  /** Options for the v3 `CallbackHandler` / `Langfuse` client. */
  options: { baseUrl?: string; publicKey?: string; secretKey?: string };
  simulated: boolean;
  /** Events the loopback endpoint received. */
  events(): { type: string; body: Record<string, any> }[];
  close(): Promise<void>;
}

/** Langfuse when keys are set (v3 reads `LANGFUSE_BASEURL`), else a loopback `/api/public/ingestion`. */
export async function langfuseIngestionTarget(): Promise<LangfuseIngestionTarget> {
  if (process.env.LANGFUSE_PUBLIC_KEY && process.env.LANGFUSE_SECRET_KEY) {
    const baseUrl = process.env.LANGFUSE_BASEURL ?? process.env.LANGFUSE_BASE_URL;
    console.log(`(sending to Langfuse at ${baseUrl ?? 'https://cloud.langfuse.com'})`);
    return { options: baseUrl ? { baseUrl } : {}, simulated: false, events: () => [], close: async () => {} };
  }
  const rx = await startIngestionReceiver();
  console.log(
    `(no LANGFUSE_* keys: sending to a loopback ingestion endpoint on ${rx.url} that keeps what Langfuse would get)`,
  );
  return {
    options: { baseUrl: rx.url, publicKey: 'pk-lf-local', secretKey: 'sk-lf-local' },
    simulated: true,
    events: () => rx.events,
    close: () => rx.close(),
  };
}
