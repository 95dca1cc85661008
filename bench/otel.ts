/**
 * Overhead of the CostSpanProcessor on LLM spans through a real OTel SDK pipeline
 * (BasicTracerProvider → SimpleSpanProcessor → InMemorySpanExporter), with and without the processor in
 * front, in the same run.
 *
 * 1. The whole cost (the figure): process CPU time (all threads) over chunks of 2,000 spans,
 *    yielding to the event loop every 200 spans as a service does and flushing the tracker's sinks at
 *    the end of each chunk, so garbage collection, the tracker's deferred aggregation (a microtask) and
 *    the JSONL ledger's encoding and writes are all inside the figure. Pipelines alternate chunk by
 *    chunk; each of the RUNS runs gives one per-span figure per pipeline, printed as the median and the
 *    range over the runs. The named reference is the bare SDK pipeline of the same runs.
 *    Pipelines: bare; `CostSpanProcessor({ tracker: false })`; `CostSpanProcessor()` as users write it
 *    (the process-wide tracker with its JSONL ledger, here in a temporary directory).
 * 2. The synchronous part alone: medians over batches of 200 spans. A batch median leaves out what
 *    happens in few batches — garbage collection, deferred aggregation, the ledger's flushes — so it is
 *    smaller than (1); an independent script that divides total CPU by spans measures (1).
 * 3. The processor's own hooks (onStart + onEnding + onEnd) on real SDK spans.
 *
 * The library is measured as it ships (the built package, as `npm run bench` builds it first): run
 * from sources through tsx, every cross-module call goes through an export getter.
 *
 * Run: `npm run bench -- otel`, or after `npm run build`:
 * TSX_TSCONFIG_PATH=bench/tsconfig.json node --expose-gc --import tsx bench/otel.ts [spans=200000] [runs=5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { context } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { CostTracker, getDefaultCatalog } from 'langfuse-cost';
import { CostSpanProcessor } from 'langfuse-cost/otel';
import { fmtSpread, spread } from './util.js';

const args = process.argv.slice(2);
const numbers = args.filter((a) => /^\d+$/.test(a)).map(Number);
const TOTAL = numbers[0] ?? 200_000;
const RUNS = Math.max(3, numbers[1] ?? 5);
/** Spans per chunk of the whole-cost measurement (yielding every BATCH spans, flushing at the end). */
const CHUNK = 2000;
const BATCH = 200;
const BATCHES = Math.max(1, Math.floor(TOTAL / BATCH));

type Attrs = Record<string, string | number>;

/** A chat span as an OpenAI instrumentation following the GenAI semconv writes it. */
const LLM_ATTRIBUTES: Attrs = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.response.model': 'gpt-4o-2024-08-06',
  'gen_ai.response.id': 'chatcmpl-123',
  'gen_ai.usage.input_tokens': 1200,
  'gen_ai.usage.cache_read.input_tokens': 200,
  'gen_ai.usage.output_tokens': 300,
  'server.address': 'api.openai.com',
  'session.id': 'session-42',
};

/** An HTTP span: what most spans in a service are. */
const HTTP_ATTRIBUTES: Attrs = {
  'http.request.method': 'POST',
  'url.full': 'https://api.example.com/v1/things',
  'http.response.status_code': 200,
  'server.address': 'api.example.com',
};

interface Pipeline {
  name: string;
  run(n: number, attributes: Attrs): void;
  reset(): void;
}

function pipeline(name: string, front?: SpanProcessor): Pipeline {
  const exporter = new InMemorySpanExporter();
  const exporting = new SimpleSpanProcessor(exporter);
  const tracer = new BasicTracerProvider({
    spanProcessors: front ? [front, exporting] : [exporting],
  }).getTracer('bench');
  return {
    name,
    run(n, attributes) {
      for (let i = 0; i < n; i++) tracer.startSpan('chat gpt-4o', { attributes }).end();
    },
    reset: () => exporter.reset(),
  };
}

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

/**
 * Let SimpleSpanProcessor's export promises settle. Without this a synchronous loop keeps every
 * span alive until it ends (the promises resolve in microtasks), so all spans get promoted to the
 * old generation — a cost of the benchmark, not of tracing, that grows with span size.
 */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

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

interface WholePipeline {
  name: string;
  /** CHUNK spans, yielding every BATCH, then the tracker's flush: everything the spans caused. */
  chunk(attributes: Attrs): Promise<void>;
}

function wholePipeline(name: string, front?: CostSpanProcessor): WholePipeline {
  const spans = pipeline(name, front);
  return {
    name,
    async chunk(attributes) {
      for (let done = 0; done < CHUNK; done += BATCH) {
        spans.run(BATCH, attributes);
        spans.reset();
        await settle();
      }
      // The ledger's encoding and writes of this chunk happen here at the latest, inside the figure.
      await front?.forceFlush();
    },
  };
}

