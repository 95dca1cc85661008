import { type CallSample, CostAggregate } from './aggregate.js';
import type { ZonedCalendar } from './calendar.js';
import {
  Dim,
  type EntryAllowance,
  GROUP_DIMENSIONS,
  type GroupDimension,
  GroupTable,
  NONE_KEY,
} from './groups.js';

/**
 * Time window of `stats()`:
 * - `all`: since the tracker started (or was reset);
 * - `minute`, `hour`, `day`: rolling, made of buckets of 1 s, 1 min and 15 min, so the window covers
 *   the last 60 s / 60 min / 24 h to within one bucket (the oldest bucket may be partly outside);
 * - `calendarDay`, `calendarMonth`: the current local day / month in the tracker's time zone.
 *   Calls are assigned to days by 15-minute bucket, which is exact for every zone whose UTC offset is
 *   a multiple of 15 minutes (all zones in use since 1972).
 */
export type StatsWindow = 'all' | 'minute' | 'hour' | 'day' | 'calendarDay' | 'calendarMonth';

/** Every window. */
export const STATS_WINDOWS: readonly StatsWindow[] = [
  'all',
  'minute',
  'hour',
  'day',
  'calendarDay',
  'calendarMonth',
];

/** Group keys of one call: one per single-valued dimension, and the call's distinct tags. */
export interface CallKeys {
  /** Keys of model, provider, session, user, tenant, operation, environment (GROUP_DIMENSIONS order). */
  keys: string[];
  /** Distinct tags (empty → grouped under `(none)`). */
  tags: readonly string[];
}

/**
 * Single-key dimensions by how few groups they usually have: the first enabled one is the partition
 * an added-to set derives its total from (see {@link AggSet}).
 */
const PARTITION_ORDER = (
  ['environment', 'provider', 'model', 'operation', 'tenant', 'user', 'session'] satisfies GroupDimension[]
).map((d) => GROUP_DIMENSIONS.indexOf(d));

/** Key tuples of one session (or user) the index compares a call with before making a new one. */
const MAX_CHAIN = 8;
/** Key tuples of the open second before they are merged into its groups and forgotten (memory bound). */
const MAX_TUPLES = 4096;
/** Key tuples of a second after which it may stop making them (see `AggSet.addNew`). */
const PROBE_TUPLES = 2048;
/**
 * Later calls a repeated tuple must have, on average, for its merge into every group to pay
 * (callgrind: at 1,000 calls a second, about two calls a tuple, tuples cost 8% more than none).
 */
const MIN_CALLS_PER_MERGE = 4;
/** After a second whose tuples did not pay, the next seconds add directly, but one in this many tries again. */
const RETRY_SECONDS = 8;

const NO_TAGS: readonly string[] = [];
/** The tag list a call without tags is counted under: the none key alone. */
const NONE_TAGS: readonly string[] = [NONE_KEY];

/**
 * One distinct combination of group keys (the seven single keys and the tag list) seen in the open
 * second: the groups it belongs to, found once, and the calls after its first, summed once.
 */
class KeyTuple {
  /** Calls after the first (the first went to the groups directly); null until there is one. */
  agg: CostAggregate | null = null;
  /** The next tuple of the same index key (a short chain). */
  next: KeyTuple | null = null;

  /** True when the tuple has no session (its index key is then its user). */
  readonly sessionNone: boolean;

  constructor(
    readonly keys: readonly string[],
    readonly tags: readonly string[],
    /** Every group aggregate a call of this tuple is added to (and `kept` when it holds the total). */
    readonly targets: readonly CostAggregate[],
  ) {
    this.sessionNone = keys[Dim.SESSION] === NONE_KEY;
  }

  /** True when a call with these keys belongs to this tuple. */
  matches(keys: readonly string[], tags: readonly string[]): boolean {
    const a = this.keys;
    // Most likely to differ first: calls of one session differ by model and operation.
    if (
      a[Dim.MODEL] !== keys[Dim.MODEL] ||
      a[Dim.OPERATION] !== keys[Dim.OPERATION] ||
      a[Dim.SESSION] !== keys[Dim.SESSION] ||
      a[Dim.USER] !== keys[Dim.USER] ||
      a[Dim.PROVIDER] !== keys[Dim.PROVIDER] ||
      a[Dim.TENANT] !== keys[Dim.TENANT] ||
      a[Dim.ENVIRONMENT] !== keys[Dim.ENVIRONMENT]
    )
      return false;
    return sameTags(this.tags, tags);
  }

