import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Session } from 'chdb';
import { getLogger } from '../../logger.js';
import { listLedgerFiles } from '../../node/ledger/files.js';
import { type SkippedLine, warnSkipped } from '../../node/ledger/read.js';
import { DashboardError } from '../catalog.js';
import { LedgerCache } from './ledger-cache.js';
import { cacheSchema, loadLedger, rowsIn } from './ledger-load.js';
import { type ClickHouseJson, normaliseRows } from './result.js';
import type { DashboardSource, QueryResult, SourceKind } from './types.js';

type ChdbModule = typeof import('chdb');

let chdbModule: Promise<ChdbModule> | undefined;

/** The environment variable chDB's allocator (jemalloc, built with the `je_` prefix) reads its options from. */
export const CHDB_ALLOCATOR_ENV = 'JE_MALLOC_CONF';

/**
 * The allocator options {@link loadChdb} gives chDB when the application set none: transparent huge
 * pages for its memory (on Linux, where THP is `madvise` or `always`), and freed memory kept 10 s (both
 * decays) before it goes back to the system, instead of chDB's 5 s dirty and 0 s muzzy, which split the
 * huge pages after each query. Most of a first load's CPU on a VM is memory touched for the first time:
 * on a million calls, page faults 246k → 54k and the first load 8–16% shorter in wall time (9–20% CPU,
 * six interleaved pairs of fresh processes); each dashboard after it ran the same or faster (huge pages
 * alone, with chDB's decays, made them 15–25% slower). Memory an idle process holds still goes back.
 */
export const CHDB_ALLOCATOR_CONF = 'thp:always,metadata_thp:always,dirty_decay_ms:10000,muzzy_decay_ms:10000';

/**
 * Load the optional `chdb` package (embedded ClickHouse) on first use, with an install hint when absent.
 * On Linux, unless the environment has `JE_MALLOC_CONF` (set it, even to '', to keep chDB's own
 * allocator options), chDB's allocator reads {@link CHDB_ALLOCATOR_CONF} as the library loads; the
 * variable is removed again once it has, so processes started later do not inherit it.
 */
export async function loadChdb(): Promise<ChdbModule> {
  chdbModule ??= withAllocatorConf(() => import('chdb')).then(
    (m) => ((m as { default?: ChdbModule }).default ?? m) as ChdbModule,
    (err: unknown) => {
      chdbModule = undefined;
      throw new DashboardError(
        `the local source needs the optional package "chdb" (embedded ClickHouse): npm install chdb (${(err as Error)?.message ?? err})`,
      );
    },
  );
  return chdbModule;
}

/**
 * Run `load` with {@link CHDB_ALLOCATOR_ENV} set to our options, on Linux (elsewhere jemalloc has no THP
 * and would print an error for the option), unless the application set it. An environment that cannot
 * be written (an application that froze or replaced `process.env`) loads chDB with its own options.
 */
async function withAllocatorConf<T>(load: () => Promise<T>): Promise<T> {
  if (process.platform !== 'linux' || process.env[CHDB_ALLOCATOR_ENV] !== undefined) return load();
  if (!setEnv(CHDB_ALLOCATOR_ENV, CHDB_ALLOCATOR_CONF)) return load();
  try {
    return await load();
  } finally {
    setEnv(CHDB_ALLOCATOR_ENV, undefined);
  }
}

/** Set (or with `undefined`, remove) an environment variable; false when the environment refuses. */
function setEnv(name: string, value: string | undefined): boolean {
  try {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
    return process.env[name] === value;
  } catch {
    return false;
  }
}

/** Options for {@link createChdbSource}. */
export interface ChdbSourceOptions {
  /** An open chDB session holding `observations`/`traces` (v3) or `events_core` (v4). */
  session: Session;
  /** CTE list put in front of every query, e.g. `dashboards/sources/langfuse-v4.sql` for `events_core`. */
  ctes?: string;
  /** Description for reports. */
  description?: string;
  /** Default project id. */
  defaultProjectId?: string;
  /** Close the session in {@link DashboardSource.close} (default false: the caller owns it). */
  ownsSession?: boolean;
  /** Kind to report (default `chdb`). */
  kind?: SourceKind;
}

/** A source over an open chDB session. Queries bind parameters server-side (`queryBindAsync`). */
export function createChdbSource(options: ChdbSourceOptions): DashboardSource {
  const { session } = options;
  let closed = false;
  const source: DashboardSource = {
    kind: options.kind ?? 'chdb',
    description: options.description ?? `chDB session ${session.path}`,
    ...(options.ctes ? { ctes: options.ctes } : {}),
    ...(options.defaultProjectId ? { defaultProjectId: options.defaultProjectId } : {}),
    async query(sql: string, params: Record<string, string>): Promise<QueryResult> {
      if (closed) throw new DashboardError('the chDB source is closed');
      const t0 = performance.now();
      const res = await session.queryBindAsync(sql, params, { format: 'JSON' });
      const elapsedMs = performance.now() - t0;
      const text = res.text();
      const body = (text.trim() ? JSON.parse(text) : {}) as ClickHouseJson;
      const columns = body.meta ?? [];
      const out: QueryResult = { columns, rows: normaliseRows(columns, body.data ?? []), elapsedMs };
      if (typeof res.rowsRead === 'number') out.rowsRead = res.rowsRead;
      return out;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (options.ownsSession) session.close();
    },
  };
  return source;
}

