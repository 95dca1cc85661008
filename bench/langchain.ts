/**
 * Overhead of CostCallbackHandler per LLM call.
 *
 * Run: `npm run bench -- langchain` (it builds first; `langfuse-cost` resolves to the built package)
 *
 * Four ways to call the same in-process chat model (no network; it returns an AIMessage with
 * OpenAI-shaped usage_metadata and response_metadata, as ChatOpenAI does):
 *   - baseline:  `model.invoke(prompt)` with no callbacks
 *   - no-op:     with a BaseCallbackHandler that does nothing but is dispatched the same way as ours
 *                (awaited, raiseError) — what LangChain's callback machinery itself costs: the named
 *                reference of the handler's figure
 *   - cost:      with CostCallbackHandler and a real CostTracker (bundled catalog, budgets, no sinks)
 *   - default:   `new CostCallbackHandler()` as users write it: the process-wide tracker of
 *                langfuse-cost/node with its JSONL ledger (in a temporary directory), flushed at the end
 *                of every round so that the ledger's encoding and writes are inside the figure
 * Rounds of the four alternate; a run is ROUNDS_PER_RUN rounds, and its figure per way is the process
 * CPU time (all threads, so GC and deferred work count) over its calls. Figures are the median and the
 * range over RUNS runs. Then the handler's own time inside real invokes (timed around its two
 * callbacks; per-call median) and the same work called directly in a loop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage, HumanMessage } from '@langchain/core/messages';
import type { ChatResult, LLMResult } from '@langchain/core/outputs';
import { CostTracker, getDefaultCatalog } from 'langfuse-cost';
import { CostCallbackHandler } from 'langfuse-cost/langchain';
import { getDefaultTracker } from 'langfuse-cost/node';
import { fmtSpread, spread } from './util.js';

class UsageChatModel extends BaseChatModel {
  _llmType(): string {
    return 'usage-fake';
  }
  override getLsParams(options: this['ParsedCallOptions']) {
    return { ...super.getLsParams(options), ls_provider: 'openai', ls_model_name: 'gpt-4o-mini' };
  }
  async _generate(_messages: BaseMessage[]): Promise<ChatResult> {
    const message = new AIMessage({
      content: 'ok',
      usage_metadata: {
        input_tokens: 1200,
        output_tokens: 300,
        total_tokens: 1500,
        input_token_details: { cache_read: 1024 },
        output_token_details: { reasoning: 0 },
      },
      response_metadata: { model_name: 'gpt-4o-mini-2024-07-18', model_provider: 'openai' },
    });
    return { generations: [{ text: 'ok', message }], llmOutput: {} };
  }
}

class NoopHandler extends BaseCallbackHandler {
  name = 'noop';
  constructor() {
    super({ raiseError: true });
  }
  override handleChatModelStart(): void {}
  override handleLLMEnd(): void {}
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * µs per call of `fn`, as process CPU time (user + system): on a shared machine wall-clock time
 * also counts the time other processes hold the CPU. `WALL=1` measures wall-clock time instead.
 */
const WALL = process.env.WALL === '1';
function now(): number {
  if (WALL) return Number(process.hrtime.bigint()) / 1000;
  const u = process.cpuUsage();
  return u.user + u.system;
}

const model = new UsageChatModel({});
const prompt = [new HumanMessage('hi')];
const tracker = new CostTracker({ sinks: [], budgets: { daily: { limit: 1e9 } } });
const handler = new CostCallbackHandler({ tracker, catalog: getDefaultCatalog() });
const noop = new NoopHandler();

const RUNS = Math.max(3, Number(process.env.RUNS ?? 5));
const ROUNDS_PER_RUN = Number(process.env.ROUNDS_PER_RUN ?? 5);
const ROUNDS = RUNS * ROUNDS_PER_RUN;
const PER_ROUND = Number(process.env.PER_ROUND ?? 400);
/** Goal of issue 17 for the handler's added CPU per call, over the no-op handler. */
const TARGET_US = 3;

// The default handler's process-wide tracker writes its ledger here (read when it is first used).
const ledgerDir = mkdtempSync(join(tmpdir(), 'lc-bench-langchain-'));
process.env.LANGFUSE_COST_LEDGER = join(ledgerDir, 'ledger.jsonl');
const defaultHandler = new CostCallbackHandler();

// Warm up every path (JIT, catalog memo, LangChain lazy imports).
for (let i = 0; i < 300; i++) {
  await model.invoke(prompt);
  await model.invoke(prompt, { callbacks: [noop] });
  await model.invoke(prompt, { callbacks: [handler] });
  await model.invoke(prompt, { callbacks: [defaultHandler] });
}
await getDefaultTracker().flush();

