import { LangfuseCostError } from '../errors.js';
import { getLogger, warnOnce } from '../logger.js';
import { type CostBreakdown, type CostResult, emptyCosts } from '../pricing/cost-result.js';
import { usdToPico } from '../pricing/money.js';
import { emptyUsage, normalizeUsage, type TokenUsage, totalTokens } from '../usage/token-usage.js';
import {
  CallSample,
  CostAggregate,
  type CostSummary,
  STATUS_CACHED,
  STATUS_ERROR,
  STATUS_SUCCESS,
} from './aggregate.js';
import {
  type BudgetAlert,
  type BudgetConfig,
  type BudgetKeys,
  BudgetManager,
  type BudgetStatus,
} from './budgets.js';
import { ZonedCalendar } from './calendar.js';
import { TypedEmitter } from './emitter.js';
import { type CsvOptions, type ExportFormat, formatExport } from './export.js';
import { GROUP_DIMENSIONS, type GroupDimension, NONE_KEY, OTHER_KEY } from './groups.js';
import { type LedgerLineOptions, toLedgerLine } from './ledger-line.js';
import type { Attribution, CostRecord, FailureInput, RecordContext } from './record.js';
import type { CostSink } from './sink.js';
import { type CallKeys, type StatsWindow, WindowAggregates } from './windows.js';

/** Options of {@link CostTracker}. */
export interface CostTrackerOptions {
  /** Where records go besides the aggregates (e.g. `JsonlLedgerSink`, `LogSink`). */
  sinks?: CostSink[];
  /** Spend limits with warning/critical thresholds. */
  budgets?: BudgetConfig;
  /** Refuse calls (`checkBudget` throws `BudgetExceededError`) once a hard limit is reached. */
  enforce?: boolean;
  /** IANA time zone of calendar days and months (budgets and `calendarDay`/`calendarMonth`), default `UTC`. */
  timeZone?: string;
  /** Records kept for `recent()` and `export()`, default 1000. */
  recentLimit?: number;
  /** Keep prompt and completion text on records (default false: text is dropped). */
  storeText?: boolean;
  /** Attribution merged into every record (the call's own values win; tags and metadata are merged). */
  defaults?: Attribution;
  /** Clock, epoch ms (default `Date.now`). Windows and budget periods follow this clock. */
  now?: () => number;
  /** Dimensions to keep group tables for (default all). Fewer dimensions make `record` cheaper. */
  dimensions?: GroupDimension[];
  /**
   * Most groups per dimension and window (default 1000). Past twice this the lowest-spending groups
   * are folded into `(other)`; totals stay exact, and a folded group that comes back starts from zero.
   */
  maxGroups?: number;
  /**
   * Most group entries held by the ring buckets (1 s, 1 min, 15 min) together (default 20,000). When
   * spent, the oldest finished buckets fold their groups into `(other)`: rolling `hour`/`day` stats lose
   * per-group detail first, totals never change, and `all`/calendar groups are unaffected.
   */
  maxWindowGroupEntries?: number;
  /** Most session/user/tenant keys whose budget spend is remembered, per scope (default 10,000, LRU). */
  budgetKeyLimit?: number;
  /** Options of ledger lines made by `export()`. */
  ledger?: LedgerLineOptions;
}

/** Options of `stats()`. */
export interface StatsOptions {
  /** Break the totals down by this dimension. */
  groupBy?: GroupDimension;
  /** Time window (default `all`). */
  window?: StatsWindow;
  /** Most groups to return (default `maxGroups`); the rest are summed into `(other)`. */
  limit?: number;
}

/** Totals of one group. */
export interface GroupStats extends CostSummary {
  /** Group key; `(none)` for calls without a value, `(other)` for folded groups. */
  key: string;
}

/** Result of `stats()`. */
export interface CostStats extends CostSummary {
  /** The window. */
  window: StatsWindow;
  /** First instant covered, epoch ms (null for `all`). */
  from: number | null;
  /** Time of the query, epoch ms (tracker clock). */
  to: number;
  /** Calendar period label for calendar windows (`YYYY-MM-DD` or `YYYY-MM`). */
  period?: string;
  /** Time zone of calendar windows. */
  timeZone: string;
  /** Dimension of `groups`. */
  groupBy?: GroupDimension;
  /** Groups, most expensive first (`(other)` last). Tags: a call counts once per tag. */
  groups?: GroupStats[];
}

