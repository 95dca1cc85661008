import { isAscii } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { open as openAsync } from 'node:fs/promises';
import { closedError, describeValue, InvalidArgumentError } from '../../errors.js';
import { ledgerLineProblem } from '../../ledger/check.js';
import { type BytesDecoder, FastLine, scanLine } from '../../ledger/fast-line.js';
import { expandLedgerLine, type LedgerLine } from '../../ledger/line.js';
import { getLogger } from '../../logger.js';
import { parseTimeSpec, TIME_SYNTAX } from '../../tracker/time-syntax.js';
import { checkFields, checkOptions, checkPath, errnoCode, ledgerError } from './errors.js';
import { type LedgerFile, listLedgerFiles } from './files.js';

/** Options of {@link scanLedger} and {@link readLedger}. */
export interface ReadLedgerOptions {
  /** Only calls that started at or after this time. */
  from?: Date | number | string;
  /** Only calls that started before this time. */
  to?: Date | number | string;
  /** Read only the active file, not rotated ones (default false). */
  activeOnly?: boolean;
  /** Receives warnings about unreadable lines (default: the library logger's `warn`). */
  onWarning?: (message: string) => void;
}

/** What a read saw. */
export interface LedgerScanResult {
  /** Files read, oldest first. */
  files: string[];
  /** Lines read (excluding blank lines). */
  lines: number;
  /** Lines inside the time range, handed to the caller. */
  matched: number;
  /** Lines skipped: not JSON, or not a valid ledger line (see `ledgerLineProblem`). */
  skipped: number;
  /** Skipped lines per file. */
  skippedPerFile: Record<string, number>;
  /** The skipped lines with their line numbers and reasons (at most 1,000 per file). */
  skippedLines: SkippedLine[];
}

/**
 * Bytes read (and decoded) at a time by the report reader. Small on purpose: a block's text up to
 * ~128 KB lives in V8's young generation and dies cheaply, whereas multi-megabyte blocks land in
 * large-object space, which only a full GC frees: at 4 MiB a 1M-line report peaked at 257 MB RSS on two
 * threads against 108 MB at 64 KiB, and used no less CPU (`bench/report.ts`).
 */
const CHUNK = 64 * 1024;
const NL = 0x0a;

/**
 * Bytes → text. Ledger blocks are nearly always pure ASCII, which decodes as Latin-1 to the same text
 * several times faster than through the UTF-8 decoder (most of the read time of a large ledger).
 */
function decode(buf: Buffer, end: number): string {
  return buf.toString(isAscii(buf.subarray(0, end)) ? 'latin1' : 'utf8', 0, end);
}

/** A ledger string's bytes as text for the field scanner: Latin-1 (faster) when they are ASCII. */
const decodeBytes: BytesDecoder = (bytes, from, to, ascii) =>
  (bytes as Buffer).toString(ascii ? 'latin1' : 'utf8', from, to);

/**
 * Parse a time option to epoch ms. Strings are read in the library's time syntax
 * ({@link TIME_SYNTAX}: `7d`, `now`, `2026-11-01`, `2026-11-01T10:00:00Z`, …), dates and zone-less
 * date-times in UTC.
 * @throws {InvalidArgumentError} (`INVALID_ARGUMENT`, path `name`) for anything else.
 */
export function parseTime(v: Date | number | string | undefined, name = 'time'): number | undefined {
  const label = typeof name === 'string' ? name : 'time';
  if (v === undefined) return undefined;
  let n: number | undefined;
  try {
    n = typeof v === 'number' ? v : v instanceof Date ? v.getTime() : parseTimeSpec(v, { now: Date.now() });
  } catch (err) {
    throw closedError(err, 'parseTime');
  }
  if (n === undefined || !Number.isFinite(n)) {
    const shown = typeof v === 'string' ? v.slice(0, 80) : describeValue(v);
    throw new InvalidArgumentError(label, `not a valid date/time: ${shown} (use ${TIME_SYNTAX})`);
  }
  return n;
}

/**
 * A system error of reading `path` as a typed error naming it (a read error carries no path of its
 * own); anything else (a callback's error) as it is. Once per file, never per line.
 */
function fileError(err: unknown, path: string): unknown {
  return errnoCode(err) === undefined ? err : ledgerError(err, 'read', path);
}

