import { usdToPico } from '../pricing/money.js';
import { LANGFUSE_KEY_OF_BUCKET, TOKEN_BUCKETS } from '../usage/buckets.js';
import { type TokenBucket, USAGE_BUCKETS } from '../usage/token-usage.js';
import {
  FALS_WORD,
  FALSE_LAST,
  NULL_WORD,
  sameWords,
  specialByte,
  TRUE_WORD,
  wordOf,
  wordsOf,
} from './byte-scan.js';
import { costAgreement, isCanonicalTimeBytes, LEDGER_COLUMN_KINDS } from './check.js';
import { DEFAULT_ENVIRONMENT, LEDGER_COLUMNS, type LedgerLine, OMITTED_WHEN_DEFAULT } from './line.js';

/**
 * Turns the bytes `bytes[from, to)` of a string's body (no escape in them) into the string: UTF-8, and
 * `ascii` says when every byte is below 0x80 (then one byte is one character, which a runtime may decode
 * faster). The Node reader passes Buffer's own decoders; the default is a `TextDecoder`.
 */
export type BytesDecoder = (bytes: Uint8Array, from: number, to: number, ascii: boolean) => string;

// `ignoreBOM`: a string that starts with U+FEFF keeps it, as `JSON.parse` of the text keeps it.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const decodeUtf8: BytesDecoder = (bytes, from, to) => utf8.decode(bytes.subarray(from, to));

const encoder = new TextEncoder();

const NO_BYTES = new Uint8Array(0);

/**
 * The fields of a ledger line that reports need, read straight from the line's bytes (UTF-8, as the
 * ledger file holds them) without building the line object or decoding the text (several times faster
 * than `JSON.parse`). One instance is reused. The string fields are located by the scan and turned into
 * strings only when read, so a report grouped by model never makes the session, user or tag strings of a
 * line; and a value read before (a model, a user, a day) is taken from a small memo of recent values by
 * its bytes, not decoded again.
 */
export class FastLine {
  /** Cost in pico-USD; NaN when the line has no cost (unpriced). */
  pico = Number.NaN;
  /** `total_cost` in USD, used when `cost_pico` is absent; NaN when null/absent. */
  totalCost = Number.NaN;
  estimated = false;
  /** Provider-reported cost, USD; NaN when none. */
  provided = Number.NaN;
  /** Usage per bucket in USAGE_BUCKETS order. */
  readonly usage = new Float64Array(USAGE_BUCKETS.length);
  /** @internal The bytes the positions below point into (the reader's block, valid until its next block). */
  bytes: Uint8Array = NO_BYTES;
  /** @internal {@link FastLine.bytes} read four bytes at a time (see `keyAt`); set with them by {@link FastLine.use}. */
  view: DataView<ArrayBufferLike> = new DataView(NO_BYTES.buffer);
  /**
   * @internal The number the scanner read last: its functions return the position after what they
   * read (or {@link DECLINE}), so a number's value travels here, on the line being read, rather than
   * in state shared by every scan.
   */
  num = 0;
  // Per string field: the opening quote's position (-1: null or absent) and the closing quote's;
  // the value once read (undefined: not read yet).
  private readonly at = new Int32Array(FIELDS).fill(-1);
  private readonly until = new Int32Array(FIELDS);
  private readonly values: (string | null | undefined)[] = new Array(FIELDS).fill(undefined);
  private readonly memos = Array.from({ length: FIELDS }, () => new ValueMemo());
  private tagList: string[] | undefined = undefined;
  private tagsAt = -1;

  /** @param decode how string bytes become strings (see {@link BytesDecoder}). */
  constructor(private readonly decode: BytesDecoder = decodeUtf8) {}

  /** `start_time` as written ('' when missing). */
  get startTime(): string {
    return this.field(F_START) ?? '';
  }
  set startTime(v: string) {
    this.values[F_START] = v;
  }
  /**
   * The first ten characters of `start_time` (its date, for a time in the ledger's form): a report by day
   * in UTC groups by this, which repeats line after line and is taken from the memo without a cut.
   */
  get startDate(): string {
    return this.field(F_DATE) ?? '';
  }
  /** `status` as written ('' when missing). */
  get status(): string {
    return this.field(F_STATUS) ?? '';
  }
  set status(v: string) {
    this.values[F_STATUS] = v;
  }
  /** `provided_model_name` ('' when missing). */
  get model(): string {
    return this.field(F_MODEL) ?? '';
  }
  set model(v: string) {
    this.values[F_MODEL] = v;
  }
  /** `provider` ('' when missing). */
  get provider(): string {
    return this.field(F_PROVIDER) ?? '';
  }
  set provider(v: string) {
    this.values[F_PROVIDER] = v;
  }
  /** `session_id`, or null. */
  get session(): string | null {
    return this.field(F_SESSION);
  }
  set session(v: string | null) {
    this.values[F_SESSION] = v;
  }
  /** `user_id`, or null. */
  get user(): string | null {
    return this.field(F_USER);
  }
  set user(v: string | null) {
    this.values[F_USER] = v;
  }
  /** `tenant_id`, or null. */
  get tenant(): string | null {
    return this.field(F_TENANT);
  }
  set tenant(v: string | null) {
    this.values[F_TENANT] = v;
  }
  /** `environment`; `default` when the line has none (Langfuse's name for it, as `expandLedgerLine`). */
  get environment(): string {
    return this.field(F_ENV) ?? DEFAULT_ENVIRONMENT;
  }
  set environment(v: string) {
    this.values[F_ENV] = v;
  }
  /** `name` (the operation), or null. */
  get name(): string | null {
    return this.field(F_NAME);
  }
  set name(v: string | null) {
    this.values[F_NAME] = v;
  }
  /** `tags` ([] when none). */
  get tags(): string[] {
    if (this.tagList === undefined) this.tagList = this.tagsAt < 0 ? [] : this.readTags(this.tagsAt);
    return this.tagList;
  }
  set tags(v: string[]) {
    this.tagList = v;
  }