/** Options of `tracker.export()`. */
export interface TrackerExportOptions {
  /** Output format. */
  format: ExportFormat;
  /** Only records that started at or after this time. */
  from?: Date | number | string;
  /** Only records that started before this time. */
  to?: Date | number | string;
  /** CSV options. */
  csv?: CsvOptions;
}

/** Events of a {@link CostTracker}. */
export interface TrackerEvents {
  /** A budget threshold was crossed (once per threshold per period). */
  budget: (alert: BudgetAlert) => void;
  /** A call was recorded. */
  record: (record: CostRecord) => void;
  /** Index signature required by the emitter. */
  [event: string]: (...args: any[]) => void;
}

const ZERO_COSTS: CostBreakdown = Object.freeze(emptyCosts()) as CostBreakdown;

const EMPTY_USAGE: TokenUsage = Object.freeze(emptyUsage()) as TokenUsage;

/** Most records queued for the window aggregates before `record` adds them itself. */
const MAX_PENDING = 4096;

const EMPTY_CTX: RecordContext = Object.freeze({});

const MAX_TAGS = 16;
const NO_TAGS: readonly string[] = Object.freeze([]);

/** Tags without duplicates, at most MAX_TAGS; the input itself when already so (no allocation). */
function distinctTags(tags: readonly string[]): readonly string[] {
  const n = tags.length;
  if (n <= 1) return tags;
  if (n <= MAX_TAGS) {
    let dup = false;
    for (let i = 1; i < n && !dup; i++) for (let j = 0; j < i; j++) if (tags[i] === tags[j]) dup = true;
    if (!dup) return tags;
  }
  return [...new Set(tags)].slice(0, MAX_TAGS);
}
const MAX_ERROR_LENGTH = 2000;

function toMs(v: number | Date | string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : v.getTime();
  return Number.isFinite(n) ? n : undefined;
}

function randomPrefix(): string {
  const bytes = new Uint8Array(8);
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < 8; i++) bytes[i] = Math.floor(Math.random() * 256);
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

function errorMessage(err: unknown): string {
  let m: string;
  if (err instanceof Error) m = err.message || err.name;
  else if (typeof err === 'string') m = err;
  else {
    try {
      m = JSON.stringify(err) ?? String(err);
    } catch {
      m = String(err);
    }
  }
  return m.length > MAX_ERROR_LENGTH ? `${m.slice(0, MAX_ERROR_LENGTH)}…` : m;
}

/**
 * Running cost totals, budgets and alerts for LLM calls, with bounded memory.
 *
 * `record` folds each call into aggregates (exact pico-USD sums, tokens per bucket, a log histogram
 * for percentiles) for every window and group dimension, checks budgets, keeps a bounded window of
 * recent records, and hands the record to the sinks (which buffer; no I/O on the call path).
 *
 * @example
 * ```ts
 * const tracker = new CostTracker({ budgets: { daily: { limit: 5 } }, timeZone: 'Europe/Berlin' });
 * tracker.on('budget', (a) => console.warn(`${a.scope} budget ${a.level}: $${a.spent} of $${a.limit}`));
 * tracker.record(costResult, { sessionId: 's1', userId: 'u1' });
 * tracker.stats({ groupBy: 'model', window: 'calendarDay' });
 * ```
 */
export class CostTracker {
  private readonly emitter = new TypedEmitter<TrackerEvents>();
  private readonly sinks: CostSink[];
  private readonly budgets: BudgetManager;
  private readonly windows: WindowAggregates;
  private readonly calendar: ZonedCalendar;
  private readonly clock: () => number;
  private readonly defaults: Attribution | undefined;
  private readonly storeText: boolean;
  private readonly recentLimit: number;
  private readonly maxGroups: number;
  private readonly ledgerOptions: LedgerLineOptions;
  private ring: (CostRecord | undefined)[];
  private ringNext = 0;
  private ringSize = 0;
  private last = Number.NEGATIVE_INFINITY;
  private readonly idPrefix = `${randomPrefix()}-`;
  private seq = 0;
  private readonly sample = new CallSample();
  /** Records not yet in the window aggregates (see `ingest`), with their times. */
  private pending: CostRecord[] = [];
  private pendingAt: number[] = [];
  private aggregateQueued = false;
  private readonly aggregateSoon = () => {
    this.aggregateQueued = false;
    this.aggregatePending();
  };
  private readonly keys: CallKeys = { keys: ['', '', '', '', '', ''], tags: [] };
  /** True when calls are refused once a hard limit is reached. */
  readonly enforce: boolean;

