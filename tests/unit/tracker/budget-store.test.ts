// The budget-store interface: the tracker's budgets run on whatever store it is given (the
// in-process one by default), and a store decides crossings, spend and availability.
import { describe, expect, it } from 'vitest';
import { BudgetExceededError } from '../../../src/errors.js';
import {
  type BudgetAlert,
  type BudgetCrossing,
  type BudgetSpend,
  type BudgetStore,
  type BudgetStoreContext,
  CostTracker,
  InProcessBudgetStore,
} from '../../../src/tracker/index.js';
import { clock, handResult } from '../../helpers/tracker-fixtures.js';

const USD = 1e12;
const T0 = Date.UTC(2026, 10, 22, 9);

/** A store that keeps bigint spend per rule and key, reports what it is told, and can be "down". */
class ScriptedStore implements BudgetStore {
  ctx!: BudgetStoreContext;
  spend = new Map<string, bigint>();
  adds: [number, string, number, string][] = [];
  up = true;
  open(context: BudgetStoreContext): void {
    this.ctx = context;
  }
  add(rule: number, key: string, pico: number, _t: number, recordId: string): void {
    this.adds.push([rule, key, pico, recordId]);
    this.spend.set(`${rule}/${key}`, (this.spend.get(`${rule}/${key}`) ?? 0n) + BigInt(pico));
  }
  spent(rule: number, key: string): BudgetSpend | undefined {
    const v = this.spend.get(`${rule}/${key}`);
    return v === undefined ? undefined : { period: 'P', pico: v };
  }
  *keys(rule: number): IterableIterator<string> {
    for (const k of this.spend.keys()) if (k.startsWith(`${rule}/`)) yield k.slice(String(rule).length + 1);
  }
  available(): boolean {
    return this.up;
  }
  clear(): void {
    this.spend.clear();
  }
}

describe('budget stores', () => {
  it('the tracker hands a store its rules (in a fixed order), calendar, key limit and logger', () => {
    const store = new ScriptedStore();
    new CostTracker({
      budgets: { perSession: 1, perUser: 2, perTenant: 3, monthly: 4, daily: 5 },
      budgetStore: store,
      budgetKeyLimit: 7,
      timeZone: 'Asia/Tokyo',
    });
    expect(store.ctx.rules.map((r) => [r.scope, r.period, r.pico[2]])).toEqual([
      ['daily', 'day', 5 * USD],
      ['monthly', 'month', 4 * USD],
      ['tenant', 'day', 3 * USD],
      ['user', 'day', 2 * USD],
      ['session', 'total', 1 * USD],
    ]);
    expect(store.ctx.rules[0]!.pico).toEqual([4 * USD, 4.75 * USD, 5 * USD]);
    expect(store.ctx.keyLimit).toBe(7);
    expect(store.ctx.calendar.timeZone).toBe('Asia/Tokyo');
  });

  it('records go to the store per budget that applies; its crossings become budget alerts', () => {
    const store = new ScriptedStore();
    const t = new CostTracker({ budgets: { daily: 1, perUser: 1 }, budgetStore: store, now: () => T0 });
    const alerts: BudgetAlert[] = [];
    t.on('budget', (a) => alerts.push(a));
    const r = t.record(handResult(0.25 * USD), { userId: 'u' });
    t.record(handResult(0.5 * USD)); // no user: the daily budget only
    expect(store.adds).toEqual([
      [0, '', 0.25 * USD, r.id],
      [1, 'u', 0.25 * USD, r.id],
      [0, '', 0.5 * USD, expect.any(String)],
    ]);
    // A crossing reported later (as a shared store does when its server answers) is an alert too.
    const c: BudgetCrossing = {
      rule: 1,
      key: 'u',
      level: 2,
      spentPico: 10n ** 13n,
      period: 'P',
      at: 5,
      recordId: 'x',
    };
    store.ctx.crossed(c);
    expect(alerts).toEqual([
      {
        scope: 'user',
        key: 'u',
        level: 'exceeded',
        spent: 10,
        limit: 1,
        threshold: 1,
        period: 'P',
        at: 5,
        recordId: 'x',
      },
    ]);
  });

  it('enforcement and status read the store (bigint spend included); an unavailable store refuses', async () => {
    const store = new ScriptedStore();
    const t = new CostTracker({ budgets: { perUser: 1 }, budgetStore: store, enforce: true, now: () => T0 });
    store.spend.set('0/u', 2n ** 60n); // $1,152,921.50: past the limit, and past 2^53 picodollars
    expect(() => t.checkBudget({ userId: 'u' })).toThrow(BudgetExceededError);
    expect(() => t.checkBudget({ userId: 'v' })).not.toThrow();
    expect(t.budgetStatus()).toEqual([
      expect.objectContaining({ scope: 'user', key: 'u', level: 'exceeded', spent: 1152921.504606847 }),
    ]);
    store.up = false; // e.g. a fail-closed store that lost its server
    expect(() => t.checkBudget({ userId: 'v' })).toThrow(BudgetExceededError);
    await expect(t.checkBudgetAsync({ userId: 'v' })).rejects.toBeInstanceOf(BudgetExceededError);
    expect(() => t.checkBudget()).not.toThrow(); // no per-user budget applies without a user
  });

  it('the in-process store is the default and behaves as the store it is', () => {
    const c = clock(T0);
    const explicit = new CostTracker({
      budgets: { daily: 1 },
      now: c.now,
      budgetStore: new InProcessBudgetStore(),
    });
    const implicit = new CostTracker({ budgets: { daily: 1 }, now: c.now });
    const seen: string[][] = [[], []];
    explicit.on('budget', (a) => seen[0]!.push(`${a.level} ${a.spent}`));
    implicit.on('budget', (a) => seen[1]!.push(`${a.level} ${a.spent}`));
    for (let i = 0; i < 4; i++) {
      explicit.record(handResult(0.3 * USD));
      implicit.record(handResult(0.3 * USD));
    }
    expect(seen[0]).toEqual(['warning 0.9', 'critical 1.2', 'exceeded 1.2']);
    expect(seen[1]).toEqual(seen[0]);
    expect(explicit.budgetStatus()).toEqual(implicit.budgetStatus());
  });
});
