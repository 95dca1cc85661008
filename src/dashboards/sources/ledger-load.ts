/**
 * Loading the JSONL ledger into a chDB session as Langfuse's v3 `observations` and `traces`, through the
 * columnar cache ({@link LedgerCache}) when there is one: cached parts are read as Native files; the
 * lines no part covers yet are checked by the ledger reader and parsed, then, with a cache, written to it
 * as a new part. A large whole file is checked by worker threads that write its lines as Native columns
 * (the JSON parsed once); when a line is not in our encoder's form, it is parsed by ClickHouse (a whole
 * file while the check runs, tables and cache files built before the check ends).
 */
import {
  closeSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Session } from 'chdb';
import { isLedgerTime } from '../../ledger/check.js';
import { LEDGER_ROWS_VERSION } from '../../node/ledger/native.js';
import {
  checkSegments,
  type LedgerScanResult,
  newlinesBefore,
  type SkippedLine,
  splitSegment,
} from '../../node/ledger/read.js';
import { checkSegmentsInWorkers, writeNativeInWorker } from '../../node/ledger/report.js';
import { boundParamTime } from '../params.js';
import { type CachePart, type LedgerCache, lastLineEnd } from './ledger-cache.js';
import {
  BESIDE_CHECK,
  COUNT_UNREAD_TIMES,
  CREATE_LEDGER_ROWS,
  CREATE_LEDGER_TIMES,
  CREATE_OBSERVATIONS,
  CREATE_TRACES,
  FILL_OBSERVATIONS,
  FILL_TRACES,
  fillFrom,
  KEEP_ORDER,
  LEDGER_SCHEMA,
  LEDGER_TIMES,
  LOAD_LEDGER_FILE,
  LOAD_LEDGER_FILE_READING_TIMES,
  NO_AGGREGATE_JIT,
  nativeStagingRows,
  UNREAD_TIMES,
} from './ledger-tables.js';

/** Most skipped lines tolerated per ledger file; more means "not a ledger". */
export const MAX_BAD_LINES = 1000;

/** Staging tables: one part's rows, before they join the tables the dashboards read. */
const PART_OBSERVATIONS = 'part_observations';
const PART_TRACES = 'part_traces';
/** Traces of every part, one row per trace and part, merged into `traces` at the end. */
const TRACE_PARTS = 'trace_parts';

const renameTable = (sql: string, from: string, to: string) =>
  sql.replace(`TABLE ${from} (`, `TABLE ${to} (`);
const intoTable = (sql: string, from: string, to: string) =>
  sql.replace(`INSERT INTO ${from}\n`, `INSERT INTO ${to}\n`);

/**
 * Traces of several parts → one row per trace: the same values {@link FILL_TRACES} gives when it reads
 * all the records at once (min, argMin, any non-empty, union of tags, max), so a trace whose calls are
 * in two files (or two parts of one) is one trace; newest first, like every table (see `ROW_ORDER`).
 */
const MERGE_TRACES = `INSERT INTO traces
SELECT
  id, min(timestamp) AS ts, argMin(name, timestamp), any(user_id), project_id,
  if(countIf(environment != 'default') > 0, anyIf(environment, environment != 'default'), 'default'),
  arraySort(groupUniqArrayArray(tags)), any(session_id), max(event_ts)
FROM ${TRACE_PARTS}
GROUP BY project_id, id
ORDER BY max(event_ts) DESC
${NO_AGGREGATE_JIT}`;

/**
 * What the cache key depends on: the SQL that builds the tables (and the engine's version, which
 * writes the Native files). A change to either makes every entry stale.
 */
export function cacheSchema(engineVersion: string): string {
  return [
    engineVersion,
    `rows ${LEDGER_ROWS_VERSION}`,
    CREATE_LEDGER_ROWS,
    LOAD_LEDGER_FILE,
    UNREAD_TIMES,
    LOAD_LEDGER_FILE_READING_TIMES,
    CREATE_OBSERVATIONS,
    CREATE_TRACES,
    FILL_OBSERVATIONS,
    FILL_TRACES,
    MERGE_TRACES,
  ].join('\n');
}