  /** @throws {LangfuseCostError} for an unknown time zone or invalid budgets. */
  constructor(options: CostTrackerOptions = {}) {
    this.sinks = [...(options.sinks ?? [])];
    this.clock = options.now ?? Date.now;
    this.calendar = new ZonedCalendar(options.timeZone ?? 'UTC');
    this.enforce = options.enforce === true;
    this.defaults =
      options.defaults && Object.keys(options.defaults).length > 0 ? options.defaults : undefined;
    this.storeText = options.storeText === true;
    this.recentLimit = Math.max(0, Math.floor(options.recentLimit ?? 1000));
    this.ring = new Array(this.recentLimit);
    this.maxGroups = Math.max(1, Math.floor(options.maxGroups ?? 1000));
    this.ledgerOptions = options.ledger ?? {};
    this.windows = new WindowAggregates({
      dimensions: options.dimensions ?? GROUP_DIMENSIONS,
      maxGroups: this.maxGroups,
      maxWindowGroupEntries: Math.max(0, Math.floor(options.maxWindowGroupEntries ?? 20_000)),
      calendar: this.calendar,
    });
    this.budgets = new BudgetManager(
      options.budgets,
      this.calendar,
      Math.max(1, Math.floor(options.budgetKeyLimit ?? 10_000)),
      (alert) => this.emitter.emit('budget', alert),
    );
  }

  /** IANA time zone of calendar periods. */
  get timeZone(): string {
    return this.calendar.timeZone;
  }

  /** Listen to `budget` alerts or `record` events. Returns a function that removes the listener. */
  on<K extends keyof TrackerEvents & string>(event: K, listener: TrackerEvents[K]): () => void {
    return this.emitter.on(event, listener);
  }

  /** Listen once. */
  once<K extends keyof TrackerEvents & string>(event: K, listener: TrackerEvents[K]): () => void {
    return this.emitter.once(event, listener);
  }

  /** Remove a listener. */
  off<K extends keyof TrackerEvents & string>(event: K, listener: TrackerEvents[K]): void {
    this.emitter.off(event, listener);
  }

  /** Add a sink. */
  addSink(sink: CostSink): void {
    this.sinks.push(sink);
  }

  /** Remove a sink (it is not closed). */
  removeSink(sink: CostSink): void {
    const i = this.sinks.indexOf(sink);
    if (i >= 0) this.sinks.splice(i, 1);
  }

  /**
   * Record a priced call. Never throws because of sinks or listeners (they are logged).
   * With `ctx.cached`, the call is recorded as a cache hit with cost 0.
   */
  record(result: CostResult, ctx?: RecordContext): CostRecord {
    const t = this.tick();
    const cached = ctx?.cached === true;
    const rec = this.build(result.model, result.provider, ctx, t, cached ? 'cached' : 'success');
    rec.resolvedModel = result.resolvedModel;
    rec.usage = result.usage;
    rec.source = result.source;
    rec.estimated = result.estimated;
    rec.tier = result.tier;
    if (!cached) {
      rec.costs = result.costs;
      rec.total = result.total;
      rec.totalPico = result.totalPico;
    }
    const provided = ctx?.providedCost ?? result.providedCost;
    if (provided !== undefined) rec.providedCost = provided;
    this.ingest(rec, t);
    return rec;
  }

  /**
   * Record a failed call (status `error`). With `failure.result` its cost counts; a failure that
   * billed tokens without a result is unpriced; one without usage costs 0.
   */
  recordFailure(failure: FailureInput, ctx?: RecordContext): CostRecord {
    const t = this.tick();
    const r = failure.result;
    const rec = this.build(failure.model, failure.provider ?? r?.provider ?? '', ctx, t, 'error');
    rec.error = errorMessage(failure.error);
    if (r !== undefined) {
      rec.resolvedModel = r.resolvedModel;
      rec.usage = r.usage;
      rec.costs = r.costs;
      rec.total = r.total;
      rec.totalPico = r.totalPico;
      rec.source = r.source;
      rec.estimated = r.estimated;
      rec.tier = r.tier;
    } else {
      rec.usage = this.safeUsage(failure.usage, failure.model);
      if (totalTokens(rec.usage) > 0) rec.unpriced = true;
    }
    if (ctx?.providedCost !== undefined) rec.providedCost = ctx.providedCost;
    this.ingest(rec, t);
    return rec;
  }

