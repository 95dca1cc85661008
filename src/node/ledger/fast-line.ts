import { LANGFUSE_KEY_OF_BUCKET } from '../../langfuse/cost-details.js';
import { usdToPico } from '../../pricing/money.js';
import type { LedgerLine } from '../../tracker/ledger-line.js';
import { type TokenBucket, USAGE_BUCKETS } from '../../usage/token-usage.js';

/**
 * The fields of a ledger line that reports need, read straight from the text without building the
 * line object (several times faster than `JSON.parse` on ~800-byte lines). One instance is reused.
 */
export class FastLine {
  startTime = '';
  /** Cost in pico-USD; NaN when the line has no cost (unpriced). */
  pico = Number.NaN;
  /** `total_cost` in USD, used when `cost_pico` is absent; NaN when null/absent. */
  totalCost = Number.NaN;
  status = '';
  estimated = false;
  /** Provider-reported cost, USD; NaN when none. */
  provided = Number.NaN;
  model = '';
  provider = '';
  session: string | null = null;
  user: string | null = null;
  tenant: string | null = null;
  name: string | null = null;
  tags: string[] = [];
  /** Usage per bucket in USAGE_BUCKETS order. */
  readonly usage = new Float64Array(USAGE_BUCKETS.length);

  reset(): void {
    this.startTime = '';
    this.pico = Number.NaN;
    this.totalCost = Number.NaN;
    this.status = '';
    this.estimated = false;
    this.provided = Number.NaN;
    this.model = '';
    this.provider = '';
    this.session = null;
    this.user = null;
    this.tenant = null;
    this.name = null;
    if (this.tags.length > 0) this.tags = [];
    this.usage.fill(0);
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
    this.name = s(l.name);
    if (Array.isArray(l.tags)) this.tags = l.tags.filter((t) => typeof t === 'string');
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

/** Thrown (as a constant, no allocation) when the scanner meets something it does not handle. */
const DECLINE = 1;

function ws(t: string, p: number): number {
  for (;;) {
    const c = t.charCodeAt(p);
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) p++;
    else return p;
  }
}

/** Index of the quote closing the string whose opening quote is at `p`. */
function stringEnd(t: string, p: number, end: number): number {
  let q = t.indexOf('"', p + 1);
  while (q > 0 && q < end) {
    let b = 0;
    for (let i = q - 1; t.charCodeAt(i) === BACKSLASH; i--) b++;
    if ((b & 1) === 0) return q;
    q = t.indexOf('"', q + 1);
  }
  throw DECLINE;
}

/** The string value at `p` (its opening quote); sets `pos` past it. */
let pos = 0;
function readString(t: string, p: number, end: number): string {
  const q = stringEnd(t, p, end);
  pos = q + 1;
  const raw = t.slice(p + 1, q);
  return raw.indexOf('\\') < 0 ? raw : (JSON.parse(t.slice(p, q + 1)) as string);
}

function readNumber(t: string, p: number): number {
  let q = p;
  for (;;) {
    const c = t.charCodeAt(q);
    // digits, '-', '+', '.', 'e', 'E'
    if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) q++;
    else break;
  }
  if (q === p) throw DECLINE;
  pos = q;
  return Number(t.slice(p, q));
}

/** A string or null at `p`; sets `pos`. */
function readNullableString(t: string, p: number, end: number): string | null {
  const c = t.charCodeAt(p);
  if (c === QUOTE) return readString(t, p, end);
  if (c === 0x6e && t.startsWith('null', p)) {
    pos = p + 4;
    return null;
  }
  throw DECLINE;
}

/** Skip any value at `p`; sets `pos`. */
function skipValue(t: string, p: number, end: number): void {
  const c = t.charCodeAt(p);
  if (c === QUOTE) {
    pos = stringEnd(t, p, end) + 1;
    return;
  }
  if (c === LBRACE || c === LBRACKET) {
    let depth = 0;
    let i = p;
    while (i < end) {
      const d = t.charCodeAt(i);
      if (d === QUOTE) i = stringEnd(t, i, end);
      else if (d === LBRACE || d === LBRACKET) depth++;
      else if (d === RBRACE || d === RBRACKET) {
        depth--;
        if (depth === 0) {
          pos = i + 1;
          return;
        }
      }
      i++;
    }
    throw DECLINE;
  }
  // number, true, false, null
  let i = p;
  while (i < end) {
    const d = t.charCodeAt(i);
    if (d === COMMA || d === RBRACE || d === RBRACKET || d === 0x20) break;
    i++;
  }
  if (i === p) throw DECLINE;
  pos = i;
}

