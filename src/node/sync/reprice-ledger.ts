import { copyFile, type FileHandle, open, rm, stat, writeFile } from 'node:fs/promises';
import { parseLedgerLine } from '../../ledger/check.js';
import { calculateCost, parseServiceTier } from '../../pricing/calculator.js';
import type { PriceCatalog } from '../../pricing/catalog.js';
import { usdToPico } from '../../pricing/money.js';
import { SERVICE_TIERS } from '../../pricing/types.js';
import { toLangfuseCostDetails, usageFromLangfuseDetails } from '../../usage/details.js';
import { listLedgerFiles } from '../ledger/files.js';
import { parseTime, type SkippedLine, TORN_LAST_LINE, warnSkipped } from '../ledger/read.js';
import { writeFileAtomic } from './atomic-write.js';

/** Options of {@link repriceLedger}. */
export interface RepriceLedgerOptions {
  /** Ledger file (JSON Lines); its rotated files (`<stem>.<date>.<n><ext>`) are re-priced too. */
  path: string;
  /** Only calls that started at or after this time (ISO or epoch ms). */
  from?: string | number;
  /** Only calls that started before this time (ISO or epoch ms). */
  to?: string | number;
  /** Catalog to price with (default: the default catalog). */
  catalog?: PriceCatalog;
  /** Compute, but do not write. */
  dryRun?: boolean;
  /** Copy each rewritten file to `<file>.bak-<time>` first (default true). */
  backup?: boolean;
  /** Add `langfuse_cost_repriced_at` to the metadata of changed lines (default true). */
  annotate?: boolean;
  /** Also re-price with the fallback price (default false). */
  allowEstimated?: boolean;
  /** Clock. */
  now?: () => number;
  /** Warnings about invalid lines, one per file (default: the library logger). */
  onWarning?: (message: string) => void;
}

/** What {@link repriceLedger} did. */
export interface RepriceLedgerResult {
  /** Active ledger file. */
  path: string;
  /** Files read (rotated ones first). */
  files: string[];
  /** Lines read. */
  lines: number;
  /** Lines in the time range. */
  inRange: number;
  /** Lines whose cost changed. */
  changed: number;
  /** Lines left alone, by reason (provider-reported cost, unknown model, …). */
  skipped: Record<string, number>;
  /**
   * Lines that are not valid ledger lines (not JSON, a schema break, a torn last line): copied byte for
   * byte, never re-priced, and left out of every count and total above (the first 1,000 per file).
   */
  invalid: SkippedLine[];
  /** Invalid lines per file. */
  invalidPerFile: Record<string, number>;
  /** Sum of old totals of changed lines, pico-USD. */
  oldTotalPico: bigint;
  /** Sum of new totals of changed lines, pico-USD. */
  newTotalPico: bigint;
  /** Changes by model name: count and pico sums. */
  byModel: Record<string, { count: number; oldPico: bigint; newPico: bigint }>;
  /** Backups written. */
  backups: string[];
  /** Files rewritten. */
  written: string[];
}

/** A time option in the library's time syntax (see {@link parseTime}), or `fallback` when absent. */
function timeOf(v: string | number | undefined, fallback: number): number {
  return parseTime(v) ?? fallback;
}

type Line = Record<string, unknown>;

const picoOf = (line: Line): number | null =>
  typeof line.cost_pico === 'number'
    ? line.cost_pico
    : typeof line.total_cost === 'number'
      ? usdToPico(line.total_cost)
      : null;

/**
 * Re-price one parsed ledger line. Returns the new line, a skip reason, or null when its cost is
 * already right. Costs the provider reported (`source: "provided"`) are facts, not estimates, and are
 * never changed; nor are cache hits.
 */
