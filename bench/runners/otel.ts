/**
 * One pipeline of `bench/otel.ts` in a process of its own (the stand-alone figure; see
 * bench/shared/standalone.ts). Not a benchmark itself: `bench/otel.ts` runs it.
 *
 * Usage: node --import tsx bench/runners/otel.ts <bare|untracked|default> [spans=60000] [mixed]
 *   bare       the SDK pipeline alone (the peer)
 *   untracked  `new CostSpanProcessor({ tracker: false })` in front
 *   default    `new CostSpanProcessor()` as users write it: the process-wide tracker of
 *              langfuse-cost/node with its JSONL ledger (at LANGFUSE_COST_LEDGER)
 *   mixed      the spans take five attribute sets in rotation (MIXED_LLM_ATTRIBUTES), else all one
 *
 * Spans go in chunks of 2,000, yielding to the event loop every 200 as a service does, with the
 * processor's `forceFlush` (the tracker's ledger) at the end of each chunk. The figure is the process
 * CPU time over the measured spans divided by their number: GC, the tracker's deferred aggregation (a
 * microtask) and the ledger's encoding and writes are all in it. Prints one JSON line
 * (`RunnerResult`).
 */
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { importBuilt } from '../shared/built.js';
import { BATCH, LLM_ATTRIBUTES, MIXED_LLM_ATTRIBUTES, pipeline, settle } from '../shared/otel-spans.js';
import { measureRunner, variantArg } from '../shared/standalone.js';

const CHUNK = 2_000;
/** Chunks before the measurement: until then V8 still compiles in background threads, which counts as CPU. */
const WARM_UP_CHUNKS = 20;
const VARIANTS = ['bare', 'untracked', 'default'] as const;

const variant = variantArg('bench/runners/otel.ts', VARIANTS, '[spans] [mixed]');
const chunks = Math.max(1, Math.round(Number(process.argv[3] ?? 60_000) / CHUNK));
const mixed = process.argv[4] === 'mixed';

const { CostSpanProcessor } = await importBuilt<typeof import('langfuse-cost/otel')>('otel.js');
const front =
  variant === 'bare' ? undefined : new CostSpanProcessor(variant === 'untracked' ? { tracker: false } : {});
const spans = pipeline(variant, front as SpanProcessor | undefined);

async function chunk(): Promise<void> {
  for (let done = 0; done < CHUNK; done += BATCH) {
    if (mixed) spans.runMixed(BATCH, MIXED_LLM_ATTRIBUTES);
    else spans.run(BATCH, LLM_ATTRIBUTES);
    spans.reset();
    await settle();
  }
  // The ledger's encoding and writes of this chunk happen here at the latest, inside the figure.
  await front?.forceFlush();
}

// Warm-up: JIT, the model's memoised resolution.
await measureRunner(chunk, WARM_UP_CHUNKS, chunks, CHUNK);
await front?.shutdown();