  /** True when the line's status is `word` (without making the string). */
  isStatus(word: 'error' | 'cached'): boolean {
    const v = this.values[F_STATUS];
    if (v !== undefined) return v === word;
    // The scanner took the status only when it is `success`, `error` or `cached`: its length tells them apart.
    const a = this.at[F_STATUS]!;
    return a >= 0 && this.until[F_STATUS]! - a - 1 === word.length;
  }

  /** Every field, read (for tests and debugging). */
  snapshot(): Record<string, unknown> {
    return {
      startTime: this.startTime,
      pico: this.pico,
      totalCost: this.totalCost,
      status: this.status,
      estimated: this.estimated,
      provided: this.provided,
      model: this.model,
      provider: this.provider,
      session: this.session,
      user: this.user,
      tenant: this.tenant,
      environment: this.environment,
      name: this.name,
      tags: this.tags,
      usage: [...this.usage],
    };
  }

  reset(): void {
    this.pico = Number.NaN;
    this.totalCost = Number.NaN;
    this.estimated = false;
    this.provided = Number.NaN;
    // Loops, not fill(): these arrays are short and this runs once per line.
    const at = this.at;
    const values = this.values;
    for (let i = 0; i < FIELDS; i++) {
      at[i] = -1;
      values[i] = undefined;
    }
    this.tagList = undefined;
    this.tagsAt = -1;
    const u = this.usage;
    for (let i = 0; i < u.length; i++) u[i] = 0;
  }

  /** @internal Scan lines of `bytes` from now on. */
  use(bytes: Uint8Array): void {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** @internal Where the scan found string field `f` (quotes at `a` and `b`). */
  locate(f: number, a: number, b: number): void {
    this.at[f] = a;
    this.until[f] = b;
  }

  /** @internal True when the scan found a `start_time` string. */
  hasStart(): boolean {
    return this.at[F_START]! >= 0 && this.until[F_START]! > this.at[F_START]! + 1;
  }

  /**
   * @internal Where `start_time` is, without making the string: put in `r` as the range of the line's
   * bytes (a time the scanner checked to be in the ledger's form, so one byte a character), or as the
   * value itself when the line was read the JSON.parse way.
   */
  startRange(r: TextRange): void {
    const v = this.values[F_START];
    const a = this.at[F_START]!;
    if (v !== undefined || a < 0) {
      const st = v ?? '';
      r.bytes = null;
      r.view = null;
      r.text = st;
      r.from = 0;
      r.to = st.length;
    } else {
      r.bytes = this.bytes;
      r.view = this.view;
      r.from = a + 1;
      r.to = this.until[F_START]!;
    }
  }

  /** @internal Where the scan found the tags array. */
  locateTags(a: number): void {
    this.tagsAt = a;
  }

  private field(f: number): string | null {
    const v = this.values[f];
    if (v !== undefined) return v;
    const a = this.at[f]!;
    // Start times differ line to line: the memo would only add its copy (a window or a budget reads them).
    const out =
      a < 0
        ? null
        : f === F_START
          ? this.stringAt(a + 1, this.until[f]!)
          : this.memos[f]!.value(this, a + 1, this.until[f]!);
    this.values[f] = out;
    return out;
  }

  /** @internal The string whose body (between its quotes, escapes and all) is `bytes[a, b)`. */
  stringAt(a: number, b: number): string {
    const s = this.bytes;
    let high = 0;
    let escaped = false;
    for (let i = a; i < b; i++) {
      const c = s[i]!;
      high |= c;
      if (c === BACKSLASH) escaped = true;
    }
    const raw = this.decode(s, a, b, high < 0x80);
    // The scanner checked the escapes (see `stringEnd`), so this parse does not throw.
    return escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
  }

  /** The strings of a tags array already checked by {@link scanTags}. */
  private readTags(p: number): string[] {
    const s = this.bytes;
    const tags: string[] = [];
    let i = ws(s, p + 1);
    while (s[i] === QUOTE) {
      const q = stringEnd(s, this.view, i);
      if (q < 0) break;
      tags.push(this.stringAt(i + 1, q));
      i = ws(s, q + 1);
      if (s[i] === COMMA) i = ws(s, i + 1);
    }
    return tags;
  }

  /** Cost in pico-USD, or null when unpriced. */
  costPico(): number | null {
    if (!Number.isNaN(this.pico)) return this.pico;
    if (!Number.isNaN(this.totalCost)) return usdToPico(this.totalCost);
    return null;
  }

  /** Fill from a parsed line (the slow path, for lines the scanner declines). */
  fromLine(l: LedgerLine): void {
    this.reset();
    const s = (v: unknown) => (typeof v === 'string' ? v : null);
    const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN);
    this.startTime = s(l.start_time) ?? '';
    this.values[F_DATE] = this.startTime.slice(0, DATE_LENGTH);
    this.pico = n(l.cost_pico);
    this.totalCost = n(l.total_cost);
    this.status = s(l.status) ?? '';
    this.estimated = l.estimated === true;
    this.provided = n(l.provided_cost_details?.total);
    this.model = s(l.provided_model_name) ?? '';
    this.provider = s(l.provider) ?? '';
    this.session = s(l.session_id);
    this.user = s(l.user_id);
    this.tenant = s(l.tenant_id);
    this.environment = s(l.environment) ?? DEFAULT_ENVIRONMENT;
    this.name = s(l.name);
    this.tags = Array.isArray(l.tags) ? l.tags.filter((t) => typeof t === 'string') : [];
    const u = l.usage_details;
    if (u && typeof u === 'object') {
      for (const k in u) {
        const i = USAGE_INDEX[k];
        const v = u[k];
        if (i !== undefined && typeof v === 'number' && v > 0) this.usage[i] = this.usage[i]! + v;
      }
    }
  }
}

/** Values a {@link ValueMemo} keeps (a power of two: a slot is a hash of the bytes, masked). */
const MEMO_SLOTS = 32;
/** Longest value a memo keeps, in bytes (longer ones are decoded each time). */
const MEMO_BYTES = 64;

/**
 * The strings recently made of a field's bytes, by those bytes: a report's group keys (models, users,
 * days) come back line after line, and comparing a few bytes is much cheaper than decoding them again
 * and hashing the new string for the group table (a string kept here has its hash already). Equal bytes
 * are always the same string (the decoding depends on nothing else), so a hit is exact.
 */
