import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { closedError, describeValue, InvalidArgumentError } from '../../errors.js';
import { compareRanges, type FastLine, TextRange, USAGE_INDEX } from '../../ledger/fast-line.js';
import { type LedgerLine, linePico } from '../../ledger/line.js';
import { picoToUsd, usdToPico } from '../../pricing/money.js';
import {
  CallSample,
  CostAggregate,
  type CostSummary,
  STATUS_CACHED,
  STATUS_ERROR,
  STATUS_SUCCESS,
} from '../../tracker/aggregate.js';
import {
  type BudgetConfig,
  type BudgetLimit,
  type BudgetPeriod,
  type BudgetScope,
  type BudgetStatus,
  budgetRule,
} from '../../tracker/budgets.js';
import { ZonedCalendar } from '../../tracker/calendar.js';
import {
  GROUP_DIMENSIONS,
  type GroupDimension,
  GroupTable,
  NONE_KEY,
  OTHER_KEY,
} from '../../tracker/groups.js';
import { histogramBucket } from '../../tracker/histogram.js';
import type { GroupStats } from '../../tracker/tracker.js';
import { checkFields, checkOptions, checkPath, ledgerError } from './errors.js';
import {
  boundText,
  checkReadArgs,
  checkSegments,
  cutLedger,
  type LedgerScanResult,
  type LedgerSegment,
  mergePieceScans,
  mergeScanResults,
  type PieceScan,
  pieceReader,
  type ReadLedgerOptions,
  StartTimeWindow,
  scanLedgerFast,
  scanSegmentsFast,
  warnSkipped,
  wholeLedger,
} from './read.js';

/** What a ledger report can group by: a tracker dimension, or the calendar day of the call's start. */
export type LedgerGroupBy = GroupDimension | 'day';

/** Options of {@link aggregateLedger}. */
export interface LedgerReportOptions extends ReadLedgerOptions {
  /** Break totals down by this. */
  groupBy?: LedgerGroupBy;
  /** IANA zone of `day` groups (default UTC). */
  timeZone?: string;
  /** Most groups kept while reading (default 10,000; the rest fold into `(other)`, lowest spend first). */
  maxGroups?: number;
  /**
   * Most groups returned (default all): the largest by cost (for `day`: the latest days); the others
   * are summed exactly into `(other)`.
   */
  top?: number;
}

/** Totals and breakdown of a ledger. */
export interface LedgerReport extends LedgerScanResult {
  /** Totals of the lines in range. */
  totals: CostSummary;
  /** Dimension of `groups`. */
  groupBy?: LedgerGroupBy;
  /** Groups, most expensive first (`day` groups in date order); `(other)` last. */
  groups?: GroupStats[];
  /** Earliest `start_time` seen in range. */
  firstStart: string | null;
  /** Latest `start_time` seen in range. */
  lastStart: string | null;
}

/**
 * Fill a sample from a ledger line.
 * @throws {InvalidArgumentError} when `s` is not a `CallSample` or `l` is not a readable ledger line.
 */
export function sampleFromLine(s: CallSample, l: LedgerLine): CallSample {
  try {
    // instanceof itself throws on a Proxy whose getPrototypeOf trap throws.
    if (!(s instanceof CallSample)) {
      throw new InvalidArgumentError('sample', `expected a CallSample, got ${describeValue(s)}`);
    }
    if (typeof l !== 'object' || l === null) {
      throw new InvalidArgumentError('line', `expected a ledger line, got ${describeValue(l)}`);
    }
    return fillFromLine(s, l);
  } catch (err) {
    throw closedError(err, 'sampleFromLine');
  }
}

function fillFromLine(s: CallSample, l: LedgerLine): CallSample {
  const pico = linePico(l);
  s.priced = pico !== null;
  s.pico = pico ?? 0;
  s.bucket = histogramBucket(s.pico);
  s.status = l.status === 'error' ? STATUS_ERROR : l.status === 'cached' ? STATUS_CACHED : STATUS_SUCCESS;
  s.estimated = l.estimated === true;
  const provided = l.provided_cost_details?.total;
  s.providedPico = typeof provided === 'number' && provided >= 0 ? usdToPico(provided) : -1;
  s.clearUsage();
  const u = l.usage_details;
  if (u !== null && typeof u === 'object') {
    for (const k in u) {
      const i = USAGE_INDEX[k];
      if (i !== undefined) s.addUsage(i, u[k]!);
    }
  }
  return s;
}

