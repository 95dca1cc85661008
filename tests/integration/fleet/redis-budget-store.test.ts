// The Redis budget store against a real redis-server (tests/helpers/redis-server.ts): key layout
// and expiry, exact sums past 2^53 picodollars, the 64-bit limit, a resent batch counted once,
// fail-open and fail-closed, and fleet-wide reads. Amounts are hand-made picodollar costs.
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetExceededError } from '../../../src/errors.js';
import {
  PERIOD_GRACE_MS,
  type RedisCommandClient,
  redisBudgetStore,
  redisBudgetStoreFromEnv,
} from '../../../src/fleet/index.js';
import { type BudgetAlert, type BudgetConfig, CostTracker } from '../../../src/tracker/index.js';
import { memoryLogger } from '../../helpers/fleet-servers.js';
import { freePort, type RedisServer, startRedis } from '../../helpers/redis-server.js';
import { handResult } from '../../helpers/tracker-fixtures.js';

const USD = 1_000_000_000_000; // pico per USD
const DAY = 86_400_000;
/** A fixed time far from today: 2099-01-15 12:00 UTC (keys expire after their period, so the future). */
const T0 = Date.UTC(2099, 0, 15, 12);

let redis: RedisServer;
let admin: ReturnType<typeof createClient>;
let n = 0;
/** A prefix of its own per test: tests share the server, never keys. */
const prefix = () => `t${++n}:`;

beforeAll(async () => {
  redis = await startRedis();
  admin = createClient({ url: redis.url });
  admin.on('error', () => undefined);
  await admin.connect();
});
afterAll(async () => {
  await admin?.close();
  await redis?.stop();
});

function tracker(
  p: string,
  budgets: BudgetConfig,
  extra: Partial<Parameters<typeof redisBudgetStore>[0]> = {},
  now = () => T0,
) {
  const logger = memoryLogger();
  const store = redisBudgetStore({ url: redis.url, prefix: p, logger, ...extra });
  const t = new CostTracker({ budgets, enforce: true, now, budgetStore: store, timeZone: 'Europe/Berlin' });
  const alerts: BudgetAlert[] = [];
  t.on('budget', (a) => alerts.push(a));
  return { t, store, alerts, logger };
}

