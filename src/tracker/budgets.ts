import { BudgetExceededError, LangfuseCostError } from '../errors.js';
import type { Logger } from '../logger.js';
import { picoToUsd, usdToPico } from '../pricing/money.js';
import type {
  BudgetCrossing,
  BudgetPeriod,
  BudgetRuleView,
  BudgetScope,
  BudgetSlotRef,
  BudgetSpend,
  BudgetStore,
} from './budget-store.js';
import { InProcessBudgetStore } from './budget-store-memory.js';
import type { ZonedCalendar } from './calendar.js';

export type { BudgetPeriod, BudgetScope } from './budget-store.js';

/** One limit with its alert thresholds. */
export interface BudgetLimit {
  /** Hard limit, USD. Reaching it fires `exceeded` and, with enforcement, refuses further calls. */
  limit: number;
  /** Fraction of the limit that fires a `warning` alert (default 0.8). */
  warning?: number;
  /** Fraction of the limit that fires a `critical` alert (default 0.95). */
  critical?: number;
  /**
   * Period of scoped limits (per session, user or tenant). Defaults: `total` for sessions,
   * `day` for users and tenants. `daily` and `monthly` always use `day` and `month`.
   */
  period?: BudgetPeriod;
}

/** Budgets of a tracker. A number is shorthand for `{ limit }`. */
export interface BudgetConfig {
  /** Spend per calendar day (tracker time zone). */
  daily?: BudgetLimit | number;
  /** Spend per calendar month (tracker time zone). */
  monthly?: BudgetLimit | number;
  /** Spend per session id (default period `total`). */
  perSession?: BudgetLimit | number;
  /** Spend per user id (default period `day`). */
  perUser?: BudgetLimit | number;
  /** Spend per tenant id (default period `day`). */
  perTenant?: BudgetLimit | number;
}

/** Alert level, in increasing order. */
export type BudgetLevel = 'warning' | 'critical' | 'exceeded';

/** A threshold crossing, emitted as `tracker.on('budget', alert => …)`. */
export interface BudgetAlert {
  /** Which budget. */
  scope: BudgetScope;
  /** Session, user or tenant id for scoped budgets. */
  key?: string;
  /** The threshold crossed. */
  level: BudgetLevel;
  /** Spend in the period after the call that crossed the threshold, USD. */
  spent: number;
  /** The hard limit, USD. */
  limit: number;
  /** The threshold as a fraction of the limit (1 for `exceeded`). */
  threshold: number;
  /** Period label: `YYYY-MM-DD`, `YYYY-MM` or `total`. */
  period: string;
  /** When the threshold was crossed, epoch ms (tracker clock). */
  at: number;
  /** Id of the record that crossed it. */
  recordId?: string;
}

/** Spend against one limit, from `tracker.budgetStatus()`. */
export interface BudgetStatus {
  /** Which budget. */
  scope: BudgetScope;
  /** Session, user or tenant id for scoped budgets. */
  key?: string;
  /** Period label. */
  period: string;
  /** Spend in the period, USD. */
  spent: number;
  /** Hard limit, USD. */
  limit: number;
  /** `spent / limit`. */
  used: number;
  /** Highest threshold reached, or `ok`. */
  level: 'ok' | BudgetLevel;
  /** Warning threshold (fraction). */
  warning: number;
  /** Critical threshold (fraction). */
  critical: number;
}

/** Attribution keys budgets look at. */
export interface BudgetKeys {
  sessionId?: string | undefined;
  userId?: string | undefined;
  tenantId?: string | undefined;
}

const LEVELS: readonly BudgetLevel[] = ['warning', 'critical', 'exceeded'];

interface Rule extends BudgetRuleView {
  scope: BudgetScope;
  period: BudgetPeriod;
  limit: number;
  warning: number;
  critical: number;
  /** Thresholds in pico-USD: warning, critical, limit. */
  pico: [number, number, number];
}

/** Defaults for alert thresholds. */
export const DEFAULT_WARNING = 0.8;
/** @see DEFAULT_WARNING */
export const DEFAULT_CRITICAL = 0.95;