/** @internal The checks at the entry of a ledger read: path, options object and its typed fields. */
export function checkReadArgs(path: unknown, options: ReadLedgerOptions | undefined): ReadLedgerOptions {
  checkPath(path);
  const o = checkOptions(options);
  checkFields(o, 'options', { activeOnly: 'boolean', onWarning: 'function' });
  parseTime(o.from, 'from');
  parseTime(o.to, 'to');
  return o;
}

/**
 * Calls that started in `[from, to)` (epoch ms; a missing bound is open), tested on the ledger's
 * `start_time` text: the ledger's own form (`2026-11-01T10:00:00.000Z`, 24 characters) is compared as text, any other
 * form is parsed.
 */
export class StartTimeWindow {
  /** Whether either bound is set (else every time is in). */
  readonly bounded: boolean;
  private readonly fromIso: string | null;
  private readonly toIso: string | null;
  private readonly fromMs: number;
  private readonly toMs: number;

  constructor(from: number | undefined, to: number | undefined) {
    this.fromMs = from ?? Number.NEGATIVE_INFINITY;
    this.toMs = to ?? Number.POSITIVE_INFINITY;
    this.fromIso = from !== undefined ? boundText(from) : null;
    this.toIso = to !== undefined ? boundText(to) : null;
    this.bounded = from !== undefined || to !== undefined;
  }

  /** Whether a call that started at `st` (ISO text) is in the window. */
  has(st: string): boolean {
    if (st.length === 24 && st.charCodeAt(23) === 0x5a) {
      return (this.fromIso === null || st >= this.fromIso) && (this.toIso === null || st < this.toIso);
    }
    const t = Date.parse(st);
    return t >= this.fromMs && t < this.toMs;
  }
}

/** Above every time text of the ledger's own form (all ASCII). */
const AFTER_ALL_TIMES = '\u{ffff}';

/**
 * The instant `ms` as a bound that the ledger's own time texts (`2026-11-01T10:00:00.000Z`, the years
 * 0–9999) compare against as text: its ISO text in those years; before them '' (below every time), after
 * them a text above every time. `toISOString` writes other years with a sign and six digits
 * (`+010000-01-01…`), which sorts before `2026-…`: `--to 9999-12-31` (the year 10000) found no calls.
 */
export function boundText(ms: number): string {
  const iso = new Date(ms).toISOString();
  if (iso.length === 24) return iso;
  return ms < 0 ? '' : AFTER_ALL_TIMES;
}

/** A line a read skipped: where it is and why. */
export interface SkippedLine {
  /** The ledger file. */
  file: string;
  /** Line number in the file, from 1 (blank lines count). */
  line: number;
  /** Why: `not JSON`, the schema rule it breaks, or the torn last line of a file. */
  reason: string;
  /** @internal For a torn fragment glued to a whole record: where the record (which was read) starts. */
  keepFrom?: number;
}

/** The reason given for a file's last line when it is not JSON and has no newline after it. */
export const TORN_LAST_LINE =
  'a torn last line (no newline at the end of the file: a writer was killed mid-write)';

/** Most skipped lines listed (with their reasons) per file; more are only counted. */
const LISTED_PER_FILE = 1000;

/** Filters lines by `start_time` and turns text into ledger lines, counting what it skips. */
class LineParser {
  lines = 0;
  matched = 0;
  skipped = 0;
  /** Line number (from 1) of the last line seen in the current segment. */
  lineNo = 0;
  /** Skipped lines of the current segment, numbered from its start. */
  segment: Omit<SkippedLine, 'file'>[] = [];
  segmentSkipped = 0;
  private readonly window: StartTimeWindow;

  private readonly fast: FastLine | null;

  /** With `onFast`, lines are read by the field scanner into one reused {@link FastLine}. */
  constructor(
    from: number | undefined,
    to: number | undefined,
    private readonly onLine: ((line: LedgerLine) => void) | null,
    private readonly onFast: ((line: FastLine) => void) | null = null,
  ) {
    this.fast = onFast !== null ? new FastLine(decodeBytes) : null;
    this.window = new StartTimeWindow(from, to);
  }

