import { closedError, describeValue, InvalidArgumentError } from '../errors.js';
import { PICO_PER_USD } from '../pricing/money.js';
import { totalTokens } from '../usage/token-usage.js';
import { makeDetailLiterals, writeCostDetails, writeUsageDetails } from './details.generated.js';
import { Literal, literal, QUAD } from './literal.js';
import type { CostRecord } from './record.js';

/**
 * Writes ledger lines as UTF-8 bytes straight into a growing byte array: the text of
 * `JSON.stringify(toLedgerLine(r))` without the columns a line leaves out at their default (see
 * `OMITTED_WHEN_DEFAULT`). No string is built for a line, so nothing has to be flattened and
 * encoded again before the write — on the ledger's hot path that was as costly as the formatting.
 * Tests hold `expandLedgerLine(JSON.parse(text))` equal to `toLedgerLine(r)` on adversarial records.
 *
 * Usage: `line(r)` appends one line and its newline; `bytes`/`length` are the encoded text so far;
 * `take(n)` drops the first `n` bytes (written out) and keeps the rest.
 */
export class LedgerLineEncoder {
  /** Encoded bytes; valid up to {@link length}. Replaced when it grows. */
  bytes: Uint8Array;
  /** Bytes encoded so far. */
  length = 0;
  /** {@link bytes} as a DataView: literals are written four bytes a store. */
  private view: DataView;
  /** `,"project_id":…,"type":"GENERATION","name":` of every line. */
  private readonly projectTypeName: Literal;
  /** UTC day of the last time written, and its `"YYYY-MM-DDT` text (calls arrive in time order). */
  private day = Number.NaN;
  private dayText = '';
  /**
   * The second of the last time written (epoch s), and its `"YYYY-MM-DDTHH:MM:SS.` bytes: the calls
   * of one second (and a call's start and end) share them, only the milliseconds differ.
   */
  private second = Number.NaN;
  private secondPrefix: Literal;
  /** Where the line's cost_details total was written (total_cost repeats it). */
  private totalAt = 0;
  private totalEnd = 0;
  /** Recent values of the memoised columns (see `memoStr`): MEMO_WAYS per column. */
  private readonly memoText: (string | undefined)[] = new Array(MEMO_SLOTS * MEMO_WAYS).fill(undefined);
  private readonly memoBytes: (Literal | undefined)[] = new Array(MEMO_SLOTS * MEMO_WAYS).fill(undefined);
  /** The way each column replaces next (round robin). */
  private readonly memoNext = new Uint8Array(MEMO_SLOTS);

  /** @throws {InvalidArgumentError} for a project id that is not a string, or a capacity outside 1 … 2^30 bytes. */
  constructor(projectId = 'local', capacity = 64 * 1024) {
    if (typeof projectId !== 'string')
      throw new InvalidArgumentError('projectId', `expected a string, got ${describeValue(projectId)}`);
    if (!Number.isSafeInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY)
      throw new InvalidArgumentError(
        'capacity',
        `expected an integer number of bytes from 1 to ${MAX_CAPACITY}, got ${describeValue(capacity)}`,
      );
    makeLineLiterals();
    this.secondPrefix = EMPTY_KEY;
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
    this.projectTypeName = literal(`,"project_id":${JSON.stringify(projectId)},"type":"GENERATION","name":`);
  }

