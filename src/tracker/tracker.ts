import {
  closedError,
  describeValue,
  InvalidArgumentError,
  InvalidRecordError,
  LangfuseCostError,
} from '../errors.js';
import { type CsvOptions, type ExportFormat, formatExport } from '../ledger/export.js';
import { type LedgerLineOptions, toLedgerLine } from '../ledger/line.js';
import type { Attribution, CostRecord, FailureInput, RecordContext } from '../ledger/record.js';
import { describeError, ERROR_DETAILS, type ErrorDetail } from '../ledger/redact.js';
import { getLogger, type Logger, WarnOnce } from '../logger.js';
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
import type { BudgetStore } from './budget-store.js';
import {
  type BudgetAlert,
  type BudgetConfig,
  type BudgetKeys,
  BudgetManager,
  type BudgetStatus,
} from './budgets.js';
import { ZonedCalendar } from './calendar.js';
import { TypedEmitter } from './emitter.js';
import { type FullRecord, publicRecord } from './full-record.js';
import { DEFAULT_ENVIRONMENT, GROUP_DIMENSIONS, type GroupDimension, NONE_KEY, OTHER_KEY } from './groups.js';
import {
  type CheckedResult,
  checkAttribution,
  duration as checkDuration,
  checkMetadata,
  checkResult,
  checkTags,
  checkUsage,
  contextFlags,
  MAX_RECORD_TIME,
  optBool,
  optText,
  text,
  time,
} from './record-guard.js';
import { RecordRing } from './record-ring.js';
import { type CostSink, type CostSinkHealth, RECORD_BATCH, type TrackedRecordSink } from './sink.js';
import { type CallKeys, STATS_WINDOWS, type StatsWindow, WindowAggregates } from './windows.js';

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
  /**
   * How much of a failed call's error is stored (record `error`, ledger `status_message`, exports):
   * `'redacted'` (default) keeps the message with API keys, tokens, credentials in URLs and quoted
   * text (where providers echo prompts) removed, cut to `MAX_ERROR_TEXT` (200) characters;
   * `'status-only'` keeps only the error class and HTTP status, e.g. `BadRequestError (HTTP 400)`.
   * See `redactErrorText`.
   */
  errorDetail?: ErrorDetail;
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
  /**
   * Where budget spend is kept and threshold crossings decided (default: this process). A shared
   * store such as `redisBudgetStore` (`langfuse-cost/fleet`) makes replicas count against the same
   * budgets; see docs/fleet.md. A store serves one tracker.
   */
  budgetStore?: BudgetStore;
  /** Options of ledger lines made by `export()`. */
  ledger?: LedgerLineOptions;
  /**
   * Where the tracker's warnings go (unpriced models, invalid failure usage, failing sinks).
   * Default: the library logger (`setLogger`). The LangChain handler and the span processor send
   * the warnings of the calls they record to their own `logger` option instead (see `recordUnpriced`).
   */
  logger?: Logger;
}

/** Counters of `tracker.health()`. */
export interface TrackerHealth {
  /** Calls recorded since the tracker was made (or `reset()`). */
  recorded: number;
  /**
   * Calls rejected by `record`, `recordUnpriced` or `recordFailure` with an `InvalidRecordError`
   * (`INVALID_RECORD`) and left out of every total, budget and sink.
   */
  rejected: number;
  /** The last rejection: the bad field's path and the message, with the tracker time (epoch ms). */
  lastRejection?: { path: string; message: string; time: number };
  /**
   * Each sink that reports its health (the JSONL ledger does), in the order they were added: what it
   * wrote, has queued and dropped, and its last write error. `name` is the sink's class name.
   */
  sinks: { name: string; health: CostSinkHealth }[];
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

const BASE36_DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';
/** The radix of a generated id's sequence number: one character of BASE36_DIGITS a digit. */
const ID_DIGITS = BASE36_DIGITS.length;
/** Each base-36 digit as a one-character string. */
const ID_DIGIT_TEXT: readonly string[] = Array.from(BASE36_DIGITS);
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

/** A time filter of `export()`: epoch ms, a Date or an ISO string (anything else is an error). */
function toMs(v: unknown, path: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n =
    typeof v === 'number'
      ? v
      : typeof v === 'string'
        ? Date.parse(v)
        : v instanceof Date
          ? Date.prototype.getTime.call(v)
          : Number.NaN;
  if (Number.isNaN(n)) {
    throw new InvalidArgumentError(path, `expected epoch ms, a Date or an ISO time, got ${describeValue(v)}`);
  }
  return n;
}

/**
 * Run a read-only public method: a LangfuseCostError passes; anything else (a getter or Proxy trap
 * in the arguments that throws) becomes an `InvalidArgumentError` naming the argument.
 */
function guarded<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof LangfuseCostError) throw err;
    throw new InvalidArgumentError(path, `could not be read: ${safeMessage(err)}`, { cause: err });
  }
}

