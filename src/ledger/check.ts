import { COUNT_BUCKETS, LANGFUSE_KEY_OF_BUCKET } from '../usage/buckets.js';
import { nonDigitBytes } from './byte-scan.js';
import { LEDGER_COLUMNS } from './line.js';

/**
 * The schema check of a ledger line: the one rule every reader of the ledger applies (report, export,
 * budget, re-pricing, the dashboards' chDB load), so they all count the same records. A line that is
 * not JSON or breaks the schema is skipped by each of them with the reason this returns.
 *
 * Lenient on absence (older writers, hand-written lines: only `id` and `start_time` are required, a
 * missing column reads as its default), strict on what is there: every column present must have its
 * type (text columns may be null, as in Langfuse's `observations`; `id` may not), amounts and token
 * counts are non-negative (counts integers), times are valid, and the totals
 * agree with their parts where the line format has that invariant (`usage_details.total` is the sum of
 * the token keys, units such as audio seconds being outside it; `cost_pico` and `total_cost` are the same amount).
 */

/** What a column holds. */
type Kind =
  | 'id' // non-empty string
  | 'string' // string
  | 'string?' // string or null
  | 'time' // ISO-8601 date-time
  | 'tokens' // object of non-negative integers, `total` the sum of the token counts
  | 'usd' // object of non-negative finite numbers
  | 'usd?' // non-negative finite number or null
  | 'pico?' // non-negative safe integer or null
  | 'ms' // non-negative finite number
  | 'bool'
  | 'status'
  | 'strings' // array of strings
  | 'metadata'; // object of strings

/**
 * Kind of each column. Keyed by the column list of `ledger-line.ts` (`LEDGER_COLUMNS`): the compiler
 * rejects a column missing here or one that is not a column, so the check follows the format.
 */
export const LEDGER_COLUMN_KINDS: Readonly<Record<(typeof LEDGER_COLUMNS)[number], Kind>> = {
  id: 'id',
  trace_id: 'string?',
  parent_observation_id: 'string?',
  project_id: 'string?',
  type: 'string?',
  name: 'string?',
  environment: 'string?',
  start_time: 'time',
  end_time: 'time',
  level: 'string?',
  status_message: 'string?',
  provided_model_name: 'string?',
  internal_model_id: 'string?',
  usage_details: 'tokens',
  cost_details: 'usd',
  provided_cost_details: 'usd',
  total_cost: 'usd?',
  cost_pico: 'pico?',
  metadata: 'metadata',
  session_id: 'string?',
  user_id: 'string?',
  tenant_id: 'string?',
  tags: 'strings',
  provider: 'string?',
  resolved_model: 'string?',
  source: 'string?',
  estimated: 'bool',
  tier: 'string?',
  fallback: 'bool',
  service: 'string?',
  duration_ms: 'ms',
  status: 'status',
};

const CHECKS: readonly (readonly [string, Kind])[] = LEDGER_COLUMNS.map((k) => [k, LEDGER_COLUMN_KINDS[k]]);

/** Columns every line must have (the rest default when absent). */
const REQUIRED = ['id', 'start_time'] as const;

const STATUSES: ReadonlySet<string> = new Set(['success', 'error', 'cached']);

/**
 * True when `t[a, b)` is a valid time in the ledger's own form (`2026-11-01T10:00:00.000Z`), checked
 * field by field without `Date.parse` (the fast reader calls it twice a line: straight-line code).
 */
export function isCanonicalTime(t: string, a: number, b: number): boolean {
  if (b - a !== 24) return false;
  if (
    t.charCodeAt(a + 4) !== 0x2d ||
    t.charCodeAt(a + 7) !== 0x2d ||
    t.charCodeAt(a + 10) !== 0x54 ||
    t.charCodeAt(a + 13) !== 0x3a ||
    t.charCodeAt(a + 16) !== 0x3a ||
    t.charCodeAt(a + 19) !== 0x2e ||
    t.charCodeAt(a + 23) !== 0x5a
  ) {
    return false;
  }
  // Every other character a digit: (c - '0') | ('9' - c) is negative for any other character.
  const dg = (i: number) => {
    const c = t.charCodeAt(a + i);
    return (c - 0x30) | (0x39 - c);
  };
  if (
    (dg(0) | dg(1) | dg(2) | dg(3) | dg(5) | dg(6) | dg(8) | dg(9) | dg(11) | dg(12)) < 0 ||
    (dg(14) | dg(15) | dg(17) | dg(18) | dg(20) | dg(21) | dg(22)) < 0
  ) {
    return false;
  }
  const mo = (t.charCodeAt(a + 5) - 0x30) * 10 + t.charCodeAt(a + 6) - 0x30;
  const d = (t.charCodeAt(a + 8) - 0x30) * 10 + t.charCodeAt(a + 9) - 0x30;
  if (mo < 1 || mo > 12 || d < 1) return false;
  if (t.charCodeAt(a + 11) > 0x32 || (t.charCodeAt(a + 11) === 0x32 && t.charCodeAt(a + 12) > 0x33))
    return false;
  if (t.charCodeAt(a + 14) > 0x35 || t.charCodeAt(a + 17) > 0x35) return false;
  if (d <= 28) return true;
  const y =
    (t.charCodeAt(a) - 0x30) * 1000 +
    (t.charCodeAt(a + 1) - 0x30) * 100 +
    (t.charCodeAt(a + 2) - 0x30) * 10 +
    t.charCodeAt(a + 3) -
    0x30;
  return d <= daysIn(y, mo);
}