function rule(scope: BudgetScope, input: BudgetLimit | number, period: BudgetPeriod): Rule {
  const b = typeof input === 'number' ? { limit: input } : input;
  const where = `budgets.${scope}`;
  if (typeof b !== 'object' || b === null) throw configError(`${where}: expected { limit } or a number`);
  if (typeof b.limit !== 'number' || !Number.isFinite(b.limit) || b.limit < 0) {
    throw configError(`${where}.limit must be a non-negative number of USD, got ${String(b.limit)}`);
  }
  const warning = b.warning ?? DEFAULT_WARNING;
  const critical = b.critical ?? DEFAULT_CRITICAL;
  for (const [name, v] of [
    ['warning', warning],
    ['critical', critical],
  ] as const) {
    if (typeof v !== 'number' || !(v > 0 && v <= 1)) {
      throw configError(`${where}.${name} must be a fraction in (0, 1], e.g. 0.8, got ${String(v)}`);
    }
  }
  if (warning > critical) throw configError(`${where}: warning (${warning}) is above critical (${critical})`);
  const p = b.period ?? period;
  if (p !== 'day' && p !== 'month' && p !== 'total') {
    throw configError(`${where}.period must be day, month or total, got ${String(p)}`);
  }
  const limitPico = usdToPico(b.limit);
  // Below a picodollar a limit rounds to 0, which every call (even a free one) reaches.
  if (limitPico === 0 && b.limit > 0) {
    throw configError(
      `${where}.limit must be 0 or at least $0.000000000001 (1 pico-USD), got ${String(b.limit)}`,
    );
  }
  return {
    scope,
    period: scope === 'daily' ? 'day' : scope === 'monthly' ? 'month' : p,
    limit: b.limit,
    warning,
    critical,
    pico: [Math.ceil(limitPico * warning), Math.ceil(limitPico * critical), limitPico],
  };
}

/** @internal A budget limit checked and with its defaults (used by the ledger's budget report too). */
export const budgetRule = rule;

function configError(message: string): LangfuseCostError {
  return new LangfuseCostError('INVALID_BUDGET', message);
}

/**
 * Budgets and alerts: spend per period for the global day and month and per session, user and
 * tenant, thresholds fired once per crossing per period, and enforcement checks. The spend itself
 * lives in a {@link BudgetStore}: this process's ({@link InProcessBudgetStore}) by default, or a
 * store shared by a fleet.
 */
export class BudgetManager {
  private readonly rules: Rule[] = [];
  private readonly ruleOf: Partial<Record<BudgetScope, Rule>> = {};
  private readonly store: BudgetStore;

  constructor(
    config: BudgetConfig | undefined,
    private readonly calendar: ZonedCalendar,
    keyLimit: number,
    private readonly emit: (alert: BudgetAlert) => void,
    store?: BudgetStore,
    logger?: Logger,
  ) {
    const c = config ?? {};
    const add = (scope: BudgetScope, input: BudgetLimit | number | undefined, period: BudgetPeriod) => {
      if (input === undefined) return;
      const r = rule(scope, input, period);
      this.rules.push(r);
      this.ruleOf[scope] = r;
    };
    add('daily', c.daily, 'day');
    add('monthly', c.monthly, 'month');
    add('tenant', c.perTenant, 'day');
    add('user', c.perUser, 'day');
    add('session', c.perSession, 'total');
    this.store = store ?? new InProcessBudgetStore();
    this.store.open({
      rules: this.rules,
      calendar,
      keyLimit,
      crossed: (c) => this.crossed(c),
      logger,
    });
  }

  /** True when any budget is configured. */
  get active(): boolean {
    return this.rules.length > 0;
  }

  /** Count a call's cost; the store reports the thresholds it crosses (as `budget` alerts). */
  add(pico: number, keys: BudgetKeys, t: number, recordId: string): void {
    const rules = this.rules;
    for (let i = 0; i < rules.length; i++) {
      const key = this.keyOf(rules[i]!.scope, keys);
      if (key === null) continue;
      this.store.add(i, key, pico, t, recordId);
    }
  }

