// Child process for tracker-memory.test.ts: run with `node --expose-gc --import tsx`.
// Records N calls with realistic key cardinality and prints the heap growth as JSON.
import { CostTracker } from '../../src/tracker/index.js';
import { handResult } from './tracker-fixtures.js';

const N = Number(process.argv[2] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const results = Array.from({ length: 1000 }, (_, i) =>
  handResult(1_000_000 + ((i * 7919) % 100_000) * 1_000, `model-${i % 20}`, `provider-${i % 3}`, 100 + i),
);
const tags = ['alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta', 'eta', 'theta'];
let now = Date.UTC(2026, 10, 22, 8);
const tracker = new CostTracker({
  now: () => now,
  budgets: { daily: 1e6, perSession: 100, perUser: 100, perTenant: 1e5 },
});
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const before = heap();
for (let i = 0; i < N; i++) {
  now += 5; // 1M calls over ~83 minutes: every ring bucket rolls
  tracker.record(results[i % 1000]!, {
    sessionId: `session-${(i * 48271) % 20_000}`,
    userId: `user-${(i * 16807) % 2_000}`,
    tenantId: `tenant-${i % 100}`,
    operation: `op-${i % 12}`,
    tags: [tags[i % 8]!, tags[(i >> 3) % 8]!],
  });
}
const stats = tracker.stats({ groupBy: 'session' });
const after = heap();
process.stdout.write(
  `${JSON.stringify({ before, after, added: after - before, requests: stats.requests, groups: stats.groups!.length })}\n`,
);
