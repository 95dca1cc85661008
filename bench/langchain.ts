/**
 * Overhead of CostCallbackHandler per LLM call.
 *
 * Run: `npm run bench -- langchain` (it builds first; `langfuse-cost` resolves to the built package)
 *
 * Three ways to call the same in-process chat model (no network; it returns an AIMessage with
 * OpenAI-shaped usage_metadata and response_metadata, as ChatOpenAI does):
 *   - baseline:  `model.invoke(prompt)` with no callbacks
 *   - no-op:     with a BaseCallbackHandler that does nothing but is dispatched the same way as ours
 *                (awaited, raiseError) — what LangChain's callback machinery itself costs
 *   - cost:      with CostCallbackHandler and a real CostTracker (bundled catalog, budgets, no sinks)
 * then the handler's own time inside those real invokes (timed around its two callbacks: extraction,
 * pricing and tracker.record; per-call median), and the same work called directly in a loop.
 * Invoke figures are medians of interleaved rounds in process CPU time. The target is ≤ 10 µs of
 * handler work per call.
 */
import { cpus, loadavg } from 'node:os';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage, HumanMessage } from '@langchain/core/messages';
import type { ChatResult, LLMResult } from '@langchain/core/outputs';
import { CostTracker, getDefaultCatalog } from 'langfuse-cost';
import { CostCallbackHandler } from 'langfuse-cost/langchain';

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

async function timeInvokes(fn: () => Promise<unknown>, n: number): Promise<number> {
  const t0 = now();
  for (let i = 0; i < n; i++) await fn();
  return (now() - t0) / n;
}

const model = new UsageChatModel({});
const prompt = [new HumanMessage('hi')];
const tracker = new CostTracker({ sinks: [], budgets: { daily: { limit: 1e9 } } });
const handler = new CostCallbackHandler({ tracker, catalog: getDefaultCatalog() });
const noop = new NoopHandler();

const ROUNDS = Number(process.env.ROUNDS ?? 25);
const PER_ROUND = Number(process.env.PER_ROUND ?? 400);

// Warm up every path (JIT, catalog memo, LangChain lazy imports).
for (let i = 0; i < 300; i++) {
  await model.invoke(prompt);
  await model.invoke(prompt, { callbacks: [noop] });
  await model.invoke(prompt, { callbacks: [handler] });
}

const base: number[] = [];
const withNoop: number[] = [];
const withCost: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  base.push(await timeInvokes(() => model.invoke(prompt), PER_ROUND));
  withNoop.push(await timeInvokes(() => model.invoke(prompt, { callbacks: [noop] }), PER_ROUND));
  withCost.push(await timeInvokes(() => model.invoke(prompt, { callbacks: [handler] }), PER_ROUND));
}

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
  `LangChain invoke, ${WALL ? 'wall-clock' : 'CPU'} time, median of ${ROUNDS} rounds × ${PER_ROUND} calls (Node ${process.version})`,
);
console.log(`  baseline (no callbacks)          ${fmt(mBase)}`);
console.log(`  no-op handler (same dispatch)    ${fmt(mNoop)}   ratio ${(mNoop / mBase).toFixed(3)}×`);
console.log(`  CostCallbackHandler              ${fmt(mCost)}   ratio ${(mCost / mBase).toFixed(3)}×`);
console.log(
  `  added vs baseline                ${fmt(mCost - mBase)}  (includes LangChain's callback dispatch)`,
);
console.log(
  `  added vs no-op handler           ${fmt(mCost - mNoop)}  (the handler's work, plus GC and cache effects)`,
);
console.log(
  `handler time inside real invokes (start + end + price + record), per-call median ${fmt(mInCall)}`,
);
console.log(`handler called directly (start + end + price + record), median ${fmt(mDirect)} per call`);
console.log(
  `target ≤ 10 µs of handler work per call: ${mInCall <= 10 ? 'met' : 'NOT met'} (${fmt(mInCall)})`,
);
console.log(`machine load average (1 min): ${loadavg()[0]!.toFixed(2)} on ${cpus().length} CPUs`);
console.log(`records: ${tracker.stats().requests}; open runs after: ${handler.openRuns}`);
