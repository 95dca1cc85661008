/**
 * Overhead of the CostSpanProcessor on LLM spans through a real OTel SDK pipeline
 * (BasicTracerProvider → [processor] → SimpleSpanProcessor → InMemorySpanExporter).
 *
 * 1. The whole cost (the issue's figure), stand-alone: each pipeline runs in a fresh process of its
 *    own (bench/runners/otel.ts), as in a user's service, one after the other, rotating the order over
 *    ROUNDS rounds. A process's figure is its CPU time (all threads) over its spans, yielding to the
 *    event loop every 200 spans and flushing the tracker's sinks every 2,000, so garbage collection,
 *    the tracker's deferred aggregation (a microtask) and the JSONL ledger's encoding and writes are
 *    all inside it. Printed: the median and range over the rounds, the bare SDK pipeline of the same
 *    rounds (the named peer), what the processor adds and the ratio, round by round.
 *    Pipelines: bare; `CostSpanProcessor({ tracker: false })`; `CostSpanProcessor()` as users write it
 *    (the process-wide tracker with its JSONL ledger, here in a temporary directory).
 *    1b repeats it with five span shapes in rotation (with and without session, user and environment
 *    attributes), as a service's spans differ: one repeated shape keeps every property access on one
 *    hidden class, which understates the cost.
 *    Why not in one process: the pipelines would share the garbage collector (a pipeline that retains
 *    objects slows every collection, whichever pipeline triggers it) and the SDK's compiled code (the
 *    bare pipeline's code sees the priced spans' shapes: +17 % instructions per span, callgrind).
 * 2. In one process, the synchronous part alone: medians over batches of 200 spans, the pipelines
 *    alternating. A batch median leaves out what happens in few batches — garbage collection,
 *    deferred aggregation, the ledger's flushes — so it is smaller than (1).
 * 3. In one process, the processor's own hooks (onStart + onEnding + onEnd) on real SDK spans.
 *
 * The library is measured as it ships: the built package, loaded from dist/ by path
 * (`npm run bench` builds it first).
 *
 * Run: `npm run bench -- otel`, or after `npm run build`:
 * node --expose-gc --import tsx bench/otel.ts [spans per process=60000] [rounds=5] [in-process spans=200000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { context } from '@opentelemetry/api';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { importBuilt } from './shared/built.js';
import {
  type Attrs,
  BATCH,
  HTTP_ATTRIBUTES,
  LLM_ATTRIBUTES,
  type Pipeline,
  pipeline,
  settle,
} from './shared/otel-spans.js';
import { printCompared, runStandalone } from './shared/standalone.js';

const { CostTracker, getDefaultCatalog } = await importBuilt<typeof import('langfuse-cost')>('index.js');
const { CostSpanProcessor } = await importBuilt<typeof import('langfuse-cost/otel')>('otel.js');
type CostSpanProcessor = InstanceType<typeof CostSpanProcessor>;

const args = process.argv.slice(2);
const numbers = args.filter((a) => /^\d+$/.test(a)).map(Number);
/** Spans measured per process of (1). */
const STANDALONE_SPANS = numbers[0] ?? 60_000;
const ROUNDS = Math.max(5, numbers[1] ?? 5);
const TOTAL = numbers[2] ?? 200_000;
const BATCHES = Math.max(1, Math.floor(TOTAL / BATCH));

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
const median = (xs: number[]) => quantile(xs, 0.5);

/** Per-span µs of one batch: wall clock, and CPU time of this process (immune to other processes). */
interface Sample {
  wall: number;
  cpu: number;
}

function timed(n: number, fn: () => void): Sample {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e3 / n;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / n };
}

/** Alternate batches of the pipelines; per-span samples per pipeline. */
async function measure(pipes: Pipeline[], attributes: Attrs): Promise<Sample[][]> {
  const samples: Sample[][] = pipes.map(() => []);
  for (const p of pipes) {
    for (let i = 0; i < 50; i++) {
      p.run(BATCH, attributes); // warm-up: JIT, memoised model resolution, hidden classes
      p.reset();
      await settle();
    }
  }
  for (let b = 0; b < BATCHES; b++) {
    for (let i = 0; i < pipes.length; i++) {
      const k = (i + b) % pipes.length; // rotate so no pipeline always runs right after another
      const p = pipes[k]!;
      samples[k]!.push(timed(BATCH, () => p.run(BATCH, attributes)));
      p.reset();
      await settle();
    }
  }
  return samples;
}

/** The processor's own hooks on real SDK spans (started by a provider without processors). */
function hooksOnly(cost: CostSpanProcessor, attributes: Attrs): Sample[] {
  const tracer = new BasicTracerProvider().getTracer('bench');
  const out: Sample[] = [];
  const ctx = context.active();
  for (let b = 0; b < BATCHES + 50; b++) {
    const spans = Array.from({ length: BATCH }, () => tracer.startSpan('chat gpt-4o', { attributes }));
    const sample = timed(BATCH, () => {
      for (const s of spans) {
        cost.onStart(s as never, ctx);
        cost.onEnding(s as never);
        cost.onEnd(s as never);
      }
    });
    if (b >= 50) out.push(sample);
    for (const s of spans) s.end(); // untimed: the provider has no processors
  }
  return out;
}

const fmt = (x: number) => x.toFixed(3).padStart(7);