/** What {@link loadLedger} read. */
export interface LedgerLoad
  extends Pick<LedgerScanResult, 'files' | 'skipped' | 'skippedPerFile' | 'skippedLines'> {
  /** Parts read from the cache, and parts parsed from the ledger (`built`, cached when there is a cache). */
  cachedParts: number;
  builtParts: number;
  /** Parts of files whose lines worker threads checked (0: every check ran on the loading thread). */
  checkWorkers: number;
}

/** Options of {@link loadLedger}. */
export interface LoadLedgerOptions {
  /** The cache, or null to parse every file. */
  cache: LedgerCache | null;
  onProgress?: ((message: string) => void) | undefined;
  /**
   * @internal Files at least this large have their lines checked by worker threads (default
   * {@link CHECK_IN_WORKERS_MIN_BYTES}); tests lower it.
   */
  checkWorkersMinBytes?: number | undefined;
}

/** A whole file this large is checked by worker threads (smaller ones are not worth starting them). */
export const CHECK_IN_WORKERS_MIN_BYTES = 32 * 1024 * 1024;

/**
 * Fill `observations` and `traces` in `session` from the ledger `files` (in order). Returns null and
 * the first failing file's message… never: a cache entry that cannot be read is warned about once and
 * its file parsed again. Throws (a message for the caller to wrap) when a file has more than
 * {@link MAX_BAD_LINES} invalid lines, or ClickHouse cannot parse a checked file.
 */
export async function loadLedger(
  session: Session,
  files: string[],
  options: LoadLedgerOptions,
): Promise<LedgerLoad> {
  const exec = (sql: string, params: Record<string, string> = {}) => session.queryBindAsync(sql, params);
  await exec(CREATE_LEDGER_ROWS);
  await exec(CREATE_OBSERVATIONS);
  await exec(renameTable(CREATE_OBSERVATIONS, 'observations', PART_OBSERVATIONS));
  await exec(renameTable(CREATE_TRACES, 'traces', PART_TRACES));
  await exec(renameTable(CREATE_TRACES, 'traces', TRACE_PARTS));
  const ignore = new Set<string>();
  for (;;) {
    const r = await loadFiles(session, files, options, ignore);
    if (typeof r !== 'string') {
      await exec(CREATE_TRACES);
      // One part: its traces are already whole (the merge would give the same rows).
      await exec(
        r.cachedParts + r.builtParts === 1
          ? `INSERT INTO traces SELECT * FROM ${TRACE_PARTS} ${KEEP_ORDER}`
          : MERGE_TRACES,
      );
      for (const t of ['ledger_rows', PART_OBSERVATIONS, PART_TRACES, TRACE_PARTS])
        await exec(`DROP TABLE ${t}`);
      await exec(`DROP TABLE IF EXISTS ${LEDGER_TIMES}`);
      return r;
    }
    // A cached part of file `r` could not be read: start over, parsing that file.
    ignore.add(r);
    for (const t of ['observations', TRACE_PARTS]) await exec(`TRUNCATE TABLE ${t}`);
  }
}

