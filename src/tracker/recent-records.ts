import type { CostRecord } from '../ledger/record.js';
import type { CostBreakdown } from '../pricing/cost-result.js';
import type { TokenUsage } from '../usage/token-usage.js';
import { BUCKET_SLOTS, bucketsToSlots, costsFromSlots, usageFromSlots } from './record-fields.generated.js';

// Numbers of a slot: the times and totals, then every usage and cost bucket (bucketsToSlots).
const N_START = 0;
const N_END = 1;
const N_DURATION = 2;
const N_TOTAL = 3;
const N_PICO = 4;
const N_PROVIDED = 5;
const N_BUCKETS = 6;
const NUMS = N_BUCKETS + BUCKET_SLOTS;

// References of a slot, in its array: strings, and the record's own tags array and metadata object.
const R_ID = 0;
const R_MODEL = 1;
const R_RESOLVED = 2;
const R_PROVIDER = 3;
const R_SOURCE = 4;
const R_TIER = 5;
const R_ERROR = 6;
const R_TRACE = 7;
const R_PARENT = 8;
const R_SESSION = 9;
const R_USER = 10;
const R_TENANT = 11;
const R_OPERATION = 12;
const R_SERVICE = 13;
const R_ENVIRONMENT = 14;
const R_INPUT_TEXT = 15;
const R_OUTPUT_TEXT = 16;
const R_TAGS = 17;
const R_METADATA = 18;

// Flags of a slot.
const F_ESTIMATED = 1;
const F_UNPRICED = 2;
const F_HAS_FALLBACK = 4;
const F_FALLBACK = 8;
const F_HAS_PROVIDED = 16;
/** The usage is the tracker's shared frozen empty usage (given back as itself). */
const F_SHARED_USAGE = 32;
/** The costs are the tracker's shared frozen zero breakdown (given back as itself). */
const F_SHARED_COSTS = 64;
const F_STATUS_ERROR = 128;
const F_STATUS_CACHED = 256;

/** Slots allocated at first; the arrays double from there up to the limit as records come. */
const FIRST_CAPACITY = 256;

/**
 * @internal The tracker's last `limit` records, kept as their numbers (in one flat `Float64Array`)
 * and one small array of references each, and built again as new, equal records when read.
 *
 * Why: a kept record, with its usage and cost objects (about 720 bytes), outlived the young
 * generation's next scavenge, so the collector copied it, and promoted some: the scavenger's share of
 * `tracker.record` fell from about 1,800 to 800 instructions a call once only the small array is kept
 * (callgrind, at the default 1,000 records). Strings, and the record's own `tags` array and `metadata`
 * object, are held by reference (the copies share them).
 *
 * Fields are stored in the order `build` sets them and rebuilt in that order, so a rebuilt record
 * has the original's keys in the same order (JSON.stringify of both is the same text).
 */
export class RecentRecords {
  private nums: Float64Array;
  /** Per slot, the record's references in one small array (see `push`). */
  private refs: (unknown[] | undefined)[];
  private flags: Uint16Array;
  /** Slots allocated (≤ limit): a large limit costs memory only once that many calls came. */
  private capacity: number;
  private next = 0;
  /** Records held (at most `limit`). */
  size = 0;

  /**
   * @param limit most records held (0: none).
   * @param sharedUsage a frozen usage records may share; it is given back as itself.
   * @param sharedCosts a frozen cost breakdown records may share; it is given back as itself.
   */
  constructor(
    private limit: number,
    private readonly sharedUsage: TokenUsage,
    private readonly sharedCosts: CostBreakdown,
  ) {
    this.capacity = Math.min(limit, FIRST_CAPACITY);
    this.nums = new Float64Array(this.capacity * NUMS);
    this.refs = new Array<unknown[] | undefined>(this.capacity).fill(undefined);
    this.flags = new Uint16Array(this.capacity);
  }

  /** Keep `rec`, dropping the oldest record when full. */
  push(rec: CostRecord): void {
    const slot = this.next;
    // Until the limit is reached the slots fill in order (next === size): grow when they are all used.
    if (slot === this.capacity && !this.grow()) {
      // No memory for more: keep the records there is room for (the call must not fail for this).
      this.limit = this.capacity;
      this.next = 0;
      this.push(rec);
      return;
    }
    this.next = slot + 1 === this.limit ? 0 : slot + 1;
    if (this.size < this.limit) this.size++;
    const a = this.nums;
    const o = slot * NUMS;
    a[o + N_START] = rec.startTime;
    a[o + N_END] = rec.endTime;
    a[o + N_DURATION] = rec.durationMs;
    a[o + N_TOTAL] = rec.total;
    a[o + N_PICO] = rec.totalPico;
    let f = rec.estimated ? F_ESTIMATED : 0;
    if (rec.unpriced !== undefined) f |= F_UNPRICED;
    if (rec.fallback !== undefined) f |= rec.fallback ? F_HAS_FALLBACK | F_FALLBACK : F_HAS_FALLBACK;
    if (rec.providedCost !== undefined) {
      f |= F_HAS_PROVIDED;
      a[o + N_PROVIDED] = rec.providedCost;
    }
    if (rec.status === 'error') f |= F_STATUS_ERROR;
    else if (rec.status === 'cached') f |= F_STATUS_CACHED;
    const usage = rec.usage;
    const costs = rec.costs;
    if (usage === this.sharedUsage) f |= F_SHARED_USAGE;
    if (costs === this.sharedCosts) f |= F_SHARED_COSTS;
    bucketsToSlots(usage, costs, a, o + N_BUCKETS);
    this.flags[slot] = f;
    // The references go in one array made for this record, not straight into the ring's long-lived
    // array: a store of a young object into an old one runs V8's write barrier (a call each), and
    // ids, tags and adapters' strings are young. This array is about 170 bytes against the record's
    // 720 with its usage and costs, and it is the only object of the call that stays alive.
    this.refs[slot] = [
      rec.id,
      rec.model,
      rec.resolvedModel,
      rec.provider,
      rec.source,
      rec.tier,
      rec.error,
      rec.traceId,
      rec.parentId,
      rec.sessionId,
      rec.userId,
      rec.tenantId,
      rec.operation,
      rec.service,
      rec.environment,
      rec.inputText,
      rec.outputText,
      rec.tags,
      rec.metadata,
    ];
  }

