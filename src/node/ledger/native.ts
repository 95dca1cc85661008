/**
 * Ledger lines as the rows of the dashboards' staging table (`ledger_rows`), written as ClickHouse Native
 * columns by the line check itself, so that the dashboards' loader parses the JSON once (here, on worker
 * threads) instead of twice (the line check, then ClickHouse's JSONEachRow parser), and ClickHouse
 * derives nothing per row: the columns already hold what `observations` stores (times as DateTime64,
 * the metadata map with the ledger fields Langfuse has no column for, the defaults, the total cost) and
 * what `traces` is grouped from. `LEDGER_ROWS_SELECT` (dashboards/sources/ledger-tables.ts) is the
 * same derivation in SQL, for the lines read the general way; a test holds the two to the same rows.
 *
 * Only the lines our own encoder writes are taken this way: the columns in the line format's order (any
 * of them omitted), no whitespace, no escaped string, numbers in plain decimal form, times in the
 * ledger's own form (years 1900 to 2299, DateTime64's range). Each such line is checked by the rules of
 * `ledgerLineProblem` (a line that breaks one is declined, never guessed). A segment with any other line
 * is declined whole: the caller then checks and parses it the general way, with the same result.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import {
  FALS_WORD,
  FALSE_LAST,
  NULL_WORD,
  nonDigitBytes,
  sameWords,
  specialByte,
  TRUE_WORD,
  wordsOf,
} from '../../ledger/byte-scan.js';
import { isCanonicalTimeBytes, LEDGER_COLUMN_KINDS, OUTSIDE_TOTAL } from '../../ledger/check.js';
import {
  DEFAULT_ENVIRONMENT,
  DEFAULT_PROJECT_ID,
  LEDGER_COLUMNS,
  OBSERVATION_TYPE,
} from '../../ledger/line.js';
import { type LedgerSegment, readWholeLines } from './read.js';

// How each ledger column is read (from the check's kind of the column).
const ID = 0; // non-empty string
const STR = 1; // string or null
const TIME = 2; // a time in the ledger's form
const TOKENS = 3; // map of token counts, `total` their sum
const USD = 4; // map of amounts
const USD_OPT = 5; // amount or null
const PICO = 6; // integer or null
const META = 7; // map of strings
const TAGS = 8; // array of strings
const BOOL = 9; // true or false
const MS = 10; // plain number
const STATUS = 11; // success, error or cached

const KIND_OF: Readonly<Record<string, number>> = {
  id: ID,
  'string?': STR,
  time: TIME,
  tokens: TOKENS,
  usd: USD,
  'usd?': USD_OPT,
  'pico?': PICO,
  metadata: META,
  strings: TAGS,
  bool: BOOL,
  ms: MS,
  status: STATUS,
};

/**
 * Type of the staging columns (and map keys) `observations` stores as LowCardinality(String): written so
 * by {@link writeNativeSegment} (a dictionary per block, see {@link Dictionary}), so that ClickHouse neither
 * converts them nor sorts them as strings.
 */
const LOW_CARDINALITY = 'LowCardinality(String)';

/**
 * The staging table's columns (name, ClickHouse type), in order: `observations`' columns that vary by
 * row, already derived (see `FILL_OBSERVATIONS`), then what `traces` needs besides them. `user_id` and
 * `session_id` are '' when the line has none; `trace_flags` says which of a row's trace attributes the
 * line gave ({@link NAME_GIVEN}, {@link ENVIRONMENT_GIVEN}), because `traces` takes a trace's first given
 * one, and `seq` orders the rows as their lines are in the ledger (here the line's byte offset in its file; in
 * `LEDGER_ROWS_SELECT` its line number), so that `traces` can take "first" on several threads. The
 * dashboards' `ledger_rows` is created from this list, so the Native files written here fit it.
 */
export const LEDGER_ROW_COLUMNS: readonly (readonly [string, string])[] = [
  ['id', 'String'],
  ['trace_id', 'String'],
  ['project_id', 'String'],
  ['environment', LOW_CARDINALITY],
  ['type', LOW_CARDINALITY],
  ['parent_observation_id', 'Nullable(String)'],
  ['start_time', 'DateTime64(3)'],
  ['end_time', 'Nullable(DateTime64(3))'],
  ['name', 'String'],
  ['metadata', `Map(${LOW_CARDINALITY}, String)`],
  ['level', LOW_CARDINALITY],
  ['status_message', 'Nullable(String)'],
  ['provided_model_name', 'Nullable(String)'],
  ['internal_model_id', 'Nullable(String)'],
  ['usage_details', `Map(${LOW_CARDINALITY}, UInt64)`],
  ['cost_details', `Map(${LOW_CARDINALITY}, Decimal64(12))`],
  ['provided_cost_details', `Map(${LOW_CARDINALITY}, Decimal64(12))`],
  ['total_cost', 'Nullable(Decimal64(12))'],
  ['event_ts', 'DateTime64(3)'],
  ['usage_pricing_tier_name', 'Nullable(String)'],
  ['user_id', 'String'],
  ['session_id', 'String'],
  ['tags', 'Array(String)'],
  ['trace_flags', 'UInt8'],
  ['seq', 'UInt64'],
];

/**
 * Version of the derivation {@link writeNativeSegment} applies (part of the dashboards' cache key): bumped
 * when a staging column's value changes, so that no cache entry built the older way is reused.
 */
export const LEDGER_ROWS_VERSION = 2;

/** `trace_flags` bit: the line has a `name` (not null), which a trace's name is taken from. */
export const NAME_GIVEN = 1;
/** `trace_flags` bit: the line has a non-empty `environment`, which a trace's environment is taken from. */
export const ENVIRONMENT_GIVEN = 2;

// Defaults of `observations` for a line without the column (or with an empty one): the ledger's own
// (`DEFAULT_PROJECT_ID`, `DEFAULT_ENVIRONMENT`, `OBSERVATION_TYPE` of ledger/line.ts).

/**
 * Ledger fields without a Langfuse column, as `observations`' metadata keys (in this order, after the
 * line's own metadata, whose keys of the same names they replace); a key whose value is empty is left
 * out: `provider`, `tenant_id`, `service` when set, `fallback` and `estimated` as 'true' when true,
 * `price_source` when the price came from somewhere other than the catalog.
 */
export const METADATA_FIELDS = ['provider', 'tenant_id', 'fallback', 'estimated', 'price_source', 'service'];

