import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidRecordError } from '../../../../src/errors.js';
import { LedgerLineEncoder } from '../../../../src/ledger/encoder.js';
import { FastLine, keyMatches, SCANNED_KEYS, scanText } from '../../../../src/ledger/fast-line.js';
import { expandLedgerLine, ledgerLineJson } from '../../../../src/ledger/line.js';
import type { CostRecord } from '../../../../src/ledger/record.js';
import { setLogger } from '../../../../src/logger.js';
import {
  aggregateLedger,
  aggregateLedgerParallel,
  JsonlLedgerSink,
  listLedgerFiles,
  readLedger,
  scanLedger,
} from '../../../../src/node/ledger/index.js';
import { CostTracker, isoTime, type LedgerLine, toLedgerLine } from '../../../../src/tracker/index.js';
import { clock, handResult, PRICES, priced } from '../../../helpers/tracker-fixtures.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const base = mkdtempSync(join(tmpdir(), 'lc-ledger-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const dir = join(base, `t${++n}`);
  mkdirSync(dir);
  return join(dir, 'ledger.jsonl');
};
const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);

async function collect(path: string, opts: Parameters<typeof readLedger>[1] = {}) {
  const out: LedgerLine[] = [];
  for await (const l of readLedger(path, opts)) out.push(l);
  return out;
}

function quiet<T>(fn: () => T): { value: T; warnings: string[] } {
  const warnings: string[] = [];
  setLogger({ debug() {}, info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) });
  try {
    return { value: fn(), warnings };
  } finally {
    setLogger({ debug() {}, info: console.info, warn: console.warn, error: console.error });
  }
}

describe('ledger line', () => {
  it('maps a record to the observations-style columns of the contract, in order', () => {
    const t = new CostTracker({ now: () => Date.UTC(2026, 10, 22, 10, 0, 1, 935) });
    const r = t.record(priced('gpt-4o', { input: 900, cacheRead: 300, output: 300 }), {
      spanId: 'run-1',
      traceId: 'trace-1',
      operation: 'triage',
      sessionId: 's',
      userId: 'u',
      tags: ['support'],
      durationMs: 1812,
      providedCost: 0.0056,
    });
    const line = toLedgerLine(r);
    const input = (900 * PRICES['gpt-4o'].input) / 1e6;
    const cached = (300 * PRICES['gpt-4o'].cacheRead) / 1e6;
    const output = (300 * PRICES['gpt-4o'].output) / 1e6;
    expect(line).toEqual({
      id: 'run-1',
      trace_id: 'trace-1',
      parent_observation_id: null,
      project_id: 'local',
      type: 'GENERATION',
      name: 'triage',
      environment: 'default',
      start_time: '2026-11-22T10:00:00.123Z',
      end_time: '2026-11-22T10:00:01.935Z',
      level: 'DEFAULT',
      status_message: null,
      provided_model_name: 'gpt-4o',
      internal_model_id: 'gpt-4o',
      usage_details: { input: 900, input_cached_tokens: 300, output: 300, total: 1500 },
      cost_details: { input, input_cached_tokens: cached, output, total: r.total },
      provided_cost_details: { total: 0.0056 },
      total_cost: r.total,
      cost_pico: Math.round((input + cached + output) * 1e12),
      metadata: {},
      session_id: 's',
      user_id: 'u',
      tenant_id: null,
      tags: ['support'],
      provider: 'openai',
      resolved_model: 'gpt-4o',
      source: 'catalog',
      estimated: false,
      tier: 'standard',
      fallback: false,
      service: null,
      duration_ms: 1812,
      status: 'success',
    });
    expect(r.total).toBeCloseTo(0.005625, 12);
    const failed = toLedgerLine(
      t.recordFailure({ model: 'gpt-4o', error: new Error('429 Too Many Requests') }),
    );
    expect([failed.level, failed.status_message, failed.status]).toEqual([
      'ERROR',
      '429 Too Many Requests',
      'error',
    ]);
  });

  it('formats times exactly like Date#toISOString', () => {
    let x = 7;
    for (let i = 0; i < 20_000; i++) {
      x = (x * 48271) % 2147483647;
      const t = i % 2 ? Date.UTC(2026, 0, 1) + x * 17.3 : x * 123_456.7; // fractional ms, 1970 … 2088
      expect(isoTime(t)).toBe(new Date(t).toISOString());
    }
    for (const t of [0, -1, -86_400_001, 253_402_300_799_999, 253_402_300_800_000, 8.64e15]) {
      expect(isoTime(t)).toBe(new Date(t).toISOString());
    }
    // The ledger's byte encoder writes times digit by digit: the same text.
    const tracker = new CostTracker();
    const times = [
      0,
      -1,
      -86_400_001,
      253_402_300_799_999,
      253_402_300_800_000,
      8.64e15 - 1812,
      1_763_900_000_123.9,
    ];
    for (let i = 0; i < 3000; i++) {
      x = (x * 48271) % 2147483647;
      times.push(i % 2 ? Date.UTC(2026, 0, 1) + x * 17.3 : x * 123_456.7);
    }
    for (const t of times) {
      const rec = tracker.record(handResult(1), { startTime: t, endTime: t + 1812 });
      const line = JSON.parse(ledgerLineJson(rec));
      expect(line.start_time).toBe(new Date(t).toISOString());
      expect(line.end_time).toBe(new Date(t + 1812).toISOString());
    }
    // A time no Date can hold is refused by the tracker (INVALID_RECORD); a record that carries one
    // anyway is written as null (the reader then skips the line with a warning), never an exception
    // that would hold up the rest of the batch.
    expect(() => tracker.record(handResult(1), { startTime: 9e15, endTime: Date.UTC(2026, 10, 23) })).toThrow(
      InvalidRecordError,
    );
    const absurd = { ...tracker.record(handResult(1), { endTime: Date.UTC(2026, 10, 23) }), startTime: 9e15 };
    expect(JSON.parse(ledgerLineJson(absurd))).toMatchObject({
      start_time: null,
      end_time: '2026-11-23T00:00:00.000Z',
    });
  });
});

