/**
 * One side of `bench/tracker.ts`'s all-in figure in a process of its own (see
 * bench/shared/standalone.ts). Not a benchmark itself: `bench/tracker.ts` runs it.
 *
 * Usage: node --import tsx bench/runners/tracker.ts <ours|naive> <calls> [high|mixed] [source]
 *   ours   `tracker.record` with the JSONL ledger sink on (and budgets), as `bench/tracker.ts` section 1
 *   naive  the peer: one `appendFileSync` of one JSON line per call
 *   high   high-cardinality attribution (`--high-cardinality`)
 *   mixed  five attribution shapes in turn (see `contexts`)
 *   source the sources through tsx instead of the built package (`--source`)
 *
 * Calls go in rounds of 10,240, yielding to the event loop every 1,024 as an app's calls do, the
 * tracker flushed at the end of each round. The figure is the process CPU time over the measured calls
 * divided by their number: the window aggregates (a microtask), the ledger's encoding and writes and
 * garbage collection are all in it. Prints one JSON line (`RunnerResult`) on stdout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importBuilt } from '../shared/built.js';
import { measureRunner, variantArg } from '../shared/standalone.js';
import { contexts, naiveLog, RESULTS } from '../shared/tracker-calls.js';

const ROUND = 10_240;
/** Calls between yields to the event loop. */
const YIELD_EVERY = 1024;
/** Rounds before the measurement (about 50,000 calls): V8 compiles meanwhile, in background threads too. */
const WARM_UP_ROUNDS = 5;

const variant = variantArg(
  'bench/runners/tracker.ts',
  ['ours', 'naive'] as const,
  '<calls> [high|mixed] [source]',
);
const rounds = Math.max(1, Math.round(Number(process.argv[3] ?? 200_000) / ROUND));
const ctx = contexts(
  process.argv.includes('high') ? 'high' : process.argv.includes('mixed') ? 'mixed' : 'realistic',
);
const dir = mkdtempSync(join(tmpdir(), 'lc-bench-tracker-runner-'));
const path = join(dir, 'ledger.jsonl');
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

let k = 0;
let round: () => Promise<void>;
let close = async () => {};
if (variant === 'ours') {
  const lib = process.argv.includes('source')
    ? await import('../../src/index.js')
    : await importBuilt<typeof import('langfuse-cost')>('index.js');
  const node = process.argv.includes('source')
    ? await import('../../src/node/index.js')
    : await importBuilt<typeof import('langfuse-cost/node')>('node.js');
  const sink = new node.JsonlLedgerSink({ path });
  const tracker = new lib.CostTracker({ sinks: [sink], budgets: { daily: 1e9, perUser: 1e6 } });
  round = async () => {
    for (let i = 0; i < ROUND; i++, k++) {
      tracker.record(RESULTS[k % 1000]!, ctx(k));
      if (i % YIELD_EVERY === YIELD_EVERY - 1) await settle();
    }
    // The ledger's encoding and writes of this round happen here at the latest, inside the figure.
    await tracker.flush();
  };
  close = () => tracker.close();
} else {
  round = async () => {
    for (let i = 0; i < ROUND; i++, k++) naiveLog(path, k, ctx);
  };
}

await measureRunner(round, WARM_UP_ROUNDS, rounds, ROUND);
await close();
rmSync(dir, { recursive: true, force: true });