class ValueMemo {
  private readonly bytes = new Uint8Array(MEMO_SLOTS * MEMO_BYTES);
  private readonly view = new DataView(this.bytes.buffer);
  private readonly lengths = new Int32Array(MEMO_SLOTS).fill(-1);
  private readonly strings: string[] = new Array<string>(MEMO_SLOTS).fill('');

  /** The string whose body is `line.bytes[a, b)`. */
  value(line: FastLine, a: number, b: number): string {
    const n = b - a;
    if (n > MEMO_BYTES) return line.stringAt(a, b);
    const s = line.bytes;
    // The slot: the length and three of the bytes (values of one field mostly differ in one of them).
    const slot = n === 0 ? 0 : (n * 31 + s[a]! * 7 + s[a + (n >> 1)]! * 3 + s[b - 1]!) & (MEMO_SLOTS - 1);
    const kept = this.bytes;
    const base = slot * MEMO_BYTES;
    if (this.lengths[slot] === n) {
      // Four bytes at a time, then the rest.
      const view = line.view;
      const keptView = this.view;
      let i = 0;
      while (i + 4 <= n && keptView.getUint32(base + i, true) === view.getUint32(a + i, true)) i += 4;
      if (i + 4 > n) while (i < n && kept[base + i] === s[a + i]) i++;
      if (i === n) return this.strings[slot]!;
    }
    const v = line.stringAt(a, b);
    for (let i = 0; i < n; i++) kept[base + i] = s[a + i]!;
    this.lengths[slot] = n;
    this.strings[slot] = v;
    return v;
  }
}

/**
 * @internal A range of text, `[from, to)` of a string or of bytes (one byte a character: the scanner gives
 * the range of a time it checked to be in the ledger's form, which is ASCII): a report's earliest and latest
 * start are compared on every line and turned into strings once, at the end.
 */
export class TextRange {
  /** The string, when `bytes` is null. */
  text = '';
  /** The bytes, or null for a string. */
  bytes: Uint8Array | null = null;
  /** `bytes` read four at a time (set with them): ranges of bytes are compared and copied by words. */
  view: DataView<ArrayBufferLike> | null = null;
  from = 0;
  to = 0;
  /** Where {@link TextRange.copy} keeps bytes. */
  private own: Uint8Array | null = null;
  private ownView: DataView | null = null;

  /** Take the range of `r` (its bytes copied here: a reader's block is overwritten by its next one). */
  copy(r: TextRange): void {
    const src = r.view;
    if (src === null) {
      this.bytes = null;
      this.view = null;
      this.text = r.text;
      this.from = r.from;
      this.to = r.to;
      return;
    }
    const n = r.to - r.from;
    let own = this.own;
    let view = this.ownView;
    if (own === null || view === null || own.length < n) {
      own = this.own = new Uint8Array(Math.max(n, TIME_LENGTH));
      view = this.ownView = new DataView(own.buffer);
    }
    this.bytes = own;
    this.view = view;
    let i = 0;
    for (; i + 4 <= n; i += 4) view.setUint32(i, src.getUint32(r.from + i));
    for (; i < n; i++) own[i] = r.bytes![r.from + i]!;
    this.from = 0;
    this.to = n;
  }

  /** The text of the range. */
  value(): string {
    const b = this.bytes;
    if (b === null) return this.text.slice(this.from, this.to);
    let out = '';
    for (let i = this.from; i < this.to; i++) out += String.fromCharCode(b[i]!);
    return out;
  }
}

/** @internal The texts of two ranges compared as `<` compares strings: negative, 0 or positive. */
export function compareRanges(x: TextRange, y: TextRange): number {
  const xv = x.view;
  const yv = y.view;
  const xn = x.to - x.from;
  const yn = y.to - y.from;
  const n = Math.min(xn, yn);
  let i = 0;
  if (xv !== null && yv !== null) {
    // Both bytes (every line the scanner read): four at a time, big-endian words ordering as their bytes do.
    for (; i + 4 <= n; i += 4) {
      const a = xv.getUint32(x.from + i);
      const b = yv.getUint32(y.from + i);
      if (a !== b) return a < b ? -1 : 1;
    }
  }
  for (; i < n; i++) {
    const d = codeAt(x, x.from + i) - codeAt(y, y.from + i);
    if (d !== 0) return d;
  }
  return xn - yn;
}

/** The character code at `i` of a range's text or bytes. */
function codeAt(r: TextRange, i: number): number {
  return r.bytes !== null ? r.bytes[i]! : r.text.charCodeAt(i);
}

// String fields of FastLine, by slot.
const F_START = 0;
const F_STATUS = 1;
const F_MODEL = 2;
const F_PROVIDER = 3;
const F_SESSION = 4;
const F_USER = 5;
const F_TENANT = 6;
const F_NAME = 7;
const F_ENV = 8;
/** The date of `start_time`: its first {@link DATE_LENGTH} characters. */
const F_DATE = 9;
const FIELDS = 10;
/** Characters of a date, `YYYY-MM-DD`. */
const DATE_LENGTH = 10;

/** Langfuse usage key → index in USAGE_BUCKETS. */
export const USAGE_INDEX: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(LANGFUSE_KEY_OF_BUCKET).map(([bucket, key]) => [
    key,
    USAGE_BUCKETS.indexOf(bucket as TokenBucket),
  ]),
);

const NL = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * Returned instead of a position when the scanner meets something it does not handle: the line then
 * takes the `JSON.parse` path. Every scanning function returns the position after what it read, or
 * this; a caller checks `< 0` and passes it on (a return code, not an exception: declining is an
 * ordinary outcome, met on every line of another shape).
 */
const DECLINE = -1;

