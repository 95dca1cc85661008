/**
 * The line check's Native columns (src/node/ledger/native.ts) against ClickHouse's own JSON parse of the
 * same lines and the SQL derivation of the staging rows (`LEDGER_ROWS_SELECT`): the staging rows must be
 * the same, row for row, and a line is taken as columns only when the ledger check accepts it (anything
 * else is declined and read the general way).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CREATE_LEDGER_ROWS,
  CREATE_OBSERVATIONS,
  CREATE_TRACES,
  FILL_OBSERVATIONS,
  FILL_TRACES,
  fillFrom,
  LEDGER_SCHEMA,
  LOAD_LEDGER_FILE,
  nativeStagingRows,
} from '../../../src/dashboards/sources/ledger-tables.js';
import { isCanonicalTime, parseLedgerLine } from '../../../src/ledger/check.js';
import { takesLine, writeNativeSegment } from '../../../src/node/ledger/native.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-native-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A query on a chDB session, its answer as trimmed text. */
type Query = (sql: string, params?: Record<string, string>) => string;

/** Runs `fn` with queries on a fresh chDB session in `format`, and cleans the session up after. */
async function withChdb(fn: (q: Query) => void, format = 'TSV'): Promise<void> {
  const { Session } = await import('chdb');
  const session = new Session();
  try {
    fn((sql, params = {}) => String(session.queryBind(sql, params, format)).trim());
  } finally {
    session.cleanup?.();
  }
}

/**
 * Loads `ledger` into `ledger_rows` through ClickHouse's own JSON parse and `native` into `from_native`,
 * and expects `count` rows in the second and the same rows in both: every column but `seq`, which only
 * orders the rows (a byte offset in the Native rows, a line number in the JSON ones).
 */
function expectSameRows(q: Query, ledger: string, native: string, count: number): void {
  q(CREATE_LEDGER_ROWS);
  q(CREATE_LEDGER_ROWS.replace('TABLE ledger_rows', 'TABLE from_native'));
  q(LOAD_LEDGER_FILE, { path: ledger, schema: LEDGER_SCHEMA });
  q(`INSERT INTO from_native SELECT * FROM file({path:String}, 'Native')`, { path: native });
  expect(q('SELECT count() FROM from_native')).toBe(String(count));
  const rows = (t: string) => `SELECT * EXCEPT (seq) FROM ${t}`;
  expect(q(`SELECT count() FROM (${rows('ledger_rows')} EXCEPT ALL ${rows('from_native')})`)).toBe('0');
  expect(q(`SELECT count() FROM (${rows('from_native')} EXCEPT ALL ${rows('ledger_rows')})`)).toBe('0');
}

// Lines in the layout our encoder writes: every column, some omitted, nulls, text that is not ASCII,
// metadata, tags, a usage key outside the token total, amounts with 12 fraction digits, a fraction of a
// millisecond.
const full =
  '{"id":"obs-0","trace_id":"tr-0","parent_observation_id":null,"project_id":"local","type":"GENERATION","name":"chat","environment":"production","start_time":"2026-10-01T00:00:00.000Z","end_time":"2026-10-01T00:00:00.400Z","level":"ERROR","status_message":"429 rate limited","provided_model_name":"gpt-4o-2024-08-06","internal_model_id":"gpt-4o-2024-08-06","usage_details":{"input":5165,"input_cached_tokens":2609,"output":1276,"total":9050},"cost_details":{"input":0.0129125,"input_cached_tokens":0.00326125,"output":0.01276,"total":0.02893375},"provided_cost_details":{},"total_cost":0.02893375,"cost_pico":28933750000,"metadata":{},"session_id":"sess-0","user_id":"user-0","tenant_id":"tenant-0","tags":["bench"],"provider":"openai","resolved_model":"gpt-4o-2024-08-06","source":"catalog","estimated":false,"tier":"standard","fallback":true,"service":null,"duration_ms":400,"status":"error"}';
