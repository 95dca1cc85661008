import type { BudgetRuleView, BudgetSpend, BudgetStore, BudgetStoreContext } from './budget-store.js';
import type { ZonedCalendar } from './calendar.js';

/** Past this a spend's low part moves into its bigint part (sums stay exact past 2^53 pico). */
const SPILL = 2 ** 52;

/** Spend of one budget key in one period. */
class Spend implements BudgetSpend {
  period = '';
  start = Number.NEGATIVE_INFINITY;
  /** −∞ until first rolled into a period. */
  end = Number.NEGATIVE_INFINITY;
  lo = 0;
  hi = 0n;
  /** Levels already fired in this period (0 … 3). */
  fired = 0;

  get pico(): number {
    return this.value();
  }

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

  level(r: BudgetRuleView): number {
    const v = this.value();
    return v >= r.pico[2] ? 3 : v >= r.pico[1] ? 2 : v >= r.pico[0] ? 1 : 0;
  }

  reset(period: string, start: number, end: number): void {
    this.period = period;
    this.start = start;
    this.end = end;
    this.lo = 0;
    this.hi = 0n;
    this.fired = 0;
  }
}

/**
 * Values per key with bounded memory: two generations. New and used keys live in `young`; when it
 * holds half the limit it becomes `old` and the previous `old` is dropped whole. A key used since the
 * last turnover is always kept. (Deleting the oldest entry of one Map instead is quadratic in V8:
 * iteration skips the tombstones of every earlier delete.)
 */
export class GenerationalMap<T> {
  private young = new Map<string, T>();
  private old = new Map<string, T>();

  constructor(
    private readonly limit: number,
    private readonly make: () => T,
  ) {}

  /** The value of `key`; with `create`, made when missing and marked as used. */
  get(key: string, create: boolean): T | undefined {
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
    s = this.make();
    this.put(key, s);
    return s;
  }

  /** Every key and value held, most recently used generation first. */
  *entries(): IterableIterator<[string, T]> {
    yield* this.young;
    yield* this.old;
  }

  /** Forget everything. */
  clear(): void {
    this.young.clear();
    this.old.clear();
  }

  private put(key: string, s: T): void {
    if (this.young.size >= Math.max(1, this.limit >> 1)) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, s);
  }
}

const newSpend = () => new Spend();

/**
 * The default budget store: spend kept in this process, exact (a number that spills into a bigint
 * past 2^52 picodollars), crossings reported at once on the call that crosses.
 *
 * Scoped spend is kept for at most `keyLimit` keys per scope (two generations of `keyLimit / 2`:
 * keys unused for the last `keyLimit / 2` new keys are dropped). An evicted key that comes back
 * starts from zero (bounded memory beats remembering every session forever).
 */
export class InProcessBudgetStore implements BudgetStore {
  private rules: readonly BudgetRuleView[] = [];
  private calendar!: ZonedCalendar;
  private crossed!: BudgetStoreContext['crossed'];
  /** Per rule: the one spend of daily/monthly, or the spends per key. */
  private global: (Spend | undefined)[] = [];
  private keyed: (GenerationalMap<Spend> | undefined)[] = [];

  open(context: BudgetStoreContext): void {
    this.rules = context.rules;
    this.calendar = context.calendar;
    this.crossed = context.crossed;
    this.global = this.rules.map((r) => (isGlobal(r) ? new Spend() : undefined));
    this.keyed = this.rules.map((r) =>
      isGlobal(r) ? undefined : new GenerationalMap(context.keyLimit, newSpend),
    );
  }

  add(rule: number, key: string, pico: number, t: number, recordId: string): void {
    const r = this.rules[rule]!;
    const s = this.spend(rule, key, t, true)!;
    s.add(pico);
    const level = s.level(r);
    while (s.fired < level) {
      const l = s.fired++ as 0 | 1 | 2;
      this.crossed({ rule, key, level: l, spentPico: s.value(), period: s.period, at: t, recordId });
    }
  }

  spent(rule: number, key: string, t: number): BudgetSpend | undefined {
    return this.spend(rule, key, t, false);
  }

  *keys(rule: number): IterableIterator<string> {
    const map = this.keyed[rule];
    if (map === undefined) return;
    for (const [key] of map.entries()) yield key;
  }

  clear(): void {
    for (const s of this.global) s?.reset('', Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY);
    for (const m of this.keyed) m?.clear();
  }

  /** Spend of `key` under rule `i`, rolled to the period of `t`; created when `create`. */
  private spend(i: number, key: string, t: number, create: boolean): Spend | undefined {
    const s = this.global[i] ?? this.keyed[i]!.get(key, create);
    if (s !== undefined && (t < s.start || t >= s.end)) {
      const r = this.rules[i]!;
      if (r.period === 'total') s.reset('total', Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
      else {
        const p = this.calendar.period(t, r.period);
        s.reset(p.key, p.start, p.end);
      }
    }
    return s;
  }
}

function isGlobal(r: BudgetRuleView): boolean {
  return r.scope === 'daily' || r.scope === 'monthly';
}
