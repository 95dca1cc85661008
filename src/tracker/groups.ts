import { CostAggregate } from './aggregate.js';

/** What `stats({ groupBy })` can group by. */
export type GroupDimension =
  | 'model'
  | 'provider'
  | 'session'
  | 'user'
  | 'tenant'
  | 'operation'
  | 'environment'
  | 'tag';

/** Every group dimension, in a fixed order (index = dimension id). */
export const GROUP_DIMENSIONS: readonly GroupDimension[] = [
  'model',
  'provider',
  'session',
  'user',
  'tenant',
  'operation',
  'environment',
  // Last: the one dimension with several keys per call (AggSet relies on it).
  'tag',
];

/**
 * @internal The index of each dimension in {@link GROUP_DIMENSIONS}, for the window code's hot paths:
 * an enum because the build inlines its members (a module constant is a variable that the JIT loads
 * and checks at each use). tests/unit/tracker/windows.test.ts holds it against the list.
 */
export enum Dim {
  MODEL = 0,
  PROVIDER = 1,
  SESSION = 2,
  USER = 3,
  TENANT = 4,
  OPERATION = 5,
  ENVIRONMENT = 6,
  /** Last: the one dimension with several keys per call; the ones before it have one each. */
  TAG = 7,
}

/** Group key of calls without a value for the dimension (e.g. no session id). */
export const NONE_KEY = '(none)';
export { DEFAULT_ENVIRONMENT } from '../ledger/line.js';
/** Group key that collects calls of groups dropped past the group bound. */
export const OTHER_KEY = '(other)';

/** A shared count of group entries (ring buckets count into one; the owner enforces the limit). */
export interface EntryAllowance {
  /** Entries in use. */
  used: number;
  /** Entries the owner tries to stay under. */
  limit: number;
}

/**
 * Aggregates per key with a bounded number of keys.
 *
 * Past `2 × max` keys the table is compacted: the `max` keys with the highest cost stay, the others
 * are merged into {@link OTHER_KEY}. Totals stay exact (every call is counted in some group); a group
 * that was folded and comes back starts again from zero, so a group's figures are a lower bound of its
 * true spend and the difference is in `(other)`. With an {@link EntryAllowance}, entries are counted
 * into it (its owner collapses other tables to stay under the limit).
 */
export class GroupTable {
  /** Aggregates by key. */
  readonly map = new Map<string, CostAggregate>();
  /** Calls of folded or refused keys; null until needed. */
  other: CostAggregate | null = null;

  /**
   * @param max - keys kept at a compaction (the table is compacted past `2 × max`).
   * @param allowance - shared count the table's entries are counted into.
   * @param beforeCompact - called just before a compaction, while every group still holds what it
   *   held (the open second's set brings its pending key tuples in first: a compaction ranks groups
   *   by cost, so every call made so far must be in them).
   */
  constructor(
    private readonly max: number,
    private readonly allowance?: EntryAllowance,
    private readonly beforeCompact?: () => void,
  ) {}

  /**
   * The aggregate of `key`, created on first use. A new key past `2 × max` keys first compacts the
   * table (the cheapest keys fold into `(other)`), then gets its own aggregate: never `(other)` itself.
   */
  get(key: string): CostAggregate {
    const hit = this.map.get(key);
    if (hit !== undefined) return hit;
    if (this.map.size >= this.max * 2) {
      this.beforeCompact?.();
      this.compact();
    }
    if (this.allowance !== undefined) this.allowance.used++;
    const agg = new CostAggregate();
    this.map.set(key, agg);
    return agg;
  }

  /** Merge an aggregate into `(other)`. */
  mergeOther(agg: CostAggregate): void {
    this.otherAgg().merge(agg);
  }

  /** Entries held (for the allowance). */
  get size(): number {
    return this.map.size;
  }

  /** Release this table's entries from its allowance (call before dropping the table). */
  release(): void {
    if (this.allowance !== undefined) this.allowance.used -= this.map.size;
  }

  /** Fold every key into `(other)` and release them. Returns entries freed. */
  collapse(): number {
    const n = this.map.size;
    if (n === 0) return 0;
    const other = this.otherAgg();
    for (const agg of this.map.values()) other.merge(agg);
    this.release();
    this.map.clear();
    return n;
  }

  private otherAgg(): CostAggregate {
    if (this.other === null) this.other = new CostAggregate();
    return this.other;
  }

  /**
   * Keep the `max` costliest keys and fold the rest into `(other)`; of keys that cost the same, the
   * earlier ones stay (the order a stable sort by cost would give). Each key's cost is read once, and
   * the cut is found in a sorted copy of the costs: with many distinct keys (20,000 sessions) the table
   * compacts every `max` new keys, and a sort of the entries by a comparator that read both costs was
   * a fifth of `tracker.record`'s time.
   */
  private compact(): void {
    const map = this.map;
    const n = map.size;
    if (n <= this.max) return;
    const costs = new Float64Array(n);
    let i = 0;
    for (const agg of map.values()) costs[i++] = agg.approxPico();
    // The cost of the last key kept: keys above it stay, and as many of those equal to it as fit.
    const cut = costs.slice().sort()[n - this.max]!;
    let above = 0;
    for (i = 0; i < n; i++) if (costs[i]! > cut) above++;
    let equalKept = this.max - above;
    const other = this.otherAgg();
    i = 0;
    // Deleting the entry being visited is safe: a Map's iteration goes on with the next one.
    for (const [key, agg] of map) {
      const c = costs[i++]!;
      if (c > cut) continue;
      if (c === cut && equalKept > 0) {
        equalKept--;
        continue;
      }
      other.mergeAggregate(agg);
      map.delete(key);
    }
    if (this.allowance !== undefined) this.allowance.used -= n - map.size;
  }
}