const lines = [
  full,
  '{"id":"c-1","trace_id":"t-1","start_time":"2026-11-01T10:00:00.000Z","provided_model_name":"gpt-4o","cost_pico":1000003,"status":"success"}',
  '{"id":"c-2","trace_id":"t-1","project_id":"p","type":"GENERATION","name":"résumé ✓","environment":"staging","start_time":"2026-02-28T23:59:59.999Z","end_time":"2026-03-01T00:00:00.001Z","level":"DEFAULT","status_message":null,"provided_model_name":"claude-sonnet-4-5","internal_model_id":null,"usage_details":{"input":10,"output":5,"input_audio_seconds":3,"total":15},"cost_details":{"input":0.000000000001,"total":0.000000000001},"provided_cost_details":{"total":1.5},"total_cost":0.000000000001,"cost_pico":1,"metadata":{"k":"v","ключ":"значение"},"session_id":null,"user_id":null,"tenant_id":null,"tags":["a","b","c"],"provider":"anthropic","resolved_model":"claude-sonnet-4-5","source":"provider","estimated":true,"tier":"batch","fallback":false,"service":"svc","duration_ms":12.345678,"status":"cached"}',
  '{"id":"c-3","start_time":"2026-12-31T00:00:00.000Z","usage_details":{},"total_cost":null,"cost_pico":null,"metadata":{"":""},"tags":[]}',
  '{"id":"c-4","start_time":"2026-01-01T00:00:00.000Z","total_cost":123.456789012345,"cost_pico":123456789012345,"duration_ms":0}',
  // Defaults for empty text, metadata keys the ledger fields replace, empty values, the edges of
  // DateTime64's years, a leap day, an amount without cost_pico, a level from the status.
  '{"id":"c-5","trace_id":"","parent_observation_id":"","project_id":"","type":"","name":null,"environment":"","start_time":"1900-01-01T00:00:00.000Z","end_time":"2299-12-31T23:59:59.999Z","level":"","total_cost":0.5,"cost_pico":null,"metadata":{"provider":"mine","a":"","b":"2","service":"x"},"tenant_id":"t","provider":"openai","source":"","estimated":false,"tier":"","fallback":false,"service":"","status":"error"}',
  '{"id":"c-6","start_time":"2000-02-29T12:34:56.789Z","level":"WARNING","metadata":{"z":"1","price_source":"p"},"source":"catalog","estimated":true,"fallback":true,"status":"error"}',
  '{"id":"c-7","start_time":"1969-12-31T23:59:59.999Z","end_time":"1970-01-01T00:00:00.000Z","session_id":"","user_id":"","status":"success"}',
];

