import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonlLedgerSink } from '../../../../src/node/ledger/jsonl-sink.js';
import { calculateCost, PriceCatalog } from '../../../../src/pricing/index.js';
import { CostTracker } from '../../../../src/tracker/index.js';
import { runCli } from '../../../helpers/cli.js';
import { parseCsv } from '../../../helpers/csv.js';
import { clock, PRICES, priced } from '../../../helpers/tracker-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-cli-'));
const ledger = join(dir, 'data', 'ledger.jsonl');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Expected cost of a call, USD, from the price facts. */
const cost = (model: keyof typeof PRICES, input: number, output: number) =>
  (input * PRICES[model].input + output * PRICES[model].output) / 1e6;
const pico = (usd: number) => BigInt(Math.round(usd * 1e12));

// Calls: [time, model, input, output, user, session]
const CALLS: [number, keyof typeof PRICES, number, number, string, string][] = [
  [Date.UTC(2026, 10, 21, 23, 30), 'gpt-4o', 1200, 300, 'alice', 's1'], // 08:30 Nov 22 in Tokyo
  [Date.UTC(2026, 10, 22, 9, 0), 'gpt-4o', 2000, 500, 'alice', 's1'],
  [Date.UTC(2026, 10, 22, 10, 0), 'claude-x', 3000, 1000, 'bob', 's2'],
  [Date.UTC(2026, 10, 22, 16, 0), 'mini', 10_000, 2000, 'bob, "the builder"', 's3'], // 01:00 Nov 23 in Tokyo
];

beforeAll(async () => {
  mkdirSync(join(dir, 'data'));
  const c = clock(CALLS[0]![0]);
  const t = new CostTracker({ now: c.now, sinks: [new JsonlLedgerSink({ path: ledger })] });
  for (const [at, model, input, output, userId, sessionId] of CALLS) {
    c.set(at);
    t.record(priced(model, { input, output }), { userId, sessionId });
  }
  c.set(Date.UTC(2026, 10, 22, 17));
  t.recordFailure({ model: 'gpt-4o', error: new Error('rate limited, "retry" later') }, { userId: '=cmd|x' });
  await t.close();
});