/** Load every file; the name of a file whose cached part failed to load (the caller retries without it). */
async function loadFiles(
  session: Session,
  files: string[],
  options: LoadLedgerOptions,
  ignore: Set<string>,
): Promise<LedgerLoad | string> {
  const exec = (sql: string, params: Record<string, string> = {}) => session.queryBindAsync(sql, params);
  const out: LedgerLoad = {
    files,
    skipped: 0,
    skippedPerFile: {},
    skippedLines: [],
    cachedParts: 0,
    builtParts: 0,
    checkWorkers: 0,
  };
  for (const file of files) {
    const st = statSync(file);
    const cache = options.cache;
    // A file whose entry could not be read is parsed again, and its entry written anew.
    const plan = (ignore.has(file) ? null : cache?.plan(file, st)) ?? { parts: [], from: 0 };
    options.onProgress?.(plan.parts.length > 0 ? `loading ${file} (cached)` : `loading ${file}`);
    for (const p of plan.parts) {
      if (p.observations === '') {
        // A part of skipped lines only: nothing to load, only its warnings.
        count(out, file, p.skipped, p.skippedLines);
        out.cachedParts++;
        continue;
      }
      try {
        await exec(`INSERT INTO observations SELECT * FROM file({path:String}, 'Native') ${KEEP_ORDER}`, {
          path: cache!.path(p.observations),
        });
        await exec(`INSERT INTO ${TRACE_PARTS} SELECT * FROM file({path:String}, 'Native') ${KEEP_ORDER}`, {
          path: cache!.path(p.traces),
        });
      } catch (err) {
        cache!.corrupt(file, (err as Error)?.message?.split('\n')[0] ?? String(err));
        return file;
      }
      count(out, file, p.skipped, p.skippedLines);
      out.cachedParts++;
    }
    const end = lastLineEnd(file, st.size);
    const fresh: CachePart[] = [];
    if (end > plan.from) {
      const { checkWorkers, ...part } = await buildPart(session, file, st, plan.from, end, cache, options);
      count(out, file, part.skipped, part.skippedLines);
      out.builtParts++;
      out.checkWorkers += checkWorkers;
      if (cache !== null) fresh.push(part);
    }
    // Bytes after the last newline (a torn write, or a last line without its newline): read every time.
    if (st.size > end) {
      const tail = await buildPart(session, file, st, end, -1, null, options);
      count(out, file, tail.skipped, tail.skippedLines);
      if (tail.skipped === 0) out.builtParts++;
    }
    if ((out.skippedPerFile[file] ?? 0) > MAX_BAD_LINES) {
      throw new Error(
        `${file}: ${out.skippedPerFile[file]} invalid lines (more than ${MAX_BAD_LINES}): is it a ledger?`,
      );
    }
    if (cache !== null && fresh.length > 0) cache.commit(file, st, end, [...plan.parts, ...fresh], fresh);
  }
  return out;
}

function count(out: LedgerLoad, file: string, skipped: number, lines: SkippedLine[]): void {
  if (skipped === 0) return;
  out.skipped += skipped;
  out.skippedPerFile[file] = (out.skippedPerFile[file] ?? 0) + skipped;
  out.skippedLines.push(...lines);
}

/** @internal How many rows `table` holds in `session`. */
export function rowsIn(session: Session, table: string): Promise<number> {
  return countOf(session, `SELECT count() FROM ${table}`);
}

/** The number a `SELECT count() …` query gives. */
async function countOf(session: Session, sql: string): Promise<number> {
  const r = await session.queryBindAsync(sql, {}, { format: 'TSV' });
  return Number(r.text().trim());
}

/** Toward the part's cache files: where to write them, by table. */
interface PartFiles {
  cache: LedgerCache;
  observations: string;
  traces: string;
}

/** Where a part's staging rows are read: a table or a subquery, and its bound parameters. */
type StagingRows = { source: string; params: Record<string, string> };

/** The staging rows in the `ledger_rows` table (filled from JSON). */
const STAGING_TABLE: StagingRows = { source: 'ledger_rows', params: {} };

/**
 * Fill the part tables from the staging `rows` (by default `ledger_rows`, once `load` has filled it),
 * then (with a cache) write them as the part's Native files, under their temporary names.
 */
async function fillPart(
  session: Session,
  load: () => Promise<unknown>,
  files: PartFiles | null,
  rows: StagingRows = STAGING_TABLE,
): Promise<void> {
  const exec = (sql: string, params: Record<string, string> = {}) => session.queryBindAsync(sql, params);
  await load();
  await exec(
    fillFrom(intoTable(FILL_OBSERVATIONS, 'observations', PART_OBSERVATIONS), rows.source),
    rows.params,
  );
  await exec(fillFrom(intoTable(FILL_TRACES, 'traces', PART_TRACES), rows.source), rows.params);
  if (files === null) return;
  for (const [table, name] of [
    [PART_OBSERVATIONS, files.observations],
    [PART_TRACES, files.traces],
  ] as const) {
    await exec(
      `INSERT INTO FUNCTION file({path:String}, 'Native') SELECT * FROM ${table} ${KEEP_ORDER}, engine_file_truncate_on_insert = 1`,
      { path: files.cache.temp(name) },
    );
  }
}