describe('the line check writing ledger lines as Native columns', () => {
  it('gives the rows ClickHouse parses from the JSON', async () => {
    const ledger = join(dir, 'ledger.jsonl');
    writeFileSync(ledger, `${lines.join('\n')}\n`);
    const native = join(dir, 'ledger.native');
    expect(writeNativeSegment({ path: ledger, start: 0, end: statSync(ledger).size }, native)).toBe(
      lines.length,
    );
    await withChdb((q) => {
      expectSameRows(q, ledger, native, lines.length);
      // `seq`: each line's byte offset in the Native rows, its line number (from 0) in the JSON ones.
      const ids = "['obs-0','c-1','c-2','c-3','c-4','c-5','c-6','c-7']";
      const offsets = lines.map((_, i) =>
        lines.slice(0, i).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0),
      );
      const bySeq = (t: string) =>
        q(`SELECT groupArray(id), groupArray(seq) FROM (SELECT id, seq FROM ${t} ORDER BY seq)`);
      expect(bySeq('from_native')).toBe(`${ids}\t[${offsets.join(',')}]`);
      expect(bySeq('ledger_rows')).toBe(`${ids}\t[0,1,2,3,4,5,6,7]`);
      // Facts of the lines, read back from the Native columns.
      expect(q(`SELECT toString(total_cost) FROM from_native WHERE id = 'c-2'`)).toBe('0.000000000001');
      expect(q(`SELECT metadata, name, tags, trace_flags FROM from_native WHERE id = 'c-2'`)).toBe(
        "{'k':'v','ключ':'значение','provider':'anthropic','estimated':'true','price_source':'provider','service':'svc'}\trésumé ✓\t['a','b','c']\t3",
      );
      expect(q(`SELECT toString(total_cost) FROM from_native WHERE id = 'c-4'`)).toBe('123.456789012345');
      expect(
        q(
          `SELECT trace_id, project_id, environment, type, parent_observation_id, name, level, usage_pricing_tier_name, trace_flags FROM from_native WHERE id = 'c-5'`,
        ),
      ).toBe('c-5\tlocal\tdefault\tGENERATION\t\\N\t\tERROR\t\\N\t0');
      expect(
        q(
          `SELECT toUnixTimestamp64Milli(start_time), toUnixTimestamp64Milli(end_time), toUnixTimestamp64Milli(event_ts), metadata, toString(total_cost) FROM from_native WHERE id = 'c-5'`,
        ),
      ).toBe(
        `-2208988800000\t10413791999999\t10413791999999\t{'b':'2','provider':'openai','tenant_id':'t'}\t0.5`,
      );
      expect(
        q(
          `SELECT toUnixTimestamp64Milli(start_time), end_time, toUnixTimestamp64Milli(event_ts), level, metadata, total_cost FROM from_native WHERE id = 'c-6'`,
        ),
      ).toBe(`951827696789\t\\N\t951827696789\tWARNING\t{'z':'1','fallback':'true','estimated':'true'}\t\\N`);
      expect(
        q(
          `SELECT toUnixTimestamp64Milli(start_time), toUnixTimestamp64Milli(event_ts), level, concat('[', user_id, session_id, ']') FROM from_native WHERE id = 'c-7'`,
        ),
      ).toBe('-1\t0\tDEFAULT\t[]');
    });
  });

  it('gives traces their first name, user, session and environment, as documented', async () => {
    // One trace, in ledger order: the earliest start has no name; the first user and environment given
    // are on the second line, the first session on the third; a later line has others. The tag 'x' is on
    // two calls: the trace has it once.
    const trace = [
      '{"id":"a","trace_id":"T","name":null,"environment":"","start_time":"2026-11-01T10:00:05.000Z","session_id":"","user_id":null,"tags":["x"],"status":"success"}',
      '{"id":"b","trace_id":"T","name":"second","environment":"staging","start_time":"2026-11-01T10:00:01.000Z","end_time":"2026-11-01T10:00:09.000Z","user_id":"u2","tags":["y","x"],"status":"success"}',
      '{"id":"c","trace_id":"T","start_time":"2026-11-01T10:00:00.000Z","session_id":"s3","user_id":"u3","status":"success"}',
      '{"id":"d","trace_id":"T","name":"fourth","environment":"production","start_time":"2026-11-01T10:00:03.000Z","session_id":"s4","user_id":"u4","status":"success"}',
    ];
    const ledger = join(dir, 'trace.jsonl');
    writeFileSync(ledger, `${trace.join('\n')}\n`);
    const native = join(dir, 'trace.native');
    expect(writeNativeSegment({ path: ledger, start: 0, end: statSync(ledger).size }, native)).toBe(4);
    await withChdb((q) => {
      q(CREATE_LEDGER_ROWS);
      q(CREATE_TRACES);
      for (const load of [
        () => q(`INSERT INTO ledger_rows SELECT * FROM file({path:String}, 'Native')`, { path: native }),
        () => q(LOAD_LEDGER_FILE, { path: ledger, schema: LEDGER_SCHEMA }),
      ]) {
        q('TRUNCATE TABLE ledger_rows');
        q('TRUNCATE TABLE traces');
        load();
        q(FILL_TRACES);
        expect(
          q(
            `SELECT id, project_id, timestamp, name, user_id, session_id, environment, tags, event_ts FROM traces`,
          ),
        ).toBe(
          "T\tlocal\t2026-11-01 10:00:00.000\tsecond\tu2\ts3\tstaging\t['x','y']\t2026-11-01 10:00:09.000",
        );
      }
    });
  });

  it("takes a trace's first values in ledger order whatever order its rows are read in", async () => {
    // One trace in two shares of the file. The two earliest calls start together: the name is the
    // ledger's first of them (share A). The first user is in share A, the first session and environment in
    // share B. Share B's rows are read first (and in a block of their own): "first" must not depend on that.
    // Another trace starts before 1970.
    const shareA = [
      '{"id":"a1","trace_id":"T","name":"tie-first","environment":"","start_time":"2026-11-01T10:00:00.000Z","session_id":"","user_id":null,"status":"success"}',
      '{"id":"a2","trace_id":"T","name":null,"start_time":"2026-11-01T10:00:04.000Z","user_id":"uA","tags":["a"],"status":"success"}',
    ];
    const shareB = [
      '{"id":"e1","trace_id":"E","name":"epoch","start_time":"1970-01-01T00:00:00.000Z","status":"success"}',
      '{"id":"e2","trace_id":"E","name":"before-1970","start_time":"1969-12-31T23:59:59.999Z","status":"success"}',
      '{"id":"b1","trace_id":"T","name":"tie-second","environment":"production","start_time":"2026-11-01T10:00:00.000Z","session_id":"sB","user_id":"uB","status":"success"}',
      '{"id":"b2","trace_id":"T","name":"later","environment":"staging","start_time":"2026-11-01T10:00:02.000Z","end_time":"2026-11-01T10:00:07.000Z","session_id":"sB2","user_id":"uB2","tags":["b"],"status":"success"}',
    ];
    const ledger = join(dir, 'shares.jsonl');
    const head = `${shareA.join('\n')}\n`;
    writeFileSync(ledger, `${head}${shareB.join('\n')}\n`);
    const cut = Buffer.byteLength(head);
    const size = statSync(ledger).size;
    const [a, b] = [join(dir, 'share-a.native'), join(dir, 'share-b.native')];
    expect(writeNativeSegment({ path: ledger, start: 0, end: cut }, a)).toBe(2);
    expect(writeNativeSegment({ path: ledger, start: cut, end: size }, b)).toBe(4);
    await withChdb((q) => {
      q(CREATE_LEDGER_ROWS);
      q(CREATE_TRACES);
      const native = (path: string) =>
        q(`INSERT INTO ledger_rows SELECT * FROM file({path:String}, 'Native')`, { path });
      for (const load of [
        () => {
          native(b);
          native(a);
        },
        () => q(LOAD_LEDGER_FILE, { path: ledger, schema: LEDGER_SCHEMA }),
      ]) {
        q('TRUNCATE TABLE ledger_rows');
        load();
        // Four times: ClickHouse compiles an aggregation it ran three times (see NO_AGGREGATE_JIT).
        for (let run = 0; run < 4; run++) {
          q('TRUNCATE TABLE traces');
          q(`${FILL_TRACES}, max_threads = 4, max_block_size = 1`);
          expect(
            q(
              `SELECT timestamp, name, user_id, session_id, environment, tags, event_ts FROM traces WHERE id = 'T'`,
            ),
          ).toBe(
            "2026-11-01 10:00:00.000\ttie-first\tuA\tsB\tproduction\t['a','b']\t2026-11-01 10:00:07.000",
          );
          // Before 1970 (negative milliseconds) is earlier, though later in the ledger.
          expect(q(`SELECT timestamp, name FROM traces WHERE id = 'E'`), `run ${run}`).toBe(
            '1969-12-31 23:59:59.999\tbefore-1970',
          );
        }
      }
    });
  });

  it('writes environment, type, level and map keys as dictionaries of any size, block after block', async () => {
    // More lines than a Native block holds (65,536): in the first block environments all distinct (with
    // '', which every dictionary holds, 65,537 values: 32-bit indexes), in the second some empty (16-bit),
    // 300 types (16-bit), levels given or from the status (8-bit); the dictionaries start anew each block.
    // Map keys too: in the first block 40 metadata keys and the usage keys, in the second none (every map
    // of the block empty: no dictionary at all).
    const count = 70_000;
    const BLOCK = 65_536;
    const many = Array.from(
      { length: count },
      (_, i) =>
        `{"id":"d-${i}","type":"t-${i % 300}","environment":"${i >= BLOCK && i % 7 === 0 ? '' : `env-${i}`}","start_time":"2026-11-01T10:00:00.000Z","level":${i % 3 === 0 ? '"WARNING"' : 'null'},${i < BLOCK ? `${i % 5 === 0 ? '"usage_details":{"input":1,"output":2,"total":3},' : ''}"metadata":{"k${i % 40}":"v${i % 3}"},` : ''}"status":"${i % 2 === 0 ? 'error' : 'success'}"}`,
    );
    const ledger = join(dir, 'dictionaries.jsonl');
    writeFileSync(ledger, `${many.join('\n')}\n`);
    const native = join(dir, 'dictionaries.native');
    expect(writeNativeSegment({ path: ledger, start: 0, end: statSync(ledger).size }, native)).toBe(count);
    await withChdb((q) => {
      expectSameRows(q, ledger, native, count);
      expect(q(`SELECT uniqExact(arrayJoin(mapKeys(metadata))) FROM from_native`)).toBe('40');
      expect(q(`SELECT uniqExact(environment), uniqExact(type), uniqExact(level) FROM from_native`)).toBe(
        `${count - many.filter((l) => l.includes('"environment":""')).length + 1}\t300\t3`,
      );
    });
  });

  it('looks nothing up in one block by what the block before it held', async () => {
    // The writer remembers, per block, each usage key's part in the total and the dictionary index of
    // the metadata fields' keys. The second block meets other keys at the same indexes (output where
    // the first had input_audio_seconds, outside the total; tenant_id without provider), so what was
    // kept from the first block would be another key's: the usage total would not add up (the line
    // declined), or the key would be out of the dictionary.
    const BLOCK = 65_536;
    const count = BLOCK + 1000;
    const many = Array.from({ length: count }, (_, i) =>
      i < BLOCK
        ? `{"id":"m-${i}","start_time":"2026-11-01T10:00:00.000Z","usage_details":{"input_audio_seconds":3,"input":1,"total":1},"tenant_id":"t-${i % 3}","provider":"p","status":"success"}`
        : `{"id":"m-${i}","start_time":"2026-11-01T10:00:00.000Z","usage_details":{"output":2,"input":1,"total":3},"tenant_id":"u-${i % 3}","status":"success"}`,
    );
    const ledger = join(dir, 'blocks.jsonl');
    writeFileSync(ledger, `${many.join('\n')}\n`);
    const native = join(dir, 'blocks.native');
    expect(writeNativeSegment({ path: ledger, start: 0, end: statSync(ledger).size }, native)).toBe(count);
    await withChdb((q) => {
      expectSameRows(q, ledger, native, count);
      expect(q(`SELECT metadata, usage_details FROM from_native WHERE id = 'm-${count - 1}'`)).toBe(
        `{'tenant_id':'u-${(count - 1) % 3}'}\t{'output':2,'input':1,'total':3}`,
      );
    });
  });

  it("sorts the workers' files into observations as one stream per file, however many threads", async () => {
    // Spread over every thread, each file is several sorting streams, and the sort touches more fresh
    // memory (see ONE_STREAM_PER_SOURCE).
    const ledger = join(dir, 'streams.jsonl');
    writeFileSync(ledger, `${lines.join('\n')}\n`);
    const shares = [join(dir, 'streams-a.native'), join(dir, 'streams-b.native')];
    for (const out of shares)
      expect(writeNativeSegment({ path: ledger, start: 0, end: statSync(ledger).size }, out)).toBe(
        lines.length,
      );
    const rows = nativeStagingRows(shares);
    await withChdb((q) => {
      q(CREATE_OBSERVATIONS);
      q('SET max_threads = 4');
      const plan = q(`EXPLAIN PIPELINE ${fillFrom(FILL_OBSERVATIONS, rows.source)}`, rows.params);
      expect(plan.match(/PartialSortingTransform/g)).toHaveLength(shares.length);
      q(fillFrom(FILL_OBSERVATIONS, rows.source), rows.params);
      expect(q('SELECT count() FROM observations')).toBe(String(2 * lines.length));
    });
  });

  it('finds where each string ends, whatever its length and bytes, and declines one with an escape or a control character', async () => {
    // Strings are scanned four bytes at a time: names of every length up to 13 bytes (so the closing quote
    // falls on every byte of a word), ASCII and multi-byte text (bytes of 0x80 and above), and the last
    // line's string ending near the buffer's end.
    const pieces = ['a', 'é', '✓', '𝄞', ' ', '~', '\u007f'];
    const names: string[] = [];
    for (let len = 0; len <= 13; len++)
      for (const piece of pieces) {
        let name = '';
        while (Buffer.byteLength(name + piece) <= len) name += piece;
        while (Buffer.byteLength(name) < len) name += 'z';
        names.push(name);
      }
    const ledger = join(dir, 'strings.jsonl');
    writeFileSync(
      ledger,
      names
        .map(
          (name, i) =>
            `{"id":"s${i}","name":${JSON.stringify(name)},"start_time":"2026-11-01T10:00:00.000Z"}\n`,
        )
        .join(''),
    );
    const native = join(dir, 'strings.native');
    expect(writeNativeSegment({ path: ledger, start: 0, end: statSync(ledger).size }, native)).toBe(
      names.length,
    );
    await withChdb((q) => {
      q(CREATE_LEDGER_ROWS);
      q(`INSERT INTO ledger_rows SELECT * FROM file({path:String}, 'Native')`, { path: native });
      const got = q('SELECT name FROM ledger_rows ORDER BY seq')
        .split('\n')
        .map((l) => JSON.parse(l).name);
      expect(got).toEqual(names);
    }, 'JSONEachRow');
    // A backslash, a quote escape or a control character at each byte of the first words: declined.
    for (const bad of ['\\n', '\\"', '\\u0041', '\t', '\u0001', '\u001f'])
      for (let at = 0; at <= 9; at++) {
        const name = `${'x'.repeat(at)}${bad}${'y'.repeat(9 - at)}`;
        const line = `{"id":"b","name":"${name}","start_time":"2026-11-01T10:00:00.000Z"}`;
        expect(takesLine(line), JSON.stringify(line)).toBe(false);
      }
  });

  it('declines a segment with any line not in the encoder form, or not a valid ledger line', () => {
    const declined = [
      full.replace('"chat"', '"ch\\"at"'), // an escaped string
      full.replace('"duration_ms":400', '"duration_ms":4e2'), // an exponent
      full.replace('"id":"obs-0",', '"id": "obs-0",'), // whitespace
      full.replace('"id":"obs-0",', '"id":"obs-0","extra":1,'), // a key the format does not have
      full.replace('"id":"obs-0",', '"trace_id":"x","id":"obs-0",'), // columns out of order
      full.replace('2026-10-01T00:00:00.000Z', '2026-10-01T00:00:00Z'), // a time not in the ledger's form
      full.replace('2026-10-01T00:00:00.000Z', '2026-02-30T00:00:00.000Z'), // no such day
      full.replace('"total_cost":0.02893375', '"total_cost":-0.02893375'), // a negative amount
      full.replace('"total":9050', '"total":9051'), // usage total not the sum
      full.replace('"output":1276,', '"output":1276,"output":1,'), // a repeated usage key
      full.replace('"cost_pico":28933750000', '"cost_pico":28933760000'), // costs that disagree
      full.replace('"status":"error"', '"status":"failed"'),
      full.replace('"fallback":true', '"fallback":null'),
      full.replace('"id":"obs-0"', '"id":""'),
      full.replace('"id":"obs-0",', ''), // no id
      full.replace('"cost_pico":28933750000', '"cost_pico":028933750000'), // a leading zero
      full.replace('"total_cost":0.02893375', '"total_cost":0.0289337500001'), // 13 fraction digits
      full.replace('2026-10-01T00:00:00.000Z', '1899-12-31T23:59:59.999Z'), // a year DateTime64 does not hold
      full.replace('2026-10-01T00:00:00.400Z', '2300-01-01T00:00:00.000Z'),
      full.replace('"metadata":{}', '"metadata":{"k":"1","k":"2"}'), // a repeated metadata key
      `${full} `,
      '',
    ];
    for (const line of declined) {
      const ledger = join(dir, 'declined.jsonl');
      writeFileSync(ledger, `${lines[1]}\n${line}\n${lines[1]}\n`);
      const at = { path: ledger, start: 0, end: statSync(ledger).size };
      expect(writeNativeSegment(at, join(dir, 'declined.native')), line).toBeNull();
    }
  });

  it("checks each time's time of day when its date is the one read before", () => {
    // The scanner remembers the last date it read: a time on that date must still have its own time of
    // day checked, by the ledger check's rule.
    const day = '2026-10-01T';
    const valid = ['00:00:00.000Z', '23:59:59.999Z', '12:34:56.789Z'];
    const invalid = [
      '24:00:00.000Z',
      '00:60:00.000Z',
      '00:00:60.000Z',
      '0a:00:00.000Z',
      '00:0/:00.000Z',
      '00:00:0:.000Z',
      '00:00:00.00xZ',
      '00-00:00.000Z',
      '00:00-00.000Z',
      '00:00:00,000Z',
      '00:00:00.000z',
      '00:00:00.000+',
    ];
    const at = (time: string) => `{"id":"a","start_time":"${day}${time}","end_time":"${day}${time}"}`;
    for (const time of [...valid, ...invalid.map((t) => `X${t.slice(1)}`), ...invalid]) {
      const line = at(time);
      expect(takesLine(at(valid[0]!)), 'the date is read').toBe(true);
      expect(takesLine(line), line).toBe(valid.includes(time));
      expect(isCanonicalTime(`${day}${time}`, 0, 24), time).toBe(valid.includes(time));
    }
    expect(takesLine(at(valid[0]!).replace(`T${valid[0]}`, `X${valid[0]}`))).toBe(false);
    // And in a segment, where the date is read from the line before.
    for (const time of invalid) {
      const ledger = join(dir, 'time.jsonl');
      writeFileSync(ledger, `${at(valid[1]!)}\n${at(time)}\n`);
      const seg = { path: ledger, start: 0, end: statSync(ledger).size };
      expect(writeNativeSegment(seg, join(dir, 'time.native')), time).toBeNull();
    }
  });

  it('takes a line only when the ledger check accepts it', () => {
    // Single-character edits of valid lines (a deterministic stream): whatever is taken as columns must
    // be a line `parseLedgerLine` accepts. Some edits keep the line valid, so some are taken.
    let seed = 17;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const chars = '0123456789.-eE"\\:,{}[]tfnul aZ ';
    let taken = 0;
    for (let i = 0; i < 20_000; i++) {
      const base = lines[next(lines.length)]!;
      const at = next(base.length);
      const c = chars[next(chars.length)]!;
      const edit = next(3);
      const line =
        edit === 0
          ? base.slice(0, at) + c + base.slice(at + 1)
          : edit === 1
            ? base.slice(0, at) + c + base.slice(at)
            : base.slice(0, at) + base.slice(at + 1);
      if (!takesLine(line)) continue;
      taken++;
      expect(parseLedgerLine(line).ok, line).toBe(true);
    }
    expect(taken).toBeGreaterThan(1000);
  });
});