const N = LEDGER_COLUMNS.length;
const KINDS = Int32Array.from(LEDGER_COLUMNS, (c) => KIND_OF[LEDGER_COLUMN_KINDS[c]]!);
/** `"column":` of each column, as bytes. */
const KEYS = LEDGER_COLUMNS.map((c) => Buffer.from(`"${c}":`, 'latin1'));
/** Each key's length in bytes. */
const KEY_LENGTHS = Int32Array.from(KEYS, (key) => key.length);
/** Each column's key as little-endian 32-bit words (see `wordsOf`). See {@link sameKey}. */
const KEY_WORDS = KEYS.map(wordsOf);
/** Columns every line must have (as `ledgerLineProblem` requires). */
const REQUIRED = Uint8Array.from(LEDGER_COLUMNS, (c) => (c === 'id' || c === 'start_time' ? 1 : 0));
const OUTSIDE = [...OUTSIDE_TOTAL].map((k) => Buffer.from(k, 'latin1'));
const TOTAL = Buffer.from('total', 'latin1');
/** A usage key's mark in its dictionary (`Dictionary.marks`): `total`, or a key counted toward it (0: one outside it). */
const TOTAL_KEY = 1;
const COUNTED_KEY = 2;
const STATUSES = ['success', 'error', 'cached'].map((s) => Buffer.from(s, 'latin1'));
const ERROR_STATUS = 1;
const META_KEYS = METADATA_FIELDS.map((k) => Buffer.from(k, 'latin1'));
const TRUE_TEXT = Buffer.from('true', 'latin1');
const CATALOG = Buffer.from('catalog', 'latin1');
const LOCAL = Buffer.from(DEFAULT_PROJECT_ID, 'latin1');
const DEFAULT_ENV = Buffer.from(DEFAULT_ENVIRONMENT, 'latin1');
const GENERATION = Buffer.from(OBSERVATION_TYPE, 'latin1');
const LEVEL_ERROR = Buffer.from('ERROR', 'latin1');
const LEVEL_DEFAULT = Buffer.from('DEFAULT', 'latin1');

/** Index of a ledger column. */
const col = (name: (typeof LEDGER_COLUMNS)[number]) => LEDGER_COLUMNS.indexOf(name);
const C_ID = col('id');
const C_TRACE = col('trace_id');
const C_PARENT = col('parent_observation_id');
const C_PROJECT = col('project_id');
const C_TYPE = col('type');
const C_NAME = col('name');
const C_ENV = col('environment');
const C_START = col('start_time');
const C_LEVEL = col('level');
const C_STATUS_MESSAGE = col('status_message');
const C_PROVIDED_MODEL = col('provided_model_name');
const C_INTERNAL_MODEL = col('internal_model_id');
const C_USAGE = col('usage_details');
const C_COST = col('cost_details');
const C_PROVIDED_COST = col('provided_cost_details');
const C_SESSION = col('session_id');
const C_USER = col('user_id');
const C_TENANT = col('tenant_id');
const C_TAGS = col('tags');
const C_PROVIDER = col('provider');
const C_SOURCE = col('source');
const C_ESTIMATED = col('estimated');
const C_TIER = col('tier');
const C_FALLBACK = col('fallback');
const C_SERVICE = col('service');

/** Index of a staging column. */
const row = (name: string) => LEDGER_ROW_COLUMNS.findIndex(([n]) => n === name);
const R = LEDGER_ROW_COLUMNS.length;
const R_ID = row('id');
const R_TRACE = row('trace_id');
const R_PROJECT = row('project_id');
const R_ENV = row('environment');
const R_TYPE = row('type');
const R_PARENT = row('parent_observation_id');
const R_START = row('start_time');
const R_END = row('end_time');
const R_NAME = row('name');
const R_META = row('metadata');
const R_LEVEL = row('level');
const R_STATUS_MESSAGE = row('status_message');
const R_PROVIDED_MODEL = row('provided_model_name');
const R_INTERNAL_MODEL = row('internal_model_id');
const R_TOTAL_COST = row('total_cost');
const R_EVENT = row('event_ts');
const R_TIER = row('usage_pricing_tier_name');
const R_USER = row('user_id');
const R_SESSION = row('session_id');
const R_FLAGS = row('trace_flags');
const R_SEQ = row('seq');
/** The ledger's map and array columns are copied as they are, to these staging columns. */
const ROW_OF_LIST = new Int32Array(N).fill(-1);
ROW_OF_LIST[C_USAGE] = row('usage_details');
ROW_OF_LIST[C_COST] = row('cost_details');
ROW_OF_LIST[C_PROVIDED_COST] = row('provided_cost_details');
ROW_OF_LIST[C_TAGS] = row('tags');
const LIST_COLUMNS = Int32Array.of(C_USAGE, C_COST, C_PROVIDED_COST, C_TAGS);

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
/** Years of a time taken (DateTime64's range; others go the general way). */
const MIN_YEAR = 1900;
const MAX_YEAR = 2299;
const MS_PER_DAY = 86_400_000;
/** Most keys of a line's usage or metadata map taken. */
const MAX_KEYS = 64;
/** Strings shorter than this are copied byte by byte (a native copy costs more for them). */
const SHORT = 64;