/**
 * How many worker threads check a whole file's lines (see {@link buildPart}): one per core but one, at
 * most 4. The other core is ClickHouse's: its parse, the table fills and the cache writes run one after
 * the other and take longer than the check, so they are what the first load waits for (on 2 cores, a
 * second checking thread only takes CPU from them).
 */
function checkShares(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/**
 * Check the lines of `file` in `[start, end)` (`end` -1: to the end, whose torn last line is skipped),
 * parse the valid ones with ClickHouse into both tables and, with a cache, write them as a new part.
 */
async function buildPart(
  session: Session,
  file: string,
  st: Stats,
  start: number,
  end: number,
  cache: LedgerCache | null,
  options: LoadLedgerOptions,
): Promise<CachePart & { checkWorkers: number }> {
  const exec = (sql: string, params: Record<string, string> = {}) => session.queryBindAsync(sql, params);
  const names = cache !== null ? cache.partNames(file, st, start, end) : null;
  const files = names !== null ? { cache: cache!, ...names } : null;
  const removeTemp = () => {
    if (files !== null)
      for (const n of [files.observations, files.traces]) rmSync(cache!.temp(n), { force: true });
  };
  // A whole file is most likely all valid: ClickHouse parses it and builds the part (and its cache files)
  // while its lines are checked, and all that is kept when the check skips nothing (the common case).
  // Otherwise it is dropped and the valid lines are loaded from a copy, as without the overlap. A large
  // file is checked by worker threads, so that this thread can hand chDB each next step meanwhile.
  const overlap = start === 0 && end === st.size;
  let check: LedgerScanResult | null = null;
  let checkWorkers = 0;
  let built = false;
  // A large whole file: its lines are checked on worker threads that also write them as Native columns
  // (JSON parsed once), unless one is not in the form our encoder writes (then the general way below).
  if (overlap && end >= (options.checkWorkersMinBytes ?? CHECK_IN_WORKERS_MIN_BYTES)) {
    const native = await loadNative(session, file, start, end, files);
    if (native === null) removeTemp();
    else {
      check = {
        files: [file],
        lines: native.lines,
        matched: native.lines,
        skipped: 0,
        skippedPerFile: {},
        skippedLines: [],
      };
      checkWorkers = native.workers;
      built = true;
      options.onProgress?.(
        `loading ${file} (lines checked on ${checkWorkers} worker threads, which wrote them as columns)`,
      );
    }
  }
  if (check === null && overlap) {
    const building = fillPart(session, () => loadJson(session, file, true), files).then(
      () => null,
      (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
    );
    // chDB starts a query on a later turn of the event loop: let it start before a check on this thread
    // (a small file's, or a share no worker could take) blocks this one.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (end >= (options.checkWorkersMinBytes ?? CHECK_IN_WORKERS_MIN_BYTES)) {
      const r = await checkSegmentsInWorkers(splitSegment(file, start, end, checkShares()));
      check = r.scan;
      checkWorkers = r.workers;
      options.onProgress?.(`loading ${file} (lines checked on ${checkWorkers} worker threads)`);
    } else check = checkSegments([{ path: file, start, end }]);
    const err = await building;
    // ClickHouse read the file to its end as it was when it parsed: a file that grew since its stat (the
    // active ledger) gave it lines the check never saw, or a half-written last one (an error). Those,
    // like a skipped line, send the part through a copy of the checked lines (where a real ClickHouse
    // error recurs and is thrown).
    built =
      (check.skippedPerFile[file] ?? 0) === 0 &&
      err === null &&
      (await rowsIn(session, 'ledger_rows')) === check.lines;
    if (!built) {
      for (const t of ['ledger_rows', PART_OBSERVATIONS, PART_TRACES]) await exec(`TRUNCATE TABLE ${t}`);
      removeTemp();
    }
  }
  if (check === null) check = checkSegments([{ path: file, start, end }]);
  const skipped = check.skippedPerFile[file] ?? 0;
  const part: CachePart & { checkWorkers: number } = {
    start,
    end,
    observations: '',
    traces: '',
    observationsBytes: 0,
    tracesBytes: 0,
    skipped,
    skippedLines: check.skippedLines,
    checkWorkers,
  };
  // Nothing to load (a torn last line): no part.
  if (check.lines === skipped && skipped > 0) return part;
  if (!built) {
    const tmp = mkdtempSync(join(tmpdir(), 'langfuse-cost-ledger-'));
    try {
      const source = join(tmp, 'part.jsonl');
      if (writeValidLines(file, start, end < 0 ? st.size : end, check.skippedLines, source) === 0)
        return part;
      await fillPart(session, () => loadJson(session, source, false), files);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  if (files !== null) {
    Object.assign(part, names);
    part.observationsBytes = statSync(cache!.temp(files.observations)).size;
    part.tracesBytes = statSync(cache!.temp(files.traces)).size;
  }
  await exec(`INSERT INTO observations SELECT * FROM ${PART_OBSERVATIONS} ${KEEP_ORDER}`);
  await exec(`INSERT INTO ${TRACE_PARTS} SELECT * FROM ${PART_TRACES} ${KEEP_ORDER}`);
  for (const t of ['ledger_rows', PART_OBSERVATIONS, PART_TRACES]) await exec(`TRUNCATE TABLE ${t}`);
  return part;
}

/**
 * Parse the ledger file `path` into `ledger_rows` ({@link LOAD_LEDGER_FILE}; `besideCheck`: while the
 * lines are checked, see `BESIDE_CHECK`). The SQL reads the ledger's own time form and ISO times as
 * `Date.parse` does; when the file has a time in any other form the line check accepts (`Date.parse`
 * reads it: `report` counts the call), those times are read here with `Date.parse`, as `report` reads
 * them, into `ledger_times`, and the file is parsed again reading them from there: the call is at the
 * instant `report` puts it. A time `Date.parse` cannot read is on a line the check skips (the rows the
 * caller keeps never have one).
 */
async function loadJson(session: Session, path: string, besideCheck: boolean): Promise<void> {
  const exec = (sql: string, params: Record<string, string> = {}) => session.queryBindAsync(sql, params);
  const settings = besideCheck ? BESIDE_CHECK : '';
  await exec(`${LOAD_LEDGER_FILE}${settings}`, { path, schema: LEDGER_SCHEMA });
  if ((await countOf(session, COUNT_UNREAD_TIMES)) === 0) return;
  const found = await session.queryBindAsync(UNREAD_TIMES, { path }, { format: 'JSONCompactEachRow' });
  const rows: string[] = [];
  for (const line of found.text().split('\n')) {
    if (line === '') continue;
    const [text] = JSON.parse(line) as [string];
    if (!isLedgerTime(text)) continue;
    const ms = boundParamTime(Date.parse(text));
    rows.push(JSON.stringify({ text, ms }));
  }
  // Only on lines the check skips (dropped with what was built from them): nothing to read again.
  if (rows.length === 0) return;
  const tmp = mkdtempSync(join(tmpdir(), 'langfuse-cost-ledger-'));
  try {
    const times = join(tmp, 'times.jsonl');
    writeFileSync(times, `${rows.join('\n')}\n`);
    await exec(CREATE_LEDGER_TIMES);
    await exec(
      `INSERT INTO ${LEDGER_TIMES} SELECT text, ms FROM file({path:String}, 'JSONEachRow', 'text String, ms Int64')`,
      { path: times },
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  await exec('TRUNCATE TABLE ledger_rows');
  await exec(`${LOAD_LEDGER_FILE_READING_TIMES}${settings}`, { path, schema: LEDGER_SCHEMA });
}

/**
 * How many worker threads write a whole file's columns (see {@link loadNative}): one per core, at most
 * 4. ClickHouse has no JSON to parse meanwhile, so every core checks lines.
 */
function nativeShares(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/**
 * Check the lines of `file` in `[start, end)` (whole lines) on worker threads that write them as the
 * staging rows' Native columns, then fill the part tables (and with `files` its cache files) from those
 * columns where they lie. Null, with the part tables empty, when a line is not in the form our encoder
 * writes, a worker could not run or ClickHouse refused a file: the caller then removes the part's
 * temporary cache files and checks and parses the lines the general way.
 */
async function loadNative(
  session: Session,
  file: string,
  start: number,
  end: number,
  files: PartFiles | null,
): Promise<{ lines: number; workers: number } | null> {
  const segments = splitSegment(file, start, end, nativeShares());
  const tmp = mkdtempSync(join(tmpdir(), 'langfuse-cost-ledger-'));
  try {
    const outs = segments.map((_, i) => join(tmp, `${i}.native`));
    // One share not in the fast form sends the whole file the general way: the other workers are stopped
    // then, instead of writing columns nobody reads (on a million lines, up to a CPU second per share).
    const decline = new AbortController();
    const pending = segments.map((seg, i) =>
      writeNativeInWorker(seg, outs[i]!, decline.signal).then((n) => {
        if (n === null) decline.abort();
        return n;
      }),
    );
    // Every worker is waited for, so that none writes into the directory once it is removed.
    let lines: number | null = 0;
    for (const n of await Promise.all(pending)) lines = n === null || lines === null ? null : lines + n;
    if (lines === null) return null;
    try {
      await fillPart(session, () => Promise.resolve(), files, nativeStagingRows(outs));
    } catch {
      for (const t of [PART_OBSERVATIONS, PART_TRACES])
        await session.queryBindAsync(`TRUNCATE TABLE ${t}`, {});
      return null;
    }
    return { lines, workers: segments.length };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Byte offset in the line `buf[s, e)` of its character `chars` (keepFrom counts characters). */
function keptByte(buf: Buffer, s: number, e: number, chars: number): number {
  return Buffer.byteLength(buf.toString('utf8', s, e).slice(0, chars));
}

/** Block size of {@link writeValidLines}. */
const BLOCK = 16 * 1024 * 1024;

/**
 * Copy the lines of `file` in `[start, end)` to `out`, without the lines the ledger reader skipped
 * (`skipped`, numbered in the file) and with a torn fragment's glued record kept (see
 * `validLedgerText`). Returns the bytes written.
 */
function writeValidLines(
  file: string,
  start: number,
  end: number,
  skipped: readonly SkippedLine[],
  out: string,
): number {
  const byLine = new Map(skipped.map((s) => [s.line, s]));
  let lineNo = skipped.length > 0 ? newlinesBefore(file, start) + 1 : 1;
  const fd = openSync(file, 'r');
  const fo = openSync(out, 'w');
  let written = 0;
  try {
    let buf = Buffer.allocUnsafe(BLOCK);
    let carry = 0;
    for (let at = start; at < end || carry > 0; ) {
      if (carry === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, carry);
        buf = bigger;
      }
      const n = at < end ? readSync(fd, buf, carry, Math.min(buf.length - carry, end - at), at) : 0;
      at += n;
      const got = carry + n;
      // The last block ends the range: its last line counts even without a newline.
      const last = at >= end || n === 0;
      const cut = last ? got : buf.lastIndexOf(0x0a, got - 1) + 1;
      let s = 0;
      while (s < cut) {
        let e = buf.indexOf(0x0a, s);
        if (e < 0 || e >= cut) e = cut;
        const skip = byLine.get(lineNo);
        const from =
          skip === undefined ? s : skip.keepFrom === undefined ? -1 : s + keptByte(buf, s, e, skip.keepFrom);
        if (from >= 0 && e > from) {
          written += writeSync(fo, buf, from, e - from);
          written += writeSync(fo, '\n');
        }
        lineNo++;
        s = e + 1;
      }
      carry = got - cut;
      if (carry > 0) buf.copy(buf, 0, cut, got);
      if (last) break;
    }
  } finally {
    closeSync(fd);
    closeSync(fo);
  }
  return written;
}
