// Child process for the ledger integration tests: `node --import tsx ledger-writer-child.ts <json options>`.
// Records calls with ids `<prefix>-<n>` into a JsonlLedgerSink, flushing every `batch` calls and
// printing `flushed <n>` after each flush returns (so the parent knows what is on disk).
import { JsonlLedgerSink } from '../../src/node/ledger/jsonl-sink.js';
import { CostTracker } from '../../src/tracker/index.js';
import { handResult } from './tracker-fixtures.js';

interface Options {
  path: string;
  prefix: string;
  count: number; // -1: until killed
  batch: number;
  rotateBytes?: number;
  maxWriteBytes?: number;
  /** Exit without flushing the tail (to test the exit hook): 'natural' | 'exit' | undefined. */
  end?: 'natural' | 'exit';
  /** Wait for this file to exist before starting (so writers start together). */
  startFile?: string;
}

const o = JSON.parse(process.argv[2]!) as Options;
const { existsSync } = await import('node:fs');
if (o.startFile) while (!existsSync(o.startFile)) await new Promise((r) => setTimeout(r, 5));

const sink = new JsonlLedgerSink({
  path: o.path,
  batchSize: 1e9,
  maxQueued: 1e9,
  flushIntervalMs: 3_600_000,
  ...(o.rotateBytes ? { rotate: { maxBytes: o.rotateBytes } } : {}),
  ...(o.maxWriteBytes ? { maxWriteBytes: o.maxWriteBytes } : {}),
});
const tracker = new CostTracker({ sinks: [sink], dimensions: [], recentLimit: 0 });
const out = (s: string) => process.stdout.write(s);
for (let i = 0; o.count < 0 || i < o.count; i++) {
  // Vary line length a little (session ids), with a quote and non-ASCII text to keep escaping honest.
  tracker.record(handResult(1_000_000 + i, 'model-"q"', 'openai', 100 + (i % 50)), {
    spanId: `${o.prefix}-${i}`,
    sessionId: `sé-${'x'.repeat(i % 40)}`,
  });
  if ((i + 1) % o.batch === 0) {
    if (o.end === undefined || o.count < 0) {
      sink.flushSync();
      out(`flushed ${i + 1}\n`);
    }
  }
  if (o.count < 0 && i % 5000 === 0) await new Promise((r) => setImmediate(r));
}
if (o.end === 'exit') process.exit(0);
if (o.end !== 'natural') {
  sink.flushSync();
  out(`flushed ${o.count}\n`);
}