  /**
   * {@link matches} for a tuple of the index chain of the call's index key (see `AggSet.find`): the
   * tuple's index key equals the call's, so when both have a session the sessions are equal, and
   * when neither has one the users are (the key is the user). One or two string compares fewer a
   * call (AggSet.add with its string compares: about 90 instructions a record fewer, callgrind).
   */
  matchesIndexed(keys: readonly string[], tags: readonly string[], sessionNone: boolean): boolean {
    if (this.sessionNone !== sessionNone) return false;
    const a = this.keys;
    if (
      a[Dim.MODEL] !== keys[Dim.MODEL] ||
      a[Dim.OPERATION] !== keys[Dim.OPERATION] ||
      (!sessionNone && a[Dim.USER] !== keys[Dim.USER]) ||
      a[Dim.PROVIDER] !== keys[Dim.PROVIDER] ||
      a[Dim.TENANT] !== keys[Dim.TENANT] ||
      a[Dim.ENVIRONMENT] !== keys[Dim.ENVIRONMENT]
    )
      return false;
    return sameTags(this.tags, tags);
  }
}

/**
 * A total plus bounded group tables for every enabled dimension.
 *
 * A set fed call by call ({@link AggSet.add}: the open second's) pays per distinct key tuple, not per
 * call. A call whose keys equal a tuple already seen this second is added to that tuple's one
 * aggregate; a call with new keys is added to its groups (about nine aggregates) and becomes a
 * tuple that remembers them. Before the set is read, rolled up or has a table compacted, every
 * tuple's aggregate is merged once into its groups and the tuples are forgotten ({@link flush}).
 * Merging is exact (integer pico sums, bucket counts, min and max), and groups are created when
 * their first call comes, so which groups exist, in which order, and what a compaction keeps are as
 * if every call had been added to every group. A second whose calls mostly have new keys stops
 * making tuples (they would cost without paying back).
 *
 * The total of an added-to set is not kept per call either: every call is in exactly one group of a
 * single-key dimension (its own or, once folded, `(other)`), so the total is the merge of that
 * table's groups, made when read (environment first, else provider, …: few groups). Sets fed by
 * `merge` keep their total as they go.
 */
export class AggSet {
  /** Tables per dimension index; created on first use. */
  readonly tables: (GroupTable | undefined)[] = [];
  /** Total of merged calls (and of added ones when no single-key dimension is enabled). */
  private readonly kept = new CostAggregate();
  /** The dimension whose table holds every added call once, or −1 (the total is kept per call). */
  private readonly partition: number;
  /** True once a call was added with `add` (the total is then derived from the partition table). */
  private derived = false;
  /** The derived total, until the next `add`. */
  private derivedTotal: CostAggregate | null = null;
  /** Tuples made since the last flush, in the order made. */
  private tuples: KeyTuple[] = [];
  /** Chains of tuples by session key (user key for calls without a session); made on first `add`. */
  private index: Map<string, KeyTuple> | null = null;
  /** The tuple of the last call. */
  private last: KeyTuple | null = null;
  /** Calls added, and tuples made, this second (to stop making tuples that do not pay). */
  private calls = 0;
  private made = 0;
  /** Tuples that had a call after their first (each costs a merge into every group at the flush). */
  private repeated = 0;
  /** True when calls go straight to their groups (no tuples). */
  private direct: boolean;
  /** Counts compactions of this set's tables (a tuple must not keep a group a compaction removed). */
  private compactions = 0;
  /** Called by a table before it compacts: bring the tuples in while the groups are as they were. */
  private readonly beforeCompact = (): void => {
    this.compactions++;
    this.flush();
  };

  constructor(
    private readonly enabled: readonly boolean[],
    private readonly maxGroups: number,
    private readonly allowance: EntryAllowance | undefined,
  ) {
    this.partition = PARTITION_ORDER.find((d) => enabled[d] === true) ?? -1;
    // Without group tables a call is one aggregate update already.
    this.direct = !enabled.includes(true);
  }