  /** Parse a block of complete lines (each ending in `\n`). */
  block(text: string): void {
    if (text.length === 0) return;
    if (this.fast !== null) {
      // Text reaches the field scanner only at a segment's end without its newline: as bytes, ended.
      const bytes = Buffer.from(text.endsWith('\n') ? text : `${text}\n`, 'utf8');
      this.blockBytes(bytes, bytes.length);
      return;
    }
    // Fast path: the whole block as one JSON array. JSON strings cannot hold a raw newline, so every
    // newline is a line break; a torn or blank line makes the parse fail and we go line by line.
    let parsed: unknown[] | null = null;
    if (text.indexOf('\n\n') < 0 && text.charCodeAt(0) === 0x7b) {
      try {
        parsed = JSON.parse(`[${text.slice(0, -1).replaceAll('\n', ',')}]`) as unknown[];
      } catch {
        parsed = null;
      }
    }
    if (parsed !== null) {
      for (const v of parsed) {
        this.lineNo++;
        this.take(v);
      }
      return;
    }
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      this.lineNo++;
      this.one(text.slice(start, end));
      start = end + 1;
    }
  }

  /** A block of complete lines read into `buf[0, end)`: scanned in its bytes, or decoded and parsed. */
  blockRead(buf: Buffer, end: number): void {
    if (this.fast !== null) this.blockBytes(buf, end);
    else this.block(decode(buf, end));
  }

  /**
   * The field scanner's read of a block of complete lines, `buf[0, end)` (each ending in `\n`): each line
   * is read in its bytes, which is also how its end is found; a line the scanner declines is decoded and
   * parsed the general way (`one`).
   */
  blockBytes(buf: Buffer, end: number): void {
    const f = this.fast!;
    let start = 0;
    while (start < end) {
      this.lineNo++;
      if (buf[start] === NL) {
        start++;
        continue;
      }
      // The scanner accepts only lines that pass every check of `ledgerLineProblem` (it declines
      // anything else, which then takes the JSON.parse path and gets the checker's verdict).
      const nl = scanLine(buf, start, f);
      if (nl >= 0) {
        this.lines++;
        // The start time is made a string only when a time range needs it.
        this.filter(this.window.bounded ? f.startTime : '', f);
        start = nl + 1;
      } else {
        const e = buf.indexOf(NL, start);
        const lineEnd = e < 0 || e > end ? end : e;
        // UTF-8 decodes a line alone as it decodes it within its block (a newline ends any sequence).
        this.one(buf.toString('utf8', start, lineEnd));
        start = lineEnd + 1;
      }
    }
  }

  /** A line (that may be torn); returns the reason when it was skipped. */
  one(raw: string, tornReason?: string): string | null {
    const s = raw.trim();
    if (s.length === 0) return null;
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch {
      // A torn fragment glued to the start of a whole line: keep the whole line.
      const at = raw.lastIndexOf('{"id":');
      if (at > 0) {
        try {
          const whole = JSON.parse(raw.slice(at)) as unknown;
          if (ledgerLineProblem(whole) === null) {
            this.take(whole);
            this.bad('a torn fragment before a whole record (the record is read)', at);
            return null;
          }
        } catch {}
      }
      this.lines++;
      const why = tornReason ?? 'not JSON';
      this.bad(why);
      return why;
    }
    return this.take(v);
  }

  /** The text after the last newline of a file (a torn last line unless it is a whole line). */
  tail(text: string): void {
    if (text.trim().length === 0) return;
    this.lineNo++;
    this.one(text, TORN_LAST_LINE);
  }

  private bad(reason: string, keepFrom?: number): void {
    this.skipped++;
    this.segmentSkipped++;
    if (this.segment.length < LISTED_PER_FILE) {
      this.segment.push(
        keepFrom === undefined ? { line: this.lineNo, reason } : { line: this.lineNo, reason, keepFrom },
      );
    }
  }

  /** Check and take a parsed line; returns the reason when it was skipped. */
  private take(v: unknown): string | null {
    this.lines++;
    const why = ledgerLineProblem(v);
    if (why !== null) {
      this.bad(why);
      return why;
    }
    const line = v as LedgerLine;
    const st = line.start_time;
    if (this.fast !== null) {
      this.fast.fromLine(line);
      this.filter(st, this.fast);
    } else this.filter(st, expandLedgerLine(v as Record<string, unknown>));
    return null;
  }

  private filter(st: string, line: LedgerLine | FastLine): void {
    if (this.window.bounded && !this.window.has(st)) return;
    this.matched++;
    if (this.onFast !== null) this.onFast(line as FastLine);
    else this.onLine!(line as LedgerLine);
  }
}