  /**
   * Record a call whose model has no price: counted in `requests` and tokens and as `unpriced`,
   * never as a silent $0 (the ledger writes `total_cost: null`). Warns once per model.
   */
  recordUnpriced(
    model: string,
    provider: string | undefined,
    usage: Partial<TokenUsage>,
    ctx?: RecordContext,
  ): CostRecord {
    warnOnce(
      `unpriced:${provider ?? ''}:${model}`,
      `no price for model "${model}"${provider ? ` (provider ${provider})` : ''}: its calls are counted as unpriced. ` +
        'Add a price with catalog.override(…) or a price file (LANGFUSE_COST_PRICES), or set a fallback price.',
    );
    const t = this.tick();
    const rec = this.build(model, provider ?? '', ctx, t, ctx?.cached ? 'cached' : 'success');
    rec.usage = this.safeUsage(usage, model);
    rec.unpriced = true;
    if (ctx?.providedCost !== undefined) rec.providedCost = ctx.providedCost;
    this.ingest(rec, t);
    return rec;
  }

  /**
   * Refuse a call that would start over a hard limit: with `enforce`, throws `BudgetExceededError`
   * when the daily or monthly limit, or the limit of the call's session, user or tenant, is reached.
   * Does nothing without `enforce`.
   * @throws {BudgetExceededError}
   */
  checkBudget(attr?: Attribution): void {
    if (!this.enforce || !this.budgets.active) return;
    this.budgets.check(this.budgetKeys(attr), this.tick());
  }

  /**
   * Spend against every configured limit. With `attr`, scoped budgets show that session, user or
   * tenant only; without, every key held (most used first).
   */
  budgetStatus(attr?: Attribution): BudgetStatus[] {
    return this.budgets.status(this.tick(), attr === undefined ? undefined : this.budgetKeys(attr));
  }

  /**
   * Totals for a window, optionally grouped.
   * @throws {LangfuseCostError} `STATS_UNAVAILABLE` when grouping by a dimension left out of `dimensions`.
   */
  stats(options: StatsOptions = {}): CostStats {
    const window = options.window ?? 'all';
    const t = this.tick();
    this.aggregatePending();
    const slice = this.windows.collect(window, t);
    const sets = slice.sets;
    let total: CostAggregate;
    if (sets.length === 1) total = sets[0]!.total;
    else {
      total = new CostAggregate();
      for (const s of sets) total.merge(s.total);
    }
    const out: CostStats = {
      window,
      from: slice.from,
      to: t,
      ...(slice.period !== undefined ? { period: slice.period } : {}),
      timeZone: this.calendar.timeZone,
      ...total.summary(),
    };
    const by = options.groupBy;
    if (by === undefined) return out;
    const d = GROUP_DIMENSIONS.indexOf(by);
    if (d < 0 || !this.windows.hasDimension(by)) {
      throw new LangfuseCostError(
        'STATS_UNAVAILABLE',
        `grouping by "${by}" is not maintained by this tracker: add it to the \`dimensions\` option`,
      );
    }
    let groups: Map<string, CostAggregate>;
    let other: CostAggregate | null = null;
    if (sets.length === 1) {
      const table = sets[0]!.tables[d];
      groups = table?.map ?? new Map();
      other = table?.other ?? null;
    } else {
      groups = new Map();
      for (const s of sets) {
        const table = s.tables[d];
        if (!table) continue;
        for (const [k, a] of table.map) {
          let m = groups.get(k);
          if (!m) {
            m = new CostAggregate();
            groups.set(k, m);
          }
          m.merge(a);
        }
        if (table.other) {
          other ??= new CostAggregate();
          other.merge(table.other);
        }
      }
    }
    const sorted = [...groups.entries()].sort(
      (a, b) =>
        b[1].approxPico() - a[1].approxPico() || b[1].requests - a[1].requests || (a[0] < b[0] ? -1 : 1),
    );
    const limit = Math.max(1, Math.floor(options.limit ?? this.maxGroups));
    if (sorted.length > limit) {
      const folded = new CostAggregate();
      if (other) folded.merge(other);
      for (let i = limit; i < sorted.length; i++) folded.merge(sorted[i]![1]);
      other = folded;
      sorted.length = limit;
    }
    out.groupBy = by;
    out.groups = sorted.map(([key, a]) => ({ key, ...a.summary() }));
    if (other && other.requests > 0) out.groups.push({ key: OTHER_KEY, ...other.summary() });
    return out;
  }