/** Fill a sample from a scanned line. */
export function sampleFromFast(s: CallSample, f: FastLine): CallSample {
  const pico = f.costPico();
  s.priced = pico !== null;
  s.pico = pico ?? 0;
  s.bucket = histogramBucket(s.pico);
  s.status = f.isStatus('error') ? STATUS_ERROR : f.isStatus('cached') ? STATUS_CACHED : STATUS_SUCCESS;
  s.estimated = f.estimated;
  s.providedPico = f.provided >= 0 ? usdToPico(f.provided) : -1;
  s.clearUsage();
  const u = f.usage;
  for (let i = 0; i < u.length; i++) if (u[i]! > 0) s.addUsage(i, u[i]!);
  return s;
}

const one: string[] = [''];

function keysOf(f: FastLine, by: LedgerGroupBy, dayOf: (st: string) => string): readonly string[] {
  let k: string | null;
  switch (by) {
    case 'model':
      k = f.model;
      break;
    case 'provider':
      k = f.provider;
      break;
    case 'session':
      k = f.session;
      break;
    case 'user':
      k = f.user;
      break;
    case 'tenant':
      k = f.tenant;
      break;
    case 'operation':
      k = f.name;
      break;
    case 'environment':
      k = f.environment;
      break;
    case 'tag':
      return f.tags.length === 0 ? [NONE_KEY] : f.tags.length === 1 ? f.tags : [...new Set(f.tags)];
    case 'day':
      // In UTC a day is the start time's date: taken from the line's bytes (see FastLine.startDate).
      k = dayOf === utcDay ? f.startDate : dayOf(f.startTime);
      break;
  }
  one[0] = k || NONE_KEY;
  return one;
}

/** The day of a start time in UTC: its date, read off the ISO string. */
const utcDay = (startTime: string): string => startTime.slice(0, 10);

/** A day-of function for a time zone (UTC reads the date off the ISO string). */
export function dayOfFunction(timeZone: string | undefined): (startTime: string) => string {
  if (timeZone !== undefined && typeof timeZone !== 'string') {
    throw new InvalidArgumentError('timeZone', `expected an IANA zone name, got ${describeValue(timeZone)}`);
  }
  const cal = new ZonedCalendar(timeZone ?? 'UTC');
  if (cal.timeZone === 'UTC' || cal.timeZone === 'Etc/UTC') return utcDay;
  return (st) => cal.period(Date.parse(st), 'day').key;
}

/**
 * Read the ledger and aggregate it: exact totals, tokens, percentiles, and an optional breakdown.
 * Streams the files (memory stays bounded by `maxGroups`). See {@link aggregateLedgerParallel} for
 * large ledgers on a machine with several cores.
 */
export function aggregateLedger(path: string, options: LedgerReportOptions = {}): LedgerReport {
  try {
    const o = checkReportArgs(path, options);
    const part = aggregateSegments(wholeLedger(path, o), o);
    warnSkipped(part, o.onWarning);
    return finishReport(part, o);
  } catch (err) {
    throw ledgerError(err, 'aggregateLedger', path);
  }
}

/** What a ledger report can group by: the tracker's dimensions, and the calendar day. */
export const LEDGER_GROUP_BY: readonly LedgerGroupBy[] = [...GROUP_DIMENSIONS, 'day'];
const GROUP_BY: ReadonlySet<unknown> = new Set<LedgerGroupBy>(LEDGER_GROUP_BY);

/** The checks at the entry of a report: those of a read, and the report's own options. */
function checkReportArgs<T extends LedgerReportOptions>(path: unknown, options: T | undefined): T {
  const o = checkReadArgs(path, options) as T;
  checkFields(o, 'options', { timeZone: 'string', maxGroups: 'number', top: 'number' });
  if (o.groupBy !== undefined && !GROUP_BY.has(o.groupBy)) {
    throw new InvalidArgumentError(
      'options.groupBy',
      `expected one of ${[...GROUP_BY].join(', ')}, got ${describeValue(o.groupBy)}`,
    );
  }
  dayOfFunction(o.timeZone);
  return o;
}

/** The sums of a report's lines: totals, groups (when grouped), earliest and latest start. */
class ReportSums {
  readonly total = new CostAggregate();
  readonly table: GroupTable | null;
  /**
   * The earliest and latest start so far, where they are in their lines' text (none until `seen`): on a
   * ledger in time order every line is the latest, and comparing in place spares cutting each one out.
   */
  private readonly min = new TextRange();
  private readonly max = new TextRange();
  private readonly here = new TextRange();
  private seen = false;
  /**
   * With {@link ReportSums.track}: where each group key was first seen, in the table's order (see
   * {@link ThreadPart.groups}); `at` is the place of the next new key.
   */
  readonly order: number[] = [];
  at = 0;
  private readonly by: LedgerGroupBy | undefined;
  private readonly dayOf: (st: string) => string;
  private readonly s = new CallSample();

  constructor(
    options: LedgerReportOptions,
    private readonly track: boolean,
  ) {
    this.by = options.groupBy;
    this.table = this.by !== undefined ? new GroupTable(maxGroupsOf(options)) : null;
    this.dayOf = dayOfFunction(options.timeZone);
  }