/** Collects the skipped lines of the segments read, with line numbers of their files. */
class SkipLog {
  readonly lines: SkippedLine[] = [];
  readonly perFile: Record<string, number> = {};

  /** Take the skipped lines of the segment the parser just read (starting at byte `start` of `file`). */
  take(parser: LineParser, file: string, start: number): void {
    if (parser.segmentSkipped > 0) {
      const base = start > 0 ? newlinesBefore(file, start) : 0;
      this.perFile[file] = (this.perFile[file] ?? 0) + parser.segmentSkipped;
      const listed = this.lines.filter((l) => l.file === file).length;
      for (const s of parser.segment.slice(0, Math.max(0, LISTED_PER_FILE - listed))) {
        this.lines.push({ file, ...s, line: s.line + base });
      }
    }
    parser.segment = [];
    parser.segmentSkipped = 0;
    parser.lineNo = 0;
  }
}

/** @internal Newlines in the first `end` bytes of a file (the line number a segment starting there begins after). */
export function newlinesBefore(path: string, end: number): number {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.allocUnsafe(1024 * 1024);
    let n = 0;
    for (let pos = 0; pos < end; ) {
      const got = readSync(fd, b, 0, Math.min(b.length, end - pos), pos);
      if (got === 0) break;
      for (let i = b.indexOf(NL, 0); i >= 0 && i < got; i = b.indexOf(NL, i + 1)) n++;
      pos += got;
    }
    return n;
  } finally {
    closeSync(fd);
  }
}

/** How many listed reasons a warning quotes per file. */
const QUOTED = 5;

/**
 * The warnings about skipped lines of a read: one per file, with the count and the first few line
 * numbers and reasons (`torn last line` for a file's unfinished last line, `invalid line N: …` else).
 */
export function skippedLineWarnings(
  scan: Pick<LedgerScanResult, 'files' | 'skippedLines' | 'skippedPerFile'>,
): string[] {
  const out: string[] = [];
  const files = [...scan.files, ...Object.keys(scan.skippedPerFile).filter((f) => !scan.files.includes(f))];
  for (const file of files) {
    const n = scan.skippedPerFile[file] ?? 0;
    if (n === 0) continue;
    const listed = scan.skippedLines.filter((l) => l.file === file).sort((a, b) => a.line - b.line);
    // The first few, and a torn last line always (it says a writer was killed, not that data is bad).
    const shown = listed.slice(0, QUOTED);
    const torn = listed.find((l) => l.reason === TORN_LAST_LINE);
    if (torn !== undefined && !shown.includes(torn)) shown.push(torn);
    const quoted = shown.map(describeSkipped);
    const more = n - quoted.length;
    out.push(
      `ledger ${file}: skipped ${n} unreadable line(s) (${quoted.join('; ')}${more > 0 ? `; and ${more} more` : ''})`,
    );
  }
  return out;
}

/** `a torn last line at line N (…)` for a file's unfinished last line, `invalid line N: reason` else. */
export function describeSkipped(l: Pick<SkippedLine, 'line' | 'reason'>): string {
  return l.reason === TORN_LAST_LINE
    ? `a torn last line at line ${l.line} (no newline at the end of the file: a writer was killed mid-write)`
    : `invalid line ${l.line}: ${l.reason}`;
}

/** Send the warnings of a read to `onWarning` (default: the library logger). */
export function warnSkipped(
  scan: Pick<LedgerScanResult, 'files' | 'skippedLines' | 'skippedPerFile'>,
  onWarning: ((m: string) => void) | undefined,
): void {
  const warn = onWarning ?? ((m: string) => getLogger().warn(m));
  for (const w of skippedLineWarnings(scan)) warn(w);
}

function filesFor(path: string, o: ReadLedgerOptions, from: number | undefined): LedgerFile[] {
  let files = listLedgerFiles(path);
  if (o.activeOnly) files = files.filter((f) => f.date === null);
  if (from !== undefined) {
    // A rotated file named D holds calls written on or before day D (UTC), so none started later.
    const fromDay = new Date(from).toISOString().slice(0, 10);
    files = files.filter((f) => f.date === null || f.date >= fromDay);
  }
  return files;
}

/**
 * Read the ledger at `path` (every rotated file, then the active one) synchronously and hand each
 * line in the time range to `onLine`. Files are read in 4 MiB blocks and each block is parsed as one
 * JSON array. Unreadable lines (torn writes) are skipped with one warning per file.
 */