/** Options for {@link openLocalSource}. */
export interface LocalSourceOptions {
  /** Ledger path(s) in the TRACKER-API JSON Lines format; each includes its rotated files. */
  ledger: string | string[];
  /** Called with a short status while the ledger loads (for progress output). */
  onProgress?: (message: string) => void;
  /** Warnings about skipped ledger lines, one per file, and about the cache (default: the library logger). */
  onWarning?: (message: string) => void;
  /**
   * Directory of the columnar cache (see docs/dashboards.md), or false for none. Default:
   * `.cache/dashboards/` in the directory of the (active) ledger file.
   */
  cacheDir?: string | false;
  /** @internal Files at least this large have their lines checked by worker threads (tests lower it). */
  checkWorkersMinBytes?: number;
}

/** The default cache directory of a ledger: `.cache/dashboards/` beside its active file. */
export function defaultCacheDir(ledgerFile: string): string {
  return join(dirname(resolve(ledgerFile)), '.cache', 'dashboards');
}

/**
 * The text of a ledger file without the lines the ledger reader skips (`skipped`, numbered from 1),
 * so ClickHouse loads exactly the records `report`, `export` and `budget` count. A whole record after
 * a torn fragment on the same line keeps its record.
 */
export function validLedgerText(text: string, skipped: readonly SkippedLine[]): string {
  const byLine = new Map(skipped.map((s) => [s.line, s]));
  const out: string[] = [];
  let start = 0;
  for (let n = 1; start < text.length; n++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const s = byLine.get(n);
    if (s === undefined) out.push(text.slice(start, end));
    else if (s.keepFrom !== undefined) out.push(text.slice(start + s.keepFrom, end));
    start = end + 1;
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

/**
 * Open the local ledger as a dashboard source: a temporary chDB session in which the ledger (with its
 * rotated files) is parsed once, by ClickHouse's JSONEachRow reader through `file()` with an explicit
 * schema, into tables with Langfuse's v3 `observations` and `traces` columns. The ledger reader checks
 * every line (the same check as `report`, `export` and `budget`; for a whole file, while ClickHouse
 * parses it and builds the tables, which are dropped when the check skips a line; for a large file, on
 * worker threads): a file with lines
 * it skips (not JSON, a schema break, a torn last line) is loaded from a copy without them, with one
 * warning per file, so the dashboards see exactly the valid records. One chDB data directory per
 * process: close this source before opening another chDB session at a different path.
 */
export async function openLocalSource(options: LocalSourceOptions): Promise<DashboardSource> {
  const given = Array.isArray(options.ledger) ? options.ledger : [options.ledger];
  if (given.length === 0) throw new DashboardError('no ledger file given');
  const files: string[] = [];
  for (const g of given) {
    const found = listLedgerFiles(g).map((f) => f.path);
    if (found.length === 0) {
      throw new DashboardError(
        `ledger not found: ${resolve(g)} (write one with the tracker's JSONL sink, or pass --ledger / LANGFUSE_COST_LEDGER)`,
      );
    }
    for (const f of found) if (!files.includes(f)) files.push(f);
  }
  const bytes = files.reduce((a, f) => a + statSync(f).size, 0);
  const chdb = await loadChdb();
  const session = new chdb.Session();
  const warn = options.onWarning ?? ((m: string) => getLogger().warn(m));
  const cacheDir =
    options.cacheDir === undefined ? defaultCacheDir(files[files.length - 1]!) : options.cacheDir;
  const cache =
    cacheDir === false ? null : LedgerCache.open(cacheDir, cacheSchema(chdb.version().libchdb), warn);
  try {
    await session.queryBindAsync(`SET session_timezone = 'UTC'`, {});
    const load = await loadLedger(session, files, {
      cache,
      onProgress: options.onProgress,
      checkWorkersMinBytes: options.checkWorkersMinBytes,
    });
    warnSkipped(load, options.onWarning);
    const skipped = load.skipped;
    const records = await rowsIn(session, 'observations');
    const mb = (bytes / 1e6).toFixed(1);
    const names =
      files.length > 3
        ? `${files[files.length - 1]} and ${files.length - 1} rotated files`
        : files.join(', ');
    const skippedNote = skipped > 0 ? `, ${skipped} malformed lines skipped` : '';
    return createChdbSource({
      session,
      ownsSession: true,
      kind: 'local',
      defaultProjectId: 'local',
      description: `ledger ${names} (${records.toLocaleString('en-US')} records, ${mb} MB${skippedNote})`,
    });
  } catch (err) {
    session.close();
    const msg = (err as Error)?.message ?? String(err);
    throw new DashboardError(`cannot read the ledger ${files.join(', ')}: ${msg}`);
  }
}
