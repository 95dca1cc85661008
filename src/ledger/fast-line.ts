import { usdToPico } from '../pricing/money.js';
import { LANGFUSE_KEY_OF_BUCKET, TOKEN_BUCKETS } from '../usage/buckets.js';
import { type TokenBucket, USAGE_BUCKETS } from '../usage/token-usage.js';
import { costAgreement, isCanonicalTime, LEDGER_COLUMN_KINDS } from './check.js';
import { DEFAULT_ENVIRONMENT, LEDGER_COLUMNS, type LedgerLine, OMITTED_WHEN_DEFAULT } from './line.js';

/**
 * The fields of a ledger line that reports need, read straight from the text without building the
 * line object (several times faster than `JSON.parse`). One instance is reused. The string fields are
 * located by the scan and cut out of the text only when read, so a report grouped by model never
 * allocates the session, user or tag strings of a line.
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
  /** @internal The text the positions below point into. */
  text = '';
  /**
   * @internal The text searched for {@link FastLine.backslashAt} and the first backslash at or after
   * the last line start searched (`text.length` when none): kept across lines so that a block of
   * lines is searched once, not once per line. Not reset with the line.
   */
  backslashText = '';
  /** @internal See {@link FastLine.backslashText}. */
  backslashAt = -1;
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
  private readonly last: (string | undefined)[] = new Array(FIELDS).fill(undefined);
  private tagList: string[] | undefined = undefined;
  private tagsAt = -1;

  /** `start_time` as written ('' when missing). */
  get startTime(): string {
    return this.field(F_START) ?? '';
  }
  set startTime(v: string) {
    this.values[F_START] = v;
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
    if (this.tagList === undefined) this.tagList = this.tagsAt < 0 ? [] : readTagList(this.text, this.tagsAt);
    return this.tagList;
  }
  set tags(v: string[]) {
    this.tagList = v;
  }

  /** True when the line's status is `error` (without cutting the string out). */
  isStatus(word: 'error' | 'cached'): boolean {
    const v = this.values[F_STATUS];
    if (v !== undefined) return v === word;
    const a = this.at[F_STATUS]!;
    return a >= 0 && this.until[F_STATUS]! - a - 1 === word.length && this.text.startsWith(word, a + 1);
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
   * @internal Where `start_time` is, without cutting it out: the string holding it and its range, put in
   * `r` (the block's text when the scan located it, a time the scanner checked to have no escape; else
   * the value itself).
   */
  startRange(r: TextRange): void {
    const v = this.values[F_START];
    const a = this.at[F_START]!;
    if (v !== undefined || a < 0) {
      const st = v ?? '';
      r.text = st;
      r.from = 0;
      r.to = st.length;
    } else {
      r.text = this.text;
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
    let out: string | null = null;
    if (a >= 0) {
      // Group keys repeat from line to line: when the text equals the last value read for this
      // field, that string is reused (no allocation, and its hash is already known to the group map).
      const b = this.until[f]!;
      const last = this.last[f];
      out = last !== undefined && sameText(this.text, a + 1, b, last) ? last : cut(this.text, a, b);
      this.last[f] = out;
    }
    this.values[f] = out;
    return out;
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

/**
 * @internal A range of a string, `text[from, to)`: a start time kept where it is in a block of lines (a
 * report's earliest and latest start are compared on every line and cut out once, at the end).
 */
export class TextRange {
  text = '';
  from = 0;
  to = 0;

  /** Take the range of `r`. */
  copy(r: TextRange): void {
    this.text = r.text;
    this.from = r.from;
    this.to = r.to;
  }

  /** The text of the range. */
  value(): string {
    return this.text.slice(this.from, this.to);
  }
}

/** @internal The texts of two ranges compared as `<` compares strings: negative, 0 or positive. */
export function compareRanges(x: TextRange, y: TextRange): number {
  const xt = x.text;
  const yt = y.text;
  const xn = x.to - x.from;
  const yn = y.to - y.from;
  const n = Math.min(xn, yn);
  for (let i = 0; i < n; i++) {
    const d = xt.charCodeAt(x.from + i) - yt.charCodeAt(y.from + i);
    if (d !== 0) return d;
  }
  return xn - yn;
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
const FIELDS = 9;

/** True when `t[a, b)` is the text of `s` and has no escape (so it stands for `s` itself). */
function sameText(t: string, a: number, b: number, s: string): boolean {
  if (b - a !== s.length) return false;
  for (let i = 0; i < s.length; i++) {
    const c = t.charCodeAt(a + i);
    if (c !== s.charCodeAt(i) || c === BACKSLASH) return false;
  }
  return true;
}

/** The string between the quotes at `a` and `b` (JSON-unescaped when it has escapes). */
function cut(t: string, a: number, b: number): string {
  const raw = t.slice(a + 1, b);
  return raw.indexOf('\\') < 0 ? raw : (JSON.parse(t.slice(a, b + 1)) as string);
}

/** Langfuse usage key → index in USAGE_BUCKETS. */
export const USAGE_INDEX: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(LANGFUSE_KEY_OF_BUCKET).map(([bucket, key]) => [
    key,
    USAGE_BUCKETS.indexOf(bucket as TokenBucket),
  ]),
);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * Returned instead of a position when the scanner meets something it does not handle: the line then
 * takes the `JSON.parse` path. Every scanning function returns the position after what it read, or
 * this; a caller checks `< 0` and passes it on (a return code, not an exception: declining is an
 * ordinary outcome, met on every line of another shape).
 */
const DECLINE = -1;

function ws(t: string, p: number): number {
  for (;;) {
    const c = t.charCodeAt(p);
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) p++;
    else return p;
  }
}

/** Index of the quote closing the string whose opening quote is at `p`, or DECLINE. */
function stringEnd(t: string, p: number, end: number): number {
  let q = t.indexOf('"', p + 1);
  while (q > 0 && q < end) {
    let b = 0;
    for (let i = q - 1; t.charCodeAt(i) === BACKSLASH; i--) b++;
    if ((b & 1) === 0) return q;
    q = t.indexOf('"', q + 1);
  }
  return DECLINE;
}

/**
 * Position of the first backslash of `t` at or after `start` (`t.length` when none), remembered on
 * `f`: lines are scanned in order, so one search serves every line up to that backslash.
 */
function nextBackslash(t: string, start: number, f: FastLine): number {
  if (f.backslashText !== t || f.backslashAt < start) {
    const i = t.indexOf('\\', start);
    f.backslashText = t;
    f.backslashAt = i < 0 ? t.length : i;
  }
  return f.backslashAt;
}

/** JSON's one-character escapes after a backslash: `"`, `\\`, `/`, `b`, `f`, `n`, `r`, `t`. */
const SIMPLE_ESCAPES: ReadonlySet<number> = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);
/** `u` of a `\uXXXX` escape. */
const UNICODE_ESCAPE = 0x75;

const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/**
 * True when every escape in `t[a, b)` is one JSON accepts and no raw control character is there (what
 * `JSON.parse` of an escaped string would refuse). Only lines holding a backslash are checked.
 */
function escapesValid(t: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x20) return false;
    if (c !== BACKSLASH) continue;
    const n = t.charCodeAt(i + 1);
    if (SIMPLE_ESCAPES.has(n)) {
      i++;
    } else if (n === UNICODE_ESCAPE) {
      for (let k = i + 2; k < i + 6; k++) if (k >= b || !isHex(t.charCodeAt(k))) return false;
      i += 5;
    } else {
      return false;
    }
  }
  return true;
}