/** Goal of the whole cost per LLM span of `CostSpanProcessor()` with its tracker and ledger (issue 17). */
const WHOLE_TARGET_US = 3;

const sdkVersion = (await import('@opentelemetry/sdk-trace-base/package.json', { with: { type: 'json' } }))
  .default.version;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
console.log(
  `CostSpanProcessor overhead — Node ${process.versions.node}, @opentelemetry/sdk-trace-base ${sdkVersion}; ` +
    `load average ${load()}\n`,
);

{
  // CostSpanProcessor() as users write it: the process-wide tracker of langfuse-cost/node, from the
  // environment, with its JSONL ledger — here in a temporary directory, a file per process.
  const ledgerDir = mkdtempSync(join(tmpdir(), 'lc-bench-otel-'));
  try {
    for (const mixed of [false, true]) {
      const shape = mixed ? ['mixed'] : [];
      const variants = [
        { name: 'bare SDK pipeline (reference)', args: ['bare', String(STANDALONE_SPANS), ...shape] },
        {
          name: 'CostSpanProcessor({ tracker: false })',
          args: ['untracked', String(STANDALONE_SPANS), ...shape],
        },
        {
          name: 'CostSpanProcessor() (default tracker + ledger)',
          args: ['default', String(STANDALONE_SPANS), ...shape],
        },
      ];
      const rounds = runStandalone('runners/otel.ts', variants, ROUNDS, (v, r) => ({
        LANGFUSE_COST_LEDGER: join(ledgerDir, `${v.args[0]}-${r}${mixed ? '-mixed' : ''}.jsonl`),
      }));
      console.log(
        mixed
          ? `1b. The same with five span shapes in rotation (with and without session.id, user.id, langfuse.environment),\n` +
              `   as a service's spans differ: property reads and writes that see several hidden classes are slower;\n` +
              `   load average now ${load()}`
          : `1. Whole cost per LLM span, stand-alone: each pipeline in a fresh process of its own, ${STANDALONE_SPANS.toLocaleString('en-US')} spans\n` +
              `   each after warm-up, all of one shape; process CPU incl. GC, deferred aggregation and the ledger's encoding\n` +
              `   and writes (flushed every 2,000 spans); median and range over ${ROUNDS} rounds; load average now ${load()}`,
      );
      printCompared(variants, rounds, {
        width: 48,
        peer: 'the bare pipeline',
        goal: 'added CPU per LLM span with tracker and ledger',
        target: WHOLE_TARGET_US,
      });
      console.log('');
    }
  } finally {
    rmSync(ledgerDir, { recursive: true, force: true });
  }
}

const catalog = getDefaultCatalog();
const baseline = pipeline('without CostSpanProcessor');
const priced = pipeline(
  'with CostSpanProcessor (tracker: false)',
  new CostSpanProcessor({ catalog, tracker: false }) as unknown as SpanProcessor,
);
const tracked = pipeline(
  'with CostSpanProcessor + CostTracker (no sinks)',
  new CostSpanProcessor({ catalog, tracker: new CostTracker() }) as unknown as SpanProcessor,
);

console.log(
  `2. In one process (the pipelines share GC and compiled code), the synchronous part: per-span medians over\n` +
    `   batches of ${BATCH}, in µs, CPU time of this process and wall clock, ${(BATCHES * BATCH).toLocaleString('en-US')} spans per pipeline. GC,\n` +
    '   deferred aggregation and the ledger land in few batches and so are left out of a median: 1 is the\n' +
    '   whole cost.\n',
);

for (const [label, attrs, isLlm] of [
  ['LLM spans (GenAI semconv chat, priced)', LLM_ATTRIBUTES, true],
  ['non-LLM spans (HTTP)', HTTP_ATTRIBUTES, false],
] as const) {
  const pipes = isLlm ? [baseline, priced, tracked] : [baseline, priced];
  const samples = await measure(pipes, attrs);
  const cpu = samples.map((xs) => median(xs.map((x) => x.cpu)));
  const wall = samples.map((xs) => median(xs.map((x) => x.wall)));
  console.log(label);
  console.log(`  ${''.padEnd(48)}     cpu   added   ratio │    wall   added   ratio`);
  for (let i = 0; i < pipes.length; i++) {
    const row =
      i === 0
        ? `${fmt(cpu[0]!)}                 │ ${fmt(wall[0]!)}`
        : `${fmt(cpu[i]!)} ${fmt(cpu[i]! - cpu[0]!)} ${(cpu[i]! / cpu[0]!).toFixed(2).padStart(6)}x │ ${fmt(wall[i]!)} ${fmt(wall[i]! - wall[0]!)} ${(wall[i]! / wall[0]!).toFixed(2).padStart(6)}x`;
    console.log(`  ${pipes[i]!.name.padEnd(48)} ${row}`);
  }
  const hooks = hooksOnly(new CostSpanProcessor({ catalog, tracker: false }), attrs);
  console.log(
    `  ${'processor hooks alone (onStart+onEnding+onEnd)'.padEnd(48)} ${fmt(median(hooks.map((x) => x.cpu)))}                 │ ${fmt(median(hooks.map((x) => x.wall)))}`,
  );
  if (isLlm) {
    console.log(
      `  added CPU per LLM span, synchronous part (tracker: false) ${(cpu[1]! - cpu[0]!).toFixed(3)} µs`,
    );
  }
  console.log('');
}