  /** All calls of the set. */
  get total(): CostAggregate {
    this.flush();
    if (!this.derived) return this.kept;
    let t = this.derivedTotal;
    if (t === null) {
      const table = this.tables[this.partition]!;
      if (table.map.size === 1 && table.other === null) {
        // One group holds every call (one environment, the usual case): it is the total. Readers
        // only summarize or merge a set's total, never change it.
        t = table.map.values().next().value!;
      } else {
        t = new CostAggregate();
        for (const agg of table.map.values()) t.merge(agg);
        if (table.other !== null) t.merge(table.other);
      }
      this.derivedTotal = t;
    }
    return t;
  }

  /** Add one call. */
  add(s: CallSample, k: CallKeys): void {
    // A set is fed by `add` (the open second) or by `merge` (every other), never both: the
    // partition table of an added-to set holds its every call.
    if (this.partition >= 0) this.derived = true;
    this.derivedTotal = null;
    if (this.direct) {
      this.addDirect(s, k.keys, k.tags, null);
      return;
    }
    this.calls++;
    const keys = k.keys;
    const tags = k.tags;
    let t = this.last;
    if (t === null || !t.matches(keys, tags)) {
      t = this.find(keys, tags);
      if (t === null) {
        this.addNew(s, keys, tags);
        return;
      }
      this.last = t;
    }
    let agg = t.agg;
    if (agg === null) {
      agg = new CostAggregate();
      t.agg = agg;
      this.repeated++;
    }
    agg.addSample(s);
  }

  /**
   * True unless this set's tuples cost more than they saved: a merge into every group at the flush
   * costs about what three or four calls' direct updates do, so a second whose repeated tuples had
   * fewer than {@link MIN_CALLS_PER_MERGE} later calls each (a low call rate) lost by them.
   */
  tuplesPaid(): boolean {
    return this.calls - this.made >= MIN_CALLS_PER_MERGE * this.repeated;
  }

  /** True when calls were added with key tuples (the set did not start direct). */
  triedTuples(): boolean {
    return this.calls > 0;
  }

  /** Add calls straight to their groups from now on (no tuples). */
  goDirect(): void {
    this.flush();
    this.direct = true;
  }

  /**
   * Merge every tuple's calls into its groups and forget the tuples. Called before the set is read
   * or merged and before one of its tables compacts; later calls make tuples anew.
   */
  flush(): void {
    const list = this.tuples;
    if (list.length === 0) return;
    for (let i = 0; i < list.length; i++) {
      const t = list[i]!;
      const agg = t.agg;
      if (agg === null) continue;
      const targets = t.targets;
      for (let j = 0; j < targets.length; j++) targets[j]!.mergeAggregate(agg);
    }
    this.tuples = [];
    this.index!.clear();
    this.last = null;
  }

  /** Add every call of another set. */
  merge(o: AggSet): void {
    o.flush();
    this.kept.merge(o.total);
    for (let d = 0; d < o.tables.length; d++) {
      const src = o.tables[d];
      if (src === undefined) continue;
      const dst = this.table(d);
      for (const [key, agg] of src.map) dst.get(key).merge(agg);
      if (src.other !== null) dst.mergeOther(src.other);
    }
  }

  /** Release every table's entries from the shared allowance. */
  release(): void {
    for (const t of this.tables) t?.release();
  }

  /** Fold every group into `(other)` (totals unchanged), releasing the entries. Returns entries freed. */
  collapse(): number {
    this.flush();
    let freed = 0;
    for (const t of this.tables) if (t !== undefined) freed += t.collapse();
    return freed;
  }

  /** The tuple of these keys made this second, if the index still has it. */
  private find(keys: readonly string[], tags: readonly string[]): KeyTuple | null {
    const index = this.index;
    if (index === null) return null;
    // `indexKey(keys)`, written out: the session test it makes is the one `matchesIndexed` needs.
    const session = keys[Dim.SESSION]!;
    const sessionNone = session === NONE_KEY;
    let t = index.get(sessionNone ? keys[Dim.USER]! : session) ?? null;
    for (let n = 0; t !== null && n < MAX_CHAIN; n++, t = t.next)
      if (t.matchesIndexed(keys, tags, sessionNone)) return t;
    return null;
  }