function repriceLine(
  line: Line,
  options: RepriceLedgerOptions,
  nowIso: string,
): Line | { skip: string } | null {
  if (line.source === 'provided') return { skip: 'cost reported by the provider' };
  if (line.status === 'cached') return { skip: 'cache hit' };
  const model = typeof line.provided_model_name === 'string' ? line.provided_model_name : '';
  if (!model) return { skip: 'no model name' };
  const parsed = usageFromLangfuseDetails((line.usage_details ?? {}) as Record<string, number>);
  if ('error' in parsed) return { skip: parsed.error };
  const costDetails = (line.cost_details ?? {}) as Record<string, number>;
  // usage_details carries no web-search count, so search fees cannot be recomputed.
  if ((costDetails.input_web_searches ?? 0) > 0)
    return { skip: 'web-search fees without a recorded search count' };
  const tierWord = typeof line.tier === 'string' ? line.tier.split(' ')[0]! : 'standard';
  const serviceTier = (SERVICE_TIERS as readonly string[]).includes(tierWord)
    ? parseServiceTier(tierWord)
    : 'standard';
  let result: ReturnType<typeof calculateCost>;
  try {
    result = calculateCost(
      {
        model,
        ...(typeof line.provider === 'string' && line.provider ? { provider: line.provider } : {}),
        usage: parsed.usage,
        serviceTier,
        at: String(line.start_time),
      },
      options.catalog,
    );
  } catch (err) {
    return { skip: (err as Error).message };
  }
  if (!result) return { skip: 'model not in the catalog' };
  if (result.estimated && !options.allowEstimated) return { skip: 'only a fallback price is known' };
  const newDetails = toLangfuseCostDetails(result);
  const sameDetails =
    Object.keys(newDetails).length === Object.keys(costDetails).length &&
    Object.entries(newDetails).every(([k, v]) => usdToPico(v) === usdToPico(costDetails[k] ?? Number.NaN));
  // A written line leaves `resolved_model` out when it equals `internal_model_id`.
  const resolvedBefore = line.resolved_model ?? line.internal_model_id;
  if (picoOf(line) === result.totalPico && sameDetails && resolvedBefore === result.resolvedModel)
    return null;
  const next: Line = {
    ...line,
    internal_model_id: result.resolvedModel,
    cost_details: newDetails,
    total_cost: result.total,
    cost_pico: result.totalPico,
    provider: result.provider,
    resolved_model: result.resolvedModel,
    source: result.source,
    estimated: result.estimated,
    tier: result.tier,
  };
  if (options.annotate ?? true) {
    next.metadata = {
      ...((line.metadata as Record<string, string> | undefined) ?? {}),
      langfuse_cost_repriced_at: nowIso,
    };
  }
  return next;
}

/** Reads complete lines from a byte offset, so a later pass can pick up what was appended meanwhile. */
async function readLines(
  fh: FileHandle,
  start: number,
  firstLine: number,
  onLine: (text: string, lineNo: number) => void,
): Promise<{ end: number; tail: string; nextLine: number }> {
  let lineNo = firstLine;
  const buf = Buffer.alloc(1 << 20);
  let pos = start;
  let pending = Buffer.alloc(0);
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) break;
    pos += bytesRead;
    let chunk = Buffer.concat([pending, buf.subarray(0, bytesRead)]);
    let nl = chunk.indexOf(10);
    while (nl >= 0) {
      const text = chunk.subarray(0, nl).toString('utf8').replace(/\r$/, '');
      if (text.trim() !== '') onLine(text, lineNo);
      lineNo++;
      chunk = chunk.subarray(nl + 1);
      nl = chunk.indexOf(10);
    }
    pending = Buffer.from(chunk);
  }
  return { end: pos - pending.length, tail: pending.toString('utf8'), nextLine: lineNo };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Take the ledger's lock file (the one `JsonlLedgerSink` rotates under), waiting briefly for another holder. */
