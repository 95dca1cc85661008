/**
 * Overhead of CostCallbackHandler per LLM call.
 *
 * Run: `npm run bench -- langchain` (it builds first), or after `npm run build`:
 * node --import tsx bench/langchain.ts [calls per process=20000] [rounds=5]
 *
 * The model is in-process (no network): it returns an AIMessage with OpenAI-shaped usage_metadata and
 * response_metadata, as ChatOpenAI does (bench/shared/langchain-model.ts).
 *
 * 1. The whole cost, stand-alone: each way of calling the model runs in a fresh process of its own
 *    (bench/runners/langchain.ts), one after the other, rotating the order over ROUNDS rounds; a
 *    process's figure is its CPU time (all threads: GC and deferred work count) over its calls, with
 *    the tracker flushed every 400 calls so that the ledger's encoding and writes are inside it.
 *    Printed: the median and range over the rounds, and for ours what it adds over the no-op handler
 *    of the same round and the ratio. Ways:
 *    - no-op: a BaseCallbackHandler that does nothing but is dispatched the same way as ours (awaited,
 *      raiseError) — what LangChain's callback machinery itself costs: the named reference;
 *    - `CostCallbackHandler({ tracker })` with a CostTracker with no sinks;
 *    - `new CostCallbackHandler()` as users write it: the process-wide tracker of langfuse-cost/node
 *      with its JSONL ledger (in a temporary directory).
 *    Why not in one process: the ways would share the garbage collector and LangChain's compiled code,
 *    and single figures swung from 7 to 37 µs.
 * 2. In one process, the handler's own time inside real invokes (timed around its two callbacks;
 *    per-call median), beside the same timers around a no-op handler's callbacks in interleaved calls:
 *    the floor the clock reads themselves add (0.1–0.6 µs a call on the benchmark VM, varying with load),
 *    which is taken off; and 3. the same work called directly in a loop.
 *
 * The library is measured as it ships: the built package, loaded from dist/ by path.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LLMResult } from '@langchain/core/outputs';
import { importBuilt } from './shared/built.js';
import { NoopHandler, PROMPT as prompt, UsageChatModel } from './shared/langchain-model.js';
import { printCompared, runStandalone } from './shared/standalone.js';
import { median } from './util.js';

const { CostTracker, getDefaultCatalog } = await importBuilt<typeof import('langfuse-cost')>('index.js');
const { CostCallbackHandler } = await importBuilt<typeof import('langfuse-cost/langchain')>('langchain.js');

const numbers = process.argv
  .slice(2)
  .filter((a) => /^\d+$/.test(a))
  .map(Number);
const CALLS = numbers[0] ?? 20_000;
const ROUNDS = Math.max(5, numbers[1] ?? 5);
/** Calls of the in-process sections. */
const IN_PROCESS_CALLS = 40_000;
/** Goal of issue 17 for the handler's added CPU per call, over the no-op handler. */
const TARGET_US = 3;

function now(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}
const fmt = (x: number) => `${x.toFixed(2)} µs`;
const load = () => loadavg()[0]!.toFixed(2);

console.log(
  `CostCallbackHandler overhead — Node ${process.version}, ${cpus().length} CPUs, load average ${load()}`,
);
{
  const ledgerDir = mkdtempSync(join(tmpdir(), 'lc-bench-langchain-'));
  try {
    const variants = [
      { name: 'no-op handler (same dispatch; reference)', args: ['noop', String(CALLS)] },
      { name: 'CostCallbackHandler, CostTracker no sinks', args: ['tracked', String(CALLS)] },
      { name: 'CostCallbackHandler() default + ledger', args: ['default', String(CALLS)] },
    ];
    const rounds = runStandalone('runners/langchain.ts', variants, ROUNDS, (v, r) => ({
      LANGFUSE_COST_LEDGER: join(ledgerDir, `${v.args[0]}-${r}.jsonl`),
    }));
    console.log(
      `1. Whole cost per model.invoke, stand-alone: each way in a fresh process of its own, ${CALLS.toLocaleString('en-US')} calls each\n` +
        `   after warm-up; process CPU incl. GC, deferred work and the ledger's encoding and writes (flushed every\n` +
        `   400 calls); median and range over ${ROUNDS} rounds; load average now ${load()}`,
    );
    printCompared(variants, rounds, {
      width: 44,
      peer: 'the no-op handler',
      goal: 'added CPU per call of CostCallbackHandler() with its tracker and ledger',
      target: TARGET_US,
    });
  } finally {
    rmSync(ledgerDir, { recursive: true, force: true });
  }
}