describe('JsonlLedgerSink', () => {
  it('buffers on write and appends whole lines on flush', async () => {
    const path = fresh();
    const sink = new JsonlLedgerSink({ path, flushIntervalMs: 60_000 });
    const t = new CostTracker({ sinks: [sink] });
    const recs = [1, 2, 3].map((i) => t.record(handResult(i * 1000), { spanId: `r${i}` }));
    expect(() => statSync(path)).toThrow(); // nothing written yet, not even the file
    expect(sink.buffered).toBe(3);
    await t.flush();
    const written = lines(path).map((l) => JSON.parse(l));
    expect(written.map(expandLedgerLine)).toStrictEqual(recs.map((r) => toLedgerLine(r)));
    // Columns at their default are left out; the observations columns of the contract are always there.
    expect(Object.keys(written[0]!)).toEqual([
      'id',
      'trace_id',
      'project_id',
      'type',
      'name',
      'start_time',
      'end_time',
      'level',
      'status_message',
      'provided_model_name',
      'internal_model_id',
      'usage_details',
      'cost_details',
      'total_cost',
      'cost_pico',
      'metadata',
      'provider',
      'source',
      'tier',
      'duration_ms',
      'status',
    ]);
    t.record(handResult(4000), { spanId: 'r4' });
    await t.close();
    expect(lines(path)).toHaveLength(4);
  });

  it('encodes every 64 queued records in a microtask after the caller, and the rest at the write', async () => {
    const path = fresh();
    const sink = new JsonlLedgerSink({ path, flushIntervalMs: 60_000 });
    const t = new CostTracker();
    const recs = Array.from({ length: 64 }, (_, i) => t.record(handResult(1000 + i), { spanId: `s${i}` }));
    const model = recs[0]!.model;
    for (const r of recs) sink.write(r);
    // Changed in the same synchronous code: encoded after it, so the change is in the line.
    recs[1]!.sessionId = 'same-turn';
    const last = t.record(handResult(9), { spanId: 'last' });
    sink.write(last); // the 65th, queued in the same turn: encoded with the batch
    await Promise.resolve(); // the sink's microtask has run
    const few = t.record(handResult(7), { spanId: 'few' });
    sink.write(few); // alone after the microtask: encoded at the write
    // Changed after the encoding, before the write (which waits for the flush here): not in the lines.
    recs[0]!.model = 'changed-later';
    last.sessionId = 'later';
    few.sessionId = 'before-the-write';
    expect(sink.buffered).toBe(66);
    expect(() => statSync(path)).toThrow(); // encoded, not yet written
    await sink.flush();
    const got = lines(path).map((l) => JSON.parse(l));
    expect(got).toHaveLength(66);
    expect(got.map((l) => l.id)).toEqual([...recs.map((_, i) => `s${i}`), 'last', 'few']);
    expect(got[0].provided_model_name).toBe(model);
    expect(got.map((l) => l.session_id ?? null).filter((v) => v !== null)).toEqual([
      'same-turn',
      'before-the-write',
    ]);
    await sink.close();
  });

  it("writes the tracker's generated ids from their parts as the ids themselves, and each record as it was recorded", async () => {
    const path = fresh();
    const sink = new JsonlLedgerSink({ path, flushIntervalMs: 60_000 });
    const t = new CostTracker({ sinks: [sink] });
    // A second tracker (another prefix) on the same sink.
    const other = new CostTracker({ sinks: [sink] });
    const recs: CostRecord[] = [];
    /** The ids records were recorded with, where a listener or the caller changed them afterwards. */
    const recordedIds = new Map<CostRecord, string>();
    const changeId = (r: CostRecord) => {
      recordedIds.set(r, r.id);
      r.id = `${r.id.slice(0, -1)}~`;
    };
    let calls = 0;
    t.on('record', (r) => {
      calls++;
      // A listener that changes the id, and one that records a call of its own (made last).
      if (calls === 5) changeId(r);
      if (calls === 7) recs.push(t.record(handResult(7)));
    });
    for (let i = 0; i < 120; i++) {
      const r = t.record(handResult(1000 + i), i % 11 === 5 ? { spanId: `span-${i}` } : undefined);
      recs.push(r);
      if (i === 40) changeId(r); // changed after the call, before the write
      if (i % 10 === 9) recs.push(other.record(handResult(5)));
    }
    await t.flush();
    expect(recordedIds.size).toBe(2);
    // The ledger has what was recorded: a change to the record users got is theirs alone.
    const asRecorded = recs.map((r) => ({ ...r, id: recordedIds.get(r) ?? r.id }));
    const enc = new LedgerLineEncoder();
    const expected = asRecorded.map((r) => {
      enc.length = 0;
      enc.line(r);
      return new TextDecoder().decode(enc.bytes.subarray(0, enc.length - 1));
    });
    const got = lines(path);
    expect(got.map((l) => JSON.parse(l).id).sort()).toEqual(asRecorded.map((r) => r.id).sort());
    expect(got.some((l) => JSON.parse(l).id.endsWith('~'))).toBe(false);
    expect([...got].sort()).toEqual([...expected].sort());
    const generated = got.map((l) => JSON.parse(l).id as string).filter((id) => !id.startsWith('span-'));
    expect(new Set(generated.map((id) => id.slice(0, 17))).size).toBe(2);
  });

  it("hands a subclass's own write every record, as users get it", async () => {
    const path = fresh();
    const seen: CostRecord[] = [];
    class Counting extends JsonlLedgerSink {
      override write(record: CostRecord): void {
        seen.push(record);
        super.write(record);
      }
    }
    const sink = new Counting({ path, flushIntervalMs: 60_000 });
    const t = new CostTracker({ sinks: [sink] });
    t.record(handResult(1), { userId: 'u-1' });
    t.record(handResult(2), { spanId: 'span-2' });
    await t.flush();
    expect(seen.map((r) => 'sessionId' in r)).toEqual([false, false]);
    expect(seen.map((r) => r.userId)).toEqual(['u-1', undefined]);
    expect(lines(path).map((l) => JSON.parse(l).user_id)).toEqual(['u-1', undefined]);
  });

  it('writes on the next event-loop turn past batchSize and on its interval; a caller that never yields loses nothing on a healthy disk', async () => {
    const path = fresh();
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    const sink = new JsonlLedgerSink({
      path,
      batchSize: 10,
      maxQueued: 100,
      flushIntervalMs: 100_000,
      logger,
    });
    for (let i = 0; i < 10; i++) sink.write(new CostTracker().record(handResult(1)));
    expect(sink.buffered).toBe(10);
    await new Promise((r) => setImmediate(r));
    expect(lines(path)).toHaveLength(10);
    // The caller never yields: at 100 queued the backlog is written inline (the disk is healthy), so
    // none of the 250 records is dropped and they land in order.
    for (let i = 0; i < 250; i++) sink.write(new CostTracker().record(handResult(1), { spanId: `q${i}` }));
    expect(lines(path)).toHaveLength(210);
    expect(sink.health()).toEqual({ written: 210, queued: 50, dropped: 0 });
    await new Promise((r) => setImmediate(r));
    const ids = lines(path).map((l) => JSON.parse(l).id);
    expect(ids.slice(10)).toEqual(Array.from({ length: 250 }, (_, i) => `q${i}`));
    expect(sink.health()).toEqual({ written: 260, queued: 0, dropped: 0 });
    expect(warnings).toEqual([]);
    await sink.close();
    sink.write(new CostTracker().record(handResult(1)));
    expect(sink.health().dropped).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/is closed/);

    const path2 = fresh();
    const timed = new JsonlLedgerSink({ path: path2, flushIntervalMs: 30 });
    timed.write(new CostTracker().record(handResult(1)));
    await new Promise((r) => setTimeout(r, 150));
    expect(lines(path2)).toHaveLength(1);
    await timed.close();
  });

  it('splits large batches into writes of at most maxWriteBytes, at line boundaries', async () => {
    const path = fresh();
    const sink = new JsonlLedgerSink({ path, maxWriteBytes: 4096 });
    const t = new CostTracker({ sinks: [sink] });
    for (let i = 0; i < 500; i++) t.record(handResult(i + 1), { spanId: `w${i}` });
    await t.close();
    const got = lines(path).map((l) => JSON.parse(l).id);
    expect(got).toEqual(Array.from({ length: 500 }, (_, i) => `w${i}`));
  });

  it('flushes at process exit: when the event loop ends and on process.exit()', () => {
    for (const end of ['natural', 'exit'] as const) {
      const path = fresh();
      const child = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          'tests/helpers/ledger-writer-child.ts',
          JSON.stringify({ path, prefix: end, count: 1234, batch: 100, end }),
        ],
        { cwd: root, encoding: 'utf8', timeout: 60_000 },
      );
      expect(child.stderr).toBe('');
      expect(child.stdout).toBe(''); // it never flushed by itself
      expect(lines(path)).toHaveLength(1234);
    }
  });

  it('survives an unwritable path: warns, keeps the records, never throws', async () => {
    const dir = join(base, 'blocked');
    writeFileSync(dir, 'a file where a directory should be');
    const { value: sink, warnings } = quiet(() => {
      const s = new JsonlLedgerSink({ path: join(dir, 'ledger.jsonl') });
      s.write(new CostTracker().record(handResult(1)));
      expect(() => s.flushSync()).not.toThrow();
      return s;
    });
    expect(sink.buffered).toBe(1);
    expect(warnings.join('\n')).toMatch(/cannot write ledger .*blocked\/ledger.jsonl/);
    expect(sink.health()).toMatchObject({ written: 0, queued: 1, dropped: 0, lastError: { code: 'EEXIST' } }); // mkdir of the directory
    quiet(() => sink.close());
  });

  it("tracker.health() carries each sink's health: a ledger under a blocked path shows its queue and error", () => {
    const dir = join(base, 'blocked-tracker');
    writeFileSync(dir, 'a file where a directory should be');
    const healthless = { write() {} };
    const broken = {
      write() {},
      health(): never {
        throw new Error('boom');
      },
    };
    const { value, warnings } = quiet(() => {
      const sink = new JsonlLedgerSink({ path: join(dir, 'ledger.jsonl') });
      const t = new CostTracker({ sinks: [sink, healthless, broken] });
      t.record(handResult(1));
      t.record(handResult(2));
      sink.flushSync();
      const h = t.health();
      sink.close();
      return h;
    });
    expect(warnings.join('\n')).toMatch(/cannot write ledger/);
    expect(value.recorded).toBe(2);
    // The healthless sink is left out; the throwing one is reported, not thrown.
    expect(value.sinks.map((s) => s.name)).toEqual(['JsonlLedgerSink', 'Object']);
    expect(value.sinks[0]!.health).toMatchObject({
      written: 0,
      queued: 2,
      dropped: 0,
      lastError: { code: 'EEXIST' },
    });
    expect(value.sinks[1]!.health.lastError?.message).toBe('health() failed: boom');
  });

  it('rotates by size and reads every rotated file back, oldest first', async () => {
    const path = fresh();
    const sink = new JsonlLedgerSink({ path, rotate: { maxBytes: 8 * 1024 } });
    const t = new CostTracker({ sinks: [sink] });
    let total = 0n;
    for (let i = 0; i < 300; i++) {
      const pico = 1_000_003 * (i + 1);
      total += BigInt(pico);
      t.record(handResult(pico), { spanId: `id-${i}` });
      if (i % 25 === 24) await t.flush();
    }
    await t.close();
    const files = listLedgerFiles(path);
    const today = new Date().toISOString().slice(0, 10);
    expect(files.length).toBeGreaterThan(3);
    expect(files.at(-1)!.path).toBe(path);
    expect(files.slice(0, -1).every((f) => f.date === today)).toBe(true);
    expect(files.slice(0, -1).map((f) => f.seq)).toEqual(files.slice(0, -1).map((_, i) => i + 1));
    for (const f of files.slice(0, -1)) expect(statSync(f.path).size).toBeGreaterThanOrEqual(8 * 1024);
    const back = await collect(path);
    expect(back.map((l) => l.id)).toEqual(Array.from({ length: 300 }, (_, i) => `id-${i}`));
    expect(aggregateLedger(path).totals.totalPico).toBe(total);
  });

  it('reads a ledger on several threads with the same exact result, torn lines and all', async () => {
    const path = fresh();
    const sink = new JsonlLedgerSink({ path, rotate: { maxBytes: 16 * 1024 } });
    const t = new CostTracker({ sinks: [sink] });
    const models = ['gpt-4o', 'claude-sonnet-4-5', 'o3'];
    for (let i = 0; i < 600; i++) {
      t.record(handResult(1_000_003 * (i + 1), models[i % 3]), {
        spanId: `id-${i}`,
        sessionId: `s-${i % 7}`,
        tags: i % 2 ? ['a'] : ['a', 'b'],
      });
      if (i % 50 === 49) await t.flush();
    }
    await t.close();
    appendFileSync(path, '{"start_time":"2026-'); // a torn last line
    expect(listLedgerFiles(path).length).toBeGreaterThan(3);
    // dist/ (npm test builds it first) has the worker script, so real worker threads read the shares;
    // the sources have only report-worker.ts, so there every share falls back to this thread.
    const distNode = new URL('../../../../dist/node.js', import.meta.url).href;
    const built = (await import(distNode)) as { aggregateLedgerParallel: typeof aggregateLedgerParallel };
    for (const by of ['model', 'session', 'tag', 'day'] as const) {
      const ref = quiet(() => aggregateLedger(path, { groupBy: by }));
      for (const [run, threads] of [
        [built.aggregateLedgerParallel, 3],
        [aggregateLedgerParallel, 1],
      ] as const) {
        const warnings: string[] = [];
        const { threads: used, ...par } = await run(path, {
          groupBy: by,
          threads: 3,
          minBytes: 0,
          onWarning: (m) => warnings.push(m),
        });
        expect(used).toBe(threads);
        expect(par).toEqual(ref.value);
        expect(par.skipped).toBe(1);
        expect(warnings.join('\n')).toMatch(/torn last line/);
      }
    }
  });

  it('rotates daily: a file last written on an earlier UTC day is renamed to that date', async () => {
    const path = fresh();
    const first = new JsonlLedgerSink({ path });
    first.write(new CostTracker().record(handResult(5), { spanId: 'yesterday' }));
    await first.close();
    const yesterday = new Date(Date.now() - 86_400_000);
    utimesSync(path, yesterday, yesterday);
    const second = new JsonlLedgerSink({ path, rotate: { daily: true } });
    second.write(new CostTracker().record(handResult(7), { spanId: 'today' }));
    await second.close();
    const files = listLedgerFiles(path);
    expect(files.map((f) => [f.date, f.seq])).toEqual([
      [yesterday.toISOString().slice(0, 10), 1],
      [null, 0],
    ]);
    expect(lines(files[0]!.path).map((l) => JSON.parse(l).id)).toEqual(['yesterday']);
    expect(lines(path).map((l) => JSON.parse(l).id)).toEqual(['today']);
  });
});