  /** @throws {BudgetExceededError} when a limit that applies to `keys` is reached. */
  check(keys: BudgetKeys, t: number): void {
    const open = this.store.available?.() ?? true;
    const rules = this.rules;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      const key = this.keyOf(r.scope, keys);
      if (key === null) continue;
      const s = this.store.spent(i, key, t);
      // A store that cannot vouch for the spend and fails closed refuses every budgeted call.
      if (!open || (s !== undefined && s.pico >= r.pico[2])) {
        throw new BudgetExceededError({
          scope: r.scope,
          ...(key !== '' ? { key } : {}),
          spent: picoToUsd(s?.pico ?? 0),
          limit: r.limit,
          period: s?.period ?? this.periodOf(r, t),
        });
      }
    }
  }

  /**
   * Bring the spend of `keys` (every budget and key when omitted) up to date from a shared store;
   * at once with the in-process store. Never rejects.
   */
  async sync(t: number, keys?: BudgetKeys): Promise<void> {
    if (this.store.sync === undefined || !this.active) return;
    if (keys === undefined) return this.store.sync(t);
    const slots: BudgetSlotRef[] = [];
    for (let i = 0; i < this.rules.length; i++) {
      const key = this.keyOf(this.rules[i]!.scope, keys);
      if (key !== null) slots.push({ rule: i, key });
    }
    return this.store.sync(t, slots);
  }

  /** Hand over pending spend to the store's server and disconnect (nothing to do in-process). */
  async close(): Promise<void> {
    await this.store.close?.();
  }

  /**
   * Spend against every limit. With `keys`, scoped budgets report those keys only; without, every
   * key still held (most used first).
   */
  status(t: number, keys?: BudgetKeys): BudgetStatus[] {
    const out: BudgetStatus[] = [];
    for (let i = 0; i < this.rules.length; i++) {
      const r = this.rules[i]!;
      if (r.scope === 'daily' || r.scope === 'monthly') {
        out.push(this.statusOf(r, '', this.store.spent(i, '', t), t));
        continue;
      }
      if (keys !== undefined) {
        const key = this.keyOf(r.scope, keys);
        if (key === null) continue;
        out.push(this.statusOf(r, key, this.store.spent(i, key, t), t));
        continue;
      }
      const rows: BudgetStatus[] = [];
      for (const key of this.store.keys(i)) {
        const s = this.store.spent(i, key, t);
        if (s !== undefined) rows.push(this.statusOf(r, key, s, t));
      }
      rows.sort((a, b) => b.used - a.used);
      out.push(...rows);
    }
    return out;
  }

  /** The configured limit of a scope, if any. */
  limitOf(scope: BudgetScope): BudgetLimit | undefined {
    const r = this.ruleOf[scope];
    return r && { limit: r.limit, warning: r.warning, critical: r.critical, period: r.period };
  }

  /** Forget all spend this process holds. */
  clear(): void {
    this.store.clear();
  }

  private crossed(c: BudgetCrossing): void {
    const r = this.rules[c.rule];
    if (r === undefined) return;
    this.emit({
      scope: r.scope,
      ...(c.key !== '' ? { key: c.key } : {}),
      level: LEVELS[c.level]!,
      spent: picoToUsd(c.spentPico),
      limit: r.limit,
      threshold: c.level === 0 ? r.warning : c.level === 1 ? r.critical : 1,
      period: c.period,
      at: c.at,
      recordId: c.recordId,
    });
  }

  private statusOf(r: Rule, key: string, s: BudgetSpend | undefined, t: number): BudgetStatus {
    const pico = s?.pico ?? 0;
    const level = pico >= r.pico[2] ? 3 : pico >= r.pico[1] ? 2 : pico >= r.pico[0] ? 1 : 0;
    const spent = picoToUsd(pico);
    return {
      scope: r.scope,
      ...(key !== '' ? { key } : {}),
      period: s?.period ?? this.periodOf(r, t),
      spent,
      limit: r.limit,
      used: r.limit > 0 ? spent / r.limit : spent > 0 ? Number.POSITIVE_INFINITY : 0,
      level: level === 0 ? 'ok' : LEVELS[level - 1]!,
      warning: r.warning,
      critical: r.critical,
    };
  }

  /** Label of the period of `t` under `r`. */
  private periodOf(r: Rule, t: number): string {
    return r.period === 'total' ? 'total' : this.calendar.period(t, r.period).key;
  }

  private keyOf(scope: BudgetScope, k: BudgetKeys): string | null {
    switch (scope) {
      case 'daily':
      case 'monthly':
        return '';
      case 'session':
        return k.sessionId || null;
      case 'user':
        return k.userId || null;
      case 'tenant':
        return k.tenantId || null;
    }
  }
}
