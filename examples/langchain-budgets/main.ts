/**
 * LangChain chain with budgets: per-user limits with alerts, and enforcement that refuses a call
 * before any tokens are spent.
 *
 *   node --import tsx examples/langchain-budgets/main.ts
 *
 * Offline by default (a loopback OpenAI simulator); set OPENAI_API_KEY to call the real API.
 */
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { ChatOpenAI } from '@langchain/openai';
import { BudgetExceededError, CostTracker, formatUsd, LogSink } from 'langfuse-cost';
import { CostCallbackHandler } from 'langfuse-cost/langchain';
import { llmEndpoints } from '../shared/offline.js';

const endpoints = await llmEndpoints();

const tracker = new CostTracker({
  // Tiny limits so the example crosses them: $0.0015 per user per day, $1 per day overall.
  budgets: { perUser: { limit: 0.0015, warning: 0.5, critical: 0.9 }, daily: 1 },
  enforce: true,
  // One line per call: model=… tokens=… cost=$… source=catalog duration=…ms user=…
  sinks: [new LogSink({ log: (line) => console.log(`  ${line}`) })],
});
tracker.on('budget', (a) => {
  console.log(
    `  ⚠ ${a.scope} budget ${a.key ?? ''} ${a.level}: ${formatUsd(a.spent)} of ${formatUsd(a.limit)}`,
  );
});

const chain = ChatPromptTemplate.fromMessages([
  ['system', 'You translate customer messages into plain English and keep every detail.'],
  ['human', '{text}'],
])
  .pipe(new ChatOpenAI({ model: 'gpt-4o', maxRetries: 1, ...endpoints.openai }))
  .pipe(new StringOutputParser());

const costs = new CostCallbackHandler({ tracker });
const messages = [
  'Bonjour, ma facture de novembre est en double, pouvez-vous vérifier ?',
  'Hallo, die API antwortet seit heute Morgen mit Fehler 429.',
  'Hola, ¿puedo cambiar mi plan a anual a mitad de mes?',
  'Ciao, non riesco a esportare i dati in CSV.',
  'Olá, como adiciono mais um utilizador à equipa?',
  'Hej, kan jeg få fakturaen med vores momsnummer?',
];

for (const [i, text] of messages.entries()) {
  console.log(`alice, message ${i + 1}:`);
  try {
    await chain.invoke({ text }, { callbacks: [costs], metadata: { user_id: 'alice' } });
  } catch (err) {
    if (!(err instanceof BudgetExceededError)) throw err;
    // Thrown when the call starts, so nothing was sent to the provider.
    console.log(`  refused: ${err.message}`);
  }
}

console.log('\nBudget status:');
for (const b of tracker.budgetStatus()) {
  console.log(
    `  ${b.scope}${b.key ? ` ${b.key}` : ''}: ${formatUsd(b.spent)} of ${formatUsd(b.limit)} — ${b.level}`,
  );
}
const stats = tracker.stats();
console.log(`Total: ${formatUsd(stats.totalCost)} (${stats.exact} USD exactly) for ${stats.requests} calls`);
await endpoints.close();