describe('reading', () => {
  it('filters by start time and skips rotated files that cannot hold calls in range', async () => {
    const path = fresh();
    const c = clock(Date.UTC(2026, 10, 20, 12));
    const t = new CostTracker({ now: c.now, sinks: [new JsonlLedgerSink({ path })] });
    for (let d = 0; d < 3; d++) {
      t.record(handResult(100 + d), { spanId: `d${d}` });
      c.advance(86_400_000);
    }
    await t.close();
    // A rotated file named for Nov 10 cannot hold calls from Nov 21 on: it must not even be opened.
    const dir = join(path, '..');
    writeFileSync(join(dir, 'ledger.2026-11-10.1.jsonl'), 'not json at all\n');
    const { value, warnings } = quiet(() => scanLedger(path, { from: '2026-11-21' }, () => {}));
    expect(value.matched).toBe(2);
    expect(value.files).toHaveLength(1);
    expect(warnings).toEqual([]);
    const ranged = await collect(path, { from: '2026-11-21T00:00:00Z', to: '2026-11-22T00:00:00Z' });
    expect(ranged.map((l) => l.id)).toEqual(['d1']);
  });

  it('skips a torn last line with a warning; the next writer starts on a fresh line', async () => {
    const path = fresh();
    const s1 = new JsonlLedgerSink({ path });
    s1.write(new CostTracker().record(handResult(1), { spanId: 'whole' }));
    await s1.close();
    const torn =
      `${JSON.stringify(toLedgerLine(new CostTracker().record(handResult(2), { spanId: 'torn' })))}`.slice(
        0,
        120,
      );
    appendFileSync(path, torn);
    const first = quiet(() => aggregateLedger(path));
    expect(first.value.matched).toBe(1);
    expect(first.value.skipped).toBe(1);
    expect(first.warnings.join('\n')).toMatch(/skipped 1 unreadable line\(s\) \(a torn last line/);
    const s2 = new JsonlLedgerSink({ path });
    s2.write(new CostTracker().record(handResult(3), { spanId: 'after' }));
    await s2.close();
    const { value, warnings } = quiet(() => {
      const ids: string[] = [];
      const r = scanLedger(path, {}, (l) => ids.push(l.id));
      return { ids, r };
    });
    expect(value.ids).toEqual(['whole', 'after']);
    expect(value.r.skipped).toBe(1);
    expect(warnings.join('\n')).toMatch(/invalid line 2: not JSON/);
  });

  it('recovers a whole line glued behind a torn fragment', () => {
    const path = fresh();
    const a = JSON.stringify(toLedgerLine(new CostTracker().record(handResult(1), { spanId: 'a' })));
    const b = JSON.stringify(toLedgerLine(new CostTracker().record(handResult(2), { spanId: 'b' })));
    writeFileSync(path, `${a.slice(0, 77)}${b}\n`);
    const { value } = quiet(() => {
      const ids: string[] = [];
      aggregateLedger(path);
      scanLedger(path, {}, (l) => ids.push(l.id));
      return ids;
    });
    expect(value).toEqual(['b']);
    expect(quiet(() => aggregateLedger(path)).value.totals.totalPico).toBe(2n);
  });

  it('the fast field scanner agrees with JSON.parse on adversarial lines, and declines foreign shapes', () => {
    const t = new CostTracker({ storeText: true });
    const weird = [
      'plain',
      'quote " inside',
      'back\\slash',
      'uni ✓ é 😀',
      '"user_id":"x"',
      '{"a":[1]}',
      'tab\there',
      '',
    ];
    const f = new FastLine();
    for (let i = 0; i < 400; i++) {
      const w = (k: number) => weird[(i + k) % weird.length]!;
      const r =
        i % 7 === 0
          ? t.recordUnpriced(w(1), w(2), { input: i, output: 3 }, { sessionId: w(3) })
          : i % 11 === 0
            ? t.recordFailure({ model: w(4), error: w(5) }, { userId: w(6) })
            : t.record(handResult(i * 977, w(1), w(2), i), {
                sessionId: i % 3 ? w(3) : undefined,
                userId: w(4),
                tenantId: i % 2 ? w(5) : undefined,
                operation: w(6),
                tags: i % 4 ? [w(7), w(0)] : undefined,
                metadata: { [w(2)]: w(3), user_id: 'meta-not-top', status: 'error' },
                providedCost: i % 5 === 0 ? i / 1e6 : undefined,
                cached: i % 13 === 0,
                inputText: w(1),
                outputText: '"status":"error"',
              });
      const full = toLedgerLine(r);
      const compact = ledgerLineJson(r);
      // The written (compact) line is the full line without its default columns, same order, same text.
      expect(expandLedgerLine(JSON.parse(compact))).toStrictEqual(full);
      expect(Object.keys(expandLedgerLine(JSON.parse(compact)))).toEqual(Object.keys(full));
      for (const text of [compact, JSON.stringify(full)]) {
        const ok = scanText(text, f);
        const ref = new FastLine();
        ref.fromLine(JSON.parse(text));
        expect(ok).toBe(true);
        // total_cost is only read when cost_pico is missing; compare the cost both sides report.
        expect(f.costPico()).toBe(ref.costPico());
        expect({ ...f.snapshot(), totalCost: 0 }).toEqual({ ...ref.snapshot(), totalCost: 0 });
        expect(f.isStatus('error')).toBe(ref.status === 'error');
        expect(f.isStatus('cached')).toBe(ref.status === 'cached');
      }
    }
    const line = toLedgerLine(new CostTracker().record(handResult(5)));
    const { start_time, ...rest } = line;
    const reordered = JSON.stringify({ start_time, ...rest });
    expect(scanText(reordered, f)).toBe(false);
    const spaced = JSON.stringify(line, null, 1).replace(/\n/g, '');
    expect(scanText(spaced, f)).toBe(false);
    const truncated = JSON.stringify(line).slice(0, -30);
    expect(scanText(truncated, f)).toBe(false);
    // The scanner tells keys apart by a few characters: no column's check accepts another key.
    const others = [...SCANNED_KEYS, '"input":', '"output":'];
    for (let k = 0; k < SCANNED_KEYS.length; k++) {
      for (const other of others) {
        expect(keyMatches(`${other}"value"`, k)).toBe(other === SCANNED_KEYS[k]);
      }
    }
    // A column every line must carry, missing: declined (JSON.parse then reads it with defaults).
    const { provider, ...noProvider } = line;
    const missing = JSON.stringify(noProvider);
    expect(provider).toBe('openai');
    expect(scanText(missing, f)).toBe(false);
  });
});
