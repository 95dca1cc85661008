import { BudgetExceededError, LangfuseCostError } from '../errors.js';
import { picoToUsd, usdToPico } from '../pricing/money.js';
import type { ZonedCalendar } from './calendar.js';

/** Period a budget counts spend over: a calendar day or month in the tracker's zone, or no reset. */
export type BudgetPeriod = 'day' | 'month' | 'total';

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

/** Which budget. */
export type BudgetScope = 'daily' | 'monthly' | 'session' | 'user' | 'tenant';

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
const SPILL = 2 ** 52;

interface Rule {
  scope: BudgetScope;
  period: BudgetPeriod;
  limit: number;
  warning: number;
  critical: number;
  /** Thresholds in pico-USD: warning, critical, limit. */
  pico: [number, number, number];
}

/** Spend of one budget in one period. */
class Spend {
  key = '';
  start = Number.NEGATIVE_INFINITY;
  /** −∞ until first rolled into a period. */
  end = Number.NEGATIVE_INFINITY;
  lo = 0;
  hi = 0n;
  /** Levels already fired in this period (0 … 3). */
  fired = 0;

  add(p: number): void {
    const lo = this.lo + p;
    if (lo < SPILL) this.lo = lo;
    else {
      this.hi += BigInt(this.lo) + BigInt(p);
      this.lo = 0;
    }
  }

  value(): number {
    return this.hi === 0n ? this.lo : Number(this.hi + BigInt(this.lo));
  }

  level(r: Rule): number {
    const v = this.value();
    return v >= r.pico[2] ? 3 : v >= r.pico[1] ? 2 : v >= r.pico[0] ? 1 : 0;
  }

  reset(key: string, start: number, end: number): void {
    this.key = key;
    this.start = start;
    this.end = end;
    this.lo = 0;
    this.hi = 0n;
    this.fired = 0;
  }
}

/**
 * Spend per key with bounded memory: two generations. New and used keys live in `young`; when it
 * holds half the limit it becomes `old` and the previous `old` is dropped whole. A key used since the
 * last turnover is always kept. (Deleting the oldest entry of one Map instead is quadratic in V8:
 * iteration skips the tombstones of every earlier delete.)
 */
class KeyedSpends {
  private young = new Map<string, Spend>();
  private old = new Map<string, Spend>();

  constructor(private readonly limit: number) {}

  get(key: string, create: boolean): Spend | undefined {
    let s = this.young.get(key);
    if (s !== undefined) return s;
    s = this.old.get(key);
    if (s !== undefined) {
      if (create) {
        this.old.delete(key);
        this.put(key, s);
      }
      return s;
    }
    if (!create) return undefined;
    s = new Spend();
    this.put(key, s);
    return s;
  }

  *entries(): IterableIterator<[string, Spend]> {
    yield* this.young;
    yield* this.old;
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
  }

  private put(key: string, s: Spend): void {
    if (this.young.size >= Math.max(1, this.limit >> 1)) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, s);
  }
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
 * tenant, thresholds fired once per crossing per period, and enforcement checks.
 *
 * Scoped spend is kept for at most `keyLimit` keys per scope (two generations of `keyLimit / 2`:
 * keys unused for the last `keyLimit / 2` new keys are dropped). An evicted key that comes back
 * starts from zero (bounded memory beats remembering every session forever).
 */
export class BudgetManager {
  private readonly rules: Rule[] = [];
  private readonly global: Partial<Record<'daily' | 'monthly', Spend>> = {};
  private readonly keyed: Partial<Record<'session' | 'user' | 'tenant', KeyedSpends>> = {};
  private readonly ruleOf: Partial<Record<BudgetScope, Rule>> = {};

  constructor(
    config: BudgetConfig | undefined,
    private readonly calendar: ZonedCalendar,
    private readonly keyLimit: number,
    private readonly emit: (alert: BudgetAlert) => void,
  ) {
    const c = config ?? {};
    const add = (scope: BudgetScope, input: BudgetLimit | number | undefined, period: BudgetPeriod) => {
      if (input === undefined) return;
      const r = rule(scope, input, period);
      this.rules.push(r);
      this.ruleOf[scope] = r;
      if (scope === 'daily' || scope === 'monthly') this.global[scope] = new Spend();
      else this.keyed[scope] = new KeyedSpends(this.keyLimit);
    };
    add('daily', c.daily, 'day');
    add('monthly', c.monthly, 'month');
    add('tenant', c.perTenant, 'day');
    add('user', c.perUser, 'day');
    add('session', c.perSession, 'total');
  }

