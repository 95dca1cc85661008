/**
 * OpenTelemetry NodeSDK + Langfuse span processor: `CostSpanProcessor` prices every LLM span in front
 * of `LangfuseSpanProcessor` — here a generation made with `@langfuse/tracing` and a span from another
 * instrumentation that follows the GenAI semantic conventions (a Bedrock model id with region prefix,
 * which Langfuse's own price table does not match).
 *
 *   node --import tsx examples/otel-nodesdk-langfuse/main.ts
 *
 * Offline by default: a loopback OTLP receiver stands in for Langfuse and prints what it received.
 * With LANGFUSE_PUBLIC_KEY / LANGFUSE_SECRET_KEY (and LANGFUSE_BASE_URL) the spans go to Langfuse.
 */
import { LangfuseSpanProcessor } from '@langfuse/otel';
import { startActiveObservation } from '@langfuse/tracing';
import { trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { formatUsd } from 'langfuse-cost';
import { CostSpanProcessor } from 'langfuse-cost/otel';
import { langfuseOtelTarget } from '../shared/offline.js';

const target = await langfuseOtelTarget();
const langfuse = new LangfuseSpanProcessor(target.options);
const sdk = new NodeSDK({
  serviceName: 'otel-example',
  // tracker: false — this example only shows the span attributes (the default records into the ledger too).
  spanProcessors: [new CostSpanProcessor({ tracker: false }), langfuse],
});
sdk.start();

await startActiveObservation('answer-question', async (root) => {
  root.update({ input: 'What changed in the October release?' });

  // 1. A Langfuse generation with usage and no cost.
  const generation = root.startObservation(
    'draft',
    { model: 'gpt-4o-2024-08-06', usageDetails: { input: 2400, input_cached_tokens: 1024, output: 350 } },
    { asType: 'generation' },
  );
  generation.update({ output: 'The October release added SSO for Team plans and faster exports.' }).end();

  // 2. A span from another instrumentation, GenAI semantic conventions (input includes cache reads).
  const span = trace
    .getTracer('my-bedrock-client')
    .startSpan('chat us.anthropic.claude-3-7-sonnet-20250219-v1:0', {
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'aws.bedrock',
        'gen_ai.request.model': 'us.anthropic.claude-3-7-sonnet-20250219-v1:0',
        'gen_ai.usage.input_tokens': 5000,
        'gen_ai.usage.cache_read.input_tokens': 4000,
        'gen_ai.usage.output_tokens': 420,
      },
    });
  span.end();
  root.update({ output: 'done' });
});

await langfuse.forceFlush();
for (const s of target.spans()) {
  const details = s.attributes['langfuse.observation.cost_details'];
  if (details === undefined) continue;
  const cost = JSON.parse(String(details)) as Record<string, number>;
  console.log(`${s.scope.name} / ${s.name}: ${formatUsd(cost.total ?? 0)} ${JSON.stringify(cost)}`);
  console.log(
    `  gen_ai.usage.cost=${s.attributes['gen_ai.usage.cost']} resolved_model=${s.attributes['langfuse.observation.metadata.resolved_model']}`,
  );
}
await sdk.shutdown();
await target.close();