/** True when `t[a, b)` holds a backslash (an escape). */
function hasBackslash(t: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) if (t.charCodeAt(i) === BACKSLASH) return true;
  return false;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/**
 * The end of a number at `p` in JSON's grammar, or DECLINE. With `amount`, only what the checker's amount
 * kinds accept without a conversion: a minus sign, or an exponent of three digits or more (which could
 * overflow to Infinity), declines the line (the checker then decides).
 */
function numberEnd(t: string, p: number, amount: boolean): number {
  let q = p;
  if (t.charCodeAt(q) === 0x2d) {
    if (amount) return DECLINE;
    q++;
  }
  const c = t.charCodeAt(q);
  if (c === 0x30) q++;
  else if (c >= 0x31 && c <= 0x39) while (isDigit(t.charCodeAt(q))) q++;
  else return DECLINE;
  if (t.charCodeAt(q) === 0x2e) {
    q++;
    if (!isDigit(t.charCodeAt(q))) return DECLINE;
    while (isDigit(t.charCodeAt(q))) q++;
  }
  const e = t.charCodeAt(q);
  if (e === 0x65 || e === 0x45) {
    q++;
    const sign = t.charCodeAt(q);
    if (sign === 0x2b || sign === 0x2d) q++;
    if (!isDigit(t.charCodeAt(q))) return DECLINE;
    const digits = q;
    while (isDigit(t.charCodeAt(q))) q++;
    if (amount && q - digits > 2) return DECLINE;
  }
  return q;
}