  /** A call with keys not seen this second: straight to its groups, then remembered as a tuple. */
  private addNew(s: CallSample, keys: readonly string[], tags: readonly string[]): void {
    const compactions = this.compactions;
    const targets: CostAggregate[] = [];
    this.addDirect(s, keys, tags, targets);
    // A compaction while finding the groups may have folded one this call was just added to (a
    // second new tag): no tuple may keep it.
    if (this.compactions !== compactions) return;
    const t = new KeyTuple(keys.slice(), tags.length === 0 ? NO_TAGS : tags.slice(), targets);
    let index = this.index;
    if (index === null) {
      index = new Map();
      this.index = index;
    }
    const ik = indexKey(t.keys);
    t.next = index.get(ik) ?? null;
    index.set(ik, t);
    this.tuples.push(t);
    this.last = t;
    const made = ++this.made;
    if (made >= PROBE_TUPLES && made * 4 > this.calls * 3) {
      // Three calls in four have new keys: tuples cost more than they save here.
      this.goDirect();
    } else if (this.tuples.length >= MAX_TUPLES) this.flush();
  }

  /** Add a call to each of its groups (and to the total when no group table holds it), noting them. */
  private addDirect(
    s: CallSample,
    keys: readonly string[],
    tags: readonly string[],
    targets: CostAggregate[] | null,
  ): void {
    if (this.partition < 0) {
      this.kept.addSample(s);
      targets?.push(this.kept);
    }
    const en = this.enabled;
    // The dimensions before the tags have exactly one key per call.
    for (let d = 0; d < Dim.TAG; d++) {
      if (en[d]) {
        const agg = this.table(d).get(keys[d]!);
        agg.addSample(s);
        targets?.push(agg);
      }
    }
    if (en[Dim.TAG]) {
      // A call without tags counts under the none key, as one tag would.
      const list = tags.length === 0 ? NONE_TAGS : tags;
      const t = this.table(Dim.TAG);
      for (let i = 0; i < list.length; i++) {
        const agg = t.get(list[i]!);
        agg.addSample(s);
        targets?.push(agg);
      }
    }
  }

  private table(d: number): GroupTable {
    let t = this.tables[d];
    if (t === undefined) {
      t = new GroupTable(this.maxGroups, this.allowance, this.beforeCompact);
      this.tables[d] = t;
    }
    return t;
  }
}

/** The key a tuple is indexed by: its session, or its user when it has no session. */
function indexKey(keys: readonly string[]): string {
  const session = keys[Dim.SESSION]!;
  return session === NONE_KEY ? keys[Dim.USER]! : session;
}

interface Slot {
  start: number;
  set: AggSet;
}

/** A ring of `size` buckets of `width` ms. */
class Ring {
  private readonly slots: (Slot | undefined)[];

  constructor(
    readonly width: number,
    readonly size: number,
    private readonly make: () => AggSet,
  ) {
    this.slots = new Array(size);
  }

  /** Bucket start of `t`. */
  startOf(t: number): number {
    return Math.floor(t / this.width) * this.width;
  }

  /** The bucket starting at `start`, created (replacing the expired one in its slot) when asked. */
  at(start: number, create: true): AggSet;
  at(start: number, create: false): AggSet | undefined;
  at(start: number, create: boolean): AggSet | undefined {
    const i = Math.floor(start / this.width) % this.size;
    const slot = this.slots[i];
    if (slot !== undefined && slot.start === start) return slot.set;
    if (!create) return undefined;
    slot?.set.release();
    const set = this.make();
    this.slots[i] = { start, set };
    return set;
  }

  /** Buckets with `from ≤ start ≤ to`. */
  between(from: number, to: number, out: AggSet[]): void {
    for (const slot of this.slots)
      if (slot !== undefined && slot.start >= from && slot.start <= to) out.push(slot.set);
  }

  /** Every bucket. */
  list(out: Slot[]): void {
    for (const slot of this.slots) if (slot !== undefined) out.push(slot);
  }

  clear(): void {
    for (const slot of this.slots) slot?.set.release();
    this.slots.fill(undefined);
  }
}

/** Options of {@link WindowAggregates}. */
export interface WindowAggregatesOptions {
  /** Dimensions to keep group tables for. */
  dimensions: readonly GroupDimension[];
  /** Most groups per dimension in the `all` and month totals (compacted past 2×; see GroupTable). */
  maxGroups: number;
  /** Most group entries across all ring buckets together. */
  maxWindowGroupEntries: number;
  /** Calendar of the time zone. */
  calendar: ZonedCalendar;
}