/** Characters of a time in the ledger's form. */
const TIME_FORM_LENGTH = 24;

/**
 * The ledger's time form (`2026-11-01T10:00:00.000Z`) as six little-endian 32-bit words: in each, the
 * bytes that are separators (`-`, `T`, `:`, `.`, `Z`) and their values; every other byte is a digit.
 */
const TIME_SEPARATOR_MASKS = [0, 0xff0000ff, 0x00ff0000, 0x0000ff00, 0xff0000ff, 0xff000000] as const;
const TIME_SEPARATORS = [0, 0x2d00002d, 0x00540000, 0x00003a00, 0x2e00003a, 0x5a000000] as const;
/** `0` in every byte of a word. */
const ZEROS = 0x30303030;

/**
 * {@link isCanonicalTime} on bytes (`view`'s bytes `[a, b)`, one byte a character): the same rule, for
 * the readers of the ledger's bytes (the dashboards' loader, `report`), which do not decode them. The
 * form is checked four bytes at a time: each word's separators against their values, and its other
 * bytes as digits (`nonDigitBytes`); then the ranges of month, day and time of day. A byte at a time, this took about 880 instructions a call.
 */
export function isCanonicalTimeBytes(view: DataView, a: number, b: number): boolean {
  if (b - a !== TIME_FORM_LENGTH || b > view.byteLength) return false;
  const w0 = view.getUint32(a, true);
  const w1 = view.getUint32(a + 4, true);
  const w2 = view.getUint32(a + 8, true);
  const w3 = view.getUint32(a + 12, true);
  const w4 = view.getUint32(a + 16, true);
  const w5 = view.getUint32(a + 20, true);
  if (!timeWord(w0, 0) || !timeWord(w1, 1) || !timeWord(w2, 2)) return false;
  if (!timeWord(w3, 3) || !timeWord(w4, 4) || !timeWord(w5, 5)) return false;
  // Digits from their words (byte i of a word is bits 8i to 8i + 7; a digit's value is its low nibble).
  const digit = (w: number, i: number) => (w >>> (8 * i)) & 0xf;
  const mo = digit(w1, 1) * 10 + digit(w1, 2);
  const d = digit(w2, 0) * 10 + digit(w2, 1);
  const hh = digit(w2, 3) * 10 + digit(w3, 0);
  const mm = digit(w3, 2) * 10 + digit(w3, 3);
  const ss = digit(w4, 1) * 10 + digit(w4, 2);
  if (mo < 1 || mo > 12 || d < 1 || hh > 23 || mm > 59 || ss > 59) return false;
  if (d <= 28) return true;
  const y = digit(w0, 0) * 1000 + digit(w0, 1) * 100 + digit(w0, 2) * 10 + digit(w0, 3);
  return d <= daysIn(y, mo);
}

/** True when word `k` of a time has its separators where they belong and digits everywhere else. */
function timeWord(w: number, k: number): boolean {
  const mask = TIME_SEPARATOR_MASKS[k]!;
  if ((w & mask) !== (TIME_SEPARATORS[k]! | 0)) return false;
  // The separators' bytes replaced with `0`, so that every byte must be a digit.
  return nonDigitBytes((w & ~mask) | (ZEROS & mask)) === 0;
}

/**
 * Usage keys of units that are not tokens (audio seconds, characters, images): `usage_details.total`
 * is the token total, so they are not part of it.
 */
export const OUTSIDE_TOTAL: ReadonlySet<string> = new Set(
  COUNT_BUCKETS.map((b) => LANGFUSE_KEY_OF_BUCKET[b]),
);