const model = new UsageChatModel({});
const tracker = new CostTracker({ sinks: [], budgets: { daily: { limit: 1e9 } } });
const handler = new CostCallbackHandler({ tracker, catalog: getDefaultCatalog() });

// The handler's own time inside real invokes: start + end (+ price + record) per call, timed
// around the two callbacks; the per-call median is robust to the odd preemption on a busy machine.
// The same two timers around a no-op handler's callbacks, in calls interleaved with ours, give the
// floor the timing itself adds: a clock read costs 30 ns to over 300 ns on this VM (kvm-clock,
// depending on load), and each of the two timed spans holds about one.
/** A handler whose start and end callbacks are each timed with two clock reads; per-call sums in `out`. */
function timedCallbacks<H extends InstanceType<typeof CostCallbackHandler> | NoopHandler>(
  handler: H,
  out: number[],
): H {
  let startNs = 0;
  const start = handler.handleChatModelStart.bind(handler) as (...args: unknown[]) => unknown;
  const end = handler.handleLLMEnd.bind(handler) as (...args: unknown[]) => unknown;
  handler.handleChatModelStart = ((...args: unknown[]) => {
    const t = process.hrtime.bigint();
    start(...args);
    startNs = Number(process.hrtime.bigint() - t);
  }) as H['handleChatModelStart'];
  handler.handleLLMEnd = ((...args: unknown[]) => {
    const t = process.hrtime.bigint();
    end(...args);
    out.push((startNs + Number(process.hrtime.bigint() - t)) / 1000);
  }) as H['handleLLMEnd'];
  return handler;
}
const inCall: number[] = [];
const floor: number[] = [];
{
  const timed = timedCallbacks(new CostCallbackHandler({ tracker, catalog: getDefaultCatalog() }), inCall);
  const noop = timedCallbacks(new NoopHandler(), floor);
  /** `n` invokes with our handler, each followed by one with the no-op handler. */
  const interleaved = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await model.invoke(prompt, { callbacks: [timed] });
      await model.invoke(prompt, { callbacks: [noop] });
    }
  };
  await interleaved(300); // warm-up
  inCall.length = 0;
  floor.length = 0;
  await interleaved(IN_PROCESS_CALLS);
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
const DIRECT_ROUNDS = 20;
const DIRECT_PER_ROUND = 4_000;
let id = 0;
for (let r = 0; r < DIRECT_ROUNDS; r++) {
  const t0 = now();
  for (let i = 0; i < DIRECT_PER_ROUND; i++) {
    const runId = `run-${id++}`;
    handler.handleChatModelStart(serialized as never, [prompt], runId, undefined, extra, ['t'], metadata);
    handler.handleLLMEnd(llmEnd, runId);
  }
  direct.push((now() - t0) / DIRECT_PER_ROUND);
}

console.log(
  `2. In one process: the handler's own time inside real invokes (start + end + price + record), timed around\n` +
    `   its two callbacks, per-call median of ${IN_PROCESS_CALLS.toLocaleString('en-US')} calls: ${fmt(median(inCall))}; the same timers\n` +
    `   around a no-op handler's callbacks (interleaved calls): ${fmt(median(floor))}, so the handler's own: ${fmt(median(inCall) - median(floor))}`,
);
console.log(
  `3. In one process: the handler called directly (start + end + price + record, CostTracker with no sinks),\n` +
    `   CPU per call, median of ${DIRECT_ROUNDS} rounds of ${DIRECT_PER_ROUND.toLocaleString('en-US')}: ${fmt(median(direct))}`,
);
console.log(
  `load average (1 min) ${load()}; records: ${tracker.stats().requests}; open runs after: ${handler.openRuns}`,
);
