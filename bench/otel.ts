/**
 * Overhead of the CostSpanProcessor: 200,000 LLM spans through a real OTel SDK pipeline
 * (BasicTracerProvider → SimpleSpanProcessor → InMemorySpanExporter) with and without the
 * processor in front, in the same run. Small batches of the pipelines alternate so that noise
 * (GC, JIT, other processes, CPU frequency) hits them alike; per-span time is batch time / batch
 * size and the figures are medians over batches, in CPU time of this process (robust on a shared
 * machine) and wall clock. A second measurement times the processor's own hooks
 * (onStart + onEnding + onEnd) on real SDK spans, without the rest of the pipeline.
 *
 * The library is measured as it ships (the built package, as `npm run bench` builds it first): run
 * from sources through tsx, every cross-module call goes through an export getter.
 *
 * Run: `npm run bench -- otel`, or after `npm run build`:
 * TSX_TSCONFIG_PATH=bench/tsconfig.json node --import tsx bench/otel.ts [spans=200000]
 */
import { loadavg } from 'node:os';
import { context } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { CostTracker, getDefaultCatalog } from 'langfuse-cost';
import { CostSpanProcessor } from 'langfuse-cost/otel';

const args = process.argv.slice(2);
const TOTAL = Number(args.find((a) => /^\d+$/.test(a)) ?? 200_000);
const BATCH = 200;
const BATCHES = Math.max(1, Math.floor(TOTAL / BATCH));
const TARGET_US = 2;

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
    `${BATCHES * BATCH} spans per pipeline and scenario, batches of ${BATCH}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
);

console.log(
  'Per-span medians over batches, in µs: CPU time of this process (the target figure: immune to other\n' +
    'processes on a shared machine) and wall clock.\n',
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
    const added = cpu[1]! - cpu[0]!;
    console.log(
      `  added CPU per LLM span ${added.toFixed(3)} µs: target ≤ ${TARGET_US} µs ${added <= TARGET_US ? 'met' : 'MISSED'}`,
    );
  }
  console.log('');
}
