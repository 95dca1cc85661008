import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BudgetExceededError, LangfuseCostError } from '../../../src/errors.js';
import { setLogger } from '../../../src/logger.js';
import {
  createTrackerFromEnv,
  getDefaultTracker,
  setDefaultTracker,
  trackerConfigFromEnv,
} from '../../../src/node/index.js';
import { type BudgetAlert, CostTracker } from '../../../src/tracker/index.js';
import { clock, handResult } from '../../helpers/tracker-fixtures.js';

const USD = 1e12; // pico per USD
const usd = (x: number) => handResult(Math.round(x * USD));
const DAY = 86_400_000;

function recorder(t: CostTracker): BudgetAlert[] {
  const seen: BudgetAlert[] = [];
  t.on('budget', (a) => seen.push(a));
  return seen;
}

const brief = (a: BudgetAlert) => `${a.scope}${a.key ? `:${a.key}` : ''} ${a.level} ${a.period}`;

describe('budget alerts', () => {
  it('fire once per threshold crossing, with spend, limit and period', () => {
    const c = clock(Date.UTC(2026, 10, 22, 9));
    const t = new CostTracker({ now: c.now, budgets: { daily: { limit: 1 } } });
    const seen = recorder(t);
    t.record(usd(0.5));
    expect(seen).toHaveLength(0);
    const r = t.record(usd(0.31)); // 0.81 ≥ 0.8
    expect(seen.map(brief)).toEqual(['daily warning 2026-11-22']);
    expect(seen[0]).toMatchObject({ spent: 0.81, limit: 1, threshold: 0.8, recordId: r.id, at: c.now() });
    t.record(usd(0.1)); // 0.91: nothing new
    expect(seen).toHaveLength(1);
    t.record(usd(0.04)); // 0.95 exactly: critical (thresholds are reached at equality)
    expect(seen.map(brief).at(-1)).toBe('daily critical 2026-11-22');
    t.record(usd(0.05)); // 1.00: the hard limit is reached
    expect(seen.map(brief).at(-1)).toBe('daily exceeded 2026-11-22');
    expect(seen.at(-1)!.spent).toBe(1);
    t.record(usd(0.5));
    expect(seen).toHaveLength(3);
  });

  it('a call that jumps several thresholds fires each, in order; the next day starts over', () => {
    const c = clock(Date.UTC(2026, 10, 22, 23, 59));
    const t = new CostTracker({ now: c.now, budgets: { daily: 2 } });
    const seen = recorder(t);
    t.record(usd(2.5));
    expect(seen.map((a) => a.level)).toEqual(['warning', 'critical', 'exceeded']);
    c.advance(2 * 60_000); // 00:01 UTC next day
    t.record(usd(1.7));
    expect(seen.map(brief).slice(3)).toEqual(['daily warning 2026-11-23']);
  });

  it('periods roll over at midnight in the configured time zone', () => {
    const run = (timeZone: string) => {
      const c = clock(Date.UTC(2026, 10, 22, 22, 30)); // 23:30 in Berlin
      const t = new CostTracker({ now: c.now, timeZone, budgets: { daily: 1 } });
      const seen = recorder(t);
      t.record(usd(0.9));
      c.set(Date.UTC(2026, 10, 22, 23, 10)); // 00:10 on Nov 23 in Berlin, still Nov 22 in UTC
      t.record(usd(0.9));
      return seen.map(brief);
    };
    expect(run('Europe/Berlin')).toEqual([
      'daily warning 2026-11-22',
      'daily warning 2026-11-23', // a new local day: the warning fires again
    ]);
    expect(run('UTC')).toEqual([
      'daily warning 2026-11-22',
      'daily critical 2026-11-22',
      'daily exceeded 2026-11-22',
    ]);
  });

  it('monthly budgets roll over by calendar month in the zone', () => {
    const c = clock(Date.UTC(2026, 10, 30, 12));
    const t = new CostTracker({ now: c.now, timeZone: 'America/New_York', budgets: { monthly: 10 } });
    const seen = recorder(t);
    t.record(usd(8));
    c.set(Date.UTC(2026, 11, 1, 4, 59)); // 23:59 on Nov 30 in New York
    t.record(usd(1.5));
    c.set(Date.UTC(2026, 11, 1, 5, 1)); // 00:01 on Dec 1
    t.record(usd(8));
    expect(seen.map(brief)).toEqual([
      'monthly warning 2026-11',
      'monthly critical 2026-11',
      'monthly warning 2026-12',
    ]);
  });

  it('scoped budgets count per session (no reset), per user (per day) and per tenant (per month)', () => {
    const c = clock(Date.UTC(2026, 10, 22, 12));
    const t = new CostTracker({
      now: c.now,
      budgets: {
        perSession: 1,
        perUser: { limit: 1, warning: 0.5 },
        perTenant: { limit: 3, period: 'month' },
      },
    });
    const seen = recorder(t);
    t.record(usd(0.6), { sessionId: 's1', userId: 'u1', tenantId: 'acme' });
    t.record(usd(0.6), { sessionId: 's2', userId: 'u2', tenantId: 'acme' });
    expect(seen.map(brief)).toEqual(['user:u1 warning 2026-11-22', 'user:u2 warning 2026-11-22']);
    c.advance(DAY);
    t.record(usd(0.6), { sessionId: 's1', userId: 'u1', tenantId: 'acme' });
    expect(seen.map(brief).slice(2)).toEqual([
      'user:u1 warning 2026-11-23', // new day for the user
      'session:s1 warning total', // the session keeps counting: 1.2 ≥ 0.8 …
      'session:s1 critical total',
      'session:s1 exceeded total',
    ]);
    t.record(usd(0.7), { tenantId: 'acme' }); // tenant month: 2.5 ≥ 2.4
    expect(seen.map(brief).at(-1)).toBe('tenant:acme warning 2026-11');
    // A call without ids only counts toward global budgets.
    t.record(usd(5));
    expect(seen).toHaveLength(7);
  });

  it('budgetStatus reports spend against every limit', () => {
    const c = clock(Date.UTC(2026, 10, 22, 12));
    const t = new CostTracker({ now: c.now, budgets: { daily: 10, perUser: 1 } });
    t.record(usd(0.9), { userId: 'a' });
    t.record(usd(0.2), { userId: 'b' });
    const all = t.budgetStatus();
    expect(all.map((s) => [s.scope, s.key ?? '', s.spent, s.level])).toEqual([
      ['daily', '', 1.1, 'ok'],
      ['user', 'a', 0.9, 'warning'],
      ['user', 'b', 0.2, 'ok'],
    ]);
    expect(t.budgetStatus({ userId: 'zed' })).toEqual([
      expect.objectContaining({ scope: 'daily' }),
      expect.objectContaining({ scope: 'user', key: 'zed', spent: 0, used: 0, level: 'ok' }),
    ]);
  });

  it('forgets the least recently used keys past budgetKeyLimit', () => {
    const t = new CostTracker({ budgets: { perSession: 1 }, budgetKeyLimit: 100 });
    for (let i = 0; i < 1000; i++) t.record(usd(0.01), { sessionId: `s${i}` });
    const held = t.budgetStatus().filter((s) => s.scope === 'session');
    expect(held.length).toBeLessThanOrEqual(100);
    expect(held.some((s) => s.key === 's999')).toBe(true);
    expect(held.some((s) => s.key === 's0')).toBe(false);
  });

  it('rejects invalid budgets with a typed error', () => {
    expect(() => new CostTracker({ budgets: { daily: -1 } })).toThrow(LangfuseCostError);
    expect(() => new CostTracker({ budgets: { daily: { limit: 1, warning: 0.9, critical: 0.5 } } })).toThrow(
      /warning \(0.9\) is above critical/,
    );
    expect(() => new CostTracker({ budgets: { perUser: { limit: 1, period: 'week' as 'day' } } })).toThrow(
      /period/,
    );
    // Below a picodollar a limit would be 0, which a $0 day already reaches: refused, not "exceeded".
    expect(() => new CostTracker({ budgets: { daily: 1e-13 } })).toThrow(
      'budgets.daily.limit must be 0 or at least $0.000000000001 (1 pico-USD), got 1e-13',
    );
    const pico = new CostTracker({ budgets: { daily: 1e-12 } });
    expect(pico.budgetStatus()[0]!.level).toBe('ok');
  });
});