/** What {@link WindowAggregates.collect} returns: disjoint sets covering a window, and its bounds. */
export interface WindowSlice {
  /** Disjoint parts whose sum is the window. */
  sets: AggSet[];
  /** First instant covered (null for `all`). */
  from: number | null;
  /** Calendar period label for calendar windows. */
  period?: string;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const QUARTER = 15 * MINUTE;

/**
 * Every window's aggregates with one bucket update per call.
 *
 * A call is added to the bucket of its second only. When time moves past a second, that bucket is
 * rolled (merged) into its minute; a finished minute into its quarter-hour; a finished quarter-hour
 * into the all-time, calendar-day and calendar-month totals. Rings keep 60 seconds, 60 minutes and
 * 96 quarters, so a window is the sum of the finished buckets or totals it covers plus the still-open
 * quarter, minute and second: disjoint parts, each call counted once.
 *
 * Group entries of finished ring buckets are bounded by one allowance: past it, the oldest finished
 * buckets are collapsed (their groups fold into `(other)`, their totals stay). So under extreme key
 * cardinality the rolling `hour`/`day` windows lose per-group detail first, while the all-time and
 * calendar totals, fed by the open buckets, keep theirs. Every table (open buckets included) is
 * bounded by `maxGroups` (see GroupTable).
 */
export class WindowAggregates {
  private readonly enabled: boolean[];
  private readonly sec: Ring;
  private readonly min: Ring;
  private readonly qtr: Ring;
  private all: AggSet;
  private day: AggSet;
  private dayKey = '';
  private month: AggSet;
  private monthKey = '';
  private curSec = Number.NaN;
  /** The open second's set, and whether the next new one starts without tuples. */
  private openSet: AggSet | undefined;
  private nextDirect = false;
  private directSeconds = 0;
  /** Shared allowance of group entries across ring buckets. */
  readonly allowance: EntryAllowance;

  constructor(private readonly o: WindowAggregatesOptions) {
    this.enabled = GROUP_DIMENSIONS.map((d) => o.dimensions.includes(d));
    this.allowance = { used: 0, limit: o.maxWindowGroupEntries };
    const makeRing = () => new AggSet(this.enabled, o.maxGroups, this.allowance);
    this.sec = new Ring(SECOND, 60, makeRing);
    this.min = new Ring(MINUTE, 60, makeRing);
    this.qtr = new Ring(QUARTER, 96, makeRing);
    this.all = this.makeTotal();
    this.day = this.makeTotal();
    this.month = this.makeTotal();
  }

  /** True when group tables are kept for `d`. */
  hasDimension(d: GroupDimension): boolean {
    return this.enabled[GROUP_DIMENSIONS.indexOf(d)] === true;
  }

  /** Add one call at time `t` (epoch ms, never decreasing). */
  add(t: number, s: CallSample, k: CallKeys): void {
    // SECOND as a literal: a module constant is a variable to the JIT, and `%` by it a division.
    const sec = t - (t % 1000);
    if (sec !== this.curSec) this.advance(sec);
    const set = this.sec.at(sec, true);
    if (set !== this.openSet) {
      // A new second: it makes key tuples unless the last one's did not pay (then one in
      // RETRY_SECONDS tries again, so a rate that rises is noticed).
      const prev = this.openSet;
      this.openSet = set;
      if (prev !== undefined) {
        if (prev.triedTuples()) {
          this.nextDirect = !prev.tuplesPaid();
          this.directSeconds = 0;
        } else if (this.nextDirect && ++this.directSeconds >= RETRY_SECONDS) this.nextDirect = false;
      }
      if (this.nextDirect) set.goDirect();
    }
    set.add(s, k);
  }

