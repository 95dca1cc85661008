import type { Logger } from '../logger.js';
import type { ZonedCalendar } from './calendar.js';

/** Period a budget counts spend over: a calendar day or month in the tracker's zone, or no reset. */
export type BudgetPeriod = 'day' | 'month' | 'total';

/** Which budget. */
export type BudgetScope = 'daily' | 'monthly' | 'session' | 'user' | 'tenant';

/** A tracker's budget as a store sees it (limits already checked, thresholds in picodollars). */
export interface BudgetRuleView {
  /** Which budget. */
  readonly scope: BudgetScope;
  /** Its period. */
  readonly period: BudgetPeriod;
  /** Thresholds in picodollars: warning, critical, limit (ascending). */
  readonly pico: readonly [number, number, number];
}

/**
 * A threshold crossing as a store reports it. A store reports each (budget, key, period, level)
 * once: the in-process store when its own spend crosses, a shared store once across every tracker
 * that shares it.
 */
export interface BudgetCrossing {
  /** Index of the rule in {@link BudgetStoreContext.rules}. */
  rule: number;
  /** Session, user or tenant id; `''` for the daily and monthly budgets. */
  key: string;
  /** 0 warning, 1 critical, 2 exceeded. */
  level: 0 | 1 | 2;
  /** Spend in the period right after the call that crossed, picodollars. */
  spentPico: number | bigint;
  /** Period label: `YYYY-MM-DD`, `YYYY-MM` or `total`. */
  period: string;
  /** Time of the call that crossed, epoch ms. */
  at: number;
  /** Id of the record that crossed. */
  recordId: string;
}

/** What a tracker gives the store it uses (once, before any other call). */
export interface BudgetStoreContext {
  /** The tracker's budgets, in the order of the `rule` indexes of every other call. */
  readonly rules: readonly BudgetRuleView[];
  /** Calendar of the tracker's time zone (period labels and ends). */
  readonly calendar: ZonedCalendar;
  /** Most session/user/tenant keys to hold per budget (the tracker's `budgetKeyLimit`). */
  readonly keyLimit: number;
  /** Where crossings go (the tracker turns them into `budget` alerts). Never throws. */
  crossed(crossing: BudgetCrossing): void;
  /** The tracker's logger, if it has one. */
  readonly logger: Logger | undefined;
}

/** Spend of one budget key in one period, as a store knows it. */
export interface BudgetSpend {
  /** Period label: `YYYY-MM-DD`, `YYYY-MM` or `total`. */
  readonly period: string;
  /** Spend, picodollars (a bigint where the store keeps one). */
  readonly pico: number | bigint;
}

/** A budget key to bring up to date: the rule index and the key (`''` for daily and monthly). */
export interface BudgetSlotRef {
  rule: number;
  key: string;
}

/**
 * Where a tracker keeps budget spend and decides threshold crossings. The default is the in-process
 * store ({@link InProcessBudgetStore}); a shared store (e.g. `redisBudgetStore` from
 * `langfuse-cost/fleet`) makes every replica count against the same spend.
 *
 * Every method is called on the host's call path and must be synchronous and cheap; a store that
 * talks to a server does so in the background (`sync` is the one method that may wait, bounded by
 * the store's own timeout). No method may throw.
 */
export interface BudgetStore {
  /** Bind the store to its tracker. Called once, from the tracker's constructor. */
  open(context: BudgetStoreContext): void;
  /** Count `pico` (> 0) of record `recordId` at time `t` on `key` of budget `rule`. */
  add(rule: number, key: string, pico: number, t: number, recordId: string): void;
  /** Spend of `key` under `rule` in the period of `t`; `undefined` when the store knows none. */
  spent(rule: number, key: string, t: number): BudgetSpend | undefined;
  /** Keys held for a scoped rule (session, user, tenant). */
  keys(rule: number): Iterable<string>;
  /**
   * False while the store cannot vouch for the spend and its policy is to refuse calls then (a
   * shared store configured to fail closed that lost its server). Absent means always true.
   */
  available?(): boolean;
  /**
   * Bring these keys (every rule and every key in the current periods when omitted) up to date from
   * the shared state. Resolves within the store's timeout; never rejects.
   */
  sync?(t: number, slots?: readonly BudgetSlotRef[]): Promise<void>;
  /** Forget what this process holds (a shared store keeps the shared spend). */
  clear(): void;
  /** Hand over what is pending and release connections; resolves within the store's timeout. */
  close?(): Promise<void>;
}
