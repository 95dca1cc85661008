// Four Node processes share budgets through a real redis-server (tests/helpers/redis-server.ts) and
// deliver alerts to a loopback webhook. Expected costs come from the published prices below, never
// from the code under test; refusals are checked against the fleet's spend computed from them.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttp } from '../../helpers/fleet-servers.js';
import { callsFor, type FleetCall } from '../../helpers/redis-fleet-calls.js';
import { type RedisServer, startRedis } from '../../helpers/redis-server.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lfc-redis-fleet-'));

/** OpenAI's published prices, USD per 1M tokens → picodollars per token (× 1e6). */
const PICO_PER_TOKEN = {
  'gpt-4o-mini': { input: 150_000n, output: 600_000n }, // $0.15 / $0.60 per 1M
  'gpt-4o-2024-08-06': { input: 2_500_000n, output: 10_000_000n }, // $2.50 / $10.00 per 1M
} as const;
const costOf = (c: FleetCall) =>
  BigInt(c.input) * PICO_PER_TOKEN[c.model].input + BigInt(c.output) * PICO_PER_TOKEN[c.model].output;
const pico = (usd: number) => BigInt(Math.round(usd * 1e6)) * 1_000_000n;

const REPLICAS = 4;
const LIMITS = { daily: 3.5, perUser: 0.5, perSession: 0.05 };
const BUDGETS = {
  daily: { limit: LIMITS.daily },
  perUser: { limit: LIMITS.perUser },
  perSession: { limit: LIMITS.perSession },
};
const THRESHOLDS = [
  ['warning', 0.8],
  ['critical', 0.95],
  ['exceeded', 1],
] as const;

interface ChildResult {
  outcomes: string[];
  hostErrors: string[];
  flushed: boolean;
  health: { applied: number; queued: number; dropped: number };
  log: string[];
}

/** Run the replicas; `during` runs once every replica has made `at` calls. */
async function runFleet(
  redis: RedisServer,
  webhook: string,
  name: string,
  calls: number,
  extra: Record<string, unknown> = {},
  during?: { at: number; run: () => Promise<void> },
): Promise<ChildResult[]> {
  const startFile = join(dir, `${name}.start`);
  const progress = new Array(REPLICAS).fill(0);
  let fired = false;
  let duringDone: Promise<void> = Promise.resolve();
  const children = Array.from({ length: REPLICAS }, (_, replica) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'tests/helpers/redis-fleet-child.ts',
        JSON.stringify({ url: redis.url, webhook, replica, calls, budgets: BUDGETS, startFile, ...extra }),
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    let buf = '';
    child.stdout!.on('data', (d) => {
      out += d;
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        const m = /^progress (\d+)$/.exec(l);
        if (m) progress[replica] = Number(m[1]);
      }
      if (during && !fired && progress.every((p) => p >= during.at)) {
        fired = true;
        duringDone = during.run();
      }
    });
    child.stderr!.on('data', (d) => (err += d));
    return new Promise<ChildResult>((resolve, reject) =>
      child.on('exit', (code) => {
        if (code !== 0) reject(new Error(`replica ${replica} exited ${code}: ${err}`));
        else resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildResult);
      }),
    );
  });
  writeFileSync(startFile, '');
  const results = await Promise.all(children);
  await duringDone;
  if (during) expect(fired).toBe(true);
  return results;
}

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function redisValues(prefix = 'langfuse-cost:spend:'): Promise<Map<string, bigint>> {
  const c = createClient({ url: redis.url });
  c.on('error', () => undefined);
  await c.connect();
  const out = new Map<string, bigint>();
  for (const k of await c.keys(`${prefix}*`)) out.set(k, BigInt((await c.get(k))!));
  await c.flushAll();
  await c.close();
  return out;
}

/** Accepted spend per budget key (`daily`, `user:<id>`, `session:<id>`), from the prices above. */
function fleetSpend(results: ChildResult[], calls: number): Map<string, bigint> {
  const spend = new Map<string, bigint>();
  const add = (k: string, v: bigint) => spend.set(k, (spend.get(k) ?? 0n) + v);
  results.forEach((r, replica) => {
    callsFor(replica, calls).forEach((c, i) => {
      if (r.outcomes[i] !== 'ok') return;
      const cost = costOf(c);
      add('daily', cost);
      add(`user:${c.user}`, cost);
      add(`session:${c.session}`, cost);
    });
  });
  return spend;
}

const limitOf = (k: string) =>
  pico(k === 'daily' ? LIMITS.daily : k.startsWith('user:') ? LIMITS.perUser : LIMITS.perSession);

/** Redis key of a budget key, for today's (the test run's) period. */
function redisKey(k: string, day: string): string {
  if (k === 'daily') return `langfuse-cost:spend:daily:-:${day}`;
  const [scope, id] = k.split(':') as [string, string];
  return `langfuse-cost:spend:${scope}:${id}:${scope === 'session' ? 'total' : day}`;
}