/**
 * Per-span CPU of each pipeline in each run (µs): chunks of the pipelines alternate (rotating which
 * goes first), and a run's figure is its total CPU time over its spans — the mean, not a median, so
 * that collections and flushes count wherever they land.
 */
async function measureWhole(pipes: WholePipeline[], attributes: Attrs): Promise<number[][]> {
  const perRun: number[][] = pipes.map(() => []);
  for (const p of pipes) for (let i = 0; i < 5; i++) await p.chunk(attributes); // warm-up
  const chunksPerRun = Math.max(1, Math.round(TOTAL / RUNS / CHUNK));
  for (let r = 0; r < RUNS; r++) {
    const cpu = pipes.map(() => 0);
    for (let c = 0; c < chunksPerRun; c++) {
      for (let i = 0; i < pipes.length; i++) {
        const k = (i + c + r) % pipes.length;
        const c0 = process.cpuUsage();
        await pipes[k]!.chunk(attributes);
        const d = process.cpuUsage(c0);
        cpu[k]! += d.user + d.system;
      }
    }
    for (let k = 0; k < pipes.length; k++) perRun[k]!.push(cpu[k]! / (chunksPerRun * CHUNK));
  }
  return perRun;
}

const catalog = getDefaultCatalog();
const baseline = pipeline('without CostSpanProcessor');
const priced = pipeline(
  'with CostSpanProcessor (tracker: false)',
  new CostSpanProcessor({ catalog, tracker: false }),
);
const tracked = pipeline(
  'with CostSpanProcessor + CostTracker (no sinks)',
  new CostSpanProcessor({ catalog, tracker: new CostTracker() }),
);

const sdkVersion = (await import('@opentelemetry/sdk-trace-base/package.json', { with: { type: 'json' } }))
  .default.version;
console.log(
  `CostSpanProcessor overhead — Node ${process.versions.node}, @opentelemetry/sdk-trace-base ${sdkVersion}, ` +
    `${BATCHES * BATCH} spans per pipeline and scenario; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
);

{
  // CostSpanProcessor() as users write it: the process-wide tracker of langfuse-cost/node, from the
  // environment, with its JSONL ledger — here in a temporary directory.
  const ledgerDir = mkdtempSync(join(tmpdir(), 'lc-bench-otel-'));
  process.env.LANGFUSE_COST_LEDGER = join(ledgerDir, 'ledger.jsonl');
  try {
    const pipes = [
      wholePipeline('bare SDK pipeline (reference)'),
      wholePipeline('CostSpanProcessor({ tracker: false })', new CostSpanProcessor({ tracker: false })),
      wholePipeline('CostSpanProcessor() (default tracker + ledger)', new CostSpanProcessor()),
    ];
    const perRun = await measureWhole(pipes, LLM_ATTRIBUTES);
    console.log(
      `1. Whole cost per LLM span: process CPU incl. GC, deferred aggregation and the ledger's encoding and\n` +
        `   writes (flushed every ${CHUNK} spans); median and range over ${RUNS} runs of ${Math.round(TOTAL / RUNS).toLocaleString('en-US')} spans per pipeline`,
    );
    const base = perRun[0]!;
    for (let i = 0; i < pipes.length; i++) {
      const own = spread(perRun[i]!);
      if (i === 0) {
        console.log(`  ${pipes[i]!.name.padEnd(48)} ${fmtSpread(own)}`);
        continue;
      }
      const added = spread(perRun[i]!.map((x, r) => x - base[r]!));
      const ratio = spread(perRun[i]!.map((x, r) => x / base[r]!));
      console.log(
        `  ${pipes[i]!.name.padEnd(48)} ${fmtSpread(own)}; added ${fmtSpread(added)}; ` +
          `${ratio.median.toFixed(2)}× the bare pipeline (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`,
      );
      if (i === pipes.length - 1) {
        console.log(
          `  added CPU per LLM span with tracker and ledger ${added.median.toFixed(2)} µs: goal ≤ ${WHOLE_TARGET_US} µs ${added.median <= WHOLE_TARGET_US ? 'met' : 'MISSED'}`,
        );
      }
    }
    console.log('');
  } finally {
    rmSync(ledgerDir, { recursive: true, force: true });
  }
}

console.log(
  `2. The synchronous part: per-span medians over batches of ${BATCH}, in µs, CPU time of this process and wall\n` +
    '   clock. GC, deferred aggregation and the ledger land in few batches and so are left out of a\n' +
    '   median: 1 is the whole cost.\n',
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