  /** Earliest `start_time` seen (null before any line). */
  get first(): string | null {
    return this.seen ? this.min.value() : null;
  }

  /** Latest `start_time` seen (null before any line). */
  get last(): string | null {
    return this.seen ? this.max.value() : null;
  }

  add(l: FastLine): void {
    const s = sampleFromFast(this.s, l);
    this.total.add(s);
    const here = this.here;
    l.startRange(here);
    if (!this.seen) {
      this.seen = true;
      this.min.copy(here);
      this.max.copy(here);
      // The latest first: on a ledger in time order that is the one compare (a later start is not the earliest).
    } else if (compareRanges(here, this.max) > 0) this.max.copy(here);
    else if (compareRanges(here, this.min) < 0) this.min.copy(here);
    const table = this.table;
    if (table === null) return;
    const keys = keysOf(l, this.by!, this.dayOf);
    if (!this.track) {
      for (const k of keys) table.get(k).add(s);
      return;
    }
    for (const k of keys) {
      const n = table.map.size;
      const a = table.get(k);
      if (table.map.size !== n) this.order.push(this.at++);
      a.add(s);
    }
  }
}

/** Groups kept while reading (the table folds the cheapest into `(other)` past twice this many). */
function maxGroupsOf(options: LedgerReportOptions): number {
  return Math.max(1, options.maxGroups ?? 10_000);
}

/** @internal What one reader of a ledger report found. */
export interface ReportPart extends LedgerScanResult {
  total: CostAggregate;
  /** Group entries and the `(other)` aggregate. */
  groups: [string, CostAggregate][] | null;
  other: CostAggregate | null;
  first: string | null;
  last: string | null;
}

/** @internal Aggregate the lines of some ledger segments. */
export function aggregateSegments(segments: LedgerSegment[], options: LedgerReportOptions): ReportPart {
  const sums = new ReportSums(options, false);
  const scan = scanSegmentsFast(segments, options, (l) => sums.add(l));
  const table = sums.table;
  return {
    total: sums.total,
    groups: table === null ? null : [...table.map.entries()],
    other: table?.other ?? null,
    first: sums.first,
    last: sums.last,
    files: scan.files,
    lines: scan.lines,
    matched: scan.matched,
    skipped: scan.skipped,
    skippedPerFile: scan.skippedPerFile,
    skippedLines: scan.skippedLines,
  };
}

/**
 * @internal What one thread of {@link aggregateLedgerParallel} read: the pieces of the cut ledger it
 * claimed, what each piece's lines were (counts, skipped lines), and the sums of all its lines.
 */
export interface ThreadPart {
  /** Indexes of the pieces read, in the order read. */
  pieces: number[];
  /** What each of them found (`scans[j]` for `pieces[j]`). */
  scans: PieceScan[];
  total: CostAggregate;
  /**
   * Group entries: key, aggregate, and where the key was first seen (piece index × 2^32 + the keys new
   * to this thread before it in that piece), which puts the merged groups in the order of a single read.
   */
  groups: [string, CostAggregate, number][] | null;
  /** True when the group table folded groups into `(other)`: the parts then do not merge exactly. */
  folded: boolean;
  first: string | null;
  last: string | null;
}

/** Slots of a parallel report's claim array: the next piece to claim, and a stop flag. */
const NEXT_PIECE = 0;
const STOP = 1;
const CLAIM_SLOTS = 2;
/** A piece's place in {@link ThreadPart.groups}' first-seen numbers. */
const PIECE_PLACE = 2 ** 32;

/**
 * @internal A thread's claims of the pieces of a parallel report: first its `reserved` piece (-1: none),
 * then the next unclaimed one (`claims[NEXT_PIECE]`, shared by the threads), until none are left or a
 * thread has set `claims[STOP]`; -1 then.
 */
export function claimPieces(claims: Int32Array, count: number, reserved: number): () => number {
  let mine = reserved;
  return () => {
    if (mine >= 0) {
      const i = mine;
      mine = -1;
      return i;
    }
    if (Atomics.load(claims, STOP) !== 0) return -1;
    const i = Atomics.add(claims, NEXT_PIECE, 1);
    return i < count ? i : -1;
  };
}

/**
 * @internal Read and aggregate the pieces of a cut ledger that `claim` hands this thread, until it hands
 * none. `claim` hands them in increasing order (as {@link claimPieces} does: a reserved piece comes before
 * every other), so a group key's first piece of this thread is the first it appears in among them. A
 * group table that folds sets `claims[STOP]` (the report is then read again on one thread).
 */