export function scanLedger(
  path: string,
  options: ReadLedgerOptions,
  onLine: (line: LedgerLine) => void,
): LedgerScanResult {
  try {
    const o = checkReadArgs(path, options);
    if (typeof onLine !== 'function') {
      throw new InvalidArgumentError('onLine', `expected a function, got ${describeValue(onLine)}`);
    }
    return scan(path, o, (from, to) => new LineParser(from, to, onLine));
  } catch (err) {
    throw ledgerError(err, 'scanLedger', path);
  }
}

/**
 * Like {@link scanLedger}, but reads only the fields reports need, with a scanner that skips the rest
 * of each line (several times faster than `JSON.parse`); `onLine` receives one reused {@link FastLine}.
 */
export function scanLedgerFast(
  path: string,
  options: ReadLedgerOptions,
  onLine: (line: FastLine) => void,
): LedgerScanResult {
  return scan(path, options, (from, to) => new LineParser(from, to, null, onLine));
}

function scan(
  path: string,
  options: ReadLedgerOptions,
  make: (from: number | undefined, to: number | undefined) => LineParser,
): LedgerScanResult {
  const result = scanSegments(wholeLedger(path, options), options, make);
  warnSkipped(result, options.onWarning);
  return result;
}

/** Every file of the ledger that can hold calls in range, whole, one segment each. */
export function wholeLedger(path: string, options: ReadLedgerOptions): LedgerSegment[] {
  return filesFor(path, options, parseTime(options.from, 'from')).map((f) => ({
    path: f.path,
    start: 0,
    end: -1,
  }));
}

/**
 * A byte range of one ledger file, of whole lines: `start` is 0 or just after a newline, `end` is
 * just after a newline, or -1 for the end of the file (whose torn last line is then reported).
 */
export interface LedgerSegment {
  path: string;
  start: number;
  end: number;
}

/**
 * Pieces a reading thread's share of a ledger is cut into (about): threads claim pieces one at a time,
 * so they finish within about one piece of each other, however unevenly they start or run.
 */
const PIECES_PER_THREAD = 16;
/** Smallest piece (a piece costs an open, a cut and a claim): below this the pieces get fewer. */
const MIN_PIECE = 1024 * 1024;
/** Largest piece: the most one thread reads while the others may already be done. */
const MAX_PIECE = 8 * 1024 * 1024;

/**
 * @internal The files of the ledger at `path` cut at line boundaries into pieces of about the same size
 * (1–8 MiB, at least `threads` of them when the lines allow), in file order, for reading them on `threads`
 * threads that each claim the next piece until none are left. A file's pieces cover it from byte 0, and
 * its last piece ends at -1 (the file's end, whose torn last line is then reported); an empty file is one
 * piece. Null when `threads` < 2 or the ledger is smaller than `minBytes` (no file is opened then).
 */
export function cutLedger(
  path: string,
  options: ReadLedgerOptions,
  threads: number,
  minBytes = 0,
): LedgerSegment[] | null {
  const whole = wholeLedger(path, options);
  const files = whole.map((f) => ({
    path: f.path,
    size: statSync(f.path, { throwIfNoEntry: false })?.size ?? 0,
  }));
  const total = files.reduce((a, f) => a + f.size, 0);
  if (threads < 2 || total < minBytes) return null;
  const target = Math.ceil(total / (threads * PIECES_PER_THREAD));
  const piece = Math.max(
    1,
    Math.min(Math.ceil(total / threads), Math.max(MIN_PIECE, Math.min(MAX_PIECE, target))),
  );
  const out: LedgerSegment[] = [];
  for (const f of files) {
    let start = 0;
    if (f.size - start > piece) {
      const fd = openSync(f.path, 'r');
      const b = Buffer.allocUnsafe(CUT_READ);
      try {
        while (f.size - start > piece) {
          const cut = lineStartAfter(fd, start + piece, f.size, b);
          if (cut >= f.size) break;
          out.push({ path: f.path, start, end: cut });
          start = cut;
        }
      } finally {
        closeSync(fd);
      }
    }
    out.push({ path: f.path, start, end: -1 });
  }
  return out;
}

/**
 * @internal `[start, end)` of `path` (whole lines; `end` ≥ 0) cut at line boundaries into at most `parts`
 * segments of about the same size, in order (for checking them on several threads).
 */
