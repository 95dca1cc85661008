/**
 * LangChain + Langfuse with the current SDK (`@langfuse/langchain`, `@langfuse/otel`): the Langfuse
 * handler sends each LLM call as a generation span with usage; `CostSpanProcessor`, in front of
 * `LangfuseSpanProcessor`, adds the cost before export.
 *
 *   node --import tsx examples/langchain-langfuse/main.ts
 *
 * Offline by default: simulated OpenAI/Anthropic, and a loopback OTLP receiver in place of Langfuse
 * (it prints what Langfuse would receive). With OPENAI_API_KEY / ANTHROPIC_API_KEY the real APIs are
 * called; with LANGFUSE_PUBLIC_KEY / LANGFUSE_SECRET_KEY (and LANGFUSE_BASE_URL) the traces go to Langfuse.
 */
import { ChatAnthropic } from '@langchain/anthropic';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { ChatOpenAI } from '@langchain/openai';
import { CallbackHandler } from '@langfuse/langchain';
import { LangfuseSpanProcessor } from '@langfuse/otel';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { formatUsd } from 'langfuse-cost';
import { CostSpanProcessor } from 'langfuse-cost/otel';
import { langfuseOtelTarget, llmEndpoints } from '../shared/offline.js';

// Simulated answers (used only without API keys).
const endpoints = await llmEndpoints((_system, user) =>
  user.startsWith('Summarize')
    ? 'Support closed 18% more tickets in October and replied faster, with billing still the top topic.'
    : 'October Support: Faster, Busier',
);
const target = await langfuseOtelTarget();

// The one line that puts costs on Langfuse generations: CostSpanProcessor first.
const langfuse = new LangfuseSpanProcessor(target.options);
const sdk = new NodeSDK({ spanProcessors: [new CostSpanProcessor(), langfuse] });
sdk.start();

const summarize = ChatPromptTemplate.fromTemplate('Summarize in one sentence: {text}')
  .pipe(
    new ChatAnthropic({ model: 'claude-haiku-4-5', maxTokens: 200, maxRetries: 1, ...endpoints.anthropic }),
  )
  .pipe(new StringOutputParser());
const title = ChatPromptTemplate.fromTemplate('Write a five-word title for: {summary}')
  .pipe(new ChatOpenAI({ model: 'gpt-4o-mini', maxRetries: 1, ...endpoints.openai }))
  .pipe(new StringOutputParser());

const text =
  'The support team closed 412 tickets in October, 18% more than in September, while the median first ' +
  'reply time fell from 3.1 to 2.4 hours after the new triage rules. Billing questions remain the largest group.';
const handler = new CallbackHandler({ sessionId: 'report-2026-11', userId: 'ops-team' });
const summary = await summarize.invoke({ text }, { callbacks: [handler] });
const heading = await title.invoke({ summary }, { callbacks: [handler] });
console.log(`title: ${heading}`);

await langfuse.forceFlush();
for (const span of target.spans().filter((s) => s.attributes['langfuse.observation.type'] === 'generation')) {
  const cost = JSON.parse(String(span.attributes['langfuse.observation.cost_details']));
  console.log(
    `generation ${span.name}: model ${span.attributes['langfuse.observation.model.name']}, cost ${formatUsd(cost.total)}`,
  );
  console.log(`  usage_details ${span.attributes['langfuse.observation.usage_details']}`);
  console.log(`  cost_details  ${JSON.stringify(cost)}`);
}
if (!target.simulated)
  console.log('Open Langfuse → Tracing → Sessions → report-2026-11: each generation shows its cost.');
await sdk.shutdown();
await target.close();
await endpoints.close();