/** The ASCII bytes of `text`, to compare in place. */
const bytesOf = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
/** `total` as the word of its first four letters, then its `l`. */
const TOTA_WORD = wordOf('tota');
const L = 0x6c;
// The statuses as words (read where they start and where they end, overlapping): their lengths differ.
const SUCCESS_HEAD = wordOf('succ');
const SUCCESS_TAIL = wordOf('cess');
const ERROR_HEAD = wordOf('erro');
const R = 0x72;
const CACHED_HEAD = wordOf('cach');
const CACHED_TAIL = wordOf('ched');
const INPUT_KEY = bytesOf('"input":"');
const OUTPUT_KEY = bytesOf('"output":"');

/** True when `s` holds the bytes of `w` at `p`. */
function bytesAt(s: Uint8Array, p: number, w: Uint8Array): boolean {
  for (let i = 0; i < w.length; i++) if (s[p + i] !== w[i]) return false;
  return true;
}

/**
 * Whitespace within a line: space, tab, carriage return. Not the newline: the scanner finds a line's end
 * by reading it, and a newline always ends the line.
 */
function ws(s: Uint8Array, p: number): number {
  for (;;) {
    const c = s[p];
    if (c === 0x20 || c === 0x09 || c === CR) p++;
    else return p;
  }
}

/** JSON's one-character escapes after a backslash: `"`, `\\`, `/`, `b`, `f`, `n`, `r`, `t`. */
const SIMPLE_ESCAPES: ReadonlySet<number> = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);
/** `u` of a `\uXXXX` escape. */
const UNICODE_ESCAPE = 0x75;

const isHex = (c: number | undefined) =>
  c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));

/**
 * Index of the quote closing the string whose opening quote is at `p`, or DECLINE: on an escape JSON
 * refuses, or a control character (which JSON.parse refuses inside a string; the newline ending the line
 * is one, so the search never leaves the line). Escapes are checked here, once, so that the string made
 * of them later (`JSON.parse` of its text) cannot fail. The bytes between escapes are skipped four at
 * a time (`specialByte`, `view` over `s`).
 */
function stringEnd(s: Uint8Array, view: DataView, p: number): number {
  let i = p + 1;
  for (;;) {
    i = specialByte(s, view, i);
    const c = s[i];
    if (c === QUOTE) return i;
    if (c !== BACKSLASH) return DECLINE;
    const n = s[i + 1];
    if (n === UNICODE_ESCAPE) {
      if (!isHex(s[i + 2]) || !isHex(s[i + 3]) || !isHex(s[i + 4]) || !isHex(s[i + 5])) return DECLINE;
      i += 6;
    } else if (n !== undefined && SIMPLE_ESCAPES.has(n)) i += 2;
    else return DECLINE;
  }
}

/**
 * Index of the quote closing the key whose opening quote is at `p`, or DECLINE: on any escape (a key is
 * matched by its bytes, which an escape would change) or a control character. Words as {@link stringEnd}.
 */
function keyEnd(s: Uint8Array, view: DataView, p: number): number {
  const i = specialByte(s, view, p + 1);
  return s[i] === QUOTE ? i : DECLINE;
}

const isDigit = (c: number | undefined) => c !== undefined && c >= ZERO && c <= NINE;

/**
 * The end of a number at `p` in JSON's grammar, or DECLINE. With `amount`, only what the checker's amount
 * kinds accept without a conversion: a minus sign, or an exponent of three digits or more (which could
 * overflow to Infinity), declines the line (the checker then decides).
 */
function numberEnd(s: Uint8Array, p: number, amount: boolean): number {
  let q = p;
  if (s[q] === MINUS) {
    if (amount) return DECLINE;
    q++;
  }
  const c = s[q];
  if (c === ZERO) q++;
  else if (c !== undefined && c > ZERO && c <= NINE) while (isDigit(s[q])) q++;
  else return DECLINE;
  if (s[q] === DOT) {
    q++;
    if (!isDigit(s[q])) return DECLINE;
    while (isDigit(s[q])) q++;
  }
  const e = s[q];
  if (e === 0x65 || e === 0x45) {
    q++;
    const sign = s[q];
    if (sign === PLUS || sign === MINUS) q++;
    if (!isDigit(s[q])) return DECLINE;
    const digits = q;
    while (isDigit(s[q])) q++;
    if (amount && q - digits > 2) return DECLINE;
  }
  return q;
}

/** The ASCII text of `s[a, b)` (a number's, for `Number()`). */
function asciiText(s: Uint8Array, a: number, b: number): string {
  let out = '';
  for (let i = a; i < b; i++) out += String.fromCharCode(s[i]!);
  return out;
}

/** A number at `p` in JSON's grammar, its value put in `f.num`; returns the position after it, or DECLINE. */
function readNumber(s: Uint8Array, p: number, f: FastLine): number {
  const q = numberEnd(s, p, false);
  if (q >= 0) f.num = Number(asciiText(s, p, q));
  return q;
}

/**
 * A non-negative finite number at `p` (the checker's amount kinds), its value put in `f.num`; returns
 * the position after it, or DECLINE for anything else.
 */
function readAmount(s: Uint8Array, p: number, f: FastLine): number {
  const q = readNumber(s, p, f);
  return q >= 0 && f.num >= 0 && f.num !== Number.POSITIVE_INFINITY ? q : DECLINE;
}

/**
 * Skip a non-negative number at `p` without converting it (the value is not needed, only that the
 * checker would accept it); returns the position after it, or DECLINE (see {@link numberEnd}).
 */
function skipAmount(s: Uint8Array, p: number): number {
  return numberEnd(s, p, true);
}

/** Digits of an amount in pico-USD after the point (`total_cost` to the pico). */
const PICO_DIGITS = 12;
const POW10 = Array.from({ length: PICO_DIGITS + 1 }, (_, i) => 10 ** i);
/** Integer part of an amount read exactly in pico-USD: below it, the amount's pico value is below 2^53. */
const MAX_PLAIN_USD = 9000;

/**
 * `total_cost` at `p` when written plainly (no sign or exponent, at most {@link PICO_DIGITS} decimals, below
 * {@link MAX_PLAIN_USD}): its exact value in pico-USD (integer arithmetic below 2^53) put in `f.num`, and the
 * position after it returned; DECLINE for any other form (which is then read with `Number()`). Reading it in
 * place spares making a string of its digits on every line.
 */