  /** The disjoint sets that make up `window` at time `t`. */
  collect(window: StatsWindow, t: number): WindowSlice {
    const sec = t - (t % SECOND);
    if (sec !== this.curSec) this.advance(sec);
    const sets: AggSet[] = [];
    const curSec = this.sec.at(sec, false);
    // The open second's key tuples go into its groups before anyone reads them.
    curSec?.flush();
    const curMin = this.min.at(this.min.startOf(sec), false);
    const curQtr = this.qtr.at(this.qtr.startOf(sec), false);
    const open = (withQtr: boolean) => {
      if (curSec) sets.push(curSec);
      if (curMin) sets.push(curMin);
      if (withQtr && curQtr) sets.push(curQtr);
    };
    switch (window) {
      case 'all':
        sets.push(this.all);
        open(true);
        return { sets, from: null };
      case 'calendarMonth': {
        const p = this.o.calendar.period(t, 'month');
        if (this.monthKey === p.key) sets.push(this.month);
        open(true);
        return { sets, from: p.start, period: p.key };
      }
      case 'calendarDay': {
        const p = this.o.calendar.period(t, 'day');
        if (this.dayKey === p.key) sets.push(this.day);
        open(true);
        return { sets, from: p.start, period: p.key };
      }
      case 'day': {
        const from = this.qtr.startOf(sec) - 95 * QUARTER;
        this.qtr.between(from, sec, sets);
        open(false);
        return { sets, from };
      }
      case 'hour': {
        const from = this.min.startOf(sec) - 59 * MINUTE;
        this.min.between(from, sec, sets);
        if (curSec) sets.push(curSec);
        return { sets, from };
      }
      case 'minute': {
        const from = sec - 59 * SECOND;
        this.sec.between(from, sec, sets);
        return { sets, from };
      }
    }
  }

  /** Forget everything. */
  clear(): void {
    this.sec.clear();
    this.min.clear();
    this.qtr.clear();
    this.all = this.makeTotal();
    this.day = this.makeTotal();
    this.dayKey = '';
    this.month = this.makeTotal();
    this.monthKey = '';
    this.curSec = Number.NaN;
    this.openSet = undefined;
    this.nextDirect = false;
    this.directSeconds = 0;
  }

  private makeTotal(): AggSet {
    return new AggSet(this.enabled, this.o.maxGroups, undefined);
  }

  /** Roll the open second (and the minute and quarter it finishes) before moving to `sec`. */
  private advance(sec: number): void {
    const prev = this.curSec;
    this.curSec = sec;
    if (Number.isNaN(prev)) return;
    this.rollUp(prev, sec);
    // Only now, with everything rolled up, may finished buckets lose their group detail.
    if (this.allowance.used > this.allowance.limit) this.reclaim();
  }

  private rollUp(prev: number, sec: number): void {
    const prevMin = this.min.startOf(prev);
    const s = this.sec.at(prev, false);
    if (s !== undefined) this.min.at(prevMin, true).merge(s);
    if (this.min.startOf(sec) === prevMin) return;
    const prevQtr = this.qtr.startOf(prev);
    const m = this.min.at(prevMin, false);
    if (m !== undefined) this.qtr.at(prevQtr, true).merge(m);
    if (this.qtr.startOf(sec) === prevQtr) return;
    const q = this.qtr.at(prevQtr, false);
    if (q === undefined) return;
    this.all.merge(q);
    const day = this.o.calendar.period(prevQtr, 'day').key;
    if (day !== this.dayKey) {
      this.day = this.makeTotal();
      this.dayKey = day;
    }
    this.day.merge(q);
    const month = this.o.calendar.period(prevQtr, 'month').key;
    if (month !== this.monthKey) {
      this.month = this.makeTotal();
      this.monthKey = month;
    }
    this.month.merge(q);
  }

  /**
   * Collapse the oldest finished ring buckets until a tenth of the allowance is free (or only the
   * open buckets are left). The open buckets of the current second, minute and quarter are kept: they
   * still roll up into the all-time and calendar totals.
   */
  private reclaim(): void {
    const a = this.allowance;
    const target = Math.floor(a.limit * 0.9);
    const sec = this.curSec;
    const keep = new Set<AggSet | undefined>([
      this.sec.at(sec, false),
      this.min.at(this.min.startOf(sec), false),
      this.qtr.at(this.qtr.startOf(sec), false),
    ]);
    for (const ring of [this.qtr, this.min, this.sec]) {
      const slots: Slot[] = [];
      ring.list(slots);
      slots.sort((x, y) => x.start - y.start);
      for (const slot of slots) {
        if (a.used <= target) return;
        if (!keep.has(slot.set)) slot.set.collapse();
      }
    }
  }
}

/** Whether two tag lists hold the same strings in the same order. */
function sameTags(a: readonly string[], b: readonly string[]): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
