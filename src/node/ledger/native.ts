/**
 * Ledger lines as ClickHouse Native columns, written by the line check itself, so that the dashboards'
 * loader parses the JSON once (here, on worker threads) instead of twice (the line check, then
 * ClickHouse's JSONEachRow parser).
 *
 * Only the lines our own encoder writes are taken this way: the columns in the line format's order (any
 * of them omitted), no whitespace, no escaped string, numbers in plain decimal form, times in the
 * ledger's own form. Each such line is checked by the rules of `ledgerLineProblem` (a line that breaks
 * one is declined, never guessed), and its columns hold what ClickHouse's JSON parser reads from it
 * (strings byte for byte, amounts as exact Decimal64(12), `cost_pico` as its text). A segment with any
 * other line is declined whole: the caller then checks and parses it the general way, with the same
 * result.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { isCanonicalTimeBytes, LEDGER_COLUMN_KINDS, OUTSIDE_TOTAL } from '../../ledger/check.js';
import { LEDGER_COLUMNS } from '../../ledger/line.js';
import { type LedgerSegment, readWholeLines } from './read.js';

// How each column is read and written (from the check's kind of the column).
const ID = 0; // String, non-empty
const STR = 1; // Nullable(String)
const TIME = 2; // Nullable(String), a time in the ledger's form
const TOKENS = 3; // Map(String, UInt64), `total` the sum of the token counts
const USD = 4; // Map(String, Decimal64(12))
const USD_OPT = 5; // Nullable(Decimal64(12))
const PICO = 6; // Nullable(String): the integer's text
const META = 7; // Map(String, String)
const TAGS = 8; // Array(String)
const BOOL = 9; // Nullable(Bool), never null in a valid line
const MS = 10; // Nullable(Float64)
const STATUS = 11; // Nullable(String): success, error or cached

const KIND_OF: Readonly<Record<string, readonly [number, string]>> = {
  id: [ID, 'String'],
  'string?': [STR, 'Nullable(String)'],
  time: [TIME, 'Nullable(String)'],
  tokens: [TOKENS, 'Map(String, UInt64)'],
  usd: [USD, 'Map(String, Decimal64(12))'],
  'usd?': [USD_OPT, 'Nullable(Decimal64(12))'],
  'pico?': [PICO, 'Nullable(String)'],
  metadata: [META, 'Map(String, String)'],
  strings: [TAGS, 'Array(String)'],
  bool: [BOOL, 'Nullable(Bool)'],
  ms: [MS, 'Nullable(Float64)'],
  status: [STATUS, 'Nullable(String)'],
};

/**
 * The staging table's columns (name, ClickHouse type), in the line format's order: the dashboards'
 * `ledger_raw` is created from this list, so the Native files written here fit it.
 */
export const LEDGER_RAW_COLUMNS: readonly (readonly [string, string])[] = LEDGER_COLUMNS.map((c) => [
  c,
  KIND_OF[LEDGER_COLUMN_KINDS[c]]![1],
]);

const N = LEDGER_COLUMNS.length;
const KINDS = Int32Array.from(LEDGER_COLUMNS, (c) => KIND_OF[LEDGER_COLUMN_KINDS[c]]![0]);
/** `"column":` of each column, as bytes. */
const KEYS = LEDGER_COLUMNS.map((c) => Buffer.from(`"${c}":`, 'latin1'));
/** Columns every line must have (as `ledgerLineProblem` requires). */
const REQUIRED = Uint8Array.from(LEDGER_COLUMNS, (c) => (c === 'id' || c === 'start_time' ? 1 : 0));
const OUTSIDE = [...OUTSIDE_TOTAL].map((k) => Buffer.from(k, 'latin1'));
const TOTAL = Buffer.from('total', 'latin1');
const STATUSES = ['success', 'error', 'cached'].map((s) => Buffer.from(s, 'latin1'));