function plainPico(s: Uint8Array, p: number, f: FastLine): number {
  let q = p;
  let int = 0;
  for (let c = s[q]; c !== undefined && c >= ZERO && c <= NINE; c = s[++q]) int = int * 10 + c - ZERO;
  if (q === p || (s[p] === ZERO && q - p > 1) || int >= MAX_PLAIN_USD) return DECLINE;
  let frac = 0;
  let digits = 0;
  if (s[q] === DOT) {
    const first = ++q;
    for (let c = s[q]; c !== undefined && c >= ZERO && c <= NINE; c = s[++q]) frac = frac * 10 + c - ZERO;
    digits = q - first;
    if (digits === 0 || digits > PICO_DIGITS) return DECLINE;
  }
  const e = s[q];
  if (e === 0x65 || e === 0x45) return DECLINE;
  f.num = int * 1e12 + frac * POW10[PICO_DIGITS - digits]!;
  return q;
}

/** A flat object of non-negative amounts at `p`, checked and skipped; returns the position after it. */
function skipAmountMap(s: Uint8Array, view: DataView, p: number): number {
  if (s[p] !== LBRACE) return DECLINE;
  let i = p + 1;
  if (s[i] === RBRACE) return i + 1;
  for (;;) {
    if (s[i] !== QUOTE) return DECLINE;
    i = keyEnd(s, view, i) + 1;
    if (i <= 0 || s[i] !== COLON) return DECLINE;
    i = skipAmount(s, i + 1);
    if (i < 0) return DECLINE;
    const d = s[i];
    if (d === COMMA) i++;
    else if (d === RBRACE) return i + 1;
    else return DECLINE;
  }
}

/**
 * `provided_cost_details`: a flat object of non-negative amounts at `p` (whitespace allowed); its
 * `total`, if any, goes to `f.provided`. A key with an escape declines (the slow path unescapes it).
 * Returns the position after the object.
 */
function readProvided(s: Uint8Array, p: number, f: FastLine): number {
  if (s[p] !== LBRACE) return DECLINE;
  let i = ws(s, p + 1);
  if (s[i] === RBRACE) return i + 1;
  for (;;) {
    if (s[i] !== QUOTE) return DECLINE;
    const q = keyEnd(s, f.view, i);
    if (q < 0) return DECLINE;
    const isTotal = q - i === 6 && isTotalAt(s, f.view, i + 1);
    i = ws(s, q + 1);
    if (s[i] !== COLON) return DECLINE;
    i = readAmount(s, ws(s, i + 1), f);
    if (i < 0) return DECLINE;
    if (isTotal) f.provided = f.num;
    i = ws(s, i);
    const d = s[i];
    if (d === COMMA) i = ws(s, i + 1);
    else if (d === RBRACE) return i + 1;
    else return DECLINE;
  }
}

/** Value kinds of the columns, as numbers (a switch on them compiles to a jump table). */
const K_ID = 0;
const K_STRING = 1;
const K_STRING_OR_NULL = 2;
const K_TIME = 3;
const K_TOKENS = 4;
const K_USD_MAP = 5;
const K_USD_OR_NULL = 6;
const K_PICO_OR_NULL = 7;
const K_MS = 8;
const K_BOOL = 9;
const K_STATUS = 10;
const K_STRINGS = 11;
const K_METADATA = 12;
const KIND_NUMBER = {
  id: K_ID,
  string: K_STRING,
  'string?': K_STRING_OR_NULL,
  time: K_TIME,
  tokens: K_TOKENS,
  usd: K_USD_MAP,
  'usd?': K_USD_OR_NULL,
  'pico?': K_PICO_OR_NULL,
  ms: K_MS,
  bool: K_BOOL,
  status: K_STATUS,
  strings: K_STRINGS,
  metadata: K_METADATA,
} as const;

/**
 * Columns in the order lines are written (the one list in ledger-line.ts), with their kinds from the
 * one schema check (ledger-line-check.ts): the scanner accepts a value only when the checker would,
 * and declines the line (JSON.parse and the checker decide) otherwise.
 */
const COLUMNS: readonly (readonly [string, number])[] = LEDGER_COLUMNS.map(
  (k) => [k, KIND_NUMBER[LEDGER_COLUMN_KINDS[k]]] as const,
);
const KEYS = COLUMNS.map(([k]) => `"${k}":`);
const KINDS = Int32Array.from(COLUMNS, ([, kind]) => kind);
/** Columns a writer may leave out (at their default); the others must be on every line. */
const OPTIONAL = COLUMNS.map(([k]) => k in OMITTED_WHEN_DEFAULT);

/**
 * True when the bytes at `p` are the key `"name":` of column `k`: all of them compared, four at a time
 * (little-endian words, the last four read where they end, overlapping the word before; every key is at
 * least four bytes). All, not a few telling bytes: a key that matched only at those could run over the
 * line's newline into the next line, and the scanner finds the line's end by not passing a newline.
 */
function keyAt(s: Uint8Array, view: DataView, p: number, k: number): boolean {
  const n = KEY_LENGTH[k]!;
  // A key past the bytes' end has no colon there (undefined), so the words read below are inside them.
  return s[p + n - 1] === COLON && sameWords(view, p, n, KEY_WORDS[k]!);
}

const KEY_LENGTH = Int32Array.from(KEYS, (k) => k.length);
/** Each key as little-endian 32-bit words (see `wordsOf`). */
const KEY_WORDS = KEYS.map((key) => wordsOf(bytesOf(key)));

/** @internal For the test that keeps {@link keyAt} unambiguous: the scanned column keys. */
export const SCANNED_KEYS: readonly string[] = KEYS;

