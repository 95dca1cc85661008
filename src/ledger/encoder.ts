import { closedError, describeValue, InvalidArgumentError } from '../errors.js';
import { PICO_PER_USD } from '../pricing/money.js';
import { totalTokens } from '../usage/token-usage.js';
import {
  DETAILS_OPEN,
  makeDetailLiterals,
  writeCostDetails,
  writeUsageDetails,
} from './details.generated.js';
import { Literal, LONG_LITERAL, literal, QUAD } from './literal.js';
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
  /** The same text, for the end of `GeneratedIds`' literal. */
  private readonly projectTypeNameText: string;
  /** UTC day of the last time written, and its `"YYYY-MM-DDT` text (calls arrive in time order). */
  private day = Number.NaN;
  private dayText = '';
  /**
   * The last start and end time written (epoch ms, indexed by START and END) and its second, and
   * both columns' keys and `"YYYY-MM-DDTHH:MM:SS.mmmZ"` as one literal: the calls of one millisecond
   * (a few hundred, at a few µs a call) write it as it is, those of one second rewrite the three
   * millisecond digits. A second each, so that a call whose end falls in a later second than its
   * start does not make both anew on every line.
   */
  private readonly millis = new Float64Array([Number.NaN, Number.NaN]);
  private readonly seconds = new Float64Array([Number.NaN, Number.NaN]);
  private readonly timesText: Literal;
  /** Recent runs of columns written as one literal: see `head`, `models` and `tail`. */
  private readonly headRuns = new RunMemo();
  private readonly modelRuns = new RunMemo();
  private readonly tailRuns = new RunMemo();
  private readonly tagRuns = new RunMemo();
  /** Recently written session, user and tenant ids, each with its column's key (see `known`). */
  private readonly sessions = new TextMemo();
  private readonly users = new TextMemo();
  private readonly tenants = new TextMemo();
  /** The opening quote and the JSON text of the generated ids' prefix (see `setIdPrefix`). */
  private idHead: Literal | undefined;
  /** The id and trace_id columns of a generated id that is also the trace id (see `GeneratedIds`). */
  private ids: GeneratedIds | undefined;
  /**
   * The last trace id written (undefined: none yet) and, when `traceKept`, its
   * JSON text (quotes and escapes included, UTF-8): the LLM spans of one trace (an
   * agent's steps, a chain's calls) are written one after another, and `str` spends about 40
   * instructions a character on a 32-character hex id. Not kept: a non-string, or a text longer
   * than TRACE_TEXT_BYTES.
   */
  private lastTrace: string | undefined;
  private traceKept = false;
  /** The kept text as doubles (bit patterns, as a `Literal`'s), and the same storage as bytes. */
  private readonly traceQuads = new Float64Array(TRACE_TEXT_BYTES / QUAD);
  private readonly traceBytes = new Uint8Array(this.traceQuads.buffer);
  private traceLength = 0;

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
    this.timesText = literal(`${START_KEY}${TIME_PLACEHOLDER}${END_KEY}${TIME_PLACEHOLDER}`);
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
    this.projectTypeNameText = `,"project_id":${JSON.stringify(projectId)},"type":"GENERATION","name":`;
    this.projectTypeName = literal(this.projectTypeNameText);
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
   * @internal The prefix of the ids a tracker generates (`prefix + seq.toString(36)`, see
   * `CostTracker`): `line` writes such an id from its sequence number.
   */
  setIdPrefix(prefix: string): void {
    const head = typeof prefix === 'string' ? JSON.stringify(prefix).slice(0, -1) : undefined;
    this.idHead = head !== undefined ? literal(head) : undefined;
    this.ids = head !== undefined ? new GeneratedIds(head, this.projectTypeNameText) : undefined;
  }

  /**
   * Append the line of `r` and a newline. A record that cannot be encoded (a field of the wrong type
   * that throws, a getter or Proxy trap that throws) leaves nothing behind: no half line.
   *
   * `id` and `seq` (internal): when `r.id` is `id`, the id the tracker generated as the prefix of
   * `setIdPrefix` and the base-36 digits of `seq`, it is written from those, not read character by
   * character (the id was the largest cost of a line: about 60 instructions a character).
   * @throws {InvalidArgumentError}
   */
  line(r: CostRecord, id?: string, seq = 0): void {
    const start = this.length;
    try {
      if (typeof r !== 'object' || r === null)
        throw new InvalidArgumentError('record', `expected a cost record, got ${describeValue(r)}`);
      this.lineUnchecked(r, id, seq);
    } catch (err) {
      this.length = start;
      throw closedError(err, 'LedgerLineEncoder.line');
    }
  }

  private lineUnchecked(r: CostRecord, id: string | undefined, seq: number): void {
    // The fixed parts of a line fit in SLACK bytes; each string reserves its own room plus SLACK,
    // so whatever follows it fits too.
    this.room(SLACK);
    const unpriced = r.unpriced === true;
    const rid = r.id;
    // A generated id (unless the record's id was changed since the tracker made it).
    const generated = seq > 0 && seq <= MAX_ID_SEQ && rid === id;
    const parentId = r.parentId;
    if (generated && r.traceId === undefined && parentId == null && this.ids !== undefined) {
      // The usual line: trace_id is the id, and both are the text of the sequence number; the
      // literal goes on to the name's key (see `GeneratedIds`).
      const ids = this.ids.at(seq);
      this.room(ids.length + SLACK);
      this.lit(ids);
    } else {
      this.lit(K_ID);
      const idAt = this.length;
      if (generated && this.idHead !== undefined) this.generatedId(seq);
      else this.str(rid);
      const idEnd = this.length;
      this.lit(K_TRACE_ID);
      // trace_id is the id when there is none, and for a root run whose trace is its own id (the
      // LangChain handler's): copy its bytes rather than read the string again (~37 instructions a
      // character, see `str`).
      const traceId = r.traceId;
      if (traceId === undefined || traceId === rid) this.copy(idAt, idEnd);
      else this.traceId(traceId);
      if (parentId != null) {
        this.lit(K_PARENT);
        this.str(parentId);
      }
      this.lit(this.projectTypeName);
    }
    this.head(r.operation, r.environment);
    this.times(r);
    const status = r.status;
    const error = r.error;
    let level = status === 'error' ? LEVEL_ERROR_NULL : LEVEL_DEFAULT_NULL;
    if (error != null) {
      this.lit(status === 'error' ? K_LEVEL_ERROR : K_LEVEL_DEFAULT);
      this.str(error);
      level = LEVEL_WRITTEN;
    }
    this.models(level, r.model, unpriced ? undefined : r.resolvedModel);
    this.usage(r);
    // usage_details' closing brace and cost_details' key (and its first key, or its empty object).
    if (unpriced) {
      this.lit(K_COST_EMPTY);
      this.provided(r);
      this.lit(K_TOTAL_NULL);
    } else this.costs(r);
    const metadata = r.metadata;
    if (metadata == null) this.lit(K_METADATA_EMPTY);
    else if (typeof metadata !== 'object')
      throw new InvalidArgumentError('record.metadata', `expected an object, got ${describeValue(metadata)}`);
    else {
      this.lit(K_METADATA);
      this.record(metadata);
    }
    if (r.sessionId != null) this.known(r.sessionId, this.sessions, K_SESSION);
    if (r.userId != null) this.known(r.userId, this.users, K_USER);
    if (r.tenantId != null) this.known(r.tenantId, this.tenants, K_TENANT);
    this.tags(r.tags);
    this.tail(r, unpriced);
    this.num(r.durationMs);
    if (r.inputText === undefined && r.outputText === undefined) {
      // The line's end: `,"status":…}` and the newline, one literal for the three statuses.
      const end =
        status === 'success'
          ? K_END_SUCCESS
          : status === 'error'
            ? K_END_ERROR
            : status === 'cached'
              ? K_END_CACHED
              : undefined;
      if (end !== undefined) {
        this.lit(end);
        return;
      }
    }
    this.lit(K_STATUS);
    this.str(status);
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

  /**
   * The name's value and `,"environment":…` (after `,"project_id":…,"type":"GENERATION","name":`,
   * written with the ids): one literal per (name, environment) pair seen recently, instead of a
   * probe and a write per column.
   */
  private head(operation: string | undefined, environment: string | undefined): void {
    // Only strings and absent values are remembered (a hand-made record may hold anything).
    const memoable =
      (operation == null || typeof operation === 'string') &&
      (environment == null || typeof environment === 'string');
    // Absence is a flag, so that '' (a value) and an absent column never share an entry.
    const flags = (operation == null ? 1 : 0) | (environment == null ? 2 : 0);
    const op = operation ?? '';
    const env = environment ?? '';
    if (memoable && this.hit(this.headRuns.findHead(op, env, flags))) return;
    const at = this.length;
    if (operation != null) this.str(operation);
    else this.lit(NULL);
    if (environment != null) {
      this.lit(K_ENVIRONMENT);
      this.str(environment);
    }
    if (memoable) this.remember(this.headRuns, at, op, env, '', '', '', flags);
  }

  /**
   * `,"level":…,"status_message":null` (when `level` says so), `,"provided_model_name":…`,
   * `,"internal_model_id":…` (priced calls) and `,"usage_details":`: one literal per combination
   * seen recently.
   */
  private models(level: number, model: string, internal: string | undefined): void {
    const memoable = typeof model === 'string' && (internal === undefined || typeof internal === 'string');
    const flags = level | (internal === undefined ? NO_INTERNAL : 0);
    const resolved = internal ?? '';
    if (memoable && this.hit(this.modelRuns.find2(model, resolved, flags))) return;
    const at = this.length;
    if (level === LEVEL_ERROR_NULL) this.lit(K_LEVEL_ERROR_NULL);
    else if (level === LEVEL_DEFAULT_NULL) this.lit(K_LEVEL_DEFAULT_NULL);
    this.lit(K_MODEL);
    this.str(model);
    if (internal !== undefined) {
      this.lit(K_INTERNAL);
      this.str(internal);
    }
    this.lit(K_USAGE);
    if (memoable) this.remember(this.modelRuns, at, model, resolved, '', '', '', flags);
  }

  /**
   * `,"tags":[…]` (nothing for no tags): one literal per tag list seen recently, for up to
   * MAX_RUN_TAGS tags. Tag lists are few; sessions, users and (for the memo's few ways) tenants are
   * not, so they are written as they come.
   */
  private tags(tags: string[] | undefined): void {
    const n = tags === undefined ? 0 : tags.length;
    if (n === 0) return;
    const t0 = tags![0];
    const t1 = n > 1 ? tags![1] : '';
    const t2 = n > 2 ? tags![2] : '';
    const t3 = n > 3 ? tags![3] : '';
    const t4 = n > 4 ? tags![4] : '';
    const memoable =
      n <= MAX_RUN_TAGS &&
      typeof t0 === 'string' &&
      typeof t1 === 'string' &&
      typeof t2 === 'string' &&
      typeof t3 === 'string' &&
      typeof t4 === 'string';
    // Most tag lists have one or two tags: two keys compared (the flags hold the count).
    const runs = this.tagRuns;
    if (memoable && this.hit(n <= 2 ? runs.find2(t0, t1, n) : runs.find(t0, t1, t2, t3, t4, n))) return;
    const at = this.length;
    this.lit(K_TAGS);
    for (let i = 0; i < n; i++) {
      if (i > 0) this.byte(COMMA);
      this.value(tags![i], true);
    }
    this.byte(RBRACKET);
    if (memoable) this.remember(this.tagRuns, at, t0, t1, t2, t3, t4, n);
  }

  /**
   * The columns from provider to `,"duration_ms":` (provider, resolved_model of an unpriced call,
   * source, estimated, tier, fallback, service): one literal per combination seen recently.
   */
  private tail(r: CostRecord, unpriced: boolean): void {
    const provider = r.provider;
    const source = r.source;
    const tier = r.tier;
    const service = r.service;
    const resolved = unpriced ? r.resolvedModel : '';
    const estimated = !!r.estimated;
    const fallback = r.fallback === true;
    const memoable =
      typeof provider === 'string' &&
      typeof source === 'string' &&
      typeof tier === 'string' &&
      (service == null || typeof service === 'string') &&
      typeof resolved === 'string';
    const flags =
      (estimated ? TAIL_ESTIMATED : 0) |
      (fallback ? TAIL_FALLBACK : 0) |
      (service == null ? TAIL_NO_SERVICE : 0) |
      (unpriced ? TAIL_UNPRICED : 0);
    const svc = service ?? '';
    if (memoable && this.hit(this.tailRuns.find(provider, source, tier, svc, resolved, flags))) return;
    const at = this.length;
    this.lit(K_PROVIDER);
    this.str(provider);
    if (unpriced) {
      this.lit(K_RESOLVED);
      this.str(r.resolvedModel);
    }
    this.lit(K_SOURCE);
    this.str(source);
    if (estimated) this.lit(K_ESTIMATED_TRUE);
    this.lit(K_TIER);
    this.str(tier);
    if (fallback) this.lit(K_FALLBACK_TRUE);
    if (service != null) {
      this.lit(K_SERVICE);
      this.str(service);
    }
    this.lit(K_DURATION);
    if (memoable) this.remember(this.tailRuns, at, provider, source, tier, svc, resolved, flags);
  }

  /**
   * A session, user or tenant id after its column's key `key`: the key and JSON text written for the
   * same string before (one memo per column), copied eight bytes a store, or written by `lit` and
   * `str` and remembered. Reading a string costs about 60 instructions a character (`charCodeAt`
   * dispatches on the string's representation each time), a remembered text one Map lookup (the
   * string's hash is cached in it) and a copy; with the key in it, the key is not a call of its own.
   * See `TextMemo`.
   */
  private known(s: string, texts: TextMemo, key: Literal): void {
    const at = texts.find(s);
    if (at >= 0) {
      // Literals for the reason given at `plainWord`: the length mask, TEXT_OFFSET_SHIFT, QUAD.
      const n = at & 0xff;
      this.room(n + SLACK);
      const from = at >>> 8;
      const src = texts.view;
      const v = this.view;
      const o = this.length;
      // Whole doubles, two at least (a key and a quoted string are over eight bytes): up to seven
      // bytes past the end are written too, and overwritten by what follows.
      v.setFloat64(o, src.getFloat64(from, true), true);
      v.setFloat64(o + 8, src.getFloat64(from + 8, true), true);
      for (let i = 16; i < n; i += 8) v.setFloat64(o + i, src.getFloat64(from + i, true), true);
      this.length = o + n;
      return;
    }
    const start = this.length;
    this.lit(key);
    this.str(s);
    if (at === TEXT_MISSED) texts.add(s, this.bytes, start, this.length);
  }

  /** Write a remembered run (true), or nothing when there is none (false). */
  private hit(run: Literal | undefined): boolean {
    if (run === undefined) return false;
    this.room(run.length + SLACK);
    this.lit(run);
    return true;
  }

  /** Remember the bytes written since `at` as the run of the given key (unless it is too long). */
  private remember(
    runs: RunMemo,
    at: number,
    a: string,
    b: string,
    c: string,
    d: string,
    e: string,
    flags: number,
  ): void {
    if (this.length - at > MAX_RUN_BYTES) return;
    runs.add(this.bytes.subarray(at, this.length), a, b, c, d, e, flags);
  }

  /** A generated id: the prefix's literal, then `seq` in base 36 (an int32) and the closing quote. */
  private generatedId(seq: number): void {
    const head = this.idHead!;
    this.room(head.length + MAX_ID_DIGITS + SLACK);
    this.lit(head);
    // The radix and the digits' bounds as literals, not module constants: the bundle makes those
    // variables that the JIT loads and checks on every use (a division, not a multiplication, too).
    const radix = 36;
    const n =
      seq < 36 ? 1 : seq < 1296 ? 2 : seq < 46_656 ? 3 : seq < 1_679_616 ? 4 : seq < 60_466_176 ? 5 : 6;
    const b = this.bytes;
    let o = this.length + n;
    b[o] = QUOTE;
    this.length = o + 1;
    // From the last digit back, as `Number#toString(36)` writes them: 0-9, then a-z.
    let x = seq | 0;
    do {
      const q = (x / radix) | 0;
      const d = x - q * radix;
      b[--o] = d < 10 ? d + 0x30 : d + 0x57;
      x = q;
    } while (x > 0);
  }

  /** Append a copy of the bytes from `from` to `to` (written before in this buffer). */
  private copy(from: number, to: number): void {
    // The copy's own room: the text copied took its string's room, which SLACK alone does not cover
    // a second time (an id of escaped characters writes six bytes each).
    this.room(to - from + SLACK);
    // Four bytes a store (a line's ids and totals are short: a builtin call costs more than the loop);
    // the last store may write up to three bytes past the end, which what follows overwrites.
    const v = this.view;
    const o = this.length;
    for (let i = 0; i < to - from; i += 4) v.setInt32(o + i, v.getInt32(from + i, true), true);
    this.length = o + (to - from);
  }

  /** Append a bare newline (to end a torn line left by a killed writer). */
  newline(): void {
    this.room(1);
    this.byte(NEWLINE);
  }

  /** usage_details from its first value (the models' run ends with its key and DETAILS_OPEN) to its total. */
  private usage(r: CostRecord): void {
    const u = r.usage;
    writeUsageDetails(this, u);
    this.lit(K_D_TOTAL);
    this.num(totalTokens(u));
  }

  /**
   * A priced call's cost columns, from usage_details' closing brace to cost_pico: in a function of
   * their own, where the JIT inlines the literals (in `lineUnchecked` each is a call).
   */
  private costs(r: CostRecord): void {
    this.lit(K_COST_OPEN);
    writeCostDetails(this, r.costs);
    this.lit(K_D_TOTAL);
    const totalAt = this.length;
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
      this.usd(pico);
    else this.num(total);
    const totalEnd = this.length;
    this.byte(RBRACE);
    this.provided(r);
    this.lit(K_TOTAL);
    // The same number as cost_details.total, just written: copy its bytes.
    this.copy(totalAt, totalEnd);
    this.lit(K_PICO);
    // Most totals are over 2^31 picodollars (2 mUSD): straight to `bigInt`, not through `num`'s tests.
    if (pico > 0x7fffffff && pico <= Number.MAX_SAFE_INTEGER && Math.floor(pico) === pico) this.bigInt(pico);
    else this.num(pico);
  }

  /** provided_cost_details, when the call reported its own cost. */
  private provided(r: CostRecord): void {
    if (r.providedCost === undefined) return;
    this.lit(K_PROVIDED);
    this.num(r.providedCost);
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
   * A trace id as `str` writes it: the remembered text when the trace id is the last line's and its
   * text is kept (see `lastTrace`). The text is kept from the second line of a trace on: a trace of
   * one span (each call its own trace) then costs a compare and a store, not a copy.
   */
  private traceId(t: string): void {
    // QUAD as a literal, for the reason given at `plainWord`.
    const quad = 8; // QUAD
    if (t !== this.lastTrace) {
      this.str(t);
      this.lastTrace = t;
      this.traceKept = false;
      return;
    }
    if (this.traceKept) {
      const n = this.traceLength;
      // Whole doubles, as `lit` writes: bytes past the text are written too (at least five
      // doubles), and overwritten by what follows.
      this.room(TRACE_TEXT_BYTES + SLACK);
      const v = this.view;
      const q = this.traceQuads;
      const o = this.length;
      // A W3C trace id's text (34 bytes) fits the first five: written without a loop (a store in a
      // loop costs about 45 instructions, see LONG_LITERAL), the rest of a longer text in one.
      v.setFloat64(o, q[0]!, true);
      v.setFloat64(o + quad, q[1]!, true);
      v.setFloat64(o + 2 * quad, q[2]!, true);
      v.setFloat64(o + 3 * quad, q[3]!, true);
      v.setFloat64(o + 4 * quad, q[4]!, true);
      for (let i = 5; i * quad < n; i++) v.setFloat64(o + i * quad, q[i]!, true);
      this.length = o + n;
      return;
    }
    const at = this.length;
    this.str(t);
    const n = this.length - at;
    // Only a string's text is kept (an object's could change), and only a short one.
    if (typeof t !== 'string' || n > TRACE_TEXT_BYTES) return;
    // From the bytes as they are after `str`, which may have replaced them to make room. The rest
    // is zero: text the encoder wrote and zero padding never form a NaN (see `Literal`).
    const b = this.bytes;
    const m = this.traceBytes;
    for (let i = 0; i < n; i++) m[i] = b[at + i]!;
    m.fill(0, n);
    this.traceLength = n;
    this.traceKept = true;
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
    // The quotes as literals, for the reason given at `plainWord`: QUOTE.
    const quote = 0x22;
    let o = this.length;
    b[o++] = quote;
    const n = s.length;
    // Ids, names and models are plain ASCII: four characters to a 32-bit word, tested as one word
    // (`plainWord`) and written with one store while they last.
    let i = 0;
    const v = this.view;
    for (; i + 4 <= n; i += 4) {
      const c0 = s.charCodeAt(i);
      const c1 = s.charCodeAt(i + 1);
      const c2 = s.charCodeAt(i + 2);
      const c3 = s.charCodeAt(i + 3);
      // Past ASCII (a literal for the reason given at `plainWord`).
      if ((c0 | c1 | c2 | c3) >= 0x80) break;
      const w = c0 | (c1 << 8) | (c2 << 16) | (c3 << 24);
      if (!plainWord(w)) break;
      v.setInt32(o, w, true);
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
    b[o++] = quote;
    this.length = o;
  }

  /**
   * @internal A number as JSON.stringify writes it; small non-negative integers digit by digit (no
   * string). Public for the generated detail writers. Small, so that the JIT inlines it where counts
   * are written: the rest is `otherNum`.
   */
  num(v: number): void {
    if (v >= 0 && v <= 0x7fffffff && (v | 0) === v) this.digits(v);
    else this.otherNum(v);
  }

  /**
   * @internal A USD amount (a cost_details value): the text of `num`, found for the amounts the
   * calculator makes (whole picodollars, see `decimal`) without `num`'s tests for integers first.
   * Public for the generated detail writers.
   */
  amount(v: number): void {
    // `wholePico` written out (the JIT did not inline it here: a call, and the amount boxed for it),
    // with literals for the reason given at `plainWord`: MIN_FIXED, PICO_PER_USD, MAX_DECIMAL_DIGITS.
    if (v >= 1e-6) {
      const picoPerUsd = 1e12;
      const pico = Math.round(v * picoPerUsd);
      if (pico < 1e15 && pico / picoPerUsd === v) {
        this.usd(pico);
        return;
      }
    }
    this.num(v);
  }

  /**
   * `v` written by `usd` when it is a whole number of picodollars below 1e15 (12 fraction digits at
   * most: String's text, see `decimal`); false, nothing written, otherwise.
   */
  private wholePico(v: number): boolean {
    // Literals for the reason given at `plainWord`: PICO_PER_USD, MAX_DECIMAL_DIGITS.
    const picoPerUsd = 1e12;
    const pico = Math.round(v * picoPerUsd);
    if (!(pico < 1e15 && pico / picoPerUsd === v)) return false;
    this.usd(pico);
    return true;
  }

  /** `num` for what is not a non-negative int32. */
  private otherNum(v: number): void {
    // Larger safe integers (pico-USD totals): int32 parts, no string.
    if (v > 0 && v <= Number.MAX_SAFE_INTEGER && Math.floor(v) === v) {
      this.bigInt(v);
      return;
    }
    if (v >= MIN_FIXED && v < MAX_DECIMAL && this.decimal(v)) return;
    this.chars(Number.isFinite(v) ? String(v) : 'null');
  }

  /**
   * A safe integer from 2^31 up in decimal: the digits above the last eight (below 2^53 / 10^8, an
   * int32, at least 21), then the last eight as two groups of four.
   */
  private bigInt(v: number): void {
    // Literals for the reason given at `plainWord`: GROUP_SCALE, GROUP_DIGITS.
    const groupScale = 10_000;
    const hi = Math.floor(v / 1e8);
    const lo = (v - hi * 1e8) | 0;
    this.digits(hi);
    const mid = (lo / groupScale) | 0;
    const view = this.view;
    const d4 = DIGITS4;
    const o = this.length;
    view.setUint32(o, d4[mid]!, true);
    view.setUint32(o + 4, d4[lo - mid * groupScale]!, true);
    this.length = o + 8;
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
    if (this.wholePico(v)) return true;
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
   * The USD amount `p / 10^12` (`p` a non-negative integer below 1e15, picodollars) as `fixed(p, 12)`
   * writes it: whole dollars (below 1000), then the fraction's twelve digits without the zeros at
   * the end. Constants as literals, for the reason given at `plainWord` (about 100 instructions of
   * the 270 this took were module constants loaded and checked).
   */
  private usd(p: number): void {
    const picoPerUsd = 1e12; // PICO_PER_USD
    const groupScale = 10_000; // GROUP_SCALE
    const dot = 0x2e; // DOT
    const whole = Math.floor(p / picoPerUsd);
    const frac = p - whole * picoPerUsd;
    const view = this.view;
    const d4 = DIGITS4;
    // The whole dollars' digits: the last 1 … 3 of their group of four (p < 1e15: whole < 1000),
    // shifted so that the zeros in front fall off; the bytes past them are overwritten below.
    const n = whole < 10 ? 1 : whole < 100 ? 2 : 3;
    let o = this.length;
    view.setUint32(o, d4[whole]! >>> ((4 - n) << 3), true);
    o += n;
    if (frac === 0) {
      this.length = o;
      return;
    }
    // The twelve fraction digits as three groups of four: one table load and one store each.
    const g0 = Math.floor(frac / 1e8);
    const rest = (frac - g0 * 1e8) | 0;
    const g1 = (rest / groupScale) | 0;
    const g2 = rest - g1 * groupScale;
    view.setUint8(o, dot);
    view.setUint32(o + 1, d4[g0]!, true);
    view.setUint32(o + 5, d4[g1]!, true);
    view.setUint32(o + 9, d4[g2]!, true);
    // Up to the last digit that is not a zero (frac > 0: one of the groups is not 0).
    const z4 = ZEROS4;
    this.length = o + 1 + (g2 !== 0 ? 12 - z4[g2]! : g1 !== 0 ? 8 - z4[g1]! : 4 - z4[g0]!);
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
      this.padded(hi, k - 9);
      this.trimmed(lo, 9);
    }
  }

  /** A positive int32 below 10^width as `width` digits (zeros in front), its trailing zeros left out. */
  private trimmed(v: number, width: number): void {
    // All `width` digits, then back over the zeros at the end (v > 0: there is a digit that is not).
    this.padded(v, width);
    const b = this.bytes;
    let o = this.length;
    while (b[o - 1] === ZERO) o--;
    this.length = o;
  }

  /** A non-negative int32 in decimal, left-padded with zeros to `width` digits (at most 10). */
  private padded(v: number, width: number): void {
    let x = v | 0;
    let n = digitCount(x);
    if (n < width) n = width;
    const b = this.bytes;
    let o = this.length + n;
    this.length = o;
    // Two digits a step, from the right, out of the pair table (int32 division by a constant).
    for (; n >= 2; n -= 2) {
      const q = (x / 100) | 0;
      o -= 2;
      pad2At(b, o, x - q * 100);
      x = q;
    }
    if (n === 1) b[--o] = ZERO + x;
  }

  /**
   * A non-negative int32 in decimal, in groups of four digits out of `DIGITS4`: one 32-bit store a
   * group. The first group is shifted so that its zeros in front fall off; up to three bytes past
   * the end are written too, and overwritten by what follows (the room reserved covers them).
   */
  private digits(v: number): void {
    // Literals for the reason given at `plainWord`: GROUP_SCALE, GROUP_DIGITS.
    const groupScale = 10_000;
    let x = v | 0;
    const view = this.view;
    const d4 = DIGITS4;
    let o = this.length;
    if (x >= groupScale) {
      let lo: number;
      if (x >= 1e8) {
        const hi = (x / 1e8) | 0;
        x -= hi * 1e8;
        const n = hi < 10 ? 1 : 2;
        view.setUint32(o, d4[hi]! >>> ((4 - n) << 3), true);
        o += n;
        lo = x;
        x = (lo / groupScale) | 0;
        view.setUint32(o, d4[x]!, true);
        o += 4;
      } else {
        const hi = (x / groupScale) | 0;
        lo = x;
        x = hi;
        const n = hi < 10 ? 1 : hi < 100 ? 2 : hi < 1000 ? 3 : 4;
        view.setUint32(o, d4[hi]! >>> ((4 - n) << 3), true);
        o += n;
      }
      view.setUint32(o, d4[lo - x * groupScale]!, true);
      this.length = o + 4;
      return;
    }
    const n = x < 10 ? 1 : x < 100 ? 2 : x < 1000 ? 3 : 4;
    view.setUint32(o, d4[x]! >>> ((4 - n) << 3), true);
    this.length = o + n;
  }

  /**
   * The start and end times, ISO-8601 in quotes as `Date#toISOString` writes them: one literal for
   * both (see `timesText`), or a column at a time when one is outside 1970 … 9999.
   */
  private times(r: CostRecord): void {
    // Read here, not passed: a time (not a small integer) passed to a call is boxed in a new HeapNumber.
    const start = r.startTime;
    const end = r.endTime;
    const m = this.millis;
    // The milliseconds of the last line (only integers from 1970 to 9999 are remembered); times
    // with a fraction (OTel spans' hrtime) are compared by their whole milliseconds, as written.
    if (
      (start !== m[START] || end !== m[END]) &&
      !(
        typeof start === 'number' &&
        typeof end === 'number' &&
        Math.trunc(start) === m[START] &&
        Math.trunc(end) === m[END]
      )
    ) {
      const startSet = this.setTime(start, START);
      const endSet = this.setTime(end, END);
      if (!(startSet && endSet)) {
        this.time(start, START, startSet);
        this.time(end, END, endSet);
        return;
      }
    }
    this.lit(this.timesText);
  }

  /**
   * Make the `which` column's part of `timesText` the time `ms` (truncated to whole ms) and return
   * true, or return false for a time outside 1970 … 9999 (its part stays as it was).
   */
  private setTime(ms: number, which: number): boolean {
    if (ms === this.millis[which]) return true;
    const t = Math.trunc(ms);
    if (!(t >= 0 && t < MAX_ISO_MS)) return false;
    const sec = Math.floor(t / SECOND_MS);
    if (sec !== this.seconds[which]) this.setSecond(sec, which);
    this.millis[which] = t;
    // `mmm` of the text: the last three of the four digits of the milliseconds in `DIGITS4`.
    const b = this.timesText.bytes;
    const d = DIGITS4[t - sec * SECOND_MS]!;
    const o = TIME_ENDS[which]! - MILLI_TEXT_BYTES;
    b[o] = d >>> 8;
    b[o + 1] = d >>> 16;
    b[o + 2] = d >>> 24;
    return true;
  }

  /**
   * One time column on its own (a line with a time outside 1970 … 9999): its part of `timesText`
   * when `set`, else its key and `null` or the text of `Date#toISOString`.
   */
  private time(ms: number, which: number, set: boolean): void {
    if (set) {
      const b = this.timesText.bytes;
      const to = TIME_ENDS[which]!;
      for (let i = which === START ? 0 : TIME_ENDS[START]!; i < to; i++) this.byte(b[i]!);
      return;
    }
    this.lit(which === START ? K_START : K_END);
    // Outside what a Date holds: null, not an exception that would hold up the whole batch.
    if (!(Math.abs(ms) <= MAX_DATE_MS)) {
      this.lit(NULL);
      return;
    }
    this.byte(QUOTE);
    this.chars(new Date(ms).toISOString());
    this.byte(QUOTE);
  }

  /**
   * Make the `which` column's text the `"YYYY-MM-DDTHH:MM:SS.` of the epoch second `sec` (a time
   * from 1970 to 9999), rewriting the bytes of `timesText` in place: no allocation.
   */
  private setSecond(sec: number, which: number): void {
    this.seconds[which] = sec;
    const day = Math.floor(sec / DAY_S);
    if (day !== this.day) {
      this.day = day;
      this.dayText = new Date(day * DAY_S * SECOND_MS).toISOString().slice(0, DAY_CHARS);
    }
    const b = this.timesText.bytes;
    // The day and time digits follow the key and the opening quote.
    let o = TIME_ENDS[which]! - TIME_TEXT_BYTES;
    const dayText = this.dayText;
    for (let i = 0; i < DAY_CHARS; i++) b[o++] = dayText.charCodeAt(i);
    let r = sec - day * DAY_S;
    const h = Math.floor(r / 3600);
    r -= h * 3600;
    const m = Math.floor(r / 60);
    const s = r - m * 60;
    o = pad2At(b, o, h);
    b[o++] = COLON;
    o = pad2At(b, o, m);
    b[o++] = COLON;
    pad2At(b, o, s);
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
   * fifteen bytes past the new end are written too (at least two doubles), and are overwritten by
   * what follows (the room reserved covers them). From LONG_LITERAL bytes up (remembered runs)
   * one `Uint8Array#set` of exactly the bytes. Public for the generated detail writers.
   */
  lit(k: Literal): void {
    // QUAD as a literal, for the reason given at `plainWord` (this runs about twenty times a line);
    // the literal tests write every length from 0 to 100 bytes.
    const quad = 8; // QUAD
    const len = k.length;
    const o = this.length;
    if (len >= LONG_LITERAL) {
      // Remembered runs of columns: one copy in a builtin (see `Literal#bytes`).
      this.bytes.set(k.bytes, o);
      this.length = o + len;
      return;
    }
    const q = k.quads;
    const v = this.view;
    // Most literals are keys of up to 16 bytes: two stores and no loop (every literal has two doubles).
    v.setFloat64(o, q[0]!, true);
    v.setFloat64(o + quad, q[1]!, true);
    // The doubles that hold the rest of the bytes (a remembered run's storage has more).
    for (let i = 2; i * quad < len; i++) v.setFloat64(o + i * quad, q[i]!, true);
    this.length = o + len;
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

/** Indexes of the time columns' prefixes (see `time`). */
const START = 0;
const END = 1;
/** What `models` writes before the model: a level with a null status message, or nothing (written). */
const LEVEL_DEFAULT_NULL = 0;
const LEVEL_ERROR_NULL = 1;
const LEVEL_WRITTEN = 2;
/** `models` flag: no internal_model_id (an unpriced call). */
const NO_INTERNAL = 4;
/** `tail` flags. */
const TAIL_ESTIMATED = 1;
const TAIL_FALLBACK = 2;
const TAIL_NO_SERVICE = 4;
const TAIL_UNPRICED = 8;
/** Runs remembered per group: enough for the models of a typical service without churn. */
const RUN_WAYS = 8;
/** Key strings of a run (unused ones are ''). */
const RUN_KEYS = 5;
/** Most tags of a remembered tag list (one key string each). */
const MAX_RUN_TAGS = RUN_KEYS;
/** Longest run remembered, bytes. */
const MAX_RUN_BYTES = 512;

/**
 * The bytes of a run of columns for recently seen values of them: up to RUN_WAYS runs, each keyed by
 * five strings and a number of flags (which columns are absent, booleans), replaced round robin.
 * Keys compare with `===`: the same text in a new string finds the run too. Strings and numbers
 * only, so that the compares stay simple for the JIT. A way's storage (MAX_RUN_BYTES) is made once
 * and rewritten in place when the way is replaced: runs that change more often than the ways hold
 * them cost a copy each, not an allocation.
 */
class RunMemo {
  private readonly keys: string[] = new Array<string>(RUN_WAYS * RUN_KEYS).fill('');
  /** -1: an empty way (flags are never negative). */
  private readonly flags = new Int32Array(RUN_WAYS).fill(-1);
  private readonly runs: Literal[] = [];
  /** The bytes of each way's literal, to rewrite it. */
  private readonly runBytes: Uint8Array[] = [];
  private next = 0;

  /**
   * `find(a, b, '', '', '', flags)` for runs whose last three keys are always '' under these flags,
   * comparing two keys: a compare of two strings of one length calls a builtin even when they are
   * the same string (about 30 instructions with the spills around the call).
   */
  find2(a: string, b: string, flags: number): Literal | undefined {
    const k = this.keys;
    const f = this.flags;
    for (let w = 0, i = 0; w < RUN_WAYS; w++, i += RUN_KEYS) {
      if (f[w] === flags && k[i] === a && k[i + 1] === b) return this.runs[w];
    }
    return undefined;
  }

  /**
   * `find2` for the head's run (operation and environment), as a function of its own: V8 keeps type
   * feedback per function, and a string compare that has seen strings made at run time (operation
   * names, ids) calls a builtin for every compare after that, even of a string with itself. Models
   * and tags are mostly literals (internalized strings): in `find2`, with this separate, they
   * compare by reference (about 35 instructions a compare fewer, callgrind).
   */
  findHead(a: string, b: string, flags: number): Literal | undefined {
    const k = this.keys;
    const f = this.flags;
    for (let w = 0, i = 0; w < RUN_WAYS; w++, i += RUN_KEYS) {
      if (f[w] === flags && k[i] === a && k[i + 1] === b) return this.runs[w];
    }
    return undefined;
  }

  find(a: string, b: string, c: string, d: string, e: string, flags: number): Literal | undefined {
    const k = this.keys;
    const f = this.flags;
    for (let w = 0, i = 0; w < RUN_WAYS; w++, i += RUN_KEYS) {
      if (
        f[w] === flags &&
        k[i] === a &&
        k[i + 1] === b &&
        k[i + 2] === c &&
        k[i + 3] === d &&
        k[i + 4] === e
      )
        return this.runs[w];
    }
    return undefined;
  }

  /** Remember `run` (at most MAX_RUN_BYTES, UTF-8 the encoder wrote) under the key. */
  add(run: Uint8Array, a: string, b: string, c: string, d: string, e: string, flags: number): void {
    const w = this.next;
    this.next = (w + 1) % RUN_WAYS;
    if (w === this.runs.length) {
      const lit = new Literal(new Uint8Array(MAX_RUN_BYTES));
      this.runs.push(lit);
      this.runBytes.push(new Uint8Array(lit.quads.buffer));
    }
    const lit = this.runs[w]!;
    const bytes = this.runBytes[w]!;
    bytes.set(run);
    // Zero padding up to the last double, as every literal has (see `Literal`).
    bytes.fill(0, run.length, Math.ceil(run.length / QUAD) * QUAD);
    lit.resize(run.length);
    const i = w * RUN_KEYS;
    const k = this.keys;
    k[i] = a;
    k[i + 1] = b;
    k[i + 2] = c;
    k[i + 3] = d;
    k[i + 4] = e;
    this.flags[w] = flags;
  }
}

/** Most strings a {@link TextMemo} holds, and bytes of their texts, before it starts again. */
const MAX_TEXTS = 4096;
const TEXT_BYTES = 64 * 1024;
/** Longest text remembered, its key included, bytes (`,"session_id":` and a UUID in quotes are 52). */
const MAX_TEXT_BYTES = 112;
/**
 * A remembered text's place: its offset in the arena above this many bits, its length below (mask
 * 0xff, written as a literal where it is read: see `known`; MAX_TEXT_BYTES fits in it).
 */
const TEXT_OFFSET_SHIFT = 8;
/** What `TextMemo.find` answers for a string it does not hold: remember it (−1), or not (−2). */
const TEXT_MISSED = -1;
const TEXT_BYPASSED = -2;
/** Strings written without the memo after a fill that did not pay, before it is tried again. */
const BYPASS_TEXTS = 16 * MAX_TEXTS;

/**
 * The JSON texts (quotes and escapes included, UTF-8) of recently written strings, by string: the
 * session, user and tenant ids of a service repeat from call to call. The texts are kept one after
 * another in one arena, each from an eight-byte boundary and padded with zeros to the next, so that
 * they are copied as doubles (valid UTF-8 and zero padding never form a NaN; see `Literal`). Up to
 * MAX_TEXTS strings and TEXT_BYTES bytes, then the memo is emptied and fills again with what comes.
 *
 * Ids that rarely repeat (a new session each call) would pay a lookup and an insertion each for
 * nothing: a fill in which fewer strings were found than added turns the memo off for the next
 * BYPASS_TEXTS strings, then it tries again.
 */
class TextMemo {
  /** Offset << TEXT_OFFSET_SHIFT | length of each remembered text. */
  private readonly at = new Map<string, number>();
  private readonly bytes = new Uint8Array(TEXT_BYTES);
  /** The arena, read eight bytes at a time (little-endian, as the encoder writes). */
  readonly view = new DataView(this.bytes.buffer);
  private used = 0;
  private found = 0;
  private added = 0;
  /** Strings still to write without the memo (0: in use). */
  private bypass = 0;

  /** The place of the text of `s` (≥ 0), or TEXT_MISSED (write it, then `add` it) or TEXT_BYPASSED. */
  find(s: string): number {
    if (this.bypass > 0) {
      this.bypass--;
      return TEXT_BYPASSED;
    }
    const at = this.at.get(s);
    if (at === undefined) return TEXT_MISSED;
    this.found++;
    return at;
  }

  /** Remember `bytes[from, to)` (the text just written for `s`) unless it is too long or not a string's. */
  add(s: string, bytes: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (typeof s !== 'string' || n > MAX_TEXT_BYTES) return;
    const padded = Math.ceil(n / QUAD) * QUAD;
    if (this.used + padded > TEXT_BYTES || this.at.size >= MAX_TEXTS) this.restart();
    const o = this.used;
    const arena = this.bytes;
    // A byte loop: the texts are short, and `set` would need a subarray made for each.
    for (let i = 0; i < n; i++) arena[o + i] = bytes[from + i]!;
    for (let i = n; i < padded; i++) arena[o + i] = 0;
    this.used = o + padded;
    this.at.set(s, (o << TEXT_OFFSET_SHIFT) | n);
    this.added++;
  }

  /** Empty the memo, and leave it off for a while when this fill found fewer strings than it added. */
  private restart(): void {
    if (this.found < this.added) this.bypass = BYPASS_TEXTS;
    this.at.clear();
    this.used = 0;
    this.found = 0;
    this.added = 0;
  }
}

/** Largest sequence number written by `generatedId` (an int32), and its base-36 digits at most. */
const MAX_ID_SEQ = 0x7fffffff;
const MAX_ID_DIGITS = 6;
const ID_RADIX = 36;
const DIGIT_NINE = 0x39;
const LETTER_A = 0x61;
const LETTER_Z = 0x7a;

/**
 * `{"id":"<prefix><seq>","trace_id":"<prefix><seq>","project_id":…,"type":"GENERATION","name":`, the
 * first columns of a line whose id the tracker generated (`prefix + seq.toString(36)`), whose trace
 * id is that id and which has no parent, for the last sequence number asked for (the constant
 * columns after the ids are in the literal too: one long literal fewer a line, each a builtin call
 * of about 160 instructions). The tracker numbers its calls one after another, so the next number's
 * text is this one's with its base-36 digits counted up by one in place (both copies at once),
 * instead of a division a digit, two literals and a copy of the id each line; any other number (or
 * one with a digit more) is written anew.
 */
class GeneratedIds {
  /** The text; rewritten in place. */
  readonly text: Literal;
  /** The text's storage, zero past its length (see `Literal`). */
  private readonly bytes: Uint8Array;
  /** `{"id":"<prefix>` and `","trace_id":"<prefix>`, and the columns after the trace id, UTF-8. */
  private readonly idHead: Uint8Array;
  private readonly traceHead: Uint8Array;
  private readonly after: Uint8Array;
  /** The sequence number written (0: none yet), its digit count, and where the id's digits end. */
  private seq = 0;
  private digits = 0;
  private idEnd = 0;

  /**
   * `head`: the opening quote and JSON text of the prefix (`JSON.stringify(prefix)` without its
   * closing quote); `after`: the text after the trace id's closing quote.
   */
  constructor(head: string, after: string) {
    const utf8 = new TextEncoder();
    this.idHead = utf8.encode(`{"id":${head}`);
    this.traceHead = utf8.encode(`",${K_TRACE_ID_TEXT}${head}`);
    this.after = utf8.encode(after);
    const capacity = this.idHead.length + this.traceHead.length + 2 * MAX_ID_DIGITS + 1 + this.after.length;
    this.text = new Literal(new Uint8Array(capacity));
    this.bytes = new Uint8Array(this.text.quads.buffer);
  }

  /** The text for `seq` (1 … MAX_ID_SEQ). */
  at(seq: number): Literal {
    if (seq !== this.seq + 1 || !this.countUp()) this.write(seq);
    this.seq = seq;
    return this.text;
  }

  /** Add one to the digits of both ids; false (nothing sensible left) when that needs one more digit. */
  private countUp(): boolean {
    const b = this.bytes;
    const end = this.idEnd;
    // The trace id's digits are as far behind the id's as the text between them is long.
    const gap = this.digits + this.traceHead.length;
    for (let i = end - 1; i >= end - this.digits; i--) {
      const c = b[i]!;
      // 0-9 then a-z, as `Number#toString(36)` writes them.
      const next = c === DIGIT_NINE ? LETTER_A : c === LETTER_Z ? ZERO : c + 1;
      b[i] = next;
      b[i + gap] = next;
      if (next !== ZERO) return true;
    }
    return false;
  }

  /** Write the whole text for `seq`. */
  private write(seq: number): void {
    const digits = seq.toString(ID_RADIX);
    const b = this.bytes;
    let o = 0;
    for (let pass = 0; pass < 2; pass++) {
      const head = pass === 0 ? this.idHead : this.traceHead;
      b.set(head, o);
      o += head.length;
      for (let i = 0; i < digits.length; i++) b[o++] = digits.charCodeAt(i);
      if (pass === 0) this.idEnd = o;
    }
    b[o++] = QUOTE;
    b.set(this.after, o);
    o += this.after.length;
    b.fill(0, o);
    this.text.resize(o);
    this.digits = digits.length;
  }
}

/** Smallest number `String` writes without an exponent (below it: `1e-7`). */
const MIN_FIXED = 1e-6;
/** Most significant digits of a decimal written by `decimal` (see there). */
const MAX_DIGITS = 15;
const MAX_DECIMAL_DIGITS = 1e15;
/** Fractions from here up are written by `String` (they have at most a few fraction digits to spare). */
const MAX_DECIMAL = 1e15;
/** 10^k, exact as doubles. */
const POW10 = Array.from({ length: MAX_DIGITS + 1 }, (_, k) => Number(`1e${k}`));
/** The smallest pico total whose USD text has no exponent (1e-6 USD). */
const MIN_FIXED_PICO = 1e6;
const DOT = 0x2e;
const ZERO = 0x30;
/** Room for the fixed parts of a line (keys, numbers, times): under 1 KiB, doubled. */
const SLACK = 2048;
/** Longest trace id text kept, bytes (a W3C trace id's is 34; a multiple of QUAD, at least five). */
const TRACE_TEXT_BYTES = 128;
const SECOND_MS = 1000;
const DAY_S = 86_400;
/** `YYYY-MM-DDT` */
const DAY_CHARS = 11;
/** Bytes of `YYYY-MM-DDTHH:MM:SS.mmmZ"` at the end of a time text, and of its `mmmZ"`. */
const TIME_TEXT_BYTES = 25;
const MILLI_TEXT_BYTES = 5;
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

/**
 * @internal True when no byte of `w` (four ASCII characters, each below 0x80) is a control character, a quote
 * or a backslash: the characters a JSON string holds as they are (DEL included, as in `PLAIN`). The
 * standard bit tests (a byte below n: `(w - n·0x01…) & ~w & 0x80…`; a byte equal to c: a byte of
 * `w ^ c·0x01…` below 1) are exact for bytes below 0x80; tests/unit/ledger hold this against `PLAIN`
 * on every byte in every position.
 *
 * The masks are literals here, not module constants: the bundle turns those into variables, which
 * the JIT loads and checks at every use in `str`'s loop (about 40 instructions a word, callgrind).
 */
export function plainWord(w: number): boolean {
  /** A byte's value in every byte of a 32-bit word. */
  const everyByte = 0x01010101;
  const highBits = 0x80808080 | 0;
  const spaces = 0x20202020;
  const quotes = 0x22222222; // QUOTE
  const backslashes = 0x5c5c5c5c; // BACKSLASH
  const q = w ^ quotes;
  const b = w ^ backslashes;
  return ((((w - spaces) & ~w) | ((q - everyByte) & ~q) | ((b - everyByte) & ~b)) & highBits) === 0;
}

/**
 * True for a printable ASCII character that a JSON string holds as it is (not a quote or a
 * backslash); literals for the reason given at `plainWord`.
 */
function isPlain(c: number): boolean {
  return c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c;
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

/** The ASCII digits of 0 … 99, two bytes each: `DIGIT_PAIRS[2n]` is the tens, `[2n + 1]` the units. */
const DIGIT_PAIRS = new Uint8Array(200);
for (let n = 0; n < 100; n++) {
  DIGIT_PAIRS[2 * n] = ZERO + ((n / 10) | 0);
  DIGIT_PAIRS[2 * n + 1] = ZERO + (n % 10);
}

/** Digits of a group: numbers are written four digits a store (see `digits`). */
const GROUP_DIGITS = 4;
const GROUP_SCALE = 10_000;
/**
 * The four ASCII digits (zeros in front) of 0 … 9999 as little-endian 32-bit words, and how many
 * zeros each ends with (4 for 0); 50 KB, made by the first encoder.
 */
let DIGITS4: Uint32Array;
let ZEROS4: Uint8Array;

/**
 * Make the digit tables (the first call only): one pass over the four digits, most significant first
 * (byte 0), without a division. Made with `%` and `/` per digit, the tables cost about 2.4 ms of the
 * first ledger write, run before V8 has compiled the loop; this way about 0.4 ms.
 */
function makeDigitTables(): void {
  if (DIGITS4 !== undefined) return;
  const digits = new Uint32Array(GROUP_SCALE);
  const zeros = new Uint8Array(GROUP_SCALE);
  let n = 0;
  for (let a = 0; a < 10; a++)
    for (let b = 0; b < 10; b++)
      for (let c = 0; c < 10; c++)
        for (let d = 0; d < 10; d++, n++) {
          digits[n] = ((ZERO + a) | ((ZERO + b) << 8) | ((ZERO + c) << 16) | ((ZERO + d) << 24)) >>> 0;
          zeros[n] = d !== 0 ? 0 : c !== 0 ? 1 : b !== 0 ? 2 : a !== 0 ? 3 : GROUP_DIGITS;
        }
  DIGITS4 = digits;
  ZEROS4 = zeros;
}

/** Decimal digits of a non-negative int32 (1 for 0). */
function digitCount(x: number): number {
  if (x < 10_000) return x < 100 ? (x < 10 ? 1 : 2) : x < 1000 ? 3 : 4;
  if (x < 100_000_000) return x < 1_000_000 ? (x < 100_000 ? 5 : 6) : x < 10_000_000 ? 7 : 8;
  return x < 1_000_000_000 ? 9 : 10;
}

/** Write `n` (0 … 99) as two decimal digits at `o`; returns the offset after them. */
function pad2At(b: Uint8Array, o: number, n: number): number {
  const i = n << 1;
  b[o] = DIGIT_PAIRS[i]!;
  b[o + 1] = DIGIT_PAIRS[i + 1]!;
  return o + 2;
}

/** trace_id's key, also the middle of `GeneratedIds`' text. */
const K_TRACE_ID_TEXT = '"trace_id":';
/** Keys written both alone and as the start of a longer constant (a time prefix, a line's end). */
const START_KEY = ',"start_time":';
const END_KEY = ',"end_time":';
const STATUS_KEY = ',"status":';

/** The end of a line without texts whose status is `status`. */
function lineEnd(status: string): string {
  return `${STATUS_KEY}${JSON.stringify(status)}}\n`;
}

/** A time column's value in `timesText` until `setTime` overwrites it. */
const TIME_PLACEHOLDER = '"1970-01-01T00:00:00.000Z"';
/** Where each time column's part of `timesText` ends (its key and quoted time), by START and END. */
const TIME_ENDS = [
  START_KEY.length + TIME_PLACEHOLDER.length,
  START_KEY.length + END_KEY.length + 2 * TIME_PLACEHOLDER.length,
];

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
let K_COST_OPEN: Literal;
let K_COST_EMPTY: Literal;
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
/** The end of a line without texts, per status. */
let K_END_SUCCESS: Literal;
let K_END_ERROR: Literal;
let K_END_CACHED: Literal;
let K_INPUT_TEXT: Literal;
let K_OUTPUT_TEXT: Literal;
let NULL: Literal;
let K_D_TOTAL: Literal;

/** Make the constant parts of a line (the first call only). */
function makeLineLiterals(): void {
  if (K_ID !== undefined) return;
  K_ID = literal('{"id":');
  K_TRACE_ID = literal(`,${K_TRACE_ID_TEXT}`);
  K_PARENT = literal(',"parent_observation_id":');
  K_ENVIRONMENT = literal(',"environment":');
  K_START = literal(START_KEY);
  K_END = literal(END_KEY);
  K_LEVEL_ERROR = literal(',"level":"ERROR","status_message":');
  K_LEVEL_DEFAULT = literal(',"level":"DEFAULT","status_message":');
  K_LEVEL_ERROR_NULL = literal(',"level":"ERROR","status_message":null');
  K_LEVEL_DEFAULT_NULL = literal(',"level":"DEFAULT","status_message":null');
  K_MODEL = literal(',"provided_model_name":');
  K_INTERNAL = literal(',"internal_model_id":');
  // The end of the models' run: the details' opening too (see `writeUsageDetails`).
  K_USAGE = literal(`,"usage_details":${DETAILS_OPEN}`);
  // After usage_details' total: its closing brace, then cost_details' key and opening, or `{}`.
  K_COST_OPEN = literal(`},"cost_details":${DETAILS_OPEN}`);
  K_COST_EMPTY = literal('},"cost_details":{}');
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
  K_STATUS = literal(STATUS_KEY);
  K_END_SUCCESS = literal(lineEnd('success'));
  K_END_ERROR = literal(lineEnd('error'));
  K_END_CACHED = literal(lineEnd('cached'));
  K_INPUT_TEXT = literal(',"input":');
  K_OUTPUT_TEXT = literal(',"output":');
  NULL = literal('null');
  K_D_TOTAL = literal(',"total":');
  makeDetailLiterals();
  makeDigitTables();
}
