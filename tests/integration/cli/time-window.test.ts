/**
 * One time window for every command: the same ledger and the same flags give the same total in
 * `report`, `export`, `budget status` and `dashboards run` (chDB), with no flag (all time, up to now)
 * and with `--from -7d` / `--from 7d` (the same thing), and the same usage error everywhere.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonlLedgerSink } from '../../../src/node/ledger/jsonl-sink.js';
import { CostTracker } from '../../../src/tracker/index.js';
import { runCli } from '../../helpers/cli.js';
import { parseCsv } from '../../helpers/csv.js';
import { clock, PRICES, priced } from '../../helpers/tracker-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-window-'));
const ledger = join(dir, 'ledger.jsonl');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
// Ages are a day or more from the 7-day edge, so the seconds between writing the ledger and running
// a command cannot move a call across it.
const NOW = Date.now();
const FAR_PAST = Date.UTC(2024, 0, 15, 9, 30); // before any default window but "all time"
// Before 1970 (a clock set wrong, or a backfill): "all time" holds it in every command, dashboards too.
const BEFORE_1970 = Date.UTC(1960, 5, 1, 12);

// [start, model, input tokens, output tokens]
const CALLS: [number, keyof typeof PRICES, number, number][] = [
  [BEFORE_1970, 'gpt-4o', 700, 90],
  [FAR_PAST, 'claude-x', 5000, 2000],
  [NOW - 40 * DAY, 'gpt-4o', 8000, 1000],
  [NOW - 20 * DAY, 'mini', 20_000, 5000],
  [NOW - 8 * DAY, 'claude-x', 3000, 1000],
  [NOW - 6 * DAY, 'gpt-4o', 1200, 300],
  [NOW - 3 * DAY, 'mini', 10_000, 2000],
  [NOW - 1 * DAY, 'gpt-4o', 2000, 500],
];

/** Exact pico-USD of a call, from the price facts (USD per 1M tokens). */
const callPico = (model: keyof typeof PRICES, input: number, output: number): bigint =>
  BigInt(Math.round(input * PRICES[model].input * 1e6 + output * PRICES[model].output * 1e6));
const sumSince = (from: number) =>
  CALLS.filter(([t]) => t >= from).reduce((a, [, m, i, o]) => a + callPico(m, i, o), 0n);

/** `0.0123` (exact decimal text) → pico-USD. */
function decimalPico(text: string): bigint {
  const [whole, frac = ''] = text.split('.');
  return BigInt(whole!) * 10n ** 12n + BigInt(frac.padEnd(12, '0').slice(0, 12));
}

beforeAll(async () => {
  const c = clock(FAR_PAST);
  const t = new CostTracker({ now: c.now, sinks: [new JsonlLedgerSink({ path: ledger })] });
  for (const [at, model, input, output] of CALLS) {
    c.set(at);
    t.record(priced(model, { input, output }), { userId: 'ann', sessionId: `s-${at}` });
  }
  await t.close();
});

type Totals = Record<'report' | 'export' | 'budget' | 'dashboards', bigint>;

/** The total each command gives for the same window flags, pico-USD. */
async function totals(flags: string[]): Promise<Totals> {
  const [report, exported, budget, dashboards] = await Promise.all([
    runCli(['report', '--ledger', ledger, '--json', ...flags]),
    runCli(['export', '--ledger', ledger, '--format', 'csv', ...flags]),
    runCli(['budget', 'status', '--ledger', ledger, '--daily', '1000', '--json', ...flags]),
    runCli(['dashboards', 'run', 'kpi-totals', '--ledger', ledger, '--format', 'json', ...flags], {
      timeoutMs: 60_000,
    }),
  ]);
  for (const r of [report, exported, budget, dashboards]) {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }
  const rows = parseCsv(exported.stdout);
  const cost = rows[0]!.indexOf('total_cost');
  const kpi = (JSON.parse(dashboards.stdout) as { total_cost_usd: number }[])[0]!;
  return {
    report: BigInt(JSON.parse(report.stdout).totals.totalPico),
    export: rows.slice(1).reduce((a, row) => a + decimalPico(row[cost]!), 0n),
    budget: BigInt(JSON.parse(budget.stdout).window.spentPico),
    dashboards: BigInt(Math.round(kpi.total_cost_usd * 1e12)),
  };
}