  /** Drop the first `n` bytes, keeping what follows them. */
  take(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0 || n > this.length)
      throw new InvalidArgumentError(
        'n',
        `expected an integer from 0 to ${this.length}, got ${describeValue(n)}`,
      );
    this.bytes.copyWithin(0, n, this.length);
    this.length -= n;
  }

  /**
   * Append the line of `r` and a newline. A record that cannot be encoded (a field of the wrong type
   * that throws, a getter or Proxy trap that throws) leaves nothing behind: no half line.
   * @throws {InvalidArgumentError}
   */
  line(r: CostRecord): void {
    const start = this.length;
    try {
      if (typeof r !== 'object' || r === null)
        throw new InvalidArgumentError('record', `expected a cost record, got ${describeValue(r)}`);
      this.lineUnchecked(r);
    } catch (err) {
      this.length = start;
      throw closedError(err, 'LedgerLineEncoder.line');
    }
  }

  private lineUnchecked(r: CostRecord): void {
    // The fixed parts of a line fit in SLACK bytes; each string reserves its own room plus SLACK,
    // so whatever follows it fits too.
    this.room(SLACK);
    const unpriced = r.unpriced === true;
    this.lit(K_ID);
    const idAt = this.length;
    this.str(r.id);
    const idEnd = this.length;
    this.lit(K_TRACE_ID);
    if (r.traceId === undefined) {
      // trace_id is the id: copy its bytes.
      this.bytes.copyWithin(this.length, idAt, idEnd);
      this.length += idEnd - idAt;
    } else this.str(r.traceId);
    if (r.parentId != null) {
      this.lit(K_PARENT);
      this.str(r.parentId);
    }
    this.lit(this.projectTypeName);
    if (r.operation != null) this.memoStr(M_NAME, EMPTY_KEY, r.operation);
    else this.lit(NULL);
    if (r.environment != null) this.memoStr(M_ENVIRONMENT, K_ENVIRONMENT, r.environment);
    this.lit(K_START);
    this.time(r.startTime);
    this.lit(K_END);
    this.time(r.endTime);
    if (r.error != null) {
      this.lit(r.status === 'error' ? K_LEVEL_ERROR : K_LEVEL_DEFAULT);
      this.str(r.error);
    } else this.lit(r.status === 'error' ? K_LEVEL_ERROR_NULL : K_LEVEL_DEFAULT_NULL);
    this.memoStr(M_MODEL, K_MODEL, r.model);
    if (!unpriced) this.memoStr(M_INTERNAL, K_INTERNAL, r.resolvedModel);
    this.lit(K_USAGE);
    this.usage(r);
    this.lit(K_COST);
    if (unpriced) this.lit(EMPTY_OBJECT);
    else this.costs(r);
    if (r.providedCost !== undefined) {
      this.lit(K_PROVIDED);
      this.num(r.providedCost);
      this.byte(RBRACE);
    }
    if (unpriced) this.lit(K_TOTAL_NULL);
    else {
      this.lit(K_TOTAL);
      // The same number as cost_details.total, just written: copy its bytes.
      this.bytes.copyWithin(this.length, this.totalAt, this.totalEnd);
      this.length += this.totalEnd - this.totalAt;
      this.lit(K_PICO);
      this.num(r.totalPico);
    }
    const metadata = r.metadata;
    if (metadata == null) this.lit(K_METADATA_EMPTY);
    else if (typeof metadata !== 'object')
      throw new InvalidArgumentError('record.metadata', `expected an object, got ${describeValue(metadata)}`);
    else {
      this.lit(K_METADATA);
      this.record(metadata);
    }
    if (r.sessionId != null) {
      this.lit(K_SESSION);
      this.str(r.sessionId);
    }
    if (r.userId != null) {
      this.lit(K_USER);
      this.str(r.userId);
    }
    if (r.tenantId != null) {
      this.lit(K_TENANT);
      this.str(r.tenantId);
    }
    const tags = r.tags;
    if (tags !== undefined && tags.length > 0) {
      this.lit(K_TAGS);
      for (let i = 0; i < tags.length; i++) {
        if (i > 0) this.byte(COMMA);
        this.value(tags[i], true);
      }
      this.byte(RBRACKET);
    }
    this.memoStr(M_PROVIDER, K_PROVIDER, r.provider);
    if (unpriced) {
      this.lit(K_RESOLVED);
      this.str(r.resolvedModel);
    }
    this.memoStr(M_SOURCE, K_SOURCE, r.source);
    if (r.estimated) this.lit(K_ESTIMATED_TRUE);
    this.memoStr(M_TIER, K_TIER, r.tier);
    if (r.fallback === true) this.lit(K_FALLBACK_TRUE);
    if (r.service != null) this.memoStr(M_SERVICE, K_SERVICE, r.service);
    this.lit(K_DURATION);
    this.num(r.durationMs);
    this.memoStr(M_STATUS, K_STATUS, r.status);
    if (r.inputText !== undefined) {
      this.lit(K_INPUT_TEXT);
      this.value(r.inputText, true);
    }
    if (r.outputText !== undefined) {
      this.lit(K_OUTPUT_TEXT);
      this.value(r.outputText, true);
    }
    this.byte(RBRACE);
    this.byte(NEWLINE);
  }

  /** Append a bare newline (to end a torn line left by a killed writer). */
  newline(): void {
    this.room(1);
    this.byte(NEWLINE);
  }

  private usage(r: CostRecord): void {
    const u = r.usage;
    writeUsageDetails(this, u);
    this.lit(K_D_TOTAL);
    this.num(totalTokens(u));
    this.byte(RBRACE);
  }

  private costs(r: CostRecord): void {
    writeCostDetails(this, r.costs);
    this.lit(K_D_TOTAL);
    this.totalAt = this.length;
    const total = r.total;
    const pico = r.totalPico;
    // The tracker's total is totalPico / 1e12: its text is totalPico's digits with the point 12 from
    // the right (see `decimal` for why that is String's text), found without a search.
    if (
      pico >= MIN_FIXED_PICO &&
      pico < MAX_DECIMAL_DIGITS &&
      pico / PICO_PER_USD === total &&
      Math.floor(pico) === pico
    )
      this.fixed(pico, PICO_DIGITS);
    else this.num(total);
    this.totalEnd = this.length;
    this.byte(RBRACE);
  }

  /** A metadata object, as JSON.stringify writes it (keys it cannot write left out). */
  private record(o: Record<string, unknown>): void {
    let first = true;
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (typeof v !== 'string' && JSON.stringify(v) === undefined) continue;
      this.byte(first ? LBRACE : COMMA);
      first = false;
      this.str(k);
      this.byte(COLON);
      this.value(v, false);
    }
    if (first) this.byte(LBRACE);
    this.byte(RBRACE);
  }

  /** Any value as JSON.stringify writes it (`null` for what it cannot write, as inside an array). */
  private value(v: unknown, inArray: boolean): void {
    if (typeof v === 'string') {
      this.str(v);
      return;
    }
    const j = JSON.stringify(v) ?? (inArray ? 'null' : undefined);
    if (j === undefined) return;
    // JSON text (escaped already) as UTF-8.
    this.room(j.length * 3 + SLACK);
    const bytes = encoder.encode(j);
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
  }

  /**
   * `key` and the JSON string `s`. The columns that repeat from line to line (model, provider, tier,
   * span name, service, …) keep the bytes of their last few values: a value seen again is one copy
   * instead of a pass over its characters. The memo holds at most MEMO_WAYS values per column, each
   * at most MAX_MEMO_BYTES long; it is allocated only when a column takes a value it does not hold.
   */
  private memoStr(slot: number, key: Literal, s: string): void {
    if (typeof s !== 'string') {
      // Not a string (a record built by hand): written as JSON.stringify would, never remembered.
      this.lit(key);
      this.str(s);
      return;
    }
    const base = slot * MEMO_WAYS;
    const texts = this.memoText;
    for (let i = base; i < base + MEMO_WAYS; i++) {
      if (texts[i] === s) {
        const b = this.memoBytes[i]!;
        this.room(b.length + SLACK);
        this.lit(b);
        return;
      }
    }
    const at = this.length;
    this.lit(key);
    this.str(s);
    if (this.length - at > MAX_MEMO_BYTES) return;
    const way = this.memoNext[slot]!;
    this.memoNext[slot] = (way + 1) % MEMO_WAYS;
    texts[base + way] = s;
    this.memoBytes[base + way] = new Literal(this.bytes.subarray(at, this.length));
  }

  /** A string as a JSON string literal. */
  private str(s: string): void {
    if (typeof s !== 'string') {
      this.value(s, true);
      return;
    }
    // Worst case: every code unit escaped as \uXXXX.
    this.room(s.length * 6 + 2 + SLACK);
    const b = this.bytes;
    let o = this.length;
    b[o++] = QUOTE;
    const n = s.length;
    // Ids, names and models are plain printable ASCII: copied by compares alone, no table lookup,
    // four characters to a 32-bit store while they last.
    let i = 0;
    const v = this.view;
    for (; i + 4 <= n; i += 4) {
      const c0 = s.charCodeAt(i);
      const c1 = s.charCodeAt(i + 1);
      const c2 = s.charCodeAt(i + 2);
      const c3 = s.charCodeAt(i + 3);
      if (!(isPlain(c0) && isPlain(c1) && isPlain(c2) && isPlain(c3))) break;
      v.setInt32(o, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24), true);
      o += 4;
    }
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (!isPlain(c)) break;
      b[o++] = c;
    }
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        if (PLAIN[c] === 1) b[o++] = c;
        else {
          const e = SHORT_ESCAPE[c];
          b[o++] = BACKSLASH;
          if (e !== undefined) b[o++] = e;
          else o = hexEscape(b, o, c);
        }
      } else if (c < 0x800) {
        b[o++] = 0xc0 | (c >> 6);
        b[o++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const d = s.charCodeAt(i + 1);
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          b[o++] = 0xf0 | (cp >> 18);
          b[o++] = 0x80 | ((cp >> 12) & 0x3f);
          b[o++] = 0x80 | ((cp >> 6) & 0x3f);
          b[o++] = 0x80 | (cp & 0x3f);
          i++;
        } else {
          // A lone surrogate: JSON.stringify writes it as an escape (well-formed JSON.stringify).
          b[o++] = BACKSLASH;
          o = hexEscape(b, o, c);
        }
      } else {
        b[o++] = 0xe0 | (c >> 12);
        b[o++] = 0x80 | ((c >> 6) & 0x3f);
        b[o++] = 0x80 | (c & 0x3f);
      }
    }
    b[o++] = QUOTE;
    this.length = o;
  }

  /**
   * @internal A number as JSON.stringify writes it; small non-negative integers digit by digit (no
   * string). Public for the generated detail writers.
   */
  num(v: number): void {
    if (v >= 0 && v <= 0x7fffffff && (v | 0) === v) {
      this.digits(v);
      return;
    }
    // Larger safe integers (pico-USD totals): two int32 halves, no string.
    if (v > 0 && v <= Number.MAX_SAFE_INTEGER && Math.floor(v) === v) {
      if (this.bigInt(v)) return;
    } else if (v >= MIN_FIXED && v < MAX_DECIMAL && this.decimal(v)) return;
    this.chars(Number.isFinite(v) ? String(v) : 'null');
  }

  /** A safe integer up to about 2^62 in decimal (false when larger: the caller writes `String(v)`). */
  private bigInt(v: number): boolean {
    const hi = Math.floor(v / 1e9);
    if (hi > 0x7fffffff) return false;
    this.digits(hi);
    this.digits(v - hi * 1e9, 9);
    return true;
  }

  /**
   * A positive fraction (USD amounts, millisecond durations) as `String(v)` writes it, without the
   * string: the fewest fraction digits `k` whose decimal `m / 10^k` converts back to exactly `v`.
   * A decimal of at most 15 significant digits is the only one of that length or shorter that
   * converts to its double (IEEE doubles carry 15.95 digits), so it is the shortest round-trip text
   * ECMAScript's Number::toString prints; from 1e-6 up that text has no exponent. Anything needing
   * more digits returns false and is written by `String(v)` (tests compare the bytes on millions of
   * values).
   */
  private decimal(v: number): boolean {
    // Amounts the calculator makes are whole picodollars: 12 fraction digits, tried first. A shorter
    // decimal that converts to `v` is the same number (see above), so this is String's text too.
    const pico = Math.round(v * PICO_PER_USD);
    if (pico < MAX_DECIMAL_DIGITS && pico / PICO_PER_USD === v) {
      this.fixed(pico, PICO_DIGITS);
      return true;
    }
    for (let k = 1; k <= MAX_DIGITS; k++) {
      const scale = POW10[k]!;
      const m = Math.round(v * scale);
      if (m >= MAX_DECIMAL_DIGITS) return false;
      if (m / scale !== v) continue;
      this.fixed(m, k);
      return true;
    }
    return false;
  }

  /**
   * The decimal `m / 10^k` (`m` a non-negative integer below 1e15, `k` from 1 to 15) with its point,
   * without trailing zeros in the fraction.
   */
  private fixed(m: number, k: number): void {
    const scale = POW10[k]!;
    const whole = Math.floor(m / scale);
    // whole < 1e15 / 10: an int32 or two halves.
    if (whole <= 0x7fffffff) this.digits(whole);
    else this.bigInt(whole);
    const frac = m - whole * scale;
    if (frac === 0) return;
    this.bytes[this.length++] = DOT;
    if (k <= 9) {
      this.trimmed(frac, k);
      return;
    }
    // Over 9 digits: two int32 halves, so that the trailing zeros are dropped by int32 arithmetic.
    const hi = Math.floor(frac / 1e9);
    const lo = frac - hi * 1e9;
    if (lo === 0) this.trimmed(hi, k - 9);
    else {
      this.digits(hi, k - 9);
      this.trimmed(lo, 9);
    }
  }

  /** A positive int32 below 10^width as `width` digits (zeros in front), its trailing zeros left out. */
  private trimmed(v: number, width: number): void {
    let x = v;
    let n = width;
    while (x % 10 === 0) {
      x = (x / 10) | 0;
      n--;
    }
    this.digits(x, n);
  }

  /** A non-negative int32 in decimal, left-padded with zeros to `width` digits. */
  private digits(v: number, width = 1): void {
    const b = this.bytes;
    let n = width;
    for (let p = POW10[n]!; p <= v; p *= 10) n++;
    let o = this.length + n;
    this.length = o;
    let x = v;
    for (let i = 0; i < n; i++) {
      const q = (x / 10) | 0;
      b[--o] = 0x30 + x - q * 10;
      x = q;
    }
  }

  /** An ISO-8601 time in quotes, as `Date#toISOString` writes it: digits straight into the buffer. */
  private time(ms: number): void {
    const t = Math.trunc(ms);
    if (!(t >= 0 && t < MAX_ISO_MS)) {
      // Outside what a Date holds: null, not an exception that would hold up the whole batch.
      if (!(Math.abs(ms) <= MAX_DATE_MS)) {
        this.lit(NULL);
        return;
      }
      this.byte(QUOTE);
      this.chars(new Date(ms).toISOString());
      this.byte(QUOTE);
      return;
    }
    const sec = Math.floor(t / SECOND_MS);
    if (sec !== this.second) this.setSecond(sec);
    this.lit(this.secondPrefix);
    const milli = t - sec * SECOND_MS;
    const d0 = (milli / 100) | 0;
    const d1 = ((milli - d0 * 100) / 10) | 0;
    const d2 = milli - d0 * 100 - d1 * 10;
    // `mmmZ` as one little-endian 32-bit word, then the closing quote.
    const o = this.length;
    this.view.setInt32(o, (ZERO + d0) | ((ZERO + d1) << 8) | ((ZERO + d2) << 16) | (LETTER_Z << 24), true);
    this.bytes[o + 4] = QUOTE;
    this.length = o + 5;
  }

  /** Make `secondPrefix` the `"YYYY-MM-DDTHH:MM:SS.` of the epoch second `sec` (a time from 1970 to 9999). */
  private setSecond(sec: number): void {
    this.second = sec;
    const day = Math.floor(sec / DAY_S);
    if (day !== this.day) {
      this.day = day;
      this.dayText = new Date(day * DAY_S * SECOND_MS).toISOString().slice(0, DAY_CHARS);
    }
    let r = sec - day * DAY_S;
    const h = Math.floor(r / 3600);
    r -= h * 3600;
    const m = Math.floor(r / 60);
    const s = r - m * 60;
    const text = `"${this.dayText}${pad2(h)}:${pad2(m)}:${pad2(s)}.`;
    this.secondPrefix = literal(text);
  }

  /** ASCII text (numbers, times) that needs no escaping; room already reserved. */
  private chars(s: string): void {
    const b = this.bytes;
    let o = this.length;
    for (let i = 0; i < s.length; i++) b[o++] = s.charCodeAt(i);
    this.length = o;
  }

  /**
   * @internal Append constant bytes (room was reserved), eight at a store (see `Literal`): up to
   * seven bytes past the new end are written too, and are overwritten by what follows (the room
   * reserved covers them). Public for the generated detail writers.
   */
  lit(k: Literal): void {
    const q = k.quads;
    const n = q.length;
    const v = this.view;
    const o = this.length;
    for (let i = 0; i < n; i++) v.setFloat64(o + i * QUAD, q[i]!, true);
    this.length = o + k.length;
  }

  private byte(c: number): void {
    this.bytes[this.length++] = c;
  }

  /** Make sure `n` more bytes fit. */
  private room(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }
}