  /** The last `count` records (count ≤ size), oldest first, each built anew. */
  last(count: number): CostRecord[] {
    const out: CostRecord[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = this.at((this.next - count + i + this.limit * 2) % this.limit);
    return out;
  }

  /** Double the slots (at most to the limit), keeping the records in their slots; false without memory. */
  private grow(): boolean {
    const capacity = Math.min(this.limit, this.capacity * 2);
    let nums: Float64Array;
    let refs: (unknown[] | undefined)[];
    try {
      nums = new Float64Array(capacity * NUMS);
      refs = new Array<unknown[] | undefined>(capacity).fill(undefined);
    } catch {
      return false;
    }
    nums.set(this.nums);
    this.nums = nums;
    for (let i = 0; i < this.refs.length; i++) refs[i] = this.refs[i];
    this.refs = refs;
    const flags = new Uint16Array(capacity);
    flags.set(this.flags);
    this.flags = flags;
    this.capacity = capacity;
    return true;
  }

  /** Forget every record (the arrays are kept). */
  clear(): void {
    this.refs.fill(undefined);
    this.next = 0;
    this.size = 0;
  }

  /** The record of a slot, with its keys in the order `build` sets them. */
  private at(slot: number): CostRecord {
    const a = this.nums;
    const o = slot * NUMS;
    const r = this.refs[slot]!;
    const f = this.flags[slot]!;
    const rec: CostRecord = {
      id: r[R_ID] as string,
      startTime: a[o + N_START]!,
      endTime: a[o + N_END]!,
      durationMs: a[o + N_DURATION]!,
      model: r[R_MODEL] as string,
      resolvedModel: r[R_RESOLVED] as string,
      provider: r[R_PROVIDER] as string,
      usage: f & F_SHARED_USAGE ? this.sharedUsage : usageFromSlots(a, o + N_BUCKETS),
      costs: f & F_SHARED_COSTS ? this.sharedCosts : costsFromSlots(a, o + N_BUCKETS),
      total: a[o + N_TOTAL]!,
      totalPico: a[o + N_PICO]!,
      source: r[R_SOURCE] as CostRecord['source'],
      estimated: (f & F_ESTIMATED) !== 0,
      tier: r[R_TIER] as string,
      status: f & F_STATUS_ERROR ? 'error' : f & F_STATUS_CACHED ? 'cached' : 'success',
    };
    const traceId = r[R_TRACE] as string | undefined;
    if (traceId !== undefined) rec.traceId = traceId;
    const parentId = r[R_PARENT] as string | undefined;
    if (parentId !== undefined) rec.parentId = parentId;
    const sessionId = r[R_SESSION] as string | undefined;
    if (sessionId !== undefined) rec.sessionId = sessionId;
    const userId = r[R_USER] as string | undefined;
    if (userId !== undefined) rec.userId = userId;
    const tenantId = r[R_TENANT] as string | undefined;
    if (tenantId !== undefined) rec.tenantId = tenantId;
    const operation = r[R_OPERATION] as string | undefined;
    if (operation !== undefined) rec.operation = operation;
    const service = r[R_SERVICE] as string | undefined;
    if (service !== undefined) rec.service = service;
    const environment = r[R_ENVIRONMENT] as string | undefined;
    if (environment !== undefined) rec.environment = environment;
    if (f & F_HAS_FALLBACK) rec.fallback = (f & F_FALLBACK) !== 0;
    const tags = r[R_TAGS] as string[] | undefined;
    if (tags !== undefined) rec.tags = tags;
    const metadata = r[R_METADATA] as Record<string, string> | undefined;
    if (metadata !== undefined) rec.metadata = metadata;
    const inputText = r[R_INPUT_TEXT] as string | undefined;
    if (inputText !== undefined) rec.inputText = inputText;
    const outputText = r[R_OUTPUT_TEXT] as string | undefined;
    if (outputText !== undefined) rec.outputText = outputText;
    const error = r[R_ERROR] as string | undefined;
    if (error !== undefined) rec.error = error;
    if (f & F_UNPRICED) rec.unpriced = true;
    if (f & F_HAS_PROVIDED) rec.providedCost = a[o + N_PROVIDED]!;
    return rec;
  }
}
