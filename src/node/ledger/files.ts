import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { closedError, describeValue, InvalidArgumentError } from '../../errors.js';
import { ABSENT, checkDate, checkPath, errnoCode, LedgerFileError, ledgerError } from './errors.js';

/** Default ledger path, relative to the working directory. */
export const DEFAULT_LEDGER_PATH = '.langfuse-cost/ledger.jsonl';

/** One file of a ledger: the active file or a rotated one. */
export interface LedgerFile {
  /** Absolute path. */
  path: string;
  /** UTC date in the rotated file's name (it holds calls written on or before that day); null for the active file. */
  date: string | null;
  /** Sequence number of a rotated file within its date; 0 for the active file. */
  seq: number;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Stem and extension of a ledger path: `ledger.jsonl` → `ledger` + `.jsonl`. */
export function splitLedgerName(path: string): { dir: string; stem: string; ext: string } {
  try {
    return splitName(path);
  } catch (err) {
    throw closedError(err, 'splitLedgerName');
  }
}

function splitName(path: string): { dir: string; stem: string; ext: string } {
  const abs = resolve(checkPath(path));
  const ext = extname(abs);
  return { dir: dirname(abs), stem: basename(abs, ext), ext };
}

/** Name of a rotated file: `<stem>.<YYYY-MM-DD>.<seq><ext>` next to the active file. */
export function rotatedPath(path: string, date: string, seq: number): string {
  try {
    checkDate(date);
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
      throw new InvalidArgumentError('seq', `expected a non-negative integer, got ${describeValue(seq)}`);
    }
    const { dir, stem, ext } = splitName(path);
    return join(dir, `${stem}.${date}.${seq}${ext}`);
  } catch (err) {
    throw closedError(err, 'rotatedPath');
  }
}

function rotatedPattern(stem: string, ext: string): RegExp {
  return new RegExp(`^${escapeRegExp(stem)}\\.(\\d{4}-\\d{2}-\\d{2})\\.(\\d+)${escapeRegExp(ext)}$`);
}

/**
 * Every file of the ledger at `path`: rotated files (oldest first, by date then sequence) and then the
 * active file, when they exist. Empty when neither exists (nor its directory).
 * @throws {LedgerFileError} `LEDGER_UNREADABLE` when `path` is a directory or its directory cannot be
 * read (no permission).
 * @throws {InvalidArgumentError} when `path` is not a non-empty string.
 */
export function listLedgerFiles(path: string): LedgerFile[] {
  try {
    return listFiles(path);
  } catch (err) {
    throw ledgerError(err, 'listLedgerFiles', path);
  }
}

function listFiles(path: string): LedgerFile[] {
  const { dir, stem, ext } = splitName(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if (ABSENT.has(errnoCode(err) ?? '')) return [];
    throw ledgerError(err, 'listLedgerFiles', dir);
  }
  const re = rotatedPattern(stem, ext);
  const rotated: LedgerFile[] = [];
  for (const name of names) {
    const m = re.exec(name);
    if (m) rotated.push({ path: join(dir, name), date: m[1]!, seq: Number(m[2]) });
  }
  rotated.sort((a, b) => (a.date! < b.date! ? -1 : a.date! > b.date! ? 1 : a.seq - b.seq));
  const active = resolve(path);
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(active, { throwIfNoEntry: false });
  } catch (err) {
    throw ledgerError(err, 'listLedgerFiles', active);
  }
  if (st?.isFile()) rotated.push({ path: active, date: null, seq: 0 });
  else if (st?.isDirectory()) {
    throw new LedgerFileError(
      'LEDGER_UNREADABLE',
      active,
      `ledger ${active} is a directory; name the ledger file (e.g. ${join(active, 'ledger.jsonl')})`,
    );
  }
  return rotated;
}

/** Next free sequence number for a rotated file of `date`. */
export function nextRotationSeq(path: string, date: string): number {
  try {
    checkDate(date);
    let max = 0;
    for (const f of listFiles(path)) if (f.date === date && f.seq > max) max = f.seq;
    return max + 1;
  } catch (err) {
    throw ledgerError(err, 'nextRotationSeq', path);
  }
}
