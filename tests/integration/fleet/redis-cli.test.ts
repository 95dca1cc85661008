// `langfuse-cost budget status` reading the fleet's spend from a real redis-server that trackers
// share (the CLI runs from source in a child process, as a user runs it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisBudgetStore } from '../../../src/fleet/index.js';
import { CostTracker } from '../../../src/tracker/index.js';
import { runCli } from '../../helpers/cli.js';
import { freePort, type RedisServer, startRedis } from '../../helpers/redis-server.js';
import { handResult } from '../../helpers/tracker-fixtures.js';

const USD = 1_000_000_000_000;
let redis: RedisServer;
let day: string;

beforeAll(async () => {
  redis = await startRedis();
  day = new Date().toISOString().slice(0, 10);
  // Two replicas spend for three users: $0.30 + $0.30 for ann, $0.70 for bob, $0.05 for cy.
  for (const calls of [
    [
      ['ann', 0.3],
      ['bob', 0.7],
    ],
    [
      ['ann', 0.3],
      ['cy', 0.05],
    ],
  ] as const) {
    const store = redisBudgetStore({ url: redis.url, prefix: 'cli:' });
    const t = new CostTracker({ budgets: { daily: 5, perUser: 0.5 }, budgetStore: store });
    for (const [user, usd] of calls) t.record(handResult(usd * USD), { userId: user });
    // Acknowledged before the CLI reads (close alone waits at most a second, short on a busy machine).
    if (!(await store.flush(20_000))) throw new Error('Redis did not acknowledge the seed records');
    await t.close();
  }
});
afterAll(() => redis?.stop());

describe('langfuse-cost budget status with a shared Redis', () => {
  it('prints the fleet’s spend per budget and key, from --redis or LANGFUSE_COST_REDIS_URL', async () => {
    const env = {
      LANGFUSE_COST_DAILY_LIMIT: '5',
      LANGFUSE_COST_USER_LIMIT: '0.5',
      LANGFUSE_COST_REDIS_PREFIX: 'cli:',
    };
    const json = await runCli(['budget', 'status', '--redis', redis.url, '--json', '--tz', 'UTC'], { env });
    if (new Date().toISOString().slice(0, 10) !== day) return; // crossed midnight UTC
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(out.redis).toBe(`${redis.url}`);
    const rows = out.statuses.map((s: Record<string, unknown>) => [
      s.scope,
      s.key ?? '',
      s.spent,
      s.level,
      s.period,
    ]);
    expect(rows).toEqual([
      ['daily', '', 1.35, 'ok', day],
      ['user', 'bob', 0.7, 'exceeded', day],
      ['user', 'ann', 0.6, 'exceeded', day],
      ['user', 'cy', 0.05, 'ok', day],
    ]);
    expect(out.overWarning).toEqual({ user: 2 });
    expect(out.exceeded).toBe(true);

    const text = await runCli(['budget', 'status', '--top', '1', '--check', '--tz', 'UTC'], {
      env: { ...env, LANGFUSE_COST_REDIS_URL: redis.url },
    });
    expect(text.code).toBe(3); // --check: a limit is reached
    expect(text.stdout).toContain(`the fleet's spend in ${redis.url}`);
    expect(text.stdout).toMatch(/user\s+bob\s+\S+\s+\$0\.70\s+\$0\.50\s+140\.0%\s+EXCEEDED/);
    expect(text.stdout).not.toMatch(/ann|cy/); // --top 1
    expect(text.stdout).toContain('2 users at or above the warning threshold');
  });

  it('an unreachable Redis is a clear error that never prints the password', async () => {
    const url = `redis://me:s3cret@127.0.0.1:${await freePort()}`;
    const r = await runCli(['budget', 'status', '--redis', url, '--daily', '1'], { timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot read redis://127.0.0.1:`);
    expect(`${r.stdout}${r.stderr}`).not.toContain('s3cret');
  });
});