const NL = 0x0a;
const QUOTE = 0x22;
const COLON = 0x3a;
const COMMA = 0x2c;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * The bytes the scanner reads now (a Scanner's buffer, see `Scanner.use`) and a DataView of them: a string
 * taken from them is copied and compared four bytes at a time (a word read through a DataView costs about
 * what a byte read from a Uint8Array does). Other sources (the constants) go byte by byte.
 */
let lineBytes: Uint8Array = new Uint8Array(0);
let lineView = new DataView(lineBytes.buffer);

/** Spare bytes a buffer keeps past what it holds: a string's last word may be copied whole. */
const WORD_SLACK = 4;

/** A growable byte buffer. */
class Bytes {
  b = Buffer.allocUnsafe(1 << 16);
  /** `b` read and written four or eight bytes at a time; replaced with it by {@link room}. */
  v = new DataView(this.b.buffer, this.b.byteOffset, this.b.length);
  n = 0;

  room(k: number): void {
    if (this.n + k <= this.b.length) return;
    const nb = Buffer.allocUnsafe(Math.max(this.b.length * 2, this.n + k));
    this.b.copy(nb, 0, 0, this.n);
    this.b = nb;
    this.v = new DataView(nb.buffer, nb.byteOffset, nb.length);
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

  /**
   * `src[a, e)` as a Native String: its length, then its bytes. From {@link lineBytes} (when the word
   * after the string's last byte is in it: a string of a line is followed by at least `"}` and the
   * newline) a word at a time, the last word's spare bytes written past the end (overwritten next).
   */
  str(src: Uint8Array, a: number, e: number): void {
    const len = e - a;
    if (this.n + len + 5 + WORD_SLACK > this.b.length) this.room(len + 5 + WORD_SLACK);
    const b = this.b;
    let n = this.n;
    if (len < 0x80) b[n++] = len;
    else {
      let v = len;
      while (v >= 0x80) {
        b[n++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      b[n++] = v;
    }
    if (len >= SHORT) b.set(src.subarray(a, e), n);
    else if (src === lineBytes && e + WORD_SLACK - 1 <= src.length) {
      const to = this.v;
      const from = lineView;
      for (let i = 0; i < len; i += 4) to.setUint32(n + i, from.getUint32(a + i, true), true);
    } else for (let i = 0; i < len; i++) b[n + i] = src[a + i]!;
    this.n = n + len;
  }

  /** A non-negative integer below 2^53, as 8 little-endian bytes (UInt64 or Int64). */
  u64(v: number): void {
    if (this.n + 8 > this.b.length) this.room(8);
    // Split by a division and a floor (both exact below 2^53), not by `%`: a double's remainder is a
    // call to fmod, and most values here (times, amounts in pico) are above 2^32.
    const hi = v < TWO_32 ? 0 : Math.floor(v / TWO_32);
    const lo = v - hi * TWO_32;
    const view = this.v;
    view.setUint32(this.n, lo, true);
    view.setUint32(this.n + 4, hi, true);
    this.n += 8;
  }

  /** An integer of magnitude below 2^53, as 8 little-endian two's complement bytes (Int64, DateTime64). */
  i64(v: number): void {
    if (v >= 0) {
      this.u64(v);
      return;
    }
    this.room(8);
    const hi = Math.floor(v / TWO_32);
    const lo = v - hi * TWO_32;
    this.b.writeUInt32LE(lo, this.n);
    this.b.writeInt32LE(hi, this.n + 4);
    this.n += 8;
  }

  f64(v: number): void {
    this.room(8);
    this.b.writeDoubleLE(v, this.n);
    this.n += 8;
  }
}

/** Each column's head in a Native block (its name, then its type, as Native Strings): the same in every block. */
const COLUMN_HEADS = LEDGER_ROW_COLUMNS.map(([name, type]) => {
  const h = new Bytes();
  for (const text of [name, type]) {
    const b = Buffer.from(text, 'latin1');
    h.str(b, 0, b.length);
  }
  return h;
});

/** Native LowCardinality: the serialization version written before a column's data (shared dictionaries, with additional keys). */
const LC_VERSION = 1;
/** Native LowCardinality flags of a block: its keys follow (HasAdditionalKeys), and replace the last block's (NeedUpdateDictionary). */
const LC_KEYS_FLAGS = (1 << 9) | (1 << 10);
/** The empty string: every dictionary's first value. */
const EMPTY = Buffer.alloc(0);
const NO_WORDS = new Uint32Array(0);

/** `a` twice as long, its new half {@link NONE}. */
function grown(a: Int32Array): Int32Array<ArrayBuffer> {
  const more = new Int32Array(a.length * 2).fill(NONE);
  more.set(a);
  return more;
}
/** Dictionaries this large are searched through a map (below it, a scan is cheaper). */
const DICTIONARY_SCAN = 16;

/** No value (an index not yet known). */
const NONE = -1;

/**
 * A LowCardinality(String) column of one block: its distinct values (the dictionary; '' first, as
 * ClickHouse writes it) and each row's index in it. A value is first compared with the one that
 * followed the value added last, the last time (`next`): a column's values, and a map's keys from row
 * to row, mostly come in the same order, so the scan or map is seldom needed.
 */
class Dictionary {
  readonly keys = new Bytes();
  values: Buffer[] = [];
  /** Each value's bytes as words (see `wordsOf`; empty below four bytes): compared a word at a time. */
  words: Uint32Array[] = [];
  byText = new Map<string, number>();
  indexes = new Uint32Array(BLOCK_ROWS);
  rows = 0;
  /** For each value, the index of the value added after it last ({@link NONE}: none yet). */
  next = new Int32Array(DICTIONARY_SCAN).fill(NONE);
  /** Index of the value added last. */
  last = 0;
  /** A mark the caller keeps for each value ({@link NONE} until set): see `Scanner.line`'s usage keys. */
  marks = new Int32Array(DICTIONARY_SCAN).fill(NONE);
  /** The index of each metadata key `META_KEYS[id]` in this block ({@link NONE}: not added yet). See {@link metaKey}. */
  readonly constants = new Int32Array(METADATA_FIELDS.length).fill(NONE);

  constructor() {
    this.clear();
  }

  clear(): void {
    this.keys.n = 0;
    this.keys.u8(0);
    this.values = [EMPTY];
    this.words = [NO_WORDS];
    this.byText.clear();
    this.rows = 0;
    this.next.fill(NONE);
    this.marks.fill(NONE);
    this.constants.fill(NONE);
    this.last = 0;
  }

  /** True when value `i` is `src[a, e)`. */
  private holds(i: number, src: Uint8Array, a: number, e: number): boolean {
    const v = this.values[i]!;
    const len = e - a;
    if (v.length !== len) return false;
    if (len >= 4 && src === lineBytes) return sameWords(lineView, a, len, this.words[i]!);
    let k = 0;
    while (k < len && v[k] === src[a + k]) k++;
    return k === len;
  }

  /** Add the value `src[a, e)` (a row's, or a map entry's key); returns its index. */
  str(src: Uint8Array, a: number, e: number): number {
    const values = this.values;
    let i = this.next[this.last]!;
    if (i === NONE || !this.holds(i, src, a, e)) {
      i = NONE;
      if (values.length <= DICTIONARY_SCAN) {
        for (let j = 0; j < values.length; j++)
          if (this.holds(j, src, a, e)) {
            i = j;
            break;
          }
      } else
        i = this.byText.get(Buffer.from(src.buffer, src.byteOffset + a, e - a).toString('latin1')) ?? NONE;
      if (i === NONE) i = this.add(src, a, e);
      this.next[this.last] = i;
    }
    this.push(i);
    return i;
  }

  /**
   * Add the metadata key `META_KEYS[id]` (a constant): its index is looked up once a block, then
   * remembered (`constants`), as no compare of its bytes is needed to know it.
   */
  metaKey(id: number): void {
    const i = this.constants[id]!;
    if (i === NONE) {
      const key = META_KEYS[id]!;
      this.constants[id] = this.str(key, 0, key.length);
    } else this.push(i);
  }

  /** Row (or map entry) `rows` has value `i`. */
  private push(i: number): void {
    this.last = i;
    if (this.rows === this.indexes.length) {
      const more = new Uint32Array(this.indexes.length * 2);
      more.set(this.indexes);
      this.indexes = more;
    }
    this.indexes[this.rows++] = i;
  }

  /** A new value `src[a, e)`: its index. */
  private add(src: Uint8Array, a: number, e: number): number {
    const values = this.values;
    const i = values.length;
    const v = Buffer.from(src.subarray(a, e));
    values.push(v);
    this.words.push(v.length >= 4 ? wordsOf(v) : NO_WORDS);
    this.keys.str(v, 0, v.length);
    if (values.length > DICTIONARY_SCAN) {
      if (this.byText.size === 0) values.forEach((w, j) => this.byText.set(w.toString('latin1'), j));
      else this.byText.set(v.toString('latin1'), i);
    }
    if (i === this.next.length) {
      this.next = grown(this.next);
      this.marks = grown(this.marks);
    }
    return i;
  }

  /**
   * The block's values in Native form: the serialization version to `prefix` (first in the column's data;
   * a map's, before its offsets), then to `out` the flags, the keys and the indexes.
   */
  write(prefix: Bytes, out: Bytes): void {
    const n = this.values.length;
    // Index width: 0 UInt8, 1 UInt16, 2 UInt32.
    const width = n <= 0x100 ? 0 : n <= 0x10000 ? 1 : 2;
    prefix.u64(LC_VERSION);
    // No values (a map column whose rows of the block are all empty): ClickHouse writes nothing more.
    if (this.rows === 0) {
      this.clear();
      return;
    }
    out.u64(LC_KEYS_FLAGS | width);
    out.u64(n);
    out.room(this.keys.n);
    this.keys.b.copy(out.b, out.n, 0, this.keys.n);
    out.n += this.keys.n;
    out.u64(this.rows);
    const bytes = 1 << width;
    const rows = this.rows;
    const indexes = this.indexes;
    out.room(rows * bytes);
    // One loop per width (not a test of the width per row).
    const b = out.b;
    const view = out.v;
    const at = out.n;
    if (width === 0) for (let r = 0; r < rows; r++) b[at + r] = indexes[r]!;
    else if (width === 1) for (let r = 0; r < rows; r++) view.setUint16(at + 2 * r, indexes[r]!, true);
    else for (let r = 0; r < rows; r++) view.setUint32(at + 4 * r, indexes[r]!, true);
    out.n = at + rows * bytes;
    this.clear();
  }
}

/** One block's columns, as Native parts: null map, array offsets, data (map keys), map values. */
class Columns {
  rows = 0;
  readonly data = LEDGER_ROW_COLUMNS.map(() => new Bytes());
  readonly nulls = LEDGER_ROW_COLUMNS.map(() => new Bytes());
  readonly offsets = LEDGER_ROW_COLUMNS.map(() => new Bytes());
  readonly values = LEDGER_ROW_COLUMNS.map(() => new Bytes());
  /** Elements of each map or array column so far in the block (its next offset). */
  readonly counts = new Float64Array(R);
  /** The dictionary of each LowCardinality column or map's keys (null for the others). */
  readonly dicts = LEDGER_ROW_COLUMNS.map(([, type]) =>
    type === LOW_CARDINALITY || type.startsWith(`Map(${LOW_CARDINALITY},`) ? new Dictionary() : null,
  );
  /** Where each map column's keys go: its dictionary. */
  readonly keys = LEDGER_ROW_COLUMNS.map((_, i) => this.dicts[i] ?? this.data[i]!);

  /** Drop the block's rows. */
  clear(): void {
    for (let i = 0; i < R; i++) {
      this.data[i]!.n = 0;
      this.nulls[i]!.n = 0;
      this.offsets[i]!.n = 0;
      this.values[i]!.n = 0;
      this.counts[i] = 0;
      this.dicts[i]?.clear();
    }
    this.rows = 0;
  }

  /** Write the block to `fd` and start the next one. */
  flush(fd: number): void {
    if (this.rows === 0) return;
    const head = new Bytes();
    head.varint(R);
    head.varint(this.rows);
    writeSync(fd, head.b, 0, head.n);
    for (let i = 0; i < R; i++) {
      const h = COLUMN_HEADS[i]!;
      writeSync(fd, h.b, 0, h.n);
      // A map's offsets come after the version of its keys' serialization (the null map part is empty).
      this.dicts[i]?.write(this.offsets[i]!.n > 0 ? this.nulls[i]! : this.data[i]!, this.data[i]!);
      for (const part of [this.nulls[i]!, this.offsets[i]!, this.data[i]!, this.values[i]!]) {
        if (part.n > 0) writeSync(fd, part.b, 0, part.n);
        part.n = 0;
      }
      this.counts[i] = 0;
    }
    this.rows = 0;
  }

  /** A String value: `src[a, e)`. */
  str(r: number, src: Uint8Array, a: number, e: number): void {
    this.keys[r]!.str(src, a, e);
  }

  /** A Nullable(String) value: `src[a, e)`, or NULL when `a` is -1. */
  nullableStr(r: number, src: Uint8Array, a: number, e: number): void {
    if (a < 0) {
      this.nulls[r]!.u8(1);
      this.data[r]!.u8(0);
    } else {
      this.nulls[r]!.u8(0);
      this.data[r]!.str(src, a, e);
    }
  }

  /** A Nullable Int64-sized value (DateTime64, Decimal64): `v`, or NULL when `present` is false. */
  nullableI64(r: number, present: boolean, v: number): void {
    this.nulls[r]!.u8(present ? 0 : 1);
    this.data[r]!.i64(present ? v : 0);
  }

  /** End the row of a map or array column that got `n` elements. */
  endList(r: number, n: number): void {
    this.counts[r]! += n;
    this.offsets[r]!.u64(this.counts[r]!);
  }
}

/** The line scanner's state: the bytes being read and the columns. */
class Scanner {
  buf: Buffer = Buffer.alloc(0);
  /** `buf` read four bytes at a time (see {@link sameKey}); set with it by {@link use}. */
  view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

  /** Read lines from `buf` from now on. */
  use(buf: Buffer): void {
    if (buf !== this.buf) {
      this.buf = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    }
    lineBytes = buf;
    lineView = this.view;
  }
  readonly cols = new Columns();
  /** The line's value of each ledger column: its bytes `[at, end)`; `at` -1 when null or absent. */
  private readonly at = new Int32Array(N);
  private readonly end = new Int32Array(N);
  /** Elements of the line's map and array columns (by ledger column). */
  private readonly listN = new Int32Array(N);
  // Keys of the map being read (to decline a repeated one), and the metadata's values: start and end of each.
  private readonly keyAt = new Int32Array(MAX_KEYS);
  private readonly keyEnd = new Int32Array(MAX_KEYS);
  private readonly valAt = new Int32Array(MAX_KEYS);
  private readonly valEnd = new Int32Array(MAX_KEYS);
  /** Dictionary indexes of the usage keys read so far in the line. */
  private readonly keyIndex = new Int32Array(MAX_KEYS);
  private metaN = 0;
  /** End of the number {@link amount} or {@link integer} read last. */
  private numEnd = 0;
  /** The date of the time {@link time} read last (its bytes 0–3, 4–7 and 8–9), and its days since 1970. */
  private dateLo = -1;
  private dateMid = -1;
  private dateHi = -1;
  private dateDays = 0;

  /**
   * Read the line that starts at `p`, at byte `offset` of its file, into the columns: the index of its
   * newline, or -1 (not all written) when it is not in the fast form. The line's end is where its last
   * `}` is followed by a newline: no value read in the fast form holds a newline (a string's stops at a
   * control character, a number's at a non-digit, a key's bytes have none), so the scan never passes
   * one, and a search for the newline before the scan (a native call a line) is not needed.
   */
  line(p: number, offset: number): number {
    const s = this.buf;
    const cols = this.cols;
    const at = this.at;
    const end = this.end;
    const listN = this.listN;
    if (s[p] !== 0x7b) return -1;
    p++;
    // Each column's `at` (and list count) is set once on the way, not cleared first: by its value, or
    // -1 (0) when it is null or when the loops below pass it as absent. Only text columns' `at` and
    // list columns' counts are read.
    this.metaN = 0;
    let col = 0;
    let totalPico = -1;
    let pico = -1;
    let start = 0;
    let stop = 0;
    let hasStop = false;
    let status = -1;
    let bools = 0; // bit k: the bool column k is true
    for (;;) {
      if (s[p] !== QUOTE) return -1;
      let k = col;
      while (k < N && !sameKey(s, this.view, p, k)) k++;
      if (k === N) return -1;
      for (; col < k; col++) {
        if (REQUIRED[col] === 1) return -1;
        at[col] = -1;
        listN[col] = 0;
      }
      p += KEY_LENGTHS[k]!;
      const kind = KINDS[k]!;
      const c = s[p];
      if (kind === ID || kind === STR || kind === TIME || kind === STATUS) {
        if (c === QUOTE) {
          const q = stringEnd(s, this.view, p + 1);
          if (q < 0 || (kind === ID && q === p + 1)) return -1; // escaped, or an empty id
          if (kind === TIME) {
            const t = this.time(p + 1, q);
            if (Number.isNaN(t)) return -1;
            if (k === C_START) start = t;
            else {
              stop = t;
              hasStop = true;
            }
          } else if (kind === STATUS) {
            status = oneOf(s, p + 1, q, STATUSES);
            if (status < 0) return -1;
          }
          at[k] = p + 1;
          end[k] = q;
          p = q + 1;
        } else {
          // A time, status or id may not be null; a text column may.
          if (kind !== STR || this.wordAt(p) !== NULL_WORD) return -1;
          at[k] = -1;
          p += 4;
        }
      } else if (kind === USD_OPT || kind === PICO) {
        if (this.wordAt(p) === NULL_WORD) p += 4;
        else if (kind === PICO) {
          pico = this.integer(p);
          if (pico < 0) return -1;
          p = this.numEnd;
        } else {
          totalPico = this.amount(p);
          if (totalPico < 0) return -1;
          p = this.numEnd;
        }
      } else if (kind === BOOL) {
        const w = this.wordAt(p);
        if (w === TRUE_WORD) {
          bools |= 1 << k;
          p += 4;
        } else if (w === FALS_WORD && s[p + 4] === FALSE_LAST) p += 5;
        else return -1;
      } else if (kind === MS) {
        p = numberEnd(s, p);
        if (p < 0) return -1;
      } else if (kind === TAGS) {
        if (c !== 0x5b) return -1;
        p++;
        const data = cols.data[ROW_OF_LIST[k]!]!;
        let n = 0;
        if (s[p] === 0x5d) p++;
        else
          for (;;) {
            if (s[p] !== QUOTE) return -1;
            const q = stringEnd(s, this.view, p + 1);
            if (q < 0) return -1;
            data.str(s, p + 1, q);
            p = q + 1;
            n++;
            if (s[p] === COMMA) p++;
            else if (s[p] === 0x5d) {
              p++;
              break;
            } else return -1;
          }
        listN[k] = n;
      } else {
        // A map: TOKENS, USD or META.
        if (c !== 0x7b) return -1;
        p++;
        const r = ROW_OF_LIST[k]!;
        const keys = r >= 0 ? cols.keys[r]! : null;
        const vals = r >= 0 ? cols.values[r]! : null;
        // The usage keys' dictionary (usage_details, the one TOKENS map: its keys are LowCardinality).
        const byIndex = kind === TOKENS ? cols.dicts[r]! : null;
        let n = 0;
        let total = -1;
        let sum = 0;
        if (s[p] === 0x7d) p++;
        else
          for (;;) {
            if (s[p] !== QUOTE) return -1;
            const ks = p + 1;
            const q = stringEnd(s, this.view, ks);
            if (q < 0 || s[q + 1] !== COLON) return -1;
            p = q + 2;
            if (byIndex !== null) {
              // Usage keys go to their dictionary first: a repeated key is then a repeated index (see
              // below), and whether a key counts toward `total` is worked out once per value and block.
              const i = byIndex.str(s, ks, q);
              if (n === MAX_KEYS) return -1;
              for (let j = 0; j < n; j++) if (this.keyIndex[j] === i) return -1;
              this.keyIndex[n] = i;
              let mark = byIndex.marks[i]!;
              if (mark === NONE) {
                mark = sameBytes(s, ks, q, TOTAL)
                  ? TOTAL_KEY
                  : oneOf(s, ks, q, OUTSIDE) < 0
                    ? COUNTED_KEY
                    : 0;
                byIndex.marks[i] = mark;
              }
              const x = this.integer(p);
              if (x < 0) return -1;
              if (mark === TOTAL_KEY) total = x;
              else if (mark === COUNTED_KEY) sum += x;
              vals!.u64(x);
              p = this.numEnd;
            } else {
              if (kind !== USD) {
                // A repeated key: JSON.parse keeps the last, ClickHouse both; the general path decides.
                if (n === MAX_KEYS) return -1;
                for (let i = 0; i < n; i++)
                  if (sameBytes(s, ks, q, s, this.keyAt[i]!, this.keyEnd[i]!)) return -1;
                this.keyAt[n] = ks;
                this.keyEnd[n] = q;
              }
              if (kind === META) {
                if (s[p] !== QUOTE) return -1;
                const v = stringEnd(s, this.view, p + 1);
                if (v < 0) return -1;
                this.valAt[n] = p + 1;
                this.valEnd[n] = v;
                p = v + 1;
              } else {
                const x = this.amount(p);
                if (x < 0) return -1;
                vals!.u64(x);
                p = this.numEnd;
              }
              if (keys !== null) keys.str(s, ks, q);
            }
            n++;
            if (s[p] === COMMA) p++;
            else if (s[p] === 0x7d) {
              p++;
              break;
            } else return -1;
          }
        if (kind === TOKENS && total >= 0 && total !== sum) return -1;
        if (kind === META) this.metaN = n;
        else listN[k] = n;
      }
      col = k + 1;
      if (s[p] === COMMA) p++;
      else if (s[p] === 0x7d && s[p + 1] === NL) break;
      else return -1;
    }
    for (; col < N; col++) {
      if (REQUIRED[col] === 1) return -1;
      at[col] = -1;
      listN[col] = 0;
    }
    // total_cost and cost_pico name one amount (see `costAgreement`); half its tolerance, so that the
    // double arithmetic of the check cannot disagree.
    if (totalPico >= 0 && pico >= 0 && Math.abs(totalPico - pico) > Math.max(1, pico * 1e-9) / 2) return -1;
    this.emit(start, hasStop, stop, status, bools, pico >= 0 ? pico : totalPico);
    this.cols.data[R_SEQ]!.u64(offset);
    this.cols.rows++;
    return p + 1;
  }

  /** The four bytes at `p` as a little-endian word; -1 when they pass the buffer's end. */
  private wordAt(p: number): number {
    return p + 4 <= this.buf.length ? this.view.getUint32(p, true) : -1;
  }

  /**
   * The amount at `p` in units of 10^-12 (exact), its end in {@link numEnd}; -1 when it is not a plain
   * decimal (an integer without a leading zero, or one with 1 to {@link USD_SCALE} fraction digits, no
   * exponent) below {@link MAX_USD_INT}. Its digits are read once (a scan for the end, then a second
   * and third for the value, cost about twice as much).
   */
  private amount(p: number): number {
    const s = this.buf;
    const int = this.digits(p);
    let q = this.numEnd;
    if (q === p || (s[p] === ZERO && q - p > 1)) return -1;
    let frac = 0;
    let digits = 0;
    if (s[q] === DOT) {
      const f = q + 1;
      frac = this.digits(f);
      q = this.numEnd;
      digits = q - f;
      if (digits === 0 || digits > USD_SCALE) return -1;
    }
    const c = s[q];
    if (c === 0x65 || c === 0x45 || int >= MAX_USD_INT) return -1;
    this.numEnd = q;
    return int * 1e12 + frac * POW10[USD_SCALE - digits]!;
  }

  /**
   * The non-negative integer at `p` (no leading zero, at most {@link MAX_INT_DIGITS} digits, no fraction
   * or exponent), its end in {@link numEnd}; -1 when there is none. One pass over its digits.
   */
  private integer(p: number): number {
    const s = this.buf;
    const v = this.digits(p);
    const q = this.numEnd;
    if (q === p || q - p > MAX_INT_DIGITS || (s[p] === ZERO && q - p > 1)) return -1;
    const c = s[q];
    if (c === DOT || c === 0x65 || c === 0x45) return -1;
    return v;
  }

  /**
   * The value of the run of decimal digits at `q` (0 when none; exact while below 2^53), its end in
   * {@link numEnd}. Four bytes at a time (a digit's bytes read one by one cost ~40 instructions each,
   * most of a line's numbers; see `nonDigitBytes`); the digits of a word are then summed in two steps
   * (pairs, then the two pairs).
   */
  private digits(q: number): number {
    const s = this.buf;
    const view = this.view;
    const last = s.length - 4;
    let v = 0;
    while (q <= last) {
      const w = view.getUint32(q, true);
      const notDigit = nonDigitBytes(w);
      if (notDigit === 0) {
        v = v * 10_000 + fourDigits(w - 0x30303030);
        q += 4;
        continue;
      }
      // Digits before the first byte that is not one (the lowest flagged byte: no flag crosses bytes).
      const k = (31 - Math.clz32(notDigit & -notDigit)) >> 3;
      // Those k digits moved to the word's top, zeros (leading zero digits) below them.
      if (k > 0) v = v * POW10[k]! + fourDigits((w - 0x30303030) << (32 - 8 * k));
      this.numEnd = q + k;
      return v;
    }
    for (let c = s[q]!; c >= ZERO && c <= NINE; c = s[++q]!) v = v * 10 + c - ZERO;
    this.numEnd = q;
    return v;
  }

  /**
   * The time `buf[a, e)` in milliseconds since 1970 (DateTime64(3)'s value), or NaN when it is not in
   * the ledger's form (see `isCanonicalTimeBytes`) or its year is outside {@link MIN_YEAR}..{@link MAX_YEAR}.
   * The date's part is remembered: a line's times, and the next line's,
   * mostly fall on one date, whose check and day number are then reused (its ten bytes compared as two
   * words and a half); only the time of day is checked and read anew, by the rule of
   * `isCanonicalTimeBytes` (the date's rule and the time of day's are independent).
   */
  private time(a: number, e: number): number {
    if (e - a !== TIME_LENGTH) return Number.NaN;
    const view = this.view;
    const lo = view.getUint32(a, true);
    const mid = view.getUint32(a + 4, true);
    const hi = view.getUint16(a + 8, true);
    if (lo === this.dateLo && mid === this.dateMid && hi === this.dateHi) {
      const ms = timeOfDay(this.buf, a);
      return ms < 0 ? Number.NaN : this.dateDays * MS_PER_DAY + ms;
    }
    // A new date: the whole time checked, then its date remembered (a time that passes the check has
    // a valid time of day).
    if (!isCanonicalTimeBytes(view, a, e)) return Number.NaN;
    const days = dateDays(this.buf, a);
    if (Number.isNaN(days)) return days;
    this.dateLo = lo;
    this.dateMid = mid;
    this.dateHi = hi;
    this.dateDays = days;
    return days * MS_PER_DAY + timeOfDay(this.buf, a);
  }

  /** Write the row of the line just read (see `LEDGER_ROWS_SELECT` for the same in SQL). */
  private emit(
    start: number,
    hasStop: boolean,
    stop: number,
    status: number,
    bools: number,
    cost: number,
  ): void {
    const s = this.buf;
    const cols = this.cols;
    const at = this.at;
    const end = this.end;
    cols.str(R_ID, s, at[C_ID]!, end[C_ID]!);
    if (this.given(C_TRACE)) cols.str(R_TRACE, s, at[C_TRACE]!, end[C_TRACE]!);
    else cols.str(R_TRACE, s, at[C_ID]!, end[C_ID]!);
    this.text(R_PROJECT, C_PROJECT, LOCAL);
    this.text(R_ENV, C_ENV, DEFAULT_ENV);
    this.text(R_TYPE, C_TYPE, GENERATION);
    cols.nullableStr(R_PARENT, s, this.given(C_PARENT) ? at[C_PARENT]! : -1, end[C_PARENT]!);
    cols.data[R_START]!.i64(start);
    cols.nullableI64(R_END, hasStop, stop);
    this.orEmpty(R_NAME, C_NAME);
    this.metadata(bools);
    if (this.given(C_LEVEL)) cols.str(R_LEVEL, s, at[C_LEVEL]!, end[C_LEVEL]!);
    else if (status === ERROR_STATUS) cols.str(R_LEVEL, LEVEL_ERROR, 0, LEVEL_ERROR.length);
    else cols.str(R_LEVEL, LEVEL_DEFAULT, 0, LEVEL_DEFAULT.length);
    cols.nullableStr(R_STATUS_MESSAGE, s, at[C_STATUS_MESSAGE]!, end[C_STATUS_MESSAGE]!);
    cols.nullableStr(R_PROVIDED_MODEL, s, at[C_PROVIDED_MODEL]!, end[C_PROVIDED_MODEL]!);
    cols.nullableStr(R_INTERNAL_MODEL, s, at[C_INTERNAL_MODEL]!, end[C_INTERNAL_MODEL]!);
    for (let i = 0; i < LIST_COLUMNS.length; i++) {
      const k = LIST_COLUMNS[i]!;
      cols.endList(ROW_OF_LIST[k]!, this.listN[k]!);
    }
    cols.nullableI64(R_TOTAL_COST, cost >= 0, cost);
    cols.data[R_EVENT]!.i64(hasStop ? stop : start);
    cols.nullableStr(R_TIER, s, this.given(C_TIER) ? at[C_TIER]! : -1, end[C_TIER]!);
    this.orEmpty(R_USER, C_USER);
    this.orEmpty(R_SESSION, C_SESSION);
    cols.data[R_FLAGS]!.u8((at[C_NAME]! >= 0 ? NAME_GIVEN : 0) | (this.given(C_ENV) ? ENVIRONMENT_GIVEN : 0));
  }

  /** True when the line has a non-empty value of the ledger column `k`. */
  private given(k: number): boolean {
    return this.at[k]! >= 0 && this.end[k]! > this.at[k]!;
  }

  /** The ledger column `k` to the staging column `r`, '' when the line has none. */
  private orEmpty(r: number, k: number): void {
    const a = this.at[k]!;
    this.cols.str(r, this.buf, a, a < 0 ? a : this.end[k]!);
  }

  /** The ledger column `k` to the staging column `r`, `fallback` when the line has none or an empty one. */
  private text(r: number, k: number, fallback: Buffer): void {
    if (this.given(k)) this.cols.str(r, this.buf, this.at[k]!, this.end[k]!);
    else this.cols.str(r, fallback, 0, fallback.length);
  }

  /**
   * The row's metadata: the line's own entries with a value (but those named like a {@link METADATA_FIELDS}
   * key), then those fields that have one.
   */
  private metadata(bools: number): void {
    const s = this.buf;
    const at = this.at;
    const end = this.end;
    // Metadata's keys are LowCardinality (see LEDGER_ROW_COLUMNS): a dictionary.
    const keys = this.cols.dicts[R_META]!;
    const vals = this.cols.values[R_META]!;
    let n = 0;
    for (let i = 0; i < this.metaN; i++) {
      const a = this.keyAt[i]!;
      const b = this.keyEnd[i]!;
      if (this.valEnd[i]! === this.valAt[i]! || oneOf(s, a, b, META_KEYS) >= 0) continue;
      keys.str(s, a, b);
      vals.str(s, this.valAt[i]!, this.valEnd[i]!);
      n++;
    }
    // The fields, each when it has a value (no closure: one would be allocated per line).
    n += entry(keys, vals, 0, s, at[C_PROVIDER]!, end[C_PROVIDER]!);
    n += entry(keys, vals, 1, s, at[C_TENANT]!, end[C_TENANT]!);
    if ((bools >>> C_FALLBACK) & 1) n += entry(keys, vals, 2, TRUE_TEXT, 0, TRUE_TEXT.length);
    if ((bools >>> C_ESTIMATED) & 1) n += entry(keys, vals, 3, TRUE_TEXT, 0, TRUE_TEXT.length);
    const src = at[C_SOURCE]!;
    if (src >= 0 && !sameBytes(s, src, end[C_SOURCE]!, CATALOG))
      n += entry(keys, vals, 4, s, src, end[C_SOURCE]!);
    n += entry(keys, vals, 5, s, at[C_SERVICE]!, end[C_SERVICE]!);
    this.cols.endList(R_META, n);
  }
}

/** A metadata entry `key` → `src[a, b)` when that value is not empty (null: `a` -1); the entries added (0 or 1). */
function entry(keys: Dictionary, vals: Bytes, id: number, src: Uint8Array, a: number, b: number): number {
  if (a < 0 || b <= a) return 0;
  keys.metaKey(id);
  vals.str(src, a, b);
  return 1;
}

/** Which of `words` `s[a, e)` holds (its index), or -1 when none. */
function oneOf(s: Uint8Array, a: number, e: number, words: readonly Uint8Array[]): number {
  for (let i = 0; i < words.length; i++) if (sameBytes(s, a, e, words[i]!)) return i;
  return -1;
}

/**
 * Days since 1970 of the date of the ledger-form time at `a` (its bytes 0 to 9, `YYYY-MM-DD`, checked
 * by `isCanonicalTimeBytes`), or NaN when its year is outside {@link MIN_YEAR}..{@link MAX_YEAR}.
 */
function dateDays(s: Uint8Array, a: number): number {
  const d = (i: number) => s[a + i]! - ZERO;
  const y = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
  if (y < MIN_YEAR || y > MAX_YEAR) return Number.NaN;
  return daysSince1970(y, d(5) * 10 + d(6), d(8) * 10 + d(9));
}

/** Bytes of a time in the ledger's form (`2026-10-01T00:00:00.000Z`). */
const TIME_LENGTH = 24;
const T = 0x54;
const Z = 0x5a;

/**
 * The milliseconds of the time of day of the ledger-form time at `a` (its bytes 10 to 23,
 * `THH:MM:SS.mmmZ`), or -1 when they break `isCanonicalTimeBytes`' rule: separators, digits, an hour
 * below 24, minutes and seconds below 60.
 */
function timeOfDay(s: Uint8Array, a: number): number {
  if (s[a + 10] !== T || s[a + 13] !== COLON || s[a + 16] !== COLON || s[a + 19] !== DOT || s[a + 23] !== Z)
    return -1;
  const h1 = s[a + 11]! - ZERO;
  const h2 = s[a + 12]! - ZERO;
  const m1 = s[a + 14]! - ZERO;
  const m2 = s[a + 15]! - ZERO;
  const s1 = s[a + 17]! - ZERO;
  const s2 = s[a + 18]! - ZERO;
  const f1 = s[a + 20]! - ZERO;
  const f2 = s[a + 21]! - ZERO;
  const f3 = s[a + 22]! - ZERO;
  // A byte is a digit when its value less ZERO is 0 to 9: neither it nor 9 less it is negative.
  const digits = h1 | h2 | m1 | m2 | s1 | s2 | f1 | f2 | f3;
  const nines =
    (9 - h1) | (9 - h2) | (9 - m1) | (9 - m2) | (9 - s1) | (9 - s2) | (9 - f1) | (9 - f2) | (9 - f3);
  if ((digits | nines) < 0) return -1;
  const h = h1 * 10 + h2;
  const m = m1 * 10 + m2;
  const sec = s1 * 10 + s2;
  if (h > 23 || m > 59 || sec > 59) return -1;
  return h * 3_600_000 + m * 60_000 + sec * 1000 + f1 * 100 + f2 * 10 + f3;
}

/**
 * The four-digit number whose digits (0 to 9, the first the most significant) are the bytes of the word
 * `d`, lowest byte first: neighbouring digits summed as pairs (`10a + b`), then the two pairs (`100p + q`);
 * no sum carries out of its byte or half.
 */
function fourDigits(d: number): number {
  const pairs = (d * 10 + (d >>> 8)) & 0x00ff00ff;
  return (pairs * 100 + (pairs >>> 16)) & 0xffff;
}

/** Days from 1970-01-01 to the date (proleptic Gregorian; the year from March, so leap days come last). */
function daysSince1970(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** True when `s[a, e)` holds the bytes of `w[wa, we)`. */
function sameBytes(s: Uint8Array, a: number, e: number, w: Uint8Array, wa = 0, we = w.length): boolean {
  if (e - a !== we - wa || e > s.length) return false;
  for (let i = 0; i < e - a; i++) if (s[a + i] !== w[wa + i]) return false;
  return true;
}

/**
 * True when the key `"name":` of the ledger column `k` starts at `p` (a key has no newline, so one that
 * matches never runs into the next line): its
 * bytes compared four at a time, the last four read where they end (overlapping the word before), so no
 * byte is compared alone (most of the scanner's time went to comparing keys byte by byte).
 */
function sameKey(s: Uint8Array, view: DataView, p: number, k: number): boolean {
  const n = KEY_LENGTHS[k]!;
  // A key past the buffer's end has no colon there (undefined), so the words read below are inside it.
  return s[p + n - 1] === COLON && sameWords(view, p, n, KEY_WORDS[k]!);
}

/**
 * Index of the closing quote of a string whose text starts at `p`; -1 on an escape or a control character
 * (found four bytes at a time: see `specialByte`).
 */
function stringEnd(s: Uint8Array, view: DataView, p: number): number {
  const i = specialByte(s, view, p);
  return s[i] === QUOTE ? i : -1;
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

/**
 * Write the lines of `segment` (whole lines; its end at a line boundary, not -1) to `out` as Native
 * blocks of the staging rows ({@link LEDGER_ROW_COLUMNS}). Returns the number of lines, or null when a line is not in the
 * fast form (see the module comment): the caller then reads the segment the general way.
 */
export function writeNativeSegment(segment: LedgerSegment, out: string): number | null {
  if (segment.end < 0) return null;
  const sc = new Scanner();
  const fd = openSync(segment.path, 'r');
  const fo = openSync(out, 'w');
  let lines = 0;
  // The file offset of the buffer's first byte: each block's lines are followed by the next's.
  let base = segment.start;
  try {
    const read = readWholeLines(
      fd,
      segment.start,
      segment.end,
      Buffer.allocUnsafe(READ_BYTES),
      (buf, cut) => {
        sc.use(buf);
        for (let s = 0; s < cut; ) {
          const e = sc.line(s, base + s);
          if (e < 0) return false;
          lines++;
          if (sc.cols.rows === BLOCK_ROWS) sc.cols.flush(fo);
          s = e + 1;
        }
        base += cut;
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
  const buf = Buffer.from(`${text}\n`, 'utf8');
  sc.use(buf);
  // A text with a newline of its own is several lines, never one taken.
  return sc.line(0, 0) === buf.length - 1;
}
