/**
 * The ledger functions' side of the closed error contract: argument checks at entry (once per call,
 * never per line) and the one translation of file-system errors into a typed error naming the path.
 */
import { join } from 'node:path';
import { closedError, describeValue, InvalidArgumentError, LangfuseCostError } from '../../errors.js';

/**
 * A ledger file or directory could not be read: `LEDGER_NOT_FOUND` (a file listed a moment ago is
 * gone: rotated or deleted by another process) or `LEDGER_UNREADABLE` (a directory where a file
 * belongs, no permission, an I/O error). `path` is the file or directory; the system error is `cause`.
 */
export class LedgerFileError extends LangfuseCostError {
  /** The file or directory that could not be read. */
  readonly path: string;
  constructor(code: string, path: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'LedgerFileError';
    this.path = path;
  }
}

/** The code of a system error (`ENOENT`, …), or undefined; never throws. */
export function errnoCode(err: unknown): string | undefined {
  try {
    const code = (err as { code?: unknown } | null)?.code;
    return err instanceof Error && typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** Codes that mean "no such ledger here" (not an error when listing: an empty ledger). */
export const ABSENT = new Set(['ENOENT', 'ENOTDIR']);

/**
 * What a ledger function throws for `err`: a typed error as it is, a system error as a
 * {@link LedgerFileError} naming the path, anything else (a getter that threw, a callback's error) as
 * an `InvalidArgumentError` with the original as `cause`.
 */
export function ledgerError(err: unknown, fn: string, path: unknown): LangfuseCostError {
  const code = errnoCode(err);
  if (code === undefined || !/^E[A-Z]+$/.test(code)) return closedError(err, fn);
  let where = typeof path === 'string' ? path : 'the ledger';
  try {
    const p = (err as { path?: unknown }).path;
    if (typeof p === 'string') where = p;
  } catch {}
  const text = (err as Error).message;
  switch (code) {
    case 'ENOENT':
      return new LedgerFileError(
        'LEDGER_NOT_FOUND',
        where,
        `ledger file ${where} is gone (rotated or deleted by another process while it was read); read again`,
        { cause: err },
      );
    case 'EISDIR':
      return new LedgerFileError(
        'LEDGER_UNREADABLE',
        where,
        `ledger ${where} is a directory; name the ledger file (e.g. ${join(where, 'ledger.jsonl')})`,
        { cause: err },
      );
    case 'EACCES':
    case 'EPERM':
      return new LedgerFileError(
        'LEDGER_UNREADABLE',
        where,
        `cannot read ledger ${where}: permission denied (check its permissions and its directory's)`,
        { cause: err },
      );
    default:
      return new LedgerFileError('LEDGER_UNREADABLE', where, `cannot read ledger ${where}: ${text}`, {
        cause: err,
      });
  }
}

/** Longest path accepted (Linux's PATH_MAX; a longer one cannot be opened anywhere). */
const MAX_PATH = 4096;

/** `path` is a non-empty string without NUL bytes, at most 4,096 characters (else an `InvalidArgumentError`). */
export function checkPath(path: unknown, name = 'path'): string {
  if (typeof path !== 'string' || path === '' || path.length > MAX_PATH || path.includes('\0')) {
    throw new InvalidArgumentError(
      name,
      `expected the path of a ledger file (a non-empty string of at most ${MAX_PATH} characters, no NUL bytes), got ${describeValue(path)}`,
    );
  }
  return path;
}

/** `options` is undefined or an object (else an `InvalidArgumentError`); returns `{}` for undefined. */
export function checkOptions<T extends object>(options: T | undefined, name = 'options'): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(name, `expected an options object, got ${describeValue(options)}`);
  }
  return options;
}

/** Each named field of `o` is undefined or of the given type (`number` excludes NaN). */
export function checkFields(
  o: object,
  name: string,
  types: Record<string, 'string' | 'number' | 'boolean' | 'function' | 'object'>,
): void {
  for (const [k, type] of Object.entries(types)) {
    const v = (o as Record<string, unknown>)[k];
    if (v === undefined) continue;
    const ok =
      type === 'object'
        ? typeof v === 'object' && v !== null && !Array.isArray(v)
        : typeof v === type && !(type === 'number' && Number.isNaN(v));
    if (!ok) {
      const what = type === 'object' ? 'an object' : type === 'number' ? 'a number' : `a ${type}`;
      throw new InvalidArgumentError(
        `${name}.${k}`,
        `expected ${what} or undefined, got ${describeValue(v)}`,
      );
    }
  }
}

/** A UTC date `YYYY-MM-DD` as used in rotated file names (else an `InvalidArgumentError`). */
export function checkDate(date: unknown, name = 'date'): string {
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    throw new InvalidArgumentError(name, `expected a UTC date YYYY-MM-DD, got ${describeValue(date)}`);
  }
  return date;
}
