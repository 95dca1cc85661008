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

// References of a slot: strings, and the record's own tags array and metadata object.
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
const REFS = 19;

/** Optional reference fields a record's copy sets when present, before its `fallback` flag, in key order. */
const ATTRIBUTION_FIELDS = [
  [R_TRACE, 'traceId'],
  [R_PARENT, 'parentId'],
  [R_SESSION, 'sessionId'],
  [R_USER, 'userId'],
  [R_TENANT, 'tenantId'],
  [R_OPERATION, 'operation'],
  [R_SERVICE, 'service'],
  [R_ENVIRONMENT, 'environment'],
] as const satisfies readonly (readonly [number, keyof CostRecord])[];

/** The same after the `fallback` flag. */
const TRAILING_FIELDS = [
  [R_TAGS, 'tags'],
  [R_METADATA, 'metadata'],
  [R_INPUT_TEXT, 'inputText'],
  [R_OUTPUT_TEXT, 'outputText'],
  [R_ERROR, 'error'],
] as const satisfies readonly (readonly [number, keyof CostRecord])[];

/** Set each field of `fields` whose slot holds a value (`recent()` is rare: a loop, not twelve copies). */
function copyFields(
  rec: CostRecord,
  refs: readonly unknown[],
  p: number,
  fields: readonly (readonly [number, keyof CostRecord])[],
): void {
  for (const [slot, key] of fields) {
    const v = refs[p + slot];
    if (v !== undefined) (rec as unknown as Record<string, unknown>)[key] = v;
  }
}

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
/**
 * The slot holds one of the references most records lack (error, trace, parent, service,
 * environment, texts, metadata): without it they are all undefined, and a record that has none of
 * them writes none (nine stores, each with its write barrier, about 90 instructions, callgrind).
 */
const F_RARE = 1024;
/** The slots of the references {@link F_RARE} stands for. */
const RARE_SLOTS = [
  R_ERROR,
  R_TRACE,
  R_PARENT,
  R_SERVICE,
  R_ENVIRONMENT,
  R_INPUT_TEXT,
  R_OUTPUT_TEXT,
  R_METADATA,
];
/**
 * The slot holds the record object itself (at `R_ID`): a record whose fields could not all be
 * stored (a usage or cost breakdown that is not an object) is given back as it was.
 */
const F_OBJECT = 512;

/** Slots allocated at first; the arrays double from there up to the limit as records come. */
const FIRST_CAPACITY = 256;

/** Longest array there is: a larger `recentLimit` is refused as `new Array(limit)` refuses it. */
const MAX_LIMIT = 2 ** 32 - 1;

/**
 * @internal The tracker's last `limit` records, kept as numbers and references in flat arrays rather
 * than as the record objects, and built again as new, equal records when read.
 *
 * Why: a record kept for the next 1,000 calls (with its usage and cost objects, about 900 bytes)
 * outlives the young generation and is promoted; the old-generation collections that follow then
 * mark the whole heap of the host, which in a LangChain process cost about 11,000 instructions a
 * call (callgrind). Flat arrays are allocated once and live in the old generation, so a record dies
 * young with the rest of the call's garbage. Strings, tags and metadata are still held by reference.
 *
 * Fields are stored in the order the tracker sets them and rebuilt in that order, so a rebuilt
 * record has the original's keys in the same order (`JSON.stringify` of both is the same text).
 */