/** A flat object of numbers at `p`, each handed to `each(key, value)`; sets `pos`. */
function readNumberMap(t: string, p: number, end: number, each: (key: string, v: number) => void): void {
  if (t.charCodeAt(p) !== LBRACE) throw DECLINE;
  let i = ws(t, p + 1);
  if (t.charCodeAt(i) === RBRACE) {
    pos = i + 1;
    return;
  }
  for (;;) {
    if (t.charCodeAt(i) !== QUOTE) throw DECLINE;
    const key = readString(t, i, end);
    i = ws(t, pos);
    if (t.charCodeAt(i) !== COLON) throw DECLINE;
    i = ws(t, i + 1);
    const c = t.charCodeAt(i);
    if (c === 0x6e && t.startsWith('null', i)) pos = i + 4;
    else each(key, readNumber(t, i));
    i = ws(t, pos);
    const d = t.charCodeAt(i);
    if (d === COMMA) i = ws(t, i + 1);
    else if (d === RBRACE) {
      pos = i + 1;
      return;
    } else throw DECLINE;
  }
}

let target: FastLine;
const setProvided = (key: string, v: number) => {
  if (key === 'total') target.provided = v;
};

/** Value kinds of the columns, for skipping. */
const STR = 0; // string or null
const NUM = 1; // number, boolean or null (ends at the next comma)
const FLAT = 2; // object of numbers (ends at the first `}`)
const META = 3; // object with free-form keys
const LIST = 4; // array of strings

/** Columns in the order `toLedgerLine` writes them, with their kinds. */
const COLUMNS: readonly (readonly [string, number])[] = [
  ['id', STR],
  ['trace_id', STR],
  ['parent_observation_id', STR],
  ['project_id', STR],
  ['type', STR],
  ['name', STR],
  ['environment', STR],
  ['start_time', STR],
  ['end_time', STR],
  ['level', STR],
  ['status_message', STR],
  ['provided_model_name', STR],
  ['internal_model_id', STR],
  ['usage_details', FLAT],
  ['cost_details', FLAT],
  ['provided_cost_details', FLAT],
  ['total_cost', NUM],
  ['cost_pico', NUM],
  ['metadata', META],
  ['session_id', STR],
  ['user_id', STR],
  ['tenant_id', STR],
  ['tags', LIST],
  ['provider', STR],
  ['resolved_model', STR],
  ['source', STR],
  ['estimated', NUM],
  ['tier', STR],
  ['fallback', NUM],
  ['service', STR],
  ['duration_ms', NUM],
  ['status', STR],
];
const KEYS = COLUMNS.map(([k]) => `"${k}":`);
const KINDS = COLUMNS.map(([, kind]) => kind);
const KEY_CODES = KEYS.map((k) => Uint16Array.from(k, (c) => c.charCodeAt(0)));
// Column indexes as literal constants (a switch on them compiles to a jump table).
const C_NAME = 5;
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

/** Ledger column names in writer order (exported for the test that keeps writer and scanner in step). */
export const SCANNED_COLUMN_ORDER: readonly string[] = COLUMNS.map(([k]) => k);

/** Skip the value at `p` of the given kind; returns the position after it. */
function skipKind(t: string, p: number, end: number, kind: number): number {
  switch (kind) {
    case STR:
      if (t.charCodeAt(p) === QUOTE) return stringEnd(t, p, end) + 1;
      if (t.startsWith('null', p)) return p + 4;
      throw DECLINE;
    case NUM: {
      const q = t.indexOf(',', p);
      if (q < 0 || q >= end) throw DECLINE;
      return q;
    }
    case FLAT: {
      if (t.charCodeAt(p) !== LBRACE) throw DECLINE;
      const q = t.indexOf('}', p);
      if (q < 0 || q >= end) throw DECLINE;
      return q + 1;
    }
    default:
      skipValue(t, p, end);
      return pos;
  }
}

/** A non-negative integer at `p` (digits only), else NaN; sets `pos`. */
function readInt(t: string, p: number): number {
  let v = 0;
  let q = p;
  for (;;) {
    const c = t.charCodeAt(q);
    if (c >= 0x30 && c <= 0x39) {
      v = v * 10 + (c - 0x30);
      q++;
    } else break;
  }
  if (q === p) return Number.NaN;
  const c = t.charCodeAt(q);
  // A decimal or exponent: let Number() read it.
  if (c === 0x2e || c === 0x65 || c === 0x45) return readNumber(t, p);
  pos = q;
  return v;
}

/**
 * Read the fields reports need from the ledger line in `t[start, end)` into `f`, walking the columns
 * in the order `toLedgerLine` writes them (compact JSON): each key is checked in place with
 * `startsWith` and values are skipped by kind, which is several times cheaper than `JSON.parse`.
 * Returns false for any line of another shape (another key order, whitespace, a torn write); the
 * caller then falls back to `JSON.parse`, so correctness never depends on the fast path.
 */