  /** True when any budget is configured. */
  get active(): boolean {
    return this.rules.length > 0;
  }

  /** Count a call's cost and fire the alerts it crosses. */
  add(pico: number, keys: BudgetKeys, t: number, recordId: string): void {
    for (const r of this.rules) {
      const key = this.keyOf(r.scope, keys);
      if (key === null) continue;
      const s = this.spend(r, key, t, true)!;
      s.add(pico);
      const level = s.level(r);
      while (s.fired < level) {
        const l = s.fired++;
        this.emit({
          scope: r.scope,
          ...(key !== '' ? { key } : {}),
          level: LEVELS[l]!,
          spent: picoToUsd(s.value()),
          limit: r.limit,
          threshold: l === 0 ? r.warning : l === 1 ? r.critical : 1,
          period: s.key,
          at: t,
          recordId,
        });
      }
    }
  }

  /** @throws {BudgetExceededError} when a limit that applies to `keys` is reached. */
  check(keys: BudgetKeys, t: number): void {
    for (const r of this.rules) {
      const key = this.keyOf(r.scope, keys);
      if (key === null) continue;
      const s = this.spend(r, key, t, false);
      if (s !== undefined && s.value() >= r.pico[2]) {
        throw new BudgetExceededError({
          scope: r.scope,
          ...(key !== '' ? { key } : {}),
          spent: picoToUsd(s.value()),
          limit: r.limit,
          period: s.key,
        });
      }
    }
  }

  /**
   * Spend against every limit. With `keys`, scoped budgets report those keys only; without, every
   * key still held (most used first).
   */
  status(t: number, keys?: BudgetKeys): BudgetStatus[] {
    const out: BudgetStatus[] = [];
    for (const r of this.rules) {
      if (r.scope === 'daily' || r.scope === 'monthly') {
        out.push(this.statusOf(r, '', this.spend(r, '', t, true)!));
        continue;
      }
      const map = this.keyed[r.scope]!;
      if (keys !== undefined) {
        const key = this.keyOf(r.scope, keys);
        if (key === null) continue;
        const s = this.spend(r, key, t, false) ?? this.blank(r, t);
        out.push(this.statusOf(r, key, s));
        continue;
      }
      const rows: BudgetStatus[] = [];
      for (const [key] of map.entries()) {
        const s = this.spend(r, key, t, false);
        if (s !== undefined) rows.push(this.statusOf(r, key, s));
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

  /** Forget all spend. */
  clear(): void {
    for (const s of Object.values(this.global))
      s.reset('', Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY);
    for (const m of Object.values(this.keyed)) m.clear();
  }

  private statusOf(r: Rule, key: string, s: Spend): BudgetStatus {
    const level = s.level(r);
    const spent = picoToUsd(s.value());
    return {
      scope: r.scope,
      ...(key !== '' ? { key } : {}),
      period: s.key,
      spent,
      limit: r.limit,
      used: r.limit > 0 ? spent / r.limit : spent > 0 ? Number.POSITIVE_INFINITY : 0,
      level: level === 0 ? 'ok' : LEVELS[level - 1]!,
      warning: r.warning,
      critical: r.critical,
    };
  }

  private blank(r: Rule, t: number): Spend {
    const s = new Spend();
    this.roll(s, r, t);
    return s;
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

  /** Spend of `key` under `r`, rolled to the period of `t`; created when `create`. */
  private spend(r: Rule, key: string, t: number, create: boolean): Spend | undefined {
    let s: Spend | undefined;
    if (r.scope === 'daily' || r.scope === 'monthly') s = this.global[r.scope];
    else {
      s = this.keyed[r.scope]!.get(key, create);
      if (s === undefined) return undefined;
    }
    if (s !== undefined && (t < s.start || t >= s.end)) this.roll(s, r, t);
    return s;
  }

  private roll(s: Spend, r: Rule, t: number): void {
    if (r.period === 'total') s.reset('total', Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
    else {
      const p = this.calendar.period(t, r.period);
      s.reset(p.key, p.start, p.end);
    }
  }
}
