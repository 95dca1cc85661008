import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LedgerLineEncoder } from '../../../src/ledger/encoder.js';
import { OMITTED_WHEN_DEFAULT, toLedgerLine } from '../../../src/ledger/line.js';
import { literal } from '../../../src/ledger/literal.js';
import type { CostRecord } from '../../../src/ledger/record.js';
import { CostTracker } from '../../../src/tracker/index.js';
import { handResult } from '../../helpers/tracker-fixtures.js';

const decoder = new TextDecoder();

/** What `num` writes for `v`, as text. */
function numText(enc: LedgerLineEncoder, v: number): string {
  enc.length = 0;
  enc.num(v);
  return decoder.decode(enc.bytes.subarray(0, enc.length));
}

/** What `amount` (a cost_details value) writes for `v`, as text. */
function amountText(enc: LedgerLineEncoder, v: number): string {
  enc.length = 0;
  enc.amount(v);
  return decoder.decode(enc.bytes.subarray(0, enc.length));
}

/** A deterministic stream of uniform numbers in [0, 1) (Park–Miller), so failures replay. */
function uniform(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 48271) % 2147483647;
    return x / 2147483647;
  };
}

/**
 * The line format's definition: `JSON.stringify(toLedgerLine(r))` without the columns that hold
 * their default (see OMITTED_WHEN_DEFAULT), in column order. Any difference of bytes fails.
 */
function reference(r: CostRecord, projectId: string): string {
  const out: Record<string, unknown> = {};
  const full = toLedgerLine(r, { projectId });
  // resolved_model's default is the line's internal_model_id.
  const defaults = { ...OMITTED_WHEN_DEFAULT, resolved_model: full.internal_model_id } as Record<
    string,
    unknown
  >;
  for (const [k, v] of Object.entries(full)) {
    if (k in defaults && isDeepStrictEqual(v, defaults[k])) continue;
    out[k] = v;
  }
  return JSON.stringify(out);
}

/**
 * A tracker and one encoder, and `check(ctx)`: record a call with the ids of `ctx`, encode it alone, and
 * expect the reference's line.
 */
function idLines() {
  const t = new CostTracker();
  const enc = new LedgerLineEncoder();
  const check = (ctx: { sessionId?: string; userId?: string; tenantId?: string }) => {
    const r = t.record(handResult(5, 'gpt-4o', 'openai'), ctx);
    enc.length = 0;
    enc.line(r);
    expect(decoder.decode(enc.bytes.subarray(0, enc.length))).toBe(`${reference(r, 'local')}\n`);
  };
  return { t, enc, check };
}