/** A number at `p` in JSON's grammar, its value put in `f.num`; returns the position after it, or DECLINE. */
function readNumber(t: string, p: number, f: FastLine): number {
  const q = numberEnd(t, p, false);
  if (q >= 0) f.num = Number(t.slice(p, q));
  return q;
}

/**
 * A non-negative finite number at `p` (the checker's amount kinds), its value put in `f.num`; returns
 * the position after it, or DECLINE for anything else.
 */
function readAmount(t: string, p: number, f: FastLine): number {
  const q = readNumber(t, p, f);
  return q >= 0 && f.num >= 0 && f.num !== Number.POSITIVE_INFINITY ? q : DECLINE;
}

/**
 * Skip a non-negative number at `p` without converting it (the value is not needed, only that the
 * checker would accept it); returns the position after it, or DECLINE (see {@link numberEnd}).
 */
function skipAmount(t: string, p: number): number {
  return numberEnd(t, p, true);
}

/** A flat object of non-negative amounts at `p`, checked and skipped; returns the position after it. */
function skipAmountMap(t: string, p: number, end: number): number {
  if (t.charCodeAt(p) !== LBRACE) return DECLINE;
  let i = p + 1;
  if (t.charCodeAt(i) === RBRACE) return i + 1;
  for (;;) {
    if (t.charCodeAt(i) !== QUOTE) return DECLINE;
    // A key with an escaped quote fails the colon test and takes the slow path.
    i = t.indexOf('"', i + 1) + 1;
    if (i <= 0 || i >= end || t.charCodeAt(i) !== COLON) return DECLINE;
    i = skipAmount(t, i + 1);
    if (i < 0) return DECLINE;
    const d = t.charCodeAt(i);
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
function readProvided(t: string, p: number, end: number, f: FastLine): number {
  if (t.charCodeAt(p) !== LBRACE) return DECLINE;
  let i = ws(t, p + 1);
  if (t.charCodeAt(i) === RBRACE) return i + 1;
  for (;;) {
    if (t.charCodeAt(i) !== QUOTE) return DECLINE;
    const q = stringEnd(t, i, end);
    if (q < 0 || hasBackslash(t, i + 1, q)) return DECLINE;
    const isTotal = q - i === 6 && t.startsWith('total', i + 1);
    i = ws(t, q + 1);
    if (t.charCodeAt(i) !== COLON) return DECLINE;
    i = readAmount(t, ws(t, i + 1), f);
    if (i < 0) return DECLINE;
    if (isTotal) f.provided = f.num;
    i = ws(t, i);
    const d = t.charCodeAt(i);
    if (d === COMMA) i = ws(t, i + 1);
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
 * True when the text at `p` is the key of column `k`. Five characters are compared — the quote, the
 * first letter, the last letter and the closing `":` (which pins the length) — and that tells every
 * column key (and the optional `input`/`output` text keys) from every other; a test checks this.
 * `startsWith` on the large block string was most of the scan time.
 */
function keyAt(t: string, p: number, k: number): boolean {
  const n = KEY_LENGTH[k]!;
  return (
    t.charCodeAt(p + 1) === KEY_FIRST[k] &&
    t.charCodeAt(p + n - 3) === KEY_LAST[k] &&
    t.charCodeAt(p + n - 1) === COLON &&
    t.charCodeAt(p + n - 2) === QUOTE &&
    t.charCodeAt(p) === QUOTE
  );
}
const KEY_LENGTH = Int32Array.from(KEYS, (k) => k.length);
const KEY_FIRST = Int32Array.from(KEYS, (k) => k.charCodeAt(1));
const KEY_LAST = Int32Array.from(KEYS, (k) => k.charCodeAt(k.length - 3));

/** @internal For the test that keeps {@link keyAt} unambiguous: the scanned column keys. */
export const SCANNED_KEYS: readonly string[] = KEYS;

/** @internal {@link keyAt} for tests. */
export function keyMatches(text: string, k: number): boolean {
  return keyAt(text, 0, k);
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

/**
 * Check and skip the value at `p` of the given kind; returns the position after it, or DECLINE on a
 * value the checker might not accept. `f` holds the numbers read on the way (nothing is stored in it).
 */
function skipKind(t: string, p: number, end: number, kind: number, f: FastLine): number {
  const c = t.charCodeAt(p);
  switch (kind) {
    case K_ID:
    case K_STRING:
    case K_STRING_OR_NULL:
    case K_STATUS: {
      if (c === QUOTE) {
        const q = stringEnd(t, p, end);
        if (q < 0) return DECLINE;
        if (kind === K_ID && q === p + 1) return DECLINE;
        if (kind === K_STATUS && !isStatusAt(t, p + 1, q)) return DECLINE;
        return q + 1;
      }
      if (kind === K_STRING_OR_NULL && c === 0x6e && t.startsWith('null', p)) return p + 4;
      return DECLINE;
    }
    case K_TIME:
      return timeEnd(t, p, end, null, 0);
    case K_USD_OR_NULL:
    case K_MS:
      if (kind !== K_MS && c === 0x6e && t.startsWith('null', p)) return p + 4;
      return skipAmount(t, p);
    case K_PICO_OR_NULL: {
      if (c === 0x6e && t.startsWith('null', p)) return p + 4;
      const q = readAmount(t, p, f);
      return q >= 0 && Number.isSafeInteger(f.num) ? q : DECLINE;
    }
    case K_BOOL:
      if (c === 0x74 && t.startsWith('true', p)) return p + 4;
      if (c === 0x66 && t.startsWith('false', p)) return p + 5;
      return DECLINE;
    case K_USD_MAP:
      return skipAmountMap(t, p, end);
    case K_TOKENS:
      return readUsage(t, p, end, f, false);
    case K_STRINGS:
      return scanTags(t, p, end, null);
    case K_METADATA:
      return scanStringMap(t, p, end);
    default:
      return DECLINE;
  }
}

/** True when `t[a, b)` is `success`, `error` or `cached`. */
function isStatusAt(t: string, a: number, b: number): boolean {
  const n = b - a;
  return (
    (n === 7 && t.startsWith('success', a)) ||
    (n === 5 && t.startsWith('error', a)) ||
    (n === 6 && t.startsWith('cached', a))
  );
}

/** An object of string values at `p` (metadata); returns the position after it, or DECLINE. */
function scanStringMap(t: string, p: number, end: number): number {
  if (t.charCodeAt(p) !== LBRACE) return DECLINE;
  if (t.charCodeAt(p + 1) === RBRACE) return p + 2;
  return scanStringPairs(t, p + 1, end);
}

/**
 * The stored text columns after the last column: `"input":"…"` and/or `"output":"…"` up to the closing
 * brace; returns the position after it. Any other key (a column out of its place) declines the line.
 */
function scanTextColumns(t: string, i: number, end: number): number {
  for (;;) {
    if (!t.startsWith('"input":"', i) && !t.startsWith('"output":"', i)) return DECLINE;
    const q = stringEnd(t, t.indexOf(':', i) + 1, end);
    if (q < 0) return DECLINE;
    i = q + 1;
    const d = t.charCodeAt(i);
    if (d === COMMA) i++;
    else if (d === RBRACE) return i + 1;
    else return DECLINE;
  }
}

/** `"key":"value"` pairs from `i` (a quote) to the closing brace; returns the position after it, or DECLINE. */
function scanStringPairs(t: string, i: number, end: number): number {
  for (;;) {
    if (t.charCodeAt(i) !== QUOTE) return DECLINE;
    const k = stringEnd(t, i, end);
    if (k < 0) return DECLINE;
    i = k + 1;
    if (t.charCodeAt(i) !== COLON || t.charCodeAt(i + 1) !== QUOTE) return DECLINE;
    const v = stringEnd(t, i + 1, end);
    if (v < 0) return DECLINE;
    i = v + 1;
    const d = t.charCodeAt(i);
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
function readInt(t: string, p: number, f: FastLine): number {
  let v = 0;
  let q = p;
  for (;;) {
    const c = t.charCodeAt(q);
    if (c >= 0x30 && c <= 0x39) {
      v = v * 10 + (c - 0x30);
      q++;
    } else break;
  }
  if (q === p) {
    f.num = Number.NaN;
    return q;
  }
  if (q > p + 1 && t.charCodeAt(p) === 0x30) return DECLINE;
  const c = t.charCodeAt(q);
  // A decimal or exponent: let Number() read it.
  if (c === 0x2e || c === 0x65 || c === 0x45) return readNumber(t, p, f);
  f.num = v;
  return q;
}

/**
 * Read the fields reports need from the ledger line in `t[start, end)` into `f`, walking the columns
 * in the order `toLedgerLine` writes them (compact JSON, columns at their default possibly left out):
 * each key is checked in place (see `keyAt`) and values are skipped by kind, which is several times
 * cheaper than `JSON.parse`. All the scan's state lives in its arguments and locals (and in `f`): two
 * scans into two `FastLine`s never share anything.
 * Returns false for any line of another shape (another key order, whitespace, a torn write); the
 * caller then falls back to `JSON.parse`, so correctness never depends on the fast path.
 */
export function scanLine(t: string, start: number, end: number, f: FastLine): boolean {
  f.reset();
  f.text = t;
  while (end > start && t.charCodeAt(end - 1) === 0x0d) end--;
  if (t.charCodeAt(start) !== LBRACE || t.charCodeAt(end - 1) !== RBRACE) return false;
  // The getters unescape strings lazily and would meet a bad escape (`"a\x"`) only when the field
  // is read, and throw there: a line with a backslash has its escapes checked first, and a bad one
  // takes the JSON.parse path, which rejects the line.
  if (nextBackslash(t, start, f) < end && !escapesValid(t, start, end)) return false;
  let total = Number.NaN;
  let p = start + 1;
  let k = 0;
  for (;;) {
    if (k > 0) {
      const c = t.charCodeAt(p);
      // Optional text columns may follow the last one; the line must close where it ends.
      if (c === RBRACE || k === KEYS.length) break;
      if (c !== COMMA) return false;
      p++;
    }
    // The key at p names column k, or a later one when the columns between were left out at
    // their default; any other key (another order, another set of columns) takes the JSON.parse path.
    while (!keyAt(t, p, k)) {
      if (!OPTIONAL[k]) return false;
      if (++k === KEYS.length) return false;
    }
    p += KEY_LENGTH[k]!;
    switch (k) {
      case C_NAME:
        p = locateString(t, p, end, f, F_NAME, K_STRING_OR_NULL);
        break;
      case C_ENVIRONMENT:
        p = locateString(t, p, end, f, F_ENV, K_STRING_OR_NULL);
        break;
      case C_START_TIME:
        p = locateString(t, p, end, f, F_START, K_TIME);
        break;
      case C_PROVIDED_MODEL_NAME:
        p = locateString(t, p, end, f, F_MODEL, K_STRING_OR_NULL);
        break;
      case C_USAGE_DETAILS:
        p = readUsage(t, p, end, f, true);
        break;
      case C_PROVIDED_COST_DETAILS:
        p = readProvided(t, p, end, f);
        break;
      case C_TOTAL_COST:
        if (t.charCodeAt(p) === 0x6e) p = skipKind(t, p, end, K_USD_OR_NULL, f);
        else {
          p = readAmount(t, p, f);
          total = f.num;
        }
        break;
      case C_COST_PICO:
        if (t.charCodeAt(p) === 0x6e) p = skipKind(t, p, end, K_PICO_OR_NULL, f);
        else {
          p = readInt(t, p, f);
          if (!Number.isSafeInteger(f.num)) return false;
          f.pico = f.num;
        }
        break;
      case C_SESSION_ID:
        p = locateString(t, p, end, f, F_SESSION, K_STRING_OR_NULL);
        break;
      case C_USER_ID:
        p = locateString(t, p, end, f, F_USER, K_STRING_OR_NULL);
        break;
      case C_TENANT_ID:
        p = locateString(t, p, end, f, F_TENANT, K_STRING_OR_NULL);
        break;
      case C_TAGS:
        p = scanTags(t, p, end, f);
        break;
      case C_PROVIDER:
        p = locateString(t, p, end, f, F_PROVIDER, K_STRING_OR_NULL);
        break;
      case C_ESTIMATED:
        f.estimated = t.startsWith('true', p);
        p = skipKind(t, p, end, K_BOOL, f);
        break;
      case C_STATUS:
        p = locateString(t, p, end, f, F_STATUS, K_STATUS);
        break;
      default:
        p = skipKind(t, p, end, KINDS[k]!, f);
    }
    if (p < 0) return false;
    k++;
  }
  // Every column after the last one read must be one a writer may leave out.
  for (; k < KEYS.length; k++) if (!OPTIONAL[k]) return false;
  const c = t.charCodeAt(p);
  if (c === COMMA) {
    // Stored prompt/completion text after the columns: string values only, up to the closing brace.
    if (scanTextColumns(t, p + 1, end) !== end) return false;
  } else if (c !== RBRACE || p !== end - 1) return false;
  if (!Number.isNaN(total)) {
    if (!Number.isNaN(f.pico) && costAgreement(total, f.pico) !== null) return false;
    if (Number.isNaN(f.pico)) f.totalCost = total;
  }
  return f.hasStart();
}

/** Usage keys by length, with their bucket index: matched in place, no key string cut out. */
const USAGE_KEYS_BY_LENGTH: [Uint16Array, number][][] = [];
for (const [key, index] of Object.entries(USAGE_INDEX)) {
  (USAGE_KEYS_BY_LENGTH[key.length] ??= []).push([Uint16Array.from(key, (c) => c.charCodeAt(0)), index]);
}

/** Usage buckets come tokens first (the bucket table's order), so an index below this is a token count. */
const TOKEN_BUCKET_COUNT = TOKEN_BUCKETS.length;

/** The bucket index of the usage key in `t[a, b)`, or undefined (`total`, unknown keys). */
function usageIndexAt(t: string, a: number, b: number): number | undefined {
  const list = USAGE_KEYS_BY_LENGTH[b - a];
  if (list === undefined) return undefined;
  next: for (const [codes, index] of list) {
    for (let i = 0; i < codes.length; i++) if (t.charCodeAt(a + i) !== codes[i]) continue next;
    return index;
  }
  return undefined;
}

/**
 * `usage_details`: a flat object of token counts, added to `f.usage` when `add`. Counts must be
 * non-negative integers and `total` the sum of the others (the checker's `tokens` kind), else
 * declined. Returns the position after the object, or DECLINE.
 */
function readUsage(t: string, p: number, end: number, f: FastLine, add: boolean): number {
  if (t.charCodeAt(p) !== LBRACE) return DECLINE;
  let i = p + 1;
  if (t.charCodeAt(i) === RBRACE) return i + 1;
  let sum = 0;
  let total = -1;
  for (;;) {
    if (t.charCodeAt(i) !== QUOTE) return DECLINE;
    const q = t.indexOf('"', i + 1);
    if (q < 0 || q >= end || t.charCodeAt(q + 1) !== COLON) return DECLINE;
    const after = readInt(t, q + 2, f);
    const v = f.num;
    if (after < 0 || !Number.isSafeInteger(v)) return DECLINE;
    if (q - i === 6 && t.startsWith('total', i + 1)) total = v;
    else if (v > 0) {
      // A zero adds nothing either way, so only a count needs its bucket: `total` counts tokens
      // only, and units after the token buckets (audio seconds, …) are outside it.
      const idx = usageIndexAt(t, i + 1, q);
      if (idx === undefined || idx < TOKEN_BUCKET_COUNT) sum += v;
      if (add && idx !== undefined) f.usage[idx] = f.usage[idx]! + v;
    }
    i = after;
    const d = t.charCodeAt(i);
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
function locateString(t: string, p: number, end: number, f: FastLine, field: number, kind: number): number {
  if (kind === K_TIME) return timeEnd(t, p, end, f, field);
  const c = t.charCodeAt(p);
  if (c === QUOTE) {
    const q = stringEnd(t, p, end);
    if (q < 0) return DECLINE;
    if (kind === K_STATUS && !isStatusAt(t, p + 1, q)) return DECLINE;
    f.locate(field, p, q);
    return q + 1;
  }
  if (kind === K_STRING_OR_NULL && c === 0x6e && t.startsWith('null', p)) return p + 4;
  return DECLINE;
}

/** Characters of a time in the ledger's one form, `YYYY-MM-DDTHH:MM:SS.mmmZ`. */
const TIME_LENGTH = 24;

/**
 * A {@link K_TIME} string at `p` (the ledger's one form, which holds no quote or backslash): its closing
 * quote must be {@link TIME_LENGTH} characters on, so it is looked at there, not searched for (what the
 * search would find for a valid time, and a line declined either way otherwise). Located for `f`'s field
 * `field` when `f` is given; returns the position after it, or DECLINE.
 */
function timeEnd(t: string, p: number, end: number, f: FastLine | null, field: number): number {
  const q = p + 1 + TIME_LENGTH;
  if (t.charCodeAt(p) !== QUOTE || q >= end || t.charCodeAt(q) !== QUOTE || !isCanonicalTime(t, p + 1, q)) {
    return DECLINE;
  }
  f?.locate(field, p, q);
  return q + 1;
}

/** Check the tags array at `p` (strings only, else DECLINE) and locate it for `f`; returns the position after it. */
function scanTags(t: string, p: number, end: number, f: FastLine | null): number {
  if (t.charCodeAt(p) !== LBRACKET) return DECLINE;
  let i = ws(t, p + 1);
  if (t.charCodeAt(i) === RBRACKET) return i + 1;
  f?.locateTags(p);
  for (;;) {
    if (t.charCodeAt(i) !== QUOTE) return DECLINE;
    const q = stringEnd(t, i, end);
    if (q < 0) return DECLINE;
    i = ws(t, q + 1);
    const d = t.charCodeAt(i);
    if (d === COMMA) i = ws(t, i + 1);
    else if (d === RBRACKET) return i + 1;
    else return DECLINE;
  }
}

/** The strings of a tags array already checked by {@link scanTags}. */
function readTagList(t: string, p: number): string[] {
  const tags: string[] = [];
  let i = ws(t, p + 1);
  while (t.charCodeAt(i) === QUOTE) {
    const q = stringEnd(t, i, t.length);
    if (q < 0) break;
    tags.push(cut(t, i, q));
    i = ws(t, q + 1);
    if (t.charCodeAt(i) === COMMA) i = ws(t, i + 1);
  }
  return tags;
}
