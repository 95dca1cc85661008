import type { CostRecord } from '../ledger/record.js';
import type { CostBreakdown } from '../pricing/cost-result.js';
import type { TokenUsage } from '../usage/token-usage.js';
import { publicRecord } from './full-record.js';
import { BUCKET_SLOTS, bucketsToSlots, costsFromSlots, usageFromSlots } from './record-fields.generated.js';

/**
 * Numbers of a slot: the times and totals, then every usage and cost bucket (bucketsToSlots). The
 * slots, references and flags below are enums because the build inlines their members: module
 * constants become variables that the JIT loads and checks at each use (`push` stores about forty
 * values; about 7 instructions a use, callgrind).
 */
enum Num {
  START = 0,
  END = 1,
  DURATION = 2,
  TOTAL = 3,
  PICO = 4,
  PROVIDED = 5,
  BUCKETS = 6,
}
const NUMS = Num.BUCKETS + BUCKET_SLOTS;

/** References of a slot: strings, and the record's own tags array and metadata object. */
enum Ref {
  ID = 0,
  MODEL = 1,
  RESOLVED = 2,
  PROVIDER = 3,
  SOURCE = 4,
  TIER = 5,
  ERROR = 6,
  TRACE = 7,
  PARENT = 8,
  SESSION = 9,
  USER = 10,
  TENANT = 11,
  OPERATION = 12,
  SERVICE = 13,
  ENVIRONMENT = 14,
  INPUT_TEXT = 15,
  OUTPUT_TEXT = 16,
  TAGS = 17,
  METADATA = 18,
  /** References a slot has. */
  COUNT = 19,
}

/** Optional reference fields a record's copy sets when present, before its `fallback` flag, in key order. */
const ATTRIBUTION_FIELDS = [
  [Ref.TRACE, 'traceId'],
  [Ref.PARENT, 'parentId'],
  [Ref.SESSION, 'sessionId'],
  [Ref.USER, 'userId'],
  [Ref.TENANT, 'tenantId'],
  [Ref.OPERATION, 'operation'],
  [Ref.SERVICE, 'service'],
  [Ref.ENVIRONMENT, 'environment'],
] as const satisfies readonly (readonly [number, keyof CostRecord])[];