/** True when `s` is a valid date-time: the ledger's own form, or any other form `Date.parse` reads. */
export function isLedgerTime(s: string): boolean {
  if (isCanonicalTime(s, 0, s.length)) return true;
  if (s.length === 24 && s.charCodeAt(23) === 0x5a && s.charCodeAt(10) === 0x54) return false;
  return s.length > 0 && s.length < 64 && !Number.isNaN(Date.parse(s));
}

function daysIn(y: number, m: number): number {
  if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function what(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function checkValue(key: string, kind: Kind, v: unknown): string | null {
  switch (kind) {
    case 'id':
      return typeof v === 'string' && v.length > 0 ? null : `${key}: ${what(v)}, not a non-empty string`;
    case 'string':
      return typeof v === 'string' ? null : `${key}: ${what(v)}, not a string`;
    case 'string?':
      return v === null || typeof v === 'string' ? null : `${key}: ${what(v)}, not a string or null`;
    case 'time':
      return typeof v === 'string' && isLedgerTime(v) ? null : `${key}: ${what(v)}, not a valid time`;
    case 'status':
      return typeof v === 'string' && STATUSES.has(v)
        ? null
        : `${key}: ${what(v)}, not success, error or cached`;
    case 'bool':
      return typeof v === 'boolean' ? null : `${key}: ${what(v)}, not true or false`;
    case 'ms':
      return typeof v === 'number' && Number.isFinite(v) && v >= 0
        ? null
        : `${key}: ${what(v)}, not a non-negative number`;
    case 'usd?':
      return v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0)
        ? null
        : `${key}: ${what(v)}, not a non-negative amount`;
    case 'pico?':
      return v === null || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)
        ? null
        : `${key}: ${what(v)}, not a non-negative integer`;
    case 'strings':
      if (!Array.isArray(v)) return `${key}: ${what(v)}, not an array of strings`;
      for (const s of v) if (typeof s !== 'string') return `${key}: holds ${what(s)}, not a string`;
      return null;
    case 'metadata':
      if (!isObject(v)) return `${key}: ${what(v)}, not an object`;
      for (const k in v) if (typeof v[k] !== 'string') return `${key}.${k}: ${what(v[k])}, not a string`;
      return null;
    case 'usd':
      if (!isObject(v)) return `${key}: ${what(v)}, not an object`;
      for (const k in v) {
        const n = v[k];
        if (!(typeof n === 'number' && Number.isFinite(n) && n >= 0)) {
          return `${key}.${k}: ${what(n)}, not a non-negative amount`;
        }
      }
      return null;
    case 'tokens': {
      if (!isObject(v)) return `${key}: ${what(v)}, not an object`;
      let sum = 0;
      for (const k in v) {
        const n = v[k];
        if (!(typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)) {
          return `${key}.${k}: ${what(n)}, not a non-negative integer`;
        }
        if (k !== 'total' && !OUTSIDE_TOTAL.has(k)) sum += n;
      }
      const total = v.total;
      if (typeof total === 'number' && total !== sum) {
        return `${key}.total: ${total}, not the sum of the token counts (${sum})`;
      }
      return null;
    }
  }
}

/**
 * Why a parsed value is not a valid ledger line, or null when it is one. See the module comment for
 * the rules.
 */
export function ledgerLineProblem(value: unknown): string | null {
  if (!isObject(value)) return `${what(value)}, not an object`;
  for (const k of REQUIRED) if (!(k in value)) return `no ${k}`;
  for (const [key, kind] of CHECKS) {
    if (!(key in value)) continue;
    const why = checkValue(key, kind, value[key]);
    if (why !== null) return why;
  }
  return costAgreement(value.total_cost, value.cost_pico);
}

/** `total_cost` (USD) and `cost_pico` (its exact form) must name the same amount when both are set. */
export function costAgreement(total: unknown, pico: unknown): string | null {
  if (typeof total !== 'number' || typeof pico !== 'number') return null;
  // total_cost is the pico amount written as a double: a rounding apart, never more.
  if (Math.abs(total * 1e12 - pico) <= Math.max(1, pico * 1e-9)) return null;
  return `total_cost ${total} and cost_pico ${pico} disagree`;
}

/** A ledger line's text parsed and checked: the line, or why it is not one. */
export type ParsedLedgerLine = { ok: true; value: Record<string, unknown> } | { ok: false; reason: string };

/** Parse and check one line of text (without its newline). */
export function parseLedgerLine(text: string): ParsedLedgerLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const why = ledgerLineProblem(value);
  return why === null ? { ok: true, value: value as Record<string, unknown> } : { ok: false, reason: why };
}