export function aggregatePieces(
  pieces: readonly LedgerSegment[],
  claim: () => number,
  options: LedgerReportOptions,
  claims: Int32Array | null,
): ThreadPart {
  const sums = new ReportSums(options, true);
  const read = pieceReader(options, (l) => sums.add(l));
  const part: ThreadPart = {
    pieces: [],
    scans: [],
    total: sums.total,
    groups: null,
    folded: false,
    first: null,
    last: null,
  };
  for (let i = claim(); i >= 0; i = claim()) {
    sums.at = i * PIECE_PLACE;
    part.pieces.push(i);
    part.scans.push(read(pieces[i]!));
    if (sums.table !== null && sums.table.other !== null) {
      part.folded = true;
      if (claims !== null) Atomics.store(claims, STOP, 1);
      break;
    }
  }
  const table = sums.table;
  if (table !== null && !part.folded) {
    let j = 0;
    part.groups = [];
    for (const [k, a] of table.map) part.groups.push([k, a, sums.order[j++]!]);
  }
  part.first = sums.first;
  part.last = sums.last;
  return part;
}

/** An aggregate that crossed a thread boundary (a plain object) with its class back. */
function revive(a: CostAggregate): CostAggregate {
  return a instanceof CostAggregate ? a : Object.setPrototypeOf(a, CostAggregate.prototype);
}

/**
 * @internal The parts of the threads that read the pieces of a cut ledger (every piece read by one of them) as the
 * part a single read of the whole ledger gives: the pieces' scans in file order, the sums added (exact),
 * the groups in the order their keys first appear in the files. Null when a group table folded, or would
 * have on a single read (more than twice `maxGroups` keys): which groups fold depends on the order of the
 * lines, so only a single read gives that report.
 */
export function mergeThreadParts(
  pieces: readonly LedgerSegment[],
  parts: readonly ThreadPart[],
  options: LedgerReportOptions,
): ReportPart | null {
  const scans: PieceScan[] = new Array(pieces.length);
  const total = new CostAggregate();
  const keys = new Map<string, { agg: CostAggregate; at: number }>();
  let first: string | null = null;
  let last: string | null = null;
  for (const p of parts) {
    if (p.folded) return null;
    for (let j = 0; j < p.pieces.length; j++) scans[p.pieces[j]!] = p.scans[j]!;
    total.merge(revive(p.total));
    if (p.first !== null && (first === null || p.first < first)) first = p.first;
    if (p.last !== null && (last === null || p.last > last)) last = p.last;
    for (const [k, a, at] of p.groups ?? []) {
      const had = keys.get(k);
      if (had === undefined) keys.set(k, { agg: new CostAggregate(), at });
      else if (at < had.at) had.at = at;
      keys.get(k)!.agg.merge(revive(a));
    }
  }
  if (keys.size > 2 * maxGroupsOf(options)) return null;
  const groups =
    options.groupBy === undefined
      ? null
      : [...keys.entries()]
          .sort((x, y) => x[1].at - y[1].at)
          .map(([k, e]): [string, CostAggregate] => [k, e.agg]);
  return { ...mergePieceScans(pieces, scans), total, groups, other: null, first, last };
}

/** The report of an aggregated part: groups sorted, the top ones kept, the rest folded into `(other)`. */
function finishReport(part: ReportPart, options: LedgerReportOptions): LedgerReport {
  const by = options.groupBy;
  const report: LedgerReport = {
    files: part.files,
    lines: part.lines,
    matched: part.matched,
    skipped: part.skipped,
    skippedPerFile: part.skippedPerFile,
    skippedLines: part.skippedLines,
    totals: part.total.summary(),
    firstStart: part.first,
    lastStart: part.last,
  };
  if (by !== undefined && part.groups !== null) {
    const entries = part.groups;
    if (by === 'day') entries.sort((a, b) => (a[0] < b[0] ? 1 : -1));
    else entries.sort((a, b) => b[1].approxPico() - a[1].approxPico() || b[1].requests - a[1].requests);
    let other = part.other;
    const top = options.top !== undefined && options.top > 0 ? Math.floor(options.top) : entries.length;
    if (entries.length > top) {
      const folded = new CostAggregate();
      if (other) folded.merge(other);
      for (let i = top; i < entries.length; i++) folded.merge(entries[i]![1]);
      other = folded;
      entries.length = top;
    }
    if (by === 'day') entries.reverse();
    report.groupBy = by;
    report.groups = entries.map(([key, a]) => ({ key, ...a.summary() }));
    if (other && other.requests > 0) report.groups.push({ key: OTHER_KEY, ...other.summary() });
  }
  return report;
}

/** Options of {@link aggregateLedgerParallel}. */
export interface ParallelReportOptions extends LedgerReportOptions {
  /** Threads to read with, this one included (default: the machine's parallelism, at most 4). */
  threads?: number;
  /** Ledgers smaller than this many bytes are read on this thread alone (default 32 MiB). */
  minBytes?: number;
}