/** The same after the `fallback` flag. */
const TRAILING_FIELDS = [
  [Ref.TAGS, 'tags'],
  [Ref.METADATA, 'metadata'],
  [Ref.INPUT_TEXT, 'inputText'],
  [Ref.OUTPUT_TEXT, 'outputText'],
  [Ref.ERROR, 'error'],
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

/** Flags of a slot. */
enum Flag {
  ESTIMATED = 1,
  UNPRICED = 2,
  HAS_FALLBACK = 4,
  FALLBACK = 8,
  HAS_PROVIDED = 16,
  /** The usage is the tracker's shared frozen empty usage (given back as itself). */
  SHARED_USAGE = 32,
  /** The costs are the tracker's shared frozen zero breakdown (given back as itself). */
  SHARED_COSTS = 64,
  STATUS_ERROR = 128,
  STATUS_CACHED = 256,
  /**
   * The slot holds the record object itself (at `Ref.ID`): a record whose fields could not all be
   * stored (a usage or cost breakdown that is not an object) is given back as it was.
   */
  OBJECT = 512,
  /**
   * The slot holds one of the references most records lack (error, trace, parent, service,
   * environment, texts, metadata): without it they are all undefined, and a record that has none of
   * them writes none (nine stores, each with its write barrier, about 90 instructions, callgrind).
   */
  RARE = 1024,
}
/** The slots of the references {@link Flag.RARE} stands for. */
const RARE_SLOTS = [
  Ref.ERROR,
  Ref.TRACE,
  Ref.PARENT,
  Ref.SERVICE,
  Ref.ENVIRONMENT,
  Ref.INPUT_TEXT,
  Ref.OUTPUT_TEXT,
  Ref.METADATA,
];

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
  /** Per slot: which of its bucket numbers were stored (see `bucketsToSlots`); the others are +0. */
  private masks: Int32Array;
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
    this.refs = new Array<unknown>(this.capacity * Ref.COUNT).fill(undefined);
    this.flags = new Uint16Array(this.capacity);
    this.masks = new Int32Array(this.capacity);
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
    const p = slot * Ref.COUNT;
    if (typeof usage !== 'object' || usage === null || typeof costs !== 'object' || costs === null) {
      // Not a record the tracker made whole (only a malformed adapter result can do this): keep it,
      // with the keys users get.
      this.flags[slot] = Flag.OBJECT;
      r[p + Ref.ID] = publicRecord(rec);
      for (let i = 1; i < Ref.COUNT; i++) r[p + i] = undefined;
      return;
    }
    const a = this.nums;
    const o = slot * NUMS;
    a[o + Num.START] = rec.startTime;
    a[o + Num.END] = rec.endTime;
    a[o + Num.DURATION] = rec.durationMs;
    a[o + Num.TOTAL] = rec.total;
    a[o + Num.PICO] = rec.totalPico;
    let f = rec.estimated ? Flag.ESTIMATED : 0;
    if (rec.unpriced !== undefined) f |= Flag.UNPRICED;
    const fallback = rec.fallback;
    if (fallback !== undefined) f |= fallback ? Flag.HAS_FALLBACK | Flag.FALLBACK : Flag.HAS_FALLBACK;
    const provided = rec.providedCost;
    if (provided !== undefined) {
      f |= Flag.HAS_PROVIDED;
      a[o + Num.PROVIDED] = provided;
    }
    const status = rec.status;
    if (status === 'error') f |= Flag.STATUS_ERROR;
    else if (status === 'cached') f |= Flag.STATUS_CACHED;
    if (usage === this.sharedUsage) f |= Flag.SHARED_USAGE;
    if (costs === this.sharedCosts) f |= Flag.SHARED_COSTS;
    this.masks[slot] = bucketsToSlots(usage, costs, a, o + Num.BUCKETS);
    r[p + Ref.ID] = rec.id;
    r[p + Ref.MODEL] = rec.model;
    r[p + Ref.RESOLVED] = rec.resolvedModel;
    r[p + Ref.PROVIDER] = rec.provider;
    r[p + Ref.SOURCE] = rec.source;
    r[p + Ref.TIER] = rec.tier;
    r[p + Ref.SESSION] = rec.sessionId;
    r[p + Ref.USER] = rec.userId;
    r[p + Ref.TENANT] = rec.tenantId;
    r[p + Ref.OPERATION] = rec.operation;
    r[p + Ref.TAGS] = rec.tags;
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
      f |= Flag.RARE;
      r[p + Ref.ERROR] = error;
      r[p + Ref.TRACE] = traceId;
      r[p + Ref.PARENT] = parentId;
      r[p + Ref.SERVICE] = service;
      r[p + Ref.ENVIRONMENT] = environment;
      r[p + Ref.INPUT_TEXT] = inputText;
      r[p + Ref.OUTPUT_TEXT] = outputText;
      r[p + Ref.METADATA] = metadata;
    } else if ((this.flags[slot]! & Flag.RARE) !== 0) this.clearRare(p);
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
    const p = slot * Ref.COUNT;
    if ((f & Flag.OBJECT) !== 0) return r[p + Ref.ID] as CostRecord;
    const a = this.nums;
    const o = slot * NUMS;
    const rec: CostRecord = {
      id: r[p + Ref.ID] as string,
      startTime: a[o + Num.START]!,
      endTime: a[o + Num.END]!,
      durationMs: a[o + Num.DURATION]!,
      model: r[p + Ref.MODEL] as string,
      resolvedModel: r[p + Ref.RESOLVED] as string,
      provider: r[p + Ref.PROVIDER] as string,
      usage:
        (f & Flag.SHARED_USAGE) !== 0
          ? this.sharedUsage
          : usageFromSlots(a, o + Num.BUCKETS, this.masks[slot]!),
      costs:
        (f & Flag.SHARED_COSTS) !== 0
          ? this.sharedCosts
          : costsFromSlots(a, o + Num.BUCKETS, this.masks[slot]!),
      total: a[o + Num.TOTAL]!,
      totalPico: a[o + Num.PICO]!,
      source: r[p + Ref.SOURCE] as CostRecord['source'],
      estimated: (f & Flag.ESTIMATED) !== 0,
      tier: r[p + Ref.TIER] as string,
      status: (f & Flag.STATUS_ERROR) !== 0 ? 'error' : (f & Flag.STATUS_CACHED) !== 0 ? 'cached' : 'success',
    };
    // Attribution in the order `build` sets it, then what the record methods set after it.
    copyFields(rec, r, p, ATTRIBUTION_FIELDS);
    if ((f & Flag.HAS_FALLBACK) !== 0) rec.fallback = (f & Flag.FALLBACK) !== 0;
    copyFields(rec, r, p, TRAILING_FIELDS);
    if ((f & Flag.UNPRICED) !== 0) rec.unpriced = true;
    if ((f & Flag.HAS_PROVIDED) !== 0) rec.providedCost = a[o + Num.PROVIDED]!;
    return rec;
  }

  /** Double the slots (up to the limit); false when there is no memory for them. */
  private grow(): boolean {
    const capacity = Math.min(this.limit, Math.max(FIRST_CAPACITY, this.capacity * 2));
    let nums: Float64Array;
    let flags: Uint16Array;
    let masks: Int32Array;
    try {
      nums = new Float64Array(capacity * NUMS);
      flags = new Uint16Array(capacity);
      masks = new Int32Array(capacity);
    } catch {
      return false;
    }
    nums.set(this.nums);
    flags.set(this.flags);
    masks.set(this.masks);
    const refs = this.refs;
    for (let i = refs.length; i < capacity * Ref.COUNT; i++) refs.push(undefined);
    this.nums = nums;
    this.flags = flags;
    this.masks = masks;
    this.capacity = capacity;
    return true;
  }
}
