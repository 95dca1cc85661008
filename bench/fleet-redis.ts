/**
 * What the Redis budget store adds to a host's LLM call, against the named comparison: the
 * in-process store (the default), measured in the same process, interleaved. A real redis-server
 * on loopback (Debian's `redis-server`, as the tests use: append-only file on with
 * `appendfsync always`, its data on /dev/shm when there is one).
 *
 * 1. Latency per call on the host's path, timed per call with hrtime (p50, p99), over >= 3 runs:
 *    - `checkBudget(attr)` + `record(result, attr)` — what the LangChain handler and the span
 *      processor do: with the Redis store neither waits on Redis (records are batched and sent in
 *      the background; the check reads the spend this replica knows);
 *    - `await checkBudgetAsync(attr)` + `record` — the check that first reads the fleet's spend from
 *      Redis (one round trip; the previous call's record rides in the same script call);
 *    - the floor: one `INCRBY` round trip with the official `redis` client, awaited.
 *    Each call has a daily, a per-user (50 users) and a per-session (300 sessions) budget.
 * 2. Calls per second of 4 processes sharing one Redis: each makes `checkBudget` + `record` calls as
 *    fast as it can, then waits until Redis has acknowledged every record; the figure is all calls
 *    over the wall time of the slowest process (start to last acknowledgement). The same 4
 *    processes with the in-process store (no Redis) are the comparison.
 *
 * Run: `npm run bench -- fleet-redis`, or after `npm run build`:
 * TSX_TSCONFIG_PATH=bench/tsconfig.json node --import tsx bench/fleet-redis.ts [calls=20000]
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CostTracker, calculateCost } from 'langfuse-cost';
import { redisBudgetStore } from 'langfuse-cost/fleet';
import { createClient } from 'redis';
import { startRedis } from '../tests/helpers/redis-server.js';
import { fmtNs, header, median, report } from './util.js';

const BUDGETS = { daily: 1e9, perUser: 1e9, perSession: 1e9 }; // never reached: every call is counted
const USERS = 50;
const SESSIONS = 300;
const RUNS = 3;
const PROCESSES = 4;
const result = calculateCost({ model: 'gpt-4o-mini', usage: { input: 1200, output: 300 } })!;
const attrOf = (i: number) => ({ userId: `user-${i % USERS}`, sessionId: `session-${(i * 7) % SESSIONS}` });

const args = process.argv.slice(2);
if (args[0] === '--child') await child(args[1]!, args[2]!, Number(args[3]));
else await main(Number(args.find((a) => /^\d+$/.test(a)) ?? 20_000));

/** One of the 4 processes of part 2: prints its wall time, ms. */
async function child(mode: string, url: string, calls: number): Promise<void> {
  const store = mode === 'redis' ? redisBudgetStore({ url }) : undefined;
  const t = new CostTracker({ budgets: BUDGETS, enforce: true, ...(store ? { budgetStore: store } : {}) });
  if (store) await store.flush(5_000); // connected before the clock starts
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) {
    const attr = attrOf(i);
    t.checkBudget(attr);
    t.record(result, attr);
    // Yield now and then, as a server between requests does (the batches go out meanwhile).
    if (i % 256 === 255) await new Promise((r) => setImmediate(r));
  }
  if (store && !(await store.flush(60_000))) throw new Error('not acknowledged');
  const ms = performance.now() - t0;
  await t.close();
  process.stdout.write(`${JSON.stringify({ ms, health: store?.health() })}\n`);
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function main(calls: number): Promise<void> {
  header(`Redis budget store: ${calls} calls per case and run, ${RUNS} runs, ${cpus().length} CPUs`);
  const redis = await startRedis();
  try {
    const store = redisBudgetStore({ url: redis.url });
    const viaRedis = new CostTracker({ budgets: BUDGETS, enforce: true, budgetStore: store });
    const inProcess = new CostTracker({ budgets: BUDGETS, enforce: true });
    const client = createClient({ url: redis.url });
    await client.connect();
    await store.flush(5_000);

    const sync = (t: CostTracker) => async (i: number) => {
      const attr = attrOf(i);
      t.checkBudget(attr);
      t.record(result, attr);
    };
    const awaited = (t: CostTracker) => async (i: number) => {
      const attr = attrOf(i);
      await t.checkBudgetAsync(attr);
      t.record(result, attr);
    };
    const cases: [string, (i: number) => Promise<void>][] = [
      ['checkBudget + record, in-process store', sync(inProcess)],
      ['checkBudget + record, Redis store', sync(viaRedis)],
      ['await checkBudgetAsync + record, in-process store', awaited(inProcess)],
      ['await checkBudgetAsync + record, Redis store', awaited(viaRedis)],
      [
        'floor: await INCRBY (redis client, loopback)',
        (i) => client.incrBy(`bench:${i % USERS}`, 1).then(() => undefined),
      ],
    ];
    const CHUNK = 1_000;
    const times = cases.map(() => [] as number[][]);
    for (let run = 0; run < RUNS; run++) {
      const per = cases.map(() => [] as number[]);
      // Interleaved in chunks: a noisy moment of the shared machine lands on every case alike.
      for (let start = 0; start < calls; start += CHUNK) {
        for (let c = 0; c < cases.length; c++) {
          const fn = cases[c]![1];
          for (let i = start; i < start + CHUNK; i++) {
            const t0 = process.hrtime.bigint();
            await fn(run * calls + i);
            per[c]!.push(Number(process.hrtime.bigint() - t0));
          }
          // Let the background batches go out between chunks (as they do between a server's requests).
          await new Promise((r) => setImmediate(r));
        }
      }
      per.forEach((xs, c) => times[c]!.push(xs));
    }
    console.log(
      `  load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    console.log('  latency per call on the host path (each run: p50 / p99; then the median of the runs):');
    const p99s: number[] = [];
    cases.forEach(([label], c) => {
      const runs = times[c]!;
      const p50 = median(runs.map((xs) => pct(xs, 50)));
      const p99 = median(runs.map((xs) => pct(xs, 99)));
      p99s.push(p99);
      console.log(`    ${label}`);
      console.log(
        `      runs: ${runs.map((xs) => `${fmtNs(pct(xs, 50))} / ${fmtNs(pct(xs, 99))}`).join(', ')}`,
      );
      report('      p50', fmtNs(p50));
      report(
        '      p99',
        fmtNs(p99),
        c === 1 || c === 3 ? '≤ 0.2 ms' : undefined,
        c === 1 || c === 3 ? p99 <= 200_000 : undefined,
      );
    });
    console.log(
      `  added by the Redis store at p99: ${fmtNs(p99s[1]! - p99s[0]!)} (sync check + record), ${fmtNs(p99s[3]! - p99s[2]!)} (awaited check + record); ratio Redis/in-process ${(p99s[1]! / p99s[0]!).toFixed(1)}× and ${(p99s[3]! / p99s[2]!).toFixed(1)}×`,
    );
    if (!(await store.flush(30_000)))
      console.log('  warning: the Redis store did not acknowledge everything');
    await viaRedis.close();
    await client.close();

    // Part 2: 4 processes.
    const perProcess = calls * 5;
    console.log(
      `\n  ${PROCESSES} processes × ${perProcess} calls (checkBudget + record), until Redis acknowledged every record:`,
    );
    const rates: Record<string, number[]> = { redis: [], 'in-process': [] };
    for (let run = 0; run < RUNS; run++) {
      for (const mode of ['in-process', 'redis'] as const) {
        const ms = await Promise.all(
          Array.from({ length: PROCESSES }, () => runChild(mode, redis.url, perProcess)),
        );
        rates[mode]!.push((PROCESSES * perProcess) / (Math.max(...ms) / 1000));
      }
    }
    for (const mode of ['in-process', 'redis'] as const) {
      const r = rates[mode]!;
      report(
        `    ${mode} store, calls/s (runs ${r.map((x) => Math.round(x).toLocaleString('en-US')).join(', ')})`,
        Math.round(median(r)).toLocaleString('en-US'),
      );
    }
    console.log(
      `    ratio Redis/in-process: ${(median(rates.redis!) / median(rates['in-process']!)).toFixed(2)}×`,
    );
  } finally {
    await redis.stop();
  }
}

function runChild(mode: string, url: string, calls: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', mode, url, String(calls)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => {
      if (code !== 0) reject(new Error(`child exited ${code}`));
      else resolve((JSON.parse(out.trim().split('\n').pop()!) as { ms: number }).ms);
    });
  });
}