/** Rows per Native block (the reader squashes them; a block bounds this thread's memory). */
const BLOCK_ROWS = 65_536;
/** Bytes read at a time. */
const READ_BYTES = 4 * 1024 * 1024;
/** Longest integer part of an amount taken (below 9,000 USD its pico value is an exact double). */
const MAX_USD_INT = 9000;
/** Most digits of an integer taken (below 2^53). */
const MAX_INT_DIGITS = 15;
/** Most fraction digits of an amount (the columns' Decimal64 scale). */
const USD_SCALE = 12;
const POW10 = Array.from({ length: USD_SCALE + 1 }, (_, i) => 10 ** i);
const TWO_32 = 4294967296;
/** Strings shorter than this are copied byte by byte (a native copy costs more for them). */
const SHORT = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** A growable byte buffer. */
class Bytes {
  b = Buffer.allocUnsafe(1 << 16);
  n = 0;

  room(k: number): void {
    if (this.n + k <= this.b.length) return;
    const nb = Buffer.allocUnsafe(Math.max(this.b.length * 2, this.n + k));
    this.b.copy(nb, 0, 0, this.n);
    this.b = nb;
  }

  u8(v: number): void {
    if (this.n >= this.b.length) this.room(1);
    this.b[this.n++] = v;
  }

