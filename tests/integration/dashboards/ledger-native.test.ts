/**
 * The line check's Native columns (src/node/ledger/native.ts) against ClickHouse's own JSON parse of the
 * same lines: the staging rows must be the same, row for row, and a line is taken as columns only when
 * the ledger check accepts it (anything else is declined and read the general way).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CREATE_LEDGER_RAW,
  LEDGER_SCHEMA,
  LOAD_LEDGER_FILE,
} from '../../../src/dashboards/sources/ledger-tables.js';
import { parseLedgerLine } from '../../../src/ledger/check.js';
import { takesLine, writeNativeSegment } from '../../../src/node/ledger/native.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-native-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
];

describe('the line check writing ledger lines as Native columns', () => {
  it('gives the rows ClickHouse parses from the JSON', async () => {
    const { Session } = await import('chdb');
    const ledger = join(dir, 'ledger.jsonl');
    writeFileSync(ledger, `${lines.join('\n')}\n`);
    const native = join(dir, 'ledger.native');
    expect(writeNativeSegment({ path: ledger, start: 0, end: statSync(ledger).size }, native)).toBe(
      lines.length,
    );
    const session = new Session();
    try {
      const q = (sql: string, params: Record<string, string> = {}) =>
        String(session.queryBind(sql, params, 'TSV')).trim();
      q(CREATE_LEDGER_RAW);
      q(CREATE_LEDGER_RAW.replace('TABLE ledger_raw', 'TABLE from_native'));
      q(LOAD_LEDGER_FILE, { path: ledger, schema: LEDGER_SCHEMA });
      q(`INSERT INTO from_native SELECT * FROM file({path:String}, 'Native')`, { path: native });
      expect(q('SELECT count() FROM from_native')).toBe(String(lines.length));
      expect(q('SELECT count() FROM (SELECT * FROM ledger_raw EXCEPT ALL SELECT * FROM from_native)')).toBe(
        '0',
      );
      expect(q('SELECT count() FROM (SELECT * FROM from_native EXCEPT ALL SELECT * FROM ledger_raw)')).toBe(
        '0',
      );
      // Facts of the lines, read back from the Native columns.
      expect(q(`SELECT toString(total_cost), cost_pico FROM from_native WHERE id = 'c-2'`)).toBe(
        '0.000000000001\t1',
      );
      expect(q(`SELECT metadata['ключ'], name, tags FROM from_native WHERE id = 'c-2'`)).toBe(
        "значение\trésumé ✓\t['a','b','c']",
      );
      expect(q(`SELECT toString(total_cost) FROM from_native WHERE id = 'c-4'`)).toBe('123.456789012345');
    } finally {
      session.cleanup?.();
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
