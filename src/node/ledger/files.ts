import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';

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
  const abs = resolve(path);
  const ext = extname(abs);
  return { dir: dirname(abs), stem: basename(abs, ext), ext };
}

/** Name of a rotated file: `<stem>.<YYYY-MM-DD>.<seq><ext>` next to the active file. */
export function rotatedPath(path: string, date: string, seq: number): string {
  const { dir, stem, ext } = splitLedgerName(path);
  return join(dir, `${stem}.${date}.${seq}${ext}`);
}

function rotatedPattern(stem: string, ext: string): RegExp {
  return new RegExp(`^${escapeRegExp(stem)}\\.(\\d{4}-\\d{2}-\\d{2})\\.(\\d+)${escapeRegExp(ext)}$`);
}

/**
 * Every file of the ledger at `path`: rotated files (oldest first, by date then sequence) and then the
 * active file, when they exist. Empty when neither exists.
 */
export function listLedgerFiles(path: string): LedgerFile[] {
  const { dir, stem, ext } = splitLedgerName(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const re = rotatedPattern(stem, ext);
  const rotated: LedgerFile[] = [];
  for (const name of names) {
    const m = re.exec(name);
    if (m) rotated.push({ path: join(dir, name), date: m[1]!, seq: Number(m[2]) });
  }
  rotated.sort((a, b) => (a.date! < b.date! ? -1 : a.date! > b.date! ? 1 : a.seq - b.seq));
  const active = resolve(path);
  if (statSync(active, { throwIfNoEntry: false })?.isFile())
    rotated.push({ path: active, date: null, seq: 0 });
  return rotated;
}

/** Next free sequence number for a rotated file of `date`. */
export function nextRotationSeq(path: string, date: string): number {
  let max = 0;
  for (const f of listLedgerFiles(path)) if (f.date === date && f.seq > max) max = f.seq;
  return max + 1;
}
