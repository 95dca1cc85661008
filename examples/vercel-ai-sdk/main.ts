/**
 * Vercel AI SDK telemetry: `generateText` with `experimental_telemetry` emits OTel spans;
 * `CostSpanProcessor` prices the per-step `ai.generateText.doGenerate` spans (never the wrapping
 * `ai.generateText` span, which repeats their usage), in front of `LangfuseSpanProcessor`.
 *
 *   node --import tsx examples/vercel-ai-sdk/main.ts
 *
 * Offline: the model is the AI SDK's own test model (`ai/test`) answering a two-step tool call with
 * fixed usage; replace it with a real one (e.g. `openai('gpt-4o-mini')` from `@ai-sdk/openai`) in your
 * app. Spans go to a loopback OTLP receiver, or to Langfuse when LANGFUSE_PUBLIC_KEY / _SECRET_KEY are set.
 */
import { LangfuseSpanProcessor } from '@langfuse/otel';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { generateText, jsonSchema, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { CostTracker, formatUsd } from 'langfuse-cost';
import { CostSpanProcessor } from 'langfuse-cost/otel';
import { langfuseOtelTarget } from '../shared/offline.js';

const target = await langfuseOtelTarget();
const tracker = new CostTracker();
const langfuse = new LangfuseSpanProcessor(target.options);
const sdk = new NodeSDK({ spanProcessors: [new CostSpanProcessor({ tracker }), langfuse] });
sdk.start();

// Step 1 asks for a tool call, step 2 answers. Usage as OpenAI's Responses API reports it.
const model = new MockLanguageModelV3({
  provider: 'openai.responses',
  modelId: 'gpt-4.1-mini',
  doGenerate: [
    {
      content: [{ type: 'tool-call', toolCallId: 'call-1', toolName: 'weather', input: '{"city":"Paris"}' }],
      finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
      usage: {
        inputTokens: { total: 1200, noCache: 1000, cacheRead: 200, cacheWrite: undefined },
        outputTokens: { total: 40, text: 40, reasoning: undefined },
      },
      warnings: [],
    },
    {
      content: [{ type: 'text', text: 'It is sunny in Paris, 21 °C.' }],
      finishReason: { unified: 'stop', raw: 'stop' },
      usage: {
        inputTokens: { total: 1300, noCache: 1300, cacheRead: 0, cacheWrite: undefined },
        outputTokens: { total: 25, text: 25, reasoning: undefined },
      },
      warnings: [],
    },
  ],
});

const result = await generateText({
  model,
  prompt: 'What is the weather in Paris?',
  tools: {
    weather: tool({
      description: 'Current weather in a city',
      inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } } }),
      execute: async () => ({ sky: 'sunny', celsius: 21 }),
    }),
  },
  stopWhen: stepCountIs(2),
  experimental_telemetry: {
    isEnabled: true,
    functionId: 'weather-bot',
    metadata: { sessionId: 'ai-sdk-demo' },
  },
});
console.log(`answer: ${result.text}`);

await langfuse.forceFlush();
for (const s of target.spans()) {
  const cost = s.attributes['gen_ai.usage.cost'];
  const why =
    s.name === 'ai.generateText' ? 'wraps the two steps, would count them twice' : 'not a model call';
  console.log(`  ${s.name}: ${cost === undefined ? `not priced (${why})` : formatUsd(Number(cost))}`);
}
const stats = tracker.stats();
console.log(`Total: ${formatUsd(stats.totalCost)} for ${stats.requests} model calls (${stats.exact} USD)`);
await sdk.shutdown();
await target.close();