export class RecordRing {
  private nums: Float64Array;
  private refs: unknown[];
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
   * @throws {RangeError} for a limit no array can have (as the tracker's former `new Array(limit)`).
   */
  constructor(
    private limit: number,
    private readonly sharedUsage: TokenUsage,
    private readonly sharedCosts: CostBreakdown,
  ) {
    if (!(limit >= 0 && limit <= MAX_LIMIT)) throw new RangeError('Invalid array length');
    this.capacity = Math.min(limit, FIRST_CAPACITY);
    this.nums = new Float64Array(this.capacity * NUMS);
    this.refs = new Array<unknown>(this.capacity * REFS).fill(undefined);
    this.flags = new Uint16Array(this.capacity);
  }

  /** Keep `rec`, dropping the oldest record when full. Never throws for a record of any shape. */
  push(rec: CostRecord): void {
    if (this.limit === 0) return;
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
    const usage = rec.usage;
    const costs = rec.costs;
    const r = this.refs;
    const p = slot * REFS;
    if (typeof usage !== 'object' || usage === null || typeof costs !== 'object' || costs === null) {
      // Not a record the tracker made whole (only a malformed adapter result can do this): keep it.
      this.flags[slot] = F_OBJECT;
      r[p + R_ID] = rec;
      for (let i = 1; i < REFS; i++) r[p + i] = undefined;
      return;
    }
    const a = this.nums;
    const o = slot * NUMS;
    a[o + N_START] = rec.startTime;
    a[o + N_END] = rec.endTime;
    a[o + N_DURATION] = rec.durationMs;
    a[o + N_TOTAL] = rec.total;
    a[o + N_PICO] = rec.totalPico;
    let f = rec.estimated ? F_ESTIMATED : 0;
    if (rec.unpriced !== undefined) f |= F_UNPRICED;
    const fallback = rec.fallback;
    if (fallback !== undefined) f |= fallback ? F_HAS_FALLBACK | F_FALLBACK : F_HAS_FALLBACK;
    const provided = rec.providedCost;
    if (provided !== undefined) {
      f |= F_HAS_PROVIDED;
      a[o + N_PROVIDED] = provided;
    }
    const status = rec.status;
    if (status === 'error') f |= F_STATUS_ERROR;
    else if (status === 'cached') f |= F_STATUS_CACHED;
    if (usage === this.sharedUsage) f |= F_SHARED_USAGE;
    if (costs === this.sharedCosts) f |= F_SHARED_COSTS;
    bucketsToSlots(usage, costs, a, o + N_BUCKETS);
    r[p + R_ID] = rec.id;
    r[p + R_MODEL] = rec.model;
    r[p + R_RESOLVED] = rec.resolvedModel;
    r[p + R_PROVIDER] = rec.provider;
    r[p + R_SOURCE] = rec.source;
    r[p + R_TIER] = rec.tier;
    r[p + R_SESSION] = rec.sessionId;
    r[p + R_USER] = rec.userId;
    r[p + R_TENANT] = rec.tenantId;
    r[p + R_OPERATION] = rec.operation;
    r[p + R_TAGS] = rec.tags;
    const error = rec.error;
    const traceId = rec.traceId;
    const parentId = rec.parentId;
    const service = rec.service;
    const environment = rec.environment;
    const inputText = rec.inputText;
    const outputText = rec.outputText;
    const metadata = rec.metadata;
    if (
      error !== undefined ||
      traceId !== undefined ||
      parentId !== undefined ||
      service !== undefined ||
      environment !== undefined ||
      inputText !== undefined ||
      outputText !== undefined ||
      metadata !== undefined
    ) {
      f |= F_RARE;
      r[p + R_ERROR] = error;
      r[p + R_TRACE] = traceId;
      r[p + R_PARENT] = parentId;
      r[p + R_SERVICE] = service;
      r[p + R_ENVIRONMENT] = environment;
      r[p + R_INPUT_TEXT] = inputText;
      r[p + R_OUTPUT_TEXT] = outputText;
      r[p + R_METADATA] = metadata;
    } else if ((this.flags[slot]! & F_RARE) !== 0) this.clearRare(p);
    this.flags[slot] = f;
  }

  /** Drop the rare references of the slot at `p` (a record without them takes a slot that had them). */
  private clearRare(p: number): void {
    const r = this.refs;
    for (const slot of RARE_SLOTS) r[p + slot] = undefined;
  }

  /** The last `count` records (count ≤ size), oldest first, each a new record. */
  last(count: number): CostRecord[] {
    const out: CostRecord[] = new Array(count);
    const cap = this.limit;
    for (let i = 0; i < count; i++) out[i] = this.at((this.next - count + i + cap * 2) % cap);
    return out;
  }

  /** Forget every record (the arrays are kept; references are dropped). */
  clear(): void {
    this.refs.fill(undefined);
    this.next = 0;
    this.size = 0;
  }

  /** The record of `slot`, built again with its keys in the order the tracker set them. */
  private at(slot: number): CostRecord {
    const f = this.flags[slot]!;
    const r = this.refs;
    const p = slot * REFS;
    if ((f & F_OBJECT) !== 0) return r[p + R_ID] as CostRecord;
    const a = this.nums;
    const o = slot * NUMS;
    const rec: CostRecord = {
      id: r[p + R_ID] as string,
      startTime: a[o + N_START]!,
      endTime: a[o + N_END]!,
      durationMs: a[o + N_DURATION]!,
      model: r[p + R_MODEL] as string,
      resolvedModel: r[p + R_RESOLVED] as string,
      provider: r[p + R_PROVIDER] as string,
      usage: (f & F_SHARED_USAGE) !== 0 ? this.sharedUsage : usageFromSlots(a, o + N_BUCKETS),
      costs: (f & F_SHARED_COSTS) !== 0 ? this.sharedCosts : costsFromSlots(a, o + N_BUCKETS),
      total: a[o + N_TOTAL]!,
      totalPico: a[o + N_PICO]!,
      source: r[p + R_SOURCE] as CostRecord['source'],
      estimated: (f & F_ESTIMATED) !== 0,
      tier: r[p + R_TIER] as string,
      status: (f & F_STATUS_ERROR) !== 0 ? 'error' : (f & F_STATUS_CACHED) !== 0 ? 'cached' : 'success',
    };
    // Attribution in the order `build` sets it, then what the record methods set after it.
    copyFields(rec, r, p, ATTRIBUTION_FIELDS);
    if ((f & F_HAS_FALLBACK) !== 0) rec.fallback = (f & F_FALLBACK) !== 0;
    copyFields(rec, r, p, TRAILING_FIELDS);
    if ((f & F_UNPRICED) !== 0) rec.unpriced = true;
    if ((f & F_HAS_PROVIDED) !== 0) rec.providedCost = a[o + N_PROVIDED]!;
    return rec;
  }

  /** Double the slots (up to the limit); false when there is no memory for them. */
  private grow(): boolean {
    const capacity = Math.min(this.limit, Math.max(FIRST_CAPACITY, this.capacity * 2));
    let nums: Float64Array;
    let flags: Uint16Array;
    try {
      nums = new Float64Array(capacity * NUMS);
      flags = new Uint16Array(capacity);
    } catch {
      return false;
    }
    nums.set(this.nums);
    flags.set(this.flags);
    const refs = this.refs;
    for (let i = refs.length; i < capacity * REFS; i++) refs.push(undefined);
    this.nums = nums;
    this.flags = flags;
    this.capacity = capacity;
    return true;
  }
}