describe('enforcement', () => {
  it('refuses calls once a hard limit is reached, per scope, until the period rolls over', () => {
    const c = clock(Date.UTC(2026, 10, 22, 20));
    const t = new CostTracker({ now: c.now, enforce: true, budgets: { daily: 5, perUser: 1 } });
    t.checkBudget({ userId: 'u1' });
    t.record(usd(0.99), { userId: 'u1' });
    t.checkBudget({ userId: 'u1' }); // $0.99 < $1: still allowed
    t.record(usd(0.01), { userId: 'u1' });
    let err: unknown;
    try {
      t.checkBudget({ userId: 'u1' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect((err as BudgetExceededError).details).toEqual({
      scope: 'user',
      key: 'u1',
      spent: 1,
      limit: 1,
      period: '2026-11-22',
    });
    expect(() => t.checkBudget({ userId: 'u2' })).not.toThrow();
    t.record(usd(4.5), { userId: 'u3' }); // daily total 5.5 ≥ 5
    expect(() => t.checkBudget({ userId: 'u2' })).toThrow(/daily budget exceeded/);
    expect(() => t.checkBudget()).toThrow(BudgetExceededError);
    c.advance(5 * 3_600_000); // next UTC day
    expect(() => t.checkBudget({ userId: 'u1' })).not.toThrow();
  });

  it('uses default attribution for checks, and never refuses without enforce', () => {
    const t = new CostTracker({ enforce: true, budgets: { perTenant: 1 }, defaults: { tenantId: 'acme' } });
    t.record(usd(2));
    expect(() => t.checkBudget()).toThrow(/tenant budget acme exceeded/);
    const lax = new CostTracker({ budgets: { daily: 1 } });
    lax.record(usd(5));
    expect(() => lax.checkBudget()).not.toThrow();
  });
});

describe('configuration from the environment', () => {
  it('reads every variable', () => {
    const cfg = trackerConfigFromEnv(
      {
        LANGFUSE_COST_DAILY_LIMIT: '$5',
        LANGFUSE_COST_MONTHLY_LIMIT: '1,000.50',
        LANGFUSE_COST_SESSION_LIMIT: '0.25',
        LANGFUSE_COST_USER_LIMIT: '2',
        LANGFUSE_COST_USER_PERIOD: 'month',
        LANGFUSE_COST_TENANT_LIMIT: '50',
        LANGFUSE_COST_WARNING_THRESHOLD: '70%',
        LANGFUSE_COST_CRITICAL_THRESHOLD: '90',
        LANGFUSE_COST_ENFORCE: 'yes',
        LANGFUSE_COST_TIMEZONE: 'Europe/Berlin',
        LANGFUSE_COST_LEDGER: 'costs/ledger.jsonl',
        LANGFUSE_COST_LEDGER_ROTATE: 'daily, 100MB',
      },
      { cwd: '/srv/app' },
    );
    const w = { warning: 0.7, critical: 0.9 };
    expect(cfg).toEqual({
      budgets: {
        daily: { limit: 5, ...w },
        monthly: { limit: 1000.5, ...w },
        perSession: { limit: 0.25, ...w },
        perUser: { limit: 2, ...w, period: 'month' },
        perTenant: { limit: 50, ...w },
      },
      enforce: true,
      timeZone: 'Europe/Berlin',
      ledger: '/srv/app/costs/ledger.jsonl',
      rotate: { daily: true, maxBytes: 100 * 1024 * 1024 },
    });
    expect(trackerConfigFromEnv({ LANGFUSE_COST_LEDGER: 'off' }, { cwd: '/x' })).toEqual({
      budgets: {},
      enforce: false,
      timeZone: 'UTC',
      ledger: null,
    });
    expect(trackerConfigFromEnv({}, { cwd: '/x' }).ledger).toBe('/x/.langfuse-cost/ledger.jsonl');
  });

  it('warns about and ignores bad values, or throws when strict', () => {
    const warnings: string[] = [];
    setLogger({ debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} });
    try {
      const cfg = trackerConfigFromEnv({
        LANGFUSE_COST_DAILY_LIMIT: 'five dollars',
        LANGFUSE_COST_TIMEZONE: 'Mars/Base',
        LANGFUSE_COST_ENFORCE: 'maybe',
      });
      expect(cfg.budgets).toEqual({});
      expect(cfg.timeZone).toBe('UTC');
      expect(cfg.enforce).toBe(false);
      expect(warnings.join('\n')).toMatch(/LANGFUSE_COST_DAILY_LIMIT="five dollars" is not valid/);
      expect(warnings.join('\n')).toMatch(/LANGFUSE_COST_TIMEZONE/);
    } finally {
      setLogger({ debug() {}, info: console.info, warn: console.warn, error: console.error });
    }
    expect(() => trackerConfigFromEnv({ LANGFUSE_COST_WARNING_THRESHOLD: '180%' }, { strict: true })).toThrow(
      /LANGFUSE_COST_WARNING_THRESHOLD/,
    );
  });

  const dir = mkdtempSync(join(tmpdir(), 'lc-env-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('createTrackerFromEnv wires budgets, enforcement and the ledger sink', async () => {
    const t = createTrackerFromEnv(
      {
        LANGFUSE_COST_DAILY_LIMIT: '1',
        LANGFUSE_COST_ENFORCE: 'true',
        LANGFUSE_COST_LEDGER: 'l/ledger.jsonl',
      },
      dir,
    );
    t.record(usd(1.5), { spanId: 'call-1' });
    expect(() => t.checkBudget()).toThrow(BudgetExceededError);
    await t.close();
    const line = JSON.parse(readFileSync(join(dir, 'l/ledger.jsonl'), 'utf8'));
    expect(line.id).toBe('call-1');
    expect(line.cost_pico).toBe(1.5 * USD);
  });

  it('getDefaultTracker is one lazily created tracker, replaceable with setDefaultTracker', () => {
    const mine = new CostTracker();
    setDefaultTracker(mine);
    expect(getDefaultTracker()).toBe(mine);
    expect(getDefaultTracker()).toBe(mine);
    setDefaultTracker(null);
    const prev = process.env.LANGFUSE_COST_LEDGER;
    process.env.LANGFUSE_COST_LEDGER = 'off';
    try {
      const created = getDefaultTracker();
      expect(created).not.toBe(mine);
      expect(getDefaultTracker()).toBe(created);
    } finally {
      if (prev === undefined) delete process.env.LANGFUSE_COST_LEDGER;
      else process.env.LANGFUSE_COST_LEDGER = prev;
      setDefaultTracker(null);
    }
  });
});