describe('langfuse-cost report', () => {
  it('prints totals and a table by model', async () => {
    const r = await runCli(['report', '--ledger', ledger]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const total = CALLS.reduce((a, [, m, i, o]) => a + cost(m, i, o), 0);
    expect(r.stdout).toContain(
      `(exact $${(Number(CALLS.reduce((a, [, m, i, o]) => a + pico(cost(m, i, o)), 0n)) / 1e12).toFixed(12)})`,
    );
    expect(r.stdout).toMatch(/Calls\s+5 {2}\(1 errors, 0 cached, 0 unpriced, 0 estimated\)/);
    expect(total).toBeCloseTo(0.006 + 0.01 + 0.024 + 0.0027, 12);
    const rows = r.stdout.split('\n').filter((l) => /^(gpt-4o|claude-x|mini)\s/.test(l));
    expect(rows.map((l) => l.split(/\s{2,}/)[0])).toEqual(['claude-x', 'gpt-4o', 'mini']);
    // CALLS, UNPRICED, ERRORS, TOKENS, COST
    expect(rows[0]).toMatch(/claude-x\s+1\s+0\s+0\s+4,000\s+\$0\.024\s+/);
    expect(rows[1]).toMatch(/gpt-4o\s+3\s+0\s+1\s+4,000\s+\$0\.016\s+/);
  });

  it('--json gives exact figures and groups; --by day follows --tz', async () => {
    const r = await runCli(['report', '--ledger', ledger, '--json', '--by', 'user']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const exact = CALLS.reduce((a, [, m, i, o]) => a + pico(cost(m, i, o)), 0n);
    expect(j.totals.totalPico).toBe(exact.toString());
    expect(j.calls).toBe(5);
    const byUser = Object.fromEntries(
      j.groups.map((g: { key: string; totalPico: string }) => [g.key, g.totalPico]),
    );
    expect(byUser).toEqual({
      bob: pico(cost('claude-x', 3000, 1000)).toString(),
      alice: (pico(cost('gpt-4o', 1200, 300)) + pico(cost('gpt-4o', 2000, 500))).toString(),
      'bob, "the builder"': pico(cost('mini', 10_000, 2000)).toString(),
      '=cmd|x': '0',
    });
    const utc = JSON.parse((await runCli(['report', '--ledger', ledger, '--json', '--by', 'day'])).stdout);
    expect(utc.groups.map((g: { key: string; requests: number }) => [g.key, g.requests])).toEqual([
      ['2026-11-21', 1],
      ['2026-11-22', 4],
    ]);
    const tokyo = JSON.parse(
      (
        await runCli(['report', '--ledger', ledger, '--json', '--by', 'day'], {
          env: { LANGFUSE_COST_TIMEZONE: 'Asia/Tokyo' },
        })
      ).stdout,
    );
    expect(tokyo.timeZone).toBe('Asia/Tokyo');
    expect(tokyo.groups.map((g: { key: string; requests: number }) => [g.key, g.requests])).toEqual([
      ['2026-11-22', 3],
      ['2026-11-23', 2],
    ]);
  });

  it('--from/--to select by start time (a date --to includes that day)', async () => {
    const day = JSON.parse(
      (await runCli(['report', '--ledger', ledger, '--json', '--from', '2026-11-22', '--to', '2026-11-22']))
        .stdout,
    );
    expect(day.calls).toBe(4);
    const morning = JSON.parse(
      (
        await runCli([
          'report',
          '--ledger',
          ledger,
          '--json',
          '--from',
          '2026-11-22T08:00:00Z',
          '--to',
          '2026-11-22T12:00:00Z',
        ])
      ).stdout,
    );
    expect(morning.calls).toBe(2);
    expect(morning.totals.totalPico).toBe(
      (pico(cost('gpt-4o', 2000, 500)) + pico(cost('claude-x', 3000, 1000))).toString(),
    );
  });

  it('--to 9999-12-31 and --from 0050-01-01 are open ends, not empty windows', async () => {
    const all = pico(cost('gpt-4o', 1200, 300)) + pico(cost('gpt-4o', 2000, 500));
    const rest = pico(cost('claude-x', 3000, 1000)) + pico(cost('mini', 10_000, 2000));
    for (const window of [
      ['--to', '9999-12-31'],
      ['--from', '0050-01-01', '--to', '9999-12-31'],
      ['--from', '0050-01-01', '--to', '2026-12-01'],
    ]) {
      const r = await runCli(['report', '--ledger', ledger, '--json', ...window]);
      expect(r.stderr, window.join(' ')).toBe('');
      const report = JSON.parse(r.stdout);
      // The four calls and the failure, all of them.
      expect(report.calls, window.join(' ')).toBe(5);
      expect(report.totals.totalPico, window.join(' ')).toBe((all + rest).toString());
    }
    // A time past a Date's range is a usage error that names the flag, in every command.
    for (const command of [['report'], ['export'], ['budget', 'status', '--daily', '1']]) {
      const r = await runCli([...command, '--ledger', ledger, '--from', '99999999999w']);
      expect(r.code, command.join(' ')).toBe(2);
      expect(r.stderr, command.join(' ')).toContain('--from "99999999999w" is not a time: use an age');
    }
    // A window wholly after the year 9999 holds no call.
    const none = JSON.parse(
      (await runCli(['report', '--ledger', ledger, '--json', '--from', '9999-12-31', '--to', '9999-12-31']))
        .stdout,
    );
    expect(none.calls).toBe(0);
  });

  it('says where the ledger should be and how to get one when it is missing', async () => {
    const missing = join(dir, 'nowhere', 'ledger.jsonl');
    const r = await runCli(['report'], { env: { LANGFUSE_COST_LEDGER: missing } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no ledger at ${missing}`);
    expect(r.stderr).toMatch(/--ledger PATH or LANGFUSE_COST_LEDGER/);
    const bad = await runCli(['report', '--ledger', ledger, '--by', 'planet']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--by must be one of model, provider/);
    const badTime = await runCli(['report', '--ledger', ledger, '--from', 'yesterday-ish']);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toMatch(/--from "yesterday-ish" is not a time/);
  });
});

describe('langfuse-cost budget status', () => {
  it('shows spend against limits from the environment and flags', async () => {
    const now = Date.now();
    const env = { LANGFUSE_COST_DAILY_LIMIT: '0.01', LANGFUSE_COST_USER_LIMIT: '1' };
    // The ledger's calls are in the past; give today's spend a call of its own.
    const todayLedger = join(dir, 'today.jsonl');
    const t = new CostTracker({ now: () => now, sinks: [new JsonlLedgerSink({ path: todayLedger })] });
    t.record(priced('claude-x', { input: 3000, output: 1000 }), { userId: 'carol' });
    await t.close();
    const r = await runCli(['budget', 'status', '--ledger', todayLedger, '--json', '--check'], { env });
    expect(r.code).toBe(3); // $0.024 today ≥ $0.01
    const j = JSON.parse(r.stdout);
    const spent = cost('claude-x', 3000, 1000);
    expect(j.statuses).toEqual([
      expect.objectContaining({ scope: 'daily', spent, limit: 0.01, level: 'exceeded' }),
      expect.objectContaining({ scope: 'user', key: 'carol', spent, limit: 1, level: 'ok' }),
    ]);
    const human = await runCli(['budget', 'status', '--ledger', todayLedger, '--daily', '1'], { env });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/daily\s+\d{4}-\d{2}-\d{2}\s+\$0\.024\s+\$1\.00\s+2\.4%\s+ok/);
    const none = await runCli(['budget', 'status', '--ledger', todayLedger]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no budget limits: set LANGFUSE_COST_DAILY_LIMIT/);
    const badEnv = await runCli(['budget', 'status', '--ledger', todayLedger], {
      env: { LANGFUSE_COST_DAILY_LIMIT: 'lots' },
    });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toMatch(/LANGFUSE_COST_DAILY_LIMIT="lots" is not valid/);
  });

  it('--top N lists the N most used keys of a budget, and --top 0 all of them (past the default 10)', async () => {
    // Twelve sessions, session k with one gpt-4o call of k × 1,000 input tokens ($0.0025 each 1,000).
    const many = join(dir, 'sessions.jsonl');
    const t = new CostTracker({ sinks: [new JsonlLedgerSink({ path: many })] });
    for (let k = 1; k <= 12; k++)
      t.record(priced('gpt-4o', { input: k * 1000, output: 0 }), { sessionId: `s${k}` });
    await t.close();
    const sessions = async (top: string[]) => {
      const r = await runCli(['budget', 'status', '--ledger', many, '--session', '1', ...top, '--json']);
      expect(r.code).toBe(0);
      return (JSON.parse(r.stdout).statuses as { scope: string; key: string; spent: number }[])
        .filter((s) => s.scope === 'session')
        .map((s) => [s.key, s.spent]);
    };
    // Most used first.
    const all = Array.from({ length: 12 }, (_, i) => [
      `s${12 - i}`,
      ((12 - i) * 1000 * PRICES['gpt-4o'].input) / 1e6,
    ]);
    expect(await sessions(['--top', '2'])).toEqual(all.slice(0, 2));
    expect(await sessions([])).toEqual(all.slice(0, 10));
    expect(await sessions(['--top', '0'])).toEqual(all);
  });
});

describe('langfuse-cost export', () => {
  it('writes CSV that a spreadsheet reads back cell for cell', async () => {
    const r = await runCli(['export', '--ledger', ledger, '--format', 'csv']);
    expect(r.code).toBe(0);
    const rows = parseCsv(r.stdout);
    expect(rows).toHaveLength(6);
    const h = rows[0]!;
    const col = (row: string[], name: string) => row[h.indexOf(name)]!;
    expect(rows.slice(1).map((row) => col(row, 'user_id'))).toEqual([
      'alice',
      'alice',
      'bob',
      'bob, "the builder"',
      "'=cmd|x",
    ]);
    expect(col(rows[5]!, 'status_message')).toBe('rate limited, "retry" later');
    expect(col(rows[4]!, 'total_cost')).toBe(String(cost('mini', 10_000, 2000)));
    expect(r.stdout.endsWith('\r\n')).toBe(true);
  });

  it('writes JSON and JSON Lines, to a file with --out', async () => {
    const out = join(dir, 'out.json');
    const r = await runCli([
      'export',
      '--ledger',
      ledger,
      '--format',
      'json',
      '--out',
      out,
      '--from',
      '2026-11-22',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('wrote 4 calls');
    const arr = JSON.parse(readFileSync(out, 'utf8'));
    expect(arr.map((l: { user_id: string }) => l.user_id)).toEqual([
      'alice',
      'bob',
      'bob, "the builder"',
      '=cmd|x',
    ]);
    const jl = await runCli([
      'export',
      '--ledger',
      ledger,
      '--format',
      'jsonl',
      '--to',
      '2026-11-22T00:00:00Z',
    ]);
    expect(
      jl.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).start_time),
    ).toEqual(['2026-11-21T23:30:00.000Z']);
    const bad = await runCli(['export', '--ledger', ledger, '--format', 'xml']);
    expect(bad.code).toBe(2);
  });
});

describe('langfuse-cost report: every bucket with a count', () => {
  const mediaLedger = join(dir, 'media', 'ledger.jsonl');

  beforeAll(async () => {
    mkdirSync(join(dir, 'media'));
    const t = new CostTracker({
      now: clock(Date.UTC(2026, 10, 22)).now,
      sinks: [new JsonlLedgerSink({ path: mediaLedger })],
    });
    t.record(priced('claude-x', { input: 1000, cacheWrite: 200, cacheWrite1h: 300, output: 50 }));
    // A transcription priced at $0.36 an hour of audio ($0.009 for 90 s), and units 'mini' has no price for.
    const stt = PriceCatalog.fromData({
      version: 1,
      models: [{ id: 'stt', provider: 'openai', prices: { perAudioHour: 0.36 } }],
    });
    t.record(calculateCost({ model: 'stt', usage: { audioSeconds: 90 } }, stt)!);
    t.record(priced('mini', { audioSeconds: 30, characters: 1200, images: 2 }));
    await t.close();
  });

  it('lists token buckets within the total and other units on their own line', async () => {
    const r = await runCli(['report', '--ledger', mediaLedger]);
    expect(r.code).toBe(0);
    // 1,000 + 200 + 300 + 50 tokens; the 1-hour cache writes are named apart from the 5-minute ones.
    expect(r.stdout).toMatch(
      /Tokens\s+1,550 {2}\(input 1,000, cache write 200, cache write 1h 300, output 50\)\n/,
    );
    expect(r.stdout).toMatch(/Units\s+audio seconds 120, characters 1,200, images 2\n/);
    // Per 1k tokens covers the calls with tokens only: claude-x's $3 in, $3.75 5-minute and 1-hour
    // cache writes (no 1-hour price: the 5-minute one stands in), $15 out per 1M, over 1,550 tokens.
    // The transcription's $0.009 is in the total but not in the cost per 1k tokens.
    const claude = (1000 * 3 + 500 * 3.75 + 50 * 15) / 1e6;
    expect(r.stdout).toContain('(exact $0.014625000000)'); // $0.005625 + $0.009
    expect(r.stdout).toContain(`Per 1k tokens  $${((claude * 1000) / 1550).toPrecision(3)}\n`);
  });
});
