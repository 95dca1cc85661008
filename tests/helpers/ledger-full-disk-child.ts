// Child process of tests/integration/node/ledger/full-disk.test.ts: `node --import tsx ledger-full-disk-child.ts <json>`.
// Records `count` priced calls (ids `d-<i>`, prices from the price file the test wrote) into a
// JsonlLedgerSink whose disk fills up part way (the parent runs it under `ulimit -S -f`, or on a
// small tmpfs), timing every record(). It yields to the event loop between calls so the sink's
// retries run. Then it prints one `full <json>` line (health, latencies, warnings) and waits for
// `recover` on stdin (the parent has raised the limit or freed space), flushes, prints
// `done <json>` and exits.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { JsonlLedgerSink } from '../../src/node/ledger/jsonl-sink.js';
import { calculateCost } from '../../src/pricing/calculator.js';
import { PriceCatalog } from '../../src/pricing/catalog.js';
import { CostTracker } from '../../src/tracker/index.js';

interface Options {
  path: string;
  prices: string;
  count: number;
  /** Records timed in a tight loop after `count`, while the disk is full (all dropped: the queue is full). */
  burst: number;
  maxQueued: number;
}

const o = JSON.parse(process.argv[2]!) as Options;
const catalog = PriceCatalog.fromData(JSON.parse(readFileSync(o.prices, 'utf8')));
const warnings: string[] = [];
const infos: string[] = [];
const logger = {
  debug() {},
  info: (m: string) => infos.push(m),
  warn: (m: string) => warnings.push(m),
  error: (m: string) => warnings.push(m),
};
const sink = new JsonlLedgerSink({
  path: o.path,
  flushIntervalMs: 10,
  batchSize: 8,
  maxQueued: o.maxQueued,
  logger,
});
const tracker = new CostTracker({ sinks: [sink], dimensions: [], recentLimit: 0, logger });

/** Usage of call i (the test computes the same). */
function usageOf(i: number): { input: number; output: number } {
  return { input: 100 + i, output: 10 + (i % 7) };
}

// Warm the JIT on the same code paths (tracker.record, sink.write queueing and dropping) with a sink
// that never writes, so the latencies below are of optimised code, as in a running service.
{
  const idle = new JsonlLedgerSink({
    path: `${o.path}.warmup`,
    flushOnExit: false,
    batchSize: 1e9,
    flushIntervalMs: 3_600_000,
    maxQueued: 1000,
  });
  const warm = new CostTracker({ sinks: [idle], dimensions: [], recentLimit: 0, logger });
  for (let i = 0; i < 20_000; i++) {
    const result = calculateCost({ model: 'disk-model', usage: usageOf(i) }, catalog)!;
    const t = process.hrtime.bigint();
    warm.record(result, { spanId: `w-${i}`, sessionId: `s-${'x'.repeat(i % 40)}` });
    if (process.hrtime.bigint() < t) throw new Error('clock');
  }
  warnings.length = 0;
}

const quantile = (xs: ArrayLike<number>, q: number) => {
  const s = Array.from(xs).sort((a, b) => a - b);
  return s[Math.max(0, Math.min(s.length - 1, Math.ceil(s.length * q) - 1))] ?? 0;
};
const p99 = (xs: number[]) => quantile(xs, 0.99);
const fullLatency: number[] = [];
const okLatency: number[] = [];
let firstFailAt = -1;
for (let i = 0; i < o.count; i++) {
  const result = calculateCost({ model: 'disk-model', usage: usageOf(i) }, catalog)!;
  const failing = sink.health().lastError !== undefined;
  const t0 = process.hrtime.bigint();
  tracker.record(result, { spanId: `d-${i}`, sessionId: `s-${'x'.repeat(i % 40)}` });
  const dt = Number(process.hrtime.bigint() - t0) / 1000; // µs
  if (failing) {
    if (firstFailAt < 0) firstFailAt = i;
    fullLatency.push(dt);
  } else okLatency.push(dt);
  // Give the sink's writes and retries their turns, as a service between calls would.
  await new Promise((r) => setTimeout(r, i % 8 === 7 ? 2 : 0));
}
const burstResult = calculateCost({ model: 'disk-model', usage: usageOf(0) }, catalog)!;
const burstLatency = new Float64Array(o.burst);
const t0 = process.hrtime.bigint();
for (let i = 0; i < o.burst; i++) {
  const t = process.hrtime.bigint();
  tracker.record(burstResult, { spanId: `b-${i}` });
  burstLatency[i] = Number(process.hrtime.bigint() - t) / 1000;
}
const burstSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
const out = (tag: string, v: object) => process.stdout.write(`${tag} ${JSON.stringify(v)}\n`);
out('full', {
  health: sink.health(),
  firstFailAt,
  fullCount: fullLatency.length,
  fullP99: p99(fullLatency),
  fullMax: Math.max(0, ...fullLatency),
  okCount: okLatency.length,
  okP99: p99(okLatency),
  burstPerSecond: o.burst / burstSeconds,
  burstP99: quantile(burstLatency, 0.99),
  burstP50: quantile(burstLatency, 0.5),
  warnings,
});
const rl = createInterface({ input: process.stdin });
for await (const line of rl) if (line === 'recover') break;
rl.close();
await tracker.flush();
out('done', { health: sink.health(), warnings, infos });
await tracker.close();
