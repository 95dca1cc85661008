/**
 * One way of calling the model of `bench/langchain.ts`, in a process of its own (the stand-alone
 * figure; see bench/shared/standalone.ts). Not a benchmark itself: `bench/langchain.ts` runs it.
 *
 * Usage: node --import tsx bench/runners/langchain.ts <noop|tracked|default> [calls=20000]
 *   noop     `model.invoke(prompt, { callbacks: [new NoopHandler()] })` (the peer)
 *   tracked  with `new CostCallbackHandler({ tracker })`, a `CostTracker` with no sinks
 *   default  with `new CostCallbackHandler()` as users write it: the process-wide tracker of
 *            langfuse-cost/node with its JSONL ledger (at LANGFUSE_COST_LEDGER)
 *
 * Calls go in rounds of 400, each ended by the tracker's flush (the ledger's encoding and writes).
 * The figure is the process CPU time over the measured calls divided by their number: GC and the
 * tracker's deferred work are in it. Prints one JSON line (`RunnerResult`).
 */
import type { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { importBuilt } from '../shared/built.js';
import { NoopHandler, PROMPT, UsageChatModel } from '../shared/langchain-model.js';
import { measureRunner, variantArg } from '../shared/standalone.js';

const ROUND = 400;
/**
 * Rounds before the measurement (20,000 calls): LangChain has much code for V8 to compile; after 1,200
 * calls its background compilation still doubled the CPU figure of a 20,000-call process.
 */
const WARM_UP_ROUNDS = 50;
const VARIANTS = ['noop', 'tracked', 'default'] as const;

const variant = variantArg('bench/runners/langchain.ts', VARIANTS, '[calls]');
const rounds = Math.max(1, Math.round(Number(process.argv[3] ?? 20_000) / ROUND));

const { CostTracker } = await importBuilt<typeof import('langfuse-cost')>('index.js');
const { CostCallbackHandler } = await importBuilt<typeof import('langfuse-cost/langchain')>('langchain.js');
const { getDefaultTracker } = await importBuilt<typeof import('langfuse-cost/node')>('node.js');

let handler: BaseCallbackHandler;
let flush = async () => {};
if (variant === 'noop') handler = new NoopHandler();
else if (variant === 'tracked') {
  handler = new CostCallbackHandler({ tracker: new CostTracker({ sinks: [] }) });
} else {
  handler = new CostCallbackHandler();
  flush = () => getDefaultTracker().flush();
}
const model = new UsageChatModel({});
const options = { callbacks: [handler] };

async function round(): Promise<void> {
  for (let i = 0; i < ROUND; i++) await model.invoke(PROMPT, options);
  await flush();
}

// Warm-up: JIT, the model's memoised resolution.
await measureRunner(round, WARM_UP_ROUNDS, rounds, ROUND);
if (variant === 'default') await getDefaultTracker().close();