  /** The last `n` records (default all kept), oldest first. */
  recent(n = this.recentLimit): CostRecord[] {
    const count = Math.min(Math.max(0, Math.floor(n)), this.ringSize);
    const out: CostRecord[] = new Array(count);
    const size = this.recentLimit;
    for (let i = 0; i < count; i++) {
      out[i] = this.ring[(this.ringNext - count + i + size * 2) % size]!;
    }
    return out;
  }

  /**
   * Export the recent records (the bounded `recent()` window; export the ledger for full history)
   * as JSON, CSV or JSON Lines, in the ledger line format.
   */
  export(options: TrackerExportOptions): string {
    const from = toMs(options.from) ?? Number.NEGATIVE_INFINITY;
    const to = toMs(options.to) ?? Number.POSITIVE_INFINITY;
    const lines = this.recent()
      .filter((r) => r.startTime >= from && r.startTime < to)
      .map((r) => toLedgerLine(r, this.ledgerOptions));
    return formatExport(lines, options.format, options.csv);
  }

  /** Flush every sink. Errors are logged. */
  async flush(): Promise<void> {
    await Promise.all(
      this.sinks.map(async (s) => {
        try {
          await s.flush?.();
        } catch (err) {
          getLogger().error(`cost sink flush failed: ${(err as Error)?.message ?? String(err)}`);
        }
      }),
    );
  }

  /** Flush and close every sink. */
  async close(): Promise<void> {
    await this.flush();
    await Promise.all(
      this.sinks.map(async (s) => {
        try {
          await s.close?.();
        } catch (err) {
          getLogger().error(`cost sink close failed: ${(err as Error)?.message ?? String(err)}`);
        }
      }),
    );
  }

  /** Forget all totals, budget spend and recent records (sinks and listeners stay). */
  reset(): void {
    this.pending = [];
    this.pendingAt = [];
    this.windows.clear();
    this.budgets.clear();
    this.ring = new Array(this.recentLimit);
    this.ringNext = 0;
    this.ringSize = 0;
  }

  private tick(): number {
    const n = this.clock();
    if (n > this.last) this.last = n;
    return this.last;
  }

  private budgetKeys(attr: Attribution | undefined): BudgetKeys {
    const d = this.defaults;
    return {
      sessionId: attr?.sessionId ?? d?.sessionId,
      userId: attr?.userId ?? d?.userId,
      tenantId: attr?.tenantId ?? d?.tenantId,
    };
  }

  private safeUsage(usage: Partial<TokenUsage> | undefined, model: string): TokenUsage {
    if (usage === undefined) return emptyUsage();
    try {
      return normalizeUsage(usage);
    } catch (err) {
      warnOnce(`bad-usage:${model}`, `ignoring invalid usage of "${model}": ${(err as Error).message}`);
      return emptyUsage();
    }
  }

  /** A record with times, id and attribution; cost fields zero until the caller fills them. */
  private build(
    model: string,
    provider: string,
    ctx: RecordContext | undefined,
    now: number,
    status: CostRecord['status'],
  ): CostRecord {
    const end = toMs(ctx?.endTime) ?? now;
    const start0 = toMs(ctx?.startTime);
    const duration = ctx?.durationMs ?? (start0 !== undefined ? end - start0 : 0);
    const start = start0 ?? end - duration;
    const rec: CostRecord = {
      id: ctx?.spanId ?? this.defaults?.spanId ?? this.idPrefix + (++this.seq).toString(36),
      startTime: start,
      endTime: end,
      durationMs: duration,
      model,
      resolvedModel: model,
      provider,
      usage: EMPTY_USAGE,
      costs: ZERO_COSTS,
      total: 0,
      totalPico: 0,
      source: 'none',
      estimated: false,
      tier: 'standard',
      status,
    };
    const d = this.defaults;
    if (ctx === undefined && d === undefined) return rec;
    const c: RecordContext = ctx ?? EMPTY_CTX;
    const traceId = c.traceId ?? d?.traceId;
    if (traceId !== undefined) rec.traceId = traceId;
    const parentId = c.parentId ?? d?.parentId;
    if (parentId !== undefined) rec.parentId = parentId;
    const sessionId = c.sessionId ?? d?.sessionId;
    if (sessionId !== undefined) rec.sessionId = sessionId;
    const userId = c.userId ?? d?.userId;
    if (userId !== undefined) rec.userId = userId;
    const tenantId = c.tenantId ?? d?.tenantId;
    if (tenantId !== undefined) rec.tenantId = tenantId;
    const operation = c.operation ?? d?.operation;
    if (operation !== undefined) rec.operation = operation;
    const service = c.service ?? d?.service;
    if (service !== undefined) rec.service = service;
    const environment = c.environment ?? d?.environment;
    if (environment !== undefined) rec.environment = environment;
    const fallback = c.fallback ?? d?.fallback;
    if (fallback !== undefined) rec.fallback = fallback;
    const tags = d?.tags && c.tags ? [...new Set([...d.tags, ...c.tags])] : (c.tags ?? d?.tags);
    if (tags !== undefined && tags.length > 0) rec.tags = tags;
    const metadata =
      d?.metadata && c.metadata ? { ...d.metadata, ...c.metadata } : (c.metadata ?? d?.metadata);
    if (metadata !== undefined) rec.metadata = metadata;
    if (this.storeText) {
      if (c.inputText !== undefined) rec.inputText = c.inputText;
      if (c.outputText !== undefined) rec.outputText = c.outputText;
    }
    return rec;
  }