const same = (pico: bigint): Totals => ({ report: pico, export: pico, budget: pico, dashboards: pico });

describe('one time window for report, export, budget and dashboards', () => {
  it('no time flags: all time, up to now, in every command', async () => {
    expect(await totals([])).toEqual(same(sumSince(Number.NEGATIVE_INFINITY)));
  }, 90_000);

  it('open ends far out: --from 0000-01-01 --to 9999-12-31 is all time in every command', async () => {
    expect(await totals(['--from', '0000-01-01', '--to', '9999-12-31'])).toEqual(
      same(sumSince(Number.NEGATIVE_INFINITY)),
    );
    expect(await totals(['--to', '1970-01-01'])).toEqual(
      same(sumSince(Number.NEGATIVE_INFINITY) - sumSince(0)),
    );
  }, 90_000);

  it('--from -7d and --from 7d: the same window, the same totals everywhere', async () => {
    const expected = same(sumSince(NOW - 7 * DAY));
    const [minus, plain] = await Promise.all([totals(['--from', '-7d']), totals(['--from', '7d'])]);
    expect(minus).toEqual(expected);
    expect(plain).toEqual(expected);
  }, 90_000);

  it('dates: --to includes that whole day in every command', async () => {
    const day = (t: number) => new Date(t).toISOString().slice(0, 10);
    const [from, to] = [day(NOW - 20 * DAY), day(NOW - 6 * DAY)];
    const inDays = CALLS.filter(([t]) => day(t) >= from && day(t) <= to).reduce(
      (a, [, m, i, o]) => a + callPico(m, i, o),
      0n,
    );
    expect(await totals(['--from', from, '--to', to])).toEqual(same(inDays));
  }, 90_000);

  it('times without an offset are UTC (or --tz), whatever the machine time zone', async () => {
    const r = await runCli(['report', '--ledger', ledger, '--json', '--from', '2026-11-01T10:00'], {
      env: { TZ: 'America/Los_Angeles' },
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).from).toBe('2026-11-01T10:00:00.000Z');
    const berlin = await runCli(
      ['report', '--ledger', ledger, '--json', '--from', '2026-11-01T10:00', '--tz', 'Europe/Berlin'],
      { env: { TZ: 'America/Los_Angeles' } },
    );
    expect(JSON.parse(berlin.stdout).from).toBe('2026-11-01T09:00:00.000Z');
  });

  it('a bad time is one line naming the flag, the value and the forms; exit 2 in every command', async () => {
    const runs = await Promise.all([
      runCli(['report', '--ledger', ledger, '--from', 'last-week']),
      runCli(['export', '--ledger', ledger, '--from', 'last-week']),
      runCli(['budget', 'status', '--ledger', ledger, '--daily', '1', '--from', 'last-week']),
      runCli(['dashboards', 'run', 'kpi-totals', '--ledger', ledger, '--from', 'last-week']),
      runCli(['langfuse', 'reprice', '--from', 'last-week', '--skip-langfuse', '--ledger', ledger]),
    ]);
    for (const r of runs) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(
        /--from "last-week" is not a time: use an age such as 7d or -7d .*2026-11-01T10:00:00Z\)\n$/,
      );
    }
    // A dashboard's --param timeZone is read as --tz is: by its IANA name, or a usage error naming it.
    const [lower, bogus] = await Promise.all([
      runCli(['dashboards', 'run', 'cost-daily', '--ledger', ledger, '--param', 'timeZone=utc'], {
        timeoutMs: 60_000,
      }),
      runCli(['dashboards', 'run', 'cost-daily', '--ledger', ledger, '--param', 'timeZone=Mars/Base']),
    ]);
    expect(lower.stderr).toBe('');
    expect(lower.code).toBe(0);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toMatch(
      /^langfuse-cost dashboards: --param timeZone: unknown time zone "Mars\/Base"/,
    );
    const empty = await runCli(['report', '--ledger', ledger, '--from', '+1d']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--from .* is not before --to .* \(now\): the window is empty/);
  });
});
