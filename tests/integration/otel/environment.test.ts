import { ChatPromptTemplate } from '@langchain/core/prompts';
import { ChatOpenAI } from '@langchain/openai';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { CostCallbackHandler } from '../../../src/langchain/index.js';
import { createTrackerFromEnv } from '../../../src/node/default-tracker.js';
import { CostSpanProcessor } from '../../../src/otel/index.js';
import { CostTracker } from '../../../src/tracker/index.js';
import { memoryTracker, testCatalog } from '../../helpers/otel-span-cases.js';
import { useProviderServer } from '../../helpers/providers/index.js';
import { priced } from '../../helpers/tracker-fixtures.js';

// Issue 15, Why 5: the environment dimension from Langfuse's conventions, and LangChain's internal
// tags kept out of the recorded tags — through the real OTel SDK and a real LangChain chain.

const server = useProviderServer();

const CHAT = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.usage.input_tokens': 10,
  'gen_ai.usage.output_tokens': 5,
};

function provider(resource: Record<string, string>) {
  const tracker = memoryTracker();
  const p = new BasicTracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [new CostSpanProcessor({ catalog: testCatalog(), tracker })],
  });
  return { tracker, tracer: p.getTracer('genai-app') };
}

describe('environment over OTel', () => {
  it('the resource deployment.environment.name, the deprecated deployment.environment, and langfuse.environment on the span', () => {
    const a = provider({ 'service.name': 'svc', 'deployment.environment.name': 'production' });
    a.tracer.startSpan('chat', { attributes: CHAT }).end();
    const b = provider({ 'deployment.environment': 'staging' });
    b.tracer.startSpan('chat', { attributes: CHAT }).end();
    // LangfuseSpanProcessor writes langfuse.environment on every span; it wins over the resource.
    b.tracer.startSpan('chat', { attributes: { ...CHAT, 'langfuse.environment': 'canary' } }).end();
    const none = provider({ 'service.name': 'svc' });
    none.tracer.startSpan('chat', { attributes: CHAT }).end();
    expect(a.tracker.records.map((r) => r.ctx?.environment)).toEqual(['production']);
    expect(b.tracker.records.map((r) => r.ctx?.environment)).toEqual(['staging', 'canary']);
    expect(none.tracker.records.map((r) => r.ctx?.environment)).toEqual([undefined]);
  });
});

describe('environment and tags with a real LangChain chain', () => {
  it('prompt | ChatOpenAI: metadata langfuse_environment is recorded, seq:step:2 is not a tag', async () => {
    const tracker = new CostTracker({ sinks: [] });
    const llm = new ChatOpenAI({
      model: 'gpt-4o',
      apiKey: 'test',
      maxRetries: 0,
      configuration: { baseURL: `${server.url}/v1` },
    });
    const chain = ChatPromptTemplate.fromTemplate('Say hi to {name}').pipe(llm);
    let llmTags: string[] | undefined;
    await chain.invoke(
      { name: 'Ada' },
      {
        tags: ['team-a'],
        metadata: { langfuse_environment: 'staging' },
        callbacks: [
          new CostCallbackHandler({ tracker, catalog: testCatalog() }),
          {
            handleChatModelStart(_llm, _messages, _runId, _parent, _extra, tags) {
              llmTags = tags;
            },
          },
        ],
      },
    );
    // What LangChain gave the model run: the user's tag and its own step tag.
    expect(llmTags).toEqual(expect.arrayContaining(['team-a', 'seq:step:2']));
    const [r] = tracker.recent();
    expect(r!.tags).toEqual(['team-a']);
    expect(r!.environment).toBe('staging');
  });

  it('LANGFUSE_TRACING_ENVIRONMENT names the environment of calls that carry none', async () => {
    const t = createTrackerFromEnv({
      LANGFUSE_COST_LEDGER: 'off',
      LANGFUSE_TRACING_ENVIRONMENT: 'production',
    });
    t.record(priced('gpt-4o', { input: 10 }));
    t.record(priced('gpt-4o', { input: 10 }), { environment: 'dev' });
    expect(t.recent().map((r) => r.environment)).toEqual(['production', 'dev']);
    await t.close();
  });
});