/** Columns whose recent values `memoStr` keeps. */
const M_NAME = 0;
const M_ENVIRONMENT = 1;
const M_MODEL = 2;
const M_INTERNAL = 3;
const M_PROVIDER = 4;
const M_SOURCE = 5;
const M_TIER = 6;
const M_SERVICE = 7;
const M_STATUS = 8;
const MEMO_SLOTS = 9;
/** Values remembered per column: enough for the models of a typical service without churn. */
const MEMO_WAYS = 8;
/** Longest key-and-value text remembered, bytes. */
const MAX_MEMO_BYTES = 256;
/** Smallest number `String` writes without an exponent (below it: `1e-7`). */
const MIN_FIXED = 1e-6;
/** Most significant digits of a decimal written by `decimal` (see there). */
const MAX_DIGITS = 15;
const MAX_DECIMAL_DIGITS = 1e15;
/** Fractions from here up are written by `String` (they have at most a few fraction digits to spare). */
const MAX_DECIMAL = 1e15;
/** 10^k, exact as doubles. */
const POW10 = Array.from({ length: MAX_DIGITS + 1 }, (_, k) => Number(`1e${k}`));
/** The digits after the point of a pico amount in USD. */
const PICO_DIGITS = 12;
/** The smallest pico total whose USD text has no exponent (1e-6 USD). */
const MIN_FIXED_PICO = 1e6;
const DOT = 0x2e;
const ZERO = 0x30;
/** Room for the fixed parts of a line (keys, numbers, times): under 1 KiB, doubled. */
const SLACK = 2048;
const SECOND_MS = 1000;
const DAY_S = 86_400;
/** `YYYY-MM-DDT` */
const DAY_CHARS = 11;
const LETTER_Z = 0x5a;
/** Times from year 10000 on are written by `Date#toISOString` (six-digit years). */
const MAX_ISO_MS = 253_402_300_800_000;
/** Largest time a Date holds (±). */
const MAX_DATE_MS = 8.64e15;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const RBRACKET = 0x5d;
const NEWLINE = 0x0a;
const HEX = [0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66];

