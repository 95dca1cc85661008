/**
 * A custom price file with Azure OpenAI deployment names: the file holds negotiated prices and maps
 * each deployment (`prod-gpt4o-eastus`, `chat-small`, …) to its model, so calls reported under a
 * deployment name are priced, in code, in the CLI, and in the LangChain handler and OTel processor.
 *
 *   node --import tsx examples/azure-price-file/main.ts
 *   LANGFUSE_COST_PRICES=examples/azure-price-file/prices.yaml npx langfuse-cost price prod-gpt4o-eastus --provider azure --input 1200 --output 300 --explain
 *
 * In an app, set LANGFUSE_COST_PRICES to the file: `getNodeCatalog()` (the default catalog of the
 * adapters) loads it as the `user` layer, above the bundled prices.
 */
import { fileURLToPath } from 'node:url';
import { calculateCost, formatUsd } from 'langfuse-cost';
import { getNodeCatalog } from 'langfuse-cost/node';

const file = fileURLToPath(new URL('./prices.yaml', import.meta.url));
// Equivalent to LANGFUSE_COST_PRICES=<file>; reload: build a fresh catalog for this example.
const catalog = getNodeCatalog({ priceFiles: [file], reload: true });

const calls = [
  { model: 'prod-gpt4o-eastus', usage: { input: 1200, cacheRead: 800, output: 300 } },
  { model: 'prod-gpt4o-westeurope', usage: { input: 50_000, output: 2_000 }, serviceTier: 'batch' },
  { model: 'chat-small', usage: { input: 3000, output: 500 } },
  { model: 'embeddings', usage: { input: 120_000 } },
  // Not in the file: falls through to the bundled catalog's Azure / OpenAI prices.
  { model: 'gpt-4.1-mini', usage: { input: 1000, output: 100 } },
];

for (const call of calls) {
  const r = calculateCost({ ...call, provider: 'azure' }, catalog);
  if (!r) {
    console.log(`${call.model}: no price`);
    continue;
  }
  console.log(
    `${call.model.padEnd(22)} → ${`${r.provider}/${r.resolvedModel}`.padEnd(32)} ${formatUsd(r.total).padStart(9)}  ` +
      `source=${r.source} layer=${r.layer} tier=${r.tier}`,
  );
}

const trace = catalog.explain('prod-gpt4o-eastus', 'azure');
console.log('\nWhy prod-gpt4o-eastus resolved that way:');
for (const step of trace.steps)
  console.log(`  ${step.matched ? '✔' : '·'} ${step.rule}: ${step.candidate} ${step.detail ?? ''}`);