/** @internal {@link keyAt} for tests. */
export function keyMatches(text: string, k: number): boolean {
  const s = encoder.encode(text);
  return keyAt(s, new DataView(s.buffer), 0, k);
}
// Column indexes as literal constants (a switch on them compiles to a jump table).
const C_NAME = 5;
const C_ENVIRONMENT = 6;
const C_START_TIME = 7;
const C_PROVIDED_MODEL_NAME = 11;
const C_USAGE_DETAILS = 13;
const C_PROVIDED_COST_DETAILS = 15;
const C_TOTAL_COST = 16;
const C_COST_PICO = 17;
const C_SESSION_ID = 19;
const C_USER_ID = 20;
const C_TENANT_ID = 21;
const C_TAGS = 22;
const C_PROVIDER = 23;
const C_ESTIMATED = 26;
const C_STATUS = 31;
for (const [c, name] of [
  [C_NAME, 'name'],
  [C_ENVIRONMENT, 'environment'],
  [C_START_TIME, 'start_time'],
  [C_PROVIDED_MODEL_NAME, 'provided_model_name'],
  [C_USAGE_DETAILS, 'usage_details'],
  [C_PROVIDED_COST_DETAILS, 'provided_cost_details'],
  [C_TOTAL_COST, 'total_cost'],
  [C_COST_PICO, 'cost_pico'],
  [C_SESSION_ID, 'session_id'],
  [C_USER_ID, 'user_id'],
  [C_TENANT_ID, 'tenant_id'],
  [C_TAGS, 'tags'],
  [C_PROVIDER, 'provider'],
  [C_ESTIMATED, 'estimated'],
  [C_STATUS, 'status'],
] as const) {
  if (COLUMNS[c]![0] !== name) throw new Error(`fast-line: column ${name} is not at ${c}`);
}

/** True when `null` is at `p` (one word; the bytes' end is not within four bytes of a value's start on a line). */
const isNull = (s: Uint8Array, view: DataView, p: number) =>
  p <= s.length - 4 && view.getUint32(p, true) === NULL_WORD;

/**
 * Check and skip the value at `p` of the given kind; returns the position after it, or DECLINE on a
 * value the checker might not accept. `f` holds the numbers read on the way (nothing is stored in it).
 */
function skipKind(s: Uint8Array, p: number, kind: number, f: FastLine): number {
  const c = s[p];
  switch (kind) {
    case K_ID:
    case K_STRING:
    case K_STRING_OR_NULL:
    case K_STATUS: {
      if (c === QUOTE) {
        const q = stringEnd(s, f.view, p);
        if (q < 0) return DECLINE;
        if (kind === K_ID && q === p + 1) return DECLINE;
        if (kind === K_STATUS && !isStatusAt(s, f.view, p + 1, q)) return DECLINE;
        return q + 1;
      }
      if (kind === K_STRING_OR_NULL && isNull(s, f.view, p)) return p + 4;
      return DECLINE;
    }
    case K_TIME:
      return timeEnd(s, f.view, p, null, 0);
    case K_USD_OR_NULL:
    case K_MS:
      if (kind !== K_MS && isNull(s, f.view, p)) return p + 4;
      return skipAmount(s, p);
    case K_PICO_OR_NULL: {
      if (isNull(s, f.view, p)) return p + 4;
      const q = readAmount(s, p, f);
      return q >= 0 && Number.isSafeInteger(f.num) ? q : DECLINE;
    }
    case K_BOOL: {
      if (p > s.length - 4) return DECLINE;
      const w = f.view.getUint32(p, true);
      if (w === TRUE_WORD) return p + 4;
      if (w === FALS_WORD && s[p + 4] === FALSE_LAST) return p + 5;
      return DECLINE;
    }
    case K_USD_MAP:
      return skipAmountMap(s, f.view, p);
    case K_TOKENS:
      return readUsage(s, p, f, false);
    case K_STRINGS:
      return scanTags(s, f.view, p, null);
    case K_METADATA:
      return scanStringMap(s, f.view, p);
    default:
      return DECLINE;
  }
}

/**
 * True when `s[a, b)` (a string's body, its closing quote at `b`) is `success`, `error` or `cached`: their
 * lengths tell which one to compare, a word or two.
 */
function isStatusAt(s: Uint8Array, view: DataView, a: number, b: number): boolean {
  switch (b - a) {
    case 7:
      return view.getUint32(a, true) === SUCCESS_HEAD && view.getUint32(a + 3, true) === SUCCESS_TAIL;
    case 5:
      return view.getUint32(a, true) === ERROR_HEAD && s[a + 4] === R;
    case 6:
      return view.getUint32(a, true) === CACHED_HEAD && view.getUint32(a + 2, true) === CACHED_TAIL;
    default:
      return false;
  }
}

/** An object of string values at `p` (metadata); returns the position after it, or DECLINE. */
function scanStringMap(s: Uint8Array, view: DataView, p: number): number {
  if (s[p] !== LBRACE) return DECLINE;
  if (s[p + 1] === RBRACE) return p + 2;
  return scanStringPairs(s, view, p + 1);
}

/**
 * The stored text columns after the last column: `"input":"…"` and/or `"output":"…"` up to the closing
 * brace; returns the position after it. Any other key (a column out of its place) declines the line.
 */
function scanTextColumns(s: Uint8Array, view: DataView, i: number): number {
  for (;;) {
    const key = bytesAt(s, i, INPUT_KEY) ? INPUT_KEY : bytesAt(s, i, OUTPUT_KEY) ? OUTPUT_KEY : null;
    if (key === null) return DECLINE;
    const q = stringEnd(s, view, i + key.length - 1);
    if (q < 0) return DECLINE;
    i = q + 1;
    const d = s[i];
    if (d === COMMA) i++;
    else if (d === RBRACE) return i + 1;
    else return DECLINE;
  }
}

/** `"key":"value"` pairs from `i` (a quote) to the closing brace; returns the position after it, or DECLINE. */
function scanStringPairs(s: Uint8Array, view: DataView, i: number): number {
  for (;;) {
    if (s[i] !== QUOTE) return DECLINE;
    const k = stringEnd(s, view, i);
    if (k < 0) return DECLINE;
    i = k + 1;
    if (s[i] !== COLON || s[i + 1] !== QUOTE) return DECLINE;
    const v = stringEnd(s, view, i + 1);
    if (v < 0) return DECLINE;
    i = v + 1;
    const d = s[i];
    if (d === COMMA) i++;
    else if (d === RBRACE) return i + 1;
    else return DECLINE;
  }
}