/** ASCII characters a JSON string holds as they are (1), and those it escapes (0). */
const PLAIN = new Uint8Array(128);
for (let c = 0x20; c < 0x80; c++) PLAIN[c] = c === QUOTE || c === BACKSLASH ? 0 : 1;

/** The letter after the backslash of JSON's short escapes. */
const SHORT_ESCAPE: (number | undefined)[] = [];
SHORT_ESCAPE[0x08] = 0x62; // \b
SHORT_ESCAPE[0x09] = 0x74; // \t
SHORT_ESCAPE[0x0a] = 0x6e; // \n
SHORT_ESCAPE[0x0c] = 0x66; // \f
SHORT_ESCAPE[0x0d] = 0x72; // \r
SHORT_ESCAPE[QUOTE] = QUOTE;
SHORT_ESCAPE[BACKSLASH] = BACKSLASH;

/** True for a printable ASCII character that a JSON string holds as it is (not a quote or a backslash). */
function isPlain(c: number): boolean {
  return c >= 0x20 && c <= 0x7e && c !== QUOTE && c !== BACKSLASH;
}

/** `uXXXX` (lower-case hex, as JSON.stringify writes it) after a backslash already written. */
function hexEscape(b: Uint8Array, o: number, c: number): number {
  b[o++] = 0x75;
  b[o++] = HEX[(c >> 12) & 15]!;
  b[o++] = HEX[(c >> 8) & 15]!;
  b[o++] = HEX[(c >> 4) & 15]!;
  b[o++] = HEX[c & 15]!;
  return o;
}