describe('Redis budget store: four replicas × 2,500 calls', () => {
  it('counts every picodollar once, alerts once fleet-wide, and refuses exactly when the fleet is over', async () => {
    const hook = await startHttp(() => ({ status: 200 }));
    const calls = 2_500;
    const day = new Date().toISOString().slice(0, 10);
    const results = await runFleet(redis, hook.url, 'enforce', calls, { timeoutMs: 10_000 });
    const stored = await redisValues();
    await hook.close();
    if (new Date().toISOString().slice(0, 10) !== day) return; // ran across midnight UTC: periods split

    for (const r of results) {
      expect(r.hostErrors).toEqual([]);
      expect(r.flushed).toBe(true);
      expect(r.health).toMatchObject({ queued: 0, dropped: 0 });
    }
    const spend = fleetSpend(results, calls);
    // Exact: Redis holds, per budget key, the sum of the accepted calls' costs to the picodollar.
    for (const [k, v] of spend) expect(stored.get(redisKey(k, day)), k).toBe(v);
    expect(stored.size).toBe(spend.size);

    // Refusals: a refused budget had reached its limit (fleet-wide, by the end); once a replica was
    // refused on a key it was refused on it again; the fleet spends at most one call per replica
    // past a limit (each check reads the fleet's spend; a replica's previous call is sent with it).
    let maxCost = 0n;
    for (let r = 0; r < REPLICAS; r++)
      for (const c of callsFor(r, calls)) if (costOf(c) > maxCost) maxCost = costOf(c);
    let refusals = 0;
    results.forEach((r, replica) => {
      const refused = new Set<string>();
      callsFor(replica, calls).forEach((c, i) => {
        const keys = ['daily', `user:${c.user}`, `session:${c.session}`];
        const o = r.outcomes[i]!;
        if (o === 'ok') {
          for (const k of keys)
            expect(refused.has(k), `replica ${replica} call ${i} after ${k} refused`).toBe(false);
          return;
        }
        refusals++;
        const [scope, key] = o.split(':') as [string, string];
        const k = scope === 'daily' ? 'daily' : `${scope}:${key}`;
        expect(keys).toContain(k);
        expect(spend.get(k)! >= limitOf(k), `${k} refused below its limit`).toBe(true);
        refused.add(k);
      });
    });
    for (const [k, v] of spend) {
      expect(v < limitOf(k) + BigInt(REPLICAS) * maxCost, `${k} overshoot`).toBe(true);
    }
    expect(refusals).toBeGreaterThan(1_000); // the limits bite: users, sessions and the day

    // Alerts: each threshold the fleet's spend reached is delivered exactly once, none other.
    const ids = hook.received.map((x) => JSON.parse(x.body).id as string);
    const expected: string[] = [];
    for (const [k, v] of spend) {
      for (const [level, share] of THRESHOLDS) {
        const limit = limitOf(k);
        const threshold = (limit * BigInt(Math.round(share * 100)) + 99n) / 100n;
        if (v < threshold) continue;
        const [scope, key] = k === 'daily' ? ['daily', '-'] : (k.split(':') as [string, string]);
        expected.push(`${scope}/${key}/${scope === 'session' ? 'total' : day}/${level}@${share}`);
      }
    }
    expect([...ids].sort()).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThan(100);
    // Every kind of budget refused calls: the day's too (its limit is below what users and sessions allow).
    const kinds = new Set(
      results.flatMap((r) => r.outcomes.filter((o) => o !== 'ok').map((o) => o.split(':')[0])),
    );
    expect([...kinds].sort()).toEqual(['daily', 'session', 'user']);
  });

  it('survives Redis SIGKILLed mid-run: nothing reaches the host, and after reconciliation every call counts once', async () => {
    const hook = await startHttp(() => ({ status: 200 }));
    const calls = 1_500;
    const day = new Date().toISOString().slice(0, 10);
    let killedAt = 0;
    const holdFile = join(dir, 'kill.hold');
    const results = await runFleet(
      redis,
      hook.url,
      'kill',
      calls,
      // Every replica stops before its 501st call until Redis is killed: all of them call on while it is down.
      { holdAt: 500, holdFile },
      {
        at: 500,
        run: async () => {
          await redis.kill();
          killedAt = Date.now();
          writeFileSync(holdFile, '');
          await new Promise((r) => setTimeout(r, 500));
          await redis.restart(); // the append-only file brings back every acknowledged batch
        },
      },
    );
    const stored = await redisValues();
    await hook.close();
    expect(killedAt).toBeGreaterThan(0);
    if (new Date().toISOString().slice(0, 10) !== day) return;

    const spend = fleetSpend(results, calls);
    for (const r of results) {
      expect(r.hostErrors).toEqual([]); // the default 50 ms timeout, fail-open: no call saw Redis go
      expect(r.flushed).toBe(true);
      expect(r.health).toMatchObject({ queued: 0, dropped: 0 });
      expect(r.health.applied).toBe(r.outcomes.filter((o) => o === 'ok').length);
      expect(
        r.log.filter((l) => l.startsWith('warn') && l.includes('Redis unavailable')).length,
        JSON.stringify(r.log),
      ).toBeGreaterThan(0);
      expect(r.log.some((l) => l.includes('Redis answers again'))).toBe(true);
    }
    // Exact after reconciliation: batches resent after the restart were counted once.
    for (const [k, v] of spend) expect(stored.get(redisKey(k, day)), k).toBe(v);
    expect(stored.size).toBe(spend.size);
    // Each threshold the fleet reached was delivered exactly once, outage or not.
    const ids = hook.received.map((x) => JSON.parse(x.body).id as string);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [k, v] of spend) {
      for (const [level, share] of THRESHOLDS) {
        const threshold = (limitOf(k) * BigInt(Math.round(share * 100)) + 99n) / 100n;
        const [scope, key] = k === 'daily' ? ['daily', '-'] : (k.split(':') as [string, string]);
        const id = `${scope}/${key}/${scope === 'session' ? 'total' : day}/${level}@${share}`;
        expect(ids.includes(id), id).toBe(v >= threshold);
      }
    }
  });
});