/**
 * A non-negative integer at `p` (digits only, or with a decimal or exponent read by {@link readNumber}),
 * its value put in `f.num` (NaN when there are no digits at all); returns the position after it, or
 * DECLINE (a leading zero). Callers check `f.num` with `Number.isSafeInteger`.
 */
function readInt(s: Uint8Array, p: number, f: FastLine): number {
  let v = 0;
  let q = p;
  for (let c = s[q]; c !== undefined && c >= ZERO && c <= NINE; c = s[++q]) v = v * 10 + (c - ZERO);
  if (q === p) {
    f.num = Number.NaN;
    return q;
  }
  if (q > p + 1 && s[p] === ZERO) return DECLINE;
  const c = s[q];
  // A decimal or exponent: let Number() read it.
  if (c === DOT || c === 0x65 || c === 0x45) return readNumber(s, p, f);
  f.num = v;
  return q;
}

/**
 * @internal {@link scanLine} on a line given as text (for tests): true when the scanner takes it.
 */
export function scanText(text: string, f: FastLine): boolean {
  const s = encoder.encode(`${text}\n`);
  return scanLine(s, 0, f) === s.length - 1;
}

/**
 * Read the fields reports need from the ledger line starting at `start` of `s` (UTF-8 bytes, the line
 * ended by a newline) into `f`, walking the columns in the order `toLedgerLine` writes them (compact JSON,
 * columns at their default possibly left out): each key is checked in place (see `keyAt`) and values are
 * skipped by kind, byte by byte, which is several times cheaper than decoding the text and `JSON.parse`.
 * All the scan's state lives in its arguments and locals (and in `f`): two scans into two `FastLine`s
 * never share anything.
 * Returns the index of the line's newline (the line's end is found by reading it: no value the scanner
 * takes holds a newline, so it never reads past one), or DECLINE for any line of another shape (another
 * key order, whitespace, a torn write), which the caller then reads with `JSON.parse`, so correctness never
 * depends on the fast path.
 */
export function scanLine(s: Uint8Array, start: number, f: FastLine): number {
  f.reset();
  if (f.bytes !== s) f.use(s);
  const view = f.view;
  if (s[start] !== LBRACE) return DECLINE;
  // total_cost: where it is, and its exact pico value when written plainly (-1: read with Number()).
  let totalAt = -1;
  let totalEnd = -1;
  let totalPico = -1;
  let total = Number.NaN;
  let p = start + 1;
  let k = 0;
  for (;;) {
    if (k > 0) {
      const c = s[p];
      // Optional text columns may follow the last one; the line must close where it ends.
      if (c === RBRACE || k === KEYS.length) break;
      if (c !== COMMA) return DECLINE;
      p++;
    }
    // The key at p names column k, or a later one when the columns between were left out at
    // their default; any other key (another order, another set of columns) takes the JSON.parse path.
    while (!keyAt(s, view, p, k)) {
      if (!OPTIONAL[k]) return DECLINE;
      if (++k === KEYS.length) return DECLINE;
    }
    p += KEY_LENGTH[k]!;
    switch (k) {
      case C_NAME:
        p = locateString(s, p, f, F_NAME, K_STRING_OR_NULL);
        break;
      case C_ENVIRONMENT:
        p = locateString(s, p, f, F_ENV, K_STRING_OR_NULL);
        break;
      case C_START_TIME:
        p = timeEnd(s, view, p, f, F_START);
        if (p >= 0) f.locate(F_DATE, p - TIME_LENGTH - 2, p - TIME_LENGTH + DATE_LENGTH - 1);
        break;
      case C_PROVIDED_MODEL_NAME:
        p = locateString(s, p, f, F_MODEL, K_STRING_OR_NULL);
        break;
      case C_USAGE_DETAILS:
        p = readUsage(s, p, f, true);
        break;
      case C_PROVIDED_COST_DETAILS:
        p = readProvided(s, p, f);
        break;
      case C_TOTAL_COST:
        if (s[p] === 0x6e) p = skipKind(s, p, K_USD_OR_NULL, f);
        else {
          const q = plainPico(s, p, f);
          if (q >= 0) {
            totalAt = p;
            totalEnd = q;
            totalPico = f.num;
            p = q;
          } else {
            p = readAmount(s, p, f);
            total = f.num;
          }
        }
        break;
      case C_COST_PICO:
        if (s[p] === 0x6e) p = skipKind(s, p, K_PICO_OR_NULL, f);
        else {
          p = readInt(s, p, f);
          if (!Number.isSafeInteger(f.num)) return DECLINE;
          f.pico = f.num;
        }
        break;
      case C_SESSION_ID:
        p = locateString(s, p, f, F_SESSION, K_STRING_OR_NULL);
        break;
      case C_USER_ID:
        p = locateString(s, p, f, F_USER, K_STRING_OR_NULL);
        break;
      case C_TENANT_ID:
        p = locateString(s, p, f, F_TENANT, K_STRING_OR_NULL);
        break;
      case C_TAGS:
        p = scanTags(s, view, p, f);
        break;
      case C_PROVIDER:
        p = locateString(s, p, f, F_PROVIDER, K_STRING_OR_NULL);
        break;
      case C_ESTIMATED:
        f.estimated = s[p] === 0x74;
        p = skipKind(s, p, K_BOOL, f);
        break;
      case C_STATUS:
        p = locateString(s, p, f, F_STATUS, K_STATUS);
        break;
      default:
        p = skipKind(s, p, KINDS[k]!, f);
    }
    if (p < 0) return DECLINE;
    k++;
  }
  // Every column after the last one read must be one a writer may leave out.
  for (; k < KEYS.length; k++) if (!OPTIONAL[k]) return DECLINE;
  // Stored prompt/completion text after the columns: string values only, up to the closing brace.
  if (s[p] === COMMA) p = scanTextColumns(s, view, p + 1);
  else if (s[p] === RBRACE) p++;
  else return DECLINE;
  if (p < 0) return DECLINE;
  // The line ends here: carriage returns (a CRLF file), then its newline.
  while (s[p] === CR) p++;
  if (s[p] !== NL) return DECLINE;
  if (totalAt >= 0) {
    if (Number.isNaN(f.pico)) f.totalCost = Number(asciiText(s, totalAt, totalEnd));
    // total_cost and cost_pico must agree (`costAgreement`): read exactly, the difference is within half
    // the check's tolerance, so the check's double arithmetic (a relative error near 2^-52 on a value below
    // 2^53) agrees too (as in the dashboards' Native writer); anything else is checked the checker's way.
    else if (Math.abs(totalPico - f.pico) > Math.max(1, f.pico * 1e-9) / 2) {
      total = Number(asciiText(s, totalAt, totalEnd));
    }
  }
  if (!Number.isNaN(total)) {
    if (!Number.isNaN(f.pico) && costAgreement(total, f.pico) !== null) return DECLINE;
    if (Number.isNaN(f.pico)) f.totalCost = total;
  }
  return f.hasStart() ? p : DECLINE;
}