export function scanLine(t: string, start: number, end: number, f: FastLine): boolean {
  f.reset();
  target = f;
  while (end > start && t.charCodeAt(end - 1) === 0x0d) end--;
  if (t.charCodeAt(start) !== LBRACE || t.charCodeAt(end - 1) !== RBRACE) return false;
  let totalAt = -1;
  try {
    let p = start + 1;
    for (let k = 0; k < KEYS.length; k++) {
      if (k > 0) {
        if (t.charCodeAt(p) !== COMMA) return false;
        p++;
      }
      // Each key is checked by its length (its quotes and colon) and its first and last letters:
      // every column's key differs from its neighbours' in these, so a line in another key order or
      // with another set of columns fails here and takes the JSON.parse path.
      const codes = KEY_CODES[k]!;
      const n = codes.length;
      if (
        t.charCodeAt(p) !== QUOTE ||
        t.charCodeAt(p + 1) !== codes[1] ||
        t.charCodeAt(p + n - 3) !== codes[n - 3] ||
        t.charCodeAt(p + n - 2) !== QUOTE ||
        t.charCodeAt(p + n - 1) !== COLON
      ) {
        return false;
      }
      p += n;
      switch (k) {
        case C_NAME:
          f.name = readNullableString(t, p, end);
          p = pos;
          break;
        case C_START_TIME:
          f.startTime = readString(t, p, end);
          p = pos;
          break;
        case C_PROVIDED_MODEL_NAME:
          f.model = readNullableString(t, p, end) ?? '';
          p = pos;
          break;
        case C_USAGE_DETAILS:
          readUsage(t, p, end, f);
          p = pos;
          break;
        case C_PROVIDED_COST_DETAILS:
          readNumberMap(t, p, end, setProvided);
          p = pos;
          break;
        case C_TOTAL_COST:
          totalAt = p;
          p = skipKind(t, p, end, NUM);
          break;
        case C_COST_PICO:
          if (t.charCodeAt(p) === 0x6e) p = skipKind(t, p, end, NUM);
          else {
            f.pico = readInt(t, p);
            p = pos;
          }
          break;
        case C_SESSION_ID:
          f.session = readNullableString(t, p, end);
          p = pos;
          break;
        case C_USER_ID:
          f.user = readNullableString(t, p, end);
          p = pos;
          break;
        case C_TENANT_ID:
          f.tenant = readNullableString(t, p, end);
          p = pos;
          break;
        case C_TAGS:
          readTags(t, p, end, f);
          p = pos;
          break;
        case C_PROVIDER:
          f.provider = readNullableString(t, p, end) ?? '';
          p = pos;
          break;
        case C_ESTIMATED:
          f.estimated = t.startsWith('true', p);
          p = skipKind(t, p, end, NUM);
          break;
        case C_STATUS:
          f.status = readString(t, p, end);
          p = pos;
          break;
        default:
          p = skipKind(t, p, end, KINDS[k]!);
      }
    }
    // Optional text columns may follow; the line must close where it ends.
    const c = t.charCodeAt(p);
    if (c !== RBRACE && c !== COMMA) return false;
    if (Number.isNaN(f.pico) && totalAt >= 0 && t.charCodeAt(totalAt) !== 0x6e)
      f.totalCost = readNumber(t, totalAt);
    return f.startTime !== '';
  } catch (e) {
    if (e === DECLINE || e instanceof SyntaxError) return false;
    throw e;
  }
}

/** `usage_details`: a flat object of token counts. */
function readUsage(t: string, p: number, end: number, f: FastLine): void {
  if (t.charCodeAt(p) !== LBRACE) throw DECLINE;
  let i = p + 1;
  if (t.charCodeAt(i) === RBRACE) {
    pos = i + 1;
    return;
  }
  for (;;) {
    if (t.charCodeAt(i) !== QUOTE) throw DECLINE;
    const q = t.indexOf('"', i + 1);
    if (q < 0 || q >= end || t.charCodeAt(q + 1) !== COLON) throw DECLINE;
    const idx = USAGE_INDEX[t.slice(i + 1, q)];
    const v = readInt(t, q + 2);
    if (Number.isNaN(v)) throw DECLINE;
    if (idx !== undefined && v > 0) f.usage[idx] = f.usage[idx]! + v;
    i = pos;
    const d = t.charCodeAt(i);
    if (d === COMMA) i++;
    else if (d === RBRACE) {
      pos = i + 1;
      return;
    } else throw DECLINE;
  }
}

function readTags(t: string, p: number, end: number, f: FastLine): void {
  if (t.charCodeAt(p) !== LBRACKET) {
    skipValue(t, p, end);
    return;
  }
  let i = ws(t, p + 1);
  if (t.charCodeAt(i) === RBRACKET) {
    pos = i + 1;
    return;
  }
  const tags: string[] = [];
  for (;;) {
    if (t.charCodeAt(i) !== QUOTE) throw DECLINE;
    tags.push(readString(t, i, end));
    i = ws(t, pos);
    const d = t.charCodeAt(i);
    if (d === COMMA) i = ws(t, i + 1);
    else if (d === RBRACKET) {
      pos = i + 1;
      f.tags = tags;
      return;
    } else throw DECLINE;
  }
}