const encoder = new TextEncoder();
/** Largest initial capacity (the array still grows past it when lines need room). */
const MAX_CAPACITY = 2 ** 30;

/** Two decimal digits. */
function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

// The line's constant parts are made by the first encoder, not at import: about 0.3 ms of
// `import 'langfuse-cost'` went to encoding them. The line code reads them as module bindings, as before.
let K_ID: Literal;
let K_TRACE_ID: Literal;
let K_PARENT: Literal;
let K_ENVIRONMENT: Literal;
let K_START: Literal;
let K_END: Literal;
let K_LEVEL_ERROR: Literal;
let K_LEVEL_DEFAULT: Literal;
let K_LEVEL_ERROR_NULL: Literal;
let K_LEVEL_DEFAULT_NULL: Literal;
let K_MODEL: Literal;
let K_INTERNAL: Literal;
let K_USAGE: Literal;
let K_COST: Literal;
let K_PROVIDED: Literal;
let K_TOTAL: Literal;
let K_TOTAL_NULL: Literal;
let K_PICO: Literal;
let K_METADATA: Literal;
let K_METADATA_EMPTY: Literal;
let K_SESSION: Literal;
let K_USER: Literal;
let K_TENANT: Literal;
let K_TAGS: Literal;
let K_PROVIDER: Literal;
let K_RESOLVED: Literal;
let K_SOURCE: Literal;
let K_ESTIMATED_TRUE: Literal;
let K_TIER: Literal;
let K_FALLBACK_TRUE: Literal;
let K_SERVICE: Literal;
let K_DURATION: Literal;
let K_STATUS: Literal;
let K_INPUT_TEXT: Literal;
let K_OUTPUT_TEXT: Literal;
let NULL: Literal;
let EMPTY_KEY: Literal;
let EMPTY_OBJECT: Literal;
let K_D_TOTAL: Literal;