  varint(v: number): void {
    this.room(5);
    while (v >= 0x80) {
      this.b[this.n++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.b[this.n++] = v;
  }

  /** `src[a, e)` as a Native String: its length, then its bytes. */
  str(src: Buffer, a: number, e: number): void {
    const len = e - a;
    this.varint(len);
    this.room(len);
    if (len < SHORT) {
      const b = this.b;
      let n = this.n;
      for (let i = a; i < e; i++) b[n++] = src[i]!;
    } else src.copy(this.b, this.n, a, e);
    this.n += len;
  }

  /** A non-negative integer below 2^53, as 8 little-endian bytes (UInt64 or Int64). */
  u64(v: number): void {
    this.room(8);
    const lo = v % TWO_32;
    const hi = (v - lo) / TWO_32;
    const b = this.b;
    const n = this.n;
    b[n] = lo & 0xff;
    b[n + 1] = (lo >>> 8) & 0xff;
    b[n + 2] = (lo >>> 16) & 0xff;
    b[n + 3] = lo >>> 24;
    b[n + 4] = hi & 0xff;
    b[n + 5] = (hi >>> 8) & 0xff;
    b[n + 6] = (hi >>> 16) & 0xff;
    b[n + 7] = hi >>> 24;
    this.n = n + 8;
  }

  f64(v: number): void {
    this.room(8);
    this.b.writeDoubleLE(v, this.n);
    this.n += 8;
  }
}

/** Each column's head in a Native block (its name, then its type, as Native Strings): the same in every block. */
const COLUMN_HEADS = LEDGER_RAW_COLUMNS.map(([name, type]) => {
  const h = new Bytes();
  for (const text of [name, type]) {
    const b = Buffer.from(text, 'latin1');
    h.str(b, 0, b.length);
  }
  return h;
});

/** One block's columns, as Native parts: null map, array offsets, data (map keys), map values. */
class Columns {
  rows = 0;
  readonly data = KEYS.map(() => new Bytes());
  readonly nulls = KEYS.map(() => new Bytes());
  readonly offsets = KEYS.map(() => new Bytes());
  readonly values = KEYS.map(() => new Bytes());
  /** Elements of each map or array column so far in the block (its next offset). */
  readonly counts = new Float64Array(N);

  /** Drop the block's rows. */
  clear(): void {
    for (let i = 0; i < N; i++) {
      this.data[i]!.n = 0;
      this.nulls[i]!.n = 0;
      this.offsets[i]!.n = 0;
      this.values[i]!.n = 0;
      this.counts[i] = 0;
    }
    this.rows = 0;
  }

  /** Write the block to `fd` and start the next one. */
  flush(fd: number): void {
    if (this.rows === 0) return;
    const head = new Bytes();
    head.varint(N);
    head.varint(this.rows);
    writeSync(fd, head.b, 0, head.n);
    for (let i = 0; i < N; i++) {
      const h = COLUMN_HEADS[i]!;
      writeSync(fd, h.b, 0, h.n);
      for (const part of [this.nulls[i]!, this.offsets[i]!, this.data[i]!, this.values[i]!]) {
        if (part.n > 0) writeSync(fd, part.b, 0, part.n);
        part.n = 0;
      }
      this.counts[i] = 0;
    }
    this.rows = 0;
  }
}

/** The line scanner's state: the bytes being read and the columns. */
class Scanner {
  buf: Buffer = Buffer.alloc(0);
  readonly cols = new Columns();
  // Keys of the tokens map being read (to decline a repeated one): start and end of each.
  private readonly keyAt = new Int32Array(64);
  private readonly keyEnd = new Int32Array(64);

  /** Read the line `[p, e)` into the columns; false (nothing written) when it is not in the fast form. */
  line(p: number, e: number): boolean {
    const s = this.buf;
    const cols = this.cols;
    if (s[p] !== 0x7b) return false;
    p++;
    let col = 0;
    let totalPico = -1;
    let pico = -1;
    for (;;) {
      if (s[p] !== QUOTE) return false;
      let k = col;
      while (k < N && !sameKey(s, p, KEYS[k]!)) k++;
      if (k === N) return false;
      for (; col < k; col++) if (!this.missing(col)) return false;
      p += KEYS[k]!.length;
      const kind = KINDS[k]!;
      const data = cols.data[k]!;
      const nulls = cols.nulls[k]!;
      const c = s[p];
      if (kind === ID) {
        if (c !== QUOTE) return false;
        const q = stringEnd(s, p + 1);
        if (q <= p + 1) return false; // escaped, or empty
        data.str(s, p + 1, q);
        p = q + 1;
      } else if (kind === STR || kind === TIME || kind === STATUS) {
        if (c === QUOTE) {
          const q = stringEnd(s, p + 1);
          if (q < 0) return false;
          if (kind === TIME && !isCanonicalTimeBytes(s, p + 1, q)) return false;
          if (kind === STATUS && !isOneOf(s, p + 1, q, STATUSES)) return false;
          nulls.u8(0);
          data.str(s, p + 1, q);
          p = q + 1;
        } else {
          // A time or status may not be null; a text column may.
          if (kind !== STR || !isNull(s, p)) return false;
          nulls.u8(1);
          data.u8(0);
          p += 4;
        }
      } else if (kind === USD_OPT || kind === PICO) {
        if (isNull(s, p)) {
          nulls.u8(1);
          if (kind === PICO) data.u8(0);
          else data.u64(0);
          p += 4;
        } else if (kind === PICO) {
          const q = integerEnd(s, p);
          if (q < 0) return false;
          pico = integerValue(s, p, q);
          nulls.u8(0);
          data.str(s, p, q);
          p = q;
        } else {
          const q = amountEnd(s, p);
          if (q < 0) return false;
          totalPico = amountValue(s, p, q);
          nulls.u8(0);
          data.u64(totalPico);
          p = q;
        }
      } else if (kind === BOOL) {
        if (sameBytes(s, p, p + 4, TRUE)) {
          data.u8(1);
          p += 4;
        } else if (sameBytes(s, p, p + 5, FALSE)) {
          data.u8(0);
          p += 5;
        } else return false;
        nulls.u8(0);
      } else if (kind === MS) {
        const q = numberEnd(s, p);
        if (q < 0) return false;
        nulls.u8(0);
        // An integer exactly; a fraction as JSON.parse reads it (no table is built from this column).
        let plain = q - p <= MAX_INT_DIGITS;
        for (let i = p; i < q; i++) if (s[i] === DOT) plain = false;
        data.f64(plain ? integerValue(s, p, q) : Number(s.toString('latin1', p, q)));
        p = q;
      } else if (kind === TAGS) {
        if (c !== 0x5b) return false;
        p++;
        let n = 0;
        if (s[p] === 0x5d) p++;
        else
          for (;;) {
            if (s[p] !== QUOTE) return false;
            const q = stringEnd(s, p + 1);
            if (q < 0) return false;
            data.str(s, p + 1, q);
            p = q + 1;
            n++;
            if (s[p] === COMMA) p++;
            else if (s[p] === 0x5d) {
              p++;
              break;
            } else return false;
          }
        this.cols.counts[k]! += n;
        this.cols.offsets[k]!.u64(this.cols.counts[k]!);
      } else {
        // A map: TOKENS, USD or META.
        if (c !== 0x7b) return false;
        p++;
        const vals = this.cols.values[k]!;
        let n = 0;
        let total = -1;
        let sum = 0;
        if (s[p] === 0x7d) p++;
        else
          for (;;) {
            if (s[p] !== QUOTE) return false;
            const ks = p + 1;
            const q = stringEnd(s, ks);
            if (q < 0 || s[q + 1] !== COLON) return false;
            p = q + 2;
            if (kind === META) {
              if (s[p] !== QUOTE) return false;
              const r = stringEnd(s, p + 1);
              if (r < 0) return false;
              vals.str(s, p + 1, r);
              p = r + 1;
            } else if (kind === TOKENS) {
              const r = integerEnd(s, p);
              if (r < 0 || n === this.keyAt.length) return false;
              // A repeated key: JSON.parse keeps the last, ClickHouse both; the general path decides.
              for (let i = 0; i < n; i++)
                if (sameBytes(s, ks, q, s, this.keyAt[i]!, this.keyEnd[i]!)) return false;
              this.keyAt[n] = ks;
              this.keyEnd[n] = q;
              const v = integerValue(s, p, r);
              if (sameBytes(s, ks, q, TOTAL)) total = v;
              else if (!isOneOf(s, ks, q, OUTSIDE)) sum += v;
              vals.u64(v);
              p = r;
            } else {
              const r = amountEnd(s, p);
              if (r < 0) return false;
              vals.u64(amountValue(s, p, r));
              p = r;
            }
            data.str(s, ks, q);
            n++;
            if (s[p] === COMMA) p++;
            else if (s[p] === 0x7d) {
              p++;
              break;
            } else return false;
          }
        if (kind === TOKENS && total >= 0 && total !== sum) return false;
        this.cols.counts[k]! += n;
        this.cols.offsets[k]!.u64(this.cols.counts[k]!);
      }
      col = k + 1;
      if (s[p] === COMMA) p++;
      else if (s[p] === 0x7d && p + 1 === e) break;
      else return false;
    }
    for (; col < N; col++) if (!this.missing(col)) return false;
    // total_cost and cost_pico name one amount (see `costAgreement`); half its tolerance, so that the
    // double arithmetic of the check cannot disagree.
    if (totalPico >= 0 && pico >= 0 && Math.abs(totalPico - pico) > Math.max(1, pico * 1e-9) / 2)
      return false;
    this.cols.rows++;
    return true;
  }

  /** The default of an omitted column (false: the column is required). */
  private missing(k: number): boolean {
    if (REQUIRED[k] === 1) return false;
    const kind = KINDS[k]!;
    if (kind === TOKENS || kind === USD || kind === META || kind === TAGS) {
      this.cols.offsets[k]!.u64(this.cols.counts[k]!);
      return true;
    }
    this.cols.nulls[k]!.u8(1);
    if (kind === USD_OPT) this.cols.data[k]!.u64(0);
    else if (kind === MS) this.cols.data[k]!.f64(0);
    else this.cols.data[k]!.u8(0);
    return true;
  }
}

const TRUE = Buffer.from('true', 'latin1');
const FALSE = Buffer.from('false', 'latin1');
const NULL = Buffer.from('null', 'latin1');

/** True when `s[a, e)` holds one of `words`. */
function isOneOf(s: Uint8Array, a: number, e: number, words: readonly Uint8Array[]): boolean {
  for (let i = 0; i < words.length; i++) if (sameBytes(s, a, e, words[i]!)) return true;
  return false;
}

function isNull(s: Uint8Array, p: number): boolean {
  return sameBytes(s, p, p + 4, NULL);
}

/** True when `s[a, e)` holds the bytes of `w[wa, we)`. */
function sameBytes(s: Uint8Array, a: number, e: number, w: Uint8Array, wa = 0, we = w.length): boolean {
  if (e - a !== we - wa || e > s.length) return false;
  for (let i = 0; i < e - a; i++) if (s[a + i] !== w[wa + i]) return false;
  return true;
}

/** True when the key `"name":` (`key`) starts at `p`. */
function sameKey(s: Uint8Array, p: number, key: Uint8Array): boolean {
  const n = key.length;
  if (s[p + n - 1] !== COLON) return false;
  for (let i = 1; i < n - 1; i++) if (s[p + i] !== key[i]) return false;
  return true;
}

/** Index of the closing quote of a string whose text starts at `p`; -1 on an escape or a control character. */
function stringEnd(s: Uint8Array, p: number): number {
  for (;;) {
    const c = s[p];
    if (c === QUOTE) return p;
    if (c === undefined || c === BACKSLASH || c < 0x20) return -1;
    p++;
  }
}

/** End of a non-negative integer at `p` (no leading zero, at most 15 digits); -1 when there is none. */
function integerEnd(s: Uint8Array, p: number): number {
  let q = p;
  while (s[q]! >= ZERO && s[q]! <= NINE) q++;
  if (q === p || q - p > MAX_INT_DIGITS || (s[p] === ZERO && q - p > 1)) return -1;
  const c = s[q];
  return c === DOT || c === 0x65 || c === 0x45 ? -1 : q;
}

function integerValue(s: Uint8Array, p: number, q: number): number {
  let v = 0;
  for (; p < q; p++) v = v * 10 + s[p]! - ZERO;
  return v;
}

/** End of a plain non-negative decimal at `p` (an integer, or one with 1 to 15 fraction digits); -1 otherwise. */
function numberEnd(s: Uint8Array, p: number): number {
  let q = p;
  while (s[q]! >= ZERO && s[q]! <= NINE) q++;
  if (q === p || (s[p] === ZERO && q - p > 1)) return -1;
  if (s[q] === DOT) {
    const f = ++q;
    while (s[q]! >= ZERO && s[q]! <= NINE) q++;
    if (q === f || q - f > MAX_INT_DIGITS) return -1;
  }
  const c = s[q];
  return c === 0x65 || c === 0x45 ? -1 : q;
}

/** {@link numberEnd} of an amount: below {@link MAX_USD_INT}, at most 12 fraction digits. */
function amountEnd(s: Uint8Array, p: number): number {
  const q = numberEnd(s, p);
  if (q < 0) return -1;
  let i = p;
  let int = 0;
  while (i < q && s[i] !== DOT) int = int * 10 + s[i++]! - ZERO;
  return int >= MAX_USD_INT || q - i - 1 > USD_SCALE ? -1 : q;
}

/** The amount `s[p, q)` (see {@link amountEnd}) in units of 10^-12: exact. */
function amountValue(s: Uint8Array, p: number, q: number): number {
  let int = 0;
  while (p < q && s[p] !== DOT) int = int * 10 + s[p++]! - ZERO;
  let frac = 0;
  let digits = 0;
  for (p++; p < q; p++, digits++) frac = frac * 10 + s[p]! - ZERO;
  return int * 1e12 + frac * POW10[USD_SCALE - digits]!;
}

/**
 * Write the lines of `segment` (whole lines; its end at a line boundary, not -1) to `out` as Native
 * blocks of the {@link LEDGER_RAW_COLUMNS}. Returns the number of lines, or null when a line is not in the
 * fast form (see the module comment): the caller then reads the segment the general way.
 */
export function writeNativeSegment(segment: LedgerSegment, out: string): number | null {
  if (segment.end < 0) return null;
  const sc = new Scanner();
  const fd = openSync(segment.path, 'r');
  const fo = openSync(out, 'w');
  let lines = 0;
  try {
    const read = readWholeLines(
      fd,
      segment.start,
      segment.end,
      Buffer.allocUnsafe(READ_BYTES),
      (buf, cut) => {
        sc.buf = buf;
        for (let s = 0; s < cut; ) {
          const e = buf.indexOf(0x0a, s);
          if (!sc.line(s, e)) return false;
          lines++;
          if (sc.cols.rows === BLOCK_ROWS) sc.cols.flush(fo);
          s = e + 1;
        }
        return true;
      },
    );
    // A line without its newline at the segment's end is not taken.
    if (read.stopped || read.carry > 0) return null;
    sc.cols.flush(fo);
    return lines;
  } finally {
    closeSync(fd);
    closeSync(fo);
  }
}

let lineScanner: Scanner | undefined;

/**
 * @internal True when {@link writeNativeSegment} takes the line `text` (without its newline) as columns;
 * tests hold it to `parseLedgerLine`.
 */
export function takesLine(text: string): boolean {
  // One scanner for every call (its columns are large); each line starts a new block.
  lineScanner ??= new Scanner();
  const sc = lineScanner;
  sc.cols.clear();
  sc.buf = Buffer.from(`${text}\n`, 'utf8');
  return sc.line(0, sc.buf.length - 1);
}