const WAYS = [
  { name: 'baseline (no callbacks)', invoke: () => model.invoke(prompt), flush: async () => {} },
  {
    name: 'no-op handler (same dispatch)',
    invoke: () => model.invoke(prompt, { callbacks: [noop] }),
    flush: async () => {},
  },
  {
    name: 'CostCallbackHandler, CostTracker no sinks',
    invoke: () => model.invoke(prompt, { callbacks: [handler] }),
    flush: async () => {},
  },
  {
    name: 'CostCallbackHandler() default + ledger',
    invoke: () => model.invoke(prompt, { callbacks: [defaultHandler] }),
    flush: () => getDefaultTracker().flush(),
  },
];
/** Per way, µs per call in each run (CPU, or wall with WALL=1). */
const perRun = WAYS.map(() => [] as number[]);
/** Per way, µs per call in each round (for the per-round medians printed too). */
const perRound = WAYS.map(() => [] as number[]);
for (let r = 0; r < RUNS; r++) {
  const acc = WAYS.map(() => 0);
  for (let k = 0; k < ROUNDS_PER_RUN; k++) {
    for (let j = 0; j < WAYS.length; j++) {
      const w = WAYS[(j + k + r) % WAYS.length]!;
      const i = WAYS.indexOf(w);
      const t0 = now();
      for (let c = 0; c < PER_ROUND; c++) await w.invoke();
      await w.flush();
      const per = (now() - t0) / PER_ROUND;
      acc[i]! += per;
      perRound[i]!.push(per);
    }
  }
  for (let i = 0; i < WAYS.length; i++) perRun[i]!.push(acc[i]! / ROUNDS_PER_RUN);
}
const base = perRound[0]!;
const withNoop = perRound[1]!;
const withCost = perRound[2]!;

// The handler's own time inside real invokes: start + end (+ price + record) per call, timed
// around the two callbacks; the per-call median is robust to the odd preemption on a busy machine.
const inCall: number[] = [];
{
  let callStart = 0;
  let acc = 0;
  const timed = new CostCallbackHandler({ tracker, catalog: getDefaultCatalog() });
  const start = timed.handleChatModelStart.bind(timed);
  const end = timed.handleLLMEnd.bind(timed);
  timed.handleChatModelStart = (...args: Parameters<typeof start>) => {
    const t = process.hrtime.bigint();
    start(...args);
    acc = Number(process.hrtime.bigint() - t);
  };
  timed.handleLLMEnd = (...args: Parameters<typeof end>) => {
    const t = process.hrtime.bigint();
    end(...args);
    callStart = Number(process.hrtime.bigint() - t);
    inCall.push((acc + callStart) / 1000);
  };
  for (let i = 0; i < 300; i++) await model.invoke(prompt, { callbacks: [timed] });
  inCall.length = 0;
  for (let i = 0; i < ROUNDS * PER_ROUND; i++) await model.invoke(prompt, { callbacks: [timed] });
}

// The handler's own work, called directly as LangChain calls it (same arguments every time).
const serialized = {
  lc: 1,
  type: 'constructor',
  id: ['langchain', 'chat_models', 'openai', 'ChatOpenAI'],
  kwargs: {},
} as const;
const metadata = {
  ls_provider: 'openai',
  ls_model_name: 'gpt-4o-mini',
  ls_model_type: 'chat',
  session_id: 's-1',
};
const extra = { invocation_params: { model: 'gpt-4o-mini' } };
const output = (await model.generate([prompt])) as LLMResult;
const llmEnd = { generations: output.generations, llmOutput: output.llmOutput } as LLMResult;
const direct: number[] = [];
let id = 0;
for (let r = 0; r < ROUNDS; r++) {
  const n = PER_ROUND * 10;
  const t0 = now();
  for (let i = 0; i < n; i++) {
    const runId = `run-${id++}`;
    handler.handleChatModelStart(serialized as never, [prompt], runId, undefined, extra, ['t'], metadata);
    handler.handleLLMEnd(llmEnd, runId);
  }
  direct.push((now() - t0) / n);
}

const mBase = median(base);
const mNoop = median(withNoop);
const mCost = median(withCost);
const mDirect = median(direct);
const mInCall = median(inCall);
const fmt = (x: number) => `${x.toFixed(2)} µs`;
console.log(
  `LangChain invoke, ${WALL ? 'wall-clock' : 'CPU'} time per call: median and range over ${RUNS} runs of ` +
    `${ROUNDS_PER_RUN} rounds × ${PER_ROUND} calls (Node ${process.version})`,
);
const noopRuns = perRun[1]!;
for (let i = 0; i < WAYS.length; i++) {
  const own = spread(perRun[i]!);
  let line = `  ${WAYS[i]!.name.padEnd(42)} ${fmtSpread(own)}`;
  if (i >= 2) {
    const added = spread(perRun[i]!.map((x, r) => x - noopRuns[r]!));
    const ratio = spread(perRun[i]!.map((x, r) => x / noopRuns[r]!));
    line += `; added over the no-op handler ${fmtSpread(added)}, ${ratio.median.toFixed(3)}× (${ratio.min.toFixed(3)}–${ratio.max.toFixed(3)})`;
  }
  console.log(line);
}
const addedDefault = spread(perRun[3]!.map((x, r) => x - noopRuns[r]!));
console.log(
  `  added CPU per call of CostCallbackHandler() with its tracker and ledger ${addedDefault.median.toFixed(2)} µs: ` +
    `goal ≤ ${TARGET_US} µs ${addedDefault.median <= TARGET_US ? 'met' : 'MISSED'}`,
);
console.log(
  `per-round medians: baseline ${fmt(mBase)}, no-op ${fmt(mNoop)}, cost ${fmt(mCost)} (added ${fmt(mCost - mNoop)})`,
);
console.log(
  `handler time inside real invokes (start + end + price + record), per-call median ${fmt(mInCall)}`,
);
console.log(`handler called directly (start + end + price + record), median ${fmt(mDirect)} per call`);
console.log(`machine load average (1 min): ${loadavg()[0]!.toFixed(2)} on ${cpus().length} CPUs`);
console.log(`records: ${tracker.stats().requests}; open runs after: ${handler.openRuns}`);
await getDefaultTracker().close();
rmSync(ledgerDir, { recursive: true, force: true });