async function lock(path: string): Promise<() => Promise<void>> {
  const lockPath = `${path}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await open(lockPath, 'wx');
      await fh.close();
      return () => rm(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const st = await stat(lockPath).catch(() => null);
      if (st && Date.now() - st.mtimeMs > 30_000) await rm(lockPath, { force: true });
      else if (attempt >= 50)
        throw new Error(`the ledger ${path} is locked by another process (${lockPath}); try again`);
      else await sleep(100);
    }
  }
}

/**
 * Re-price the calls of a local ledger in a time range with the current catalog, and write each changed
 * file anew, atomically (temporary file + rename), keeping a backup of the old one.
 *
 * Lines outside the range, lines that do not parse and lines that cannot be re-priced are copied
 * byte for byte. The active file is rewritten under the ledger's lock file; lines another process
 * appends meanwhile are carried over, including the few a writer may still append to the old file
 * right after the rename (writers notice the new file by its inode and reopen it on their next flush).
 */
export async function repriceLedger(options: RepriceLedgerOptions): Promise<RepriceLedgerResult> {
  const now = options.now ?? Date.now;
  const nowIso = new Date(now()).toISOString();
  const from = timeOf(options.from, Number.NEGATIVE_INFINITY);
  const to = timeOf(options.to, Number.POSITIVE_INFINITY);
  const files = listLedgerFiles(options.path);
  if (files.length === 0) throw new Error(`no ledger at ${options.path}`);
  const result: RepriceLedgerResult = {
    path: options.path,
    files: files.map((f) => f.path),
    lines: 0,
    inRange: 0,
    changed: 0,
    skipped: {},
    invalid: [],
    invalidPerFile: {},
    oldTotalPico: 0n,
    newTotalPico: 0n,
    byModel: {},
    backups: [],
    written: [],
  };

  const processor = (out: string[], file: string) => {
    let changedHere = 0;
    const handle = (text: string, lineNo: number, torn = false): void => {
      result.lines++;
      // The one check every reader of the ledger applies: an invalid line is copied, not re-priced.
      const parsed = parseLedgerLine(text);
      if (!parsed.ok) {
        const reason = torn && parsed.reason === 'not JSON' ? TORN_LAST_LINE : parsed.reason;
        result.invalidPerFile[file] = (result.invalidPerFile[file] ?? 0) + 1;
        if (result.invalidPerFile[file]! <= 1000) result.invalid.push({ file, line: lineNo, reason });
        out.push(text);
        return;
      }
      const line = parsed.value as Line;
      const t = Date.parse(String(line.start_time));
      if (!(t >= from && t < to)) {
        out.push(text);
        return;
      }
      result.inRange++;
      const r = repriceLine(line, options, nowIso);
      if (r === null) out.push(text);
      else if ('skip' in r) {
        const reason = r.skip as string;
        result.skipped[reason] = (result.skipped[reason] ?? 0) + 1;
        out.push(text);
      } else {
        result.changed++;
        changedHere++;
        const oldPico = BigInt(picoOf(line) ?? 0);
        const newPico = BigInt(r.cost_pico as number);
        result.oldTotalPico += oldPico;
        result.newTotalPico += newPico;
        const m = String(line.provided_model_name);
        const agg = (result.byModel[m] ??= { count: 0, oldPico: 0n, newPico: 0n });
        agg.count++;
        agg.oldPico += oldPico;
        agg.newPico += newPico;
        out.push(JSON.stringify(r));
      }
    };
    return { handle, changed: () => changedHere };
  };

  for (const file of files) {
    const active = file.date === null;
    const out: string[] = [];
    const p = processor(out, file.path);
    const unlock = active && !options.dryRun ? await lock(file.path) : null;
    try {
      const fh = await open(file.path, 'r');
      try {
        const first = await readLines(fh, 0, 1, p.handle);
        if (options.dryRun || p.changed() === 0) {
          if (first.tail.trim() !== '') p.handle(first.tail, first.nextLine, true);
          continue;
        }
        if (options.backup ?? true) {
          const backup = `${file.path}.bak-${nowIso.replace(/[:.]/g, '-')}`;
          await copyFile(file.path, backup);
          result.backups.push(backup);
        }
        // Lines appended since the first pass are carried over before the rename…
        let last = await readLines(fh, first.end, first.nextLine, p.handle);
        await writeFileAtomic(file.path, out.length > 0 ? `${out.join('\n')}\n` : '');
        result.written.push(file.path);
        // …and lines a writer appended to the old file just around the rename, after it.
        if (active) {
          for (const wait of [0, 50, 250]) {
            if (wait) await sleep(wait);
            const late: string[] = [];
            const lp = processor(late, file.path);
            const more = await readLines(fh, last.end, last.nextLine, lp.handle);
            if (late.length > 0) await writeFile(file.path, `${late.join('\n')}\n`, { flag: 'a' });
            last = more;
          }
        }
        if (last.tail.trim() !== '') await writeFile(file.path, `${last.tail}\n`, { flag: 'a' });
      } finally {
        await fh.close();
      }
    } finally {
      await unlock?.();
    }
  }
  warnSkipped(
    { files: result.files, skippedLines: result.invalid, skippedPerFile: result.invalidPerFile },
    options.onWarning,
  );
  return result;
}