describe('redisBudgetStore', () => {
  it('keeps one key per budget, key and period, expiring after its period (zone of the tracker)', async () => {
    const p = prefix();
    const { t, store } = tracker(p, { daily: 10, monthly: 100, perUser: 5, perSession: 1 });
    t.record(handResult(1_234_567), { userId: 'a b/ü', sessionId: 's:1' });
    expect(await store.flush(5_000)).toBe(true);
    const keys = (await admin.keys(`${p}spend:*`)).sort();
    expect(keys).toEqual([
      `${p}spend:daily:-:2099-01-15`,
      `${p}spend:monthly:-:2099-01`,
      `${p}spend:session:s%3A1:total`,
      `${p}spend:user:a%20b%2F%C3%BC:2099-01-15`,
    ]);
    for (const k of keys) expect(await admin.get(k)).toBe('1234567');
    // Day keys expire an hour after the Berlin day ends (23:00 UTC), month keys after the month.
    expect(await admin.pExpireTime(`${p}spend:daily:-:2099-01-15`)).toBe(
      Date.UTC(2099, 0, 15, 23) + PERIOD_GRACE_MS,
    );
    expect(await admin.pExpireTime(`${p}spend:monthly:-:2099-01`)).toBe(
      Date.UTC(2099, 0, 31, 23) + PERIOD_GRACE_MS,
    );
    // Sessions (period `total`) expire 30 days after their last call.
    const ttl = await admin.pTTL(`${p}spend:session:s%3A1:total`);
    expect(ttl).toBeGreaterThan(30 * DAY - 60_000);
    expect(ttl).toBeLessThanOrEqual(30 * DAY);
    await t.close();
  });

  it('two trackers count against the same budget and each crossing is emitted once, by one of them', async () => {
    const p = prefix();
    const a = tracker(p, { perUser: 1 });
    const b = tracker(p, { perUser: 1 });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = (i % 2 === 0 ? a : b).t.record(handResult(0.1 * USD), { userId: 'u' });
      ids.push(r.id);
      await (i % 2 === 0 ? a : b).store.flush(5_000);
    }
    expect(await admin.get(`${p}spend:user:u:2099-01-15`)).toBe(String(1.2 * USD));
    const alerts = [...a.alerts, ...b.alerts];
    // 0.8 reached by the 8th call, 0.95 and 1.0 by the 10th: fleet-wide, once each.
    expect(alerts.map((x) => [x.level, x.spent, x.recordId])).toEqual([
      ['warning', 0.8, ids[7]],
      ['critical', 1, ids[9]],
      ['exceeded', 1, ids[9]],
    ]);
    expect(a.alerts.length).toBe(0); // the odd calls (b's) crossed
    // Enforcement sees the fleet's spend: a's own calls were only $0.6.
    await expect(a.t.checkBudgetAsync({ userId: 'u' })).rejects.toBeInstanceOf(BudgetExceededError);
    expect(() => a.t.checkBudget({ userId: 'u' })).toThrow(BudgetExceededError);
    await a.t.close();
    await b.t.close();
  });

  it('sums past 2^53 picodollars stay exact, and a key at the 64-bit limit warns instead of throwing', async () => {
    const p = prefix();
    const { t, store, alerts, logger } = tracker(p, { daily: 12_000 });
    const x = 2 ** 52 + 1; // 4,503,599,627,370,497 pico: doubles would round the sum
    for (let i = 0; i < 3; i++) t.record(handResult(x));
    expect(await store.flush(5_000)).toBe(true);
    expect(await admin.get(`${p}spend:daily:-:2099-01-15`)).toBe((3n * BigInt(x)).toString());
    // $12,000 limit: warning at $9,600 crossed by the 3rd call ($13,510.80), critical and exceeded too.
    expect(alerts.map((a) => a.level)).toEqual(['warning', 'critical', 'exceeded']);

    const q = prefix();
    const big = tracker(q, { daily: 1 });
    await admin.set(`${q}spend:daily:-:2099-01-15`, (2n ** 63n - 10n).toString());
    expect(() => big.t.record(handResult(100))).not.toThrow();
    expect(await big.store.flush(5_000)).toBe(true);
    expect(await admin.get(`${q}spend:daily:-:2099-01-15`)).toBe((2n ** 63n - 10n).toString());
    expect(big.logger.lines.some((l) => l.message.includes('64-bit limit'))).toBe(true);
    expect(logger.lines).toEqual([]);
    await t.close();
    await big.t.close();
  });

  it('a batch resent after its answer was lost is counted once, and its alert emitted once', async () => {
    const p = prefix();
    const real = createClient({ url: redis.url });
    real.on('error', () => undefined);
    await real.connect();
    let evals = 0;
    // The first script call reaches Redis, but its answer comes after the store gave up on it.
    const slow: RedisCommandClient = {
      async sendCommand(args) {
        const reply = await real.sendCommand(args);
        if (args[0]?.startsWith('EVAL') && evals++ === 0) await new Promise((r) => setTimeout(r, 300));
        return reply;
      },
    };
    const logger = memoryLogger();
    const store = redisBudgetStore({ client: slow, prefix: p, batchTimeoutMs: 50, retryMs: 20, logger });
    const t = new CostTracker({ budgets: { daily: 1 }, now: () => T0, budgetStore: store });
    const alerts: BudgetAlert[] = [];
    t.on('budget', (a) => alerts.push(a));
    t.record(handResult(0.9 * USD));
    expect(await store.flush(5_000)).toBe(true);
    expect(evals).toBeGreaterThanOrEqual(2); // sent again
    expect(await admin.get(`${p}spend:daily:-:2099-01-15`)).toBe(String(0.9 * USD)); // once
    expect(alerts.map((a) => a.level)).toEqual(['warning']);
    await new Promise((r) => setTimeout(r, 400)); // the late first answer arrives: nothing more
    expect(alerts.length).toBe(1);
    expect(store.health()).toMatchObject({ state: 'up', applied: 1, queued: 0 });
    expect(logger.lines.filter((l) => l.message.includes('Redis unavailable')).length).toBe(1);
    await t.close();
    await real.close();
  });

  it('Redis unreachable: fail-open lets calls through and warns once; fail-closed refuses budgeted calls', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const open = tracker('x:', { daily: 1 }, { url, timeoutMs: 50 });
    const closed = tracker('x:', { daily: 1 }, { url, timeoutMs: 50, failClosed: true });
    for (let i = 0; i < 20; i++) {
      expect(() => open.t.record(handResult(0.01 * USD))).not.toThrow();
      expect(() => closed.t.record(handResult(0.01 * USD))).not.toThrow();
      expect(() => open.t.checkBudget()).not.toThrow();
      await expect(open.t.checkBudgetAsync()).resolves.toBeUndefined();
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(() => closed.t.checkBudget()).toThrow(BudgetExceededError);
    await expect(closed.t.checkBudgetAsync()).rejects.toBeInstanceOf(BudgetExceededError);
    // Fail-open keeps counting locally: this replica's own spend still counts against the limit.
    expect(open.t.budgetStatus()[0]).toMatchObject({ scope: 'daily', spent: 0.2 });
    const warned = open.logger.lines.filter(
      (l) => l.level === 'warn' && l.message.includes('Redis unavailable'),
    );
    expect(warned.length).toBe(1);
    expect(warned[0]!.message).toContain('fail-open');
    await open.t.close();
    await closed.t.close();
  });

  it('budgetStatusAsync reads every replica’s keys; checkBudget catches up in the background', async () => {
    const p = prefix();
    const a = tracker(p, { daily: 10, perUser: 1 });
    for (const u of ['ann', 'bob', 'cy'])
      a.t.record(handResult({ ann: 0.3, bob: 1.5, cy: 0.25 }[u]! * USD), { userId: u });
    expect(await a.store.flush(5_000)).toBe(true);
    const b = tracker(p, { daily: 10, perUser: 1 }, { refreshMs: 0 });
    const rows = await b.t.budgetStatusAsync();
    expect(rows.map((r) => [r.scope, r.key ?? '', r.spent, r.level])).toEqual([
      ['daily', '', 2.05, 'ok'],
      ['user', 'bob', 1.5, 'exceeded'],
      ['user', 'ann', 0.3, 'ok'],
      ['user', 'cy', 0.25, 'ok'],
    ]);
    // A fresh replica that never saw "bob": the synchronous check lets the first call through and
    // reads bob's spend in the background; the next check refuses.
    const c = tracker(p, { daily: 10, perUser: 1 });
    expect(() => c.t.checkBudget({ userId: 'bob' })).not.toThrow();
    await new Promise((r) => setTimeout(r, 100));
    expect(() => c.t.checkBudget({ userId: 'bob' })).toThrow(BudgetExceededError);
    for (const x of [a, b, c]) await x.t.close();
  });

  it('is configured from LANGFUSE_COST_REDIS_* variables', async () => {
    expect(redisBudgetStoreFromEnv({})).toBeNull();
    const p = prefix();
    const store = redisBudgetStoreFromEnv({
      LANGFUSE_COST_REDIS_URL: redis.url,
      LANGFUSE_COST_REDIS_PREFIX: p,
      LANGFUSE_COST_REDIS_TIMEOUT_MS: '200',
    })!;
    const t = new CostTracker({ budgets: { daily: 1 }, now: () => T0, budgetStore: store });
    t.record(handResult(5));
    expect(await store.flush(5_000)).toBe(true);
    expect(await admin.get(`${p}spend:daily:-:2099-01-15`)).toBe('5');
    await t.close();
    expect(() =>
      redisBudgetStoreFromEnv(
        { LANGFUSE_COST_REDIS_URL: 'http://x', LANGFUSE_COST_REDIS_FAIL_CLOSED: 'yes' },
        { strict: true },
      ),
    ).toThrow(/LANGFUSE_COST_REDIS_URL is not valid/);
  });
});
