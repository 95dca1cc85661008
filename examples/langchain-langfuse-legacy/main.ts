/**
 * LangChain + the legacy Langfuse SDK (`langfuse-langchain` v3): `CostCallbackHandler` prices each
 * call and `LegacyLangfuseCostAdapter` puts the cost on the legacy handler's own generation (same
 * observation id), so Langfuse shows our cost and no second generation appears.
 *
 *   node --import tsx examples/langchain-langfuse-legacy/main.ts
 *
 * Offline by default: a simulated OpenAI, and a loopback `/api/public/ingestion` in place of Langfuse
 * (it prints the events Langfuse would receive). With OPENAI_API_KEY the real API is called; with
 * LANGFUSE_PUBLIC_KEY / LANGFUSE_SECRET_KEY (and LANGFUSE_BASEURL) the events go to Langfuse.
 */
import { ChatOpenAI } from '@langchain/openai';
import { formatUsd } from 'langfuse-cost';
import { CostCallbackHandler } from 'langfuse-cost/langchain';
import { LegacyLangfuseCostAdapter } from 'langfuse-cost/langfuse';
import { CallbackHandler } from 'langfuse-langchain';
import { langfuseIngestionTarget, llmEndpoints } from '../shared/offline.js';

const endpoints = await llmEndpoints(() => 'Paris is the capital of France.');
const target = await langfuseIngestionTarget();

const langfuseHandler = new CallbackHandler({ ...target.options, sessionId: 'legacy-demo' });
const adapter = new LegacyLangfuseCostAdapter(langfuseHandler);
const costs = new CostCallbackHandler({ onCost: adapter.onCost });

const model = new ChatOpenAI({ model: 'gpt-4o-mini', maxRetries: 1, ...endpoints.openai });
const answer = await model.invoke('What is the capital of France?', { callbacks: [langfuseHandler, costs] });
console.log(`answer: ${answer.content}`);
await langfuseHandler.shutdownAsync();

// What Langfuse received for the generation: one id, the legacy handler's usage and our cost.
const generations = target.events().filter((e) => e.type.startsWith('generation-'));
for (const e of generations) {
  const cost = e.body.costDetails as Record<string, number> | undefined;
  console.log(
    `${e.type} id=${e.body.id}${e.body.model ? ` model=${e.body.model}` : ''}` +
      `${cost ? ` cost=${formatUsd(cost.total ?? 0)}\n  usageDetails=${JSON.stringify(e.body.usageDetails)}\n  costDetails=${JSON.stringify(cost)}` : ''}`,
  );
}
if (target.simulated) console.log(`${new Set(generations.map((e) => e.body.id)).size} generation id(s)`);
await target.close();
await endpoints.close();