/** Options of `recordUnpriced` and `recordFailure`. */
export interface RecordUnpricedOptions {
  /**
   * Where the call's warnings go ("no price for model", an ignored invalid usage; default: the
   * tracker's `logger`). The adapters pass their own `logger` option.
   */
  logger?: Logger;
}

/** The message of any thrown value, read without trusting it. */
function safeMessage(err: unknown): string {
  try {
    const m = err instanceof Error ? err.message : undefined;
    return typeof m === 'string' ? m.slice(0, 500) : describeValue(err);
  } catch {
    return 'unreadable error';
  }
}

/** `s` as V8 keeps a property key: the one internalized string of its text. */
function internalized(s: string): string {
  return Object.keys({ [s]: 0 })[0]!;
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

/** The stored text of a failed call's error: redacted and cut, or class and status only (never throws). */
function errorMessage(err: unknown, detail: ErrorDetail): string {
  return describeError(err, detail);
}

/**
 * @internal Record a `priceCall` result that no one else holds (see `CostTracker.recordOwned`):
 * `recordOutcome` uses it for the adapters' own results when the recorder is a `CostTracker`.
 * Without `want`, the record users get is made only if a listener or a sink of the user's takes it
 * (an adapter that hands none out saves making it), and may be undefined.
 * @throws {InvalidRecordError} for a context `record` would refuse.
 */
export function recordOwnedResult(
  tracker: CostTracker,
  result: CostResult,
  ctx: RecordContext,
  want = true,
): CostRecord | undefined {
  return tracker['recordOwned'](result, ctx, want);
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
  /** Listeners of `record` (kept by the emitter), so `ingest` tests a field, not the emitter's Map. */
  private recordListeners = 0;
  private readonly emitter = new TypedEmitter<TrackerEvents>((event, count) => {
    if (event === 'record') this.recordListeners = count;
  });
  private readonly sinks: CostSink[];
  private readonly budgets: BudgetManager;
  private readonly windows: WindowAggregates;
  private readonly calendar: ZonedCalendar;
  private readonly clock: () => number;
  private readonly defaults: Attribution | undefined;
  private readonly storeText: boolean;
  private readonly errorDetail: ErrorDetail;
  private readonly recentLimit: number;
  private readonly maxGroups: number;
  private readonly ledgerOptions: LedgerLineOptions;
  /** The records `recent()` and `export()` give back, as copies (see RecordRing). */
  private readonly ring: RecordRing;
  private last = Number.NEGATIVE_INFINITY;
  /**
   * The generated ids' prefix, internalized (made a property key's string): the JSONL sink compares
   * it with the one it holds on every record, and two internalized strings compare by reference,
   * where two others of one length call a builtin (about 35 instructions, callgrind). Made with the
   * first generated id: the adapters' records carry ids of their own, and a process's first use of
   * `crypto` costs 5–14 ms (Node loads its Web Crypto), which the first tracked call paid.
   */
  private idPrefix = '';
  /** Sequence number of the last generated record id. */
  private seq = 0;
  /** The generated ids' text before their last base-36 digit, made once per 36 ids (see `nextId`). */
  private idHead = '';
  /** The last generated id, handed to the sinks that write it from its parts (see `TrackedRecordSink`). */
  private lastId: string | undefined;
  private readonly sample = new CallSample();
  /**
   * Records not yet in the window aggregates (see `ingest`), with their times: the first
   * `pendingCount` entries. The arrays keep their length (a drain clears the record references, so
   * the records still die young): `length = 0` gave back V8's backing store, and every drain's
   * records then grew it again from nothing (about 85 instructions a record, callgrind).
   */
  private pending: (FullRecord | undefined)[] = [];
  private pendingAt: number[] = [];
  private pendingCount = 0;
  /**
   * The arrays of the last drain, cleared, for the next one. A new `[]` each drain began as an array
   * of small integers that the first store turned into one of objects (or doubles): V8 then ran every
   * store through its generic builtin (about 400 instructions a record, callgrind). Null while a drain
   * holds them (a drain started from inside another, by a logger, makes new ones).
   */
  private sparePending: (FullRecord | undefined)[] | null = [];
  private sparePendingAt: number[] | null = [];
  private aggregateQueued = false;
  private readonly aggregateSoon = () => {
    this.aggregateQueued = false;
    this.aggregatePending();
  };
  private readonly keys: CallKeys = { keys: ['', '', '', '', '', '', ''], tags: [] };
  private readonly logger: Logger | undefined;
  private readonly warnings = new WarnOnce();
  private recordedCount = 0;
  private rejectedCount = 0;
  private lastRejection: TrackerHealth['lastRejection'];
  /** True when calls are refused once a hard limit is reached. */
  readonly enforce: boolean;

  /**
   * @throws {LangfuseCostError} for an unknown time zone or invalid budgets; `INVALID_ARGUMENT` for
   * options of the wrong type (a `now` that is not a function, `defaults` that are not attribution).
   */
  constructor(options: CostTrackerOptions = {}) {
    try {
      if (options === null || typeof options !== 'object') {
        throw new InvalidArgumentError('options', `expected an object, got ${describeValue(options)}`);
      }
      if (options.now !== undefined && typeof options.now !== 'function') {
        throw new InvalidArgumentError(
          'options.now',
          `expected a function, got ${describeValue(options.now)}`,
        );
      }
      if (options.logger !== undefined && typeof options.logger?.warn !== 'function') {
        throw new InvalidArgumentError('options.logger', 'expected a logger with a warn method');
      }
      if (options.sinks !== undefined && !Array.isArray(options.sinks)) {
        throw new InvalidArgumentError(
          'options.sinks',
          `expected an array, got ${describeValue(options.sinks)}`,
        );
      }
      this.sinks = [...(options.sinks ?? [])];
      this.clock = options.now ?? Date.now;
      this.calendar = new ZonedCalendar(options.timeZone ?? 'UTC');
      this.enforce = options.enforce === true;
      this.logger = options.logger;
      let defaults: Attribution | undefined;
      if (options.defaults !== undefined) {
        try {
          defaults = checkAttribution(options.defaults, 'options.defaults');
        } catch (err) {
          throw new InvalidArgumentError('options.defaults', safeMessage(err), { cause: err });
        }
      }
      this.defaults = defaults && Object.values(defaults).some((v) => v !== undefined) ? defaults : undefined;
      this.storeText = options.storeText === true;
      const detail = options.errorDetail ?? 'redacted';
      if (!ERROR_DETAILS.includes(detail)) {
        throw new InvalidArgumentError(
          'options.errorDetail',
          `expected ${ERROR_DETAILS.map((d) => `'${d}'`).join(' or ')}, got ${describeValue(detail)}`,
        );
      }
      this.errorDetail = detail;
      this.recentLimit = Math.max(0, Math.floor(options.recentLimit ?? 1000));
      this.ring = new RecordRing(this.recentLimit, EMPTY_USAGE, ZERO_COSTS);
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
        options.budgetStore,
        options.logger,
      );
    } catch (err) {
      throw closedError(err, 'CostTracker');
    }
  }

  /** IANA time zone of calendar periods. */
  get timeZone(): string {
    return this.calendar.timeZone;
  }

  /** Listen to `budget` alerts or `record` events. Returns a function that removes the listener. */
  on<K extends keyof TrackerEvents & string>(event: K, listener: TrackerEvents[K]): () => void {
    try {
      return this.emitter.on(event, listener);
    } catch (err) {
      throw closedError(err, 'CostTracker.on');
    }
  }

  /** Listen once. */
  once<K extends keyof TrackerEvents & string>(event: K, listener: TrackerEvents[K]): () => void {
    try {
      return this.emitter.once(event, listener);
    } catch (err) {
      throw closedError(err, 'CostTracker.once');
    }
  }

  /** Remove a listener. */
  off<K extends keyof TrackerEvents & string>(event: K, listener: TrackerEvents[K]): void {
    try {
      this.emitter.off(event, listener);
    } catch (err) {
      throw closedError(err, 'CostTracker.off');
    }
  }

  /** Add a sink. */
  addSink(sink: CostSink): void {
    try {
      this.sinks.push(sink);
    } catch (err) {
      throw closedError(err, 'CostTracker.addSink');
    }
  }

  /** Remove a sink (it is not closed). */
  removeSink(sink: CostSink): void {
    try {
      const i = this.sinks.indexOf(sink);
      if (i >= 0) this.sinks.splice(i, 1);
    } catch (err) {
      throw closedError(err, 'CostTracker.removeSink');
    }
  }

  /**
   * Record a priced call. Never throws because of sinks or listeners (they are logged).
   * With `ctx.cached`, the call is recorded as a cache hit with cost 0.
   *
   * The result and context are checked first (see docs/budgets.md, "What record accepts"): the
   * exact total `totalPico` a non-negative safe integer, `total` equal to `totalPico / 1e12`, the
   * `costs` buckets adding up to it, a valid usage, times from 1970 to 9999, attribution strings.
   * Anything else is rejected: nothing is recorded, `health().rejected` counts it, and the call
   * throws. The record holds copies, so changing the result afterwards changes nothing.
   * @throws {InvalidRecordError} `INVALID_RECORD` for a result or context that would corrupt the totals.
   */
  record(result: CostResult, ctx?: RecordContext): CostRecord {
    let r: CheckedResult;
    try {
      // A checked copy: the caller keeps its object, and may change it afterwards.
      r = checkResult(result);
    } catch (err) {
      throw this.reject(err, 'result');
    }
    return this.recordOwned(r, ctx, true)!;
  }

  /**
   * `record` for a result made for this call by `priceCall` and handed over (the adapters' path):
   * the tracker takes the result's usage and costs as they are, unchecked and not copied. They are
   * valid by construction (an extractor's checked usage; costs, totals and source from the
   * calculator), and nothing else holds them to change them later, so the checks and defensive
   * copies `record` makes of a caller's object would only make garbage. The context is checked as
   * in `record`. Returns the record users get when `want` (else only when one was made for a
   * listener or a sink of the user's).
   */
  private recordOwned(
    r: CostResult | CheckedResult,
    ctx: RecordContext | undefined,
    want: boolean,
  ): CostRecord | undefined {
    let rec: FullRecord;
    let t: number;
    try {
      const c = contextFlags(ctx);
      t = this.tick();
      const cached = c.cached;
      rec = this.build(r.model, r.provider, ctx, t, cached ? 'cached' : 'success');
      rec.resolvedModel = r.resolvedModel;
      rec.usage = r.usage;
      rec.source = r.source;
      rec.estimated = r.estimated;
      rec.tier = r.tier;
      if (!cached) {
        rec.costs = r.costs;
        rec.total = r.total;
        rec.totalPico = r.totalPico;
      }
      rec.providedCost = c.providedCost ?? r.providedCost;
    } catch (err) {
      throw this.reject(err, 'result');
    }
    return this.ingest(rec, t, want);
  }

  /**
   * Record a failed call (status `error`). With `failure.result` its cost counts; a failure that
   * billed tokens without a result is unpriced; one without usage costs 0. An invalid `usage`
   * (without a result) is ignored with a warning — to `options.logger` when given, else to the
   * tracker's `logger`: the failure is still recorded.
   * @throws {InvalidRecordError} `INVALID_RECORD` for a failure, result or context of the wrong
   * shape (checked as in `record`; counted in `health().rejected`).
   */
  recordFailure(failure: FailureInput, ctx?: RecordContext, options?: RecordUnpricedOptions): CostRecord {
    let rec: FullRecord;
    let t: number;
    try {
      if (failure === null || typeof failure !== 'object') {
        throw new InvalidRecordError('failure', `expected an object, got ${describeValue(failure)}`);
      }
      const model = text(failure.model, 'failure.model');
      const provider0 = failure.provider;
      if (provider0 !== undefined && provider0 !== null) text(provider0, 'failure.provider');
      const result = failure.result;
      const r = result === undefined || result === null ? undefined : checkResult(result);
      const usage = failure.usage;
      const error = failure.error;
      const c = contextFlags(ctx);
      t = this.tick();
      rec = this.build(model, provider0 ?? r?.provider ?? '', ctx, t, 'error');
      rec.error = errorMessage(error, this.errorDetail);
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
        rec.usage = this.safeUsage(usage, model, options?.logger);
        if (totalTokens(rec.usage) > 0) rec.unpriced = true;
      }
      rec.providedCost = c.providedCost;
    } catch (err) {
      throw this.reject(err, 'failure');
    }
    return this.ingest(rec, t, true)!;
  }

  /**
   * Record a call whose model has no price: counted in `requests` and tokens and as `unpriced`,
   * never as a silent $0 (the ledger writes `total_cost: null`). Warns once per model, to
   * `options.logger` when given (the adapters pass theirs), else to the tracker's `logger`.
   * @throws {InvalidRecordError} `INVALID_RECORD` for a model or provider that is not a string, an
   * invalid usage or context (counted in `health().rejected`).
   */
  recordUnpriced(
    model: string,
    provider: string | undefined,
    usage: Partial<TokenUsage>,
    ctx?: RecordContext,
    options?: RecordUnpricedOptions,
  ): CostRecord {
    let rec: FullRecord;
    let t: number;
    try {
      text(model, 'model');
      if (provider !== undefined && provider !== null) text(provider, 'provider');
      const u = checkUsage(usage, 'usage');
      const c = contextFlags(ctx);
      const logger = options?.logger;
      if (logger !== undefined && typeof logger?.warn !== 'function') {
        throw new InvalidRecordError('options.logger', 'expected a logger with a warn method');
      }
      this.warnOnce(
        `unpriced:${provider ?? ''}:${model}`,
        `no price for model "${model}"${provider ? ` (provider ${provider})` : ''}: its calls are counted as unpriced. ` +
          'Add a price with catalog.override(…) or a price file (LANGFUSE_COST_PRICES), or set a fallback price.',
        logger,
      );
      t = this.tick();
      rec = this.build(model, provider ?? '', ctx, t, c.cached ? 'cached' : 'success');
      rec.usage = u;
      rec.unpriced = true;
      rec.providedCost = c.providedCost;
    } catch (err) {
      throw this.reject(err, 'input');
    }
    return this.ingest(rec, t, true)!;
  }

  /**
   * Counters of what the tracker took and refused — calls recorded, calls rejected as invalid
   * (`InvalidRecordError`), the last rejection — and the health of each sink that reports one, so a
   * full disk under the ledger shows up here too.
   */
  health(): TrackerHealth {
    const sinks: TrackerHealth['sinks'] = [];
    for (const sink of this.sinks) {
      if (typeof sink.health !== 'function') continue;
      try {
        sinks.push({ name: sink.constructor?.name ?? 'sink', health: sink.health() });
      } catch (err) {
        // A user's sink whose health() throws is reported as such, not thrown at the caller.
        const lastError = { message: `health() failed: ${safeMessage(err)}`, time: Date.now() };
        sinks.push({
          name: sink.constructor?.name ?? 'sink',
          health: { written: 0, queued: 0, dropped: 0, lastError },
        });
      }
    }
    const h: TrackerHealth = { recorded: this.recordedCount, rejected: this.rejectedCount, sinks };
    if (this.lastRejection) h.lastRejection = { ...this.lastRejection };
    return h;
  }

  /** Count a rejected input and turn whatever was thrown into an `InvalidRecordError`. */
  private reject(err: unknown, path: string): InvalidRecordError {
    const e =
      err instanceof InvalidRecordError
        ? err
        : new InvalidRecordError(
            err instanceof InvalidArgumentError ? err.path : path,
            err instanceof LangfuseCostError ? err.message : `could not be read: ${safeMessage(err)}`,
            { cause: err },
          );
    this.rejectedCount++;
    let time = this.last;
    if (!Number.isFinite(time)) time = Date.now();
    this.lastRejection = { path: e.path, message: e.message, time };
    return e;
  }

  private logError(message: string): void {
    try {
      const l = this.logger ?? getLogger();
      if (typeof l.error === 'function') l.error(message);
      else l.warn(message);
    } catch {
      // A broken logger must not break a flush.
    }
  }

  /** Warn once per key: to `logger` when given (deduplicated per logger), else the tracker's. */
  private warnOnce(key: string, message: string, logger: Logger | undefined = this.logger): void {
    this.warnings.warn(key, message, logger);
  }

  /**
   * Refuse a call that would start over a hard limit: with `enforce`, throws `BudgetExceededError`
   * when the daily or monthly limit, or the limit of the call's session, user or tenant, is reached.
   * Does nothing without `enforce`.
   * @throws {BudgetExceededError}
   */
  checkBudget(attr?: Attribution): void {
    if (!this.enforce || !this.budgets.active) return;
    const keys = guarded('attr', () => this.budgetKeys(attr));
    this.budgets.check(keys, this.tick());
  }

  /**
   * Spend against every configured limit. With `attr`, scoped budgets show that session, user or
   * tenant only; without, every key held (most used first).
   */
  budgetStatus(attr?: Attribution): BudgetStatus[] {
    const keys = attr === undefined ? undefined : guarded('attr', () => this.budgetKeys(attr));
    return this.budgets.status(this.tick(), keys);
  }

  /**
   * `checkBudget` against the freshest shared spend: with a shared `budgetStore`, first brings the
   * call's budgets up to date from it, waiting at most the store's timeout (then the spend already
   * known is used, or the call is refused when the store fails closed). Same as `checkBudget`
   * with the in-process store.
   * @throws {BudgetExceededError} (as a rejected promise)
   */
  async checkBudgetAsync(attr?: Attribution): Promise<void> {
    if (!this.enforce || !this.budgets.active) return;
    const keys = guarded('attr', () => this.budgetKeys(attr));
    await this.budgets.sync(this.tick(), keys);
    this.budgets.check(keys, this.tick());
  }

  /**
   * `budgetStatus` read from the shared `budgetStore` (every replica's spend, every key in the
   * current periods), waiting at most the store's timeout; same as `budgetStatus` in-process.
   */
  async budgetStatusAsync(attr?: Attribution): Promise<BudgetStatus[]> {
    const keys = attr === undefined ? undefined : guarded('attr', () => this.budgetKeys(attr));
    await this.budgets.sync(this.tick(), keys);
    return this.budgets.status(this.tick(), keys);
  }

  /**
   * Totals for a window, optionally grouped.
   * @throws {LangfuseCostError} `STATS_UNAVAILABLE` when grouping by a dimension left out of `dimensions`.
   */
  stats(options: StatsOptions = {}): CostStats {
    return guarded('options', () => this.statsOf(options));
  }

  private statsOf(options: StatsOptions): CostStats {
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgumentError('options', `expected an object, got ${describeValue(options)}`);
    }
    const window = options.window ?? 'all';
    if (typeof window !== 'string' || !STATS_WINDOWS.includes(window)) {
      throw new InvalidArgumentError(
        'options.window',
        `expected one of ${STATS_WINDOWS.join(', ')}, got ${describeValue(window)}`,
      );
    }
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
    if (d < 0) {
      throw new InvalidArgumentError(
        'options.groupBy',
        `expected one of ${GROUP_DIMENSIONS.join(', ')}, got ${describeValue(by)}`,
      );
    }
    if (!this.windows.hasDimension(by)) {
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

  /**
   * The last `n` records (default all kept), oldest first. Each is a new copy, equal in every field
   * to the record `record()` returned and handed to sinks and listeners (the tracker keeps a record's
   * fields, not the record object; see docs/budgets.md).
   */
  recent(n = this.recentLimit): CostRecord[] {
    if (typeof n !== 'number' || Number.isNaN(n)) {
      throw new InvalidArgumentError('n', `expected a number of records, got ${describeValue(n)}`);
    }
    // The ring is written with the window aggregates, after the call: bring both up to date.
    this.aggregatePending();
    return this.ring.last(Math.min(Math.max(0, Math.floor(n)), this.ring.size));
  }

  /**
   * Export the recent records (the bounded `recent()` window; export the ledger for full history)
   * as JSON, CSV or JSON Lines, in the ledger line format.
   */
  export(options: TrackerExportOptions): string {
    return guarded('options', () => this.exportOf(options));
  }

  private exportOf(options: TrackerExportOptions): string {
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgumentError('options', `expected { format }, got ${describeValue(options)}`);
    }
    const from = toMs(options.from, 'options.from') ?? Number.NEGATIVE_INFINITY;
    const to = toMs(options.to, 'options.to') ?? Number.POSITIVE_INFINITY;
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
          this.logError(`cost sink flush failed: ${safeMessage(err)}`);
        }
      }),
    );
  }

  /** Flush and close every sink, and hand pending spend to a shared budget store. */
  async close(): Promise<void> {
    await this.flush();
    await this.budgets
      .close()
      .catch((err) => this.logError(`budget store close failed: ${safeMessage(err)}`));
    await Promise.all(
      this.sinks.map(async (s) => {
        try {
          await s.close?.();
        } catch (err) {
          this.logError(`cost sink close failed: ${safeMessage(err)}`);
        }
      }),
    );
  }

  /** Forget all totals, budget spend and recent records (sinks and listeners stay). */
  reset(): void {
    this.recordedCount = 0;
    this.rejectedCount = 0;
    this.lastRejection = undefined;
    this.pending = [];
    this.pendingAt = [];
    this.pendingCount = 0;
    this.sparePending = [];
    this.sparePendingAt = [];
    this.windows.clear();
    this.budgets.clear();
    this.ring.clear();
  }

  private tick(): number {
    const n = this.clock();
    // A clock that answers NaN, a non-number or a time no Date can hold is ignored (the last good time stays).
    if (typeof n === 'number' && n > this.last && n <= MAX_RECORD_TIME && n >= -MAX_RECORD_TIME)
      this.last = n;
    else if (this.last === Number.NEGATIVE_INFINITY) this.last = Date.now();
    return this.last;
  }

  private budgetKeys(attr: Attribution | undefined): BudgetKeys {
    const d = this.defaults;
    if (attr === undefined || attr === null) {
      return { sessionId: d?.sessionId, userId: d?.userId, tenantId: d?.tenantId };
    }
    if (typeof attr !== 'object') {
      throw new InvalidArgumentError('attr', `expected an object, got ${describeValue(attr)}`);
    }
    return {
      sessionId: optText(attr.sessionId, 'attr', 'sessionId') ?? d?.sessionId,
      userId: optText(attr.userId, 'attr', 'userId') ?? d?.userId,
      tenantId: optText(attr.tenantId, 'attr', 'tenantId') ?? d?.tenantId,
    };
  }

  private safeUsage(
    usage: Partial<TokenUsage> | undefined,
    model: string,
    logger: Logger | undefined,
  ): TokenUsage {
    if (usage === undefined) return emptyUsage();
    try {
      return normalizeUsage(usage);
    } catch (err) {
      this.warnOnce(
        `bad-usage:${model}`,
        `ignoring invalid usage of "${model}": ${safeMessage(err)}`,
        logger ?? this.logger,
      );
      return emptyUsage();
    }
  }

  /**
   * The next generated record id, `prefix-<sequence in base 36>`: the head (all but the last digit,
   * made flat once per 36 ids) and the last digit, joined as a rope. The JSONL ledger writes the id
   * from the prefix and the sequence number (see `TrackedRecordSink`) and never reads the rope; the
   * flat block of 36 ids sliced before cost about 500 instructions a record to make (callgrind,
   * bench/tracker.ts section 1), this about 100. A reader of the characters flattens it once.
   */
  private nextId(): string {
    const n = ++this.seq;
    const digit = n % ID_DIGITS;
    if (n === 1) {
      this.idPrefix = internalized(`${randomPrefix()}-`);
      this.idHead = this.idPrefix;
    } else if (digit === 0) {
      // join writes one flat string (the last digit's rope then has a flat head to copy).
      this.idHead = [this.idPrefix, ((n - digit) / ID_DIGITS).toString(ID_DIGITS)].join('');
    }
    const id = this.idHead + ID_DIGIT_TEXT[digit]!;
    this.lastId = id;
    return id;
  }

  /** A record with times, id and attribution; cost fields zero until the caller fills them. */
  private build(
    model: string,
    provider: string,
    ctx: RecordContext | undefined,
    now: number,
    status: CostRecord['status'],
  ): FullRecord {
    // `ctx` is the caller's object (checked to be an object by `contextFlags`): every field is read
    // once and checked as it is read (record-guard), so a getter or Proxy cannot answer twice.
    const end = ctx === undefined ? now : (time(ctx.endTime, 'ctx', 'endTime') ?? now);
    const start0 = ctx === undefined ? undefined : time(ctx.startTime, 'ctx', 'startTime');
    const duration0 = ctx === undefined ? undefined : checkDuration(ctx.durationMs, 'ctx', 'durationMs');
    const spanId = ctx === undefined ? undefined : optText(ctx.spanId, 'ctx', 'spanId');
    let duration = duration0 ?? (start0 !== undefined ? end - start0 : 0);
    // A clock stepped back between start and end: the call took no measurable time.
    if (duration < 0) duration = 0;
    const start = start0 !== undefined && start0 <= end ? start0 : end - duration;
    if (start < -MAX_RECORD_TIME) {
      throw new InvalidRecordError(
        'ctx.durationMs',
        `starts the call before any time a Date can hold (${duration} ms)`,
      );
    }
    const d = this.defaults;
    // The attribution, read and checked before the record is made: it is made whole, in one literal.
    let traceId: string | undefined;
    let parentId: string | undefined;
    let sessionId: string | undefined;
    let userId: string | undefined;
    let tenantId: string | undefined;
    let operation: string | undefined;
    let service: string | undefined;
    let environment: string | undefined;
    let fallback: boolean | undefined;
    let tags: string[] | undefined;
    let metadata: Record<string, string> | undefined;
    let inputText: string | undefined;
    let outputText: string | undefined;
    if (ctx !== undefined || d !== undefined) {
      const c: RecordContext = ctx ?? EMPTY_CTX;
      traceId = optText(c.traceId, 'ctx', 'traceId') ?? d?.traceId;
      parentId = optText(c.parentId, 'ctx', 'parentId') ?? d?.parentId;
      sessionId = optText(c.sessionId, 'ctx', 'sessionId') ?? d?.sessionId;
      userId = optText(c.userId, 'ctx', 'userId') ?? d?.userId;
      tenantId = optText(c.tenantId, 'ctx', 'tenantId') ?? d?.tenantId;
      operation = optText(c.operation, 'ctx', 'operation') ?? d?.operation;
      service = optText(c.service, 'ctx', 'service') ?? d?.service;
      environment = optText(c.environment, 'ctx', 'environment') ?? d?.environment;
      fallback = optBool(c.fallback, 'ctx', 'fallback') ?? d?.fallback;
      const ownTags = checkTags(c.tags, 'ctx', 'tags');
      tags = d?.tags && ownTags ? [...new Set([...d.tags, ...ownTags])] : (ownTags ?? d?.tags);
      if (tags !== undefined && tags.length === 0) tags = undefined;
      const ownMetadata = checkMetadata(c.metadata, 'ctx', 'metadata');
      metadata =
        d?.metadata && ownMetadata ? { ...d.metadata, ...ownMetadata } : (ownMetadata ?? d?.metadata);
      if (this.storeText) {
        inputText = optText(c.inputText, 'ctx', 'inputText');
        outputText = optText(c.outputText, 'ctx', 'outputText');
      }
    }
    // Every key, in one order (see FullRecord): the readers of every record see one hidden class.
    return {
      id: spanId ?? d?.spanId ?? this.nextId(),
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
      traceId,
      parentId,
      sessionId,
      userId,
      tenantId,
      operation,
      service,
      environment,
      fallback,
      tags,
      metadata,
      inputText,
      outputText,
      error: undefined,
      unpriced: undefined,
      providedCost: undefined,
    };
  }

  /** Add the queued records to the window aggregates, in order. */
  private aggregatePending(): void {
    const count = this.pendingCount;
    if (count === 0) return;
    const recs = this.pending;
    const times = this.pendingAt;
    this.pending = this.sparePending ?? [];
    this.pendingAt = this.sparePendingAt ?? [];
    this.pendingCount = 0;
    this.sparePending = null;
    this.sparePendingAt = null;
    const ring = this.ring;
    for (let i = 0; i < count; i++) {
      const rec = recs[i]!;
      recs[i] = undefined;
      // Copied here, after the caller's code, not on the call path; the record itself dies young.
      ring.push(rec);
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
        k[6] = rec.environment || DEFAULT_ENVIRONMENT;
        this.keys.tags = rec.tags === undefined ? NO_TAGS : distinctTags(rec.tags);
        this.windows.add(times[i]!, s, this.keys);
      } catch (err) {
        // A malformed result (e.g. usage missing) is left out of the totals, with a warning.
        this.warnOnce(
          `aggregate:${safeMessage(err)}`,
          `cost tracker could not aggregate a record of "${rec.model}": ${safeMessage(err)}`,
        );
      }
    }
    this.sparePending = recs;
    this.sparePendingAt = times;
  }

  /**
   * Count `rec`, queue it for the window aggregates and the ring, and hand it to the listeners and
   * sinks. Returns the record users get (see `publicRecord`), made once for all who take it: when
   * `want`, or when a listener or a sink of the user's takes it; else undefined.
   */
  private ingest(rec: FullRecord, t: number, want: boolean): CostRecord | undefined {
    this.recordedCount++;
    let queued = false;
    try {
      // Budgets are kept at once (alerts fire and enforcement sees the spend on this call); the
      // window aggregates and the ring are brought up to date in a microtask after the caller's code
      // (see below), or whenever they are read — the call path only queues the record.
      if (this.budgets.active && rec.unpriced !== true) this.budgets.add(rec.totalPico, rec, t, rec.id);
      // At index n: within the arrays' length after the first drains (no growth), else appended.
      const n = this.pendingCount;
      this.pending[n] = rec;
      this.pendingAt[n] = t;
      this.pendingCount = n + 1;
      queued = true;
      if (n + 1 >= MAX_PENDING) this.aggregatePending();
    } catch (err) {
      // A malformed result must not break the caller's LLM call.
      this.warnOnce(
        `aggregate:${safeMessage(err)}`,
        `cost tracker could not aggregate a record of "${rec.model}": ${safeMessage(err)}`,
      );
    }
    if (!queued) {
      // Left out of the totals, but still one of the recent records, after those queued before it.
      this.aggregatePending();
      this.ring.push(rec);
    }
    let out = want ? publicRecord(rec) : undefined;
    if (this.recordListeners > 0) this.emitter.emit('record', (out ??= publicRecord(rec)));
    // A generated id (the last one made, unless a listener recorded a call of its own) goes with the
    // record to the sinks that take it in parts.
    const seq = rec.id === this.lastId ? this.seq : 0;
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) {
      try {
        const sink = sinks[i]!;
        if ((sink as TrackedRecordSink).writeTracked !== undefined)
          (sink as TrackedRecordSink).writeTracked(rec, this.idPrefix, seq);
        else sink.write((out ??= publicRecord(rec)));
      } catch (err) {
        this.warnOnce(
          `sink-write:${i}`,
          `cost sink ${sinks[i]!.constructor?.name ?? i} failed to take a record: ${safeMessage(err)}`,
        );
      }
    }
    // The drain: after the caller's code when the record went out to someone (the caller, a listener,
    // a sink of the user's), who may change its usage or costs from the next turn on, so the ring and
    // aggregates copy it first; else once RECORD_BATCH records wait (the adapters' records: they stay
    // young, and the ring's and aggregates' code runs warm, see RECORD_BATCH).
    if (
      !this.aggregateQueued &&
      this.pendingCount > 0 &&
      (out !== undefined || this.pendingCount >= RECORD_BATCH)
    ) {
      this.aggregateQueued = true;
      queueMicrotask(this.aggregateSoon);
    }
    return out;
  }
}