export function splitSegment(path: string, start: number, end: number, parts: number): LedgerSegment[] {
  const out: LedgerSegment[] = [];
  const share = Math.ceil((end - start) / Math.max(1, parts));
  let from = start;
  while (out.length < parts - 1 && end - from > share) {
    const cut = lineStartAfterIn(path, from + share);
    if (cut >= end) break;
    out.push({ path, start: from, end: cut });
    from = cut;
  }
  out.push({ path, start: from, end });
  return out;
}

/** A scan of nothing: the start of a merge. */
function emptyScanResult(): LedgerScanResult {
  return { files: [], lines: 0, matched: 0, skipped: 0, skippedPerFile: {}, skippedLines: [] };
}

/**
 * @internal The scan results of consecutive segments ({@link splitSegment}, in order) as one: counts
 * added, skipped lines listed in order, at most 1,000 per file as in a single scan.
 */
export function mergeScanResults(results: readonly LedgerScanResult[]): LedgerScanResult {
  const out = emptyScanResult();
  const listed: Record<string, number> = {};
  for (const r of results) {
    for (const f of r.files) if (!out.files.includes(f)) out.files.push(f);
    out.lines += r.lines;
    out.matched += r.matched;
    out.skipped += r.skipped;
    for (const [f, n] of Object.entries(r.skippedPerFile))
      out.skippedPerFile[f] = (out.skippedPerFile[f] ?? 0) + n;
    for (const l of r.skippedLines) {
      if ((listed[l.file] ?? 0) >= LISTED_PER_FILE) continue;
      listed[l.file] = (listed[l.file] ?? 0) + 1;
      out.skippedLines.push(l);
    }
  }
  return out;
}

/**
 * Bytes read at a time when looking for a line's end: a few ledger lines (a cut costs one small read, not
 * a large one: a 1M-line ledger is cut ~100 times before its threads start).
 */
const CUT_READ = 4096;

/** The offset just after the first newline at or after `at` in the open file `fd` (`size` when there is none). */
function lineStartAfter(
  fd: number,
  at: number,
  size: number,
  b: Buffer = Buffer.allocUnsafe(CUT_READ),
): number {
  for (let pos = at; pos < size; pos += b.length) {
    const n = readSync(fd, b, 0, b.length, pos);
    const nl = b.subarray(0, n).indexOf(NL);
    if (nl >= 0) return pos + nl + 1;
    if (n === 0) break;
  }
  return size;
}