/**
 * {@link aggregateLedger} on several threads: the ledger's files are cut at line boundaries into pieces
 * (1–8 MiB), and worker threads and this thread each claim the next piece until none are left, so they
 * finish together however unevenly they start or run; the parts are merged exactly. The result is the
 * same as `aggregateLedger`'s, plus `threads`: how many threads read it. Small ledgers, and any piece a
 * worker cannot read (no worker support, a worker error), are read on this thread: never a failure that
 * the single-threaded read would not have. A report whose groups fold into `(other)` (more than twice
 * `maxGroups` keys) is read again on this thread, since which groups fold depends on the order of the lines.
 */
export async function aggregateLedgerParallel(
  path: string,
  options: ParallelReportOptions = {},
): Promise<LedgerReport & { threads: number }> {
  try {
    checkReportArgs(path, options);
    checkFields(options, 'options', { threads: 'number', minBytes: 'number' });
    return await aggregateParallel(path, options);
  } catch (err) {
    throw ledgerError(err, 'aggregateLedgerParallel', path);
  }
}

async function aggregateParallel(
  path: string,
  options: ParallelReportOptions,
): Promise<LedgerReport & { threads: number }> {
  const { threads: wanted, minBytes = 32 * 1024 * 1024, ...reportOptions } = options;
  const threads = Math.max(1, Math.min(wanted ?? Math.min(4, availableParallelism()), 16));
  const pieces = cutLedger(path, reportOptions, threads, minBytes);
  const merged =
    pieces !== null && pieces.length > 1 ? await readPieces(pieces, threads, reportOptions) : null;
  if (merged === null) {
    const part = aggregateSegments(wholeLedger(path, reportOptions), reportOptions);
    warnSkipped(part, reportOptions.onWarning);
    return { ...finishReport(part, reportOptions), threads: 1 };
  }
  // One warning per file, after the merge: a file cut into pieces is reported once.
  warnSkipped(merged.part, reportOptions.onWarning);
  return { ...finishReport(merged.part, reportOptions), threads: merged.threads };
}

/**
 * Read the pieces on this thread and up to `threads` - 1 workers, each worker first reading a piece kept
 * for it (so every thread started reads), then all claiming the next. Null when the groups fold (see
 * {@link mergeThreadParts}).
 */
async function readPieces(
  pieces: LedgerSegment[],
  threads: number,
  options: LedgerReportOptions,
): Promise<{ part: ReportPart; threads: number } | null> {
  const workers = Math.min(threads - 1, pieces.length - 1);
  const shared = new SharedArrayBuffer(CLAIM_SLOTS * Int32Array.BYTES_PER_ELEMENT);
  const claims = new Int32Array(shared);
  // Pieces 0 … workers - 1 are the workers' first ones; this thread starts at the next.
  claims[NEXT_PIECE] = workers;
  const { onWarning, ...cloneable } = options;
  const pending = Array.from({ length: workers }, (_, w) =>
    inWorker<ThreadPart>({ pieces, claims: shared, reserved: w, options: cloneable }, 'part'),
  );
  const parts = [aggregatePieces(pieces, claimPieces(claims, pieces.length, -1), options, claims)];
  for (const p of pending) {
    const part = await p;
    if (part !== null) parts.push(part);
  }
  const used = parts.length;
  if (parts.some((p) => p.folded)) return null;
  // The pieces of a worker that could not run or failed (its part is lost) are read here.
  const read = new Uint8Array(pieces.length);
  for (const p of parts) for (const i of p.pieces) read[i] = 1;
  const missing: number[] = [];
  for (let i = 0; i < pieces.length; i++) if (read[i] === 0) missing.push(i);
  if (missing.length > 0) {
    let next = 0;
    const claimMissing = () => (next < missing.length ? missing[next++]! : -1);
    parts.push(aggregatePieces(pieces, claimMissing, options, null));
  }
  const part = mergeThreadParts(pieces, parts, options);
  return part === null ? null : { part, threads: used };
}

/**
 * What report-worker.ts is asked: aggregate the pieces it claims (`claims`, see {@link claimPieces}), only
 * check the lines of some segments (`check`), or
 * write its one segment's lines as ClickHouse Native columns to the file `native`.
 */
export type ReportWorkerTask =
  | { pieces: LedgerSegment[]; claims: SharedArrayBuffer; reserved: number; options: LedgerReportOptions }
  | { segments: LedgerSegment[]; check: true }
  | { segments: [LedgerSegment]; native: string };

/**
 * Run `task` in a worker thread and take the `key` of its message; null when no worker could do it, or
 * when `signal` aborted it (the worker is then stopped, and the promise settles once it has exited).
 */