describe('LedgerLineEncoder', () => {
  it('writes every number with the same text as JSON.stringify (fractions without building a string)', () => {
    const enc = new LedgerLineEncoder();
    const values: number[] = [
      0,
      -0,
      1,
      0.1,
      0.2,
      0.1 + 0.2,
      1e-6,
      1.5e-6,
      9.99e-7,
      1e-7,
      5e-324,
      0.000575,
      0.00575,
      2.5e-6,
      999_999_999_999_999.9,
      123_456_789_012_345.6,
      Number('99999999999999.99'), // not a literal: it has more digits than a double holds
      1e15 - 0.5,
      1e15 + 0.5,
      1e21,
      2 ** 53 - 1,
      2 ** 53 + 2,
      2 ** 62,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      -1.5,
      -0.000575,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      0.330810546875,
      1812.0000000001,
      4503599627370495.5,
    ];
    const rnd = uniform(7);
    for (let i = 0; i < 20_000; i++) {
      // USD amounts as the calculator makes them: integer picodollars / 1e12, from 1 pico to $9,007.
      const pico = Math.floor(rnd() * 10 ** (1 + Math.floor(rnd() * 16)));
      values.push(pico / 1e12);
      // Durations from hrtime: ms with binary fractions, and ms differences of epoch times.
      values.push(Math.floor(rnd() * 2 ** 20) / 2 ** Math.floor(rnd() * 20));
      values.push(1_763_900_000_000 + rnd() * 1e6 - 1_763_900_000_000);
      // Any double from 1e-9 to 1e17, with every digit count.
      values.push(rnd() * 10 ** (Math.floor(rnd() * 26) - 9));
      values.push(Number((rnd() * 1000).toPrecision(1 + Math.floor(rnd() * 17))));
    }
    for (const v of values) {
      expect(numText(enc, v), String(v)).toBe(JSON.stringify(v) ?? 'null');
      expect(amountText(enc, v), String(v)).toBe(JSON.stringify(v) ?? 'null');
    }
  });

  it('writes integers and picodollar amounts at every digit-count and digit-group boundary as JSON.stringify does', () => {
    const enc = new LedgerLineEncoder();
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const t = new CostTracker({ logger: quiet });
    // Integers around each power of ten (digit counts 1 … 16, where a group of four digits starts
    // and ends), around 2^31 (the int32 path's end) and 2^53 (the largest safe integer).
    const ints = [0, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53 - 2];
    for (let k = 0; k <= 15; k++) {
      const p = 10 ** k;
      ints.push(p - 1, p, p + 1, 2 * p, 9 * p, 10 * p - 1, p + 10 ** Math.max(0, k - 4));
    }
    for (const v of ints) {
      expect(numText(enc, v), String(v)).toBe(JSON.stringify(v));
      expect(amountText(enc, v), String(v)).toBe(JSON.stringify(v));
    }
    // Picodollar amounts: each of the three four-digit groups of the fraction zero or not, ending
    // in 0 … 3 zeros, whole dollars of 0 … 4 digits (and above 2^31 dollars), and 1 pico.
    const picos = [1, 10, 100, 1000, 9999, 10_000, 1e8, 1e8 + 1, 1e11, 999_999_999_999, 1e12, 1e12 + 1];
    const groups = [0, 1, 10, 100, 1000, 1234, 5000, 9999];
    for (const whole of [0, 1, 9, 10, 999, 1000, 9007])
      for (const g0 of groups)
        for (const g1 of groups)
          for (const g2 of [0, 1, 20, 300, 4000, 9999]) picos.push(whole * 1e12 + g0 * 1e8 + g1 * 1e4 + g2);
    picos.push(2 ** 31 * 1e12 + 5e11, 2 ** 31 * 1e12 - 1e12);
    for (const pico of picos) {
      expect(numText(enc, pico / 1e12), String(pico)).toBe(JSON.stringify(pico / 1e12));
      expect(amountText(enc, pico / 1e12), String(pico)).toBe(JSON.stringify(pico / 1e12));
      // cost_pico (an integer) and the total written from totalPico, through a whole line.
      expect(numText(enc, pico), String(pico)).toBe(JSON.stringify(pico));
      if (pico > Number.MAX_SAFE_INTEGER / 2) continue;
      const r = t.record(handResult(pico, 'gpt-4o', 'openai', pico % 100_000));
      enc.length = 0;
      enc.line(r);
      expect(decoder.decode(enc.bytes.subarray(0, enc.length)), String(pico)).toBe(
        `${reference(r, 'local')}\n`,
      );
    }
  });

  it('writes literals of every length from 0 to 100 bytes back to back, each whole and nothing of the next overwritten', () => {
    const enc = new LedgerLineEncoder();
    // ASCII and multi-byte texts, so that lengths in bytes cross every double boundary (8, 16, 24 …)
    // and the length from which a literal is copied whole (LONG_LITERAL).
    const texts: string[] = [];
    const ascii = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'.repeat(2);
    for (let n = 0; n <= 100; n++) texts.push(ascii.slice(0, n));
    for (let n = 0; n <= 40; n++) texts.push('é✓'.repeat(n).slice(0, n));
    let expected = '';
    enc.length = 0;
    for (let round = 0; round < 3; round++)
      for (const t of texts) {
        // A literal, then a byte after it: a literal that writes too few doubles loses its tail, and
        // one that ends in the wrong place moves the byte.
        enc.lit(literal(t));
        enc.num(round);
        expected += `${t}${round}`;
      }
    expect(decoder.decode(enc.bytes.subarray(0, enc.length))).toBe(expected);
  });

  it('writes lines byte for byte as the line format defines them, with values repeating, changing and shared between columns', () => {
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const t = new CostTracker({ storeText: true, logger: quiet });
    // More models than the encoder remembers per column, names that are also other columns' values,
    // non-ASCII, escapes, and a value longer than what is remembered.
    const names = [
      'gpt-4o',
      'gpt-4o-mini',
      'claude-sonnet-4-5',
      'openai',
      'catalog',
      'standard',
      'success',
      'é ✓ 😀',
      'quote " back\\slash\ttab',
      'x'.repeat(300),
      '\u2028\ud800',
      '',
    ];
    const enc = new LedgerLineEncoder('proj "1"');
    const rnd = uniform(11);
    const pick = () => names[Math.floor(rnd() * names.length)]!;
    // Totals of every size: under 1e-6 USD (written with an exponent), whole dollars, up to $9,007.
    const pico = (i: number) =>
      i % 101 === 0 ? (i % 7) * 1e12 : Math.floor(rnd() * 9 * 10 ** Math.floor(rnd() * 16));
    for (let i = 0; i < 3000; i++) {
      const run = i % 50 < 25; // runs of the same values, then a change every line
      const model = run ? 'gpt-4o' : pick();
      const r =
        i % 9 === 0
          ? t.recordUnpriced(model, pick(), { input: i, output: 3 }, { sessionId: pick(), operation: pick() })
          : i % 13 === 0
            ? t.recordFailure({ model, error: pick() }, { userId: pick(), service: pick() })
            : t.record(handResult(pico(i), model, run ? 'openai' : pick(), i), {
                operation: run ? 'chat gpt-4o' : pick(),
                environment: i % 3 ? undefined : pick(),
                service: i % 4 ? pick() : undefined,
                sessionId: pick(),
                tags: i % 5 ? [pick(), pick()] : undefined,
                durationMs: rnd() * 10_000,
                providedCost: i % 7 === 0 ? rnd() / 100 : undefined,
                cached: i % 17 === 0,
              });
      enc.length = 0;
      enc.line(r);
      // A hand-made record may carry any value in a column; it is written as JSON.stringify writes it.
      const text = decoder.decode(enc.bytes.subarray(0, enc.length));
      expect(text).toBe(`${reference(r, 'proj "1"')}\n`);
    }
    // A record whose text columns are not strings, between lines that remember strings.
    const rec = {
      ...t.record(handResult(5, 'gpt-4o', 'openai')),
      model: 7 as never,
      provider: null as never,
      tier: true as never,
    };
    enc.length = 0;
    enc.line(rec);
    expect(decoder.decode(enc.bytes.subarray(0, enc.length))).toBe(`${reference(rec, 'proj "1"')}\n`);
  });

  it('writes a generated id from its prefix and sequence number as the id itself, at every base-36 digit count; a changed id as it is', () => {
    const t = new CostTracker();
    const base = t.record(handResult(5, 'gpt-4o', 'openai'));
    const line = (enc: LedgerLineEncoder, r: CostRecord, id?: string, seq?: number) => {
      enc.length = 0;
      enc.line(r, id, seq);
      return decoder.decode(enc.bytes.subarray(0, enc.length));
    };
    for (const prefix of ['0123456789abcdef-', 'q"\\é-', '']) {
      const enc = new LedgerLineEncoder();
      enc.setIdPrefix(prefix);
      // Each side of every digit-count boundary, up to the largest int32.
      const seqs = [1, 9, 10, 35, 2 ** 31 - 1];
      for (let p = 36; p < 2 ** 31; p *= 36) seqs.push(p - 1, p, p + 1);
      for (const seq of seqs) {
        const id = `${prefix}${seq.toString(36)}`;
        const r = { ...base, id };
        expect(line(enc, r, id, seq)).toBe(`${reference(r, 'local')}\n`);
      }
      // The record's id changed after the tracker made it (same length, or not a string): its own.
      const changed = { ...base, id: `${prefix}zz` };
      expect(line(enc, changed, `${prefix}10`, 36)).toBe(`${reference(changed, 'local')}\n`);
      const odd = { ...base, id: 7 as never };
      expect(line(enc, odd, `${prefix}1`, 1)).toBe(`${reference(odd, 'local')}\n`);
      // Past an int32, written from the id.
      const big = { ...base, id: `${prefix}${(2 ** 31).toString(36)}` };
      expect(line(enc, big, big.id, 2 ** 31)).toBe(`${reference(big, 'local')}\n`);
    }
    // Without a prefix the id is written as it is.
    const enc = new LedgerLineEncoder();
    const r = { ...base, id: 'abc-1' };
    expect(line(enc, r, 'abc-1', 1)).toBe(`${reference(r, 'local')}\n`);
  });

  it('counts generated ids up one by one across every carry, and writes them anew after a jump, a trace id, a parent or another prefix', () => {
    const t = new CostTracker();
    const base = t.record(handResult(5, 'gpt-4o', 'openai'));
    const enc = new LedgerLineEncoder('proj "1"');
    const check = (prefix: string, seq: number, traceId?: string, parentId?: string) => {
      const id = `${prefix}${seq.toString(36)}`;
      const r = { ...base, id, traceId, parentId };
      enc.length = 0;
      enc.line(r, id, seq);
      expect(decoder.decode(enc.bytes.subarray(0, enc.length)), `${prefix} ${seq}`).toBe(
        `${reference(r, 'proj "1"')}\n`,
      );
    };
    for (const prefix of ['0123456789abcdef-', 'q"é-']) {
      enc.setIdPrefix(prefix);
      // Consecutive numbers through the carries 9 -> a, z -> 10 and zz -> 100, and lines with their
      // own trace id or with a parent (the ids then written from the parts) in between.
      for (let seq = 1; seq <= 2000; seq++)
        check(prefix, seq, seq % 777 === 0 ? 'trace-1' : undefined, seq % 555 === 0 ? 'parent-1' : undefined);
      // Around each digit count's end, then a jump back and forth (the next number is not counted up).
      for (const p of [36 ** 3, 36 ** 4, 36 ** 5])
        for (let seq = p - 3; seq <= p + 3; seq++) check(prefix, seq);
      for (const seq of [5, 6, 2 ** 31 - 2, 2 ** 31 - 1, 1, 2, 1, 1]) check(prefix, seq);
    }
  });

  it('writes strings with every ASCII character at every place of a four-character word as JSON.stringify does', () => {
    // The fast path tests four characters as one word: a character that needs an escape (a control
    // character, a quote, a backslash) or is not ASCII must stop it wherever it sits in the word,
    // among neighbours of every kind, and DEL is written as it is.
    const t = new CostTracker();
    const enc = new LedgerLineEncoder();
    const neighbours = ['a', ' ', '~', '\x7f', '!', '#', '[', ']', '"', '\\', '\x1f', '\x00', 'é'];
    for (let c = 0; c <= 0x80; c++) {
      const ch = String.fromCharCode(c);
      for (const nb of neighbours) {
        for (let at = 0; at < 4; at++) {
          const chars = [nb, nb, nb, nb, 'z'];
          chars[at] = ch;
          const session = chars.join('');
          const r = t.record(handResult(5, 'gpt-4o', 'openai'), {
            sessionId: session,
            userId: `u${session}`,
          });
          enc.length = 0;
          enc.line(r);
          const text = decoder.decode(enc.bytes.subarray(0, enc.length));
          expect(text).toContain(
            `"session_id":${JSON.stringify(session)},"user_id":${JSON.stringify(`u${session}`)}`,
          );
        }
      }
    }
  });

  it('writes session, user and tenant ids the same from memory as anew: repeated, distinct past what it holds, after it turned itself off, long, escaped and not strings', () => {
    const { t, enc, check } = idLines();
    const odd = ['é ✓ 😀', 'quote " back\\slash', 'x'.repeat(95), 'y'.repeat(200), '', '\u2028\ud800'];
    // Repeats, with values of every kind (a text longer than what is remembered among them).
    for (let i = 0; i < 600; i++)
      check({ sessionId: `s-${i % 7}`, userId: odd[i % odd.length]!, tenantId: odd[(i * 5) % odd.length]! });
    // More distinct ids than the memory holds (it starts again), each seen once: the fill found
    // fewer than it added, so it turns itself off for a while; then repeats again after it is back.
    for (let i = 0; i < 9000; i++) check({ sessionId: `unique-${i}`, userId: `u-${i % 3}` });
    for (let i = 0; i < 70_000; i++) {
      if (i % 97 === 0)
        check({ sessionId: `s-${i % 11}`, userId: odd[i % odd.length]!, tenantId: `t-${i % 2}` });
      else {
        const r = t.record(handResult(5, 'gpt-4o', 'openai'), {
          sessionId: `s-${i % 11}`,
          tenantId: `t-${i % 2}`,
        });
        enc.length = 0;
        enc.line(r);
      }
    }
    for (let i = 0; i < 300; i++)
      check({ sessionId: `s-${i % 11}`, userId: odd[i % odd.length]!, tenantId: `t-${i % 2}` });
    // A hand-made record with a number where an id belongs: written as JSON.stringify writes it, and
    // the same string after it still comes from memory.
    const r = {
      ...t.record(handResult(5, 'gpt-4o', 'openai'), { sessionId: 's-1' }),
      sessionId: 42 as never,
    };
    enc.length = 0;
    enc.line(r);
    expect(decoder.decode(enc.bytes.subarray(0, enc.length))).toBe(`${reference(r, 'local')}\n`);
    check({ sessionId: 's-1', userId: '42' });
  });

  it('writes a trace id that repeats from line to line the same as anew: the same string, an equal one, one of the same length, escaped, long, empty, and after the bytes grew', () => {
    const t = new CostTracker();
    // A small buffer, never emptied: it grows (new bytes) while trace ids are written and kept.
    const enc = new LedgerLineEncoder('local', 64);
    const hex = 'f'.repeat(31);
    const traces = [
      `${hex}0`,
      // An equal string made anew, then one of the same length differing in the last character only.
      [...`${hex}0`].join(''),
      `${hex}1`,
      `0${hex}`,
      'q"\\\u0001é€😀',
      // Past what is kept (128 bytes of text), then one that just fits.
      'x'.repeat(127),
      'x'.repeat(126),
      '',
      'a',
      undefined,
      '\ud800',
    ];
    const expected: string[] = [];
    // Each trace id on 1, 2, 3 and 4 lines in a row (its text is kept from the second on).
    for (let run = 1; run <= 4; run++)
      for (const traceId of traces)
        for (let i = 0; i < run; i++) {
          const r = t.record(handResult(5, 'gpt-4o', 'openai'), traceId === undefined ? {} : { traceId });
          enc.line(r);
          expected.push(`${reference(r, 'local')}\n`);
        }
    expect(decoder.decode(enc.bytes.subarray(0, enc.length))).toBe(expected.join(''));
    // After the written bytes are taken, the kept text is still the trace id's own.
    enc.take(enc.length);
    const r = t.record(handResult(5, 'gpt-4o', 'openai'), { traceId: '\ud800' });
    enc.line(r);
    expect(decoder.decode(enc.bytes.subarray(0, enc.length))).toBe(`${reference(r, 'local')}\n`);
    // The bytes grow while the second line's trace id (the one whose text is kept) is written: the
    // line's room fitted, the trace id's did not. What is kept is read from the new bytes.
    const long = 'x'.repeat(126);
    const lines = [0, 1, 2].map(() => t.record(handResult(5, 'gpt-4o', 'openai'), { traceId: long }));
    const probe = new LedgerLineEncoder('local', 1 << 16);
    probe.line(lines[0]!);
    const small = new LedgerLineEncoder('local', probe.length + 2500);
    small.line(lines[0]!);
    const before = small.bytes;
    small.line(lines[1]!);
    expect(small.bytes).not.toBe(before);
    small.line(lines[2]!);
    expect(decoder.decode(small.bytes.subarray(0, small.length))).toBe(
      lines.map((l) => `${reference(l, 'local')}\n`).join(''),
    );
  });

  it("writes a trace id that is the record's own id (a root LangChain run), or absent, from the id's bytes, as anew: the same string, an equal one, escaped, long, after the bytes grew, and between lines of a repeated trace id", () => {
    const t = new CostTracker();
    // A small buffer, never emptied: it grows while ids are written and copied.
    const enc = new LedgerLineEncoder('local', 64);
    const ids = [
      '01a24d80-0859-7544-8a4e-da73bca9df0b',
      'q"\\\u0001é€😀',
      'x'.repeat(300),
      '',
      '\ud800',
      // Long ids of characters escaped to six bytes each (the buffer has grown by then; the fresh
      // encoders below fill one to its edge).
      '\u0001'.repeat(400),
      '"'.repeat(3000),
    ];
    const shared = 'f'.repeat(32);
    const expected: string[] = [];
    const write = (id: string, traceId: string | undefined) => {
      const r = t.record(
        handResult(5, 'gpt-4o', 'openai'),
        traceId === undefined ? { spanId: id } : { spanId: id, traceId },
      );
      expect(r.id).toBe(id);
      enc.line(r);
      expected.push(`${reference(r, 'local')}\n`);
    };
    for (const id of ids) {
      // The same string, then an equal one made anew (compared by content, not identity).
      write(id, id);
      write(id, [...id].join(''));
      write(id, undefined);
      // A trace id kept from line to line stays its own after a line whose trace is its id.
      write(`${id}-a`, shared);
      write(`${id}-b`, shared);
      write(id, id);
      write(`${id}-c`, shared);
    }
    const written = decoder.decode(enc.bytes.subarray(0, enc.length));
    expect(written).toBe(expected.join(''));
    // An id whose text fills almost all of a fresh encoder's room: the 64-byte buffer grows to 32 KiB
    // for the id's 30,002 bytes (5,000 characters escaped to six bytes each), which leaves less than
    // the copy as trace_id needs, so the copy makes its own room.
    const long = '\u0001'.repeat(5000);
    for (const traceId of [undefined, long]) {
      const r = t.record(handResult(5, 'gpt-4o', 'openai'), { spanId: long, traceId });
      const fresh = new LedgerLineEncoder('local', 64);
      fresh.line(r);
      expect(decoder.decode(fresh.bytes.subarray(0, fresh.length))).toBe(`${reference(r, 'local')}\n`);
    }
    // The encoder's second line (an equal trace id made anew): trace_id is the id's text, copied.
    const line = JSON.parse(written.split('\n')[1]!) as { id: string; trace_id: string };
    expect(line.trace_id).toBe(ids[0]);
    expect(line.id).toBe(ids[0]);
  });

  it("remembers session, user and tenant ids with their own column key: the same string in another column is written with that column's key", () => {
    const { check } = idLines();
    // Each string seen in one column, then in the others (found in memory for the first), and all
    // three columns holding one string; some lines without one of them (no key written).
    for (let i = 0; i < 200; i++) {
      const a = `id-${i % 5}`;
      const b = `id-${(i + 1) % 5}`;
      check({ sessionId: a, userId: b, tenantId: a });
      check({ sessionId: b, userId: a });
      check({ userId: a, tenantId: b });
      check({ sessionId: a, tenantId: a });
    }
  });

  it('a remembered run of columns is not reused when one of its columns changes, is absent or holds another type', () => {
    const t = new CostTracker({ logger: { debug() {}, info() {}, warn() {}, error() {} } });
    const base: CostRecord = t.record(handResult(2_500_000_000, 'gpt-4o', 'openai', 1000), {
      operation: 'chat',
      environment: 'prod',
      service: 'api',
      tenantId: 'acme',
      tags: ['prod', 'chat'],
      startTime: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
      endTime: Date.UTC(2026, 0, 2, 3, 4, 5, 900),
    });
    // One column of a run changed at a time: each line must be its own, with the base line before
    // and after it (so that a run remembered for one of them would be found for the other).
    const variants: Partial<Record<keyof CostRecord, unknown>>[] = [
      { operation: 'chat2' },
      { operation: '' },
      { operation: undefined },
      { operation: null },
      { environment: 'staging' },
      { environment: '' },
      { environment: undefined },
      { operation: 'prod', environment: 'chat' },
      { model: 'gpt-4o-mini' },
      { resolvedModel: 'gpt-4o-2024-08-06' },
      { unpriced: true },
      { unpriced: true, resolvedModel: 'other' },
      { status: 'error' },
      { status: 'cached' },
      { status: 'error', error: 'boom' },
      { error: 'boom' },
      { provider: 'azure' },
      { source: 'fallback' },
      { tier: 'batch' },
      { service: 'worker' },
      { service: '' },
      { service: undefined },
      { estimated: true },
      { fallback: true },
      { estimated: true, fallback: true },
      { provider: 'api', service: 'openai' },
      { tier: 'standard ' },
      { model: 7 },
      { provider: 8 },
      { operation: 9 },
      { service: false },
      { outputText: 'hi' },
      { status: 'weird' },
      { tags: ['prod', 'chat', ''] },
      { tags: ['prod'] },
      { tags: ['chat', 'prod'] },
      { tags: ['prod', 'chat', 'a', 'b', 'c'] },
      { tags: ['prod', 'chat', 'a', 'b', 'c', 'd'] },
      { tags: [] },
      { tags: undefined },
      { tags: ['prod', 5] },
      { tags: ['prod', 'chat'], tenantId: 'other' },
      { tenantId: undefined },
    ];
    const enc = new LedgerLineEncoder();
    const check = (r: CostRecord) => {
      enc.length = 0;
      enc.line(r);
      expect(decoder.decode(enc.bytes.subarray(0, enc.length))).toBe(`${reference(r, 'local')}\n`);
    };
    for (let round = 0; round < 2; round++) {
      for (const v of variants) {
        check(base);
        check({ ...base, ...v } as CostRecord);
      }
    }
  });

  it('writes times repeating the millisecond of the line before, or another of its second, or its fraction, as toISOString does', () => {
    const t = new CostTracker({ logger: { debug() {}, info() {}, warn() {}, error() {} } });
    const enc = new LedgerLineEncoder();
    const at = Date.UTC(2026, 11, 5, 10, 20, 30, 450);
    // Offsets from `at` in ms: the same millisecond again, the next ones, a fraction of one (the same
    // text as its whole part), back to one written before, the second's ends, the next second.
    const steps = [0, 0, 0, 1, 1, 0.5, 0, 9, 99, 549, 549, -450, -451, 550, 1550, 1550.75, 0.25];
    for (const [i, s] of steps.entries()) {
      // The end column sees the steps in another order, sometimes the start's time.
      const e = i % 3 === 0 ? s : steps[(i * 7) % steps.length]!;
      const r = t.record(handResult(1_000_000), { startTime: at + s, endTime: at + Math.max(s, e) });
      enc.length = 0;
      enc.line(r);
      const line = JSON.parse(decoder.decode(enc.bytes.subarray(0, enc.length)));
      expect([line.start_time, line.end_time]).toEqual([
        new Date(r.startTime).toISOString(),
        new Date(r.endTime).toISOString(),
      ]);
    }
    // A column outside 1970 … 9999 (written on its own, by toISOString) between lines of remembered
    // times: the other column is still its own time, and the next lines too.
    const year10000 = 253_402_300_800_000;
    const pairs = [
      [at, at],
      [-1, at],
      [at, at],
      [at, year10000],
      [at + 1, at + 2],
      [-86_400_001, year10000 + 5],
      [at + 1, at + 2],
      [at + 1, year10000 - 1],
      [at, year10000 - 1],
    ];
    for (const [start, end] of pairs) {
      const r = { ...t.record(handResult(1_000_000)), startTime: start!, endTime: end! };
      enc.length = 0;
      enc.line(r);
      const line = JSON.parse(decoder.decode(enc.bytes.subarray(0, enc.length)));
      expect([line.start_time, line.end_time]).toEqual([
        new Date(start!).toISOString(),
        new Date(end!).toISOString(),
      ]);
    }
  });

  it("writes fractional times (OTel spans' hrtime) by their whole milliseconds: the start's or the end's alone changing, across a second, and before 1970", () => {
    const t = new CostTracker({ logger: { debug() {}, info() {}, warn() {}, error() {} } });
    const enc = new LedgerLineEncoder();
    // 998.4011 ms into a second: a step of 1.1 ms crosses into the next second.
    const at = Date.UTC(2026, 11, 5, 10, 20, 30, 998) + 0.4011;
    const pairs = [
      [at, at + 0.2],
      [at + 0.3, at + 0.5],
      // The start's millisecond the same, the end's the next second's.
      [at + 0.3, at + 1.1],
      [at + 0.5, at + 1.2],
      // The end's millisecond the same, the start's the next second's.
      [at + 1.5, at + 1.3],
      [at + 0.1, at + 1.3],
      [at + 0.1, at + 0.2],
      [-0.5, 0.25],
      [0.75, 0.5],
      [-0.25, -0.75],
      [at - 86_400_000.5, at + 0.2],
    ];
    for (const [start, end] of pairs) {
      const r = { ...t.record(handResult(1_000_000)), startTime: start!, endTime: end! };
      enc.length = 0;
      enc.line(r);
      const line = JSON.parse(decoder.decode(enc.bytes.subarray(0, enc.length)));
      expect([line.start_time, line.end_time], `${start} ${end}`).toEqual([
        new Date(start!).toISOString(),
        new Date(end!).toISOString(),
      ]);
    }
  });

  it('writes start and end times of different seconds and days, alternating, each with its own second', () => {
    const t = new CostTracker({ logger: { debug() {}, info() {}, warn() {}, error() {} } });
    const enc = new LedgerLineEncoder();
    const day = Date.UTC(2026, 11, 31, 23, 59, 58, 0);
    for (let i = 0; i < 200; i++) {
      const start = day + i * 37 + (i % 3) * 1000;
      const r = t.record(handResult(1_000_000), { startTime: start, endTime: start + (i % 5) * 777 });
      enc.length = 0;
      enc.line(r);
      const line = JSON.parse(decoder.decode(enc.bytes.subarray(0, enc.length)));
      expect([line.start_time, line.end_time]).toEqual([
        new Date(start).toISOString(),
        new Date(start + (i % 5) * 777).toISOString(),
      ]);
    }
  });
});