/** Make the constant parts of a line (the first call only). */
function makeLineLiterals(): void {
  if (K_ID !== undefined) return;
  K_ID = literal('{"id":');
  K_TRACE_ID = literal(',"trace_id":');
  K_PARENT = literal(',"parent_observation_id":');
  K_ENVIRONMENT = literal(',"environment":');
  K_START = literal(',"start_time":');
  K_END = literal(',"end_time":');
  K_LEVEL_ERROR = literal(',"level":"ERROR","status_message":');
  K_LEVEL_DEFAULT = literal(',"level":"DEFAULT","status_message":');
  K_LEVEL_ERROR_NULL = literal(',"level":"ERROR","status_message":null');
  K_LEVEL_DEFAULT_NULL = literal(',"level":"DEFAULT","status_message":null');
  K_MODEL = literal(',"provided_model_name":');
  K_INTERNAL = literal(',"internal_model_id":');
  K_USAGE = literal(',"usage_details":');
  K_COST = literal(',"cost_details":');
  K_PROVIDED = literal(',"provided_cost_details":{"total":');
  K_TOTAL = literal(',"total_cost":');
  K_TOTAL_NULL = literal(',"total_cost":null');
  K_PICO = literal(',"cost_pico":');
  K_METADATA = literal(',"metadata":');
  K_METADATA_EMPTY = literal(',"metadata":{}');
  K_SESSION = literal(',"session_id":');
  K_USER = literal(',"user_id":');
  K_TENANT = literal(',"tenant_id":');
  K_TAGS = literal(',"tags":[');
  K_PROVIDER = literal(',"provider":');
  K_RESOLVED = literal(',"resolved_model":');
  K_SOURCE = literal(',"source":');
  K_ESTIMATED_TRUE = literal(',"estimated":true');
  K_TIER = literal(',"tier":');
  K_FALLBACK_TRUE = literal(',"fallback":true');
  K_SERVICE = literal(',"service":');
  K_DURATION = literal(',"duration_ms":');
  K_STATUS = literal(',"status":');
  K_INPUT_TEXT = literal(',"input":');
  K_OUTPUT_TEXT = literal(',"output":');
  NULL = literal('null');
  EMPTY_KEY = literal('');
  EMPTY_OBJECT = literal('{}');
  K_D_TOTAL = literal(',"total":');
  makeDetailLiterals();
}