function inWorker<T>(
  task: ReportWorkerTask,
  key: 'part' | 'scan' | 'lines',
  signal?: AbortSignal,
): Promise<T | null> {
  const file = workerFile();
  if (file === null || signal?.aborted) return Promise.resolve(null);
  return new Promise<T | null>((resolveTask) => {
    try {
      const w = startWorker(file, task);
      const stop = () => void w.terminate();
      signal?.addEventListener('abort', stop, { once: true });
      w.once('message', (m: Record<string, T>) => {
        signal?.removeEventListener('abort', stop);
        resolveTask(m[key] ?? null);
        void w.terminate();
      });
      w.once('error', () => resolveTask(null));
      w.once('exit', () => {
        signal?.removeEventListener('abort', stop);
        resolveTask(null);
      });
    } catch {
      resolveTask(null);
    }
  });
}

/**
 * Check the lines of `segments` (whole lines of ledger files, e.g. from `splitSegment`) each in its own
 * worker thread, all at once, leaving this thread free (the dashboards' loader runs chDB queries
 * meanwhile); a segment no worker could check is checked on this thread. Returns the merged scan (as one
 * scan of them all would give it) and how many segments were checked by workers.
 */
export async function checkSegmentsInWorkers(
  segments: LedgerSegment[],
): Promise<{ scan: LedgerScanResult; workers: number }> {
  const pending = segments.map((seg) => inWorker<LedgerScanResult>({ segments: [seg], check: true }, 'scan'));
  const scans: LedgerScanResult[] = [];
  let workers = 0;
  for (let i = 0; i < segments.length; i++) {
    const scan = await pending[i]!;
    if (scan !== null) workers++;
    scans.push(scan ?? checkSegments([segments[i]!]));
  }
  return { scan: mergeScanResults(scans), workers };
}

/**
 * Write the lines of `segment` (whole lines, its end known) to the file `out` as the ClickHouse Native
 * columns of the dashboards' staging table, in a worker thread (see `writeNativeSegment`). Resolves to
 * the number of lines, or null when a line is not in the fast form, no worker could run or `signal`
 * stopped it (it settles once the worker has exited, so nothing writes `out` any more): the caller then
 * checks and parses the segment the general way.
 */
export function writeNativeInWorker(
  segment: LedgerSegment,
  out: string,
  signal?: AbortSignal,
): Promise<number | null> {
  return inWorker<number>({ segments: [segment], native: out }, 'lines', signal);
}

/**
 * Flags of `node` that say where the main program comes from (`-e code`, `--print`, `--input-type=module`,
 * …): a worker running a script file must not inherit them (`--input-type` makes it fail to start), and
 * `true` marks those followed by their value as the next argument.
 */
const ENTRY_FLAGS: ReadonlyMap<string, boolean> = new Map([
  ['-e', true],
  ['--eval', true],
  ['-p', true],
  ['--print', true],
  ['-pe', true],
  ['--input-type', true],
  ['-i', false],
  ['--interactive', false],
  ['-c', false],
  ['--check', false],
]);

/**
 * @internal The parent's `execArgv` without the flags that name its main program ({@link ENTRY_FLAGS}),
 * for a worker that runs a script file; `undefined` when there are none (the worker then inherits
 * everything, as Node does by default). Loader flags (`--import tsx`, `--require`, conditions) are kept.
 */
export function workerExecArgv(execArgv: readonly string[]): string[] | undefined {
  const out: string[] = [];
  let dropped = false;
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const takesValue = ENTRY_FLAGS.get(name);
    if (takesValue === undefined) {
      out.push(arg);
      continue;
    }
    dropped = true;
    // `--eval code`: the code is the next argument; `--eval=code` holds it.
    if (takesValue && name === arg) i++;
  }
  return dropped ? out : undefined;
}

/**
 * A worker thread running `file`. Under `node -e`/`--input-type` (see {@link workerExecArgv}) it gets the
 * parent's flags without those; an explicit list must then also leave out the process-wide flags a
 * worker cannot take (`--max-old-space-size`, `--stack-size`, `--title`, …, which an inherited list may
 * hold): Node names them in its error, and they are dropped once.
 */