/** Usage keys by length, as words (every one is four bytes or more), with their bucket index: matched in place. */
const USAGE_KEYS_BY_LENGTH: [Uint32Array, number][][] = [];
for (const [key, index] of Object.entries(USAGE_INDEX)) {
  (USAGE_KEYS_BY_LENGTH[key.length] ??= []).push([wordsOf(bytesOf(key)), index]);
}

/** Usage buckets come tokens first (the bucket table's order), so an index below this is a token count. */
const TOKEN_BUCKET_COUNT = TOKEN_BUCKETS.length;

/** The bucket index of the usage key in `s[a, b)` (inside `view`), or undefined (`total`, unknown keys). */
function usageIndexAt(view: DataView, a: number, b: number): number | undefined {
  const list = USAGE_KEYS_BY_LENGTH[b - a];
  if (list === undefined) return undefined;
  for (let i = 0; i < list.length; i++) if (sameWords(view, a, b - a, list[i]![0])) return list[i]![1];
  return undefined;
}

/** True when `s[a, a + 5)` is `total` (a word and a byte). */
const isTotalAt = (s: Uint8Array, view: DataView, a: number) =>
  view.getUint32(a, true) === TOTA_WORD && s[a + 4] === L;

/**
 * `usage_details`: a flat object of token counts, added to `f.usage` when `add`. Counts must be
 * non-negative integers and `total` the sum of the others (the checker's `tokens` kind), else
 * declined; so is a key with an escape (matched by its bytes, it could name a bucket unseen). Returns the
 * position after the object, or DECLINE.
 */
function readUsage(s: Uint8Array, p: number, f: FastLine, add: boolean): number {
  if (s[p] !== LBRACE) return DECLINE;
  let i = p + 1;
  if (s[i] === RBRACE) return i + 1;
  let sum = 0;
  let total = -1;
  for (;;) {
    if (s[i] !== QUOTE) return DECLINE;
    const q = keyEnd(s, f.view, i);
    if (q < 0 || s[q + 1] !== COLON) return DECLINE;
    const after = readInt(s, q + 2, f);
    const v = f.num;
    if (after < 0 || !Number.isSafeInteger(v)) return DECLINE;
    if (q - i === 6 && isTotalAt(s, f.view, i + 1)) total = v;
    else if (v > 0) {
      // A zero adds nothing either way, so only a count needs its bucket: `total` counts tokens
      // only, and units after the token buckets (audio seconds, …) are outside it.
      const idx = usageIndexAt(f.view, i + 1, q);
      if (idx === undefined || idx < TOKEN_BUCKET_COUNT) sum += v;
      if (add && idx !== undefined) f.usage[idx] = f.usage[idx]! + v;
    }
    i = after;
    const d = s[i];
    if (d === COMMA) i++;
    else if (d === RBRACE) {
      if (total >= 0 && total !== sum) return DECLINE;
      return i + 1;
    } else return DECLINE;
  }
}

/**
 * A string (or, for {@link K_STRING_OR_NULL}, null) at `p` that passes the checks of its kind, located
 * for `f`'s field `field`; returns the position after it, or DECLINE.
 */
function locateString(s: Uint8Array, p: number, f: FastLine, field: number, kind: number): number {
  const c = s[p];
  if (c === QUOTE) {
    const q = stringEnd(s, f.view, p);
    if (q < 0) return DECLINE;
    if (kind === K_STATUS && !isStatusAt(s, f.view, p + 1, q)) return DECLINE;
    f.locate(field, p, q);
    return q + 1;
  }
  if (kind === K_STRING_OR_NULL && isNull(s, f.view, p)) return p + 4;
  return DECLINE;
}

/** Characters of a time in the ledger's one form, `YYYY-MM-DDTHH:MM:SS.mmmZ`. */
const TIME_LENGTH = 24;

/**
 * A {@link K_TIME} string at `p` (the ledger's one form, which holds no quote or backslash): its closing
 * quote must be {@link TIME_LENGTH} bytes on, so it is looked at there, not searched for (what the
 * search would find for a valid time, and a line declined either way otherwise). Located for `f`'s field
 * `field` when `f` is given; returns the position after it, or DECLINE.
 */
function timeEnd(s: Uint8Array, view: DataView, p: number, f: FastLine | null, field: number): number {
  const q = p + 1 + TIME_LENGTH;
  if (s[p] !== QUOTE || s[q] !== QUOTE || !isCanonicalTimeBytes(view, p + 1, q)) return DECLINE;
  f?.locate(field, p, q);
  return q + 1;
}

/** Check the tags array at `p` (strings only, else DECLINE) and locate it for `f`; returns the position after it. */
function scanTags(s: Uint8Array, view: DataView, p: number, f: FastLine | null): number {
  if (s[p] !== LBRACKET) return DECLINE;
  let i = ws(s, p + 1);
  if (s[i] === RBRACKET) return i + 1;
  f?.locateTags(p);
  for (;;) {
    if (s[i] !== QUOTE) return DECLINE;
    const q = stringEnd(s, view, i);
    if (q < 0) return DECLINE;
    i = ws(s, q + 1);
    const d = s[i];
    if (d === COMMA) i = ws(s, i + 1);
    else if (d === RBRACKET) return i + 1;
    else return DECLINE;
  }
}