  /** Add the queued records to the window aggregates, in order. */
  private aggregatePending(): void {
    const recs = this.pending;
    const times = this.pendingAt;
    if (recs.length === 0) return;
    this.pending = [];
    this.pendingAt = [];
    for (let i = 0; i < recs.length; i++) {
      const rec = recs[i]!;
      try {
        const s = this.sample;
        const priced = rec.unpriced !== true;
        s.set(
          priced ? rec.totalPico : 0,
          rec.status === 'error' ? STATUS_ERROR : rec.status === 'cached' ? STATUS_CACHED : STATUS_SUCCESS,
          priced,
          rec.estimated,
          rec.providedCost !== undefined && rec.providedCost >= 0 ? usdToPico(rec.providedCost) : -1,
          rec.usage,
        );
        const k = this.keys.keys;
        k[0] = rec.model || NONE_KEY;
        k[1] = rec.provider || NONE_KEY;
        k[2] = rec.sessionId || NONE_KEY;
        k[3] = rec.userId || NONE_KEY;
        k[4] = rec.tenantId || NONE_KEY;
        k[5] = rec.operation || NONE_KEY;
        this.keys.tags = rec.tags === undefined ? NO_TAGS : distinctTags(rec.tags);
        this.windows.add(times[i]!, s, this.keys);
      } catch (err) {
        // A malformed result (e.g. usage missing) is left out of the totals, with a warning.
        warnOnce(
          `aggregate:${(err as Error)?.message}`,
          `cost tracker could not aggregate a record of "${rec.model}": ${(err as Error)?.message ?? String(err)}`,
        );
      }
    }
  }

  private ingest(rec: CostRecord, t: number): void {
    try {
      // Budgets are kept at once (alerts fire and enforcement sees the spend on this call); the
      // window aggregates are brought up to date right after the caller's code (a microtask), or
      // whenever they are read — the call path only queues the record.
      if (this.budgets.active && rec.unpriced !== true) this.budgets.add(rec.totalPico, rec, t, rec.id);
      const n = this.pending.push(rec);
      this.pendingAt.push(t);
      if (n >= MAX_PENDING) this.aggregatePending();
      else if (!this.aggregateQueued) {
        this.aggregateQueued = true;
        queueMicrotask(this.aggregateSoon);
      }
    } catch (err) {
      // A malformed result must not break the caller's LLM call.
      warnOnce(
        `aggregate:${(err as Error)?.message}`,
        `cost tracker could not aggregate a record of "${rec.model}": ${(err as Error)?.message ?? String(err)}`,
      );
    }
    if (this.recentLimit > 0) {
      this.ring[this.ringNext] = rec;
      this.ringNext = (this.ringNext + 1) % this.recentLimit;
      if (this.ringSize < this.recentLimit) this.ringSize++;
    }
    if (this.emitter.listenerCount('record') > 0) this.emitter.emit('record', rec);
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) {
      try {
        sinks[i]!.write(rec);
      } catch (err) {
        warnOnce(
          `sink-write:${i}`,
          `cost sink ${sinks[i]!.constructor?.name ?? i} failed to take a record: ${(err as Error)?.message ?? String(err)}`,
        );
      }
    }
  }
}