function startWorker(file: string, workerData: unknown): Worker {
  const execArgv = workerExecArgv(process.execArgv);
  if (execArgv === undefined) return new Worker(file, { workerData });
  try {
    return new Worker(file, { workerData, execArgv });
  } catch (err) {
    if ((err as { code?: unknown })?.code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
    const invalid = new Set(
      ((err as Error).message.split(': ')[1] ?? '').split(',').map((f) => f.trim().split('=')[0]),
    );
    const valid: string[] = [];
    for (let i = 0; i < execArgv.length; i++) {
      const a = execArgv[i]!;
      if (!invalid.has(a.split('=')[0])) valid.push(a);
      // `--max-old-space-size 100`: its value goes with it.
      else if (!a.includes('=') && execArgv[i + 1] !== undefined && !execArgv[i + 1]!.startsWith('-')) i++;
    }
    return new Worker(file, { workerData, execArgv: valid });
  }
}

/** The worker script next to this module: `report-worker.js` when built, `.ts` under a TS loader. */
function workerFile(): string | null {
  const dir = dirname(fileURLToPath(import.meta.url));
  for (const name of ['report-worker.js', 'report-worker.ts']) {
    const f = join(dir, name);
    if (existsSync(f)) return f;
  }
  return null;
}

/** Options of {@link ledgerBudgetStatus}. */
export interface LedgerBudgetOptions {
  /** IANA zone of calendar periods (default UTC). */
  timeZone?: string;
  /** "Now", epoch ms (default Date.now()). */
  now?: number;
  /** Most keys listed per scoped budget, highest use first (default 20). */
  top?: number;
  /**
   * Also sum the calls that started in `[from, to)` (epoch ms; a missing bound is open), whatever the
   * budgets' periods: the figure `report` gives for the same window. The ledger is then read from
   * `from` (or from its start) rather than only as far back as the budgets need.
   */
  window?: { from?: number | undefined; to?: number | undefined };
  /** Warnings about unreadable lines. */
  onWarning?: (message: string) => void;
}

/** Spend in the window of {@link LedgerBudgetOptions.window}. */
export interface LedgerWindowSpend {
  /** Calls (ledger lines) that started in the window, failed ones included. */
  calls: number;
  /** Their cost, USD. */
  spent: number;
  /** Their cost, exact, pico-USD. */
  spentPico: bigint;
}

/** Result of {@link ledgerBudgetStatus}. */
export interface LedgerBudgetReport extends LedgerScanResult {
  /** Spend against each limit (global scopes first; scoped budgets: the top keys). */
  statuses: BudgetStatus[];
  /** Number of keys per scoped budget that reached the warning threshold or more. */
  overWarning: Partial<Record<BudgetScope, number>>;
  /** Spend in the requested window (present when `window` was given). */
  window?: LedgerWindowSpend;
}

interface ScopeState {
  scope: BudgetScope;
  limit: Required<Omit<BudgetLimit, 'period'>> & { period: BudgetPeriod };
  fromIso: string | null;
  periodKey: string;
  spent: PicoSum;
  keys: Map<string, PicoSum> | null;
}

/** Exact pico sum: a float part below 2^52 that spills into a BigInt. */
class PicoSum {
  lo = 0;
  hi = 0n;
  add(p: number): void {
    const lo = this.lo + p;
    if (lo < 2 ** 52) this.lo = lo;
    else {
      this.hi += BigInt(this.lo) + BigInt(p);
      this.lo = 0;
    }
  }
  value(): bigint {
    return this.hi + BigInt(this.lo);
  }
}

/** A limit with its defaults, checked as the tracker checks it (`INVALID_BUDGET`). */
function normLimit(scope: BudgetScope, b: BudgetLimit | number, period: BudgetPeriod): ScopeState['limit'] {
  const r = budgetRule(scope, b, period);
  return { limit: r.limit, warning: r.warning, critical: r.critical, period: r.period };
}

const KEY_CAP = 50_000;

/**
 * Spend in the ledger against budget limits for the current periods (today and this month in
 * `timeZone`, and per session, user and tenant). Reads only as far back as the longest period needs.
 */
export function ledgerBudgetStatus(
  path: string,
  budgets: BudgetConfig,
  options: LedgerBudgetOptions = {},
): LedgerBudgetReport {
  try {
    checkPath(path);
    if (typeof budgets !== 'object' || budgets === null || Array.isArray(budgets)) {
      throw new InvalidArgumentError(
        'budgets',
        `expected a budget config object, got ${describeValue(budgets)}`,
      );
    }
    const o = checkOptions(options);
    checkFields(o, 'options', {
      timeZone: 'string',
      now: 'number',
      top: 'number',
      window: 'object',
      onWarning: 'function',
    });
    if (o.now !== undefined && !Number.isFinite(o.now)) {
      throw new InvalidArgumentError('options.now', `expected epoch ms, got ${o.now}`);
    }
    if (o.window !== undefined) {
      const { from, to } = o.window;
      for (const [k, v] of [
        ['from', from],
        ['to', to],
      ] as const) {
        if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) {
          throw new InvalidArgumentError(`options.window.${k}`, `expected epoch ms, got ${describeValue(v)}`);
        }
      }
    }
    return budgetStatus(path, budgets, o);
  } catch (err) {
    throw ledgerError(err, 'ledgerBudgetStatus', path);
  }
}