/** The offset just after the first newline at or after `at` of the file `path` (its size when there is none). */
function lineStartAfterIn(path: string, at: number): number {
  const fd = openSync(path, 'r');
  try {
    return lineStartAfter(fd, at, fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
}

/**
 * {@link scanLedgerFast} over segments. Warns about nothing: the skipped lines
 * are in the result (the caller merges the parts and warns once per file with {@link warnSkipped}).
 */
export function scanSegmentsFast(
  segments: LedgerSegment[],
  options: ReadLedgerOptions,
  onLine: (line: FastLine) => void,
): LedgerScanResult {
  return scanSegments(segments, options, (from, to) => new LineParser(from, to, null, onLine));
}

/**
 * @internal Check the lines of `segments` and nothing more (no time range, no visitor): the counts and
 * the skipped lines, as the dashboards' loader needs them before ClickHouse's parse is kept.
 */
export function checkSegments(segments: LedgerSegment[]): LedgerScanResult {
  return scanSegmentsFast(segments, {}, () => {});
}

/** @internal What {@link readWholeLines} leaves. */
export interface WholeLinesRead {
  /** The buffer read into: the one given, or a bigger one when a line outgrew it. */
  buf: Buffer;
  /** Bytes after the last newline read, `buf[0, carry)` (a torn line, or a segment without its last newline). */
  carry: number;
  /** True when `onLines` stopped the reading. */
  stopped: boolean;
}

/**
 * @internal Read `[start, end)` of the open file `fd` (`end` -1: to the file's end) into `buf`, block
 * by block; `onLines(buf, cut)` gets each block's complete lines, `buf[0, cut)` (`cut` just past a
 * newline), and returns false to stop reading. A line longer than the buffer doubles it.
 */
export function readWholeLines(
  fd: number,
  start: number,
  end: number,
  buf: Buffer,
  onLines: (buf: Buffer, cut: number) => boolean,
): WholeLinesRead {
  let carry = 0; // bytes of an incomplete line at the start of buf
  let at = start;
  for (;;) {
    if (carry === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, carry);
      buf = bigger;
    }
    const want = end < 0 ? buf.length - carry : Math.min(buf.length - carry, end - at);
    const n = want > 0 ? readSync(fd, buf, carry, want, at) : 0;
    at += n;
    const got = carry + n;
    if (n === 0) return { buf, carry, stopped: false };
    const nl = buf.lastIndexOf(NL, got - 1);
    if (nl < 0) {
      carry = got;
      continue;
    }
    if (!onLines(buf, nl + 1)) return { buf, carry, stopped: true };
    carry = got - nl - 1;
    if (carry > 0) buf.copy(buf, 0, nl + 1, got);
  }
}

function scanSegments(
  segments: LedgerSegment[],
  options: ReadLedgerOptions,
  make: (from: number | undefined, to: number | undefined) => LineParser,
): LedgerScanResult {
  const from = parseTime(options.from, 'from');
  const to = parseTime(options.to, 'to');
  const parser = make(from, to);
  const log = new SkipLog();
  let buf: Buffer = Buffer.allocUnsafe(CHUNK);
  for (const seg of segments) {
    buf = readSegment(parser, seg, buf);
    log.take(parser, seg.path, seg.start);
  }
  const files = [...new Set(segments.map((s) => s.path))];
  return {
    files,
    lines: parser.lines,
    matched: parser.matched,
    skipped: parser.skipped,
    skippedPerFile: log.perFile,
    skippedLines: log.lines,
  };
}

/** Hand the lines of `seg` to `parser`, read through `buf`; returns the buffer (a bigger one when a line outgrew it). */
function readSegment(parser: LineParser, seg: LedgerSegment, buf: Buffer): Buffer {
  let fd: number;
  try {
    fd = openSync(seg.path, 'r');
  } catch (err) {
    throw fileError(err, seg.path);
  }
  let carry: number;
  try {
    const read = readWholeLines(fd, seg.start, seg.end, buf, (b, cut) => {
      parser.blockRead(b, cut);
      return true;
    });
    buf = read.buf;
    carry = read.carry;
  } catch (err) {
    throw fileError(err, seg.path);
  } finally {
    closeSync(fd);
  }
  // A segment that ends inside its file ends at a line boundary; only the file's end can be torn.
  if (seg.end < 0) parser.tail(decode(buf, carry));
  else if (carry > 0) parser.block(`${decode(buf, carry)}\n`);
  return buf;
}

/** @internal What the read of one piece of a {@link cutLedger} found. */
export interface PieceScan {
  /** Lines read (excluding blank lines). */
  lines: number;
  /** Lines inside the time range. */
  matched: number;
  /** Lines skipped. */
  skipped: number;
  /** Lines of the piece, blank ones included: the next piece of its file numbers its lines after them. */
  lineCount: number;
  /** The skipped lines (at most 1,000), numbered from the piece's first line (1). */
  skippedLines: Omit<SkippedLine, 'file'>[];
}

/**
 * @internal A reader of ledger pieces (see {@link cutLedger}), one at a time in any order, through one
 * parser and buffer: lines in the time range go to `onLine` (one reused {@link FastLine}), and each piece's
 * counts and skipped lines come back on their own, to be put in file order by {@link mergePieceScans}.
 */
export function pieceReader(
  options: ReadLedgerOptions,
  onLine: (line: FastLine) => void,
): (piece: LedgerSegment) => PieceScan {
  const parser = new LineParser(parseTime(options.from, 'from'), parseTime(options.to, 'to'), null, onLine);
  let buf: Buffer = Buffer.allocUnsafe(CHUNK);
  return (piece) => {
    const { lines, matched, skipped } = parser;
    buf = readSegment(parser, piece, buf);
    const scan: PieceScan = {
      lines: parser.lines - lines,
      matched: parser.matched - matched,
      skipped: parser.skipped - skipped,
      lineCount: parser.lineNo,
      skippedLines: parser.segment,
    };
    parser.segment = [];
    parser.segmentSkipped = 0;
    parser.lineNo = 0;
    return scan;
  };
}

/**
 * @internal The scans of the pieces of a cut ledger (`scans[i]` read `pieces[i]`) as the one scan of its
 * whole files: counts added, and the skipped lines numbered from their file's start (after the lines of
 * the file's earlier pieces) and listed in file order, at most 1,000 per file, as a single scan lists them.
 */
export function mergePieceScans(
  pieces: readonly LedgerSegment[],
  scans: readonly PieceScan[],
): LedgerScanResult {
  const out = emptyScanResult();
  let file: string | null = null;
  let base = 0;
  let listed = 0;
  for (let i = 0; i < pieces.length; i++) {
    const path = pieces[i]!.path;
    const s = scans[i]!;
    if (path !== file) {
      // A file's pieces come one after another, from its first byte.
      file = path;
      base = 0;
      listed = out.skippedLines.filter((l) => l.file === path).length;
      if (!out.files.includes(path)) out.files.push(path);
    }
    out.lines += s.lines;
    out.matched += s.matched;
    out.skipped += s.skipped;
    if (s.skipped > 0) {
      out.skippedPerFile[path] = (out.skippedPerFile[path] ?? 0) + s.skipped;
      for (const l of s.skippedLines) {
        if (listed >= LISTED_PER_FILE) break;
        listed++;
        out.skippedLines.push({ file: path, ...l, line: l.line + base });
      }
    }
    base += s.lineCount;
  }
  return out;
}

/**
 * Stream the ledger at `path` (every rotated file, then the active one) as ledger lines, filtered by
 * start time. A torn last line is skipped with a warning. The generator's return value says what was read.
 *
 * @example
 * ```ts
 * for await (const line of readLedger('.langfuse-cost/ledger.jsonl', { from: '2026-11-01' })) {
 *   console.log(line.provided_model_name, line.total_cost);
 * }
 * ```
 */
export function readLedger(
  path: string,
  options: ReadLedgerOptions = {},
): AsyncGenerator<LedgerLine, LedgerScanResult, undefined> {
  let o: ReadLedgerOptions;
  try {
    o = checkReadArgs(path, options);
  } catch (err) {
    throw ledgerError(err, 'readLedger', path);
  }
  return readLedgerFiles(path, o);
}

async function* readLedgerFiles(
  path: string,
  options: ReadLedgerOptions,
): AsyncGenerator<LedgerLine, LedgerScanResult, undefined> {
  try {
    return yield* readFiles(path, options);
  } catch (err) {
    throw ledgerError(err, 'readLedger', path);
  }
}

async function* readFiles(
  path: string,
  options: ReadLedgerOptions,
): AsyncGenerator<LedgerLine, LedgerScanResult, undefined> {
  const from = parseTime(options.from, 'from');
  const to = parseTime(options.to, 'to');
  let out: LedgerLine[] = [];
  const parser = new LineParser(from, to, (l) => out.push(l));
  const log = new SkipLog();
  const files = filesFor(path, options, from);
  let buf = Buffer.allocUnsafe(1024 * 1024);
  for (const f of files) {
    let fh: Awaited<ReturnType<typeof openAsync>>;
    try {
      fh = await openAsync(f.path, 'r');
    } catch (err) {
      throw fileError(err, f.path);
    }
    let carry = 0;
    try {
      for (;;) {
        if (carry === buf.length) {
          const bigger = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(bigger, 0, 0, carry);
          buf = bigger;
        }
        const { bytesRead: n } = await fh.read(buf, carry, buf.length - carry, null);
        const end = carry + n;
        if (n === 0) break;
        const nl = buf.lastIndexOf(NL, end - 1);
        if (nl < 0) {
          carry = end;
          continue;
        }
        parser.block(decode(buf, nl + 1));
        carry = end - nl - 1;
        if (carry > 0) buf.copy(buf, 0, nl + 1, end);
        const batch = out;
        out = [];
        yield* batch;
      }
    } catch (err) {
      throw fileError(err, f.path);
    } finally {
      await fh.close();
    }
    parser.tail(decode(buf, carry));
    log.take(parser, f.path, 0);
    const batch = out;
    out = [];
    yield* batch;
  }
  const result: LedgerScanResult = {
    files: files.map((f) => f.path),
    lines: parser.lines,
    matched: parser.matched,
    skipped: parser.skipped,
    skippedPerFile: log.perFile,
    skippedLines: log.lines,
  };
  warnSkipped(result, options.onWarning);
  return result;
}