function budgetStatus(path: string, budgets: BudgetConfig, options: LedgerBudgetOptions): LedgerBudgetReport {
  const cal = new ZonedCalendar(options.timeZone ?? 'UTC');
  const now = options.now ?? Date.now();
  const day = cal.period(now, 'day');
  const month = cal.period(now, 'month');
  const startOf = (p: BudgetPeriod) =>
    p === 'day'
      ? { iso: new Date(day.start).toISOString(), key: day.key }
      : p === 'month'
        ? { iso: new Date(month.start).toISOString(), key: month.key }
        : { iso: null, key: 'total' };
  const states: ScopeState[] = [];
  const add = (
    scope: BudgetScope,
    b: BudgetLimit | number | undefined,
    period: BudgetPeriod,
    keyed: boolean,
  ) => {
    if (b === undefined) return;
    const limit = normLimit(scope, b, period);
    if (scope === 'daily') limit.period = 'day';
    if (scope === 'monthly') limit.period = 'month';
    const p = startOf(limit.period);
    states.push({
      scope,
      limit,
      fromIso: p.iso,
      periodKey: p.key,
      spent: new PicoSum(),
      keys: keyed ? new Map() : null,
    });
  };
  add('daily', budgets.daily, 'day', false);
  add('monthly', budgets.monthly, 'month', false);
  add('tenant', budgets.perTenant, 'day', true);
  add('user', budgets.perUser, 'day', true);
  add('session', budgets.perSession, 'total', true);
  let from: string | null | undefined;
  const starts = states.map((st) => st.fromIso);
  const win = options.window;
  const inWindow = win ? new StartTimeWindow(win.from, win.to) : null;
  if (win) starts.push(win.from !== undefined ? boundText(win.from) : null);
  for (const start of starts) {
    if (start === null) from = null;
    else if (from !== null && (from === undefined || start < from)) from = start;
  }
  let windowCalls = 0;
  const windowSpent = new PicoSum();
  const scan = scanLedgerFast(
    path,
    { ...(from ? { from } : {}), ...(options.onWarning ? { onWarning: options.onWarning } : {}) },
    (l) => {
      const pico = l.costPico();
      if (inWindow?.has(l.startTime)) {
        windowCalls++;
        if (pico !== null) windowSpent.add(pico);
      }
      if (pico === null || pico === 0) return;
      for (const st of states) {
        if (st.fromIso !== null && l.startTime < st.fromIso) continue;
        if (st.keys === null) {
          st.spent.add(pico);
          continue;
        }
        const key = st.scope === 'session' ? l.session : st.scope === 'user' ? l.user : l.tenant;
        if (!key) continue;
        let sum = st.keys.get(key);
        if (sum === undefined) {
          if (st.keys.size >= KEY_CAP) prune(st.keys);
          sum = new PicoSum();
          st.keys.set(key, sum);
        }
        sum.add(pico);
      }
    },
  );
  const top = Math.max(1, options.top ?? 20);
  const statuses: BudgetStatus[] = [];
  const overWarning: Partial<Record<BudgetScope, number>> = {};
  for (const st of states) {
    if (st.keys === null) {
      statuses.push(status(st, undefined, st.spent));
      continue;
    }
    const rows = [...st.keys.entries()].map(([k, p]) => status(st, k, p));
    rows.sort((a, b) => b.used - a.used);
    overWarning[st.scope] = rows.filter((r) => r.level !== 'ok').length;
    statuses.push(...rows.slice(0, top));
  }
  const report: LedgerBudgetReport = { ...scan, statuses, overWarning };
  if (win) {
    const spentPico = windowSpent.value();
    report.window = { calls: windowCalls, spentPico, spent: picoToUsd(spentPico) };
  }
  return report;
}

/** Keep the half of the keys with the highest spend (the others cannot lead the status list). */
function prune(keys: Map<string, PicoSum>): void {
  const sorted = [...keys.entries()].sort((a, b) => (b[1].value() > a[1].value() ? 1 : -1));
  keys.clear();
  for (let i = 0; i < KEY_CAP / 2; i++) keys.set(sorted[i]![0], sorted[i]![1]);
}

function status(st: ScopeState, key: string | undefined, sum: PicoSum): BudgetStatus {
  const l = st.limit;
  const limitPico = BigInt(usdToPico(l.limit));
  const pico = sum.value();
  const level =
    pico >= limitPico
      ? 'exceeded'
      : pico >= BigInt(Math.ceil(Number(limitPico) * l.critical))
        ? 'critical'
        : pico >= BigInt(Math.ceil(Number(limitPico) * l.warning))
          ? 'warning'
          : 'ok';
  const spent = picoToUsd(pico);
  return {
    scope: st.scope,
    ...(key !== undefined ? { key } : {}),
    period: st.periodKey,
    spent,
    limit: l.limit,
    used: l.limit > 0 ? spent / l.limit : spent > 0 ? Number.POSITIVE_INFINITY : 0,
    level,
    warning: l.warning,
    critical: l.critical,
  };
}
